"""Each op of `Value` on its own: forward value, reachability through `_prev`, and the local backward.

Only the op under test is the student's: every other op is the grader's (grafted onto the
student's class), and backward is driven by the grader's loop over the nodes' own closures.
An op may be composed from other ops (SPEC §3): its operands need only be reachable through
`_prev`, and the values and gradients right.
"""
from __future__ import annotations

import math

import pytest

from grader.shared import exprs
from grader.checks import CheckFailed, Mistake, StudentFailure, expect_close
from grader.suites.micrograd.graphs import (
    TARGET_OPS, Graph, context, expression, kind, leaf_names, random_graph, simulate,
    torch_reference,
)
from grader.suites.micrograd.mistakes import MISTAKES
from grader.suites.micrograd.methods import missing_method, name_recursion

ENGINE = [("micrograd.engine", None)]


def _classic(component):
    """The lecture's cases, named: (title, graph, out_grad, preset)."""
    cases = []

    def case(title, build, out_grad=1.0, preset=None):
        graph = Graph()
        build(graph)
        cases.append(pytest.param(graph.ins, out_grad, preset or {}, id=title, marks=pytest.mark.component(component)))

    if component == "micrograd.add":
        case("a+b", lambda g: g.bin("+", g.leaf(2.0), g.leaf(-3.0)))
        case("a+a", lambda g: g.bin("+", g.leaf(1.5), 0))
        case("a+number", lambda g: g.bin("+", g.leaf(2.0), 4.0))
        case("number+a", lambda g: g.bin("+", 4.0, g.leaf(2.0)), out_grad=2.0)
        case("sum", lambda g: g.sum([g.leaf(1.0), g.leaf(2.0), g.leaf(-0.5), 0]))
        case("grad-already-set", lambda g: g.bin("+", g.leaf(2.0), g.leaf(1.0)), preset={0: 0.25})
    elif component == "micrograd.mul":
        case("a*b", lambda g: g.bin("*", g.leaf(2.0), g.leaf(3.0)))
        case("a*a", lambda g: g.bin("*", g.leaf(-1.5), 0))
        case("a*number", lambda g: g.bin("*", g.leaf(2.0), -3.0), out_grad=0.5)
        case("number*a", lambda g: g.bin("*", 2.0, g.leaf(-4.0)))
    elif component == "micrograd.pow":
        case("a**2", lambda g: g.pow(g.leaf(3.0), 2))
        case("a**-1", lambda g: g.pow(g.leaf(2.0), -1), out_grad=2.0)
        case("a**0.5", lambda g: g.pow(g.leaf(4.0), 0.5))
        case("a**3+a**2", lambda g: g.bin("+", g.pow(g.leaf(1.5), 3), g.pow(0, 2)))
        case("negative-base", lambda g: g.bin("+", g.pow(g.leaf(-1.5), 3), g.pow(0, 2)))  # as (ypred - y)**2
    elif component == "micrograd.neg_sub_div":
        case("-a", lambda g: g.un("neg", g.leaf(2.0)))
        case("a-b", lambda g: g.bin("-", g.leaf(5.0), g.leaf(3.0)))
        case("number-a", lambda g: g.bin("-", 1.0, g.leaf(3.0)))
        case("a-number", lambda g: g.bin("-", g.leaf(3.0), 1.0), out_grad=2.0)
        case("a/b", lambda g: g.bin("/", g.leaf(3.0), g.leaf(2.0)))
        case("number/a", lambda g: g.bin("/", 1.0, g.leaf(4.0)))
        case("a/number", lambda g: g.bin("/", g.leaf(3.0), 2.0))
    elif component == "micrograd.exp_log":
        case("exp", lambda g: g.un("exp", g.leaf(1.0)))
        case("log", lambda g: g.un("log", g.leaf(2.0)), out_grad=3.0)
        case("log-of-exp", lambda g: g.un("log", g.un("exp", g.leaf(-0.7))))
    elif component == "micrograd.tanh":
        case("tanh", lambda g: g.un("tanh", g.leaf(0.8814)))
        case("tanh-negative", lambda g: g.un("tanh", g.leaf(-2.5)), out_grad=2.0)
        case("tanh-twice", lambda g: g.un("tanh", g.un("tanh", g.leaf(0.5))))
    elif component == "micrograd.relu":
        case("relu-positive", lambda g: g.un("relu", g.leaf(2.0)))
        case("relu-negative", lambda g: g.un("relu", g.leaf(-2.0)))
        case("relu-at-zero", lambda g: g.un("relu", g.leaf(0.0)))
    return cases


ALL_CLASSIC = [p for comp in TARGET_OPS for p in _classic(comp)]


