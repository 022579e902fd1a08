"""Helpers shared by probes: turn whatever the student returned into plain, checked data."""
from __future__ import annotations


# The components this worker grades, from its set-up: one, or a group that shares the worker in
# a batch (grader.engine.judge.run). A group's worker holds none of its components' references.
_graded: frozenset[str] = frozenset()


def set_graded(components) -> None:
    global _graded
    _graded = frozenset(components)


def theirs(component: str) -> frozenset[str]:
    """The components whose code runs as the student's while `component` is checked: all of the
    worker's group when it grades one (their references are withheld here), else `component`
    alone. Every other function comes from the grader's references (SPEC §3)."""
    return _graded if component in _graded else frozenset((component,))


class BadResult(Exception):
    """The student's code returned something of the wrong kind; reported as `failed`."""


def as_float(value, what: str) -> float:
    # float() of a float subclass gives a real float, whatever its __eq__ or __repr__ say.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadResult(f"{what} is a {type(value).__name__}, expected a number")
    return float(value)


def as_floats(values, what: str) -> list[float]:
    try:
        items = list(values)
    except TypeError:
        raise BadResult(f"{what} is a {type(values).__name__}, expected a list of numbers") from None
    return [as_float(v, f"an element of {what}") for v in items]

