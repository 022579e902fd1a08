"""nn.py and train.py, run on the grader's reference `Value` (and reference nn for train)."""
from __future__ import annotations

import pytest
import torch

from grader.checks import CheckFailed, expect_close, once, require
from grader.suites.micrograd.mistakes import MISTAKES

REF_ENGINE = {"micrograd.engine": "grader.references.micrograd"}
REF_ENGINE_NN = {**REF_ENGINE, "micrograd.nn": "grader.references.micrograd_nn"}
NN = [("micrograd.nn", REF_ENGINE)]
TRAIN = [("micrograd.train", REF_ENGINE_NN)]


@once
def _torch_mlp(weights, x, nonlin_last=True):
    h = torch.tensor(x, dtype=torch.float64)
    params = []
    for li, layer in enumerate(weights):
        W = torch.tensor([n["w"] for n in layer], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n["b"] for n in layer], dtype=torch.float64, requires_grad=True)
        params.append((W, b))
        h = torch.tanh(W @ h + b)
    h.sum().backward()
    grads = [[list(W.grad[i].tolist()) + [float(b.grad[i])] for i in range(W.shape[0])] for W, b in params]
    return h.detach().tolist(), grads


@pytest.mark.component("micrograd.nn")
def check_mlp(student, seed, rng):
    nin, nouts = 3, [4, 4, 1]
    inputs = [[round(rng.uniform(-2, 2), 3) for _ in range(nin)] for _ in range(3)]
    got = student.call("nn_mlp", load=NN, seed=seed, nin=nin, nouts=nouts, inputs=inputs)
    weights = got["weights"]
    shape = [len(layer) for layer in weights]
    require(shape == nouts, f"MLP({nin}, {nouts}) has layers of {shape} neurons; expected {nouts}")
    for li, layer in enumerate(weights):
        fan_in = nin if li == 0 else nouts[li - 1]
        for n in layer:
            require(len(n["w"]) == fan_in, f"a neuron of layer {li} has {len(n['w'])} weights; expected {fan_in}")
            values = n["w"] + [n["b"]]
            require(all(-1 <= v <= 1 for v in values), "weights and biases must be drawn from uniform(-1, 1)")
    flat = [v for layer in weights for n in layer for v in n["w"] + [n["b"]]]
    require(len(set(flat)) > len(flat) // 2, "the weights look constant: draw each with random.uniform(-1, 1)")
    expected_positions = [[li, ni, k] for li, layer in enumerate(weights) for ni, n in enumerate(layer)
                          for k in range(len(n["w"]) + 1)]
    positions = got["param_positions"]
    if len(positions) != len(expected_positions):
        missing_bias = len(positions) == len(expected_positions) - sum(nouts)
        raise CheckFailed(
            f"MLP({nin}, {nouts}).parameters() has {len(positions)} entries; expected {len(expected_positions)}"
            + (" (the biases are missing)" if missing_bias else ""),
            "A Neuron's parameters are w + [b]; a Layer's, neuron by neuron; an MLP's, layer by layer.")
    if positions != expected_positions:
        raise CheckFailed("MLP.parameters() is not in the order w then b, neuron by neuron, layer by layer",
                          "Neuron: self.w + [self.b]; Layer and MLP: concatenate in order.")
    require(got["output_shape"] == "value", "an MLP whose last layer has one neuron should return a single Value, not a list",
           "In Layer.__call__, return outs[0] when there is exactly one neuron.")
    for x, out, grads in zip(inputs, got["outputs"], got["grads"]):
        want, want_grads = _torch_mlp(weights, x)
        expect_close(out, want, what=f"MLP output for x={x}", context=f"(weights drawn with seed {seed})",
                     mistakes=MISTAKES.of("micrograd.nn", on="mlp", linear_last=lambda x=x: _torch_linear_last(weights, x)))
        expect_close([g for layer in grads for n in layer for g in n], [g for layer in want_grads for n in layer for g in n],
                     what=f"gradient of the output w.r.t. the parameters for x={x}",
                     hint="Build the neuron with Value operations (wi * xi, sum, + b, .tanh()) so every weight is in the graph.")
    require(all(g == 0.0 for g in got["after_zero_grad"]), "zero_grad() did not set every parameter's grad to 0",
           "Module.zero_grad: for p in self.parameters(): p.grad = 0.0")


def _torch_linear_last(weights, x):
    h = torch.tensor(x, dtype=torch.float64)
    for li, layer in enumerate(weights):
        W = torch.tensor([n["w"] for n in layer], dtype=torch.float64)
        b = torch.tensor([n["b"] for n in layer], dtype=torch.float64)
        h = W @ h + b
        if li < len(weights) - 1:
            h = torch.tanh(h)
    return h.tolist()


@pytest.mark.component("micrograd.nn")
def check_parts(student):
    x = [0.5, -1.0, 2.0]
    got = student.call("nn_parts", load=NN, x=x)
    require(got["module_parameters"] == 0, "Module().parameters() should return an empty list")
    n = got["neuron"]
    want = sum(w * xi for w, xi in zip(n["w"], x)) + n["b"]
    require(got["linear_out"] is not None, "Neuron(nin, nonlin=False)(x) should return a Value")
    expect_close(got["linear_out"], want, what="Neuron(3, nonlin=False)(x), the plain weighted sum",
                 context=f"for x={x}", mistakes=MISTAKES.of("micrograd.nn", on="neuron", squash=_tanh, want=want))
    require(got["neuron_params"] == 4, f"Neuron(3).parameters() has {got['neuron_params']} entries; expected 4 (w + [b])")
    require(got["layer_single_is_value"], "Layer(3, 1)(x) should return the single Value, not a list")
    layer = got["linear_layer"]
    plain = [sum(w * xi for w, xi in zip(n["w"], x)) + n["b"] for n in layer["neurons"]]
    expect_close(layer["outputs"], plain, what="Layer(3, 2, nonlin=False)(x), each neuron's plain weighted sum",
                 context=f"for x={x}", labels=[f"neuron {i}" for i in range(len(plain))],
                 mistakes=MISTAKES.of("micrograd.nn", on="layer", squash=_tanh, plain=plain))


def _tanh(v: float) -> float:
    return float(torch.tanh(torch.tensor(v, dtype=torch.float64)))


@once
def _torch_train(weights_flat, shapes, xs, ys, steps, lr, mistake=None):
    """The reference trajectory in float64, or the one a classic mistake gives."""
    params, i = [], 0
    for fan_in, fan_out in shapes:
        W = torch.tensor(weights_flat[i:i + fan_out * (fan_in + 1)], dtype=torch.float64).view(fan_out, fan_in + 1)
        i += fan_out * (fan_in + 1)
        params.append(W.requires_grad_())
    X = torch.tensor(xs, dtype=torch.float64)
    Y = torch.tensor(ys, dtype=torch.float64)
    losses = []
    for _ in range(steps):
        h = X
        for W in params:
            h = torch.tanh(h @ W[:, :-1].T + W[:, -1])
        loss = ((h.squeeze(-1) - Y) ** 2).sum()
        if mistake == "mean":
            loss = loss / len(ys)
        if mistake != "no_zero_grad":
            for W in params:
                W.grad = None
        loss.backward()
        with torch.no_grad():
            for W in params:
                W += (lr if mistake == "sign" else -lr) * W.grad
        losses.append(float(loss))
    return losses


@pytest.mark.component("micrograd.train")
def check_mse_loss(student, rng):
    ypred = [round(rng.uniform(-1, 1), 3) for _ in range(4)]
    ys = [1.0, -1.0, -1.0, 1.0]
    got = student.call("train_mse", load=TRAIN, ypred=ypred, ys=ys)
    p, y = torch.tensor(ypred, dtype=torch.float64, requires_grad=True), torch.tensor(ys, dtype=torch.float64)
    loss = ((p - y) ** 2).sum()
    loss.backward()
    where = f"for ypred={ypred}, ys={ys}"
    expect_close(got["loss"], float(loss), what="mse_loss", context=where,
                 mistakes=MISTAKES.of("micrograd.train", on="loss", loss=loss, ys=ys))
    expect_close(got["grads"], p.grad.tolist(), what="d(loss)/d(ypred)", context=where)


@pytest.mark.component("micrograd.train")
def check_training_trajectory(student, seed, rng):
    nin, nouts = 3, [4, 4, 1]
    sizes = [nin] + nouts
    shapes = list(zip(sizes[:-1], sizes[1:]))
    n_params = sum(o * (i + 1) for i, o in shapes)
    params = [rng.uniform(-1, 1) for _ in range(n_params)]
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    steps, lr = 5, 0.05
    got = student.call("train_run", load=TRAIN, seed=seed, nin=nin, nouts=nouts, params=params,
                       xs=xs, ys=ys, steps=steps, lr=lr)
    want = _torch_train(params, shapes, xs, ys, steps, lr)
    require(len(got["losses"]) == steps, f"train(steps={steps}) returned {len(got['losses'])} losses; expected {steps}")

    def train(steps=steps, lr=lr, mistake=None):  # the reference's run, with a classic mistake if named
        return _torch_train(params, shapes, xs, ys, steps, lr, mistake)

    mistakes = MISTAKES.of("micrograd.train", variant=train, train=train, steps=steps)
    expect_close(got["losses"], want, rtol=1e-7, what=f"losses of train(model, xs, ys, steps={steps}, lr={lr})",
                 context=f"(the lecture's 4 examples, initial weights from seed {seed})", mistakes=mistakes,
                 labels=[f"step {s}" for s in range(steps)])


@pytest.mark.component("micrograd.train")
def check_training_defaults(student, seed, rng):
    """train(model, xs, ys) with neither steps nor lr: SPEC §2's defaults, 20 steps of lr 0.1."""
    nin, nouts = 3, [4, 1]
    shapes = list(zip([nin] + nouts[:-1], nouts))
    params = [rng.uniform(-1, 1) for _ in range(sum(o * (i + 1) for i, o in shapes))]
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    got = student.call("train_run", load=TRAIN, seed=seed, nin=nin, nouts=nouts, params=params, xs=xs, ys=ys)
    require(len(got["losses"]) == 20, f"train(model, xs, ys) returned {len(got['losses'])} losses; "
           "expected 20 (steps defaults to 20)", "def train(model, xs, ys, steps=20, lr=0.1):")
    expect_close(got["losses"], _torch_train(params, shapes, xs, ys, 20, 0.1), rtol=1e-7,
                 what="losses of train(model, xs, ys) with the default lr=0.1",
                 context=f"(MLP(3, [4, 1]), initial weights from seed {seed})", labels=[f"step {s}" for s in range(20)],
                 hint="def train(model, xs, ys, steps=20, lr=0.1):")
