"""Grading a module: start a worker, run the module's hidden suite under pytest, collect results."""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from grader import manifest
from grader.model import ModuleResult, RunResult, Status
from grader.worker import sandbox, standins
from grader.worker.client import Worker, WorkerConfig
from grader.worker.copying import copy_submission
from grader.worker.launch import ForkServer

SUITES = Path(__file__).resolve().parent.parent / "suites"
KIT = SUITES.parent  # the grader package: watched for changes while a submission is graded
# micrograd is pure Python: its workers have no site-packages at all, so torch and numpy cannot
# be imported (the guard's `forbid` only makes the message say why).
FORBID = {"pure": ("torch", "numpy"), "torch": ()}


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
    isolation: str = "auto"  # auto, sandbox or process (grader.worker.sandbox.mode)


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


def kit_fingerprint() -> str:
    """A hash of every file of the grader package, bytecode caches included: a submission that
    edits, adds or deletes any of them while it is graded is caught (they are the instructor's,
    not the student's), whatever it does to sizes and times."""
    digest = hashlib.sha256()
    for path in sorted(KIT.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(KIT)).encode() + b"\0")
            try:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError:
                digest.update(b"unreadable")
    return digest.hexdigest()


def private_bytecode() -> None:
    """From now on this judge reads and writes bytecode only in a cache of its own (issue 12:
    "bytecode caches are private to the run"): a .pyc planted in the kit's __pycache__ is never
    loaded by a module imported later (the hidden suites are imported after the first worker
    starts), and the judge's own .pyc files never change the kit's fingerprint (which would void
    every run of an install that writes bytecode). Set once per process, before any worker."""
    import atexit
    import shutil
    import sys

    if not getattr(private_bytecode, "done", False):
        folder = tempfile.mkdtemp(prefix="grade-pycache-")
        atexit.register(shutil.rmtree, folder, True)
        sys.pycache_prefix = folder
        private_bytecode.done = True


def _purge_bytecode() -> None:
    """Bytecode the grader did not write itself must never be loaded by a later run."""
    import shutil

    for cache in KIT.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


class Workers:
    """One worker per component (SPEC §3): the worker that grades component X holds stand-ins
    for the code outside X, and never X's own reference. Pure workers start at once (they import
    while the judge does); forked ones at their first call."""

    def __init__(self, module, base: WorkerConfig, only, stack: contextlib.ExitStack):
        self.module, self.base, self.stack = module, base, stack
        self._workers: dict[str, Worker] = {}
        self._sticky: dict = {}
        for comp in module.components:
            if base.forkserver is None and (only is None or comp.id in only):
                self.for_component(comp.id)

    def config(self, component: str) -> WorkerConfig:
        comp = self.module.component(component)
        setup = {"component": comp.id, "owns": list(comp.owns), "file": comp.file,
                 "standins": standins.for_component(self.module.name, comp.id),
                 "preload": [f"grader.probes.{self.module.name}"]}
        return dataclasses.replace(self.base, setup=setup)

    def for_component(self, component: str) -> Worker:
        if component not in self._workers:
            worker = Worker(self.config(component), shared_sticky=self._sticky)
            self._workers[component] = self.stack.enter_context(worker)
        return self._workers[component]

    def extra(self, component: str) -> Worker:
        """A worker of its own for one slow probe of `component`, started now."""
        return self.stack.enter_context(Worker(self.config(component), shared_sticky=self._sticky))


def grade_module(name: str, exercises: Path, options: Options, forkserver=None, isolation: str | None = None
                 ) -> ModuleResult:
    """Grade one module. Called on its own (tests, tools), it prepares the submission itself."""
    private_bytecode()
    if isolation is None:
        with prepared(Path(exercises), [name], options) as (copy, server, isolation):
            return grade_module(name, copy, options, server, isolation)
    import pytest  # here, not at the top: the workers start first and import while pytest loads

    from grader.judge.plugin import GradingPlugin

    module = manifest.load()[name]
    started = time.monotonic()
    before = kit_fingerprint()
    config = WorkerConfig(
        exercises=exercises, forbid=FORBID[module.worker], timeout=options.timeout,
        memory_mb=options.memory_mb, deadline=started + options.budget,
        forkserver=forkserver if module.worker == "torch" else None, isolation=isolation,
    )
    only = None if options.only is None else set(options.only)
    with contextlib.ExitStack() as stack:
        workers = Workers(module, config, only, stack)
        prefetched = _prefetch(module, workers, options.seed, only) if options.prefetch else {}
        plugin = GradingPlugin(module, workers, options.seed, only, prefetched)
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
        _purge_bytecode()
        for c in components:
            c.status, c.message = Status.ERROR, ("the grader's own files changed while this submission was graded: "
                                                "no result can be trusted (reinstall the kit)")
    return ModuleResult(name, module.title, components, options.seed, time.monotonic() - started,
                        isolation=isolation)


def _prefetch(module, workers: Workers, seed: int, only) -> dict:
    """Start the suite's slow, torch-free probes now, each in a worker of its own, so they run
    while this process imports torch and pytest (see the suite package's `prefetch`)."""
    import importlib

    suite = importlib.import_module(f"grader.suites.{module.suite}")
    pending = {}
    for name, (component, probe, load, args) in getattr(suite, "prefetch", lambda seed: {})(seed).items():
        if only is None or component in only:
            pending[name] = workers.extra(component).submit(module.name, probe, load=load, **args)
    return pending


@contextlib.contextmanager
def prepared(exercises: Path, modules: list[str], options: Options):
    """The submission as workers see it: copied once (the copy is what every worker of this
    call grades), with a fork server made for it alone when a module needs torch (so nothing a
    submission leaves running can meet the next one). Yields (copy, fork server, isolation)."""
    private_bytecode()
    isolation = sandbox.mode(options.isolation)
    with tempfile.TemporaryDirectory(prefix="grade-submission-") as tmp:
        copy = Path(tmp) / "exercises"
        copy_submission(Path(exercises), copy)
        server = None
        if any(manifest.load()[m].worker == "torch" for m in modules):
            server = ForkServer(isolation, copy)
        try:
            yield copy, server, isolation
        finally:
            if server is not None:
                server.close()


def grade(modules: list[str], exercises: Path, options: Options, all_modules: bool, forkserver=None) -> RunResult:
    """Grade `modules` of one submission (`forkserver` is accepted for callers of an older
    version and not used: every submission gets a fork server of its own)."""
    with prepared(Path(exercises), modules, options) as (copy, server, isolation):
        results = [grade_module(name, copy, options, server, isolation) for name in modules]
    return RunResult(results, options.seed, all_modules)


def start_forkserver():
    """Kept for callers of an older version: grading now makes a fork server per submission."""
    return None
