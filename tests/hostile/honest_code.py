"""Honest learner code (issue 13): what the borrowing rules must never fail. Composed ops, helper
functions of their own, a Value defined across two files of their own, a subclass of their own
base class, a dataclass."""
from __future__ import annotations

# Honest learner code: every engine component must pass.
HONEST = {
    # A dataclass, on a base class of the learner's own, with helper functions of their own and
    # tanh composed from exp, as the lecture does.
    "dataclass-own-base-helpers": {"micrograd/engine.py": '''
import math
from dataclasses import dataclass, field


def _wrap(x):
    return x if isinstance(x, Value) else Value(x)


def _node(data, children, op, local_grads):
    """A node whose backward sends local_grad * out.grad to each child."""
    out = Value(data, children, op)

    def _backward():
        for child, local in zip(children, local_grads):
            child.grad += local() * out.grad
    out._backward = _backward
    return out


class Node:
    """What every graph node has: a repr, and a way to list what it was made of."""

    def __repr__(self):
        return f"{type(self).__name__}(data={self.data}, grad={self.grad})"

    def children(self):
        return list(self._prev)


@dataclass(eq=False, repr=False)
class Value(Node):
    data: float
    _children: tuple = ()
    _op: str = ''
    label: str = ''
    grad: float = field(default=0.0, init=False)

    def __post_init__(self):
        self._prev = set(self._children)
        self._backward = lambda: None

    def __add__(self, other):
        other = _wrap(other)
        return _node(self.data + other.data, (self, other), '+', (lambda: 1.0, lambda: 1.0))

    def __radd__(self, other):
        return self + other

    def __mul__(self, other):
        other = _wrap(other)
        return _node(self.data * other.data, (self, other), '*', (lambda: other.data, lambda: self.data))

    def __rmul__(self, other):
        return self * other

    def __pow__(self, k):
        assert isinstance(k, (int, float))
        return _node(self.data ** k, (self,), f'**{k}', (lambda: k * self.data ** (k - 1),))

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    def exp(self):
        e = math.exp(self.data)
        return _node(e, (self,), 'exp', (lambda: e,))

    def log(self):
        return _node(math.log(self.data), (self,), 'log', (lambda: 1.0 / self.data,))

    def tanh(self):
        e = (2 * self).exp()
        return (e - 1) / (e + 1)

    def relu(self):
        return _node(max(0.0, self.data), (self,), 'ReLU', (lambda: 1.0 if self.data > 0 else 0.0,))

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((c, False) for c in node.children() if id(c) not in seen)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
'''},
    # The ops in micrograd/ops.py, the class in engine.py that imports them.
    "two-files": {
        "micrograd/ops.py": '''
import math


def add(self, other):
    other = other if isinstance(other, type(self)) else type(self)(other)
    out = type(self)(self.data + other.data, (self, other), '+')

    def _backward():
        self.grad += out.grad
        other.grad += out.grad
    out._backward = _backward
    return out


def mul(self, other):
    other = other if isinstance(other, type(self)) else type(self)(other)
    out = type(self)(self.data * other.data, (self, other), '*')

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad
    out._backward = _backward
    return out


def unary(self, data, op, local):
    out = type(self)(data, (self,), op)

    def _backward():
        self.grad += local(out) * out.grad
    out._backward = _backward
    return out
''',
        "micrograd/engine.py": '''
import math

from micrograd import ops


class Value:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    __add__ = ops.add
    __mul__ = ops.mul

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __pow__(self, k):
        assert isinstance(k, (int, float))
        x = self.data
        return ops.unary(self, x ** k, f'**{k}', lambda out: k * x ** (k - 1))

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    def exp(self):
        return ops.unary(self, math.exp(self.data), 'exp', lambda out: out.data)

    def log(self):
        x = self.data
        return ops.unary(self, math.log(x), 'log', lambda out: 1.0 / x)

    def tanh(self):
        return ops.unary(self, math.tanh(self.data), 'tanh', lambda out: 1.0 - out.data ** 2)

    def relu(self):
        x = self.data
        return ops.unary(self, x if x > 0 else 0.0, 'ReLU', lambda out: 1.0 if x > 0 else 0.0)

    def backward(self):
        topo, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                topo.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((c, False) for c in node._prev)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
'''},
}
