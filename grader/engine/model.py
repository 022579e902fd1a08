"""The one result model every renderer reads: typed records, as in exercism's test runner.

A grade is a tree: a run holds modules, a module holds components. Scores are computed from
the manifest's points, never from what happened to be collected, so a component that vanished
still counts against the total.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Status(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    TODO = "todo"  # the stub is untouched (its NotImplementedError was raised)
    ERROR = "error"  # the student's code raised
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # the worker process died


@dataclass
class ComponentResult:
    id: str
    title: str
    status: Status
    max_score: float
    message: str = ""
    hint: str = ""
    bonus: bool = False
    output: str = ""  # what the student's code printed while this component ran (capped)
    details: list[str] = field(default_factory=list)  # extra lines for -v
    mistake: dict | None = None  # {"id": ..., "name": ...}: the classic mistake the evidence fits
    symbol: str = ""  # what to work on, when the evidence points elsewhere than the manifest's symbol
    internal: bool = False  # the verdict came from a bug of the kit, not from the student's code (exit 3)

    @property
    def score(self) -> float:
        return self.max_score if self.status is Status.PASSED else 0.0

    def to_json(self) -> dict:
        data = {
            "id": self.id,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "message": self.message,
            "hint": self.hint,
        }
        if self.bonus:
            data["bonus"] = True
        if self.output:
            data["output"] = self.output
        if self.mistake:
            data["mistake"] = {"id": self.mistake["id"], "name": self.mistake["name"]}
        return data


@dataclass
class ModuleResult:
    module: str
    title: str
    components: list[ComponentResult]
    seed: int
    duration: float = 0.0
    # What was graded (SPEC §1, §5): {"kind": "files"|"notebook", "path": ..., "files": [...],
    # "cells": {...}}; and how student code was contained ("sandbox" or "process").
    source: dict | None = None
    isolation: str | None = None

    @property
    def score(self) -> float:
        # Bonus components add to the score but not to max_score: extra credit.
        return float(sum(c.score for c in self.components))

    @property
    def max_score(self) -> float:
        return float(sum(c.max_score for c in self.components if not c.bonus))

    @property
    def core_score(self) -> float:
        return float(sum(c.score for c in self.components if not c.bonus))

    @property
    def bonus_score(self) -> float:
        return float(sum(c.score for c in self.components if c.bonus))

    @property
    def has_bonus(self) -> bool:
        return any(c.bonus for c in self.components)

    @property
    def all_passed(self) -> bool:
        return all(c.status is Status.PASSED for c in self.components)

    def to_json(self) -> dict:
        return {
            "version": 1,
            "module": self.module,
            "score": self.score,
            "max_score": self.max_score,
            "seed": self.seed,
            **({"source": self.source} if self.source else {}),
            **({"isolation": self.isolation} if self.isolation else {}),
            "components": [c.to_json() for c in self.components],
        }


@dataclass
class RunResult:
    modules: list[ModuleResult]
    seed: int
    all_modules: bool  # `grade all` (one object over modules) vs one module
    submission: str | None = None  # --submission as given: the "check again" lines repeat it

    @property
    def score(self) -> float:
        return float(sum(m.score for m in self.modules))

    @property
    def max_score(self) -> float:
        return float(sum(m.max_score for m in self.modules))

    @property
    def core_score(self) -> float:
        return float(sum(m.core_score for m in self.modules))

    @property
    def bonus_score(self) -> float:
        return float(sum(m.bonus_score for m in self.modules))

    @property
    def has_bonus(self) -> bool:
        return any(m.has_bonus for m in self.modules)

    @property
    def all_passed(self) -> bool:
        return all(m.all_passed for m in self.modules)

    @property
    def internal_error(self) -> bool:
        """Some verdict came from a bug of the kit: `grade` then exits 3 (SPEC §4)."""
        return any(c.internal for m in self.modules for c in m.components)

    def to_json(self) -> dict:
        if not self.all_modules:
            return self.modules[0].to_json()
        return {
            "version": 1,
            "score": self.score,
            "max_score": self.max_score,
            "seed": self.seed,
            "modules": [m.to_json() for m in self.modules],
        }
