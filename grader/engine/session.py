"""One grading session, the same for every command (grade, watch, list, the learner's overview,
batch, the challenge, the pictures, the notebook and dev checks):

- `Options`: the one record of how student code runs (seed, per-call timeout, memory cap, a
  module's budget, isolation, the components chosen), built from the command line in one place
  (`options`); a worker's settings come from it (`worker_config`), not from a copy of its fields.
- `grade`: prepare the submission and grade it (`grader.engine.submission.handed_in`, `grader.engine.judge.run`).
- `record_progress`: the one place the learner's progress is kept (their own exercises only).
- `split_bonus`: the one place core components are told from bonus ones.
- `student_worker`: a worker (and sandbox) for kit tools that run student code outside a suite.

Nothing heavy is imported at the top: `grader.engine.judge.run` imports `Options` from here.
"""
from __future__ import annotations

import contextlib
import secrets
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass
class Options:
    seed: int
    timeout: float = 10.0  # per call into student code
    memory_mb: int = 4096
    budget: float = 100.0  # seconds for one module's checks, within SPEC's 120 s bound
    only: frozenset[str] | None = None  # component ids, or None for all
    # Start slow probes early in a worker of their own (faster alone; `grade batch` turns it off,
    # since there every core already has a submission of its own to grade).
    prefetch: bool = True
    isolation: str = "auto"  # auto, sandbox or process (grader.engine.worker.sandbox.mode)
    # Grade each manifest group (`share`) in one worker first, and again one worker per component
    # only where the group does not pass whole (grader.engine.judge.run.grade_module): cheaper
    # where most submissions pass, so `grade batch` turns it on.
    share: bool = False

    def worker_config(self, exercises: Path, **settings):
        """The settings of a worker that runs student code under these options (`settings` adds
        what only that worker knows: its set-up, a deadline, a fork server...)."""
        from grader.engine.worker import sandbox
        from grader.engine.worker.client import WorkerConfig

        settings.setdefault("isolation", sandbox.mode(self.isolation))
        return WorkerConfig(exercises=Path(exercises), timeout=self.timeout, memory_mb=self.memory_mb, **settings)


def options(seed: int | None = None, timeout: float = 10.0, memory_mb: int = 4096, isolation: str = "auto",
            only=None, prefetch: bool = True) -> Options:
    """The options of one run, from the command line's shared options: a fresh seed unless one is given."""
    return Options(seed=seed if seed is not None else secrets.randbelow(2**31), timeout=timeout, memory_mb=memory_mb,
                   only=None if only is None else frozenset(only), isolation=isolation, prefetch=prefetch)


def batch_options(seed: int | None, timeout: float, memory_mb: int) -> Options:
    """Every submission of a batch: one seed; no prefetch, since every core already grades a
    submission of its own (the judges run with the isolation `auto` makes); groups graded in one
    worker first, since most of a class's submissions pass most of them."""
    return replace(options(seed, timeout, memory_mb, prefetch=False), share=True)


def grade(submission, solutions: bool, names: list[str], opts: Options, all_modules: bool, cwd: Path | None = None):
    """Prepare the submission (a folder, notebooks, a zip, or the learner's own exercises) and grade
    `names` of it. Raises grader.engine.submission.handed_in.SubmissionError when it cannot be graded."""
    from grader.engine.submission.handed_in import grade_prepared, prepare

    with prepare(submission, solutions, names, cwd=cwd) as prepared:
        return grade_prepared(prepared, names, opts, all_modules=all_modules)


def own_checkout(submission, solutions: bool, cwd: Path | None = None) -> Path | None:
    """The learner's checkout when what is graded is their own exercises (no --submission, not
    the kit's solutions): only then is progress kept."""
    from grader.engine.submission.handed_in import find_checkout

    if submission is not None or solutions:
        return None
    return find_checkout(cwd or Path.cwd())


def record_progress(root: Path | None, result) -> None:
    """Keep the learner's progress for `grade`, `grade list` and the watch screen."""
    from grader.engine import progress

    if root is not None:
        progress.record(root, result)


def split_bonus(components) -> tuple[list, list]:
    """(core, bonus): anything with a `bonus` attribute, manifest components or results alike."""
    return [c for c in components if not c.bonus], [c for c in components if c.bonus]


def chosen_components(names: list[str], only) -> list:
    """The manifest components of `names` that `only` picks (all when None)."""
    from grader.engine import manifest

    return [c for n in names for c in manifest.load()[n].components if only is None or c.id in only]


def bonus_pass(opts: Options, names: list[str], bonus: bool) -> tuple[list[str], Options]:
    """The modules and options of one pass of a watch: the core components, or the bonus ones."""
    from grader.engine import manifest

    core, extra = split_bonus(chosen_components(names, opts.only))
    ids = frozenset(c.id for c in (extra if bonus else core))
    return [n for n in names if any(c.id in ids for c in manifest.load()[n].components)], replace(opts, only=ids)


@contextlib.contextmanager
def student_worker(exercises: Path, opts: Options, module: str, probes: str | None = None, torch: bool = False):
    """A worker for a kit tool (the challenge, the pictures) that runs student code outside a
    suite: the same worker, sandbox and limits as grading, on a judge's copy of the submission,
    holding nothing withheld (it grades nothing). `probes` names the probe module to preload."""
    from grader.engine.worker.client import Worker, probe_setup
    from grader.engine.worker.copying import copy_submission

    setup = probe_setup(module)
    if probes is not None:
        setup["preload"] = [f"grader.probes.{probes}"]
    with tempfile.TemporaryDirectory(prefix="grade-tool-") as tmp:
        copy = Path(tmp) / "exercises"
        copy_submission(Path(exercises), copy)
        with Worker(opts.worker_config(copy, torch=torch, setup=setup)) as worker:
            yield worker
