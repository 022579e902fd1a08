"""The untrusted side: a process that runs the student's code and answers with plain data.

Requests name a *probe*: a function in `grader.probes.<module>` (the kit's code, running here
next to the student's) that drives the submission and returns JSON-able values or numpy
arrays. The judge never receives an object of the student's, only data it validates.

    python -I -m grader.engine.worker --req-fd R --resp-fd W --exercises DIR [--forbid torch,numpy]
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

from grader.engine.worker import protocol, provenance
from grader.engine.worker.student import StandIns, Student, describe_exception

OUTPUT_CAP = 4000  # characters of student output kept per call
PROCESSES = 64  # RLIMIT_NPROC where it applies (not root); the sandbox's cgroup caps it otherwise


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


class Setup:
    """What the judge tells a worker before anything runs: which components it serves (one, or
    a group in a batch), the stand-ins it may hold, the probes to import, and what each grades."""

    def __init__(self, request: dict, exercises: Path, forbid: tuple[str, ...]):
        self.components = tuple(request.get("components", ()))
        self.graded = [(str(file), tuple(owns)) for file, owns in request.get("graded", ())]  # (file, its owns)
        self.timeout = float(request.get("timeout") or 0)
        self.stand_ins = StandIns(request.get("standins", {}))
        self.stand_ins.load_all()
        from grader.probes import common

        common.set_graded(self.components)
        with self.stand_ins.exposed():
            # The probes (and what they import) load before the submission goes on sys.path, so a
            # student file named like a standard module (random.py, json.py) cannot stand in.
            for name in request.get("preload", ()):
                importlib.import_module(name)
        sys.path.insert(0, str(exercises))
        self.student = Student(exercises, forbid, self.stand_ins)

    def check_provenance(self) -> None:
        package = os.path.dirname(os.path.dirname(os.path.dirname(protocol.__file__)))  # grader/
        kit = tuple(p for p in (package,) if p)
        for file, owns in self.graded:
            module = self.student.module(file[:-3].replace("/", ".")) if owns and file else None
            if module is not None:
                provenance.check(module, owns, file, str(self.student.exercises), kit)


def serve(req_fd: int, resp_fd: int, exercises: Path, forbid: tuple[str, ...]) -> None:
    probes: dict[str, object] = {}
    setup: Setup | None = None
    while True:
        try:
            request = protocol.read_frame(req_fd)
        except EOFError:
            return
        capture = CappedText()
        sys.stdout = sys.stderr = capture
        if setup is not None and setup.timeout:
            # A hang leaves the learner's own line: the stack, dumped just before the judge gives up.
            faulthandler.dump_traceback_later(max(0.05, setup.timeout * 0.75), file=sys.__stderr__)
        try:
            if request["op"] == "setup":
                setup = Setup(request, exercises, forbid)
                value = None
            elif setup is None:
                raise RuntimeError("the worker was not set up")
            elif request["op"] == "load":
                setup.student.load(request["name"], request.get("reference"))
                value = None
            else:
                module = request["module"]
                if module not in probes:
                    probes[module] = importlib.import_module(f"grader.probes.{module}")
                probe = getattr(probes[module], request["probe"])
                value = probe(setup.student, **request.get("args", {}))
                setup.check_provenance()
            reply = {"ok": True, "value": value}
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are the student's too
            reply = {"ok": False, "error": describe_exception(exc, exercises)}
        finally:
            faulthandler.cancel_dump_traceback_later()
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        reply["output"] = capture.text()
        reply["id"] = request.get("id")
        try:
            protocol.write_frame(resp_fd, reply)
        except (TypeError, ValueError) as exc:  # a probe returned something that is not data
            protocol.write_frame(resp_fd, {"ok": False, "id": request.get("id"), "output": reply["output"], "error": {
                "type": "ProtocolError", "message": f"unsendable result: {exc}", "frames": [],
                "todo": False, "forbidden_import": False}})


def _drop_privileges(uid: int) -> None:
    """Become `uid` for good (root only): student code then cannot touch root's files."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    os.environ["HOME"] = os.getcwd()


def _cap_processes(extra: int) -> None:
    """RLIMIT_NPROC counts every process of this user: allow those already running, plus `extra`."""
    try:
        import resource

        uid = str(os.getuid())
        running = 0
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/status") as status:
                        running += any(line.startswith("Uid:") and line.split()[1] == uid for line in status)
                except OSError:
                    pass
        resource.setrlimit(resource.RLIMIT_NPROC, (running + extra, running + extra))
    except (ImportError, ValueError, OSError):
        pass


def run(req_fd: int, resp_fd: int, exercises: str, forbid: tuple[str, ...], memory_mb: int,
        uid: int | None = None) -> None:
    """Become a worker: limits, then serve until the judge hangs up (the first request sets up)."""
    _die_with_parent()
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0)  # PR_SET_DUMPABLE 0: no other process reads this one's memory
    except Exception:  # noqa: BLE001 - not Linux
        pass
    faulthandler.enable(file=sys.__stderr__)  # a segfault in student code leaves a traceback
    # ... and so does a hang: the judge sends protocol.STACK_SIGNAL when a call's time is up, before it
    # kills the worker (besides the dump each call times for itself, which a busy machine can delay).
    faulthandler.register(protocol.STACK_SIGNAL, file=sys.__stderr__, all_threads=True)
    if memory_mb:
        _cap_memory(memory_mb)
    if uid is not None:
        _drop_privileges(uid)
    if os.geteuid() != 0:
        _cap_processes(PROCESSES)
    sys.dont_write_bytecode = True  # never leave __pycache__ in a student's repository
    # Student graphs are many small linked objects: collect rarely, and never rescan our own.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    serve(req_fd, resp_fd, Path(exercises), forbid)
    os._exit(0)  # skip interpreter teardown: student objects' __del__ must not run after us


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grader.engine.worker")
    parser.add_argument("--req-fd", type=int, required=True)
    parser.add_argument("--resp-fd", type=int, required=True)
    parser.add_argument("--exercises", required=True)
    parser.add_argument("--forbid", default="")
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--uid", type=int, default=-1)
    args = parser.parse_args(argv)
    split = lambda text: tuple(filter(None, text.split(",")))  # noqa: E731
    run(args.req_fd, args.resp_fd, args.exercises, split(args.forbid), args.memory_mb,
        None if args.uid < 0 else args.uid)


if __name__ == "__main__":
    main()
