"""fold_batchnorm on the grader's own Linear and BatchNorm1d (random layers, non-trivial running
statistics): the folded weight and bias, the folded layer's output against bn(linear(x)) in
eval mode, and both inputs left as they were."""
from __future__ import annotations

import pytest
import torch

from grader.checks import expect_array_close, expect_tensor, require
from grader.references import batchnorm as ref
from grader.suites.batchnorm.common import ATOL, BATCHNORM, RTOL, gen, randn
from grader.suites.batchnorm.mistakes import BIAS, MISTAKES, SCALE

CASES = {  # linear has a bias, bn.training, bn.eps
    "no-bias,eval": (False, False, 1e-5),
    "bias,bn.training=True,eps=1e-3": (True, True, 1e-3),
    "bias,eval,eps=0.1": (True, False, 0.1),
}


@pytest.mark.component("batchnorm.fold")
@pytest.mark.parametrize("case", list(CASES))
def check_fold(student, rng, seed, case):
    has_bias, training, eps = CASES[case]
    fan_in, fan_out = rng.sample(range(3, 7), 2)
    linear = ref.Linear(fan_in, fan_out, bias=has_bias, generator=gen(rng))
    if has_bias:
        linear.bias = randn(rng, fan_out, scale=0.5)
    bn = ref.BatchNorm1d(fan_out, eps=eps)
    bn.gamma, bn.beta = randn(rng, fan_out, scale=0.5, shift=1.0), randn(rng, fan_out, scale=0.5)
    bn.running_mean = randn(rng, fan_out, scale=2.0)
    bn.running_var = torch.rand(fan_out, generator=gen(rng)) * 3 + 0.2
    bn.training = training
    x = randn(rng, 5, fan_in)
    got = student.call("fold", load=BATCHNORM, weight=linear.weight.numpy(), bias=linear.bias.numpy() if has_bias else None,
                       gamma=bn.gamma.numpy(), beta=bn.beta.numpy(), running_mean=bn.running_mean.numpy(),
                       running_var=bn.running_var.numpy(), eps=eps, training=training, x=x.numpy())

    layers = f"Linear({fan_in}, {fan_out}{'' if has_bias else ', bias=False'}) and BatchNorm1d({fan_out}, eps={eps})"
    where = f"for random {layers} with running statistics, bn.training={training} (seed {seed})"

    def mistakes(part):  # the same ones on the weight and on the bias, each of the folded layer's `part`
        return MISTAKES.of("batchnorm.fold",
                           variant=lambda **switch: getattr(ref.fold_batchnorm(linear, bn, **switch), part).numpy())

    want = ref.fold_batchnorm(linear, bn)
    weight = expect_tensor(got["weight"], "the folded Linear's weight", dtype="float32", shape=(fan_in, fan_out),
                           hint="The same shape as linear.weight: (fan_in, fan_out).")
    expect_array_close(weight, want.weight.numpy(), what="the folded Linear's weight", rtol=RTOL, atol=ATOL,
                       context=where, mistakes=mistakes("weight"), hint="new weight = linear.weight * scale, with " + SCALE)
    require(got["bias"].get("kind") != "NoneType", f"the folded Linear has no bias {where}",
           "It needs one, even when linear has none: " + BIAS)
    bias = expect_tensor(got["bias"], "the folded Linear's bias", dtype="float32", shape=(fan_out,))
    expect_array_close(bias, want.bias.numpy(), what="the folded Linear's bias", rtol=RTOL, atol=ATOL, context=where,
                       mistakes=mistakes("bias"), hint=BIAS)
    with torch.no_grad():
        bn.training = False
        expected = bn(linear(x)).numpy()
    out = expect_tensor(got["out"], "folded(x)", dtype="float32", shape=(5, fan_out))
    expect_array_close(out, expected, what="folded(x)", rtol=RTOL, atol=ATOL,
                       context=f"against bn(linear(x)) in eval mode {where}")
    require(not got["same"] and not got["changed"], f"fold_batchnorm changed its input "
           f"{(got['changed'] or ['linear'])[0]} {where}", "Leave linear and bn as they were: build a new Linear.")

