"""Run in a fresh interpreter by tests/test_torch_rules.py: each borrowed answer, called plainly
(no watch), gives the right numbers, so it would pass if the rules did not hold. Some of them
switch hooks off or plant trace functions, which must not leak into the test process.

    python -m hostile.realness NAME=EXERCISES ...    (prints one line per case: NAME ok|wrong ...)
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from grader.references import batchnorm as bn_ref
from grader.worker.student import Student
from hostile.borrowed import CASES


def right(case, exercises) -> bool:
    student = Student(Path(exercises))
    if case.module == "mlp":
        logits = (torch.randn(16, 9, generator=torch.Generator().manual_seed(0)) * 3).requires_grad_()
        Y = torch.randint(0, 9, (16,), generator=torch.Generator().manual_seed(1))
        loss = student.load("makemore.mlp").cross_entropy(logits, Y)
        loss.backward()
        want = logits.detach().clone().requires_grad_()
        expected = F.cross_entropy(want, Y)
        expected.backward()
        return torch.allclose(loss.detach(), expected.detach()) and torch.allclose(logits.grad, want.grad, atol=1e-6)
    g = torch.Generator().manual_seed(0)
    dout, x, gamma = torch.randn(8, 4, generator=g), torch.randn(8, 4, generator=g) * 2 + 1, torch.rand(4, generator=g) + 0.5
    module = student.load("makemore.batchnorm", {"makemore.mlp": "grader.references.mlp"})
    with torch.no_grad():  # as the probe calls it
        got = module.batchnorm_backward(dout, x, gamma, 1e-5)
    want = bn_ref.batchnorm_backward(dout, x, gamma, 1e-5)
    return all(torch.allclose(a, b, rtol=1e-4, atol=1e-5) for a, b in zip(got, want))


def main(argv: list[str]) -> None:
    by_name = {c.name: c for c in CASES}
    for arg in argv:
        name, exercises = arg.split("=", 1)
        try:
            verdict = "ok" if right(by_name[name], exercises) else "wrong"
        except BaseException as exc:  # noqa: BLE001 - a case that raises is reported, not fatal
            verdict = f"raised {type(exc).__name__}: {exc}"
        sys.settrace(None)
        print(name, verdict, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
