"""The untrusted side: a process that runs the student's code and answers with plain data.

Requests name a *probe*: a function in `grader.probes.<module>` (the kit's code, running here
next to the student's) that drives the submission and returns JSON-able values or numpy
arrays. The judge never receives an object of the student's, only data it validates.

    python -I -m grader.worker --req-fd R --resp-fd W --exercises DIR [--forbid torch,numpy]
           [--preload torch] [--memory-mb N]
"""
from __future__ import annotations

import argparse
import faulthandler
import gc
import importlib
import importlib.util
import io
import os
import sys
from pathlib import Path

from grader.worker import protocol
from grader.worker.student import Student, describe_exception

OUTPUT_CAP = 4000  # characters of student output kept per call


class CappedText(io.TextIOBase):
    """A stdout stand-in that keeps the first OUTPUT_CAP characters and counts the rest."""

    def __init__(self):
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self):
        return True

    def write(self, s):
        s = str(s)
        room = OUTPUT_CAP - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(room, len(s))
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n... ({self.dropped} more characters of output not shown)"
        return out


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the judge dies, so no student process outlives it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:  # not Linux: the judge's process-group kill still applies
        pass


def _cap_memory(megabytes: int) -> None:
    try:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def serve(req_fd: int, resp_fd: int, student: Student) -> None:
    probes: dict[str, object] = {}
    while True:
        try:
            request = protocol.read_frame(req_fd)
        except EOFError:
            return
        capture = CappedText()
        sys.stdout = sys.stderr = capture
        try:
            if request["op"] == "load":
                student.load(request["name"], request.get("reference"))
                value = None
            else:
                module = request["module"]
                if module not in probes:
                    probes[module] = importlib.import_module(f"grader.probes.{module}")
                probe = getattr(probes[module], request["probe"])
                value = probe(student, **request.get("args", {}))
            reply = {"ok": True, "value": value}
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are the student's too
            reply = {"ok": False, "error": describe_exception(exc, student.exercises)}
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        reply["output"] = capture.text()
        try:
            protocol.write_frame(resp_fd, reply)
        except (TypeError, ValueError) as exc:  # a probe returned something that is not data
            protocol.write_frame(resp_fd, {"ok": False, "output": reply["output"], "error": {
                "type": "ProtocolError", "message": f"unsendable result: {exc}", "frames": [],
                "todo": False, "forbidden_import": False}})


def _drop_privileges(uid: int) -> None:
    """Become `uid` for good (root only): student code then cannot touch root's files."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    os.environ["HOME"] = os.getcwd()


def run(req_fd: int, resp_fd: int, exercises: str, forbid: tuple[str, ...], preload: tuple[str, ...],
        memory_mb: int, uid: int | None = None) -> None:
    """Become a worker: limits, the submission on sys.path, then serve until the judge hangs up."""
    _die_with_parent()
    faulthandler.enable(file=sys.__stderr__)  # a segfault in student code leaves a traceback
    for name in preload:
        importlib.import_module(name)  # before the memory cap: torch maps a lot of address space
    if memory_mb:
        _cap_memory(memory_mb)
    if uid is not None:
        _drop_privileges(uid)
    folder = Path(exercises)
    sys.path.insert(0, str(folder))
    sys.dont_write_bytecode = True  # never leave __pycache__ in a student's repository
    # Student graphs are many small linked objects: collect rarely, and never rescan our own.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    student = Student(folder, forbid)
    serve(req_fd, resp_fd, student)
    os._exit(0)  # skip interpreter teardown: student objects' __del__ must not run after us


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grader.worker")
    parser.add_argument("--req-fd", type=int, required=True)
    parser.add_argument("--resp-fd", type=int, required=True)
    parser.add_argument("--exercises", required=True)
    parser.add_argument("--forbid", default="")
    parser.add_argument("--preload", default="")
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--uid", type=int, default=-1)
    args = parser.parse_args(argv)
    split = lambda text: tuple(filter(None, text.split(",")))  # noqa: E731
    run(args.req_fd, args.resp_fd, args.exercises, split(args.forbid), split(args.preload), args.memory_mb,
        None if args.uid < 0 else args.uid)


if __name__ == "__main__":
    main()
