"""The public face for writing checks: all a hidden suite (grader/suites/<module>/check_*.py)
needs from the engine, in one import, so the engine's files can move without touching a suite.

    from grader.checks import CheckFailed, Mistake, expect, require

- `expect(got, expected, what=...)` compares what the student computed with the reference and,
  when they differ, fails with the standard feedback: what was computed, what PyTorch says, where
  they first differ, and the classic mistake (`mistakes=[Mistake(...)]`) the numbers match.
- `require(condition, message, hint)` fails with `message` unless `condition` holds: for what is
  not a comparison of numbers (a key, a parameter list, a tensor that must not be in a graph).
- `expect_tensor` (kind, dtype and shape of a tensor the worker described), `expect_close`
  (numbers and flat sequences) and `expect_array_close` (arrays) are the specific forms `expect`
  chooses between; `expect_own_code` reviews a function's source for a torch rule (`SHORTCUTS`,
  `AUTOGRAD`).
- `once` remembers a reference's answer to a question asked before (a batch's judge asks every
  submission the same ones): for pure functions of plain arguments (grader/engine/judge/memo.py).
- `names_if_present()` is Karpathy's names.txt (verified) when it is on this machine, else None:
  checks on the real names are then skipped, never faked (grader/engine/names_data.py).
- `CheckFailed` is the verdict "ran, wrong answer"; `StudentFailure` is what `student.call`
  raises when the student's code raised, hung or crashed (a check may catch it to say more);
  `SubmissionHandle` is the `student` fixture's type.

Suites import the engine from here only (tests/test_checks_api.py holds them to it).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from grader.engine.judge.compare import Mistake, all_close, expect_close, fmt, require
from grader.engine.judge.memo import once
from grader.engine.judge.mistakes import Classic, Table
from grader.engine.judge.plugin import CheckFailed, SubmissionHandle
from grader.engine.judge.source_review import expect_own_code
from grader.engine.judge.tensor_compare import expect_array_close, expect_tensor
from grader.engine.names_data import names_if_present
from grader.probes.torch_rules import AUTOGRAD, SHORTCUTS, Rule
from grader.engine.worker.client import StudentFailure

__all__ = ["AUTOGRAD", "CheckFailed", "Classic", "Mistake", "Table", "Rule", "SHORTCUTS", "StudentFailure", "SubmissionHandle",
           "all_close", "expect", "expect_array_close", "expect_close", "expect_own_code", "expect_tensor", "fmt",
           "names_if_present", "once", "require"]


def expect(got, expected, *, what: str, context: str = "", rtol: float | None = None, atol: float | None = None,
           mistakes: Sequence[Mistake] = (), labels: Sequence[str] | Callable[[tuple], str] | None = None,
           dtype: str | None = None, shape: Sequence[int] | None = None, hint: str = ""):
    """Fail with the standard feedback unless `got` (what the student computed) matches `expected`
    (the reference's answer); return the student's values (a described tensor's array).

    A tensor the worker described is first held to `dtype` and `shape`, then compared as an array;
    arrays are compared entry by entry (`labels`: a function naming an index, e.g. N['a', 'b']);
    numbers and sequences element by element (`labels`: a name per element, e.g. "n0.grad").
    Tolerances left as None are each form's defaults: tight for Python floats, float32's for arrays."""
    tolerances = {k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None}
    if isinstance(got, dict) and got.get("kind") == "tensor" or dtype is not None or shape is not None:
        got = expect_tensor(got, what, dtype=dtype, shape=shape, hint=hint)
    if isinstance(got, np.ndarray) or isinstance(expected, np.ndarray) or hasattr(expected, "numpy"):
        expected = expected.detach().numpy() if hasattr(expected, "detach") else expected
        expect_array_close(got, expected, what=what, context=context, mistakes=mistakes,
                           label=labels if callable(labels) else None, hint=hint, **tolerances)
    else:
        expect_close(got, expected, what=what, context=context, mistakes=mistakes,
                     labels=None if callable(labels) else labels, hint=hint, **tolerances)
    return got
