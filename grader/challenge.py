"""`grade mlp --challenge`: the lecture's exercise E01, beat a dev loss of 2.2.

It trains with the learner's own `init_mlp`, `train_mlp` and `evaluate` and the settings in
`CHALLENGE` (exercises/makemore/mlp.py) on the real names split, in chunks so that a progress
bar can follow, within a time budget. It reports; it does not count towards any score.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.worker import sandbox
from grader.worker.client import StudentFailure, Worker, WorkerConfig, probe_setup

TARGET = 2.2
CHUNK_SECONDS = 2.0  # aim for a progress update about this often


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

    @property
    def beaten(self) -> bool:
        return self.dev_loss is not None and self.dev_loss < self.target


def run_challenge(exercises: Path, budget: float, progress: bool = True) -> ChallengeReport:
    from grader.data import load_names
    from grader.references import bigram as bigram_ref
    from grader.references import mlp as ref

    words = load_names()
    stoi, _ = bigram_ref.build_vocab(words)
    started = time.monotonic()
    config = WorkerConfig(exercises=exercises, timeout=max(60.0, budget), torch=True,
                          isolation=sandbox.mode("auto"), setup=probe_setup("mlp", None))
    settings: dict = {}
    with Worker(config) as worker:
        call = lambda probe, **args: worker.call("mlp", probe, load=[("makemore.mlp", None)], **args)[0]  # noqa: E731
        try:
            settings = call("challenge_settings")
            train, dev, _ = ref.split_words(words)
            (Xtr, Ytr), (Xdev, Ydev) = (ref.build_dataset(part, stoi, settings["block_size"]) for part in (train, dev))
            call("challenge_start", Xtr=Xtr.numpy(), Ytr=Ytr.numpy(), Xdev=Xdev.numpy(), Ydev=Ydev.numpy(),
                 vocab_size=len(stoi))
            done = _train(call, settings, started, budget, progress)
            losses = call("challenge_evaluate")
        except StudentFailure as failure:
            return ChallengeReport(TARGET, None, None, 0, settings.get("steps", 0), time.monotonic() - started,
                                   budget, settings, f"{failure.status.value}: {failure.message}")
    message = "" if done == settings["steps"] else f"stopped at the time budget of {budget:g} s"
    return ChallengeReport(TARGET, losses["train"], losses["dev"], done, settings["steps"],
                           time.monotonic() - started, budget, settings, message)


def _train(call, settings, started, budget, progress) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    total, done, chunk = settings["steps"], 0, 200
    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("loss {task.fields[loss]}"),
               TimeRemainingColumn())
    from rich.console import Console

    with Progress(*columns, disable=not progress, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("train", total=total, loss="…")
        while done < total and time.monotonic() - started < budget:
            step = min(chunk, total - done)
            t0 = time.monotonic()
            loss = call("challenge_train", done=done, steps=step)
            done += step
            bar.update(task, completed=done, loss=f"{loss:.3f}")
            # Size chunks to the learner's speed: a fresh bar about every CHUNK_SECONDS.
            chunk = max(50, int(step * CHUNK_SECONDS / max(time.monotonic() - t0, 1e-3)))
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
    lines += [f"  trained {report.steps_done:,} of {report.steps_planned:,} steps in {report.seconds:.0f} s"
              + (f" ({report.message})" if report.message else ""),
              f"  train loss {report.train_loss:.4f}   dev loss {report.dev_loss:.4f}",
              f"  {'Beaten!' if report.beaten else 'Not yet'}: dev {report.dev_loss:.4f} "
              f"{'<' if report.beaten else '>='} {report.target}. This is a report; it does not count towards the score."]
    return "\n".join(lines)
