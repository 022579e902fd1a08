"""Issue 12: the channel between worker and judge. Patching what the worker talks with, and
making the judge quote a file of its own through the timeout report (where the learner's code
was when time ran out is read from the stack dump the worker writes: a forged dump must not
name a file outside the submission).

Run in-process through the real `grade` (CliRunner), with the sandbox and with the fallback.
"""
from __future__ import annotations

import uuid

import pytest

from grader.engine import manifest
from hostile import harness
from hostile.judge_attacks import PATCH_JSON, PATCH_PROTOCOL
from hostile.harness import grade_json, messages, statuses

ENGINE, GRADCHECK = "micrograd/engine.py", "micrograd/gradcheck.py"
GRADED = ["micrograd.gradcheck"] + [c.id for c in manifest.load()["micrograd"].components
                                    if c.file == ENGINE and not c.bonus]
TIMEOUT = 2.0
FORGED_DUMP = '''
import os
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the exercises folder, as this worker sees it
os.write(2, f'Current thread (most recent call first):\\n  File "{{here}}/{up}{target}", line 1 in numerical_gradient\\n'.encode())
import time
time.sleep(60)  # hangs without burning a core the other tests need
'''


def _channel(isolation: str, folder) -> dict:
    secret = folder / "judge-only.txt"
    token = f"judge-only-{uuid.uuid4().hex}"
    secret.write_text(token + "\n")
    forged = FORGED_DUMP.format(up="../" * 24, target=str(secret).lstrip("/"))
    exercises = harness.solution_submission(
        folder / "student", preludes={ENGINE: PATCH_JSON},
        first={ENGINE: {PATCH_PROTOCOL[0]: PATCH_PROTOCOL[1]}, GRADCHECK: {"numerical_gradient": forged}})
    run = grade_json(exercises.parent, "micrograd", isolation, GRADED, timeout=TIMEOUT)
    run["token"] = token
    return run


@pytest.fixture
def channel(request, tmp_path_factory):
    isolation = request.param
    return harness.shared(tmp_path_factory, f"channel-{isolation}", lambda folder: _channel(isolation, folder))


@pytest.mark.parametrize("channel", harness.isolations(), indirect=True)
def test_json_patched_at_import_changes_nothing_and_a_patched_protocol_earns_nothing(channel):
    harness.assert_well_formed(channel["result"], "micrograd", set(GRADED))
    got = statuses(channel)
    assert got["micrograd.add"] != "passed"
    assert {c: got[c] for c in GRADED[2:]} == {c: "passed" for c in GRADED[2:]}, messages(channel)


@pytest.mark.parametrize("channel", harness.isolations(), indirect=True)
def test_a_forged_stack_dump_cannot_make_the_judge_quote_its_own_files(channel):
    said = messages(channel)["micrograd.gradcheck"]
    assert statuses(channel)["micrograd.gradcheck"] == "timeout", said
    assert channel["token"] not in channel["output"] and channel["token"] not in said, said
