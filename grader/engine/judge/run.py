"""Grading a module: start a worker, run the module's hidden suite under pytest, collect results."""
from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
import warnings
from pathlib import Path

from grader.engine import manifest, session
from grader.engine.model import ModuleResult, RunResult, Status
from grader.engine.judge.kit_guard import foreign_bytecode, kit_fingerprint, purge_bytecode
from grader.engine.judge.servers import REFUSED, ServerPool, prepared
from grader.engine.worker import sandbox
from grader.engine.worker.client import StudentFailure, Worker, WorkerConfig, load_key, probe_setup

SUITES = Path(__file__).resolve().parents[2] / "suites"
# micrograd is pure Python: its workers have no site-packages at all, so torch and numpy cannot
# be imported (the guard's `forbid` only makes the message say why).
FORBID = {"pure": ("torch", "numpy"), "torch": ()}


Options = session.Options  # the one options record of a grading session (grader.engine.session)


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


# A group's first pass gives each call this long at most: a hang there then costs 1 s before the
# group is graded again with the full limit, not a second full limit (what honest calls take,
# even on a busy machine, is well under it).
GROUP_CALL_LIMIT = 1.0
# pytest's own plugins that a hidden suite never uses: each costs its registration and a scan
# for fixtures in every session (a whole-kit submission has four). What is left collects, runs
# and reports checks; output is the worker's (no capture), assertions are plain (no rewriting).
UNUSED_PLUGINS = ("cacheprovider", "terminal", "faulthandler", "doctest", "junitxml", "pastebin", "stepwise",
                  "unraisableexception", "threadexception", "logging", "unittest", "monkeypatch", "recwarn",
                  "setuponly", "setupplan", "legacypath", "tmpdir", "python_path", "debugging", "capture",
                  "warnings", "subtests", "assertion")


class Workers:
    """One worker per component (SPEC §3): the worker that grades component X holds stand-ins
    for the code outside X, and never X's own reference. With `share` (a batch's first pass, see
    `grade_module`), the components of a manifest group (`share`) have one worker, which holds
    none of their references. Workers forked from a server start (and set up) in the background,
    in the suite's order; a worker without a server starts at once."""

    def __init__(self, module, base: WorkerConfig, only, stack: contextlib.ExitStack, share: bool = False):
        self.module, self.base, self.stack = module, base, stack
        self._workers: dict[str, Worker] = {}
        self._sticky: dict = {}
        self._group_sticky: dict = {}  # a group's own: its calls have a shorter limit
        self._lock = threading.Lock()
        chosen = [c.id for c in module.components if only is None or c.id in only]
        self._key = {c: c for c in chosen}  # component -> the key of its worker
        self._members: dict[str, list[str]] = {}  # a group's key -> its components
        for name, ids in (module.groups() if share else {}).items():
            members = [c for c in ids if c in self._key]
            if len(members) > 1:
                self._members[f"group:{name}"] = members
                self._key.update({c: f"group:{name}" for c in members})
        self._unfinished = {key: set(members) for key, members in self._members.items()}
        keys = list(dict.fromkeys(self._key[c] for c in chosen))
        for key in keys:
            self._make(key)
        if base.forkserver is None:
            for key in keys:
                self._workers[key].start()
        else:
            # Forks wait for the fork server's torch import: start them (and their set-up) in the
            # background, in the suite's order, so none is on the critical path when its turn comes.
            threading.Thread(target=self._start_all, args=(keys,), daemon=True).start()

    @property
    def groups(self) -> dict[str, list[str]]:
        """The groups that have a worker of their own here: key -> components."""
        return dict(self._members)

    def _make(self, key: str) -> Worker:
        sticky = self._group_sticky if key in self._members else self._sticky
        worker = Worker(self.config(key), shared_sticky=sticky)
        self._workers[key] = self.stack.enter_context(worker)
        return worker

    def _start_all(self, keys: list[str]) -> None:
        for key in keys:
            with self._lock:
                try:
                    self._workers[key].start()
                except Exception:  # noqa: BLE001 - the component's own first call reports it
                    return

    def config(self, key: str) -> WorkerConfig:
        """The worker of `key`: a component's own, or a group's (every member's answer withheld)."""
        members = self._members.get(key)
        comps = [self.module.component(c) for c in (members or [key])]
        config = dataclasses.replace(self.base, setup=probe_setup(self.module.name, comps))
        if members:
            config = dataclasses.replace(config, timeout=min(config.timeout, GROUP_CALL_LIMIT))
        return config

    def for_component(self, component: str) -> Worker:
        key = self._key.get(component, component)
        with self._lock:
            worker = self._workers.get(key) or self._make(key)
            worker.start()
        return worker

    def worker_of(self, component: str) -> Worker | None:
        return self._workers.get(self._key.get(component, component))

    def finish(self, component: str) -> None:
        """The suite is done with `component`: its worker goes (and, in a fork server's sandbox,
        everything it left), before the next component's code runs. A component's code never
        meets another's, so nothing one worker holds reaches the next. A group's worker goes
        when the suite is done with all of the group."""
        key = self._key.get(component, component)
        with self._lock:
            left = self._unfinished.get(key)
            if left is not None:
                left.discard(component)
                if left:
                    return
            worker = self._workers.get(key)
            if worker is not None:
                worker.stop()

    def known_failure(self, load) -> StudentFailure | None:
        """How one of `load`'s imports already ended in this module's own workers, if it failed:
        imports are deterministic, so a probe that needs it (a prefetched one) need not wait."""
        return next((self._sticky[k] for k in (load_key(n, r) for n, r in load) if k in self._sticky), None)

    def extra(self, component: str) -> Worker:
        """A worker of its own for one slow probe of `component`, started now."""
        return self.stack.enter_context(Worker(self.config(component), shared_sticky=self._sticky))


