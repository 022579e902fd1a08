# _backward as lambdas around a small accumulate helper; the op under a name of its own.
import math


class Value:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def _acc(self, g):
        self.grad += g

    @staticmethod
    def _v(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = Value._v(other)
        out = Value(self.data + other.data, (self, other), '+')
        out._backward = lambda: (self._acc(out.grad), other._acc(out.grad))
        return out

    def __mul__(self, other):
        other = Value._v(other)
        out = Value(self.data * other.data, (self, other), '*')
        out._backward = lambda: (self._acc(other.data * out.grad), other._acc(self.data * out.grad))
        return out

    def __pow__(self, k):
        assert isinstance(k, (int, float))
        out = Value(self.data ** k, (self,), f'^{k}')
        out._backward = lambda: self._acc(k * self.data ** (k - 1) * out.grad)
        return out

    def __neg__(self):
        out = Value(-self.data, (self,), 'neg')
        out._backward = lambda: self._acc(-out.grad)
        return out

    def __sub__(self, other):
        other = Value._v(other)
        out = Value(self.data - other.data, (self, other), '-')
        out._backward = lambda: (self._acc(out.grad), other._acc(-out.grad))
        return out

    def __rsub__(self, other):
        return Value._v(other) - self

    def __truediv__(self, other):
        other = Value._v(other)
        out = Value(self.data / other.data, (self, other), '/')
        out._backward = lambda: (self._acc(out.grad / other.data),
                                 other._acc(-self.data / other.data ** 2 * out.grad))
        return out

    def __rtruediv__(self, other):
        return Value._v(other) / self

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def exp(self):
        out = Value(math.exp(self.data), (self,), 'exp')
        out._backward = lambda: self._acc(out.data * out.grad)
        return out

    def log(self):
        out = Value(math.log(self.data), (self,), 'log')
        out._backward = lambda: self._acc(out.grad / self.data)
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), 'tanh')
        out._backward = lambda: self._acc((1 - out.data ** 2) * out.grad)
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,), 'relu')
        out._backward = lambda: self._acc(out.grad if out.data > 0 else 0.0)
        return out

    def backward(self):
        topo, visited, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                topo.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack += [(c, False) for c in node._prev]
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
