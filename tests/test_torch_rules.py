"""The torch rules (SPEC §3, "The student's own code"): every borrowed answer of
tests/hostile/borrowed.py earns nothing for the component that borrows, says what it used, and
costs no other component anything; and it does so twice over, through the judge's review of the
source and, with that review out of the way, through the worker's watch of what really runs.

Each case goes through both layers on its own (the review in this process, the watch in a
fresh one: tests/hostile/replay.py); the real grader runs the cases that could reach past the
component (a prelude at import, hooks planted, the watch attacked) end to end, whole module."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import SOLUTIONS, by_id, make_submission, not_passed
from grader.engine.judge import source_review
from grader.engine.judge.plugin import CheckFailed
from grader.engine.judge.run import Options, grade_module
from grader.engine.model import Status
from grader.probes.torch_rules import AUTOGRAD, SHORTCUTS
from hostile.borrowed import CASES, TAINTING
from inprocess import failing
from learners_torch import BATCHNORM_BACKWARD, CROSS_ENTROPY
from mutants import solution_block

RULED = {"mlp": ("makemore/mlp.py", "cross_entropy", "mlp.cross_entropy"),
         "batchnorm": ("makemore/batchnorm.py", "batchnorm_backward", "batchnorm.backward")}
IDS = [c.name for c in CASES]
TESTS = Path(__file__).resolve().parent
HONEST = [("mlp", name, *v) for name, v in CROSS_ENTROPY.items()] + \
         [("batchnorm", name, *v) for name, v in BATCHNORM_BACKWARD.items()]


def borrowing(tmp_path, case):
    rel, _, component = RULED[case.module]
    body = textwrap.indent(textwrap.dedent(case.body).strip("\n") + "\n", "    ")
    text = (SOLUTIONS / rel).read_text().replace(solution_block(rel, component), body, 1)
    return make_submission(tmp_path, files={rel: text + (f"\n\n{case.prelude}" if case.prelude else "")})


@pytest.fixture
def without_source_review(monkeypatch):
    monkeypatch.setattr(source_review.Review, "tampering", lambda self, rel: None)
    monkeypatch.setattr(source_review.Review, "function", lambda self, rel, name: None)


@pytest.fixture
def forget_makemore():
    yield
    for name in [n for n in sys.modules if n == "makemore" or n.startswith("makemore.")]:
        del sys.modules[name]


class Judge:
    """What the static review needs of the `student` fixture: where the submission is."""

    def __init__(self, exercises):
        self.exercises = exercises


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_source_review_names_what_was_borrowed(tmp_path, case):
    rel, function, _ = RULED[case.module]
    rule = {"mlp": SHORTCUTS, "batchnorm": AUTOGRAD}[case.module]
    with pytest.raises(CheckFailed) as failed:
        source_review.expect_own_code(Judge(borrowing(tmp_path, case)), rel, function, rule)
    assert failed.value.message.startswith(function) and case.static in failed.value.message, failed.value.message


@pytest.mark.parametrize("name", ["cross-entropy-inside-a-custom-autograd-function",
                                  "torch-autograd-grad-saved-at-import-and-restored"])
def test_in_the_real_grader_the_borrowed_answer_earns_nothing_and_costs_nothing_else(tmp_path, name):
    case = next(c for c in CASES if c.name == name)
    _, _, component = RULED[case.module]
    result = grade_module(case.module, borrowing(tmp_path, case), Options(seed=1))
    assert not_passed(result) == {component: Status.FAILED}, [(c.id, c.message) for c in result.components]
    assert case.static in by_id(result, component).message


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    """Every case through the worker's probe, and called plainly, in a fresh interpreter
    (tests/hostile/replay.py): {("watch" | "real", case name): what came out}."""
    tmp = tmp_path_factory.mktemp("replay")
    args = [f"{case.name}={borrowing(tmp / case.name, case)}" for case in CASES]
    done = subprocess.run([sys.executable, "-m", "hostile.replay", *args], cwd=TESTS, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONPATH": str(TESTS)})
    found = {}
    for line in done.stdout.splitlines():
        kind, name, said = (line.split(" ", 2) + ["", ""])[:3]
        found[(kind, name)] = said
    assert done.returncode == 0, done.stderr[-3000:]
    return found


@pytest.mark.parametrize("case", [c for c in CASES if c.name not in TAINTING], ids=lambda c: c.name)
def test_the_worker_watch_alone_names_what_was_borrowed(replayed, case):
    if case.watch is None:
        pytest.skip("torch's private C functions called from C switch the worker's recorders off: see SECURITY.md")
    _, function, _ = RULED[case.module]
    assert replayed[("watch", case.name)].startswith(f"{function} {case.watch}"), replayed[("watch", case.name)]


def test_the_worker_watch_alone_misses_only_what_security_md_says(replayed):
    missed = {name for (kind, name), said in replayed.items() if kind == "watch" and said == "passed the watch"}
    assert missed == {c.name for c in CASES if c.watch is None}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_borrowed_answer_is_a_real_one(replayed, case):
    """Without the rules, it would pass: its numbers are right."""
    assert replayed[("real", case.name)] == "ok"


@pytest.mark.parametrize("name", ["the-watch-switched-off-first", *sorted(TAINTING)])
def test_in_the_real_grader_the_watch_alone_fails_it_and_nothing_else(tmp_path, name,
                                                                        without_source_review):
    """The cases that leave the worker's process changed (hooks planted at import, the watch
    attacked from inside the call), end to end: every other component is graded as before."""
    case = next(c for c in CASES if c.name == name)
    _, function, component = RULED[case.module]
    result = grade_module(case.module, borrowing(tmp_path, case), Options(seed=1))
    assert not_passed(result) == {component: Status.FAILED}, [(c.id, c.message) for c in result.components]
    message = by_id(result, component).message
    assert message.startswith(f"{function} {case.watch}"), message


def honest(tmp_path, module, code, files):
    """The solutions with the learner's version of the ruled function (and its helpers) instead."""
    rel, function, _ = RULED[module]
    text = (SOLUTIONS / rel).read_text()
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == function)
    lines = text.splitlines(keepends=True)
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
    text = "".join(lines[:start]) + textwrap.dedent(code).lstrip("\n") + "".join(lines[node.end_lineno:])
    return make_submission(tmp_path, files={rel: text, **files})


@pytest.mark.parametrize("module,name,code,files", HONEST, ids=[f"{m}:{n}" for m, n, _, _ in HONEST])
def test_honest_learner_code_passes_every_check(tmp_path, monkeypatch, forget_makemore, module, name, code, files):
    monkeypatch.setenv("ZERO_TO_HERO_DATA", str(tmp_path / "no-data"))  # the names.txt checks add nothing here
    assert failing(honest(tmp_path, module, code, files), module) == {}


def test_honest_learner_code_passes_in_the_real_grader(tmp_path):
    code, files = CROSS_ENTROPY["a-helper-of-their-own-in-another-file"]
    result = grade_module("mlp", honest(tmp_path, "mlp", code, files), Options(seed=1))
    assert not_passed(result) == {}, [(c.id, c.message) for c in result.components if c.status is not Status.PASSED]
