"""Whatever a submission does, every component gets a result and the rest are still graded."""
from __future__ import annotations

import os
import time

import pytest

from conftest import by_id, grade_folder, not_passed
from grader.engine import manifest
from grader.engine.model import Status
from grader.engine.worker import sandbox

ENGINE = "micrograd/engine.py"
COMPONENTS = [c.id for c in manifest.load()["micrograd"].components]
ENGINE_COMPONENTS = {c for c in COMPONENTS if c.startswith("micrograd.") and c not in
                     ("micrograd.gradcheck", "micrograd.nn", "micrograd.train")}
TANH = "        t = math.tanh(self.data)\n"


def inject(method_line: str, code: str):
    """An edit that runs `code` first thing in the solution's block after `method_line`."""
    return (method_line, method_line + code)


def test_infinite_loop_at_import_times_out_only_what_needs_that_file(submission):
    sub = submission({ENGINE: [("import math\n", "import math\nwhile True:\n    pass\n")]})
    started = time.monotonic()
    result = grade_folder(sub, timeout=4)
    # One timeout for the import, shared by the module's workers, not one per component (9 x 4 s).
    assert time.monotonic() - started < 30
    assert not_passed(result) == {c: Status.TIMEOUT for c in ENGINE_COMPONENTS}
    message = by_id(result, "micrograd.add").message
    assert "importing micrograd.engine" in message
    assert "micrograd/engine.py line" in message and "while True" in message  # the learner's own line


def test_infinite_loop_in_one_method_fails_only_that_component(submission):
    sub = submission({ENGINE: [inject(TANH, "        while True:\n            pass\n")]})
    result = grade_folder(sub, timeout=3)
    assert not_passed(result) == {"micrograd.tanh": Status.TIMEOUT}
    assert "timed out after 3 s" in by_id(result, "micrograd.tanh").message
    message = by_id(result, "micrograd.tanh").message
    # Where it hung is named when the worker's stack dump arrived in time (not promised on a busy machine).
    assert "at your" not in message or "micrograd/engine.py line" in message and "in tanh" in message


@pytest.mark.parametrize("isolation", ["sandbox", "process"])
def test_a_hang_names_the_learners_line_even_when_the_workers_own_timer_is_off(submission, isolation):
    # The worker times a stack dump for each call; code that cancels it (or a machine too busy for
    # it) still leaves the line: the judge asks the worker for its stack before it kills it.
    if isolation == "sandbox" and not sandbox.probe()[0]:
        pytest.skip(f"no sandbox here: {sandbox.probe()[1]}")
    hang = "        import faulthandler; faulthandler.cancel_dump_traceback_later()\n        while True:\n            x = 1\n"
    result = grade_folder(submission({ENGINE: [inject(TANH, hang)]}), timeout=2, isolation=isolation,
                          only=frozenset({"micrograd.tanh"}))
    message = by_id(result, "micrograd.tanh").message
    assert by_id(result, "micrograd.tanh").status is Status.TIMEOUT
    assert "at your micrograd/engine.py line" in message and "in tanh" in message, message


def test_a_dying_worker_fails_one_component_and_is_replaced(submission):
    exit_in_exp = inject("        out = Value(math.exp(self.data), (self,), 'exp')\n", "        import os; os._exit(3)\n")
    result = grade_folder(submission({ENGINE: [exit_in_exp]}))
    assert not_passed(result) == {"micrograd.exp_log": Status.CRASHED}
    assert "exited with status 3" in by_id(result, "micrograd.exp_log").message


def test_a_segfault_is_reported_as_a_crash(submission):
    segv = "        import ctypes; ctypes.string_at(0)\n"
    result = grade_folder(submission({ENGINE: [inject(TANH, segv)]}))
    assert not_passed(result) == {"micrograd.tanh": Status.CRASHED}
    assert "SIGSEGV" in by_id(result, "micrograd.tanh").message


def test_sys_exit_at_import_is_an_error_of_that_file_only(submission):
    result = grade_folder(submission({"micrograd/nn.py": [("import random\n", "import random, sys\nsys.exit(0)\n")]}))
    assert not_passed(result) == {"micrograd.nn": Status.ERROR}
    assert "SystemExit" in by_id(result, "micrograd.nn").message


def test_ten_megabytes_of_output_are_capped(submission):
    loud = ("        other = other if isinstance(other, Value) else Value(other)\n        out = Value(self.data + other.data",
            "        print('x' * 10_000_000)\n        other = other if isinstance(other, Value) else Value(other)\n"
            "        out = Value(self.data + other.data")
    result = grade_folder(submission({ENGINE: [loud]}), only=frozenset({"micrograd.add"}))
    add = by_id(result, "micrograd.add")
    assert add.status is Status.PASSED
    assert result.to_json()["components"][0]["output"].startswith("xxxx")
    assert len(add.output) < 3000


