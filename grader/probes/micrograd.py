"""Worker-side probes for micrograd. Pure Python: this file runs where numpy must not be.

Every probe isolates one component. Ops are run with the grader's reference op functions
grafted onto the student's `Value` for every op outside the component, and backward is driven
by the grader's own loop (`drive_backward`), so only the op under test is the student's.

Nothing here assumes more of a `Value` than SPEC §2 promises: nodes are told apart by `id()`
(never hashed), attributes are read and set by name (a class with `__slots__` or a dataclass is
fine), `_prev` may be any iterable, a leaf's `_backward` may be missing, and every grad is set to
0.0 before the grader back-propagates, so the constructor's conventions (judged once, by
micrograd.add's `check_constructor`) never cost another component anything.
"""
from __future__ import annotations

import gc
import traceback

from grader.shared import exprs
from grader.shared.deep_chain import POOL, STEPS, pools as chain_pools
from grader.probes.common import BadResult, as_float
from grader.probes.micrograd_graph import children, drive_backward, grafted, reachable, topo, zero_grads
from grader.probes.micrograd_nn import gradcheck, nn_mlp, nn_parts, train_mse, train_run  # noqa: F401

ENGINE = "micrograd.engine"
FORWARD = {"+": "__add__", "*": "__mul__", "-": "__sub__", "/": "__truediv__"}
REFLECTED = {"+": "__radd__", "*": "__rmul__", "-": "__rsub__", "/": "__rtruediv__"}


def _needed(ins) -> list[str]:
    """The methods of Value that building instruction `ins` calls first."""
    kind = ins[0]
    if kind == "bin":
        return [REFLECTED[ins[1]] if "c" in ins[2] else FORWARD[ins[1]]]
    if kind == "sum":
        return ["__radd__"]  # sum() starts from 0: 0 + first is first.__radd__(0)
    if kind == "pow":
        return ["__pow__"]
    if kind == "un":
        return ["__neg__" if ins[1] == "neg" else ins[1]]
    return []


def _missing(Value, graph) -> dict | None:
    """The first method the graph needs that `Value` lacks, or that refuses a number (returns
    NotImplemented: Python then raises TypeError in the grader's own expression)."""
    for i, ins in enumerate(graph):
        for name in _needed(ins):
            if getattr(Value, name, None) is None:
                return {"method": name, "node": i, "how": "missing"}
    return None


