"""A scalar-valued autograd engine: micrograd's `Value`.

Lecture 1 of Neural Networks: Zero to Hero, "The spelled-out intro to neural networks and
backpropagation: building micrograd".

A `Value` wraps one number (`data`) and remembers how it was made: the Values it came from
(`_prev`), the operation (`_op`), and a closure (`_backward`) that knows the operation's local
derivative. Every op below follows the same recipe:

1. forward: compute the output's number and build `out = Value(..., (operands), 'op')`;
2. backward: define `_backward()`, which the engine calls once `out.grad` is known, and which
   adds `local derivative * out.grad` into each operand's `grad` (the chain rule);
3. attach it with `out._backward = _backward` and return `out`.

Gradients are always accumulated with `+=`, never assigned: a Value used twice (as in `a + a`,
or a weight feeding several terms) receives one contribution per use, and the multivariable
chain rule says those contributions add up.

Pure Python: only `math` is needed here (no torch, no numpy).
"""
import math


class Value:
    """A scalar together with the gradient of some final output with respect to it."""

    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0  # d(output)/d(self); 0 means "no effect", until backward() says otherwise
        # internal variables used for autograd graph construction
        self._backward = lambda: None  # a leaf has nothing to pass on
        self._prev = set(_children)
        self._op = _op
        self.label = label  # for drawing graphs only

    def __add__(self, other):
        """Return a new Value for `self + other`, with its `_backward` set.

        `other` may be a plain number: wrap it in a Value first, so that `_prev` only ever holds
        Values. The result's children are both operands and its `_op` is '+'.

        Local derivative: d(a + b)/da = 1 and d(a + b)/db = 1, so by the chain rule each operand
        receives 1 times the output's gradient: a plus node just routes the gradient through to
        both of its inputs. Accumulate with `+=`: in `a + a` both contributions land on the same node and
        a.grad must end up as 2 * out.grad.
        """
        raise NotImplementedError("TODO micrograd.add: return a new Value for self + other (wrap numbers) and set its _backward")

    def __mul__(self, other):
        """Return a new Value for `self * other`, with its `_backward` set.

        As for `+`, a plain number on the right is wrapped in a Value; `_op` is '*'.

        Local derivative: d(a * b)/da = b and d(a * b)/db = a: each operand's gradient grows by
        the *other* operand's value times the output's gradient (the chain rule). Accumulate
        with `+=`: in `a * a`, a.grad must become 2 * a.data * out.grad.
        """
        raise NotImplementedError("TODO micrograd.mul: return a new Value for self * other (wrap numbers) and set its _backward")

    def __pow__(self, other):
        """Return a new Value for `self ** other`, where `other` is a plain int or float.

        Only number exponents are supported: assert that `other` is an int or a float (a Value
        exponent would need d(a**b)/db = a**b * ln(a), which we do not need). The only child is
        `self`; `_op` can be f'**{other}'.

        Local derivative (the power rule): d(x**k)/dx = k * x**(k - 1). Multiply it by
        `out.grad` and add it into `self.grad`. This one op gives us squares (`e ** 2` in the
        loss) and reciprocals (`b ** -1`, used for division).
        """
        raise NotImplementedError("TODO micrograd.pow: assert other is an int or float, return a Value for self ** other and set its _backward")

    def exp(self):
        """Return a new Value for e ** self.data (use `math.exp`), with its `_backward` set.

        Local derivative: d(e**x)/dx = e**x, which is exactly the output's own value: you have
        already computed it in the forward pass. Chain rule: times the output's gradient.
        """
        raise NotImplementedError("TODO micrograd.exp_log: return a Value for math.exp(self.data) and set its _backward")

    def log(self):
        """Return a new Value for the natural logarithm of self.data (use `math.log`).

        Defined for positive data only (math.log raises otherwise, which is fine).
        Local derivative: d(ln x)/dx = 1 / x; as always, multiply by the output's gradient
        (the chain rule) and accumulate into the operand's gradient.
        """
        raise NotImplementedError("TODO micrograd.exp_log: return a Value for math.log(self.data) and set its _backward")

    def tanh(self):
        """Return a new Value for tanh(self.data), with its `_backward` set.

        The lecture writes it as t = (e**(2x) - 1) / (e**(2x) + 1); that formula (or
        `math.tanh`) is fine for the inputs we use (|x| <= 20). tanh squashes any number into
        (-1, 1) and is the activation of every neuron in `nn.py`.

        Local derivative: d tanh(x)/dx = 1 - tanh(x)**2 = 1 - t**2, where t is the output's
        data (not 1 - t). It is nearly 0 when |t| is close to 1: a saturated neuron passes almost
        no gradient back.
        """
        raise NotImplementedError("TODO micrograd.tanh: return a Value for tanh(self.data) and set its _backward (derivative 1 - t**2)")

    def relu(self):
        """Return a new Value for max(0, self.data), with its `_backward` set.

        Local derivative: 1 where the input is positive, 0 where it is negative *or exactly 0*
        (the convention PyTorch uses). So the gradient passes through unchanged when the unit
        is "on" and is blocked when it is "off".
        """
        raise NotImplementedError("TODO micrograd.relu: return a Value for max(0, self.data) and set its _backward (0 where data <= 0)")

    def backward(self):
        """Backpropagate from this Value: fill in `grad` for every Value it depends on.

        1. Seed: set `self.grad = 1.0`, since d(self)/d(self) = 1.
        2. Order: list every node reachable through `_prev` in topological order, i.e. each
           node after all of its children. Every node appears once, however many paths lead
           to it.
        3. Walk that list in *reverse* (from this output back to the leaves) and call each
           node's `_backward()` exactly once. Reverse topological order guarantees that when a
           node passes its gradient on, every use of that node has already added its
           contribution, so its `grad` is complete.

        Do not zero any grad here: that is the training loop's job (`zero_grad`), and
        accumulating is what makes a second `backward()` add up, as in PyTorch.

        The lecture builds the order with a recursive function. That overflows Python's
        recursion limit (about 1000 frames) on deep graphs; for the bonus (a chain of 100,000
        nodes), build it iteratively with an explicit stack, emitting a node only after all of
        its children have been emitted.
        """
        raise NotImplementedError("TODO micrograd.backward: seed self.grad = 1.0, order the graph topologically (iteratively), call each _backward once in reverse")

    def __neg__(self):  # -self
        """Return -self as a new Value.

        No new derivative is needed: compose it from an op you already have (multiply by -1),
        and its gradient comes for free.
        """
        raise NotImplementedError("TODO micrograd.neg_sub_div: return -self, composed from an op you already have")

    def __radd__(self, other):  # other + self
        """Return `other + self` when `other` is a plain number, as in `2 + a`.

        Python first tries `int.__add__(2, a)`, which does not know Value and gives up; then it
        calls `a.__radd__(2)`. `sum(values)` needs this too: it starts from the number 0.
        Addition commutes, so reuse `__add__`.
        """
        raise NotImplementedError("TODO micrograd.add: return other + self by reusing __add__")

    def __sub__(self, other):  # self - other
        """Return `self - other` as a new Value (other may be a plain number).

        Compose it: a - b is a + (-b). The gradient then comes from the ops it is made of.
        """
        raise NotImplementedError("TODO micrograd.neg_sub_div: return self - other, composed from + and negation")

    def __rsub__(self, other):  # other - self
        """Return `other - self` when `other` is a plain number, as in `1 - a`.

        Careful with the order: subtraction does not commute.
        """
        raise NotImplementedError("TODO micrograd.neg_sub_div: return other - self (mind the order)")

    def __rmul__(self, other):  # other * self
        """Return `other * self` when `other` is a plain number, as in `2 * a`.

        Python tries `int.__mul__(2, a)` first, which gives up, then falls back to
        `a.__rmul__(2)`. Multiplication commutes, so reuse `__mul__`.
        """
        raise NotImplementedError("TODO micrograd.mul: return other * self by reusing __mul__")

    def __truediv__(self, other):  # self / other
        """Return `self / other` as a new Value (other may be a plain number).

        Compose it: a / b is a * b**-1, so the power rule and the product rule do the calculus.
        """
        raise NotImplementedError("TODO micrograd.neg_sub_div: return self / other, composed from ops you already have")

    def __rtruediv__(self, other):  # other / self
        """Return `other / self` when `other` is a plain number, as in `1 / a`.

        Careful with the order: this is other * self**-1.
        """
        raise NotImplementedError("TODO micrograd.neg_sub_div: return other / self (mind the order)")

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
