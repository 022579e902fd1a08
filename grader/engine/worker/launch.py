"""Judge side: starting worker processes, in the sandbox or, where none can be made, without.

A worker is a fork of a `ForkServer`, one per submission and kind, which lives in a sandbox of
its own that holds that submission's workers and nothing else: a pure-Python one (micrograd: no
site-packages at all) or a torch one (torch imported once per submission). So a worker costs a
fork, not an interpreter and a sandbox. `spawn` (an interpreter of its own, in a sandbox of its
own) remains for a worker made without a server.
"""
from __future__ import annotations

import functools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from grader.engine.worker import bundle, sandbox

NOBODY = 65534  # the uid and gid student code runs as when the judge runs as root (fallback only)
CONTROL_TIMEOUT = 30.0  # seconds the fork server may take to answer before it counts as gone
# What a fork server imports once, so that each fork has it: the worker's own code, the manifest
# (parsed: every worker reads what each component owns), and the slow standard modules the probes
# use. Never a module's probes or a reference: a fork would inherit every answer.
PURE_PRELOAD = ("grader.engine.worker.server", "grader.probes.common", "grader.engine.manifest", "grader.shared.exprs",
                "grader.shared.deep_chain", "dataclasses", "inspect", "ast", "dis", "string", "datetime", "copy", "base64",
                "tokenize", "unicodedata")
# (Not torch_watch: importing it installs its audit hook, which belongs only in the workers that watch.)
TORCH_PRELOAD = ("numpy", "torch", *PURE_PRELOAD, "grader.probes.tensors", "grader.probes.torch_rules")
_live: set[int] = set()  # host pids of the processes this judge started (workers, fork servers)


