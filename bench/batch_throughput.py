"""Batch throughput: 100 generated submissions (correct, broken and hostile), graded with
`--jobs 1` and `--jobs 2`. Prints submissions per minute, parallel efficiency, and the
per-submission overhead beyond grading itself.

    python bench/batch_throughput.py [--count 100] [--jobs 1 2]

Targets on a 2-core machine: at least 40 full-kit submissions per minute with --jobs 2 (issue
12), parallel efficiency at least 85%.
"""
from __future__ import annotations

import argparse
import importlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

TANH = "        t = math.tanh(self.data)\n"
HOSTILE = [  # (name, file, anchor, code inserted after the anchor)
    ("infinite-loop", "micrograd/engine.py", TANH, "        while True:\n            pass\n"),
    ("exit-in-method", "makemore/bigram.py", "    P = N.float() + smoothing\n", "    import os; os._exit(0)\n"),
    ("ten-megabytes-of-output", "makemore/mlp.py", '    emb = params["C"][X]\n', "    print('x' * 10_000_000)\n"),
    ("sys-exit-at-import", "micrograd/nn.py", "import random\n", "import sys; sys.exit(0)\n"),
    ("memory-bomb", "micrograd/engine.py", TANH, "        hog = [0] * (10 ** 10)\n"),
]


def make_submissions(folder: Path, count: int) -> list[str]:
    mutants = [m for name in ("micrograd", "bigram", "mlp", "batchnorm")
               for m in getattr(_try_import(f"mutants.{name}"), "MUTANTS", [])]
    paths = []
    for i in range(count):
        sub = folder / f"student-{i:03d}"
        exercises = sub / "exercises"
        shutil.copytree(ROOT / "solutions", exercises, ignore=shutil.ignore_patterns("__pycache__"))
        kind = i % 10
        if 5 <= kind <= 7 and mutants:  # 30% broken: a realistic mistake
            _apply(exercises, mutants[i % len(mutants)].edits)
        elif kind >= 8:  # 20% hostile, each kind in turn (i % 5 would only ever pick two of them)
            _, rel, anchor, code = HOSTILE[(2 * (i // 10) + kind - 8) % len(HOSTILE)]
            _apply(exercises, {rel: [(anchor, anchor + code)]})
        paths.append(str(sub))
    return paths


def _try_import(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _apply(exercises: Path, edits: dict) -> None:
    for rel, pairs in edits.items():
        path = exercises / rel
        text = path.read_text()
        for old, new in pairs:
            text = text.replace(old, new, 1)
        path.write_text(text)


def _time_limit_share(rows, wall: float, jobs: int) -> None:
    """How much of the run the per-call time limit itself took: an infinite loop is graded only
    when its call has run for the whole limit (10 s by default), twice over where its group was
    graded first. Printed beside the rate, never subtracted from it."""
    from grader.engine.model import Status

    hung = [r for r in rows if r.result and any(c.status is Status.TIMEOUT for m in r.result.modules
                                                    for c in m.components)]
    others = [r.seconds for r in rows if r not in hung]
    if not hung or not others:
        return
    spent = sum(r.seconds for r in hung)
    extra = spent - len(hung) * statistics.median(others)
    rest = 60 * (len(rows) - len(hung)) / (wall - spent / jobs)
    print(f"  {len(hung)} submissions hit the time limit: {extra:.0f} s of judges' time beyond a usual "
          f"submission's ({extra / (wall * jobs):.0%} of the run); the other {len(rows) - len(hung)} "
          f"at {rest:.1f} per minute")


def main() -> None:
    from grader.instructor.batch import BatchOptions, run_batch
    from grader.engine.session import Options

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_submissions(Path(tmp), args.count)
        walls = {}
        for jobs in args.jobs:
            started = time.monotonic()
            rows = run_batch(paths, BatchOptions(Options(seed=1), jobs=jobs))
            wall = time.monotonic() - started
            walls[jobs] = wall
            overhead = statistics.mean(r.seconds - r.grading_seconds for r in rows)
            grading = statistics.mean(r.grading_seconds for r in rows)
            bad = sum(1 for r in rows if r.error)
            print(f"--jobs {jobs}: {len(rows)} submissions in {wall:6.1f} s = {60 * len(rows) / wall:5.1f} per minute; "
                  f"grading {grading:.2f} s per submission, overhead beyond grading {1000 * overhead:.0f} ms "
                  f"per submission in the judge, {1000 * (wall * jobs / len(rows) - grading - overhead):.0f} ms in the "
                  f"batch parent/startup; {bad} rows with errors")
            for error in sorted({r.error for r in rows if r.error})[:5]:
                print(f"  error: {error[:200]}")
            _time_limit_share(rows, wall, jobs)
        if 1 in walls and len(walls) > 1:
            for jobs, wall in walls.items():
                if jobs > 1:
                    print(f"parallel efficiency at --jobs {jobs}: {walls[1] / wall / jobs:.0%} (target: at least 85%)")
        print("target: at least 40 full-kit submissions per minute with --jobs 2")


if __name__ == "__main__":
    main()
