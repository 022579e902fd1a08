"""tanh_stats and update_to_data_ratio against their definitions, computed by torch on the same
tensors. Python floats are part of the contract (the probe refuses tensors, by name)."""
from __future__ import annotations

import pytest
import torch

from grader.checks import Mistake, expect_close
from grader.references import batchnorm as ref
from grader.suites.batchnorm.common import BATCHNORM, gen, randn


def _activations(rng) -> torch.Tensor:
    """tanh outputs with many saturated units, and some exactly at ±0.97 (to tell > from >=)."""
    h = torch.tanh(randn(rng, 24, 10, scale=2.0, shift=0.3))
    spots = torch.randperm(h.numel(), generator=gen(rng))[:6]
    h.view(-1)[spots] = torch.tensor([0.97, -0.97, 0.97, -0.97, 0.97, -0.97])  # float32(0.97), as h > 0.97 sees it
    return h


@pytest.mark.component("batchnorm.stats")
def check_tanh_stats(student, rng, seed):
    h = _activations(rng)
    got = student.call("stats", load=BATCHNORM, h=h.numpy())
    want = ref.tanh_stats(h)
    where = f"for h of shape {tuple(h.shape)} (seed {seed})"

    def alt(key, **switch):
        return lambda: ref.tanh_stats(h, **switch)[key]

    expect_close(got["mean"], want["mean"], rtol=1e-5, atol=1e-6, what="tanh_stats(h)['mean']", context=where,
                 hint="The mean over every entry of h: h.mean().item().")
    expect_close(got["std"], want["std"], rtol=1e-5, atol=1e-6, what="tanh_stats(h)['std']", context=where, mistakes=[
        Mistake("the variance instead of the standard deviation", alt("std", variance=True), "Use h.std()."),
        Mistake("the biased std (unbiased=False, numpy's default)", alt("std", unbiased=False),
                "Use torch's h.std(), as the lecture does: the unbiased estimate."),
    ])
    expect_close(got["saturation"], want["saturation"], rtol=1e-5, atol=1e-6, what="tanh_stats(h)['saturation']",
                 context=where, hint="The fraction of entries with h.abs() > 0.97.", mistakes=[
        Mistake("|h| >= 0.97 instead of |h| > 0.97", alt("saturation", strict=False),
                "Saturated means strictly above: (h.abs() > 0.97).float().mean()."),
        Mistake("forgetting the absolute value (only h > 0.97 counted)", alt("saturation", absolute=False),
                "tanh saturates at both ends: compare h.abs() with 0.97."),
        Mistake("a percentage instead of a fraction", alt("saturation", percent=True),
                "Return the fraction, between 0 and 1: .float().mean()."),
        Mistake("the count instead of the fraction", lambda: float((h.abs() > ref.SATURATED).sum()),
                "Divide by the number of entries: .float().mean()."),
    ])


@pytest.mark.component("batchnorm.stats")
@pytest.mark.parametrize("lr", [0.1, 0.003])
def check_update_to_data_ratio(student, rng, seed, lr):
    p = randn(rng, 6, 5, scale=0.4)
    grad = randn(rng, 6, 5, scale=0.05, shift=0.01)
    got = student.call("ratio", load=BATCHNORM, p=p.numpy(), grad=grad.numpy(), lr=lr)
    param = p.clone().requires_grad_()
    param.grad = grad

    def alt(**switch):
        return lambda: ref.update_to_data_ratio(param, lr, **switch)

    want = ref.update_to_data_ratio(param, lr)
    expect_close(got, want, rtol=1e-5, atol=1e-6, what=f"update_to_data_ratio(p, lr={lr})",
                 context=f"for a random {tuple(p.shape)} parameter and gradient (seed {seed})",
                 hint="((lr * p.grad).std() / p.data.std()).log10().item()", mistakes=[
        Mistake("the natural log instead of log10", alt(log=torch.log), "Use .log10(): the lecture looks for about -3."),
        Mistake("leaving out the logarithm", alt(log=None), "Take the base-10 log of the ratio."),
        Mistake("leaving out the learning rate (std of p.grad, not of the update lr * p.grad)", alt(with_lr=False),
                "The update is lr * p.grad: take its std."),
        Mistake("variances instead of standard deviations", alt(variance=True), "Use .std() on both."),
        Mistake("the ratio upside down (data over update)", -want, "Update over data: std(lr * p.grad) / std(p.data)."),
    ])
