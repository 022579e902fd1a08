"""A pre-imported parent for workers, so a new worker costs a fork, not a torch import.

The judge starts one fork server per submission (`grader.worker.launch.ForkServer`), in a
sandbox of its own when one can be made; it imports torch and numpy once and then forks a
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

MAX_MESSAGE = 65536


def _reply(control: socket.socket, obj) -> None:
    control.sendall(json.dumps(obj).encode() + b"\n")


def _spawn(control: socket.socket, request: dict, fds: list[int], count: int, homes: dict) -> int:
    from grader.worker import server

    workdir = os.path.join(request["home"], f"w{count}")
    os.makedirs(workdir, mode=0o700, exist_ok=True)
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
        server.run(req_r, resp_w, request["exercises"], tuple(request["forbid"]), request["memory_mb"],
                   request.get("uid"))
    finally:
        os._exit(70)


def _wipe(home: str, live: dict[int, str]) -> None:
    """Empty every writable place of the sandbox but the live workers' own folders (emptied too):
    nothing one worker wrote (its stand-ins, say) is there for the next to read."""
    import shutil

    keep = set(live.values())
    for top in ("/tmp", "/dev/shm"):
        for entry in os.listdir(top) if os.path.isdir(top) else ():
            path = os.path.join(top, entry)
            if path == home:
                for sub in os.listdir(home):
                    inner = os.path.join(home, sub)
                    if inner in keep:
                        for leftover in os.listdir(inner):
                            _remove(os.path.join(inner, leftover))
                    else:
                        _remove(inner)
            else:
                _remove(path)
    _remove_ipc()


def _remove(path: str) -> None:
    import shutil

    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def _remove_ipc() -> None:
    """System V shared memory, queues and semaphores outlive their makers: remove them all."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    for table, remove in (("shm", lambda i: libc.shmctl(i, 0, None)), ("msg", lambda i: libc.msgctl(i, 0, None)),
                          ("sem", lambda i: libc.semctl(i, 0, 0))):
        try:
            with open(f"/proc/sysvipc/{table}") as listing:
                rows = listing.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            try:
                remove(int(row.split()[1]))  # IPC_RMID is 0
            except (ValueError, IndexError):
                pass


def _sweep(keep: set[int]) -> None:
    """Kill every process this server can see that is not itself, its parent or a live worker's
    group: what a worker left behind (a detached child) must not outlive it and meet the next."""
    if not os.path.isdir("/proc"):
        return
    me, parent = os.getpid(), os.getppid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (me, parent, 1):
            continue
        pid = int(entry)
        try:
            if os.getpgid(pid) in keep:
                continue
            os.kill(pid, signal.SIGKILL)
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
                pid = _spawn(control, request, list(fds), count, homes)
                fds = []
                children.add(pid)
                _reply(control, {"pid": pid})
            elif request["op"] == "kill":
                try:
                    os.killpg(request["pid"], signal.SIGKILL)
                except OSError:
                    pass
                code = _wait(request["pid"], 5.0, ended, children)
                homes.pop(request["pid"], None)
                if sweep:  # in a sandbox of its own, everything else here is a worker's leftover
                    _sweep(children)
                    _wipe(request.get("home", ""), homes)
                _reply(control, {"code": code})
            elif request["op"] == "wait":
                _reply(control, {"code": _wait(request["pid"], request["timeout"], ended, children)})
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def _wait(pid: int, timeout: float, ended: dict, children: set) -> int | None:
    deadline = time.monotonic() + timeout
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
        time.sleep(0.005)
    return ended.pop(pid)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grader.worker.forkserver")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--preload", default="")
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args(argv)
    from grader.worker.server import _die_with_parent

    _die_with_parent()
    # torch and numpy, and the worker's own code: never a probe or a reference, which a worker
    # imports after it learns its component (a fork would otherwise inherit every answer).
    for name in filter(None, args.preload.split(",")):
        importlib.import_module(name)
    control = socket.socket(fileno=args.control_fd)
    serve(control, args.sweep)
    os._exit(0)  # no interpreter teardown: unloading torch takes longer than all the grading


if __name__ == "__main__":
    main()
