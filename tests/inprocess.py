"""A module's hidden checks run in this process: the probes drive a `Student` over a submission
and their answers go through the worker protocol's encoding, as from a worker, without starting
one. Cheap enough to run a whole suite per mutant (tests/test_arguments.py); the real grader is
exercised end to end elsewhere."""
from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import random
import sys
import warnings

import pytest

from grader.engine.judge.plugin import CheckFailed
from grader.probes.common import BadResult
from grader.engine.worker import protocol
from grader.engine.model import Status
from grader.engine.worker.client import StudentFailure
from grader.engine.worker.student import Student


def roundtrip(value):
    """What the judge would receive from a worker: the protocol's encoding and back."""
    data = protocol.encode(value)
    (size,) = protocol.HEADER.unpack(data[:protocol.HEADER.size])
    header = data[protocol.HEADER.size:protocol.HEADER.size + size]
    blobs, at = [], protocol.HEADER.size + size
    for n in json.loads(header)["arrays"]:
        blobs.append(data[at:at + n])
        at += n
    return protocol.decode(header, blobs)


class InProcess:
    """The suites' `student` fixture, with the probes run here instead of in a worker."""

    def __init__(self, exercises, module: str):
        self.student = Student(exercises)
        self.exercises = exercises
        self.probes = importlib.import_module(f"grader.probes.{module}")

    def call(self, probe, *, load=(), **args):
        try:
            for name, reference in load:
                self.student.load(name, reference)
            return roundtrip(getattr(self.probes, probe)(self.student, **args))
        except BadResult:
            raise
        except Exception as exc:  # the learner's code raised: the worker would report `error`
            raise StudentFailure(Status.ERROR, f"{type(exc).__name__}: {exc}") from exc


def checks(module: str):
    """(component, label, function, kwargs) for every check of the module's suite, parametrised."""
    suite = f"grader.suites.{module}"
    found = []
    names = sorted(m.name for m in pkgutil.iter_modules(importlib.import_module(suite).__path__) if m.name.startswith("check_"))
    for name in names:
        with warnings.catch_warnings():  # the `component` mark is registered by the grader's plugin
            warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
            mod = importlib.import_module(f"{suite}.{name}")
        for fname, fn in vars(mod).items():
            if not (fname.startswith("check_") and callable(fn)):
                continue
            component = next(m.args[0] for m in fn.pytestmark if m.name == "component")
            params = [m for m in fn.pytestmark if m.name == "parametrize"]
            values = [{}] if not params else [{params[0].args[0]: v} for v in params[0].args[1]]
            found += [(component, fname + "".join(f"[{v}]" for v in kw.values()), fn, kw) for kw in values]
    return found


def failing(exercises, module: str, seed: int = 1234) -> dict[str, str]:
    """{component: message of its first failing check} for the whole suite, run in process."""
    student, found = InProcess(exercises, module), {}
    try:
        for component, label, fn, kwargs in checks(module):
            if component in found:
                continue
            fixtures = {"student": student, "rng": random.Random(f"{seed}:{label}"), "seed": seed}
            try:
                fn(**{k: v for k, v in fixtures.items() if k in inspect.signature(fn).parameters}, **kwargs)
            except (CheckFailed, BadResult, StudentFailure) as exc:
                found[component] = getattr(exc, "message", str(exc))
            except pytest.skip.Exception:
                pass
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] in ("makemore", "micrograd")]:
            del sys.modules[name]
    return found
