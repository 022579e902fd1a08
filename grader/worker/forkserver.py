"""A pre-imported parent for workers, so a new worker costs a fork, not a torch import.

The judge starts one fork server per run (`python -I -m grader.worker.forkserver`); it imports
torch and numpy once and then forks a worker for each request, handing it the pipes the judge
sent over a Unix socket (SCM_RIGHTS). The fork server never runs torch code itself, so no
thread pool exists at fork time. It reaps its children and tells the judge how each ended.
When the judge goes away (its socket closes), the server kills every worker and exits.
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


def _spawn(control: socket.socket, request: dict, fds: list[int]) -> int:
    from grader.worker import server

    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        return pid
    try:  # the child: a fresh session (so the judge can kill its whole group), then a worker
        control.close()
        os.setsid()
        req_r, resp_w, out_w = fds
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.close(out_w)
        os.chdir(request["cwd"])
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        server.run(req_r, resp_w, request["exercises"], tuple(request["forbid"]), (), request["memory_mb"],
                   request.get("uid"))
    finally:
        os._exit(70)


def _exit_code(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def serve(control: socket.socket) -> None:
    ended: dict[int, int] = {}
    children: set[int] = set()
    buffer = b""
    while True:
        data, fds, _, _ = socket.recv_fds(control, MAX_MESSAGE, 3)
        if not data:
            break
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = json.loads(line)
            if request["op"] == "spawn":
                pid = _spawn(control, request, list(fds))
                fds = []
                children.add(pid)
                _reply(control, {"pid": pid})
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="grader.worker.forkserver")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--preload", default="")
    args = parser.parse_args()
    from grader.worker.server import _die_with_parent

    _die_with_parent()
    for name in filter(None, args.preload.split(",")):
        importlib.import_module(name)
    from grader import manifest

    importlib.import_module("grader.worker.server")
    for module in manifest.load().values():  # warm: every worker gets the probes for free
        if module.worker == "torch":
            importlib.import_module(f"grader.probes.{module.name}")
    control = socket.socket(fileno=args.control_fd)
    serve(control)
    os._exit(0)  # no interpreter teardown: unloading torch takes longer than all the grading


if __name__ == "__main__":
    main()


class ForkServer:
    """The judge's handle on a fork server: `spawn` a worker, `wait` for how it ended."""

    def __init__(self, preload: tuple[str, ...], env: dict[str, str]):
        import subprocess

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._control = ours
        self._replies = ours.makefile("rb")
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "grader.worker.forkserver", "--control-fd", str(theirs.fileno()),
             "--preload", ",".join(preload)],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        theirs.close()

    def _ask(self, request: dict, fds: list[int] = ()) -> dict:
        socket.send_fds(self._control, [json.dumps(request).encode() + b"\n"], list(fds))
        line = self._replies.readline()
        if not line:
            raise OSError("the fork server is gone")
        return json.loads(line)

    def spawn(self, cwd: str, exercises: str, forbid: tuple[str, ...], memory_mb: int, fds: list[int],
              uid: int | None = None) -> int:
        request = {"op": "spawn", "cwd": cwd, "exercises": exercises, "forbid": list(forbid), "memory_mb": memory_mb,
                   "uid": uid}
        return self._ask(request, fds)["pid"]

    def wait(self, pid: int, timeout: float) -> int | None:
        return self._ask({"op": "wait", "pid": pid, "timeout": timeout})["code"]

    def close(self) -> None:
        try:
            self._control.close()
            self._replies.close()
        finally:
            try:
                self.process.wait(timeout=5)
            except Exception:
                self.process.kill()
                self.process.wait()


class ForkedProcess:
    """What the Worker needs of a process (pid, stdout, wait), for one made by a ForkServer."""

    def __init__(self, server: ForkServer, pid: int, stdout):
        self.server, self.pid, self.stdout = server, pid, stdout
        self.returncode = None

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.wait(self.pid, 30.0 if timeout is None else timeout)
        return self.returncode
