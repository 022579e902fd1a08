"""An independent judge of a `Value` class, against PyTorch, for the learner-style corpus.

It shares no code with the grader: it runs the class directly, in the test process, on small
expressions, and compares every value and gradient with torch (float64). It answers, component
by component, whether the class does what SPEC §2 asks, under SPEC §3's rules:
- each op is run on leaves (twice over, so the inner node is reached only through `_prev`) with
  this file's own backward loop, so only that op is judged;
- every grad is zeroed before that loop, so the constructor's conventions cost nothing there;
  they are judged with micrograd.add (a fresh Value's grad is 0, `_prev` holds the children);
- backward() is judged on graphs whose closures are this file's own, and the bonus on a chain
  deeper than Python's recursion limit.
An op composed from other ops of the same class is judged through them: the corpus keeps a
deliberately broken op out of the ops that others are built from (see __init__.py).
"""
from __future__ import annotations

import math

import torch

TOL = 1e-9


def _kids(node):
    prev = getattr(node, "_prev", None)
    return tuple(prev) if prev is not None else ()


def _order(out):
    order, seen, stack = [], set(), [(out, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in _kids(node))
    return order


def _close(a, b):
    return abs(float(a) - float(b)) <= TOL * (1 + abs(float(b)))


def _run_op(Value, f, xs, out_grad=1.0, preset=None):
    """None when f on the class matches torch in value and gradient, else why not."""
    preset = preset or {}
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    nodes = _order(out)
    for n in nodes:
        n.grad = 0.0
    for i, g in preset.items():
        leaves[i].grad = g
    out.grad = out_grad
    for n in reversed(nodes):
        if callable(getattr(n, "_backward", None)):
            n._backward()
    ts = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in xs]
    tout = f(*ts)
    (tout * out_grad).backward()
    tout = tout.detach()
    if not _close(out.data, tout):
        return f"value {out.data} != torch {float(tout)}"
    for i, (leaf, t) in enumerate(zip(leaves, ts)):
        want = (float(t.grad) if t.grad is not None else 0.0) + preset.get(i, 0.0)
        if not _close(leaf.grad, want):
            return f"grad of leaf {i}: {leaf.grad} != torch {want}"
    return None


OP_CASES = {
    "micrograd.add": [
        (lambda a, b: a + b, [2.0, -3.0], 1.0, {}),
        (lambda a: a + a, [1.5], 2.0, {}),
        (lambda a: (a + 4.0) + 1.0, [2.0], 1.0, {}),
        (lambda a: 4.0 + a, [2.0], 0.5, {}),
        (lambda a, b, c: sum([a, b, c, a]), [1.0, 2.0, -0.5], 1.0, {}),
        (lambda a, b, c: (a + b) + c, [2.0, 1.0, 0.5], 1.0, {0: 0.25}),
    ],
    "micrograd.mul": [
        (lambda a, b: a * b, [2.0, 3.0], 1.0, {}),
        (lambda a: a * a, [-1.5], 1.0, {0: 0.5}),
        (lambda a: (a * -3.0) * 2.0, [2.0], 0.5, {}),
        (lambda a, b, c: 2.0 * ((a * b) * c), [2.0, -4.0, 0.5], 1.0, {}),
    ],
    "micrograd.pow": [
        (lambda a: a ** 2, [3.0], 1.0, {}),
        (lambda a: (a ** -1) ** 3, [2.0], 2.0, {}),
        (lambda a: a ** 0.5, [4.0], 1.0, {0: 1.0}),
        (lambda a: (a ** 3) ** 2, [-1.5], 1.0, {}),
    ],
    "micrograd.neg_sub_div": [
        (lambda a: -(-a), [2.0], 1.0, {}),
        (lambda a, b, c: (a - b) - c, [5.0, 3.0, 1.0], 1.0, {0: 0.5}),
        (lambda a: 1.0 - (a - 1.0), [3.0], 2.0, {}),
        (lambda a, b: (a / b) / 2.0, [3.0, 2.0], 1.0, {}),
        (lambda a, b: 1.0 / (a / b), [4.0, -2.0], 1.0, {}),
    ],
    "micrograd.exp_log": [
        (lambda a: a.exp().exp(), [0.5], 1.0, {}),
        (lambda a: a.log().log(), [3.0], 3.0, {0: 0.5}),
        (lambda a: a.exp().log(), [-0.7], 1.0, {}),
    ],
    "micrograd.tanh": [
        (lambda a: a.tanh(), [0.8814], 1.0, {0: 0.5}),
        (lambda a: a.tanh(), [-2.5], 2.0, {}),
        (lambda a: a.tanh().tanh(), [0.5], 1.0, {}),
        (lambda a: a.tanh(), [20.0], 1.0, {}),
    ],
    "micrograd.relu": [
        (lambda a: a.relu().relu(), [2.0], 1.0, {0: 0.5}),
        (lambda a: a.relu(), [-2.0], 1.0, {}),
        (lambda a: a.relu(), [0.0], 1.0, {}),
    ],
}


