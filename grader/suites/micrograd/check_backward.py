"""`Value.backward()` on graphs whose every node carries the grader's own `_backward`.

So a wrong op cannot fail these checks: only the order, the seed, visiting each node once and
leaving earlier grads alone are the student's.
"""
from __future__ import annotations

import math

import pytest

from grader.checks import CheckFailed, expect_close
from grader.shared import deep_chain
from grader.suites.micrograd.graphs import Graph, context, expression, leaf_names, torch_reference
from grader.suites.micrograd.graphs import random_graph as _random_graph

ENGINE = [("micrograd.engine", None)]
pytestmark = pytest.mark.component("micrograd.backward")


def _consumers(graph) -> dict[int, set[int]]:
    users: dict[int, set[int]] = {i: set() for i in range(len(graph))}
    for k, ins in enumerate(graph):
        ops = ins[1] if ins[0] == "sum" else [s["n"] for s in ins[2:] if isinstance(s, dict) and "n" in s] \
            if ins[0] == "bin" else [ins[1]] if ins[0] == "pow" else [ins[2]] if ins[0] == "un" else []
        for o in ops:
            users[o].add(k)
    return users


def _reachable(graph) -> set[int]:
    users = _consumers(graph)
    out = len(graph) - 1
    seen, stack = {out}, [out]
    while stack:  # walk the consumer relation backwards: who feeds the output
        k = stack.pop()
        for i, us in users.items():
            if k in us and i not in seen:
                seen.add(i)
                stack.append(i)
    return seen


def run_backward(student, graph, preset, where):
    got = student.call("backward_graph", load=ENGINE, graph=graph, preset={str(k): v for k, v in preset.items()})
    names = leaf_names(graph)
    label = lambda i: names.get(i) or expression(graph, i, names)  # noqa: E731
    calls = [c for c in got["calls"] if c >= 0]
    reach = _reachable(graph)
    if got["seed"] is None or not calls:
        raise CheckFailed(f"backward() never called the output's _backward {where}",
                          "After seeding, walk the topological order in reverse and call each node's _backward().")
    if got["seed"] == 0.0:
        raise CheckFailed(f"backward() did not seed the output: out.grad was 0.0 when its _backward ran {where}",
                          "Set self.grad = 1.0 on the output before calling any _backward: d(out)/d(out) = 1.")
    expect_close(got["seed"], 1.0, what="out.grad when its _backward ran (the seed)", context=where)
    counts = {i: calls.count(i) for i in reach}
    # An op node processed twice explains wrong gradients; a leaf's no-op twice explains nothing.
    twice = sorted((i for i, n in counts.items() if n > 1), key=lambda i: (graph[i][0] == "leaf", i))
    never = [i for i, n in counts.items() if n == 0]
    if twice:
        raise CheckFailed(
            f"backward() called the _backward of {label(twice[0])} {counts[twice[0]]} times {where}; "
            "a node reachable along several paths must be processed exactly once",
            "Keep a visited set while building the topological order.")
    if never:
        raise CheckFailed(f"backward() never called the _backward of {label(never[0])} {where}",
                          "Visit every node reachable through _prev, leaves included.")
    position = {i: calls.index(i) for i in reach}
    users = _consumers(graph)
    for i in reach:
        for u in users[i]:
            if u in reach and position[u] > position[i]:
                raise CheckFailed(
                    f"backward() ran the _backward of {label(i)} before that of {label(u)}, which uses it, "
                    f"{where}: its grad was not complete yet (the walk must go in reverse topological order)",
                    "Walk the topological order in *reverse*: the output first, then towards the leaves.")
    _, grads = torch_reference(graph, 1.0, preset)
    expect_close(got["grad"], grads, what="gradient after backward()", context=where,
                 labels=[f"d(out)/d{label(i)}" for i in range(len(graph))],
                 hint="backward() must not reset grads: zeroing is zero_grad's job, not backward's.")


def check_chain(student):
    g = Graph()
    a = g.leaf(0.5)
    b = g.bin("*", a, 3.0)
    c = g.un("tanh", b)
    g.bin("+", c, 1.0)
    run_backward(student, g.ins, {}, context(g.ins, 1.0))


def check_shared_node(student):
    # d = a*b; e = d + a; out = e * d: a and d each feed two nodes (the diamond).
    g = Graph()
    a, b = g.leaf(2.0), g.leaf(-3.0)
    d = g.bin("*", a, b)
    e = g.bin("+", d, a)
    g.bin("*", e, d)
    run_backward(student, g.ins, {}, context(g.ins, 1.0))


def check_grads_are_not_reset(student):
    g = Graph()
    a, b = g.leaf(1.5), g.leaf(0.5)
    g.bin("+", g.bin("*", a, b), a)
    preset = {0: 10.0, 1: -2.0}
    run_backward(student, g.ins, preset, context(g.ins, 1.0) + " (a.grad and b.grad were 10 and -2 before backward())")


def check_random_graphs(student, rng, seed):
    for component in ("micrograd.mul", "micrograd.tanh", "micrograd.exp_log"):
        graph = _random_graph(rng, component, n_leaves=4, n_ops=9)
        run_backward(student, graph, {}, context(graph, 1.0) + f" (random graph, seed {seed})")


@pytest.mark.component("micrograd.deep_graphs")
def check_deep_chain(student, seed):
    got = student.prefetched("deep_chain")  # started in a worker of its own before torch loaded
    factors, _ = deep_chain.numbers(seed)
    steps = len(factors)
    # d(out)/d(node after step s) = product of the factors after s; d(out)/dx = all of them.
    suffix = [1.0] * (steps + 1)
    for s in range(steps - 1, -1, -1):
        suffix[s] = suffix[s + 1] * factors[s]
    expected = [suffix[s + 1] for s in range(0, steps, deep_chain.EVERY)]
    hint = "backward() runs here but gives wrong gradients: make micrograd.backward pass first."
    expect_close(got["leaf_grad"], math.prod(factors), rtol=1e-9, hint=hint,
                 what="d(out)/dx at the bottom of a 100,000-node chain", context=f"(seed {seed})")
    expect_close(got["checkpoints"], expected, rtol=1e-9, what="gradient along the chain", hint=hint,
                 labels=[f"the node after step {s}" for s in range(0, steps, deep_chain.EVERY)])
