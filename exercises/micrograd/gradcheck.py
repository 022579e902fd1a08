"""Numerical gradients: the check on everything backpropagation computes.

Lecture 1 of Neural Networks: Zero to Hero, "The spelled-out intro to neural networks and
backpropagation: building micrograd" (the start: the derivative as (f(x + h) - f(x)) / h, and
the "numerical gradient check" Karpathy uses to verify his hand-derived gradients).
Pure Python: no torch, no numpy.
"""


def numerical_gradient(f, xs, h=1e-6):
    """Estimate the gradient of `f` at `xs` by central differences.

    `f` takes a list of floats and returns a float; `xs` is a list of floats. Return a list of
    floats, one per input: for input i, nudge only xs[i] up by h and down by h and use

        df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)

    The central difference is accurate to O(h**2): in the Taylor expansions of f(x + h) and
    f(x - h) the f'' terms are equal and cancel in the difference. The one-sided
    (f(x + h) - f(x)) / h of the lecture's start keeps the f'' term, so it is only O(h).

    Do not modify `xs`: nudge copies of the list, so the caller's inputs stay as they were.
    """
    raise NotImplementedError("TODO micrograd.gradcheck: for each i, (f(xs with xs[i] + h) - f(xs with xs[i] - h)) / (2 * h), on copies of xs")
