"""Expression graphs as data, so the judge and the worker can build the *same* graph.

A graph is a list of instructions; instruction k makes node k:
    ["leaf", x]                    a fresh leaf with value x
    ["in", i]                      input i (gradcheck's functions)
    ["bin", op, lhs, rhs]          op in + - * /; each side {"n": node} or {"c": number}
    ["pow", node, k]               node ** k, k a plain int or float
    ["un", op, node]               op in neg exp log tanh relu
    ["sum", [node, ...]]           Python's sum(), so 0 + first node uses __radd__
The judge evaluates a graph on float64 torch tensors, the worker on the student's Value, and
gradcheck on plain floats: each is a different `leaf` and `unary`, one interpreter.
"""
from __future__ import annotations

import math
import operator

BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
METHOD_UNARY = {
    "neg": operator.neg,
    "exp": lambda v: v.exp(),
    "log": lambda v: v.log(),
    "tanh": lambda v: v.tanh(),
    "relu": lambda v: v.relu(),
}
FLOAT_UNARY = {
    "neg": operator.neg,
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "relu": lambda x: x if x > 0 else 0.0,
}


def evaluate(graph, leaf, unary=METHOD_UNARY, inputs=()):
    nodes = []
    for ins in graph:
        kind = ins[0]
        if kind == "leaf":
            nodes.append(leaf(ins[1]))
        elif kind == "in":
            nodes.append(inputs[ins[1]])
        elif kind == "bin":
            _, op, lhs, rhs = ins
            a = nodes[lhs["n"]] if "n" in lhs else lhs["c"]
            b = nodes[rhs["n"]] if "n" in rhs else rhs["c"]
            nodes.append(BINARY[op](a, b))
        elif kind == "pow":
            nodes.append(nodes[ins[1]] ** ins[2])
        elif kind == "un":
            nodes.append(unary[ins[1]](nodes[ins[2]]))
        elif kind == "sum":
            nodes.append(sum(nodes[i] for i in ins[1]))
        else:
            raise ValueError(f"unknown instruction {ins!r}")
    return nodes


def evaluate_floats(graph, inputs) -> float:
    return float(evaluate(graph, float, FLOAT_UNARY, inputs)[-1])


def operands(ins) -> list:
    """The operands of one instruction: node indices as ints, constants as ("c", value)."""
    kind = ins[0]
    if kind == "bin":
        return [s["n"] if "n" in s else ("c", s["c"]) for s in ins[2:]]
    if kind in ("pow", "un"):
        return [ins[1] if kind == "pow" else ins[2]]
    if kind == "sum":
        return list(ins[1])
    return []


def describe(graph, index: int) -> str:
    """A short human form of node `index`, e.g. `a * 2.0`, naming nodes n0, n1, ..."""
    ins = graph[index]
    name = lambda s: f"n{s['n']}" if "n" in s else repr(s["c"])  # noqa: E731
    kind = ins[0]
    if kind == "leaf":
        return f"n{index} = Value({ins[1]!r})"
    if kind == "bin":
        return f"n{index} = {name(ins[2])} {ins[1]} {name(ins[3])}"
    if kind == "pow":
        return f"n{index} = n{ins[1]} ** {ins[2]!r}"
    if kind == "un":
        return f"n{index} = -n{ins[2]}" if ins[1] == "neg" else f"n{index} = n{ins[2]}.{ins[1]}()"
    if kind == "sum":
        return f"n{index} = sum([{', '.join(f'n{i}' for i in ins[1])}])"
    return f"n{index} = input[{ins[1]}]"
