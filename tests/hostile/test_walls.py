"""Issue 12: the walls between student code and the judge, run through a real `grade` process.

One submission carries every attack on the judge (tests/hostile/judge_attacks.py), each in a
method of its own, each followed by the solution's code: the walls must hold, and every
component must still pass, but the three whose workers the protocol attacks break. Run with the
sandbox and with the process fallback; what still works without the sandbox (the worker is root
there, on this machine) is xfail(strict) with the reason, and listed in SECURITY.md.
"""
from __future__ import annotations

import ast
import os
import shutil
import time
import uuid

import pytest

from hostile import harness
from hostile.judge_attacks import ATTACKS, PRELUDE, PROTOCOL_ATTACKS, PROTOCOL_PRELUDE

ENGINE, GRADCHECK, NN = "micrograd/engine.py", "micrograd/gradcheck.py", "micrograd/nn.py"
# What the protocol attacks break: the worker serving these, and nothing else.
BROKEN = {"micrograd.tanh": "extra-frame", "micrograd.relu": "huge-reply", "micrograd.nn": "huge-arrays"}
PEAK_MB = 1024  # the judge's own peak is about 260 MB here; a 60 MB reply once took it to 3 GB
AS_ROOT = "without a sandbox the worker runs as the judge's user (root here: nobody cannot read this Python)"
SOLUTION_TEXT = "A scalar-valued autograd engine"  # the first line of the kit's solutions/micrograd/engine.py


def _walls(isolation: str, folder) -> dict:
    mark, daemon = harness.marker(), harness.marker()
    repo = folder / mark
    secret = f"s3cret-{uuid.uuid4().hex}"
    canary = folder / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_text("the victim's file\n")
    notes = repo / "notes.txt"
    output, drop, github_output = folder / "result.json", folder / "drop.txt", folder / "github_output.txt"
    github_output.write_text("")
    prelude = PRELUDE.format(mark=mark, daemon=daemon, drop=str(drop), output=str(output), canary=str(canary),
                             read=[str(harness.SOLUTIONS / ENGINE), str(notes)])
    first = {ENGINE: {}, GRADCHECK: {}, NN: {}}
    for method, code in [*ATTACKS.values(), *PROTOCOL_ATTACKS.values()]:
        rel = GRADCHECK if method == "numerical_gradient" else NN if method.startswith("Neuron.") else ENGINE
        first[rel][method] = code
    harness.solution_submission(repo, first=first, preludes={ENGINE: prelude + PROTOCOL_PRELUDE, GRADCHECK: prelude,
                                                             NN: PROTOCOL_PRELUDE})
    notes.write_text(f"left outside exercises/: {secret}-notes\n")
    run = harness.run_judge(["micrograd", "--submission", str(repo), "--format", "json", "--seed", "1",
                             "--isolation", isolation], output,
                            env={"HOSTILE_SECRET": secret, "GITHUB_OUTPUT": str(github_output)})
    time.sleep(1.5)  # a daemon that survived rewrites the output every 0.25 s
    run.extra = {
        "isolation": isolation, "secret": secret, "daemon_left": harness.survivors(daemon),
        "output_later": output.read_text(errors="replace") if output.exists() else "",
        "drop": drop.read_text(errors="replace") if drop.exists() else "",
        "github_output": github_output.read_text(errors="replace"),
        "canary": (canary / "keep.txt").read_text() if (canary / "keep.txt").exists() else None,
    }
    harness.kill_survivors(daemon)
    for line in run.extra["drop"].splitlines():  # without a sandbox the swapped folders are the machine's
        if line.startswith("symlink-folder: ["):
            for here in ast.literal_eval(line.split(": ", 1)[1]):
                if here.startswith("/tmp/grade-") and os.path.islink(here):
                    os.unlink(here)
                    shutil.rmtree(here + "-moved", ignore_errors=True)
    return run


@pytest.fixture
def walls(request, tmp_path_factory) -> harness.JudgeRun:
    isolation = request.param
    return harness.judge_run(harness.shared(tmp_path_factory, f"walls-{isolation}",
                                            lambda folder: _walls(isolation, folder)))


