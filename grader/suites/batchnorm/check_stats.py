"""tanh_stats and update_to_data_ratio against their definitions, computed by torch on the same
tensors. Python floats are part of the contract (the probe refuses tensors, by name)."""
from __future__ import annotations

import pytest
import torch

from grader.checks import expect_close
from grader.references import batchnorm as ref
from grader.suites.batchnorm.common import BATCHNORM, gen, randn
from grader.suites.batchnorm.mistakes import MISTAKES


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

    def alt(key):  # the reference's variant that makes a mistake, for one entry of the result
        return lambda **switch: ref.tanh_stats(h, **switch)[key]

    expect_close(got["mean"], want["mean"], rtol=1e-5, atol=1e-6, what="tanh_stats(h)['mean']", context=where,
                 hint="The mean over every entry of h: h.mean().item().")
    expect_close(got["std"], want["std"], rtol=1e-5, atol=1e-6, what="tanh_stats(h)['std']", context=where,
                 mistakes=MISTAKES.of("batchnorm.stats", on="std", variant=alt("std")))
    expect_close(got["saturation"], want["saturation"], rtol=1e-5, atol=1e-6, what="tanh_stats(h)['saturation']",
                 context=where, hint="The fraction of entries with h.abs() > 0.97.",
                 mistakes=MISTAKES.of("batchnorm.stats", on="saturation", variant=alt("saturation"), h=h))


@pytest.mark.component("batchnorm.stats")
@pytest.mark.parametrize("lr", [0.1, 0.003])
def check_update_to_data_ratio(student, rng, seed, lr):
    p = randn(rng, 6, 5, scale=0.4)
    grad = randn(rng, 6, 5, scale=0.05, shift=0.01)
    got = student.call("ratio", load=BATCHNORM, p=p.numpy(), grad=grad.numpy(), lr=lr)
    param = p.clone().requires_grad_()
    param.grad = grad

    want = ref.update_to_data_ratio(param, lr)
    expect_close(got, want, rtol=1e-5, atol=1e-6, what=f"update_to_data_ratio(p, lr={lr})",
                 context=f"for a random {tuple(p.shape)} parameter and gradient (seed {seed})",
                 hint="((lr * p.grad).std() / p.data.std()).log10().item()",
                 mistakes=MISTAKES.of("batchnorm.stats", on="ratio", want=want,
                                      variant=lambda **switch: ref.update_to_data_ratio(param, lr, **switch)))
