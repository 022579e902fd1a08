"""Helpers shared by probes: turn whatever the student returned into plain, checked data."""
from __future__ import annotations


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

