"""Grading many submissions with `--jobs` warm judges, none of which can cost another student.

Before the first submission is graded, every one is snapshotted into a private folder (see
`snapshot`). A thread per job owns a judge and takes submissions as it becomes free, so a slow
or hostile one holds up only its own judge. The parent bounds each submission by its own wall
clock; a judge that overruns, dies or answers with anything but a reply to the request in hand
is killed with its whole process group and replaced. Its submission is graded once more on a
fresh judge, but only after every submission that was being graded when it failed has finished
(any of them may have been the one that killed it); a second failure is final and the row says
so. Scores are never read from a reply: `trust` recomputes them from statuses and the manifest.
"""
from __future__ import annotations

import collections
import json
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine import manifest
from grader.instructor.batch.handle import GradingProcessFailure, GradingProcess
from grader.instructor.batch.output import GRADER_GAVE_UP, Row
from grader.engine.session import Options
from grader.instructor.batch.snapshot import Snapshot, SnapshotError, take
from grader.instructor.batch.trust import BadReply, failed_result, trusted_result

JUDGE_STARTUP = 60.0  # seconds a fresh judge may take to import torch, pytest and the suites


@dataclass
class BatchOptions:
    """A batch: the session's options for every submission (grader.engine.session.Options: seed,
    timeout, memory...), and what only a batch has."""
    session: Options
    jobs: int = 2
    modules: list[str] = field(default_factory=manifest.module_names)
    deadline: float | None = None  # wall-clock seconds per submission (default: from the modules)

    # Read through to the session's record (never a copy of its fields).
    seed = property(lambda self: self.session.seed)
    timeout = property(lambda self: self.session.timeout)
    memory_mb = property(lambda self: self.session.memory_mb)

    def submission_deadline(self) -> float:
        # SPEC §4 bounds a module at 120 s whatever the submission does; a little more per module.
        return self.deadline if self.deadline is not None else JUDGE_STARTUP + 130.0 * len(self.modules)


class WorkQueue:
    """Submissions to grade, and the retries that wait for the submissions they overlapped."""

    def __init__(self, indices):
        self.pending = collections.deque((i, 0, frozenset()) for i in indices)
        self.running: dict[int, int] = {}  # attempt token -> submission index
        self.cond = threading.Condition()
        self._tokens = 0

    def take(self):
        with self.cond:
            while True:
                for k, (index, attempt, after) in enumerate(self.pending):
                    if not after & self.running.keys():
                        del self.pending[k]
                        self._tokens += 1
                        self.running[self._tokens] = index
                        return self._tokens, index, attempt
                if not self.pending and not self.running:
                    return None
                self.cond.wait()

    def done(self, token: int, retry_index: int | None = None) -> None:
        with self.cond:
            del self.running[token]
            if retry_index is not None:
                self.pending.append((retry_index, 1, frozenset(self.running)))
            self.cond.notify_all()


class Stage:
    """Every submission's snapshot, taken at the start, in a private folder of the run."""

    def __init__(self, paths: list[str], indices: list[int]):
        self.paths = paths
        self.folder = Path(tempfile.mkdtemp(prefix="grade-batch-stage-"))
        self.digests: dict[int, str] = {}
        self.errors: dict[int, str] = {}
        for i in indices:
            try:
                snap = take(paths[i])
            except (SnapshotError, OSError) as exc:
                self.errors[i] = str(exc)
                continue
            self.digests[i] = snap.digest
            (self.folder / f"{i}.json").write_text(json.dumps(snap.to_message()), encoding="utf-8")

    def message(self, index: int) -> dict:
        """The snapshot taken at the start, as sent to a judge. If its private copy was changed
        meanwhile, the original is taken again, and used if it is still what it was; if both
        changed, the submission is not graded (SnapshotError), rather than graded on someone
        else's edit."""
        try:
            data = json.loads((self.folder / f"{index}.json").read_text(encoding="utf-8"))
            if Snapshot.from_message(data).digest == self.digests[index]:
                return data
        except (OSError, ValueError, KeyError, TypeError):
            pass
        try:
            again = take(self.paths[index])
        except (SnapshotError, OSError):
            again = None
        if again is not None and again.digest == self.digests[index]:
            return again.to_message()
        raise SnapshotError("its files changed while the batch ran, in the original and in the grader's own copy "
                            "taken at the start: grade it again")

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def grade_reply(path: str, reply: dict, options: BatchOptions, started: float) -> Row:
    """A row from a judge's reply, believing its statuses only (raises BadReply)."""
    seconds = time.monotonic() - started
    if "internal_error" in reply:
        last = str(reply["internal_error"]).strip().splitlines()[-1:] or ["?"]
        return Row(path, error=f"{GRADER_GAVE_UP}internal error ({last[0][:300]})", seconds=seconds, internal=True)
    if "error" in reply:
        return Row(path, error=str(reply["error"])[:2000], seconds=seconds)
    result = trusted_result(reply.get("result"), options.modules, options.seed, reply.get("internal", []))
    grading, peak = reply.get("grading_seconds"), reply.get("peak_memory_mb")
    return Row(path, result, seconds=seconds, grading_seconds=float(grading) if isinstance(grading, (int, float)) else 0.0,
               internal=result.internal_error, peak_memory_mb=float(peak) if isinstance(peak, (int, float)) else None)


