"""Judge side of the worker: start it, call probes with a timeout, replace it when it dies.

Every way a call can go wrong becomes a `StudentFailure` with a status from SPEC §5, so the
judge's checks only ever see either data or one exception type.
"""
from __future__ import annotations

import itertools
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine.model import Status
from grader.engine.worker import protocol
from grader.engine.worker.copying import copy_submission
from grader.engine.worker.failures import (  # noqa: F401  (StudentFailure: part of this module's face)
    STACK_MARK, OutputTail, StudentFailure, crashed, format_error, hang_site,
)

STDERR_TAIL = 3000  # characters of the worker's raw stderr kept to explain a crash
BOOT_TIMEOUT = 60.0  # seconds a worker may take to start and set up (the kit's time, not the student's)


@dataclass
class WorkerConfig:
    exercises: Path  # the judge's copy of the submission (grader.engine.worker.copying)
    forbid: tuple[str, ...] = ()
    timeout: float = 10.0  # seconds per call
    memory_mb: int = 4096
    deadline: float | None = None  # time.monotonic() after which every call is refused
    forkserver: object | None = None  # a launch.ForkServer: fork from it instead of spawning
    isolation: str = "process"  # "sandbox" or "process" (grader.engine.worker.sandbox)
    torch: bool = False  # a spawned worker that can import torch (forked ones always can)
    # The first request a worker gets: its component, the stand-ins it may hold, the probes to
    # import, what the component grades (see grader.engine.worker.server.Setup).
    setup: dict = field(default_factory=dict)


def probe_setup(module: str, components=()) -> dict:
    """The setup request of a worker that runs `module`'s probes for `components` (manifest
    Components: one, or a group that shares the worker; none: a tool of the kit's that grades
    nothing, such as the challenge or the pictures, with nothing withheld)."""
    from grader.engine.worker import standins

    components = tuple(components or ())
    ids = tuple(c.id for c in components)
    graded: dict[str, list[str]] = {}
    for c in components:
        graded.setdefault(c.file, []).extend(c.owns)
    return {"components": list(ids), "graded": [[f, owns] for f, owns in graded.items()],
            "standins": standins.for_component(module, ids),
            "preload": [f"grader.probes.{module}"]}


def load_key(name: str, reference: dict[str, str] | None = None) -> tuple:
    """What a load is known by: the same import with the same stand-ins ends the same way."""
    return name, tuple(sorted((reference or {}).items()))


