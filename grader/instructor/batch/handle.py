"""The parent's handle on one judge process: start it, ask it, and never wait on it for ever.

The parent trusts nothing that comes back by accident: a reply counts only if it echoes the
request's fresh nonce (a line forged into the channel by student code cannot know it), a reply
larger than MAX_REPLY ends the judge, and the parent's own wall clock bounds every submission.
While it waits it sends SIGCONT to the judge's process group every second, so a SIGSTOP from a
submission (its own or a sibling's) costs a second, not the deadline.
"""
from __future__ import annotations

import json
import os
import secrets
import select
import signal
import subprocess
import sys
import time

MAX_REPLY = 32_000_000  # bytes: a result is tens of kilobytes; more is not a judge talking


class GradingProcessFailure(Exception):
    """The judge did not answer properly: `status` is what the row says ("timeout", "crashed"),
    `internal` is True when the kit itself failed (the judge exited with an error of its own)."""

    def __init__(self, status: str, message: str, internal: bool = False):
        super().__init__(message)
        self.status, self.message, self.internal = status, message, internal


def grading_process_command(modules: list[str], seed: int, timeout: float, memory_mb: int) -> list[str]:
    # -I: neither the folder it starts in nor PYTHON* variables can put code before the kit's.
    cmd = [sys.executable, "-I", "-m", "grader.instructor.batch.grading_process", "--seed", str(seed),
           "--timeout", str(timeout), "--memory-mb", str(memory_mb)]
    for m in modules:
        cmd += ["--module", m]
    return cmd


class GradingProcess:
    def __init__(self, modules: list[str], seed: int, timeout: float, memory_mb: int, cwd: str):
        # One thread per judge: the references are tiny tensors, and idle OpenMP threads that
        # spin would take the core another job needs.
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            grading_process_command(modules, seed, timeout, memory_mb), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, cwd=cwd, env=env, start_new_session=True)
        self._buffer = b""
        self.ignored = 0  # lines that were not the answer to our request (forged, or stale)

    def ask(self, message: dict, deadline: float) -> dict:
        """Send one request; the reply that echoes its nonce, or GradingProcessFailure by `deadline`."""
        nonce = secrets.token_hex(16)
        self._send((json.dumps({**message, "nonce": nonce}) + "\n").encode(), deadline)
        return self._receive(nonce, deadline)

    def _send(self, data: bytes, deadline: float) -> None:
        # Never block on a judge that does not read (stopped, or stuck): the deadline holds here too.
        fd = self.process.stdin.fileno()
        os.set_blocking(fd, False)
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GradingProcessFailure("timeout", "the judge took no submission within the deadline")
            _, ready, _ = select.select([], [fd], [], min(remaining, 1.0))
            if not ready:
                self._wake()
                continue
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:
                continue
            except OSError as exc:
                raise self._ended(f"could not be sent the submission ({exc})") from None

    def _receive(self, nonce: str, deadline: float) -> dict:
        fd = self.process.stdout.fileno()
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                reply = _parse(line)
                if reply is not None and reply.get("nonce") == nonce:
                    return reply
                self.ignored += 1
            if len(self._buffer) > MAX_REPLY:
                raise GradingProcessFailure("crashed",
                                            f"the judge's channel carried more than {MAX_REPLY} bytes in one line")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GradingProcessFailure("timeout", "no result within the deadline for one submission")
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if not ready:
                self._wake()
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise self._ended("ended before it answered")
            self._buffer += chunk

    def _wake(self) -> None:
        # The judge's group, and every process below it (workers have sessions of their own).
        for pid in [-self.process.pid, *_descendants(self.process.pid)]:
            try:
                os.kill(pid, signal.SIGCONT)
            except OSError:
                pass

    def _ended(self, what: str) -> GradingProcessFailure:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and code < 0:
            return GradingProcessFailure("crashed", f"the judge {what}: killed by signal {_signal_name(-code)}")
        # A judge that exits on its own with an error is the kit failing, not the student.
        return GradingProcessFailure("crashed", f"the judge {what} (exit status {code})", internal=code not in (None, 0))

    def close(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=30)
                return
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:  # no /proc: the group signal above is all there is
        return []
    for name in entries:
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _parse(line: bytes):
    try:
        reply = json.loads(line)
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
