"""Judge side of the worker: start it, call probes with a timeout, replace it when it dies.

Every way a call can go wrong becomes a `StudentFailure` with a status from SPEC §5, so the
judge's checks only ever see either data or one exception type.
"""
from __future__ import annotations

import collections
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.model import Status
from grader.worker import protocol

STDERR_TAIL = 3000  # characters of the worker's raw stderr kept to explain a crash


class StudentFailure(Exception):
    """The student's code did not produce data: it raised, hung, or killed its process."""

    def __init__(self, status: Status, message: str, output: str = "", details: list[str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.output = output
        self.details = details or []


@dataclass
class WorkerConfig:
    exercises: Path
    forbid: tuple[str, ...] = ()
    preload: tuple[str, ...] = ()
    timeout: float = 10.0  # seconds per call
    memory_mb: int = 4096
    deadline: float | None = None  # time.monotonic() after which every call is refused
    forkserver: object | None = None  # a ForkServer with `preload` imported: fork instead of spawn


def _format_error(err: dict) -> tuple[Status, str, list[str]]:
    where = ""
    if err["frames"]:
        last = err["frames"][-1]
        where = f" ({last['file']} line {last['line']}, in {last['function']}: {last['code'].strip()})"
    if err["type"] == "BadResult":
        return Status.FAILED, err["message"], []
    if err["type"] == "NotImplementedError":
        text = err["message"] or "NotImplementedError"
        return Status.TODO, f"not implemented yet: {text}{where}", []
    message = f"{err['type']}: {err['message']}{where}" if err["message"] else f"{err['type']}{where}"
    details = [f"  {f['file']} line {f['line']}, in {f['function']}: {f['code'].strip()}" for f in err["frames"]]
    return Status.ERROR, message, details


NOBODY = 65534  # the uid and gid student code runs as when the judge runs as root


@functools.lru_cache(maxsize=None)
def student_uid() -> int | None:
    """Who the worker becomes: `nobody` when we are root (so student code cannot touch the kit,
    the results or anything else of root's), else None (a learner grading their own code).

    Only when `nobody` can read this Python and the kit (checked once, as nobody); set
    ZERO_TO_HERO_SAME_USER=1 to keep workers as the judge's user."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or os.environ.get("ZERO_TO_HERO_SAME_USER"):
        return None
    import importlib.util

    places = [str(Path(__file__).resolve().parent.parent), os.path.dirname(os.__file__), sys.executable]
    for name in ("numpy", "torch"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            places.append(list(spec.submodule_search_locations)[0])
    probe = "import os, sys; sys.exit(0 if all(os.access(p, os.R_OK | os.X_OK) for p in sys.argv[1:]) else 1)"
    try:
        done = subprocess.run([sys.executable, "-I", "-S", "-c", probe, *places], user=NOBODY, group=NOBODY,
                              extra_groups=[], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return NOBODY if done.returncode == 0 else None


COPY_LIMIT = 2000  # files: a submission is a handful of .py files, not a virtual environment


def copy_submission(exercises: Path, workdir: Path, uid: int | None) -> Path:
    """The submission's Python files, copied into the worker's own folder: student code then
    runs on a private copy (it cannot edit the original between checks), and a worker that has
    dropped to `nobody` can read it. Only the top-level .py files and the exercise packages are
    copied; links are copied as links, never followed."""
    from grader.submission import PACKAGES

    target = workdir / "exercises"
    target.mkdir()
    sources = [p for p in exercises.glob("*.py")]
    for package in PACKAGES:
        if (exercises / package).is_dir() and not (exercises / package).is_symlink():
            sources += sorted((exercises / package).rglob("*"))
    for path in sources[:COPY_LIMIT]:
        rel = path.relative_to(exercises)
        if "__pycache__" in rel.parts or any(part.startswith(".") for part in rel.parts):
            continue
        dest = target / rel
        if path.is_symlink():
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(path), dest)
        elif path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif path.suffix == ".py" and path.stat().st_size <= 2_000_000:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    if uid is not None:
        for root, dirs, files in os.walk(workdir):
            for name in [root, *[os.path.join(root, n) for n in dirs + files]]:
                os.lchown(name, uid, uid)
    return target


def worker_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GITHUB_"))}
    env["PYTHONHASHSEED"] = "0"  # set iteration order must not make a grade flaky
    return env


@dataclass
class Worker:
    config: WorkerConfig
    process: subprocess.Popen | None = None
    _loaded: set = field(default_factory=set)
    _sticky: dict = field(default_factory=dict)  # load key -> StudentFailure that must not be retried
    _stderr_tail: collections.deque = field(default_factory=lambda: collections.deque(maxlen=64))
    _workdir: tempfile.TemporaryDirectory | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self.process is not None:
            return
        self._workdir = tempfile.TemporaryDirectory(prefix="grade-worker-")
        self._uid = student_uid()
        self._exercises = copy_submission(Path(self.config.exercises), Path(self._workdir.name), self._uid)
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        if self.config.forkserver is not None:
            self.process = self._fork(req_r, resp_w)
        else:
            self.process = self._spawn(req_r, resp_w)
            os.close(req_r)
            os.close(resp_w)
        self._loaded = set()
        self._stderr_tail.clear()
        threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True).start()

    def _spawn(self, req_r: int, resp_w: int) -> subprocess.Popen:
        cmd = [
            sys.executable, "-I", "-m", "grader.worker",
            "--req-fd", str(req_r), "--resp-fd", str(resp_w),
            "--exercises", str(self._exercises),
            "--forbid", ",".join(self.config.forbid),
            "--preload", ",".join(self.config.preload),
            "--memory-mb", str(self.config.memory_mb),
            "--uid", str(self._uid if self._uid is not None else -1),
        ]
        return subprocess.Popen(
            cmd, pass_fds=(req_r, resp_w), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, cwd=self._workdir.name, env=worker_env(), start_new_session=True,
        )

    def _fork(self, req_r: int, resp_w: int):
        from grader.worker.forkserver import ForkedProcess

        out_r, out_w = os.pipe()
        server = self.config.forkserver
        pid = server.spawn(self._workdir.name, str(self._exercises), self.config.forbid,
                           self.config.memory_mb, [req_r, resp_w, out_w], self._uid)
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
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for fd in (self._req_w, self._resp_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

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
        key = (name, tuple(sorted((reference or {}).items())))
        if key in self._sticky:
            raise self._sticky[key]
        if key in self._loaded and self.process is not None:
            return
        try:
            self._request({"op": "load", "name": name, "reference": reference or {}}, what=f"importing {name}")
        except StudentFailure as failure:
            # Import is deterministic: do not pay a timeout (or a crash) twice for it.
            self._sticky[key] = failure
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
            for request in requests:
                protocol.write_frame(self._req_w, request)
        except OSError as exc:
            return Pending(self, 0, 0.0, probe, failure=self._crashed(probe, exc))
        return Pending(self, len(requests), time.monotonic() + self.config.timeout * len(requests), probe)

    def _limit(self) -> float:
        timeout = self.config.timeout
        if self.config.deadline is not None:
            timeout = min(timeout, self.config.deadline - time.monotonic())
            if timeout <= 0:
                raise StudentFailure(Status.TIMEOUT, "not run: the time budget for this module ran out")
        return timeout

    def _request(self, request: dict, what: str):
        self.start()
        timeout = self._limit()
        try:
            protocol.write_frame(self._req_w, request)
        except OSError as exc:
            raise self._crashed(what, exc) from None
        return self._receive(time.monotonic() + timeout, what)

    def _receive(self, deadline: float, what: str):
        """One reply, as (value, output), or the StudentFailure it amounts to."""
        try:
            reply = protocol.read_frame(self._resp_r, deadline=deadline)
            if not isinstance(reply, dict):
                raise protocol.ProtocolError("reply is not an object")
        except TimeoutError:
            self.stop()
            limit = self.config.timeout
            raise StudentFailure(
                Status.TIMEOUT, f"timed out after {limit:g} s while {what} (an infinite loop, or far too slow)"
            ) from None
        except (EOFError, OSError, protocol.ProtocolError) as exc:
            raise self._crashed(what, exc) from None
        if reply.get("ok"):
            return reply.get("value"), reply.get("output", "")
        status, message, details = _format_error(reply["error"])
        raise StudentFailure(status, message, reply.get("output", ""), details)

    def _crashed(self, what: str, exc: BaseException) -> StudentFailure:
        process = self.process
        code = process.wait(timeout=5) if process is not None else None
        time.sleep(0.05)  # let the drain thread collect the last words
        tail = "".join(self._stderr_tail)[-STDERR_TAIL:]
        self.stop()
        if code is not None and code < 0:
            try:
                how = f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exited with status {code}"
        hint = ""
        if code == -signal.SIGKILL or "MemoryError" in tail:
            hint = f" (perhaps the memory cap of {self.config.memory_mb} MB)"
        return StudentFailure(Status.CRASHED, f"the process running your code {how}{hint} while {what}", tail)


class Pending:
    """The answer to `Worker.submit`, read when a check asks for it."""

    def __init__(self, worker: Worker, replies: int, deadline: float, what: str, failure=None):
        self.worker, self.replies, self.deadline, self.what = worker, replies, deadline, what
        self._outcome = failure

    def result(self):
        if self._outcome is None:
            try:
                for _ in range(self.replies):
                    self._outcome = self.worker._receive(self.deadline, self.what)
            except StudentFailure as failure:
                self._outcome = failure
        if isinstance(self._outcome, StudentFailure):
            raise self._outcome
        return self._outcome