@dataclass
class Worker:
    config: WorkerConfig
    process: object | None = None
    _loaded: set = field(default_factory=set)
    _sticky: dict = field(default_factory=dict)  # load key -> StudentFailure that must not be retried
    _stderr_tail: OutputTail = field(default_factory=OutputTail)
    _workdir: tempfile.TemporaryDirectory | None = None
    _limit_group: object | None = None
    # load key -> StudentFailure, shared by the workers of one module: an import that hung or
    # crashed in one component's worker is not paid for again by the next (imports are deterministic).
    shared_sticky: dict | None = None
    tampered: bool = False  # this worker broke the protocol (a reply to no request, a malformed one)
    # start() has a process but has not yet sent its setup (a background thread may be in there):
    # a reply then is the setup's, not a forged one (see sent_more).
    _starting: bool = False

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self.process is not None:
            return
        self._starting = True
        try:
            self._start()
        finally:
            self._starting = False

    def _start(self) -> None:
        from grader.engine.worker import launch, sandbox

        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        self._ids = itertools.count(secrets.randbits(48))
        self._pending: dict[int, str] = {}  # request id -> what it was, for replies still to come
        exercises = Path(self.config.exercises)
        if self.config.isolation != sandbox.SANDBOX or self.config.forkserver is None:
            self._workdir = tempfile.TemporaryDirectory(prefix="grade-worker-")
        if self.config.isolation != sandbox.SANDBOX:
            # No sandbox: a private copy, which student code may change without touching the next.
            exercises = Path(self._workdir.name) / "exercises"
            copy_submission(Path(self.config.exercises), exercises, launch.student_uid())
            if launch.student_uid() is not None:
                os.chmod(self._workdir.name, 0o711)  # `nobody` may pass through to its copy, not list
        if self.config.forkserver is not None:
            inside = None if self.config.isolation == sandbox.SANDBOX else str(exercises)
            self.process = self._fork(req_r, resp_w, inside)
            self._exercises_inside = inside or self.config.forkserver.worker_exercises
        else:
            self._limit_group = sandbox.PidLimit() if self.config.isolation == sandbox.SANDBOX else None
            self.process = launch.spawn(self.config.isolation, Path(self._workdir.name), exercises,
                                        self.config.forbid, self.config.memory_mb, req_r, resp_w,
                                        self._limit_group, torch=self.config.torch)
            self._exercises_inside = sandbox.SUBMISSION if self.config.isolation == sandbox.SANDBOX else str(exercises)
            os.close(req_r)
            os.close(resp_w)
        self._loaded = set()
        self._stderr_tail.clear()
        threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True).start()
        self._setup_id = None
        if self.config.setup:
            try:
                self._setup_id = self._send({"op": "setup", **self.config.setup, "timeout": self.config.timeout},
                                            "setting up")
            except BaseException:
                self.stop()  # never a worker without its setup: the next call starts a whole one
                raise

    def _await_setup(self) -> None:
        """Wait (on the kit's time, not the student's) until the worker has started and set up:
        a slow start on a busy machine must not count against a call's time limit."""
        if self._setup_id is not None and self._setup_id in self._pending:
            self._receive(self._setup_id, time.monotonic() + BOOT_TIMEOUT, "setting up")

    def _fork(self, req_r: int, resp_w: int, exercises: str | None):
        from grader.engine.worker.launch import ForkedProcess, student_uid

        out_r, out_w = os.pipe()
        server = self.config.forkserver
        uid = None if self.config.isolation == "sandbox" else student_uid()
        try:
            pid = server.spawn(self.config.forbid, self.config.memory_mb, [req_r, resp_w, out_w], uid, exercises)
        finally:
            for fd in (req_r, resp_w, out_w):
                os.close(fd)
        return ForkedProcess(server, pid, os.fdopen(out_r, "rb"))

    def _drain(self, stream) -> None:
        # Anything written straight to fd 1 or 2 (C code, os.write, faulthandler) lands here.
        # Reading it all keeps the student from blocking on a full pipe; we keep only a tail.
        for chunk in iter(lambda: stream.read1(65536), b""):
            self._stderr_tail.append(chunk.decode("utf-8", "replace"))

    def stop(self) -> None:
        if self.process is None:
            return
        from grader.engine.worker import launch

        try:
            if hasattr(self.process, "kill") and not isinstance(self.process, subprocess.Popen):
                self.process.kill()
            else:
                os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        self.process.wait()
        if isinstance(self.process, subprocess.Popen):
            launch.forget(self.process.pid)
        for fd in (self._req_w, self._resp_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process = None
        if self._limit_group is not None:
            self._limit_group.close()
            self._limit_group = None
        if self._workdir is not None:
            try:  # the judge owns the folder: student files in it cannot stop grading
                self._workdir.cleanup()
            except OSError:
                shutil.rmtree(self._workdir.name, ignore_errors=True)
            self._workdir = None
        if self.config.isolation != "sandbox":
            launch.reap_orphans()

    def __enter__(self):
        # A spawned worker starts now, importing while the judge does; a forked one starts at its
        # first call, since asking the fork server waits until *it* has finished importing torch.
        if self.config.forkserver is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- calls -----------------------------------------------------------------------------
    def load(self, name: str, reference: dict[str, str] | None = None) -> None:
        key = load_key(name, reference)
        sticky = self.shared_sticky if self.shared_sticky is not None else self._sticky
        if key in sticky:
            raise sticky[key]
        if key in self._loaded and self.process is not None:
            return
        try:
            self._request({"op": "load", "name": name, "reference": reference or {}}, what=f"importing {name}")
        except StudentFailure as failure:
            # Import is deterministic: do not pay a timeout (or a crash) twice for it.
            sticky[key] = failure
            raise
        self._loaded.add(key)

    def call(self, module: str, probe: str, *, load=(), **args):
        """Run `grader.probes.<module>.<probe>(student, **args)` after loading `load`.

        `load` is a list of (module name, reference dict) pairs; returns (value, output)."""
        for name, reference in load:
            self.load(name, reference)
        return self._request({"op": "call", "module": module, "probe": probe, "args": args}, what=probe)

    def submit(self, module: str, probe: str, *, load=(), **args) -> "Pending":
        """Send the loads and the call now and collect the answer later (`Pending.result`).

        Used to start slow checks in a worker of their own while the judge is still importing
        torch. Each request keeps its own time limit, counted from now."""
        self.start()
        requests = [{"op": "load", "name": n, "reference": r or {}} for n, r in load]
        requests.append({"op": "call", "module": module, "probe": probe, "args": args})
        try:
            ids = [self._send(request, probe) for request in requests]
        except StudentFailure as failure:
            return Pending(self, [], 0.0, probe, failure=failure)
        return Pending(self, ids, time.monotonic() + self.config.timeout * len(requests), probe)

    def _limit(self) -> float:
        timeout = self.config.timeout
        if self.config.deadline is not None:
            timeout = min(timeout, self.config.deadline - time.monotonic())
            if timeout <= 0:
                raise StudentFailure(Status.TIMEOUT, "not run: the time budget for this module ran out")
        return timeout

    def _send(self, request: dict, what: str) -> int:
        """Write one request, with an id of its own that the reply must carry."""
        request_id = next(self._ids)
        try:
            protocol.write_frame(self._req_w, {**request, "id": request_id})
        except OSError as exc:
            raise self._crashed(what, exc) from None
        self._pending[request_id] = what
        return request_id

    def _request(self, request: dict, what: str):
        self.start()
        self._await_setup()
        timeout = self._limit()
        request_id = self._send(request, what)
        return self._receive(request_id, time.monotonic() + timeout, what)

    def _receive(self, request_id: int, deadline: float, what: str):
        """The reply to `request_id`, as (value, output), or the StudentFailure it amounts to.

        Replies come in the order of the requests; one that is malformed, too large, or carries
        another id than the oldest request still waiting ends the worker: nothing it says after
        that can be trusted."""
        while True:
            try:
                reply = protocol.read_frame(self._resp_r, deadline=deadline, limits=protocol.REPLY_LIMITS)
                if not isinstance(reply, dict):
                    raise protocol.ProtocolError("a reply that is not an object")
                oldest = min(self._pending) if self._pending else None
                if reply.get("id") != oldest:
                    raise protocol.ProtocolError("a reply to no request (something wrote to the grader's channel)")
            except TimeoutError:
                where = self._hang_site()
                self.stop()
                limit = self.config.timeout
                raise StudentFailure(
                    Status.TIMEOUT, f"timed out after {limit:g} s while {what}{where} (an infinite loop, or far too slow)"
                ) from None
            except (EOFError, OSError, protocol.ProtocolError) as exc:
                raise self._crashed(what, exc) from None
            answered = self._pending.pop(oldest)
            if reply.get("ok"):
                if oldest == request_id:
                    return reply.get("value"), reply.get("output", "")
                continue  # an earlier request's (setup, a load sent by submit) that went well
            status, message, details = format_error(reply["error"])
            if answered == "setting up":
                status, message = Status.ERROR, f"internal error in the grader (worker setup: {message}); please report it"
            raise StudentFailure(status, message, reply.get("output", ""), details)

    def sent_more(self, wait: float = 0.5) -> bool:
        """Did the worker send a reply no request is waiting for (so an earlier one was forged)?"""
        if self.tampered:
            return True
        # In this order: `_starting` is set before `process` and cleared after the setup is sent.
        if self.process is None or self._starting or self._pending:
            return False
        import select

        try:
            ready, _, _ = select.select([self._resp_r], [], [], wait)
        except (OSError, ValueError):
            return False
        self.tampered = bool(ready)
        return self.tampered

    def _hang_site(self) -> str:
        """Where the learner's code was when time ran out, from the stack the worker dumped: on
        its own timer if that came in time, else when asked now."""
        if STACK_MARK not in self._stderr_tail.text():
            self._ask_for_stack()
        waited = time.monotonic() + 3.0
        while STACK_MARK not in self._stderr_tail.text() and time.monotonic() < waited:
            time.sleep(0.02)
        time.sleep(0.05)  # the rest of the dump
        return hang_site(self._stderr_tail.text(), self._exercises_inside, Path(self.config.exercises))

    def _ask_for_stack(self) -> None:
        from grader.engine.worker import sandbox

        try:
            if hasattr(self.process, "ask_for_stack"):  # a fork: through its server
                self.process.ask_for_stack()
            elif self.config.isolation != sandbox.SANDBOX:  # spawned, its own group (not bwrap's)
                os.killpg(self.process.pid, protocol.STACK_SIGNAL)
        except OSError:
            pass

    def _crashed(self, what: str, exc: BaseException) -> StudentFailure:
        process = self.process
        protocol_broken = isinstance(exc, protocol.ProtocolError)
        if protocol_broken:
            self.tampered = True  # an earlier reply, already read, may have been forged too
            self.stop()
            return StudentFailure(Status.CRASHED, f"the process running your code broke the grader's protocol "
                                                  f"({exc}) while {what}")
        code = process.wait(timeout=5) if process is not None else None
        if code is not None and code > 128 and self.config.isolation == "sandbox" and self.config.forkserver is None:
            code = 128 - code  # bwrap passes on a worker killed by signal N as status 128 + N
        time.sleep(0.05)  # let the drain thread collect the last words
        tail = self._stderr_tail.text()[-STDERR_TAIL:]
        self.stop()
        return crashed(code, tail, what, self.config.memory_mb)


class Pending:
    """The answer to `Worker.submit`, read when a check asks for it."""

    def __init__(self, worker: Worker, ids: list[int], deadline: float, what: str, failure=None):
        self.worker, self.ids, self.deadline, self.what = worker, ids, deadline, what
        self._outcome = failure

    def result(self):
        if self._outcome is None:
            try:
                self.worker._await_setup()
                deadline = max(self.deadline, time.monotonic() + self.worker.config.timeout * len(self.ids))
                self._outcome = self.worker._receive(self.ids[-1], deadline, self.what)
            except StudentFailure as failure:
                self._outcome = failure
        if isinstance(self._outcome, StudentFailure):
            raise self._outcome
        return self._outcome
