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
        # BEGIN SOLUTION micrograd.nn: set the grad of every parameter to 0
        for p in self.parameters():
            p.grad = 0.0
        # END SOLUTION

    def parameters(self):
        return []


class Neuron(Module):
    """One neuron: a weighted sum of its inputs plus a bias, squashed by tanh."""

    def __init__(self, nin, nonlin=True):
        """Create `self.w`, a list of `nin` Values, then `self.b`, one Value.

        Draw each with `random.uniform(-1, 1)`, the weights first and then the bias (this order
        makes a seeded network reproducible). Keep `nonlin` for `__call__`.
        """
        # BEGIN SOLUTION micrograd.nn: create self.w (nin Values) then self.b, each random.uniform(-1, 1)
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.nonlin = nonlin
        # END SOLUTION

    def __call__(self, x):
        """Return tanh(w . x + b) for the inputs `x` (numbers or Values), as a Value.

        The activation is sum(wi * xi) + b, computed with Value operations so the graph
        connects every weight to the output; apply `tanh()` to it, or return the plain
        activation when the neuron was built with `nonlin=False`.
        """
        # BEGIN SOLUTION micrograd.nn: return tanh(sum(wi*xi) + b), or the plain sum when nonlin is False
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act
        # END SOLUTION

    def parameters(self):
        """Return the neuron's parameters as one list: the weights, then the bias."""
        # BEGIN SOLUTION micrograd.nn: return w + [b]
        return self.w + [self.b]
        # END SOLUTION


class Layer(Module):
    """A layer of `nout` independent neurons, each looking at the same `nin` inputs."""

    def __init__(self, nin, nout, **kwargs):
        """Create `self.neurons`: a list of `nout` Neurons with `nin` inputs each.

        Pass `kwargs` (e.g. `nonlin=False`) on to every Neuron.
        """
        # BEGIN SOLUTION micrograd.nn: create self.neurons, nout Neurons of nin inputs (pass kwargs on)
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        # END SOLUTION

    def __call__(self, x):
        """Return the list of every neuron's output for the inputs `x`.

        When the layer has a single neuron, return that one Value itself rather than a list of
        one, so that an MLP ending in one output gives a Value you can put in a loss.
        """
        # BEGIN SOLUTION micrograd.nn: return each neuron's output (the single Value when nout == 1)
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs
        # END SOLUTION

    def parameters(self):
        """Return every parameter of the layer, neuron by neuron, as one flat list."""
        # BEGIN SOLUTION micrograd.nn: return every neuron's parameters, neuron by neuron, in one flat list
        return [p for n in self.neurons for p in n.parameters()]
        # END SOLUTION


class MLP(Module):
    """A multi-layer perceptron: layers applied one after the other, tanh in every layer."""

    def __init__(self, nin, nouts):
        """Create `self.layers` for `nin` inputs and the layer sizes `nouts`.

        For example MLP(3, [4, 4, 1]) is 3 inputs -> 4 -> 4 -> 1 output: layer i takes as many
        inputs as layer i - 1 has neurons. As in the lecture, every layer (the last one too)
        uses tanh.
        """
        # BEGIN SOLUTION micrograd.nn: create self.layers, one tanh Layer per entry of nouts, each fed by the previous size
        sizes = [nin] + list(nouts)
        self.layers = [Layer(sizes[i], sizes[i + 1]) for i in range(len(nouts))]
        # END SOLUTION

    def __call__(self, x):
        """Feed `x` through every layer in turn and return the last layer's output."""
        # BEGIN SOLUTION micrograd.nn: feed x through each layer in turn
        for layer in self.layers:
            x = layer(x)
        return x
        # END SOLUTION

    def parameters(self):
        """Return every parameter of the network, layer by layer, as one flat list."""
        # BEGIN SOLUTION micrograd.nn: return every layer's parameters, layer by layer, in one flat list
        return [p for layer in self.layers for p in layer.parameters()]
        # END SOLUTION