def gave_up(path: str, failure: GradingProcessFailure, options: BatchOptions, seconds: float) -> Row:
    what = ("did not finish within the deadline" if failure.status == "timeout" else "was killed or died")
    message = f"not graded: the process grading this submission {what}, twice ({failure.message})"
    return Row(path, failed_result(options.modules, options.seed, failure.status, message),
               error=GRADER_GAVE_UP + message, seconds=seconds, internal=failure.internal)


def run_batch(paths: list[str], options: BatchOptions, on_row=lambda row: None, skip=frozenset()) -> list[Row]:
    """Grade `paths` (but those in `skip`); `on_row` is called with each row as it is final.
    Returns the rows, in the order of `paths`."""
    indices = [i for i, p in enumerate(paths) if p not in skip]
    rows: list[Row | None] = [None] * len(paths)
    lock = threading.Lock()
    cwd = tempfile.mkdtemp(prefix="grade-batch-")  # the judges' folder: empty, the run's own

    def final(index: int, row: Row) -> None:
        with lock:
            rows[index] = row
            on_row(row)

    def new_judge() -> GradingProcess:
        return GradingProcess(options.modules, options.seed, options.timeout, options.memory_mb, cwd)

    jobs = max(1, min(options.jobs, len(indices)))
    judges = [new_judge() for _ in range(jobs)] if indices else []  # warming up while we snapshot
    stage = Stage(paths, indices)
    queue = WorkQueue([i for i in indices if i not in stage.errors])
    for i, error in stage.errors.items():
        final(i, Row(paths[i], error=error))

    crashed: list[BaseException] = []

    def work(slot: int) -> None:
        try:
            grade_all(slot)
        except BaseException as exc:  # writing a row failed (a full disk): stop, and say so
            crashed.append(exc)
            with queue.cond:
                queue.pending.clear()
                queue.cond.notify_all()

    def grade_all(slot: int) -> None:
        while (item := queue.take()) is not None:
            token, index, attempt = item
            started = time.monotonic()
            retry = None
            try:
                message = stage.message(index)
                deadline = started + options.submission_deadline()
                row = grade_reply(paths[index], judges[slot].ask({"snapshot": message}, deadline), options, started)
            except SnapshotError as exc:
                row = Row(paths[index], error=f"{GRADER_GAVE_UP}{exc}", seconds=time.monotonic() - started)
            except (GradingProcessFailure, BadReply) as exc:
                failure = exc if isinstance(exc, GradingProcessFailure) \
                    else GradingProcessFailure("crashed", f"a malformed reply: {exc}")
                judges[slot].close(kill=True)
                judges[slot] = new_judge()
                row = None
                if attempt == 0 and not failure.internal:
                    retry = index
                else:
                    row = gave_up(paths[index], failure, options, time.monotonic() - started)
            except Exception as exc:  # noqa: BLE001 - a bug of ours must not stop the class's grading
                row = Row(paths[index], error=f"{GRADER_GAVE_UP}internal error ({type(exc).__name__}: {exc})",
                          seconds=time.monotonic() - started, internal=True)
            try:
                if row is not None:
                    final(index, row)
            finally:
                queue.done(token, retry)

    threads = [threading.Thread(target=work, args=(slot,), daemon=True) for slot in range(jobs)]
    finished = False
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        finished = True
    finally:
        for judge in judges:
            judge.close(kill=not finished)
        stage.close()
        shutil.rmtree(cwd, ignore_errors=True)
    if crashed:
        raise crashed[0]
    return [row for row in rows if row is not None]
