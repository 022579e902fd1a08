"""How fast is `grade MODULE --solutions`, next to the floor `python -c "import torch"`?

Both are measured in this run, interleaved so that machine noise hits both alike. Prints
wall times (median and best of N), the ratio to the floor, and peak memory (the largest
resident set of any process in the run: judge or worker).

    python bench/grade_speed.py [--module micrograd] [--repeat 7]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS = {"micrograd": 1.5, "bigram": 1.5, "mlp": 2.0, "batchnorm": 1.5}  # from the issues


def measure(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB of the process tree's largest member)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed with exit status {proc.returncode}")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--module", default="micrograd")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    grade = shutil.which("grade") or str(Path(sys.executable).with_name("grade"))
    floor_cmd = [sys.executable, "-c", "import torch"]
    grade_cmd = [grade, args.module, "--solutions", "--seed", "1"]
    # Bytecode as an installed kit has it (pip compiles on install; PYTHONDONTWRITEBYTECODE may
    # be set here), so the grader is not charged for compiling itself on every run.
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "grader")], check=True)
    measure(floor_cmd), measure(grade_cmd)  # warm the file cache
    floors, grades = [], []
    for _ in range(args.repeat):
        floors.append(measure(floor_cmd))
        grades.append(measure(grade_cmd))
    f_wall = statistics.median(w for w, _ in floors)
    g_wall = statistics.median(w for w, _ in grades)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, repeat {args.repeat}")
    print(f"{'command':40} {'median s':>9} {'best s':>8} {'peak MiB':>9}")
    for name, runs in (('python -c "import torch"', floors), (" ".join(grade_cmd[1:]), grades)):
        print(f"{name:40} {statistics.median(w for w, _ in runs):9.3f} {min(w for w, _ in runs):8.3f} "
              f"{max(m for _, m in runs):9.0f}")
    target = TARGETS.get(args.module, 1.5)
    print(f"ratio grade / floor (medians): {g_wall / f_wall:.2f}x   (target: at most {target}x)")


if __name__ == "__main__":
    main()
