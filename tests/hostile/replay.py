"""Run in a fresh interpreter by tests/test_torch_rules.py, so that nothing a borrowed answer does
(hooks switched off, trace functions planted) reaches the test process:

    python -m hostile.replay NAME=EXERCISES ...

First every case through the worker's probe, in this process, as a worker runs it (the watch is
what decides here: the judge's source review is not involved), printing `watch NAME MESSAGE`;
then every case called plainly, printing `real NAME ok` when its numbers are right (so that it
would pass if the rules did not hold). Cases that plant hooks at import are left to the
end-to-end tests: they would taint every later watch of this process."""
from __future__ import annotations

import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from grader.probes import batchnorm as bn_probes
from grader.probes import mlp as mlp_probes
from grader.probes.common import BadResult
from grader.references import batchnorm as bn_ref
from grader.engine.worker.student import Student
from hostile.borrowed import CASES, TAINTING


def inputs(module: str):
    g = torch.Generator().manual_seed(0)
    if module == "mlp":
        logits = torch.randn(16, 9, generator=g) * 3
        return logits, torch.randint(0, 9, (16,), generator=g)
    return torch.randn(8, 4, generator=g), torch.randn(8, 4, generator=g) * 2 + 1, torch.rand(4, generator=g) + 0.5


def forget_makemore():
    for name in [n for n in sys.modules if n == "makemore" or n.startswith("makemore.")]:
        del sys.modules[name]


def watched(case, exercises: Path) -> str:
    student = Student(exercises)
    try:
        if case.module == "mlp":
            logits, Y = inputs("mlp")
            mlp_probes.cross_entropy(student, logits.numpy(), Y.numpy())
        else:
            dout, x, gamma = inputs("batchnorm")
            bn_probes.backward(student, dout.numpy(), x.numpy(), gamma.numpy(), 1e-5)
        return "passed the watch"
    except BadResult as exc:
        return str(exc)
    except BaseException as exc:  # noqa: BLE001 - reported, not fatal
        return f"raised {type(exc).__name__}: {exc}"


def right(case, exercises: Path) -> bool:
    student = Student(exercises)
    if case.module == "mlp":
        logits, Y = inputs("mlp")
        logits.requires_grad_()
        loss = student.load("makemore.mlp").cross_entropy(logits, Y)
        loss.backward()
        want = logits.detach().clone().requires_grad_()
        expected = F.cross_entropy(want, Y)
        expected.backward()
        return torch.allclose(loss.detach(), expected.detach()) and torch.allclose(logits.grad, want.grad, atol=1e-6)
    dout, x, gamma = inputs("batchnorm")
    module = student.load("makemore.batchnorm", {"makemore.mlp": "grader.references.mlp"})
    with torch.no_grad():  # as the probe calls it
        got = module.batchnorm_backward(dout, x, gamma, 1e-5)
    want = bn_ref.batchnorm_backward(dout, x, gamma, 1e-5)
    return all(torch.allclose(a, b, rtol=1e-4, atol=1e-5) for a, b in zip(got, want))


def main(argv: list[str]) -> None:
    by_name = {c.name: c for c in CASES}
    cases = [(by_name[name], Path(path)) for name, path in (arg.split("=", 1) for arg in argv)]
    for case, exercises in cases:
        if case.name not in TAINTING:
            print("watch", case.name, watched(case, exercises).replace("\n", " "), flush=True)
            forget_makemore()
    for case, exercises in cases:
        try:
            verdict = "ok" if right(case, exercises) else "wrong"
        except BaseException as exc:  # noqa: BLE001 - a case that raises is reported, not fatal
            verdict = f"raised {type(exc).__name__}: {exc}"
        sys.settrace(None)
        forget_makemore()
        print("real", case.name, verdict, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
