"""Judge-side expression graphs: building them, naming them, and what PyTorch says of them.

Also `simulate`, a float64 re-play of backward with classic mistakes switched on, so a
check can say "this is exactly what `=` instead of `+=` gives".
"""
from __future__ import annotations

import math
import random

import torch

from grader.checks import once
from grader.shared import exprs

LETTERS = "abcdefgh"

# Which instructions belong to which component (the op under test).
TARGET_OPS = {
    "micrograd.add": {("bin", "+"), ("sum", None)},
    "micrograd.mul": {("bin", "*")},
    "micrograd.pow": {("pow", None)},
    "micrograd.neg_sub_div": {("un", "neg"), ("bin", "-"), ("bin", "/")},
    "micrograd.exp_log": {("un", "exp"), ("un", "log")},
    "micrograd.tanh": {("un", "tanh")},
    "micrograd.relu": {("un", "relu")},
}


class Graph:
    """A small builder: `g.leaf(2.0)`, `g.bin("*", a, 3.0)`, ...; indices stand for nodes."""

    def __init__(self):
        self.ins: list = []

    def _side(self, x):
        return {"n": x} if isinstance(x, int) else {"c": float(x)}

    def add(self, ins) -> int:
        self.ins.append(ins)
        return len(self.ins) - 1

    def leaf(self, x: float) -> int:
        return self.add(["leaf", float(x)])

    def bin(self, op: str, a, b) -> int:
        return self.add(["bin", op, self._side(a), self._side(b)])

    def pow(self, a: int, k) -> int:
        return self.add(["pow", a, k])

    def un(self, op: str, a: int) -> int:
        return self.add(["un", op, a])

    def sum(self, items: list[int]) -> int:
        return self.add(["sum", list(items)])


def kind(ins) -> tuple:
    return (ins[0], ins[1] if ins[0] in ("bin", "un") else None)


def leaf_names(graph) -> dict[int, str]:
    leaves = [i for i, ins in enumerate(graph) if ins[0] == "leaf"]
    return {i: LETTERS[k] if k < len(LETTERS) else f"x{k}" for k, i in enumerate(leaves)}


def expression(graph, index: int | None = None, names=None) -> str:
    """The node as a formula over the leaves, e.g. `tanh(a * b + 2.0)`."""
    names = names or leaf_names(graph)
    index = len(graph) - 1 if index is None else index
    ins = graph[index]

    def side(s):
        return expression(graph, s["n"], names) if "n" in s else f"{s['c']:g}"

    if ins[0] == "leaf":
        return names[index]
    if ins[0] == "bin":
        return f"({side(ins[2])} {ins[1]} {side(ins[3])})" if index != len(graph) - 1 else \
            f"{side(ins[2])} {ins[1]} {side(ins[3])}"
    if ins[0] == "pow":
        return f"{expression(graph, ins[1], names)}**{ins[2]:g}"
    if ins[0] == "un":
        inner = expression(graph, ins[2], names)
        return f"-{inner}" if ins[1] == "neg" else f"{inner}.{ins[1]}()"
    return f"sum([{', '.join(expression(graph, i, names) for i in ins[1])}])"


def context(graph, out_grad: float) -> str:
    names = leaf_names(graph)
    values = ", ".join(f"{names[i]}={graph[i][1]:g}" for i in names)
    seed = f", out.grad={out_grad:g}" if out_grad != 1.0 else ""
    return f"for out = {expression(graph)} with {values}{seed}"


@once
def torch_reference(graph, out_grad: float, preset: dict | None = None):
    """(data, grad) of every node, float64, as PyTorch computes them."""
    nodes = exprs.evaluate(graph, lambda x: torch.tensor(x, dtype=torch.float64, requires_grad=True))
    for n in nodes:
        if n.requires_grad and not n.is_leaf:
            n.retain_grad()
    # Scale instead of backward(gradient=...): that path imports sympy, a third of a second.
    (nodes[-1] * out_grad).backward()
    data = [float(n.detach()) for n in nodes]
    grads = [float(n.grad) if n.grad is not None else 0.0 for n in nodes]
    for i, g in (preset or {}).items():
        grads[int(i)] += g
    return data, grads


# -- classic mistakes, replayed (their names and hints: grader/suites/micrograd/mistakes.py) --

