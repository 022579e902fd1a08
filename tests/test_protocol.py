"""The judge/worker wire format: JSON and .npy, never pickle."""
from __future__ import annotations

import io
import os

import numpy as np
import pytest

from grader.worker import protocol


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
    got = roundtrip({"x": [1, 2.5, None, "s", float("nan")], "a": arr, "nested": [{"b": arr.astype(np.int64)}]})
    assert got["x"][:4] == [1, 2.5, None, "s"] and np.isnan(got["x"][4])
    assert got["a"].dtype == np.float32 and np.array_equal(got["a"], arr)
    assert got["nested"][0]["b"].dtype == np.int64


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
