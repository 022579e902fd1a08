"""The grader's own micrograd engine, pure Python.

Two uses, both in the worker: it stands in for the student's `micrograd.engine` when nn.py
or train.py is graded, and its op functions are grafted onto the student's `Value` class for
every op that is *not* under test (see `OPS` and `grader.probes.micrograd`). So each op here
is a primitive with its own closure and never calls another op: a grafted `__sub__` must not
run the student's `__add__`.

The functions take `self` and build results with `type(self)(data, children, op)`, the SPEC's
constructor (see `_new`), so they work on the student's class as well as on `Value` below.
"""
from __future__ import annotations

import math


def _as_value(self, other):
    return other if isinstance(other, type(self)) else type(self)(other)


def _new(self, data, children, op):
    """The result node, made with the SPEC's constructor `Value(data, _children, _op)`.

    A class whose constructor takes the data alone still gets a node (children set afterwards):
    that convention costs at most micrograd.add, which judges the constructor, never the
    components whose ops this file stands in for."""
    try:
        return type(self)(data, children, op)
    except TypeError:
        out = type(self)(data)
        out._prev, out._op = tuple(children), op
        return out


def _binary(self, other, data, op, dself, dother):
    out = _new(self, data, (self, other), op)

    def _backward():
        self.grad += dself() * out.grad
        other.grad += dother() * out.grad

    out._backward = _backward
    return out


def add(self, other):
    other = _as_value(self, other)
    return _binary(self, other, self.data + other.data, "+", lambda: 1.0, lambda: 1.0)


def radd(self, other):
    return add(_as_value(self, other), self)


def mul(self, other):
    other = _as_value(self, other)
    return _binary(self, other, self.data * other.data, "*", lambda: other.data, lambda: self.data)


def rmul(self, other):
    return mul(_as_value(self, other), self)


def sub(self, other):
    other = _as_value(self, other)
    return _binary(self, other, self.data - other.data, "-", lambda: 1.0, lambda: -1.0)


def rsub(self, other):
    return sub(_as_value(self, other), self)


def truediv(self, other):
    other = _as_value(self, other)
    a, b = self.data, other.data
    return _binary(self, other, a / b, "/", lambda: 1.0 / b, lambda: -a / (b * b))


def rtruediv(self, other):
    return truediv(_as_value(self, other), self)


def _unary(self, data, op, local):
    out = _new(self, data, (self,), op)

    def _backward():
        self.grad += local(out) * out.grad

    out._backward = _backward
    return out


def pow_(self, k):
    assert isinstance(k, (int, float)), "only int or float powers"
    x = self.data
    return _unary(self, x**k, f"**{k}", lambda out: k * x ** (k - 1))


def neg(self):
    return _unary(self, -self.data, "neg", lambda out: -1.0)


def exp(self):
    return _unary(self, math.exp(self.data), "exp", lambda out: out.data)


def log(self):
    x = self.data
    return _unary(self, math.log(x), "log", lambda out: 1.0 / x)


def tanh(self):
    return _unary(self, math.tanh(self.data), "tanh", lambda out: 1.0 - out.data**2)


def relu(self):
    x = self.data
    return _unary(self, x if x > 0 else 0.0, "ReLU", lambda out: 1.0 if x > 0 else 0.0)


def topo_order(out):
    """Every node reachable from `out` through `_prev`, children before parents. Iterative (no
    recursion limit), by identity (a student's Value need not be hashable), and tolerant of a
    `_prev` that is a set, tuple or list."""
    order, seen, stack = [], set(), [(out, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in seen)
    return order


def _children(node) -> tuple:
    """`_prev` as a tuple, whatever the student kept it as (a set, tuple, list, or nothing)."""
    try:
        return tuple(getattr(node, "_prev", ()) or ())
    except TypeError:
        return ()


def backward(self):
    topo = topo_order(self)
    self.grad = 1.0
    for node in reversed(topo):
        node._backward()


# Method name -> reference function (which component owns each: the manifest's `owns`).
OPS = {
    "__add__": add, "__radd__": radd,
    "__mul__": mul, "__rmul__": rmul,
    "__pow__": pow_,
    "__neg__": neg, "__sub__": sub, "__rsub__": rsub, "__truediv__": truediv, "__rtruediv__": rtruediv,
    "exp": exp, "log": log, "tanh": tanh, "relu": relu,
    "backward": backward,
}


class Value:
    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


for _name, _fn in OPS.items():
    setattr(Value, _name, _fn)

# Which components each definition answers: a worker grading one of them gets a stub instead
# (grader/engine/worker/standins.py). The shared helpers above answer nothing on their own.
__owners__ = {
    "add": "micrograd.add", "radd": "micrograd.add", "mul": "micrograd.mul", "rmul": "micrograd.mul",
    "pow_": "micrograd.pow", "neg": "micrograd.neg_sub_div", "sub": "micrograd.neg_sub_div",
    "rsub": "micrograd.neg_sub_div", "truediv": "micrograd.neg_sub_div", "rtruediv": "micrograd.neg_sub_div",
    "exp": "micrograd.exp_log", "log": "micrograd.exp_log", "tanh": "micrograd.tanh", "relu": "micrograd.relu",
    "backward": ("micrograd.backward", "micrograd.deep_graphs"),
    "topo_order": ("micrograd.backward", "micrograd.deep_graphs"),
}
