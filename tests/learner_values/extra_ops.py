# Extra ops past the SPEC: sigmoid, sin, cos, abs, comparisons, a Value exponent (__rpow__),
# plus a __repr__ with the label; each with its own derivative.
import math


class Value:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value({self.label or '?'}: data={self.data:.4g}, grad={self.grad:.4g})"

    @staticmethod
    def lift(x):
        return x if isinstance(x, Value) else Value(x)

    def _unary(self, data, local, op):
        out = Value(data, (self,), op)

        def _backward():
            self.grad += local(out) * out.grad
        out._backward = _backward
        return out

    def __add__(self, other):
        other = Value.lift(other)
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = Value.lift(other)
        out = Value(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        assert isinstance(k, (int, float)), "exponent must be a number"
        x = self.data
        return self._unary(x ** k, lambda out: k * x ** (k - 1), f'**{k}')

    def __rpow__(self, base):  # base ** self, base a positive number
        return self._unary(base ** self.data, lambda out: out.data * math.log(base), 'rpow')

    def exp(self):
        return self._unary(math.exp(self.data), lambda out: out.data, 'exp')

    def log(self):
        x = self.data
        return self._unary(math.log(x), lambda out: 1 / x, 'log')

    def tanh(self):
        return self._unary(math.tanh(self.data), lambda out: 1 - out.data ** 2, 'tanh')

    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.data))
        return self._unary(s, lambda out: s * (1 - s), 'sigmoid')

    def relu(self):
        x = self.data
        return self._unary(max(0.0, x), lambda out: 1.0 if x > 0 else 0.0, 'ReLU')

    def sin(self):
        x = self.data
        return self._unary(math.sin(x), lambda out: math.cos(x), 'sin')

    def cos(self):
        x = self.data
        return self._unary(math.cos(x), lambda out: -math.sin(x), 'cos')

    def __abs__(self):
        x = self.data
        return self._unary(abs(x), lambda out: 1.0 if x > 0 else (-1.0 if x < 0 else 0.0), 'abs')

    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return other + (-self)
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other ** -1
    def __rtruediv__(self, other): return other * self ** -1

    def __lt__(self, other): return self.data < Value.lift(other).data
    def __gt__(self, other): return self.data > Value.lift(other).data

    def backward(self):
        topo, visited, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                topo.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((c, False) for c in node._prev if c not in visited)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
