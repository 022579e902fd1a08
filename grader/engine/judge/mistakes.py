"""Classic mistakes as data: one table per module (grader/suites/<module>/mistakes.py).

An entry says, for one component, how to recognise a classic mistake and what to tell the
learner: a stable id, the learner's name for it ("This is exactly what <name> gives"), the hint,
and the evidence, which is either

- `variant`: the keyword switches of the reference's variant that makes the mistake (the check
  passes the function that runs the reference with them, e.g. `ref.count_bigrams(..., end=False)`), or
- `evidence`: a function of the check's own values (passed by name) giving what the mistake produces.

A check asks the table for the mistakes of its component (and of the quantity it compares,
`on`, when it compares several) and hands them to `expect_close` / `expect_array_close`, which
name the first one the student's numbers match. Every entry names its mutant in tests/mutants,
and `grade dev check` holds the two together (grader/authoring/devcheck.py: check_mistakes).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

from grader.engine.judge.compare import Mistake


@dataclass(frozen=True)
class Classic:
    id: str  # stable, "<module>.<what>", the result's mistake.id
    name: str  # the learner's name for it: "This is exactly what <name> gives"
    hint: str = ""  # empty: the check's own hint stands
    variant: dict | None = None  # the reference's keyword switches that make the mistake
    evidence: Callable | None = None  # or: a function of the check's values giving what it produces
    on: str = ""  # the quantity it is looked for in, when a component's check compares several
    mutant: str | None = None  # the tests/mutants entry that makes this mistake
    equal_nan: bool = False  # its nan (0/0) is a value it gives, fitting the student's nan (see Mistake)

    def mistake(self, variant: Callable | None, values: dict) -> Mistake:
        if self.variant is not None:
            if variant is None:
                raise TypeError(f"{self.id}: a variant of the reference, but the check passed no variant function")
            switches = self.variant
            return Mistake(self.name, lambda: variant(**switches), self.hint, id=self.id, equal_nan=self.equal_nan)
        evidence = self.evidence
        wanted = inspect.signature(evidence).parameters
        if any(p.kind is p.VAR_KEYWORD for p in wanted.values()):
            args = dict(values)
        else:
            args = {k: values[k] for k in wanted}
        return Mistake(self.name, lambda: evidence(**args), self.hint, id=self.id, equal_nan=self.equal_nan)


class Table:
    """A module's classic mistakes, by component (a key may be a tuple: the same mistake in several)."""

    def __init__(self, module: str, by_component: dict):
        self.module = module
        self.entries: list[tuple[str, Classic]] = []
        for key, classics in by_component.items():
            for component in (key if isinstance(key, tuple) else (key,)):
                self.entries += [(component, c) for c in classics]

    def of(self, component: str, on: str = "", variant: Callable | None = None, **values) -> list[Mistake]:
        """The `Mistake`s a check of `component` looks for, in the table's order, their evidence
        computed (only once the check has failed) from `variant` or from `values`."""
        return [c.mistake(variant, values) for comp, c in self.entries if comp == component and c.on == on]

    def classics(self) -> list[Classic]:
        """Every distinct entry once (one shared by several components is one entry)."""
        seen, out = set(), []
        for _, c in self.entries:
            if id(c) not in seen:
                seen.add(id(c))
                out.append(c)
        return out

    def components(self, classic: Classic) -> list[str]:
        return [comp for comp, c in self.entries if c is classic]