def _refused(exc: BaseException, graph) -> dict | None:
    """A TypeError raised by Python's operator dispatch in exprs.py itself (not in the student's
    code): a reflected operator returned NotImplemented."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not (isinstance(exc, TypeError) and frames and frames[-1].filename == exprs.__file__
            and "unsupported operand" in str(exc)):
        return None
    for i, ins in enumerate(graph):
        if (ins[0] == "bin" and "c" in ins[2] and f"for {ins[1]}:" in str(exc)) or (ins[0] == "sum" and "for +:" in str(exc)):
            return {"method": _needed(ins)[0], "node": i, "how": "refused", "error": str(exc)}
    return None


def _build(Value, graph):
    nodes = exprs.evaluate(graph, Value)
    for i, node in enumerate(nodes):
        if not isinstance(node, Value):
            raise BadResult(f"{exprs.describe(graph, i)} gave a {type(node).__name__}, not a Value")
    return nodes


def _reach(nodes) -> list[list[int]]:
    """For each node, the graph nodes reachable through `_prev` without passing another graph
    node: its operands, however many hidden nodes (a composed op's insides) lie between."""
    index = {id(n): i for i, n in enumerate(nodes)}
    result = []
    for node in nodes:
        found, seen, stack = set(), {id(node)}, list(children(node))
        while stack and len(seen) < 100_000:
            child = stack.pop()
            if id(child) in seen:
                continue
            seen.add(id(child))
            if id(child) in index:
                found.add(index[id(child)])
            else:
                stack.extend(children(child))
        result.append(sorted(found))
    return result


def op_graph(student, component: str, graph: list, out_grad: float, preset: dict):
    """Build `graph` with the student's op under test, back-propagate with the grader's loop.

    `preset` maps leaf index -> a grad set before backward, to see `+=` from `=`."""
    Value = student.load(ENGINE).Value
    with grafted(Value, component):
        missing = _missing(Value, graph)
        if missing:
            return {"missing": missing}
        try:
            nodes = _build(Value, graph)
        except TypeError as exc:
            refused = _refused(exc, graph)
            if refused:
                return {"missing": refused}
            raise
        zero_grads(nodes + topo(nodes[-1]))  # the graph's nodes (some unused), and the hidden ones
        for i, g in preset.items():
            nodes[int(i)].grad = g
        drive_backward(nodes[-1], out_grad)
        result = {
            "data": [as_float(n.data, f"n{i}.data") for i, n in enumerate(nodes)],
            "grad": [as_float(n.grad, f"n{i}.grad") for i, n in enumerate(nodes)],
            "reach": _reach(nodes),
        }
    if component in PRIMITIVE:
        _no_circle(Value, graph, component)
    return result


# The ops SPEC §3 never asks to be composed: a circle through one of them is its fault (`-` from
# `+` is the lecture's way; `+` from `-` only works while the grader's `-` stands in).
PRIMITIVE = ("micrograd.add", "micrograd.mul", "micrograd.pow", "micrograd.exp_log")


def _no_circle(Value, graph: list, component: str) -> None:
    """Composition is fine (SPEC §3), a circle is not: `+` written with `-` and `-` with `+` works
    only while the grader stands in for one of them. So the graph is built once more with the
    student's own ops alone; only a RecursionError counts (anything else is another component's)."""
    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(min(limit, 400))
    try:
        _build(Value, graph)
    except RecursionError:
        raise BadResult(f"the ops of {component} are built from ops that are built from them in turn: with your "
                        "own Value alone this graph recurses forever (RecursionError); compose an op only from "
                        "ops that do not lead back to it") from None
    except BaseException:  # noqa: BLE001 - another op of theirs is missing or wrong: not this component's
        pass
    finally:
        sys.setrecursionlimit(limit)


def constructor(student):
    """What micrograd.add judges of the constructor: a fresh Value, and a node made the way the
    grader's own ops make theirs, `Value(data, (a, b), '+')`."""
    Value = student.load(ENGINE).Value
    v = Value(3.5)
    grad = getattr(v, "grad", None)
    a, b = Value(1.0), Value(2.0)
    try:
        made = Value(3.0, (a, b), "+")
    except TypeError as exc:
        made, refused = None, f"TypeError: {exc}"
    else:
        refused = ""
    kids = [id(c) for c in children(made)] if made is not None else []
    return {
        "data": as_float(getattr(v, "data", None), "Value(3.5).data"),
        "grad": float(grad) if isinstance(grad, (int, float)) and not isinstance(grad, bool) else None,
        "grad_type": type(grad).__name__,
        "prev": len(children(v)),
        "refused": refused,
        "children": [id(a) in kids, id(b) in kids],
    }


def backward_graph(student, graph: list, preset: dict):
    """The student's backward() on a graph whose nodes all carry the grader's closures.

    Records the order of `_backward` calls (by node index; wrapped constants are -1) and the
    output's grad at the moment its own `_backward` ran, i.e. the seed."""
    Value = student.load(ENGINE).Value
    with grafted(Value, "micrograd.backward"):
        nodes = _build(Value, graph)
        out = nodes[-1]
        index = {id(n): i for i, n in enumerate(nodes)}
        calls, seeds = [], []
        reached = reachable(out)
        for node in reached:
            original, i = getattr(node, "_backward", None), index.get(id(node), -1)

            def recorded(original=original, i=i, node=node):
                calls.append(i)
                if node is out:
                    seeds.append(as_float(node.grad, "out.grad"))
                if callable(original):
                    original()

            node._backward = recorded
        zero_grads(nodes + reached)
        for i, g in preset.items():
            nodes[int(i)].grad = g
        out.backward()
        return {
            "calls": calls,
            "seed": seeds[0] if seeds else None,
            "grad": [as_float(n.grad, f"n{i}.grad") for i, n in enumerate(nodes)],
        }


def deep_chain(student, seed: int, every: int):
    """A chain v = v * m + c, two nodes per step, with the student's backward(); m and c are
    leaves of a pool (grader.shared.deep_chain.POOL), each shared by many steps."""
    factors, offsets = chain_pools(seed)
    Value = student.load(ENGINE).Value
    made = []
    gc.disable()  # 200,000 linked objects: the cyclic collector would rescan them again and again
    try:
        with grafted(Value, "micrograd.backward"):
            # Wrapped here, so every node is in `made` or `leaves`; each leaf feeds STEPS / POOL steps.
            leaves = [Value(m) for m in factors] + [Value(c) for c in offsets]
            x = Value(0.5)
            v, checkpoints = x, []
            for step in range(STEPS):
                factor, offset = leaves[step % POOL], leaves[POOL + step % POOL]
                product = v * factor
                v = product + offset
                made += (product, v)
                if step % every == 0:
                    checkpoints.append(v)
            zero_grads(made)
            zero_grads(leaves)
            x.grad = 0.0
            v.backward()
            result = {
                "leaf_grad": as_float(x.grad, "x.grad"),
                "checkpoints": [as_float(n.grad, "grad") for n in checkpoints],
            }
    finally:
        # Freeing a 100,000-deep chain recursively could overflow the C stack: cut its links
        # (the children, and the closures that hold them) first. By attribute, not __dict__:
        # a Value may have __slots__.
        for node in made:
            try:
                node._prev = ()
                node._backward = None
            except (AttributeError, TypeError):
                pass
        gc.enable()
    return result
