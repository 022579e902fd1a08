"""A tiny neural-network library on top of micrograd's `Value`.

Lecture 1 of Neural Networks: Zero to Hero, "The spelled-out intro to neural networks and
backpropagation: building micrograd" (the part where the Neuron, Layer and MLP are built).

This is the lecture's network: every neuron, in every layer, applies tanh. Everything is made
of `Value` operations, so calling the network builds one big expression graph, and a single
`loss.backward()` reaches every weight. Pure Python: no torch, no numpy.
"""
import random

from micrograd.engine import Value


class Module:
    """The base class: something with parameters (like torch.nn.Module)."""

    def zero_grad(self):
        """Set the `grad` of every parameter back to 0.

        `backward()` accumulates into `grad` (`+=`), so the training loop must reset the
        gradients before each backward pass; otherwise the gradients of earlier steps pile
        up (the bug Karpathy hits in the lecture).
        """
        raise NotImplementedError("TODO micrograd.nn: set the grad of every parameter to 0")

    def parameters(self):
        return []


class Neuron(Module):
    """One neuron: a weighted sum of its inputs plus a bias, squashed by tanh."""

    def __init__(self, nin, nonlin=True):
        """Create `self.w`, a list of `nin` Values, then `self.b`, one Value.

        Draw each with `random.uniform(-1, 1)`, the weights first and then the bias (this order
        makes a seeded network reproducible). Keep `nonlin` for `__call__`.
        """
        raise NotImplementedError("TODO micrograd.nn: create self.w (nin Values) then self.b, each random.uniform(-1, 1)")

    def __call__(self, x):
        """Return tanh(w . x + b) for the inputs `x` (numbers or Values), as a Value.

        The activation is sum(wi * xi) + b, computed with Value operations so the graph
        connects every weight to the output; apply `tanh()` to it, or return the plain
        activation when the neuron was built with `nonlin=False`.
        """
        raise NotImplementedError("TODO micrograd.nn: return tanh(sum(wi*xi) + b), or the plain sum when nonlin is False")

    def parameters(self):
        """Return the neuron's parameters as one list: the weights, then the bias."""
        raise NotImplementedError("TODO micrograd.nn: return w + [b]")


class Layer(Module):
    """A layer of `nout` independent neurons, each looking at the same `nin` inputs."""

    def __init__(self, nin, nout, **kwargs):
        """Create `self.neurons`: a list of `nout` Neurons with `nin` inputs each.

        Pass `kwargs` (e.g. `nonlin=False`) on to every Neuron.
        """
        raise NotImplementedError("TODO micrograd.nn: create self.neurons, nout Neurons of nin inputs (pass kwargs on)")

    def __call__(self, x):
        """Return the list of every neuron's output for the inputs `x`.

        When the layer has a single neuron, return that one Value itself rather than a list of
        one, so that an MLP ending in one output gives a Value you can put in a loss.
        """
        raise NotImplementedError("TODO micrograd.nn: return each neuron's output (the single Value when nout == 1)")

    def parameters(self):
        """Return every parameter of the layer, neuron by neuron, as one flat list."""
        raise NotImplementedError("TODO micrograd.nn: return every neuron's parameters, neuron by neuron, in one flat list")


class MLP(Module):
    """A multi-layer perceptron: layers applied one after the other, tanh in every layer."""

    def __init__(self, nin, nouts):
        """Create `self.layers` for `nin` inputs and the layer sizes `nouts`.

        For example MLP(3, [4, 4, 1]) is 3 inputs -> 4 -> 4 -> 1 output: layer i takes as many
        inputs as layer i - 1 has neurons. As in the lecture, every layer (the last one too)
        uses tanh.
        """
        raise NotImplementedError("TODO micrograd.nn: create self.layers, one tanh Layer per entry of nouts, each fed by the previous size")

    def __call__(self, x):
        """Feed `x` through every layer in turn and return the last layer's output."""
        raise NotImplementedError("TODO micrograd.nn: feed x through each layer in turn")

    def parameters(self):
        """Return every parameter of the network, layer by layer, as one flat list."""
        raise NotImplementedError("TODO micrograd.nn: return every layer's parameters, layer by layer, in one flat list")
