"""`grade batch --dask SCHEDULER_ADDRESS`: the same batch, spread over an existing Dask cluster.

Each submission is one Dask task carrying its snapshot (contents, not a path: the cluster's
machines need not see the parent's disk). Each Dask worker thread keeps a warm judge between
tasks, started the same way as locally (`python -I -m grader.instructor.batch.grading_process`), so a task costs a
submission's grading, not a torch import. The parent stays the only one that decides: it takes
the statuses from each reply and computes every score, writes the rows as tasks finish, and
grades a submission once more when its judge failed (a second failure is final), as locally.
Needs the `dask` extra (`pip install "zero-to-hero-grader[dask]"`) and the kit installed on
every Dask worker.
"""
from __future__ import annotations

import tempfile
import threading
import time

from grader.instructor.batch.handle import GradingProcessFailure, GradingProcess
from grader.instructor.batch.output import GRADER_GAVE_UP, Row
from grader.instructor.batch.run import BatchOptions, Stage, gave_up, grade_reply
from grader.instructor.batch.snapshot import SnapshotError
from grader.instructor.batch.trust import BadReply

_LOCAL = threading.local()  # on a Dask worker: this thread's warm judge
JUDGES_STARTED = 0  # on a Dask worker: how many judges it has started (one per thread, unless one failed)


def grade_on_worker(message: dict, modules: list[str], seed: int, timeout: float, memory_mb: int,
                    deadline_seconds: float) -> dict:
    """Runs on a Dask worker: the judge's reply, or {"failure": [status, message, internal]}."""
    key = (tuple(modules), seed, timeout, memory_mb)
    judge = getattr(_LOCAL, "judge", None)
    if judge is not None and (judge.key != key or judge.process.poll() is not None):
        judge.close(kill=True)
        judge = None
    if judge is None:
        global JUDGES_STARTED
        JUDGES_STARTED += 1
        judge = GradingProcess(list(modules), seed, timeout, memory_mb, cwd=tempfile.mkdtemp(prefix="grade-batch-"))
        judge.key = key
        _LOCAL.judge = judge
    try:
        return judge.ask({"snapshot": message}, time.monotonic() + deadline_seconds)
    except GradingProcessFailure as failure:
        judge.close(kill=True)
        _LOCAL.judge = None
        return {"failure": [failure.status, failure.message, failure.internal]}


def run_batch_dask(paths: list[str], options: BatchOptions, address: str, on_row=lambda row: None,
                   skip=frozenset()) -> list[Row]:
    from distributed import Client, as_completed

    indices = [i for i, p in enumerate(paths) if p not in skip]
    rows: list[Row | None] = [None] * len(paths)

    def final(index: int, row: Row) -> None:
        rows[index] = row
        on_row(row)

    stage = Stage(paths, indices)
    try:
        for i, error in stage.errors.items():
            final(i, Row(paths[i], error=error))
        with Client(address) as client:
            tasks: dict = {}

            def submit(index: int, attempt: int):
                try:
                    message = stage.message(index)
                except SnapshotError as exc:
                    final(index, Row(paths[index], error=f"{GRADER_GAVE_UP}{exc}"))
                    return None
                future = client.submit(grade_on_worker, message, options.modules, options.seed, options.timeout,
                                       options.memory_mb, options.submission_deadline(), pure=False)
                tasks[future] = (index, attempt)
                return future

            pending = as_completed([f for i in indices if i not in stage.errors if (f := submit(i, 0)) is not None])
            for future in pending:
                index, attempt = tasks.pop(future)
                try:
                    reply = future.result()
                except Exception as exc:  # noqa: BLE001 - the task itself died (its worker was lost)
                    reply = {"failure": ["crashed", f"the Dask task failed ({type(exc).__name__}: {exc})", False]}
                if "failure" not in reply:
                    try:
                        row = grade_reply(paths[index], reply, options, time.monotonic())
                        row.seconds = float(reply.get("seconds", 0.0))
                        final(index, row)
                        continue
                    except BadReply as exc:
                        reply = {"failure": ["crashed", f"a malformed reply: {exc}", False]}
                status, message, internal = reply["failure"]
                failure = GradingProcessFailure(status, message, internal)
                if attempt == 0 and not internal:
                    if (again := submit(index, 1)) is not None:
                        pending.add(again)
                else:
                    final(index, gave_up(paths[index], failure, options, 0.0))
    finally:
        stage.close()
    return [row for row in rows if row is not None]
