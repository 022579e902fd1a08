"""The MLP challenge on the shipped settings: how long does `grade mlp --challenge` take?

1. The cost of one training step of the shipped CHALLENGE settings (the solutions' train_mlp,
   in a fresh process per thread count), with 1 thread (what the challenge uses) and with
   torch's default, and what that makes for all the steps.
2. `grade mlp --challenge --solutions` end to end: the training time, the time in all, the
   steps done and the dev loss (the README's figure).

It prints figures (and the machine's load, which they depend on); it asserts nothing.

    python bench/challenge_speed.py [--sample 2000] [--no-full]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STEP = r"""
import sys, time, torch
threads = int(sys.argv[1])
if threads:
    torch.set_num_threads(threads)
sys.path.insert(0, sys.argv[3])
from makemore import mlp
from grader.engine.names_data import load_names
from grader.references import bigram as bigram_ref, mlp as ref
s = mlp.CHALLENGE
stoi, _ = bigram_ref.build_vocab(load_names())
X, Y = ref.build_dataset(ref.split_words(load_names())[0], stoi, s["block_size"])
g = torch.Generator().manual_seed(s["seed"])
params = mlp.init_mlp(len(stoi), s["block_size"], s["n_embd"], s["n_hidden"], generator=g)
mlp.train_mlp(params, X, Y, 100, batch_size=s["batch_size"], lr=0.1, generator=g)  # warm up
steps = int(sys.argv[2])
started, cpu = time.perf_counter(), time.process_time()
mlp.train_mlp(params, X, Y, steps, batch_size=s["batch_size"], lr=0.1, generator=g)
print((time.perf_counter() - started) / steps, (time.process_time() - cpu) / steps, s["steps"], torch.get_num_threads())
"""


def per_step(threads: int, sample: int) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds) per step, the shipped number of steps, the threads used."""
    out = subprocess.run([sys.executable, "-c", STEP, str(threads), str(sample), str(ROOT / "solutions")],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    return float(out[0]), float(out[1]), int(out[2]), int(out[3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=2000, help="steps timed per thread count")
    parser.add_argument("--no-full", action="store_true", help="skip the end-to-end challenge run")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}")
    for threads, name in ((1, "1 thread (the challenge's)"), (0, "torch's default")):
        seconds, cpu, steps, used = per_step(threads, args.sample)
        print(f"  one step, {name}, {used} thread(s): {seconds * 1e3:.2f} ms wall ({cpu * 1e3:.2f} ms CPU) -> "
              f"{steps:,} steps in {seconds * steps:.0f} s")
    if args.no_full:
        return
    grade = [sys.executable, "-c", "from grader.cli import main; main()"]
    started, before = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(grade + ["mlp", "--challenge", "--solutions", "--format", "json"], capture_output=True,
                          text=True, cwd=ROOT)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    report = json.loads(done.stdout)
    print(f"grade mlp --challenge --solutions: {wall:.0f} s wall, of which training {report['training_seconds']:.0f} s; "
          f"{report['steps_done']:,} of {report['steps_planned']:,} steps; dev loss {report['dev_loss']:.4f} "
          f"({'beaten' if report['beaten'] else 'not beaten'}); {cpu:.0f} s of CPU (what an idle core needs); "
          "load average now " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