def run_case(student, component: str, graph: list, out_grad: float, preset: dict, seed_note: str = ""):
    where = context(graph, out_grad) + seed_note
    try:
        got = student.call("op_graph", load=ENGINE, component=component, graph=graph, out_grad=out_grad,
                           preset={str(k): v for k, v in preset.items()})
    except StudentFailure as failure:
        name_recursion(failure)
        _name_domain_error(failure, component, graph)
        raise
    names = leaf_names(graph)
    label = lambda i: names.get(i) or expression(graph, i, names)  # noqa: E731
    if "missing" in got:
        raise missing_method(got["missing"], graph, where, label)
    data, grads = torch_reference(graph, out_grad, preset)

    for i, ins in enumerate(graph):
        expect_close(got["data"][i], data[i], what=f"forward value of {label(i)}", context=where,
                     mistakes=_swapped_operands(component, ins, got["data"]))
    # Before the gradients: an operand the grader cannot reach through _prev explains why no
    # gradient arrives there. (`_op` is never judged: grading does not need it.)
    _check_reach(graph, got["reach"], component, label, where)

    def replayed(mistake):  # backward with the op under test carrying `mistake` (nan: it cannot be replayed)
        alt = simulate(graph, out_grad, preset, mistake, TARGET_OPS[component])
        return [math.nan] * len(graph) if alt is None else alt

    mistakes = MISTAKES.of(component, on="gradient", variant=replayed)
    # Leaves first: "d(out)/da" is what a learner reasons about.
    order = [i for i in names] + [i for i in range(len(graph)) if i not in names]
    expect_close([got["grad"][i] for i in order], [grads[i] for i in order], what="gradient",
                 context=where, mistakes=mistakes, labels=[f"d(out)/d{label(i)}" for i in order])


def _check_reach(graph, reach, component, label, where):
    """Every operand of the op under test reachable through `_prev`: directly (the lecture's
    `Value(data, (self, other), '*')`) or through the hidden nodes of a composed op."""
    for i, ins in enumerate(graph):
        if kind(ins) not in TARGET_OPS[component]:
            continue
        lost = [o for o in exprs.operands(ins) if isinstance(o, int) and o not in reach[i]]
        if lost:
            raise CheckFailed(
                f"{label(lost[0])} cannot be reached through `_prev` from {label(i)} {where}: backward() finds "
                "the nodes to visit by following _prev from the output, so an operand it cannot reach never "
                "passes its gradient on (an op may be built from other ops, but its operands must stay reachable)",
                "Pass the operands as `_children` when you create the output Value: Value(data, (self, other), '*').",
            )


def _swapped_operands(component, ins, values) -> list[Mistake]:
    """`2 - a` computed as `a - 2` (or `2 / a` as `a / 2`): the reflected op's order reversed."""
    if ins[0] != "bin" or ins[1] not in "-/" or "c" not in ins[2]:
        return []
    c, x = ins[2]["c"], values[ins[3]["n"]] if "n" in ins[3] else ins[3]["c"]
    return MISTAKES.of(component, on=f"forward {ins[1]}", c=c, x=x)


def _name_domain_error(failure: StudentFailure, component: str, graph: list) -> None:
    """A power built as exp(k * log(x)): right for x > 0 only, and SPEC §2's powers take any base."""
    negative = [ins[1] for ins in graph if ins[0] == "leaf" and ins[1] < 0]
    if component == "micrograd.pow" and "math domain error" in failure.message and negative:
        failure.message += (f". The base is negative here ({negative[0]:g}): x ** k is a real number for a negative x "
                            "and a whole k (the loss's (ypred - y)**2 needs it), but log(x) is not")
        failure.hint = "Compute the power itself, self.data ** other, with the power rule k * x**(k-1) for its gradient."


@pytest.mark.parametrize("graph,out_grad,preset", ALL_CLASSIC)
def check_classic_case(student, component, graph, out_grad, preset):
    run_case(student, component, graph, out_grad, preset)


@pytest.mark.parametrize("component", [pytest.param(c, marks=pytest.mark.component(c)) for c in TARGET_OPS])
def check_random_graphs(student, rng, seed, component):
    for _ in range(4):
        graph = random_graph(rng, component)
        leaves = [i for i, ins in enumerate(graph) if ins[0] == "leaf"]
        preset = {i: round(rng.uniform(-1, 1), 2) for i in leaves if rng.random() < 0.5}
        out_grad = round(rng.uniform(0.5, 2.0), 2)
        run_case(student, component, graph, out_grad, preset,
                 seed_note=f" (random graph, seed {seed}; leaves' grads preset to {preset or 'zero'})")


@pytest.mark.component("micrograd.add")
def check_constructor(student):
    """The constructor's conventions, judged here and nowhere else (SPEC §3), and only what the
    grader's own ops and a learner's backward() rely on. Last of add's checks: a wrong `+` explains
    more than a convention."""
    got = student.call("constructor", load=ENGINE)
    spec = "SPEC §2's constructor is Value(data, _children=(), _op='', label='')"
    if got["data"] != 3.5:
        raise CheckFailed(f"Value(3.5).data is {got['data']:g}: a new Value should keep its number as data ({spec})")
    if got["grad"] is None or got["grad"] != 0:
        shown = got["grad_type"] if got["grad"] is None else f"{got['grad']:g}"
        raise CheckFailed(f"Value(3.5).grad starts as {shown}: it should start at 0, since every _backward adds "
                          "into it with += (only micrograd.add judges this)",
                          "In __init__: self.grad = 0.0")
    if got["prev"]:
        raise CheckFailed(f"Value(3.5)._prev holds {got['prev']} node(s): a leaf has no children ({spec})",
                          "In __init__: self._prev = set(_children), with _children=() by default.")
    if got["refused"]:
        raise CheckFailed(f"Value(3.0, (a, b), '+') raised {got['refused']}: {spec}, and the grader's own ops build "
                          "their nodes with it (only micrograd.add judges this)",
                          "def __init__(self, data, _children=(), _op=''): ...")
    if not all(got["children"]):
        raise CheckFailed("Value(3.0, (a, b), '+')._prev does not hold a and b: the children given to the constructor "
                          "are how backward() finds the graph (only micrograd.add judges this)",
                          "In __init__: self._prev = set(_children) (a tuple or list is fine too).")
