"""Watch mode: how long from saving a file to seeing the new result?

Starts `grade MODULE --watch` on a copy of the solutions, waits for the first report, then saves
a change to a file several times and measures, for each save, the time until the report for the
core components appears ("graded in ...") and until the bonus result follows. Prints the
figures next to the target (issue 7: at most 0.3 s for micrograd).

    python bench/watch_latency.py [--module micrograd] [--saves 8]
"""
from __future__ import annotations

import argparse
import os
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {"micrograd": "micrograd/engine.py", "bigram": "makemore/bigram.py", "mlp": "makemore/mlp.py",
         "batchnorm": "makemore/batchnorm.py"}


def read_until(proc, marker: str, timeout: float) -> float | None:
    """Seconds until a line containing `marker` appears on the process's stdout."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    started = time.monotonic()
    buffer = ""
    while time.monotonic() - started < timeout:
        for _ in sel.select(timeout=0.05):
            chunk = os.read(proc.stdout.fileno(), 65536).decode(errors="replace")
            buffer += chunk
            if marker in buffer:
                return time.monotonic()
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--module", default="micrograd")
    parser.add_argument("--saves", type=int, default=8)
    args = parser.parse_args()
    grade = shutil.which("grade") or str(Path(sys.executable).with_name("grade"))
    with tempfile.TemporaryDirectory() as tmp:
        exercises = Path(tmp) / "exercises"
        shutil.copytree(ROOT / "solutions", exercises)
        proc = subprocess.Popen([grade, args.module, "--watch", "--submission", str(exercises), "--seed", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
        try:
            if read_until(proc, "(seed 1", 60) is None:
                raise SystemExit("watch mode did not start")
            time.sleep(1.0)  # let the first bonus result land
            core, full = [], []
            target = exercises / FILES[args.module]
            for i in range(args.saves):
                saved = time.monotonic()
                target.write_text(target.read_text() + f"\n# save {i}\n")
                seen = read_until(proc, "graded in", 30)
                done = read_until(proc, "(seed 1", 30) if seen else None
                if args.module == "micrograd" and done:
                    later = read_until(proc, "deep_graphs", 30)
                    done = later or done
                if seen:
                    core.append(seen - saved)
                if done:
                    full.append(done - saved)
                time.sleep(1.5)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"grade {args.module} --watch, {args.saves} saves")
    print(f"save -> core components graded: median {statistics.median(core):.3f} s, best {min(core):.3f} s "
          f"(target for micrograd: at most 0.3 s)")
    print(f"save -> every component including bonus: median {statistics.median(full):.3f} s")


if __name__ == "__main__":
    main()
