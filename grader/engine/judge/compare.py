"""Comparing a student's numbers with PyTorch's, and saying how they differ.

`expect_close` fails with a message of the SPEC's shape, "<what>: expected X (PyTorch), got Y
<context>", points at the first differing element of a sequence, reports NaN and infinity as
such, and names a classic mistake when the student's numbers match what that mistake gives.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from grader.engine.judge.plugin import CheckFailed


@dataclass(frozen=True)
class Mistake:
    """A classic mistake, and the numbers it would produce on the same inputs."""

    name: str  # e.g. "`=` instead of `+=` in _backward"
    expected: object  # float, sequence or array: what the mistake gives; or a function giving it,
    hint: str = ""  # called only when the check has failed (some are costly to compute)
    id: str = ""  # a stable name for reports (the result's `mistake`); by default made from `name`
    # True: a nan the mistake gives is a value it gives (a 0/0) and fits the student's nan there.
    # Off by default, as an evidence returns nan to say it cannot fit (a graph it cannot replay).
    equal_nan: bool = False

    def value(self):
        return self.expected() if callable(self.expected) else self.expected

    def named(self) -> dict:
        """The result's `mistake` field (SPEC §5 addition): {"id": ..., "name": ...}."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:60].rstrip("-")
        return {"id": self.id or slug, "name": self.name}


def fmt(x: float) -> str:
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return f"{x:.8g}"
    return repr(x)


def _flat(x) -> list:
    if hasattr(x, "tolist"):
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        out = []
        for v in x:
            out.extend(_flat(v))
        return out
    return [x]


def _close(a: float, b: float, rtol: float, atol: float, equal_nan: bool = False) -> bool:
    if math.isnan(a) or math.isnan(b):
        return equal_nan and math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def all_close(got, expected, rtol: float = 1e-6, atol: float = 1e-9, equal_nan: bool = False) -> bool:
    g, e = _flat(got), _flat(expected)
    return len(g) == len(e) and all(_close(float(a), float(b), rtol, atol, equal_nan) for a, b in zip(g, e))


def relative_error(got: float, expected: float) -> str:
    """`; relative error 3.2e-01` for finite numbers that differ, else nothing."""
    if not (math.isfinite(got) and math.isfinite(expected)) or expected == 0:
        return ""
    return f" (relative error {abs(got - expected) / abs(expected):.1e})"


def first_difference(got, expected, rtol: float, atol: float) -> int | None:
    g, e = _flat(got), _flat(expected)
    for i, (a, b) in enumerate(zip(g, e)):
        if not _close(float(a), float(b), rtol, atol, equal_nan=True):
            return i
    return None if len(g) == len(e) else min(len(g), len(e))


def expect_close(got, expected, *, what: str, context: str = "", rtol: float = 1e-6, atol: float = 1e-9,
                 mistakes: Sequence[Mistake] = (), labels: Sequence[str] | None = None, hint: str = "") -> None:
    """Raise CheckFailed unless `got` matches `expected` elementwise.

    `labels` names the elements of a sequence (e.g. ["n0.grad", "n1.grad"]) for the message."""
    if all_close(got, expected, rtol, atol, equal_nan=True):  # nan agrees with a nan of PyTorch's
        return
    context = f" {context}" if context else ""
    g, e = _flat(got), _flat(expected)
    if len(g) != len(e):
        raise CheckFailed(f"{what}: expected {len(e)} values, got {len(g)}{context}", hint)
    if len(e) == 1:
        message = (f"{what}: expected {fmt(float(e[0]))} (PyTorch), got {fmt(float(g[0]))}"
                   f"{relative_error(float(g[0]), float(e[0]))}{context}")
    else:
        i = first_difference(g, e, rtol, atol)
        name = labels[i] if labels and i < len(labels) else f"element {i}"
        message = (f"{what}: first differs at {name}: expected {fmt(float(e[i]))} (PyTorch), "
                   f"got {fmt(float(g[i]))}{relative_error(float(g[i]), float(e[i]))}{context}")
    bad = [float(v) for v in g if not math.isfinite(float(v))]
    if bad and all(math.isfinite(float(v)) for v in e):
        message += f"; your result has {len(bad)} non-finite value(s) ({fmt(bad[0])})"
    for mistake in mistakes:
        if all_close(got, mistake.value(), rtol, atol, mistake.equal_nan):
            message += f". This is exactly what {mistake.name} gives"
            raise CheckFailed(message, mistake.hint or hint, mistake=mistake.named())
    raise CheckFailed(message, hint)


def require(condition: bool, message: str, hint: str = "") -> None:
    """Fail with `message` unless `condition` holds: for what is not a comparison of numbers
    (a key that must be there, a parameter list, a tensor that must not be in a graph)."""
    if not condition:
        raise CheckFailed(message, hint)
