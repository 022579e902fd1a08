"""Keeping the batch's own processes out of student code's reach, where the system allows it.

Without a sandbox, student code can look at every process on the machine. Two cheap walls:
- the parent's command line (`grade batch submissions/*`, every classmate's path) is replaced
  by a bare title (`/proc/<pid>/cmdline` is readable by every user), with `setproctitle`;
- the parent and the judges are made non-dumpable, so a process of the same user (not root)
  can neither open their `/proc/<pid>/fd/*` (the judges' channels: no forged line, no stolen
  request) nor read their memory or environment.
"""
from __future__ import annotations


def die_with_parent() -> None:
    """A judge must not outlive the batch that started it (a killed parent takes its judges)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def hide_from_students(title: str) -> None:
    try:
        import setproctitle

        setproctitle.setproctitle(title)
    except ImportError:  # pragma: no cover - a dependency of the kit; still grade without it
        pass
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):  # not Linux
        pass
