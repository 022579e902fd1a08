"""A pre-imported parent for workers, so a new worker costs a fork, not a torch import.

The judge starts one fork server per submission and kind (`grader.engine.worker.launch.ForkServer`),
in a sandbox of its own when one can be made (a batch keeps it warm for the next submission,
after a `reset` that ends everything the last one left); it imports torch and numpy once and then forks a
worker for each request, handing it the pipes the judge sent over a Unix socket (SCM_RIGHTS).
The fork server never runs torch code itself, so no thread pool exists at fork time, and it
never imports a probe or a reference. It reaps its children, kills one when the judge asks (and,
in its sandbox, whatever that worker left running), and tells the judge how each ended. When
the judge goes away (its socket closes), the server kills every worker and exits.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import socket
import sys
import time

from grader.engine.worker import cleanup, confine, hugepages, protocol

MAX_MESSAGE = 65536


def _reply(control: socket.socket, obj) -> None:
    control.sendall(json.dumps(obj).encode() + b"\n")


def _spawn(control: socket.socket, request: dict, fds: list[int], count: int, homes: dict, sandboxed: bool) -> int:
    from grader.engine.worker import server

    workdir = os.path.join(request["home"], f"w{count}")
    os.makedirs(workdir, mode=0o700, exist_ok=True)
    if request.get("uid") is not None:  # the worker becomes `nobody`: its folder is its own
        os.chmod(request["home"], 0o711)
        os.chown(workdir, request["uid"], request["uid"])
    # In the sandbox, a PID namespace of its own: the worker can neither see nor signal the
    # server or another worker, and whatever it starts dies with it.
    pid = confine.fork_into_own_pid_namespace() if sandboxed else None
    fresh_namespace = pid is not None
    if pid is None:
        pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        homes[pid] = workdir
        return pid
    try:  # the child: a fresh session (so its whole group can be killed), then a worker
        control.close()
        os.setsid()
        req_r, resp_w, out_w = fds
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.close(out_w)
        os.chdir(workdir)
        os.environ["HOME"] = workdir
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if sandboxed:
            server._die_with_parent()
            if not fresh_namespace:
                # Where the one-fork clone could not be had: a second fork, into a namespace this
                # process unshares (it stays outside, only to pass on how the worker ended). Not
                # unshare in the server: where root made the sandbox, it could not setns back.
                confine.into_own_pid_namespace()
            confine.drop_capabilities()  # then no capability is left to undo any of it
        server.run(req_r, resp_w, request["exercises"], tuple(request["forbid"]), request["memory_mb"],
                   request.get("uid"))
    finally:
        os._exit(70)


def _kill(pid: int) -> None:
    """A worker and its group: the worker itself too, since one asked to go the moment it was
    forked may not have made its own group yet (killpg alone missed it, and the judge then
    waited out the time limit for a worker that was never stopped)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _exit_code(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def serve(control: socket.socket, sweep: bool) -> None:
    ended: dict[int, int] = {}
    children: set[int] = set()
    buffer = b""
    count = 0
    homes: dict[int, str] = {}  # live worker pid -> its own folder
    while True:
        data, fds, _, _ = socket.recv_fds(control, MAX_MESSAGE, 3)
        if not data:
            break
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = json.loads(line)
            if request["op"] == "spawn":
                count += 1
                try:
                    pid = _spawn(control, request, list(fds), count, homes, sweep)
                except OSError as exc:  # its folder could not be made: a worker spoilt /tmp
                    for fd in fds:
                        os.close(fd)
                    _reply(control, {"error": str(exc)})
                    continue
                finally:
                    fds = []
                children.add(pid)
                _reply(control, {"pid": pid})
            elif request["op"] == "kill":
                _kill(request["pid"])
                code = _wait(request["pid"], 5.0, ended, children)
                homes.pop(request["pid"], None)
                if sweep:  # in a sandbox of its own, everything else here is a worker's leftover
                    cleanup.clean(request.get("home", ""), homes, children)
                # Only now: the judge waits for this reply before the next component's code runs,
                # so nothing this worker left (a file in /tmp, a process) can reach that code.
                _reply(control, {"code": code})
            elif request["op"] == "stack":  # the judge's call timed out: the worker dumps its stack
                try:
                    os.killpg(request["pid"], protocol.STACK_SIGNAL)
                except OSError:
                    pass
            elif request["op"] == "wait":
                _reply(control, {"code": _wait(request["pid"], request["timeout"], ended, children)})
            elif request["op"] == "ping":
                _reply(control, {"ok": True})
            elif request["op"] == "reset":
                # One submission is done and the next will be forked from this server: every
                # worker goes, and in the sandbox everything they left (processes, files, IPC).
                for pid in list(children):
                    _kill(pid)
                    _wait(pid, 5.0, ended, children)
                ended.clear()
                homes.clear()
                if sweep:
                    cleanup.clean(request.get("home", ""), homes, set())
                _reply(control, {"ok": True})
    for pid in children:
        _kill(pid)


def _wait(pid: int, timeout: float, ended: dict, children: set) -> int | None:
    deadline = time.monotonic() + timeout
    pause = 0.0002  # a killed worker is gone within a millisecond, and the judge waits on this
    while pid not in ended:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return ended.get(pid)
        if done:
            ended[pid] = _exit_code(status)
            children.discard(pid)
            break
        if time.monotonic() > deadline:
            return None
        time.sleep(pause)
        pause = min(pause * 2, 0.005)
    return ended.pop(pid)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grader.engine.worker.forkserver")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--preload", default="")
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args(argv)
    from grader.engine.worker.server import _die_with_parent

    _die_with_parent()
    try:  # its workers run as the same user: none may read or write this process's memory
        import ctypes

        ctypes.CDLL(None).prctl(4, 0)  # PR_SET_DUMPABLE 0
    except Exception:  # noqa: BLE001 - not Linux
        pass
    # torch and numpy, and the worker's own code: never a probe or a reference, which a worker
    # imports after it learns its component (a fork would otherwise inherit every answer).
    for name in filter(None, args.preload.split(",")):
        importlib.import_module(name)
    if "grader.engine.manifest" in sys.modules:
        sys.modules["grader.engine.manifest"].load()  # parsed here once, not in every worker
    if args.preload:
        # Nothing imported from here on: what every fork inherits is settled. The collector never
        # walks it again (a walk would write into every page the workers share), and its pages
        # become huge pages, so a fork copies a few hundred page-table entries instead of ~40,000.
        import gc

        gc.collect()
        gc.freeze()
        hugepages.collapse_writable_memory()
    control = socket.socket(fileno=args.control_fd)
    serve(control, args.sweep)
    os._exit(0)  # no interpreter teardown: unloading torch takes longer than all the grading


if __name__ == "__main__":
    main()