def _constructor(Value):
    v = Value(3.5)
    if v.data != 3.5 or not isinstance(v.grad, (int, float)) or v.grad != 0 or _kids(v):
        return f"a fresh Value: data {v.data}, grad {v.grad!r}, {len(_kids(v))} children"
    a, b = Value(1.0), Value(2.0)
    kids = [id(k) for k in _kids(Value(3.0, (a, b), "+"))]
    if id(a) not in kids or id(b) not in kids:
        return "Value(3.0, (a, b), '+')._prev does not hold a and b"
    return None


def _node(Value, data, children, local):
    """A node with this file's own closure: d(node)/d(child) = local[k]."""
    try:
        out = Value(data, tuple(children), "op")
    except TypeError:  # a constructor of the data alone: a convention, judged with add only
        out = Value(data)
        out._prev, out._op = tuple(children), "op"

    def _backward():
        for child, d in zip(children, local):
            child.grad += d * out.grad

    out._backward = _backward
    return out


def _check_backward(Value):
    # d = a*b; e = d + a; out = tanh(e * d): a and d each feed two nodes; a.grad was preset.
    # (Small inputs: a saturated tanh would pass no gradient, hiding a node processed twice.)
    x = [0.5, -0.3]
    a, b = Value(x[0]), Value(x[1])
    d = _node(Value, x[0] * x[1], [a, b], [x[1], x[0]])
    e = _node(Value, d.data + x[0], [d, a], [1.0, 1.0])
    p = e.data * d.data
    out = _node(Value, math.tanh(p), [_node(Value, p, [e, d], [d.data, e.data])], [1 - math.tanh(p) ** 2])
    for node in _order(out):
        node.grad = 0.0
    a.grad = 10.0
    out.backward()
    ta, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in x)
    td = ta * tb
    torch.tanh((td + ta) * td).backward()
    if not (_close(out.grad, 1.0) and _close(a.grad, 10.0 + float(ta.grad)) and _close(b.grad, float(tb.grad))):
        return f"grads {a.grad}, {b.grad}; torch {10.0 + float(ta.grad)}, {float(tb.grad)}"
    return None


def _check_deep(Value, steps=1500):
    """A chain of 2 * steps nodes, deeper than Python's recursion limit."""
    x = Value(0.5)
    v, t = x, torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    tv = t
    for k in range(steps):
        m, c = 1.0 + (k % 7 - 3) * 1e-4, (k % 5 - 2) * 1e-3
        v = _node(Value, v.data * m + c, [_node(Value, v.data * m, [v], [m])], [1.0])
        tv = tv * m + c
    for node in _order(v):
        node.grad = 0.0
    v.backward()
    tv.backward()
    return None if _close(x.grad, float(t.grad)) else f"x.grad {x.grad}; torch {float(t.grad)}"


def wrong_components(Value) -> dict[str, str]:
    """Component id -> why the class gets it wrong, for every component it does not solve."""
    wrong = {}
    for component, cases in OP_CASES.items():
        for f, xs, out_grad, preset in cases:
            try:
                why = _run_op(Value, f, xs, out_grad, preset)
            except Exception as exc:  # noqa: BLE001 - any exception is a wrong answer here
                why = f"{type(exc).__name__}: {exc}"
            if why:
                wrong[component] = why
                break
    checks = [("micrograd.add", _constructor), ("micrograd.backward", _check_backward),
              ("micrograd.deep_graphs", _check_deep)]
    for component, check in checks:
        if component in wrong:
            continue
        try:
            why = check(Value)
        except Exception as exc:  # noqa: BLE001
            why = f"{type(exc).__name__}: {exc}"
        if why:
            wrong[component] = why
    return wrong
