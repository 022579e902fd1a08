"""Worker-side probes for micrograd. Pure Python: this file runs where numpy must not be.

Every probe isolates one component. Ops are run with the grader's reference op functions
grafted onto the student's `Value` for every op outside the component, and backward is driven
by the grader's own loop (`_drive_backward`), so only the op under test is the student's.
"""
from __future__ import annotations

import gc
import random
from contextlib import contextmanager

from grader import exprs
from grader.probes.common import BadResult, as_float, as_floats
from grader.references import micrograd as ref
from grader.references import micrograd_nn

ENGINE = "micrograd.engine"
REF_ENGINE = {"micrograd.engine": "grader.references.micrograd"}
REF_ENGINE_NN = {**REF_ENGINE, "micrograd.nn": "grader.references.micrograd_nn"}
_MISSING = object()


@contextmanager
def grafted(cls, component: str):
    """Reference ops on `cls` for every method not owned by `component`, restored after."""
    saved = {}
    for name, fn in ref.OPS.items():
        if ref.OWNER[name] != component:
            saved[name] = cls.__dict__.get(name, _MISSING)
            setattr(cls, name, fn)
    try:
        yield cls
    finally:
        for name, old in saved.items():
            if old is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, old)


def _drive_backward(out, out_grad: float) -> None:
    out.grad = out_grad
    for node in reversed(ref.topo_order(out)):
        node._backward()


def _build(Value, graph):
    nodes = exprs.evaluate(graph, Value)
    for i, node in enumerate(nodes):
        if not isinstance(node, Value):
            raise BadResult(f"{exprs.describe(graph, i)} gave a {type(node).__name__}, not a Value")
    return nodes


def op_graph(student, component: str, graph: list, out_grad: float, preset: dict):
    """Build `graph` with the student's op under test, back-propagate with the grader's loop.

    `preset` maps leaf index -> a grad set before backward, to see `+=` from `=`."""
    Value = student.load(ENGINE).Value
    with grafted(Value, component):
        nodes = _build(Value, graph)
        for i, g in preset.items():
            nodes[int(i)].grad = g
        _drive_backward(nodes[-1], out_grad)
        index = {id(n): i for i, n in enumerate(nodes)}
        prev = []
        for n in nodes:
            children = list(getattr(n, "_prev", ()))
            prev.append({
                "nodes": sorted(index[id(c)] for c in children if id(c) in index),
                "constants": sorted(as_float(c.data, "a wrapped constant") for c in children if id(c) not in index),
            })
        return {
            "data": [as_float(n.data, f"n{i}.data") for i, n in enumerate(nodes)],
            "grad": [as_float(n.grad, f"n{i}.grad") for i, n in enumerate(nodes)],
            "prev": prev,
            "op_is_str": [isinstance(getattr(n, "_op", None), str) for n in nodes],
        }


def value_basics(student):
    """A fresh Value: data kept, grad 0.0, no children, a callable no-op _backward."""
    Value = student.load(ENGINE).Value
    v = Value(3.5)
    v._backward()
    return {
        "data": as_float(v.data, "Value(3.5).data"),
        "grad": as_float(v.grad, "Value(3.5).grad"),
        "prev": len(v._prev),
        "grad_after_noop": as_float(v.grad, "grad"),
    }


def _reachable(out) -> list:
    """Every node reachable from `out`, in no useful order: the worker that grades backward()
    holds no topological sort of the grader's (the reference one is withheld there)."""
    found, stack = {}, [out]
    while stack:
        node = stack.pop()
        if id(node) not in found:
            found[id(node)] = node
            stack.extend(getattr(node, "_prev", ()))
    return list(found.values())


def backward_graph(student, graph: list, preset: dict):
    """The student's backward() on a graph whose nodes all carry the grader's closures.

    Records the order of `_backward` calls (by node index; wrapped constants are -1) and the
    output's grad at the moment its own `_backward` ran, i.e. the seed."""
    Value = student.load(ENGINE).Value
    with grafted(Value, "micrograd.backward"):
        nodes = _build(Value, graph)
        out = nodes[-1]
        index = {id(n): i for i, n in enumerate(nodes)}
        calls, seeds = [], []
        for node in _reachable(out):
            original, i = node._backward, index.get(id(node), -1)

            def recorded(original=original, i=i, node=node):
                calls.append(i)
                if node is out:
                    seeds.append(as_float(node.grad, "out.grad"))
                original()

            node._backward = recorded
        for i, g in preset.items():
            nodes[int(i)].grad = g
        out.backward()
        return {
            "calls": calls,
            "seed": seeds[0] if seeds else None,
            "grad": [as_float(n.grad, f"n{i}.grad") for i, n in enumerate(nodes)],
        }


def deep_chain(student, seed: int, every: int):
    """A chain v = v * m + c, two nodes per step, with the student's backward()."""
    factors, offsets = exprs.deep_chain_numbers(seed)
    Value = student.load(ENGINE).Value
    made = []
    gc.disable()  # 300,000 linked objects: the cyclic collector would rescan them again and again
    try:
        with grafted(Value, "micrograd.backward"):
            x = Value(0.5)
            v, checkpoints = x, []
            for step, (m, c) in enumerate(zip(factors, offsets)):
                product = v * m
                v = product + c
                made += (product, v)
                if step % every == 0:
                    checkpoints.append(v)
            v.backward()
            result = {
                "leaf_grad": as_float(x.grad, "x.grad"),
                "checkpoints": [as_float(n.grad, "grad") for n in checkpoints],
            }
    finally:
        # Freeing a 100,000-deep chain of sets recursively could overflow the C stack: cut it first.
        for node in made:
            node.__dict__.pop("_prev", None)
            node.__dict__.pop("_backward", None)
        gc.enable()
    return result


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


def nn_parts(student, x: list):
    """Module, Neuron(nonlin=False) and Layer(nout=1) on their own."""
    nn = student.load("micrograd.nn", REF_ENGINE)
    base = nn.Module().parameters()
    linear = nn.Neuron(len(x), nonlin=False)
    y = linear(x)
    single = nn.Layer(len(x), 1)(x)
    return {
        "module_parameters": len(base) if isinstance(base, list) else "not a list",
        "neuron": {"w": as_floats([w.data for w in linear.w], "w"), "b": as_float(linear.b.data, "b")},
        "linear_out": as_float(y.data, "Neuron(nonlin=False)(x).data") if isinstance(y, ref.Value) else None,
        "layer_single_is_value": isinstance(single, ref.Value),
        "neuron_params": len(linear.parameters()),
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


def train_run(student, seed: int, nin: int, nouts: list, params: list, xs: list, ys: list, steps: int, lr: float):
    train = student.load("micrograd.train", REF_ENGINE_NN)
    random.seed(seed)
    model = micrograd_nn.MLP(nin, nouts)
    for p, value in zip(model.parameters(), params):
        p.data = value
    losses = train.train(model, xs, ys, steps=steps, lr=lr)
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
