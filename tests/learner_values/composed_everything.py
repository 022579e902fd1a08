# As few derivatives as possible: +, *, **, exp and log are primitives; -, /, negation, relu,
# sigmoid and tanh are all built from them. relu multiplies by a 0/1 mask.
import math


class Value:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    @staticmethod
    def wrap(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = Value.wrap(other)
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = Value.wrap(other)
        out = Value(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, other):
        assert isinstance(other, (int, float))
        out = Value(self.data ** other, (self,), f'**{other}')

        def _backward():
            self.grad += other * self.data ** (other - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), 'exp')

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.data), (self,), 'log')

        def _backward():
            self.grad += self.data ** -1 * out.grad
        out._backward = _backward
        return out

    def __neg__(self): return self * -1
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return (-self) + other
    def __truediv__(self, other): return self * Value.wrap(other) ** -1
    def __rtruediv__(self, other): return Value.wrap(other) * self ** -1
    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other

    def relu(self):
        return self * (1.0 if self.data > 0 else 0.0)

    def sigmoid(self):
        return 1 / (1 + (-self).exp())

    def tanh(self):
        return 2 * (2 * self).sigmoid() - 1

    def backward(self):
        order, seen, emitted = [], set(), set()
        stack = [self]
        while stack:  # iterative post-order: a node stays on the stack until its children are done
            node = stack[-1]
            if id(node) in seen:
                stack.pop()
                if id(node) not in emitted:
                    emitted.add(id(node))
                    order.append(node)
                continue
            seen.add(id(node))
            stack.extend(c for c in node._prev if id(c) not in seen)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
