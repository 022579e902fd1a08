"""Issue 12: a kit that cannot be edited from inside, run through `grade` processes of their own
on a private copy of the kit (so the attack never touches the kit under test).

The submission is the untouched stubs plus the attacks of tests/hostile/kit_attacks.py at the
import of engine.py. A second run, on the stubs alone, shows whether anything stayed for later.
"""
from __future__ import annotations

import compileall
import hashlib
import shutil
import sys

import pytest

from hostile import harness
from hostile.kit_attacks import ATTACK

ENGINE = "micrograd/engine.py"
OPS = ["micrograd.add", "micrograd.mul", "micrograd.pow", "micrograd.neg_sub_div", "micrograd.exp_log",
       "micrograd.tanh", "micrograd.relu"]
ROOT_EDITS = ("without a sandbox the worker is root here and the kit is root's: it can rewrite a suite "
              "file the judge has not imported yet")


def _digest(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _kit_runs(isolation: str, folder) -> dict:
    kit = folder / "kit"
    shutil.copytree(harness.ROOT / "grader", kit / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    # Bytecode beside the sources, as pip writes it on install (so the judge writes none itself):
    # not in this process's own private cache, where an in-process grading run may have put it.
    saved, sys.pycache_prefix = sys.pycache_prefix, None
    try:
        compileall.compile_dir(str(kit), quiet=1, workers=1)
    finally:
        sys.pycache_prefix = saved
    trace = folder / "trace"
    trace.mkdir()
    repo = folder / "student"
    exercises = harness.copy_tree(harness.EXERCISES, repo / "exercises")
    engine = exercises / ENGINE
    engine.write_text(engine.read_text().replace(
        "import math\n", "import math\n" + ATTACK.format(suite=str(kit / "grader/suites/micrograd"),
                                                         trace=str(trace), ops=OPS), 1))
    args = ["micrograd", "--format", "json", "--seed", "1", "--isolation", isolation]
    # The judge writes bytecode as an ordinary install does (this env's PYTHONDONTWRITEBYTECODE off).
    before = _digest(kit)
    first = harness.run_judge(args + ["--submission", str(repo)], folder / "first.json", kit=kit, bytecode=True)
    after = _digest(kit)
    traces = {p.name: p.read_text() for p in trace.iterdir() if p.name != "planting"}
    later = None
    if after != before:  # something stayed: what does the next submission get?
        stubs = folder / "stubs"
        harness.copy_tree(harness.EXERCISES, stubs / "exercises")
        later = harness.run_judge(args + ["--submission", str(stubs)], folder / "later.json", kit=kit, bytecode=True)
        later.extra["traces"] = {p.name: p.read_text() for p in trace.iterdir() if p.name != "planting"}
    changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
    return {"first": first.__dict__, "later": later.__dict__ if later else None, "kit_changed": changed,
            "traces_after_first": traces}


@pytest.fixture
def kit_runs(request, tmp_path_factory) -> dict:
    isolation = request.param
    data = harness.shared(tmp_path_factory, f"kit-{isolation}", lambda folder: _kit_runs(isolation, folder))
    data["first"] = harness.judge_run(data["first"])
    data["later"] = harness.judge_run(data["later"]) if data["later"] else None
    return data


def _passed(run: harness.JudgeRun) -> list[str]:
    return [c for c, s in run.statuses().items() if s == "passed"]


@pytest.mark.parametrize("kit_runs", harness.isolations(), indirect=True)
def test_the_attacked_run_earns_nothing_and_is_well_formed(kit_runs):
    first = kit_runs["first"]
    assert first.code == 1, first.stderr[-2000:]
    harness.assert_well_formed(first.result, "micrograd")
    assert _passed(first) == []
    said = " ".join(c["message"] for c in first.result["components"])
    assert "kit attack: {'pyc'" in said or "the grader's own files changed" in said  # the attack ran


@pytest.mark.parametrize("kit_runs", harness.isolations(), indirect=True)
def test_a_planted_unchecked_pyc_never_runs_in_the_judge(kit_runs):
    assert "pyc" not in kit_runs["traces_after_first"]
    later = kit_runs["later"]
    if later is not None:
        assert "pyc" not in later.extra["traces"]
        assert not set(_passed(later)) & set(OPS)


@pytest.mark.parametrize("kit_runs", harness.isolations(process_xfail=ROOT_EDITS, racy=True), indirect=True)
def test_a_suite_file_rewritten_and_put_back_never_runs_in_the_judge(kit_runs):
    assert "transient" not in kit_runs["traces_after_first"]


@pytest.mark.parametrize("kit_runs", harness.isolations(process_xfail=ROOT_EDITS + " (and it stays for later runs)"),
                         indirect=True)
def test_a_same_size_edit_with_its_mtime_put_back_does_not_stay_for_later_runs(kit_runs):
    assert "persistent" not in kit_runs["traces_after_first"]
    later = kit_runs["later"]
    if later is not None:
        assert later.code == 1 and _passed(later) == [], later.statuses()
        assert "persistent" not in later.extra["traces"]


@pytest.mark.parametrize("kit_runs", harness.isolations(process_xfail=ROOT_EDITS), indirect=True)
def test_the_kit_is_out_of_reach(kit_runs):
    assert kit_runs["kit_changed"] == []
    assert kit_runs["traces_after_first"] == {}
