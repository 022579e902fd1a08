"""The judge/worker wire format: JSON and .npy, never pickle."""
from __future__ import annotations

import io
import os

import numpy as np
import pytest

from grader.engine.worker import protocol


def roundtrip(obj):
    r, w = os.pipe()
    try:
        protocol.write_frame(w, obj)
        return protocol.read_frame(r)
    finally:
        os.close(r)
        os.close(w)


def test_plain_data_and_arrays_roundtrip():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    got = roundtrip({"x": [1, 2.5, None, "s", float("nan")], "a": arr, "nested": [{"b": arr.astype(np.int64)}],
                     "mixed": [1.5, arr, "s"]})  # a list of plain values crosses whole; one holding an array not
    assert got["x"][:4] == [1, 2.5, None, "s"] and np.isnan(got["x"][4])
    assert got["a"].dtype == np.float32 and np.array_equal(got["a"], arr)
    assert got["nested"][0]["b"].dtype == np.int64
    assert got["mixed"][0] == 1.5 and np.array_equal(got["mixed"][1], arr) and got["mixed"][2] == "s"


def test_object_arrays_are_refused_by_the_reader():
    # A worker that smuggles a pickled object array gets an error, not code execution.
    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    header = b'{"body": {"__ndarray__": 0}, "arrays": [%d]}' % len(buf.getvalue())
    with pytest.raises(ValueError):
        protocol.decode(header, [buf.getvalue()])


def test_a_stalled_peer_times_out():
    r, w = os.pipe()
    try:
        os.write(w, protocol.HEADER.pack(100) + b"{")
        with pytest.raises(TimeoutError):
            protocol.read_frame(r, deadline=__import__("time").monotonic() + 0.2)
    finally:
        os.close(r)
        os.close(w)


def test_oversized_frames_are_refused():
    r, w = os.pipe()
    try:
        os.write(w, protocol.HEADER.pack(protocol.MAX_FRAME + 1))
        with pytest.raises(protocol.ProtocolError):
            protocol.read_frame(r)
    finally:
        os.close(r)
        os.close(w)


@pytest.mark.parametrize("sampled_line", [2, 3])
def test_a_hang_is_shown_at_its_loop_wherever_the_dump_caught_it(tmp_path, sampled_line):
    from grader.engine.worker.failures import hang_site

    (tmp_path / "micrograd").mkdir()
    (tmp_path / "micrograd" / "engine.py").write_text("import math\nwhile True:\n    pass\n")
    dump = f'Thread 0x1 (most recent call first):\n  File "/sub/exercises/micrograd/engine.py", line {sampled_line} in <module>\n'
    site = hang_site(dump, "/sub/exercises", tmp_path)
    assert f"micrograd/engine.py line {sampled_line}" in site
    assert "`while True:`" in site  # the loop's head, whether the sample landed on it or its body


def test_a_forged_frame_outside_the_submission_is_not_quoted(tmp_path):
    from grader.engine.worker.failures import hang_site

    dump = 'File "/sub/exercises/../../etc/passwd.py", line 1 in <module>\n'
    assert hang_site(dump, "/sub/exercises", tmp_path) == ""


def test_a_request_is_sent_while_another_thread_is_still_importing_numpy(monkeypatch):
    # The judge starts workers from a thread while its suite imports torch (and numpy): a
    # half-imported numpy, with no `ndarray` yet, once failed a worker's set-up.
    import types

    monkeypatch.setitem(__import__("sys").modules, "numpy", types.ModuleType("numpy"))
    assert roundtrip({"op": "setup", "standins": {"a": "x = 1"}, "owns": ["f"]}) == \
        {"op": "setup", "standins": {"a": "x = 1"}, "owns": ["f"]}


def test_a_stack_dump_written_in_tiny_pieces_keeps_its_first_frame():
    # faulthandler writes a dump in dozens of small writes; the learner's frame comes first.
    from grader.engine.worker.failures import STACK_MARK, OutputTail

    tail = OutputTail()
    dump = f'Current thread 0x1 {STACK_MARK}:\n  File "/sub/exercises/micrograd/engine.py", line 9 in tanh\n' + \
        '  File "/kit/grader/probes/micrograd.py", line 1 in probe\n' * 200
    for char in dump:
        tail.append(char)
    assert tail.text() == dump
    tail.append("x" * (2 * OutputTail.LIMIT))  # and what is kept stays bounded, by characters
    assert len(tail.text()) == OutputTail.LIMIT