def _locals(ins, vals, out, mistake: str | None):
    """Local derivatives d(node)/d(operand) as [(operand index, value)]; constants skipped."""
    k = kind(ins)
    ops = exprs.operands(ins)
    x = [vals[o] if isinstance(o, int) else o[1] for o in ops]
    if k == ("bin", "+") or k[0] == "sum":
        d = [1.0] * len(ops)
    elif k == ("bin", "-"):
        d = [1.0, -1.0]
    elif k == ("bin", "*"):
        d = [x[1], x[0]] if mistake != "mul_own" else [x[0], x[1]]
    elif k == ("bin", "/"):
        d = [1.0 / x[1], -x[0] / x[1] ** 2]
    elif k[0] == "pow":
        p = ins[2]
        d = [p * x[0] ** (p - 1) if mistake != "pow_no_minus_one" else p * x[0] ** p]
    elif k == ("un", "neg"):
        d = [-1.0]
    elif k == ("un", "exp"):
        d = [out if mistake != "exp_x" else x[0]]
    elif k == ("un", "log"):
        d = [1.0 / x[0]]
    elif k == ("un", "tanh"):
        d = [1.0 - out**2 if mistake != "tanh_one_minus_t" else 1.0 - out]
    elif k == ("un", "relu"):
        d = [(1.0 if x[0] > 0 else 0.0) if mistake != "relu_ge" else (1.0 if x[0] >= 0 else 0.0)]
    else:
        d = []
    return [(o, dv) for o, dv in zip(ops, d) if isinstance(o, int)]


def simulate(graph, out_grad: float, preset: dict, mistake: str, target: set) -> list[float] | None:
    """Grads of every node if the target op carried `mistake`; None if it cannot be replayed."""
    try:
        vals = [float(v) for v in exprs.evaluate(graph, float, exprs.FLOAT_UNARY)]
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    grads = [0.0] * len(graph)
    for i, g in preset.items():
        grads[int(i)] += g
    grads[-1] = out_grad
    for k in range(len(graph) - 1, -1, -1):
        ins = graph[k]
        on_target = kind(ins) in target or (ins[0] == "sum" and ("sum", None) in target)
        m = mistake if on_target else None
        if m == "no_backward":
            continue  # the op's closure was never attached: nothing passes through it
        for o, d in _locals(ins, vals, vals[k], m):
            contribution = d * (grads[k] if m != "no_chain" else 1.0)
            if m == "assign":
                grads[o] = contribution
            else:
                grads[o] += contribution
    return grads


# -- random graphs -------------------------------------------------------------------------

def random_graph(rng: random.Random, component: str, n_leaves: int = 3, n_ops: int = 7) -> list:
    """A random small graph where most nodes use the op under test, with every operand in
    the op's domain (log of positives, no division by near-zero) and values of moderate size."""
    g, vals = Graph(), []
    for _ in range(n_leaves):
        x = round(rng.uniform(0.3, 2.0) * rng.choice([1, 1, -1]), 3)
        if component in ("micrograd.pow", "micrograd.exp_log"):
            x = abs(x)
        g.leaf(x)
        vals.append(x)
    targets = sorted(TARGET_OPS[component], key=str)
    for _ in range(n_ops):
        for _attempt in range(20):
            if rng.random() < 0.7:
                ins = _target_ins(rng, targets, vals)
            else:
                ins = _glue_ins(rng, component, vals)
            if ins is None:
                continue
            try:
                value = float(exprs.evaluate(g.ins + [ins], float, exprs.FLOAT_UNARY)[-1])
            except (ValueError, ZeroDivisionError, OverflowError):
                continue
            if math.isfinite(value) and abs(value) < 50:
                g.add(ins)
                vals.append(value)
                break
    return g.ins


def _pick(rng, vals, ok=lambda v: True):
    # Prefer recent nodes (deeper graphs) but allow any, and reuse (a node used twice).
    choices = [i for i, v in enumerate(vals) if ok(v)]
    if not choices:
        return None
    return max(rng.choice(choices), rng.choice(choices))


def _target_ins(rng, targets, vals):
    kind_, op = rng.choice(targets)
    const = round(rng.uniform(-2, 2), 2) or 1.5
    if kind_ == "sum":
        items = [_pick(rng, vals) for _ in range(rng.randint(2, 4))]
        return ["sum", items]
    if kind_ == "pow":
        a = _pick(rng, vals, lambda v: 0.2 < v < 5)
        return None if a is None else ["pow", a, rng.choice([2, 3, -1, 0.5, -0.5, 1.5])]
    if kind_ == "un":
        domain = {"log": lambda v: v > 0.1, "exp": lambda v: abs(v) < 3}.get(op, lambda v: True)
        a = _pick(rng, vals, domain)
        return None if a is None else ["un", op, a]
    a = _pick(rng, vals)
    b = _pick(rng, vals, (lambda v: abs(v) > 0.3) if op == "/" else (lambda v: True))
    if b is None:
        return None
    form = rng.random()
    if form < 0.2:
        return ["bin", op, {"n": a}, {"c": const}]
    if form < 0.4:
        return ["bin", op, {"c": const}, {"n": b if op != "/" else b}]
    return ["bin", op, {"n": a}, {"n": b}]


def _glue_ins(rng, component, vals):
    op = "*" if component == "micrograd.add" else "+"
    return ["bin", op, {"n": _pick(rng, vals)}, {"n": _pick(rng, vals)}]
