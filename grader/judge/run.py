"""Grading a module: start a worker, run the module's hidden suite under pytest, collect results."""
from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from grader import manifest
from grader.model import ModuleResult, RunResult, Status
from grader.worker.client import Worker, WorkerConfig

SUITES = Path(__file__).resolve().parent.parent / "suites"
KIT = SUITES.parent  # the grader package: watched for changes while a submission is graded
WORKER_KINDS = {
    # micrograd is pure Python: its worker must not even have numpy loaded.
    "pure": {"forbid": ("torch", "numpy"), "preload": ()},
    "torch": {"forbid": (), "preload": ("numpy", "torch")},
}


def _preload(module) -> tuple[str, ...]:
    # The probes (and what they import) load before the submission goes on sys.path, so a
    # student file named like a standard module (random.py, json.py) cannot stand in for it.
    return WORKER_KINDS[module.worker]["preload"] + (f"grader.probes.{module.name}",)


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


@contextlib.contextmanager
def _environ(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def start_forkserver():
    """A fork server with torch imported: every torch worker of this run is a fork of it. One
    thread per worker: a grade must not depend on (or compete for) the machine's cores."""
    from grader.worker.client import worker_env
    from grader.worker.forkserver import ForkServer

    env = {**worker_env(), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return ForkServer(WORKER_KINDS["torch"]["preload"], env)


def kit_fingerprint() -> list[tuple[str, int, int]]:
    """Size and modification time of every file of the grader package: a submission that edits
    or deletes them while it is graded is caught (they are the instructor's, not the student's)."""
    return sorted((str(p), st.st_size, st.st_mtime_ns) for p in KIT.rglob("*")
                  if "__pycache__" not in p.parts and p.is_file() and (st := p.stat()))


def grade_module(name: str, exercises: Path, options: Options, forkserver=None) -> ModuleResult:
    import pytest  # here, not at the top: the worker starts first and imports while pytest loads

    from grader.judge.plugin import GradingPlugin

    module = manifest.load()[name]
    started = time.monotonic()
    before = kit_fingerprint()
    kind = WORKER_KINDS[module.worker]
    config = WorkerConfig(
        exercises=exercises, forbid=kind["forbid"], preload=_preload(module), timeout=options.timeout,
        memory_mb=options.memory_mb, deadline=started + options.budget,
        forkserver=forkserver if module.worker == "torch" else None,
    )
    only = None if options.only is None else set(options.only)
    with contextlib.ExitStack() as stack:
        worker = stack.enter_context(Worker(config))
        prefetched = _prefetch(module, config, options.seed, only, stack) if options.prefetch else {}
        plugin = GradingPlugin(module, worker, options.seed, only, prefetched)
        args = [
            str(SUITES / module.suite), "-c", str(SUITES / "pytest.ini"), "--rootdir", str(SUITES),
            "-s", "--assert=plain", "--import-mode=importlib", "-W", "ignore",
            "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:faulthandler",
            "-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:stepwise",
            "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:logging",
        ]
        with _environ(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"):
            code = pytest.main(args, plugins=[plugin])
        if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            plugin.internal_errors.append(f"the hidden suite did not run (pytest exit code {int(code)})")
        components = plugin.results()
    if kit_fingerprint() != before:
        for c in components:
            c.status, c.message = Status.ERROR, ("the grader's own files changed while this submission was graded: "
                                                "no result can be trusted (reinstall the kit)")
    return ModuleResult(name, module.title, components, options.seed, time.monotonic() - started)


def _prefetch(module, config: WorkerConfig, seed: int, only, stack) -> dict:
    """Start the suite's slow, torch-free probes now, each in a worker of its own, so they run
    while this process imports torch and pytest (see the suite package's `prefetch`)."""
    import importlib

    suite = importlib.import_module(f"grader.suites.{module.suite}")
    pending = {}
    for name, (component, probe, load, args) in getattr(suite, "prefetch", lambda seed: {})(seed).items():
        if only is None or component in only:
            extra = stack.enter_context(Worker(config))
            pending[name] = extra.submit(module.name, probe, load=load, **args)
    return pending


def grade(modules: list[str], exercises: Path, options: Options, all_modules: bool, forkserver=None) -> RunResult:
    """Grade `modules` of one submission; torch workers come from `forkserver` (one is started
    for this call when none is given)."""
    own = forkserver is None and any(manifest.load()[m].worker == "torch" for m in modules)
    if own:
        forkserver = start_forkserver()
    try:
        results = [grade_module(name, exercises, options, forkserver) for name in modules]
    finally:
        if own:
            forkserver.close()
    return RunResult(results, options.seed, all_modules)