def test_a_memory_bomb_hits_the_cap(submission):
    bomb = inject(TANH, "        hog = [0] * (10 ** 10)\n")
    result = grade_folder(submission({ENGINE: [bomb]}), memory_mb=1024)
    assert not_passed(result) == {"micrograd.tanh": Status.ERROR}
    assert "MemoryError" in by_id(result, "micrograd.tanh").message


def test_a_syntax_error_names_file_and_line_and_spares_the_rest(submission):
    result = grade_folder(submission({"micrograd/nn.py": [("    def parameters(self):\n", "    def parameters(self)\n")]}))
    assert not_passed(result) == {"micrograd.nn": Status.ERROR}
    message = by_id(result, "micrograd.nn").message
    assert "SyntaxError" in message and "micrograd/nn.py line" in message


def test_a_missing_function_is_named(submission):
    result = grade_folder(submission({"micrograd/gradcheck.py": [("def numerical_gradient(", "def numerical_gradient_(")]}))
    assert not_passed(result) == {"micrograd.gradcheck": Status.ERROR}
    assert "numerical_gradient" in by_id(result, "micrograd.gradcheck").message


def test_a_missing_file_is_named(submission, tmp_path):
    sub = submission()
    (sub / "micrograd" / "train.py").unlink()
    result = grade_folder(sub)
    assert not_passed(result) == {"micrograd.train": Status.ERROR}
    assert "micrograd/train.py" in by_id(result, "micrograd.train").message


@pytest.mark.parametrize("how", ["import numpy", "import importlib; importlib.import_module('torch')",
                                 "__import__('numpy')"])
def test_torch_or_numpy_in_micrograd_fails_with_the_reason(submission, how):
    result = grade_folder(submission({ENGINE: [("import math\n", f"import math\n{how}\n")]}))
    assert not_passed(result) == {c: Status.ERROR for c in ENGINE_COMPONENTS}
    message = by_id(result, "micrograd.mul").message
    assert "pure Python" in message and "micrograd/engine.py line" in message


def test_numpy_inside_one_method_fails_only_that_component(submission):
    result = grade_folder(submission({ENGINE: [inject(TANH, "        import numpy as np\n")]}))
    assert not_passed(result) == {"micrograd.tanh": Status.ERROR}


def test_no_student_process_outlives_the_grader(submission):
    marker = f"{time.time_ns() % 10**9}.5"  # a sleep no one else runs: found by its command line
    spawn = inject(TANH, f"        import subprocess; subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
                         f"        import os; os.fork() or os.execvp('sleep', ['sleep', '{marker}'])\n")
    grade_folder(submission({ENGINE: [spawn]}), only=frozenset({"micrograd.tanh"}))
    time.sleep(0.2)
    assert _running(marker) == []


def _running(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    if marker.encode() in cmdline.read() and _alive(int(entry)):
                        found.append(int(entry))
            except OSError:
                pass
    return found


def _alive(pid: int) -> bool:
    try:  # a killed child whose parent is gone may linger as a zombie until init reaps it
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# -- torch modules: workers are forks of a pre-imported fork server -------------------------

BIGRAM = "makemore/bigram.py"


def test_forked_torch_workers_crash_hang_and_are_replaced(submission):
    counts = "    V = len(stoi)\n    xs, ys = bigram_pairs(words, stoi)\n"
    probs = "    P = N.float() + smoothing\n"
    sub = submission({BIGRAM: [(counts, "    import os; os._exit(4)\n" + counts),
                               (probs, "    while True:\n        pass\n" + probs)]})
    result = grade_folder(sub, "bigram", timeout=3)
    assert not_passed(result) == {"bigram.counts": Status.CRASHED, "bigram.probs": Status.TIMEOUT}
    assert "exited with status 4" in by_id(result, "bigram.counts").message


def test_a_segfault_in_a_forked_worker_is_a_crash(submission):
    nll = "    xs, ys = bigram_pairs(words, stoi)\n    logprobs"
    result = grade_folder(submission({BIGRAM: [(nll, "    import ctypes; ctypes.string_at(0)\n" + nll)]}), "bigram")
    assert not_passed(result) == {"bigram.nll": Status.CRASHED}
    assert "SIGSEGV" in by_id(result, "bigram.nll").message
