"""The pytest plugin that turns a run of hidden checks into one result per component.

Checks are ordinary pytest functions marked `@pytest.mark.component("micrograd.mul")`. They
get the worker through the `student` fixture and raise `CheckFailed` with a learner-facing
message. The first check of a component that does not pass decides its status; the rest of
that component's checks are skipped, which keeps a hanging component to one timeout.
"""
from __future__ import annotations

import random
import traceback

import pytest
from _pytest.reports import TestReport

from grader.engine.manifest import Module
from grader.engine.model import ComponentResult, Status
from grader.engine.worker.client import StudentFailure

OUTPUT_PER_COMPONENT = 2000
READ_ERRORS = (IndexError, KeyError, TypeError, ValueError, AttributeError)  # a check reading a forged reply


class CheckFailed(AssertionError):
    """A check's verdict: the student's code ran and gave the wrong answer."""

    def __init__(self, message: str, hint: str = "", details: list[str] | None = None, symbol: str = "",
                 mistake: dict | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details or []
        self.symbol = symbol  # where to work, when not the component's manifest symbol (e.g. Value.__rmul__)
        self.mistake = mistake  # {"id", "name"}: the classic mistake the numbers match, if one does


class SubmissionHandle:
    """The `student` fixture: the submission as the checks reach it, only through probes run in
    the worker (whose side of it, loading the student's modules, is grader.engine.worker.student.Student),
    with what the code prints attributed to the running component."""

    def __init__(self, plugin: "GradingPlugin"):
        self._plugin = plugin

    def call(self, probe: str, *, load=(), **args):
        worker = self._plugin.workers.for_component(self._plugin._current)
        try:
            value, output = worker.call(self._plugin.module.name, probe, load=load, **args)
        except StudentFailure as failure:
            self._plugin.note_output(failure.output)
            raise
        self._plugin.note_output(output)
        return value

    def prefetched(self, name: str):
        """The answer of a probe the suite started early (its package's `prefetch`), or, when
        prefetching is off, of the same probe run now in the module's worker."""
        import importlib

        suite = importlib.import_module(f"grader.suites.{self._plugin.module.suite}")
        _, probe, load, args = suite.prefetch(self._plugin.run_seed)[name]
        if name not in self._plugin.prefetched:
            return self.call(probe, load=load, **args)
        known = self._plugin.workers.known_failure(load)
        if known is not None:  # an import that hung or crashed for another component: no second wait
            raise known
        try:
            value, output = self._plugin.prefetched[name].result()
        except StudentFailure as failure:
            self._plugin.note_output(failure.output)
            raise
        self._plugin.note_output(output)
        return value

    @property
    def exercises(self):
        """The submission's exercises folder, the copy the workers grade: the judge reads its
        source (the torch rules' review) and never runs it."""
        from pathlib import Path

        workers = getattr(self._plugin, "workers", None)  # one worker per component, when there are
        config = workers.base if workers is not None else self._plugin.worker.config
        return Path(config.exercises)


def component_of(item) -> str | None:
    marker = item.get_closest_marker("component")
    return marker.args[0] if marker else None


class GradingPlugin:
    def __init__(self, module: Module, workers, seed: int, only: set[str] | None = None,
                 prefetched: dict | None = None):
        self.module = module
        self.prefetched = prefetched or {}
        self.workers = workers  # judge.run.Workers: one per component
        self.run_seed = seed  # not `self.seed`: pytest would take that for the fixture
        self.only = only
        self.decided: dict[str, ComponentResult] = {}
        self.passed_checks: dict[str, int] = {}
        self.outputs: dict[str, list[str]] = {}
        self.internal_errors: list[str] = []
        self._current: str | None = None
        self._check = ""  # the name of the running check (its `rng` stream)

    # -- fixtures --------------------------------------------------------------------------
    @pytest.fixture(scope="session")
    def student(self):
        return SubmissionHandle(self)

    @pytest.fixture(scope="session")  # one run, one seed: not worked out again for every check
    def seed(self):
        return self.run_seed

    # The two below know their check from pytest_runtest_setup (which runs before any fixture),
    # not from `request`: pytest builds a fixture of its own for every check that asks for it.
    @pytest.fixture
    def rng(self):
        # One stream per check, so adding a check never changes another check's inputs.
        return random.Random(f"{self.run_seed}:{self._check}")

    @pytest.fixture
    def component(self):
        """The id of the component the running check is marked with."""
        return self._current

    # -- hooks -----------------------------------------------------------------------------
    def pytest_configure(self, config):
        config.addinivalue_line("markers", "component(id): the manifest component a check belongs to")

    def pytest_collectreport(self, report):
        if report.failed:
            self.internal_errors.append(str(report.longrepr))

    def pytest_collection_modifyitems(self, session, config, items):
        order = {c.id: i for i, c in enumerate(self.module.components)}
        kept = []
        for item in items:
            comp = component_of(item)
            if comp not in order:
                self.internal_errors.append(f"check {item.nodeid} names no known component ({comp!r})")
            elif self.only is None or comp in self.only:
                kept.append(item)
        kept.sort(key=lambda it: order[component_of(it)])
        items[:] = kept

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        component = component_of(item)
        if self._current is not None and component != self._current:
            self.workers.finish(self._current)  # checks run component by component (sorted above)
        self._current, self._check = component, item.name
        if self._current in self.decided:
            pytest.skip("component already decided")
        if self._group_failed(component):
            pytest.skip("its group did not pass whole: it is graded again in a worker of its own")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        # Our own report, so pytest never formats a traceback (parsing source) that nobody reads.
        comp = component_of(item)
        excinfo = call.excinfo
        if excinfo is None:
            outcome, longrepr = "passed", None
        elif excinfo.errisinstance(pytest.skip.Exception):
            outcome, longrepr = "skipped", (str(item.path), 0, str(excinfo.value))
        else:
            outcome, longrepr = "failed", f"{excinfo.typename}: {excinfo.value}"
        if comp not in self.decided and outcome != "skipped":
            if outcome == "failed":
                self._decide(comp, excinfo.value)
            elif call.when == "call":
                self.passed_checks[comp] = self.passed_checks.get(comp, 0) + 1
        # Where the check is, as the path and name alone: `item.location` would read its source
        # for a line number that no report of ours shows.
        return TestReport(item.nodeid, (str(item.path), None, item.name), {}, outcome, longrepr, call.when,
                          duration=call.duration, start=call.start, stop=call.stop)

    def _group_failed(self, component: str) -> bool:
        """Has a component that shares `component`'s worker already not passed? Then the whole
        group is graded again (grader.engine.judge.run.grade_module), and the rest of this
        first pass would be wasted."""
        return any(component in members and any(m in self.decided for m in members)
                   for members in self.workers.groups.values())

    def note_output(self, text: str) -> None:
        if text and self._current:
            self.outputs.setdefault(self._current, []).append(text)

    # -- verdicts --------------------------------------------------------------------------
    def _decide(self, comp_id: str, exc: BaseException) -> None:
        comp = self.module.component(comp_id)
        hint, details, internal = getattr(exc, "hint", ""), [], False  # a check may give a StudentFailure a hint
        if isinstance(exc, StudentFailure):
            status, message, details = exc.status, exc.message, exc.details
        elif isinstance(exc, CheckFailed):
            status, message, hint, details = Status.FAILED, exc.message, exc.hint, exc.details
        elif isinstance(exc, READ_ERRORS) and self.workers_tampered(comp_id):
            # The worker broke the protocol (a forged or extra reply): what the check choked on
            # was not the probe's answer. The student's doing, not a bug of the kit.
            status = Status.ERROR
            message = (f"the process running your code sent the grader a reply that is not its probe's "
                       f"({type(exc).__name__}: {str(exc)[:200]})")
        else:  # a bug in the kit, not in the submission: say so rather than blame the student
            status = Status.ERROR
            message = f"internal error in the grader ({type(exc).__name__}: {exc}); please report it"
            details = traceback.format_exception(type(exc), exc, exc.__traceback__)[-6:]
            internal = True
        self.decided[comp_id] = self._result(comp, status, message, hint or (comp.hints[0] if comp.hints else ""), details,
                                             getattr(exc, "symbol", ""), getattr(exc, "mistake", None), internal)

    def workers_tampered(self, comp_id: str) -> bool:
        worker = self.workers.worker_of(comp_id)
        return bool(worker is not None and worker.sent_more())

    def _result(self, comp, status, message="", hint="", details=(), symbol="", mistake=None, internal=False):
        output = "".join(self.outputs.get(comp.id, []))
        if len(output) > OUTPUT_PER_COMPONENT:
            output = output[:OUTPUT_PER_COMPONENT] + f"\n... ({len(output) - OUTPUT_PER_COMPONENT} more characters)"
        return ComponentResult(
            id=comp.id, title=comp.title, status=status, max_score=comp.points, message=message,
            hint=hint, bonus=comp.bonus, output=output, details=list(details), symbol=symbol, mistake=mistake,
            internal=internal,
        )

    def results(self) -> list[ComponentResult]:
        """One result per manifest component (of the selection), whatever happened."""
        results = []
        for comp in self.module.components:
            if self.only is not None and comp.id not in self.only:
                continue
            if comp.id in self.decided:
                results.append(self.decided[comp.id])
            elif self.passed_checks.get(comp.id):
                results.append(self._result(comp, Status.PASSED))
            else:
                why = "; ".join(self.internal_errors)[:500] or "no check ran for this component"
                results.append(self._result(comp, Status.ERROR, f"internal error in the grader: {why}", internal=True))
        return results