def _server_for(servers, kind: str):
    """The fork server for `kind` from `prepared`'s servers, if there is one."""
    return servers.get(kind) if servers else None


def grade_module(name: str, exercises: Path, options: Options, forkserver=None, isolation: str | None = None
                 ) -> ModuleResult:
    """Grade one module. Called on its own (tests, tools), it prepares the submission itself."""
    if isolation is None:
        with prepared(Path(exercises), [name], options) as (copy, server, isolation):
            return grade_module(name, copy, options, server, isolation)
    module = manifest.load()[name]
    started, wall_start = time.monotonic(), time.time() - 1.0
    # Only without a sandbox can student code reach the kit (the sandbox shows workers a
    # read-only copy of the few files they run, never the kit itself): only then is it hashed.
    before = kit_fingerprint() if isolation != sandbox.SANDBOX else None
    config = options.worker_config(
        exercises, forbid=FORBID[module.worker], deadline=started + options.budget,
        forkserver=_server_for(forkserver, module.worker), isolation=isolation,
    )
    only = None if options.only is None else set(options.only)
    components, groups = _run_suite(module, config, options, only, options.share)
    not_passed = {c.id for c in components if c.status is not Status.PASSED}
    # A group passes as a whole or not at all: where any of its components did not pass, all of
    # them are graded again, one worker each, and only that second verdict counts. So every
    # verdict but a whole group's pass is the one `grade` gives, with the grader's references for
    # everything outside each component (SPEC §3).
    again = {c for members in groups.values() if not_passed.intersection(members) for c in members}
    if again:
        redone = {c.id: c for c in _run_suite(module, config, options, again, False)[0]}
        components = [redone.get(c.id, c) for c in components]
    _explain_refused(components, module, Path(exercises))
    # Only without a sandbox can a worker write into the kit; what it wrote is found and removed
    # here, so no later run loads it either.
    planted = foreign_bytecode(since=wall_start) if isolation != sandbox.SANDBOX else []
    if (before is not None and kit_fingerprint() != before) or planted:
        purge_bytecode(planted)
        for c in components:
            c.status, c.message = Status.ERROR, ("the grader's own files changed while this submission was graded: "
                                                "no result can be trusted (reinstall the kit)")
    return ModuleResult(name, module.title, components, options.seed, time.monotonic() - started,
                        isolation=isolation)


def _run_suite(module, config: WorkerConfig, options: Options, only, share: bool):
    """One run of the module's hidden suite under pytest: its results, and the groups that had a
    worker of their own (key -> components; none without `share`)."""
    import pytest  # here, not at the top: the workers start first and import while pytest loads

    from grader.engine.judge.plugin import GradingPlugin

    with contextlib.ExitStack() as stack:
        workers = Workers(module, config, only, stack, share)
        prefetched = _prefetch(module, workers, options.seed, only) if options.prefetch else {}
        plugin = GradingPlugin(module, workers, options.seed, only, prefetched)
        args = [str(SUITES / module.suite), "-c", str(SUITES / "pytest.ini"), "--rootdir", str(SUITES),
                "--import-mode=importlib", *(arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}"))]
        # Warnings (torch's, the references') are nobody's business in a grading run: with the
        # warnings plugin gone, they are ignored here, around the whole session.
        with _environ(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = pytest.main(args, plugins=[plugin])
        if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            plugin.internal_errors.append(f"the hidden suite did not run (pytest exit code {int(code)})")
        return plugin.results(), workers.groups


def _explain_refused(components, module, copy: Path) -> None:
    """A component that did not pass because its file was a link out of the submission says so."""
    try:
        refused = [line for line in (copy / REFUSED).read_text(encoding="utf-8").splitlines() if line]
    except OSError:
        return
    for c in components:
        file = module.component(c.id).file
        notes = [r for r in refused if r.startswith((file + " ", file.split("/")[0] + "/ "))]
        if notes and c.status is not Status.PASSED:
            c.message = "; ".join(notes) + (f" ({c.message})" if c.message else "")


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


def grade(modules: list[str], exercises: Path, options: Options, all_modules: bool, forkserver=None) -> RunResult:
    """Grade `modules` of one submission. `forkserver` may be a `ServerPool` whose warm servers
    serve it (a batch judge's); anything else is ignored: the submission gets servers of its own."""
    pool = forkserver if isinstance(forkserver, ServerPool) else None
    with prepared(Path(exercises), modules, options, pool) as (copy, server, isolation):
        results = [grade_module(name, copy, options, server, isolation) for name in modules]
    return RunResult(results, options.seed, all_modules)
