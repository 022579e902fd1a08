"""The micrograd module's classic mistakes (see grader/engine/judge/mistakes.py): what each gives, its
name, its hint, and the mutant in tests/mutants/micrograd.py that makes it.

For the ops of `Value` the evidence is a variant of the reference backward: `graphs.simulate`
replays it in float64 with the mistake switched on in the op under test (`graphs._locals` holds
each op's local derivative, and its wrong form under the mistake's `variant` name)."""
from __future__ import annotations

import math

from grader.checks import Classic, Table
from grader.suites.micrograd.graphs import TARGET_OPS
from grader.suites.micrograd.methods import SWAPPED_HINTS


def _op(name: str, learner: str, hint: str, mutant: str | None = None) -> Classic:
    return Classic(f"micrograd.{name}", learner, hint, variant={"mistake": name}, on="gradient", mutant=mutant)


ASSIGN = _op("assign", "`=` instead of `+=` in _backward (a node used twice, or a grad already set, loses its earlier "
             "gradient)", "Accumulate: `self.grad += ...`, because a node can feed several others.", mutant="add-assigns-grad")
NO_CHAIN = _op("no_chain", "forgetting the chain rule (the local derivative not multiplied by out.grad)",
               "Multiply each local derivative by out.grad.", mutant="tanh-no-chain")
NO_BACKWARD = _op("no_backward", "never attaching the op's `_backward` (no gradient passes through it to the operands)",
                  "Before returning, attach the closure: out._backward = _backward.", mutant="pow-backward-never-attached")
OWN = {  # the one mistake of each op's own derivative, between `=` and the chain rule
    "micrograd.mul": [_op("mul_own", "giving each operand its *own* data instead of the other's", "d(a*b)/da = b, not a.", mutant="mul-own-data")],
    "micrograd.pow": [_op("pow_no_minus_one", "k * x**k (the exponent not lowered by one)", "d(x**k)/dx = k * x**(k-1).", mutant="pow-exponent-not-lowered")],
    "micrograd.exp_log": [_op("exp_x", "using x instead of exp(x) as the derivative of exp",
                              "d(e**x)/dx = e**x, which is out.data.", mutant="exp-derivative-x")],
    "micrograd.tanh": [_op("tanh_one_minus_t", "`1 - t` instead of `1 - t**2` for tanh's derivative",
                           "With t = tanh(x), d(tanh x)/dx = 1 - t**2.", mutant="tanh-one-minus-t")],
    "micrograd.relu": [_op("relu_ge", "a gradient of 1 at exactly 0 (`>=` where `>` belongs)",
                           "relu's gradient is 0 where data <= 0, as in PyTorch.", mutant="relu-grad-at-zero")],
}
SWAPPED = [  # `2 - a` computed as `a - 2` (or `2 / a` as `a / 2`): the reflected op's order reversed
    Classic("micrograd.rsub_swapped", "swapping the operands in __rsub__ (it computes self - other)",
            SWAPPED_HINTS["__rsub__"], on="forward -", evidence=lambda c, x: x - c, mutant="rsub-wrong-order"),
    Classic("micrograd.rtruediv_swapped", "swapping the operands in __rtruediv__ (it computes self / other)",
            SWAPPED_HINTS["__rtruediv__"], on="forward /", evidence=lambda c, x: x / c if c else math.nan, mutant="rtruediv-wrong-order"),
]

MISTAKES = Table("micrograd", {
    **{op: [ASSIGN, *OWN.get(op, []), NO_CHAIN, NO_BACKWARD] for op in TARGET_OPS},
    ("micrograd.neg_sub_div", ): SWAPPED,
    "micrograd.gradcheck": [
        Classic("micrograd.gradcheck.one_sided", "the one-sided difference (f(x + h) - f(x)) / h",
                "Use the central difference (f(x + h) - f(x - h)) / (2h): its error is O(h**2), not O(h).",
                evidence=lambda differences, step: differences(step, "forward"), mutant="gradcheck-forward-difference"),
        Classic("micrograd.gradcheck.half", "dividing by h instead of 2h", "The two points x - h and x + h are 2h apart.",
                evidence=lambda differences, step: differences(step, "half"), mutant="gradcheck-half-step"),
        Classic("micrograd.gradcheck.ignores_h", "ignoring h (the default 1e-6 instead)",
                "Nudge each input by the h you are given, not a constant of your own.", on="arguments",
                evidence=lambda differences: differences(1e-6, "central"), mutant="gradcheck-ignores-h"),
    ],
    "micrograd.nn": [
        Classic("micrograd.nn.linear_last", "a final layer without tanh", on="mlp",
                evidence=lambda linear_last: linear_last(), mutant="mlp-last-layer-linear"),
        Classic("micrograd.nn.neuron_tanh", "applying tanh even when nonlin=False", on="neuron",
                evidence=lambda squash, want: squash(want), mutant="neuron-ignores-nonlin"),
        Classic("micrograd.nn.layer_kwargs", "a Layer that does not pass its keyword arguments on to its Neurons (tanh "
                "applied anyway)", "Layer(nin, nout, **kwargs): build each Neuron(nin, **kwargs).", on="layer",
                evidence=lambda squash, plain: [squash(v) for v in plain], mutant="layer-drops-kwargs"),
    ],
    "micrograd.train": [
        Classic("micrograd.train.mse_mean", "the mean instead of the sum",
                "The lecture's loss is the sum of squared errors, not the mean.", on="loss",
                evidence=lambda loss, ys: float(loss) / len(ys), mutant="train-mean-loss"),
        Classic("micrograd.train.no_zero_grad", "forgetting model.zero_grad() (gradients pile up across steps)",
                "Call model.zero_grad() before loss.backward() in every step.", variant={"mistake": "no_zero_grad"}, mutant="train-no-zero-grad"),
        Classic("micrograd.train.ascent", "stepping *up* the gradient (p.data += lr * p.grad)",
                "Gradient descent moves against the gradient: p.data += -lr * p.grad.", variant={"mistake": "sign"}, mutant="train-ascent"),
        Classic("micrograd.train.loss_after_update", "recording the loss after the update",
                evidence=lambda train, steps: train(steps=steps + 1)[1:], mutant="train-loss-after-update"),
        Classic("micrograd.train.ignores_lr", "ignoring lr (the default 0.1 instead)",
                "Step with the lr you are given: p.data += -lr * p.grad.", evidence=lambda train: train(lr=0.1), mutant="train-ignores-lr"),
    ],
})
