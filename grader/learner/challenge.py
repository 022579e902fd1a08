"""`grade mlp --challenge`: the lecture's exercise E01, beat a dev loss of 2.2.

It trains with the learner's own `init_mlp`, `train_mlp` and `evaluate` and the settings in
`CHALLENGE` (exercises/makemore/mlp.py) on the real names split, in chunks so that a progress
bar can follow, within a time budget. It reports; it does not count towards any score.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from grader.engine.worker.client import StudentFailure

TARGET = 2.2
CHUNK_SECONDS = 2.0  # aim for a progress update about this often
FIRST_CHUNK = 50  # steps, to measure the learner's speed before sizing the rest
# The learner's training runs on one thread (grader.engine.worker.launch.worker_env sets it for every
# worker): its matrices are small (a batch of 64 by a few hundred), where torch's thread pool gains
# nothing, and on a busy machine its threads wait for each other: the shipped settings measured 9x
# slower with 2 threads than with 1 on a loaded 2-core machine (bench/challenge_speed.py).


@dataclass
class ChallengeReport:
    target: float
    train_loss: float | None
    dev_loss: float | None
    steps_done: int
    steps_planned: int
    seconds: float
    budget: float
    settings: dict
    message: str = ""
    training_seconds: float = 0.0  # of `seconds`, the time spent in train_mlp (what the budget limits)

    @property
    def beaten(self) -> bool:
        return self.dev_loss is not None and self.dev_loss < self.target




def run_challenge(exercises: Path, budget: float, progress: bool = True, options=None) -> ChallengeReport:
    """Train with the learner's code for at most `budget` seconds of training (loading the data
    and starting the worker do not count), then evaluate on the train and dev splits, in the
    session's worker and sandbox (`options`: grader.engine.session.Options; by default a fresh one)."""
    from grader.engine import session
    from grader.engine.names_data import load_names
    from grader.references import bigram as bigram_ref
    from grader.references import mlp as ref

    words = load_names()
    stoi, _ = bigram_ref.build_vocab(words)
    started = time.monotonic()
    options = options or session.options()
    # A chunk of training is one call: its limit is the budget's, not a check's.
    options = replace(options, timeout=max(60.0, budget, options.timeout))
    settings: dict = {}
    clock = _Clock(budget)
    # one thread: grader.engine.worker.launch.worker_env sets it for every worker
    with session.student_worker(exercises, options, "mlp", torch=True) as worker:
        call = lambda probe, **args: worker.call("mlp", probe, load=[("makemore.mlp", None)], **args)[0]  # noqa: E731
        try:
            settings = call("challenge_settings")
            train, dev, _ = ref.split_words(words)
            (Xtr, Ytr), (Xdev, Ydev) = (ref.build_dataset(part, stoi, settings["block_size"]) for part in (train, dev))
            call("challenge_start", Xtr=Xtr.numpy(), Ytr=Ytr.numpy(), Xdev=Xdev.numpy(), Ydev=Ydev.numpy(),
                 vocab_size=len(stoi))
            done = _train(call, settings, clock, progress)
            losses = call("challenge_evaluate")
        except StudentFailure as failure:
            return ChallengeReport(TARGET, None, None, 0, settings.get("steps", 0), time.monotonic() - started,
                                   budget, settings, f"{failure.status.value}: {failure.message}", clock.spent)
    message = "" if done == settings["steps"] else f"stopped at the time budget of {budget:g} s"
    return ChallengeReport(TARGET, losses["train"], losses["dev"], done, settings["steps"],
                           time.monotonic() - started, budget, settings, message, clock.spent)


class _Clock:
    """Training time against the budget, and the honest time left."""

    def __init__(self, budget: float):
        self.budget, self.spent = budget, 0.0

    def chunk(self, done: int, total: int) -> int:
        """Steps for the next call: about CHUNK_SECONDS of them, never many past the budget."""
        if done == 0 or self.spent <= 0:
            return min(FIRST_CHUNK, total)
        rate = done / self.spent
        room = max(1, int(rate * (self.budget - self.spent)))
        return max(1, min(total - done, int(rate * CHUNK_SECONDS) or 1, room))

    def left(self, done: int, total: int) -> str:
        if done == 0 or self.spent <= 0:
            return "measuring speed…"
        rate = done / self.spent
        need, room = (total - done) / rate, self.budget - self.spent
        if need <= room:
            return f"about {_duration(need)} left"
        return f"the budget stops it in {_duration(room)}, near step {done + int(rate * room):,}"


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


def _train(call, settings, clock: _Clock, progress) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    total, done = settings["steps"], 0
    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("loss {task.fields[loss]}"),
               TextColumn("{task.fields[left]}"))
    with Progress(*columns, disable=not progress, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("train", total=total, loss="…", left=clock.left(0, total))
        while done < total and clock.spent < clock.budget:
            step = clock.chunk(done, total)
            t0 = time.monotonic()
            loss = call("challenge_train", done=done, steps=step)
            clock.spent += time.monotonic() - t0
            done += step
            bar.update(task, completed=done, loss=f"{loss:.3f}", left=clock.left(done, total))
    return done


def render_challenge(report: ChallengeReport, fmt: str) -> str:
    if fmt == "json":
        data = {k: v for k, v in asdict(report).items()}
        data["beaten"] = report.beaten
        return json.dumps(data, indent=2)
    lines = [f"The MLP challenge (lecture exercise E01): a dev loss below {report.target}",
             f"  settings: {report.settings}"]
    if report.dev_loss is None:
        lines.append(f"  no result: {report.message}")
        return "\n".join(lines)
    lines += [f"  trained {report.steps_done:,} of {report.steps_planned:,} steps in {report.training_seconds:.0f} s "
              f"({report.seconds:.0f} s in all)" + (f"; {report.message}" if report.message else ""),
              f"  train loss {report.train_loss:.4f}   dev loss {report.dev_loss:.4f}",
              f"  {'Beaten!' if report.beaten else 'Not yet'}: dev {report.dev_loss:.4f} "
              f"{'<' if report.beaten else '>='} {report.target}. This is a report; it does not count towards the score."]
    return "\n".join(lines)
