"""`numerical_gradient`: central differences, compared with the exact value the formula gives."""
from __future__ import annotations

import pytest
import torch

from grader.shared import exprs
from grader.checks import expect_close, require
from grader.suites.micrograd.graphs import Graph
from grader.suites.micrograd.mistakes import MISTAKES

pytestmark = pytest.mark.component("micrograd.gradcheck")
GRADCHECK = [("micrograd.gradcheck", None)]


def _function(rng):
    """f(x0, x1, x2) = x0**3 * x1 + tanh(x2) * x0 + exp(x1 / 2), with random coefficients."""
    g = Graph()
    x = [g.add(["in", i]) for i in range(3)]
    t1 = g.bin("*", g.pow(x[0], 3), x[1])
    t2 = g.bin("*", g.un("tanh", x[2]), x[0])
    t3 = g.un("exp", g.bin("*", x[1], round(rng.uniform(0.2, 0.8), 2)))
    g.bin("+", g.bin("+", g.bin("*", t1, round(rng.uniform(0.5, 2), 2)), t2), t3)
    return g.ins


def _differences(f, xs, h, kind):
    out = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        if kind == "central":
            out.append((f(up) - f(down)) / (2 * h))
        elif kind == "forward":
            out.append((f(up) - f(xs)) / h)
        elif kind == "half":
            out.append((f(up) - f(down)) / h)
    return out


def _exact(graph, xs):
    inputs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in xs]
    out = exprs.evaluate(graph, lambda v: torch.tensor(v, dtype=torch.float64), inputs=inputs)[-1]
    out.backward()
    return [float(t.grad) for t in inputs]


@pytest.mark.parametrize("h", [1e-2, None], ids=["h=0.01", "default-h"])
def check_central_differences(student, rng, seed, h):
    graph = _function(rng)
    xs = [round(rng.uniform(-1.5, 1.5), 3) for _ in range(3)]
    got = student.call("gradcheck", load=GRADCHECK, fgraph=graph, xs=xs, h=h)
    f = lambda v: exprs.evaluate_floats(graph, v)  # noqa: E731
    step = 1e-6 if h is None else h
    want = _differences(f, xs, step, "central")
    exact = _exact(graph, xs)
    where = f"for f(x) = {len(xs)}-input polynomial/tanh/exp at xs={xs}, h={step:g} (seed {seed})"
    require(not got["mutated"], f"numerical_gradient changed the caller's xs {where}",
           "Nudge a copy of xs (e.g. list(xs)), or restore the entry after each evaluation.")
    differences = lambda h, kind: _differences(f, xs, h, kind)  # noqa: E731
    mistakes = MISTAKES.of("micrograd.gradcheck", differences=differences, step=step)
    if h is not None:
        mistakes += MISTAKES.of("micrograd.gradcheck", on="arguments", differences=differences)
    rtol = 1e-6 if h is not None else 1e-4
    expect_close(got["grad"], want, rtol=rtol, atol=1e-6, what="numerical gradient", context=where,
                 mistakes=mistakes, labels=[f"d f/d x{i} (exact value {exact[i]:.6g})" for i in range(len(xs))])
    if h is None:  # at the default h the result must also agree with the exact gradient
        expect_close(got["grad"], exact, rtol=1e-5, atol=1e-6,
                     what="numerical gradient against PyTorch's exact gradient", context=where)
