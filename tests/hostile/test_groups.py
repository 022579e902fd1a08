"""Attacks on a batch's groups (the manifest's `share`): one worker grades a whole group first.

That worker must hold none of its components' answers, and a pass earned only because two of
the student's own mistakes cancel out inside the group must not count: a group passes whole or
is graded again, one worker per component, with the grader's references around each.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import grade_folder, make_submission, not_passed
from grader.engine import manifest
from grader.engine.judge import run
from grader.engine.model import Status
from grader.engine.worker import sandbox
from hostile import harness
from hostile.borrow_attacks import METHODS, PRELUDE
from hostile.test_batch_attacks import batch, solved
from hostile.test_borrowing import COMPONENT_OF, ENGINE, WITNESSES, _methods_submission

ROOT = Path(__file__).resolve().parents[2]
OPS = manifest.load()["micrograd"].groups()["ops"]

HELD = r"""
import json, sys
from grader.engine import manifest
from grader.engine.worker import standins
from grader.engine.worker.student import StandIns

ops = manifest.load()["micrograd"].groups()["ops"]
held = StandIns(standins.for_component("micrograd", tuple(ops)))
held.load_all()
engine = held.get("grader.references.micrograd")
said = {}
for name, owners in engine.__owners__.items():
    try:
        getattr(engine, name)(None, None)
        said[name] = "ran"
    except RuntimeError as exc:
        said[name] = str(exc) if "withholds" in str(exc) else "ran"
    except Exception:
        said[name] = "ran"
print(json.dumps({"said": said, "owners": {k: [v] if isinstance(v, str) else list(v) for k, v in engine.__owners__.items()}}))
"""


def test_a_groups_worker_holds_none_of_its_components_answers():
    # In a fresh interpreter: the judge's own process holds the real references.
    out = subprocess.run([sys.executable, "-c", HELD], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    for name, owners in got["owners"].items():
        if set(owners) & set(OPS):
            assert "withholds" in got["said"][name] and owners[0] in got["said"][name], (name, got["said"][name])
        else:  # backward's walk is no answer of theirs: the op checks drive the graph with it
            assert got["said"][name] == "ran", (name, got["said"][name])


# exp written from tanh through an identity, with a tanh that is deliberately wrong (tanh(2x)):
# the two mistakes cancel, so exp is right with this tanh and wrong (e^(x/2)) with the real one.
CANCELLING = {"micrograd/engine.py": [
    ("        out = Value(math.exp(self.data), (self,), 'exp')\n\n        def _backward():\n"
     "            self.grad += out.data * out.grad\n        out._backward = _backward\n\n        return out\n",
     "        t = (self * 0.25).tanh()  # this tanh doubles its input: t is tanh(x / 2)\n"
     "        return (1 + t) / (1 - t)\n"),
    ("        t = math.tanh(self.data)\n", "        t = math.tanh(2 * self.data)\n"),
    ("self.grad += (1 - t ** 2) * out.grad", "self.grad += 2 * (1 - t ** 2) * out.grad"),
]}


def test_mistakes_that_cancel_inside_a_group_earn_nothing(tmp_path, monkeypatch, warm_servers):
    firsts = []
    real = run._run_suite

    def recorded(module, config, options, only, share):
        components, groups = real(module, config, options, only, share)
        if share:
            firsts.append({c.id: c.status for c in components})
        return components, groups
    monkeypatch.setattr(run, "_run_suite", recorded)
    submission = make_submission(tmp_path, CANCELLING)
    shared = grade_folder(submission, "micrograd", servers=warm_servers, share=True)
    # The group's first pass did credit exp: only the whole-group rule takes it back.
    assert firsts[0]["micrograd.exp_log"] is Status.PASSED and firsts[0]["micrograd.tanh"] is not Status.PASSED
    alone = grade_folder(submission, "micrograd", servers=warm_servers)
    assert set(not_passed(shared)) == set(not_passed(alone)) == {"micrograd.exp_log", "micrograd.tanh"}
    assert [(c.id, c.message) for c in shared.components] == [(c.id, c.message) for c in alone.components]


@pytest.mark.skipif(not sandbox.probe()[0], reason="in the process fallback some of these attacks work alone too "
                                                     "(tests/hostile/test_borrowing.py marks them)")
def test_borrowing_from_a_groups_worker_earns_nothing_in_grade_batch(tmp_path):
    # Each op borrows the grader's reference a way of its own (frames, gc, sys.modules, the
    # solutions' file...), graded by `grade batch`, whose first pass grades the ops together.
    attacker = _methods_submission(tmp_path / "attacker")
    classmate = solved(tmp_path, "classmate")
    done, rows = batch(tmp_path, [attacker, classmate])
    assert done.returncode in (0, 1), done.stderr
    row = rows[str(attacker)]
    attacked = sorted({COMPONENT_OF[m] for m in COMPONENT_OF})
    assert {c: row[f"{c}:status"] for c in attacked if row[f"{c}:status"] == "passed"} == {}, row
    assert {c: row[f"{c}:status"] for c in WITNESSES} == {c: "passed" for c in WITNESSES}, row
    mate = rows[str(classmate)]
    assert {mate[f"{c.id}:status"] for c in manifest.load()["micrograd"].components} == {"passed"}, mate


@pytest.mark.skipif(not sandbox.probe()[0], reason="the sandbox's wall: without it, tests/hostile/test_borrowing.py")
@pytest.mark.parametrize("attack", ["gc", "frames"])
def test_one_op_that_borrows_from_the_groups_worker_earns_nothing(tmp_path, attack):
    # Every other op is right, so the group would pass whole if its worker held this op's
    # reference: only the withholding stands between the borrowed op and its points.
    method, code = METHODS[attack]
    attacker = harness.solution_submission(tmp_path / "attacker" / "student", definitions={ENGINE: {method: code}},
                                           preludes={ENGINE: PRELUDE.format(solutions_engine="", judge_sites=[],
                                                                            judge_python="")}).parent
    done, rows = batch(tmp_path, [attacker])
    row = rows[str(attacker)]
    assert row[f"{COMPONENT_OF[method]}:status"] != "passed", row
    assert {row[f"{c}:status"] for c in OPS if c != COMPONENT_OF[method]} == {"passed"}, row
