"""The peak-memory sampler the class report's memory figures come from."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.instructor.batch.peak_memory import PeakMemory, descendants

HOG = "import time; block = bytearray({mb} * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep({sleep})"


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads /proc (Linux)")
def test_it_sees_the_largest_child_and_skips_what_it_is_told():
    # Processes this test did not start (another test's warm fork servers, in the same pytest
    # process) are not its to measure: skipped from the start.
    others = set(descendants(os.getpid()))
    with PeakMemory(skip=others, interval=0.05) as peak:
        small = subprocess.Popen([sys.executable, "-c", HOG.format(mb=20, sleep=1.0)])
        big = subprocess.Popen([sys.executable, "-c", HOG.format(mb=200, sleep=1.0)])
        small.wait(), big.wait()
    assert peak.peak_mb is not None and 200 <= peak.peak_mb < 400
    with PeakMemory(skip=others, interval=0.05) as peak:
        big = subprocess.Popen([sys.executable, "-c", HOG.format(mb=200, sleep=1.0)])
        peak.skip.add(big.pid)
        small = subprocess.Popen([sys.executable, "-c", HOG.format(mb=20, sleep=1.0)])
        small.wait(), big.wait()
    assert peak.peak_mb is not None and 20 <= peak.peak_mb < 150
