"""`grade batch`: many submissions, graded in parallel by warm judges, into one CSV.

Each of the `--jobs` judges is a process that imports torch, pytest and the suites once, keeps a
fork server for its workers, and grades one submission after another (`serve`). The parent hands
out paths as judges become free, so one slow or hostile submission only ever holds up its own
judge, and only for as long as its own time limits allow. Every path given gets a row, always:
a path that cannot be graded gets zeros and the reason.
"""
from __future__ import annotations

import csv
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import manifest


@dataclass
class Row:
    path: str
    result: dict | None = None  # the SPEC §5 JSON of `grade all`
    error: str = ""
    seconds: float = 0.0
    grading_seconds: float = 0.0  # the judge's own time in the modules (without the batch overhead)

    @property
    def score(self) -> float:
        return self.result["score"] if self.result else 0.0


@dataclass
class BatchOptions:
    seed: int
    jobs: int = 2
    timeout: float = 10.0
    memory_mb: int = 4096
    extra: list[str] = field(default_factory=list)


# -- the judge process ------------------------------------------------------------------------

def serve(seed: int, timeout: float, memory_mb: int) -> None:
    """Read submission paths (JSON lines) on stdin, write one JSON result line each on stdout."""
    from grader.judge.run import Options, start_forkserver
    from grader.submission import SubmissionError, grade_prepared, prepare

    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # nothing else may write to the channel the parent reads
    names = manifest.module_names()
    forkserver = start_forkserver()
    try:
        for line in sys.stdin:
            path = json.loads(line)["path"]
            started = time.monotonic()
            row = {"path": path}
            try:
                options = Options(seed=seed, timeout=timeout, memory_mb=memory_mb, prefetch=False)
                with prepare(path, False, names) as prepared:
                    result = grade_prepared(prepared, names, options, all_modules=True, forkserver=forkserver)
                row["result"] = result.to_json()
                row["grading_seconds"] = sum(m.duration for m in result.modules)
            except SubmissionError as exc:
                row["error"] = str(exc)
            row["seconds"] = time.monotonic() - started
            out.write(json.dumps(row) + "\n")
    finally:
        forkserver.close()


# -- the parent ---------------------------------------------------------------------------------

class Judge:
    def __init__(self, options: BatchOptions):
        cmd = [sys.executable, "-m", "grader.batch", "--serve", "--seed", str(options.seed),
               "--timeout", str(options.timeout), "--memory-mb", str(options.memory_mb)]
        # One thread per judge: the references are tiny tensors, and idle OpenMP threads that
        # spin would take the core another job needs.
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                        stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def grade(self, path: str) -> Row:
        self.process.stdin.write(json.dumps({"path": path}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the judge process ended (exit status {self.process.wait()})")
        data = json.loads(line)
        return Row(path, data.get("result"), data.get("error", ""), data["seconds"], data.get("grading_seconds", 0.0))

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except Exception:
            self.process.kill()


def run_batch(paths: list[str], options: BatchOptions, on_row=lambda row: None) -> list[Row]:
    todo: queue.Queue = queue.Queue()
    for index, path in enumerate(paths):
        todo.put((index, path))
    rows: list[Row | None] = [None] * len(paths)

    def work():
        judge = Judge(options)
        try:
            while True:
                try:
                    index, path = todo.get_nowait()
                except queue.Empty:
                    return
                started = time.monotonic()
                try:
                    row = judge.grade(path)
                except (RuntimeError, OSError, ValueError) as exc:  # the judge itself failed: a new one
                    row = Row(path, error=f"grader error: {exc}", seconds=time.monotonic() - started)
                    judge.close()
                    judge = Judge(options)
                rows[index] = row
                on_row(row)
        finally:
            judge.close()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(options.jobs, len(paths))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [row for row in rows if row is not None]


def component_columns() -> list[str]:
    return [c.id for m in manifest.load().values() for c in m.components]


def write_csv(rows: list[Row], path: Path, seed: int) -> None:
    columns = component_columns()
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", "score", "max_score", *columns, "seed", "error"])
        max_score = sum(m.points for mod in manifest.load().values() for m in mod.components if not m.bonus)
        for row in rows:
            scores = {}
            if row.result:
                scores = {c["id"]: c["score"] for m in row.result["modules"] for c in m["components"]}
            writer.writerow([row.path, f"{row.score:g}", f"{max_score:g}",
                             *[f"{scores.get(c, 0.0):g}" for c in columns], seed, row.error])


def write_json_dir(rows: list[Row], folder: Path) -> None:
    """One file per submission, named by its path below the submissions' common folder."""
    folder.mkdir(parents=True, exist_ok=True)
    resolved = [Path(row.path).resolve() for row in rows]
    common = Path(os.path.commonpath(resolved)) if len(resolved) > 1 else resolved[0].parent if resolved else None
    used: set[str] = set()
    for row, path in zip(rows, resolved):
        rel = path.relative_to(common).as_posix() if common and path != common else path.name
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", rel.replace("/", "__")) or "submission"
        name, k = stem, 1
        while name in used:
            k += 1
            name = f"{stem}-{k}"
        used.add(name)
        data = row.result or {"version": 1, "score": 0.0, "error": row.error, "modules": []}
        data = {**data, "submission": row.path}
        (folder / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="grader.batch")
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--memory-mb", type=int, default=4096)
    args = parser.parse_args()
    serve(args.seed, args.timeout, args.memory_mb)


if __name__ == "__main__":
    main()