def _seen_by_attacker(run: harness.JudgeRun, component: str) -> str:
    """Everything an attack in `component` could read back: its output in the result, the
    judge's own streams, its drop box."""
    comp = run.component(component)
    return "\n".join([comp.get("output", ""), comp["message"], run.stdout, run.stderr, run.extra["drop"]])


ALL_ISOLATIONS = harness.isolations()


@pytest.mark.parametrize("walls", ALL_ISOLATIONS, indirect=True)
def test_every_other_component_still_passes_and_the_result_is_well_formed(walls):
    assert walls.code == 1, walls.stderr[-2000:]
    harness.assert_well_formed(walls.result, "micrograd")
    assert walls.result["isolation"] == walls.extra["isolation"]
    assert {c: s for c, s in walls.statuses().items() if c not in BROKEN} == {
        c: "passed" for c in walls.statuses() if c not in BROKEN}


@pytest.mark.parametrize("walls", ALL_ISOLATIONS, indirect=True)
def test_forged_extra_and_huge_replies_fail_only_their_component(walls):
    """A reply over the cap ends the worker unread. A forged reply carrying the awaited id is
    taken for the real one (the id is readable from inside the worker: ids catch a desynchronised
    channel, they do not authenticate), so it is graded, and fails: it can only claim values
    that the judge then recomputes."""
    relu = walls.component("micrograd.relu")
    assert relu["status"] == "crashed" and "over the limit" in relu["message"], relu
    for component in BROKEN:
        assert walls.component(component)["status"] in ("failed", "error", "crashed"), component
    assert walls.peak_kb < PEAK_MB * 1024, walls.peak_kb


@pytest.mark.parametrize("walls", harness.isolations(process_xfail=AS_ROOT), indirect=True)
def test_the_judges_environment_cannot_be_read(walls):
    secret = walls.extra["secret"]
    assert "stolen environ:" in walls.component("micrograd.add").get("output", "")  # it ran
    assert secret not in _seen_by_attacker(walls, "micrograd.add")
    assert walls.extra["github_output"] == ""  # no forged step output through GITHUB_OUTPUT


@pytest.mark.parametrize("walls", harness.isolations(process_xfail=AS_ROOT), indirect=True)
def test_the_judges_memory_cannot_be_read(walls):
    assert "stolen mem:" in walls.component("micrograd.mul").get("output", "")
    assert walls.extra["secret"] not in _seen_by_attacker(walls, "micrograd.mul")


@pytest.mark.parametrize("walls", harness.isolations(process_xfail=AS_ROOT), indirect=True)
def test_the_judges_stdout_cannot_be_written(walls):
    assert "stolen stdout: []" in walls.component("micrograd.pow").get("output", "")
    for stream in (walls.stdout, walls.stderr):
        assert "::notice" not in stream and "::set-output" not in stream


@pytest.mark.parametrize("walls", harness.isolations(process_xfail=AS_ROOT), indirect=True)
def test_the_judge_cannot_be_stopped(walls):
    assert not walls.stopped
    assert "stolen sigstop: []" in walls.component("micrograd.neg_sub_div").get("output", "")


@pytest.mark.parametrize("walls", ALL_ISOLATIONS, indirect=True)
def test_nothing_outlives_grading_to_rewrite_the_result(walls):
    assert "stolen daemon: [" in walls.component("micrograd.exp_log").get("output", "")  # it was started
    assert walls.extra["daemon_left"] == []
    assert walls.extra["output_later"] == walls.output_text
    assert "forged-by-a-daemon" not in walls.output_text


@pytest.mark.parametrize("walls", ALL_ISOLATIONS, indirect=True)
def test_a_worker_folder_swapped_for_a_link_harms_nothing(walls):
    assert "stolen symlink-folder: [" in walls.component("micrograd.backward").get("output", "")
    assert walls.extra["canary"] == "the victim's file\n"
    assert walls.component("micrograd.backward")["status"] == "passed"


@pytest.mark.parametrize("walls", harness.isolations(process_xfail=AS_ROOT + ": it reads what root reads"),
                         indirect=True)
def test_files_outside_the_submission_cannot_be_read(walls):
    seen = _seen_by_attacker(walls, "micrograd.gradcheck")
    assert "stolen read-files:" in seen
    assert f"{walls.extra['secret']}-notes" not in seen
    assert SOLUTION_TEXT not in seen
