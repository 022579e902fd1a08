"""Judge-side checks on tensors the worker described: type, dtype and shape first (each named
in the message), then values, with NaN and infinity reported as such and the first differing
entry shown by its index (or a label such as N['a', 'b'])."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from grader.engine.judge.compare import Mistake, fmt, relative_error
from grader.engine.judge.plugin import CheckFailed


def expect_tensor(got, what: str, dtype: str | None = None, shape: Sequence[int] | None = None,
                  hint: str = "") -> np.ndarray:
    """The values of a described tensor, once its kind, dtype and shape are as expected."""
    if not isinstance(got, dict) or got.get("kind") != "tensor":
        kind = got.get("kind") if isinstance(got, dict) else type(got).__name__
        raise CheckFailed(f"{what} should be a torch.Tensor; got a {kind}", hint)
    data = got.get("data")
    if not isinstance(data, np.ndarray) or data.dtype.kind not in "biuf":
        raise CheckFailed(f"{what}: the values could not be read as numbers", hint)
    actual = data.dtype.name
    if dtype is not None and actual != dtype:
        raise CheckFailed(f"{what} has dtype torch.{actual}; expected torch.{dtype}",
                          hint or f"Create or convert it with dtype=torch.{dtype}.")
    if shape is not None and tuple(data.shape) != tuple(shape):
        raise CheckFailed(f"{what} has shape {tuple(data.shape)}; expected {tuple(shape)}", hint)
    return data


def expect_array_close(got: np.ndarray, expected: np.ndarray, *, what: str, rtol: float = 1e-5,
                       atol: float = 1e-6, context: str = "", mistakes: Sequence[Mistake] = (),
                       label: Callable[[tuple], str] | None = None, hint: str = "") -> None:
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise CheckFailed(f"{what} has shape {got.shape}; expected {expected.shape}", hint)
    # nan where PyTorch gives nan agrees with it: "expected nan, got nan" would fail a right answer.
    close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    context = f" {context}" if context else ""
    idx = tuple(int(i) for i in np.argwhere(~close)[0])
    where = label(idx) if label else (f"[{', '.join(map(str, idx))}]" if idx else "")
    g, e = got[idx], expected[idx]
    if np.isnan(g) and not np.isnan(e):
        message = f"{what}{' ' + where if where else ''} is nan; expected {fmt(float(e))} (PyTorch){context}"
    elif np.isinf(g) and np.isfinite(e):
        message = f"{what}{' ' + where if where else ''} is {fmt(float(g))}; expected {fmt(float(e))} (PyTorch){context}"
    elif where:
        message = (f"{what}: first differs at {where}: expected {fmt(float(e))} (PyTorch), got {fmt(float(g))}"
                   f"{relative_error(float(g), float(e))}{context}")
    else:
        message = (f"{what}: expected {fmt(float(e))} (PyTorch), got {fmt(float(g))}"
                   f"{relative_error(float(g), float(e))}{context}")
    bad = int((~close).sum())
    if got.size > 1:
        message += f"; {bad} of {got.size} entries differ"
    for mistake in mistakes:
        alt = np.asarray(mistake.value(), dtype=np.float64)
        if alt.shape == got.shape and np.isclose(got, alt, rtol=rtol, atol=atol, equal_nan=mistake.equal_nan).all():
            message += f". This is exactly what {mistake.name} gives"
            raise CheckFailed(message, mistake.hint or hint, mistake=mistake.named())
    raise CheckFailed(message, hint)
