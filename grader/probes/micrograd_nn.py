"""Worker-side probes for micrograd's nn.py, train.py and gradcheck.py. Pure Python.

nn.py runs on the grader's reference `Value`, and train.py on the reference nn.py too, so a
mistake in the student's engine never fails these components.
"""
from __future__ import annotations

import random

from grader.shared import exprs
from grader.probes.common import BadResult, as_float, as_floats
from grader.references import micrograd as ref
from grader.references import micrograd_nn  # at import: stand-ins are importable only while probes load

REF_ENGINE = {"micrograd.engine": "grader.references.micrograd"}
REF_ENGINE_NN = {**REF_ENGINE, "micrograd.nn": "grader.references.micrograd_nn"}


# -- nn.py -------------------------------------------------------------------------------

def _grads_by_structure(model):
    return [[[as_float(w.grad, "w.grad") for w in n.w] + [as_float(n.b.grad, "b.grad")]
             for n in layer.neurons] for layer in model.layers]


def nn_mlp(student, seed: int, nin: int, nouts: list, inputs: list):
    """Build the student's MLP on the reference Value; read back weights, outputs, grads."""
    nn = student.load("micrograd.nn", REF_ENGINE)
    random.seed(seed)
    model = nn.MLP(nin, nouts)
    try:
        layers = list(model.layers)
        weights = [[{"w": as_floats([w.data for w in n.w], "neuron.w"), "b": as_float(n.b.data, "neuron.b")}
                    for n in layer.neurons] for layer in layers]
    except AttributeError as exc:
        raise BadResult(f"MLP is missing an attribute the SPEC names: {exc}") from None
    positions = {}
    for li, layer in enumerate(layers):
        for ni, n in enumerate(layer.neurons):
            for k, w in enumerate(list(n.w) + [n.b]):
                positions[id(w)] = [li, ni, k]
    params = model.parameters()
    outputs, grads = [], []
    for x in inputs:
        for p in params:
            p.grad = 0.0
        y = model(x)
        if isinstance(y, ref.Value):
            shape, total = "value", y
            outputs.append([y.data])
        elif isinstance(y, list) and all(isinstance(v, ref.Value) for v in y):
            shape, total = "list", sum(y)
            outputs.append([v.data for v in y])
        else:
            raise BadResult(f"MLP(x) returned {type(y).__name__}; expected a Value (one output) or a list of Values")
        ref.backward(total)
        grads.append(_grads_by_structure(model))
    for p in params:
        p.grad = 1.5
    model.zero_grad()
    return {
        "weights": weights,
        "param_positions": [positions.get(id(p)) for p in params],
        "outputs": outputs,
        "output_shape": shape,
        "grads": grads,
        "after_zero_grad": [as_float(p.grad, "p.grad") for p in params],
    }


def _neuron_data(n):
    return {"w": as_floats([w.data for w in n.w], "w"), "b": as_float(n.b.data, "b")}


def nn_parts(student, x: list):
    """Module, Neuron(nonlin=False), Layer(nout=1), and Layer passing nonlin=False to its neurons."""
    nn = student.load("micrograd.nn", REF_ENGINE)
    base = nn.Module().parameters()
    linear = nn.Neuron(len(x), nonlin=False)
    y = linear(x)
    single = nn.Layer(len(x), 1)(x)
    layer = nn.Layer(len(x), 2, nonlin=False)  # SPEC: Layer's kwargs go to each Neuron
    outs = layer(x)
    if not (isinstance(outs, list) and all(isinstance(v, ref.Value) for v in outs)):
        raise BadResult(f"Layer(3, 2, nonlin=False)(x) returned {type(outs).__name__}; expected a list of 2 Values")
    return {
        "module_parameters": len(base) if isinstance(base, list) else "not a list",
        "neuron": _neuron_data(linear),
        "linear_out": as_float(y.data, "Neuron(nonlin=False)(x).data") if isinstance(y, ref.Value) else None,
        "layer_single_is_value": isinstance(single, ref.Value),
        "neuron_params": len(linear.parameters()),
        "linear_layer": {"neurons": [_neuron_data(n) for n in layer.neurons],
                         "outputs": as_floats([v.data for v in outs], "Layer(3, 2, nonlin=False)(x)")},
    }


# -- train.py ----------------------------------------------------------------------------

def train_mse(student, ypred: list, ys: list):
    train = student.load("micrograd.train", REF_ENGINE_NN)
    preds = [ref.Value(p) for p in ypred]
    loss = train.mse_loss(preds, ys)
    if not isinstance(loss, ref.Value):
        raise BadResult(f"mse_loss returned {type(loss).__name__}, expected a Value")
    ref.backward(loss)
    return {"loss": as_float(loss.data, "loss.data"), "grads": [as_float(p.grad, "grad") for p in preds]}


def train_run(student, seed: int, nin: int, nouts: list, params: list, xs: list, ys: list,
              steps=None, lr=None):
    """train(model, xs, ys, ...) on the reference MLP; steps or lr None: leave that argument out
    (so its default is what runs)."""
    train = student.load("micrograd.train", REF_ENGINE_NN)
    random.seed(seed)
    model = micrograd_nn.MLP(nin, nouts)
    for p, value in zip(model.parameters(), params):
        p.data = value
    given = {k: v for k, v in (("steps", steps), ("lr", lr)) if v is not None}
    losses = train.train(model, xs, ys, **given)
    if not isinstance(losses, list):
        raise BadResult(f"train returned {type(losses).__name__}, expected a list of floats")
    return {"losses": as_floats(losses, "the losses train returned"),
            "params": [p.data for p in model.parameters()]}


# -- gradcheck.py ------------------------------------------------------------------------

def gradcheck(student, fgraph: list, xs: list, h=None):
    gc = student.load("micrograd.gradcheck")
    calls = []

    def f(values):
        values = list(values)
        if len(values) != len(xs):
            raise BadResult(f"f was called with {len(values)} inputs; it takes {len(xs)}")
        calls.append(1)
        return exprs.evaluate_floats(fgraph, [as_float(v, "an input to f") for v in values])

    given = list(xs)
    grad = gc.numerical_gradient(f, given) if h is None else gc.numerical_gradient(f, given, h=h)
    try:
        grad = list(grad)
    except TypeError:
        raise BadResult(f"numerical_gradient returned {type(grad).__name__}, expected a list of floats") from None
    return {"grad": as_floats(grad, "the gradient"), "mutated": given != xs, "calls": len(calls)}
