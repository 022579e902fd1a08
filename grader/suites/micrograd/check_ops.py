"""Each op of `Value` on its own: forward value, `_prev`, and the local backward.

Only the op under test is the student's: every other op is the grader's (grafted onto the
student's class), and backward is driven by the grader's loop over the nodes' own closures.
"""
from __future__ import annotations

import pytest

from grader.judge.compare import Mistake, expect, expect_close
from grader.judge.plugin import CheckFailed
from grader.suites.micrograd.graphs import (
    MISTAKES, TARGET_OPS, Graph, context, expression, kind, leaf_names, random_graph, simulate,
    torch_reference,
)
from grader.worker.client import StudentFailure

ENGINE = [("micrograd.engine", None)]
# Ops that SPEC §3 lets a learner build from other ops (a - b as a + (-b), tanh from exp and /):
# their operands are then reachable through `_prev` but not in it, so no _prev check (the
# gradient check still fails an output that does not reach them).
COMPOSED = {"micrograd.neg_sub_div", "micrograd.tanh"}
CANDIDATE_MISTAKES = {
    "micrograd.add": ["assign", "no_chain"],
    "micrograd.mul": ["assign", "mul_own", "no_chain"],
    "micrograd.pow": ["assign", "pow_no_minus_one", "no_chain"],
    "micrograd.neg_sub_div": ["assign", "no_chain"],
    "micrograd.exp_log": ["assign", "exp_x", "no_chain"],
    "micrograd.tanh": ["assign", "tanh_one_minus_t", "no_chain"],
    "micrograd.relu": ["assign", "relu_ge", "no_chain"],
}
REFLECTED = {"+": "__radd__", "*": "__rmul__", "-": "__rsub__", "/": "__rtruediv__"}


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
    try:
        got = student.call("op_graph", load=ENGINE, component=component, graph=graph, out_grad=out_grad,
                           preset={str(k): v for k, v in preset.items()})
    except StudentFailure as failure:
        _name_reflected_mistake(failure, graph)
        raise
    data, grads = torch_reference(graph, out_grad, preset)
    where = context(graph, out_grad) + seed_note
    names = leaf_names(graph)
    label = lambda i: names.get(i) or expression(graph, i, names)  # noqa: E731

    for i, ins in enumerate(graph):
        expect_close(got["data"][i], data[i], what=f"forward value of {label(i)}", context=where,
                     mistakes=_swapped_operands(ins, got["data"]))
    expect(all(got["op_is_str"]), f"`_op` must be a str on every node {where}")
    if component not in COMPOSED:
        _check_prev(graph, got["prev"], component, label, where)
    mistakes = []
    for name in CANDIDATE_MISTAKES[component]:
        alt = simulate(graph, out_grad, preset, name, TARGET_OPS[component])
        if alt is not None:
            mistakes.append(Mistake(MISTAKES[name][0], alt, MISTAKES[name][1]))
    # Leaves first: "d(out)/da" is what a learner reasons about.
    order = [i for i in names] + [i for i in range(len(graph)) if i not in names]
    expect_close([got["grad"][i] for i in order], [grads[i] for i in order], what="gradient",
                 context=where, mistakes=mistakes, labels=[f"d(out)/d{label(i)}" for i in order])


def _check_prev(graph, prev, component, label, where):
    for i, ins in enumerate(graph):
        if kind(ins) not in TARGET_OPS[component] or ins[0] == "sum":
            continue
        want_nodes = sorted(s["n"] for s in ins[2:] if "n" in s) if ins[0] == "bin" else [ins[1] if ins[0] == "pow" else ins[2]]
        want_consts = sorted(s["c"] for s in ins[2:] if "c" in s) if ins[0] == "bin" else []
        have = prev[i]
        if sorted(set(want_nodes)) != have["nodes"] or (want_consts and have["constants"] != want_consts):
            raise CheckFailed(
                f"`_prev` of {label(i)} should hold its Value operands (numbers wrapped in a Value) "
                f"{where}; it holds {len(have['nodes']) + len(have['constants'])} node(s)",
                "Pass the operands as `_children` when you create the output Value: Value(data, (self, other), '*').",
            )


def _swapped_operands(ins, values) -> list[Mistake]:
    """`2 - a` computed as `a - 2` (or `2 / a` as `a / 2`): the reflected op's order reversed."""
    if ins[0] != "bin" or ins[1] not in "-/" or "c" not in ins[2]:
        return []
    c, x = ins[2]["c"], values[ins[3]["n"]] if "n" in ins[3] else ins[3]["c"]
    swapped = x - c if ins[1] == "-" else (x / c if c else float("nan"))
    method = REFLECTED[ins[1]]
    return [Mistake(f"swapping the operands in {method} (it computes other {ins[1]} self)", swapped,
                    f"In {method}(self, other), `other` is the number on the left: return other {ins[1]} self.")]


def _name_reflected_mistake(failure: StudentFailure, graph: list) -> None:
    if "unsupported operand" not in failure.message:
        return
    for ins in graph:
        if ins[0] == "bin" and "c" in ins[2]:
            failure.message += (f". A number on the left (`2 {ins[1]} a`) needs the reflected operator "
                                f"{REFLECTED[ins[1]]}: it is missing")
            return


@pytest.mark.parametrize("graph,out_grad,preset", ALL_CLASSIC)
def check_classic_case(student, request, graph, out_grad, preset):
    component = request.node.get_closest_marker("component").args[0]
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
