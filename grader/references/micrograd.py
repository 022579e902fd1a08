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


# Each op builds its node and its own `_backward` side by side, with no helper closure between
# them: the deep chain (a batch builds 100,000 nodes for every submission) runs these ops.

def add(self, other):
    other = _as_value(self, other)
    out = _new(self, self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def radd(self, other):
    return add(_as_value(self, other), self)


def mul(self, other):
    other = _as_value(self, other)
    out = _new(self, self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


def rmul(self, other):
    return mul(_as_value(self, other), self)


def sub(self, other):
    other = _as_value(self, other)
    out = _new(self, self.data - other.data, (self, other), "-")

    def _backward():
        self.grad += out.grad
        other.grad -= out.grad

    out._backward = _backward
    return out


def rsub(self, other):
    return sub(_as_value(self, other), self)


def truediv(self, other):
    other = _as_value(self, other)
    a, b = self.data, other.data
    out = _new(self, a / b, (self, other), "/")

    def _backward():
        self.grad += (1.0 / b) * out.grad
        other.grad += (-a / (b * b)) * out.grad

    out._backward = _backward
    return out


def rtruediv(self, other):
    return truediv(_as_value(self, other), self)


def pow_(self, k):
    assert isinstance(k, (int, float)), "only int or float powers"
    x = self.data
    out = _new(self, x**k, (self,), f"**{k}")

    def _backward():
        self.grad += (k * x ** (k - 1)) * out.grad

    out._backward = _backward
    return out


def neg(self):
    out = _new(self, -self.data, (self,), "neg")

    def _backward():
        self.grad -= out.grad

    out._backward = _backward
    return out


def exp(self):
    out = _new(self, math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def log(self):
    x = self.data
    out = _new(self, math.log(x), (self,), "log")

    def _backward():
        self.grad += (1.0 / x) * out.grad

    out._backward = _backward
    return out


def tanh(self):
    out = _new(self, math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1.0 - out.data**2) * out.grad

    out._backward = _backward
    return out


def relu(self):
    x = self.data
    out = _new(self, x if x > 0 else 0.0, (self,), "ReLU")

    def _backward():
        self.grad += (1.0 if x > 0 else 0.0) * out.grad

    out._backward = _backward
    return out


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
