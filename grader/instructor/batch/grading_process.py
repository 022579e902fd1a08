"""The grading process of `grade batch` (its "judge"): warm (torch, pytest and the suites imported
once, one fork server for its workers), it grades one submission after another.

    python -I -m grader.instructor.batch.grading_process --seed N --module micrograd [--module ...]

Started with `-I` from an empty folder of the run's own, so nothing in the caller's folder (a
student's `grader/` package included) can stand in for the kit. Each request is one JSON line on
stdin: a nonce and a submission's snapshot (its contents, not its path). Each reply is one JSON
line on the channel the parent reads, echoing the nonce: a line without it is not ours. Nothing
else may write to that channel: standard output is pointed at standard error first.
"""
from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path


def grade_request(request: dict, modules: list[str], seed: int, timeout: float, memory_mb: int,
                  pool=None) -> dict:
    """One request -> one reply (without the nonce): the SPEC §5 JSON of `grade all`, or why not.
    `pool`: the judge's warm fork servers (grader.engine.judge.servers.ServerPool), if any."""
    from grader.instructor.batch.snapshot import Snapshot
    from grader.engine import session
    from grader.engine.submission.handed_in import SubmissionError, grade_prepared, prepare

    started = time.monotonic()
    reply: dict = {}
    folder = tempfile.mkdtemp(prefix="grade-judge-")
    try:
        path = Snapshot.from_message(request["snapshot"]).write(Path(folder))
        options = session.batch_options(seed, timeout, memory_mb)
        from grader.instructor.batch.peak_memory import PeakMemory

        with PeakMemory() as peak, prepare(str(path), False, modules) as prepared:
            result = grade_prepared(prepared, modules, options, all_modules=True, forkserver=pool)
        reply["peak_memory_mb"] = peak.peak_mb
        reply["result"] = _without(result.to_json(), folder + os.sep)
        reply["internal"] = [c.id for m in result.modules for c in m.components if c.internal]
        reply["grading_seconds"] = sum(m.duration for m in result.modules)
    except SubmissionError as exc:
        # Said of the judge's private copy: neither its folder nor "--submission" means anything here.
        reply["error"] = re.sub(r"^--submission \S+: ", "", str(exc).replace(folder + os.sep, ""))
    except Exception as exc:  # noqa: BLE001 - a bug of the kit: the parent reports it (exit 3)
        reply["internal_error"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-3000:]
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # a cleanup error never stops grading
    reply["seconds"] = time.monotonic() - started
    return reply


def _without(value, prefix: str):
    """`value` with the judge's private folder taken out of every string (a result says where
    in the submission, never where the judge put its copy)."""
    if isinstance(value, str):
        return value.replace(prefix, "")
    if isinstance(value, dict):
        return {k: _without(v, prefix) for k, v in value.items()}
    if isinstance(value, list):
        return [_without(v, prefix) for v in value]
    return value


def serve(modules: list[str], seed: int, timeout: float, memory_mb: int) -> None:
    # A warm judge keeps torch, pytest and the suites imported, and (in the sandbox) its fork
    # servers: student code runs only in their forks, and between submissions a server ends every
    # worker and empties every place they could write (grader.engine.judge.servers.ServerPool).
    from grader.engine.judge.servers import ServerPool
    from grader.engine.worker import sandbox

    pool = ServerPool() if sandbox.mode("auto") == sandbox.SANDBOX else None
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # nothing else may write to the channel the parent reads
    for line in sys.stdin:
        try:
            request = json.loads(line)
            if not (isinstance(request, dict) and isinstance(request.get("nonce"), str) and "snapshot" in request):
                continue
        except ValueError:
            continue  # not the parent's: the parent's requests are well-formed, and it waits for its own
        reply = grade_request(request, modules, seed, timeout, memory_mb, pool)
        reply["nonce"] = request["nonce"]
        channel.write(json.dumps(reply) + "\n")
    channel.flush()
    if pool is not None:
        pool.close()  # its fork servers, and every worker they still have, go now


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grader.instructor.batch.grading_process")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--module", action="append", required=True)
    args = parser.parse_args(argv)
    from grader.instructor.batch.privacy import die_with_parent, hide_from_students

    die_with_parent()
    hide_from_students("grade batch judge")
    serve(args.module, args.seed, args.timeout, args.memory_mb)
    # Every reply is written and the fork servers are gone: what is registered to run at exit
    # (the worker bundle's removal) runs, and the rest of the interpreter's teardown, which
    # unloading torch makes seconds long, is skipped (the whole batch waits for its last judge).
    atexit._run_exitfuncs()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