def worker_env() -> dict[str, str]:
    env = {"PYTHONHASHSEED": "0",  # set iteration order must not make a grade flaky
           "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # a grade must not compete for cores
    return env


@functools.lru_cache(maxsize=None)
def student_uid() -> int | None:
    """Without a sandbox, who the worker becomes: `nobody` when we are root and nobody can read
    this Python (so student code cannot touch the kit, the results or anything else of root's);
    else None. ZERO_TO_HERO_SAME_USER=1 keeps workers as the judge's user."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or os.environ.get("ZERO_TO_HERO_SAME_USER"):
        return None
    import importlib.util

    places = [str(bundle.build()), os.path.dirname(os.__file__), sandbox.python_paths(False)[0]]
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


@functools.lru_cache(maxsize=None)
def become_subreaper() -> None:
    """Without a sandbox, orphans of student code are re-parented to the judge (not to init), so
    `reap_orphans` can end them: nothing outlives grading."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
    except Exception:  # noqa: BLE001 - not Linux
        pass


def reap_orphans() -> None:
    """Kill and reap the judge's children that it did not start itself (what a worker left)."""
    me = str(os.getpid())
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for entry in entries:
        if not entry.isdigit() or int(entry) in _live:
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            try:
                os.kill(int(entry), signal.SIGKILL)
                os.waitpid(int(entry), 0)
            except OSError:
                pass


def _boot(kit: str) -> str:
    return f"{kit}/grader/engine/worker/boot.py"


def spawn(isolation: str, workdir: Path, exercises: Path, forbid: tuple[str, ...], memory_mb: int,
          req_r: int, resp_w: int, limit: sandbox.PidLimit | None, torch: bool = False) -> subprocess.Popen:
    """A worker of its own interpreter, in a sandbox of its own or not: pure Python (no
    site-packages on its path) unless `torch` (then the site folders of torch and numpy)."""
    python, sites = sandbox.python_paths(torch)
    kit = sandbox.KIT if isolation == sandbox.SANDBOX else str(bundle.build())
    where = sandbox.SUBMISSION if isolation == sandbox.SANDBOX else str(exercises)
    uid = None if isolation == sandbox.SANDBOX else student_uid()
    argv = [python, "-I", "-S", "-B", _boot(kit)]
    for site in sites:
        argv += ["--site", site]
    argv += ["worker", "--req-fd", str(req_r), "--resp-fd", str(resp_w),
            "--exercises", where, "--forbid", ",".join(forbid), "--memory-mb", str(memory_mb),
            "--uid", str(uid if uid is not None else -1)]
    if isolation == sandbox.SANDBOX:
        argv = sandbox.command(argv, bundle=bundle.build(), submission=exercises, sites=sites, env=worker_env())
    else:
        become_subreaper()
    process = subprocess.Popen(
        argv, pass_fds=(req_r, resp_w), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        cwd=str(workdir), env=worker_env(), start_new_session=True,
        preexec_fn=limit.preexec if limit is not None and limit.path else None)
    _live.add(process.pid)
    return process


def forget(pid: int) -> None:
    _live.discard(pid)


class ForkServer:
    """The judge's handle on a fork server: `spawn` a worker, `kill` one, `wait` for how it ended.

    `exercises` is the host folder the server's workers grade (bound read-only in the sandbox);
    `refresh` replaces its contents in place, so `--watch` can keep one server across saves."""

    def __init__(self, isolation: str, exercises: Path, torch: bool = True):
        self.isolation = isolation
        self.exercises = exercises
        self.torch = torch
        self.limit = sandbox.PidLimit() if isolation == sandbox.SANDBOX else None
        self._home = None if isolation == sandbox.SANDBOX else tempfile.TemporaryDirectory(prefix="grade-forks-")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        ours.settimeout(CONTROL_TIMEOUT)
        self._control = ours
        self._replies = ours.makefile("rb")
        self._lock = threading.Lock()
        python, sites = sandbox.python_paths(torch)
        kit = sandbox.KIT if isolation == sandbox.SANDBOX else str(bundle.build())
        argv = [python, "-I", "-S", "-B", _boot(kit)]
        for site in sites:
            argv += ["--site", site]
        preload = TORCH_PRELOAD if torch else PURE_PRELOAD
        argv += ["forkserver", "--control-fd", str(theirs.fileno()), "--preload", ",".join(preload)]
        if isolation == sandbox.SANDBOX:
            argv = sandbox.command(argv + ["--sweep"], bundle=bundle.build(), submission=exercises, sites=sites,
                                   env=worker_env(), server=True)
        else:
            become_subreaper()
        self.process = subprocess.Popen(
            argv, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=worker_env(), start_new_session=True,
            preexec_fn=self.limit.preexec if self.limit is not None and self.limit.path else None)
        _live.add(self.process.pid)
        theirs.close()

    @property
    def worker_exercises(self) -> str:
        return sandbox.SUBMISSION if self.isolation == sandbox.SANDBOX else str(self.exercises)

    def _ask(self, request: dict, fds: list[int] = ()) -> dict:
        try:
            with self._lock:  # workers may be started from a thread while the judge waits on another
                socket.send_fds(self._control, [json.dumps(request).encode() + b"\n"], list(fds))
                line = self._replies.readline()
        except (OSError, ValueError) as exc:  # a timeout too: a stopped or wedged server
            self.kill()
            raise OSError(f"the fork server is gone ({exc})") from None
        if not line:
            raise OSError("the fork server is gone")
        return json.loads(line)

    def spawn(self, forbid: tuple[str, ...], memory_mb: int, fds: list[int], uid: int | None = None,
              exercises: str | None = None) -> int:
        """A worker; `exercises` is the folder it grades when not the server's own (without a
        sandbox, each worker gets a private copy it may change without touching the next)."""
        home = sandbox.HOME if self.isolation == sandbox.SANDBOX else self._home.name
        request = {"op": "spawn", "home": home, "exercises": exercises or self.worker_exercises,
                   "forbid": list(forbid), "memory_mb": memory_mb, "uid": uid}
        reply = self._ask(request, fds)
        if "pid" not in reply:
            raise OSError(f"the fork server could not start a worker ({reply.get('error', 'no reason given')})")
        return reply["pid"]

    def wait(self, pid: int, timeout: float) -> int | None:
        return self._ask({"op": "wait", "pid": pid, "timeout": timeout})["code"]

    def kill_worker(self, pid: int) -> int | None:
        """Kill a worker and wait until the server has reaped it and swept what it left (the
        next component's code must not meet any of it)."""
        home = sandbox.HOME if self.isolation == sandbox.SANDBOX else self._home.name
        return self._ask({"op": "kill", "pid": pid, "home": home})["code"]

    def ask_for_stack(self, pid: int) -> None:
        """Have a worker dump its stack on its standard error (it may be in a PID namespace of
        its own, where only the server can reach it)."""
        self._tell({"op": "stack", "pid": pid})

    def _tell(self, request: dict) -> None:
        """A request the server answers with nothing."""
        try:
            with self._lock:
                socket.send_fds(self._control, [json.dumps(request).encode() + b"\n"], [])
        except (OSError, ValueError):  # a stopped or wedged server: killed, with its workers
            self.kill()

    def alive(self, timeout: float = 10.0) -> bool:
        """Does the server still answer (a worker may have stopped or killed it)?"""
        if self.process.poll() is not None:
            return False
        self._control.settimeout(timeout)
        try:
            return bool(self._ask({"op": "ping"}).get("ok"))
        except OSError:
            return False
        finally:
            self._control.settimeout(CONTROL_TIMEOUT)

    def reset(self) -> None:
        """End every worker and, in the sandbox, everything they left: the server is as new."""
        home = sandbox.HOME if self.isolation == sandbox.SANDBOX else self._home.name
        self._ask({"op": "reset", "home": home})

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass

    def close(self) -> None:
        try:
            self._control.close()
            self._replies.close()
        finally:
            try:
                self.process.wait(timeout=5)
            except Exception:  # noqa: BLE001
                self.kill()
                self.process.wait()
            forget(self.process.pid)
            if self.limit is not None:
                self.limit.close()
            if self._home is not None:
                self._home.cleanup()
            if self.isolation != sandbox.SANDBOX:
                reap_orphans()


class ForkedProcess:
    """What the Worker needs of a process (pid, stdout, wait, kill), for one made by a ForkServer."""

    def __init__(self, server: ForkServer, pid: int, stdout):
        self.server, self.pid, self.stdout = server, pid, stdout
        self.returncode = None

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.server.wait(self.pid, 30.0 if timeout is None else timeout)
            except OSError:
                self.returncode = -signal.SIGKILL
        return self.returncode

    def ask_for_stack(self) -> None:
        if self.returncode is None:
            self.server.ask_for_stack(self.pid)

    def kill(self) -> None:
        if self.returncode is None:
            try:
                self.returncode = self.server.kill_worker(self.pid)
            except OSError:
                self.returncode = -signal.SIGKILL
