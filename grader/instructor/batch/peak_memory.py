"""The peak memory of the processes that ran a submission's code, for the class report.

`PeakMemory` samples, a few times a second while it is open, the high-water mark of resident
memory (`VmHWM` in /proc/PID/status) of every descendant of this process except the ones it is
told to skip (the fork server, whose memory is torch's and no submission's). A high-water mark
is kept by the kernel, so a spike between two samples still counts as long as its process is
alive at the next one. Linux only: elsewhere `peak_mb` stays None (the report then says it was
not recorded). Meant for `grade batch`'s judge, which writes it as the optional top-level
`peak_memory_mb` of each result it keeps (see grader/instructor/report/load.py).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")


def _children(pid: int) -> list[int]:
    out = []
    for task in (PROC / str(pid) / "task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            pass
    return out


def descendants(pid: int) -> list[int]:
    found, todo = [], _children(pid)
    while todo:
        child = todo.pop()
        found.append(child)
        todo += _children(child)
    return found


def high_water_mb(pid: int) -> float | None:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return None


class PeakMemory:
    def __init__(self, skip: set[int] = frozenset(), interval: float = 0.1):
        self.skip, self.interval = set(skip), interval
        self.peak_mb: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        for pid in descendants(os.getpid()):
            if pid in self.skip:
                continue
            mb = high_water_mb(pid)
            if mb is not None and (self.peak_mb is None or mb > self.peak_mb):
                self.peak_mb = mb

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> "PeakMemory":
        if (PROC / "self" / "status").is_file():
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
            self.sample()
