"""Linear and Tanh, the lecture's torch.nn-style layers: seeded weights, outputs, `out` kept,
parameters() (the layer's own tensors, by identity)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.checks import expect_array_close, expect_tensor, require
from grader.references import batchnorm as ref
from grader.suites.batchnorm.common import ATOL, BATCHNORM, RTOL, randn
from grader.suites.batchnorm.mistakes import MISTAKES, WEIGHT



@pytest.mark.component("batchnorm.linear")
@pytest.mark.parametrize("bias", [None, True, False], ids=["default", "bias=True", "bias=False"])
def check_linear(student, rng, seed, bias):
    fan_in, fan_out = rng.sample(range(2, 7), 2)  # never equal: a transposed weight shows in its shape
    g_seed = rng.randrange(2**31)
    x = randn(rng, 4, fan_in)
    b = randn(rng, fan_out, scale=0.5)
    call = f"Linear({fan_in}, {fan_out}{'' if bias is None else f', bias={bias}'}, generator)"
    layer = {"fan_in": fan_in, "fan_out": fan_out, "bias": bias, "seed": g_seed}
    got = student.call("linear_init", load=BATCHNORM, **layer)
    where = f"(generator seed {g_seed}, seed {seed})"
    draw = lambda shape: torch.randn(shape, generator=torch.Generator().manual_seed(g_seed))  # noqa: E731
    want = ref.Linear(fan_in, fan_out, bias=bias is not False, generator=torch.Generator().manual_seed(g_seed))

    weight = expect_tensor(got["weight"], f"{call}.weight", dtype="float32", shape=(fan_in, fan_out),
                           hint="weight has shape (fan_in, fan_out), so that x @ weight works.")
    expect_array_close(weight, want.weight.numpy(), what=f"{call}.weight", rtol=1e-5, context=where, hint=WEIGHT,
                       mistakes=MISTAKES.of("batchnorm.linear", on="weight", draw=draw, fan_in=fan_in, fan_out=fan_out))
    if bias is False:
        require(got["bias"]["kind"] == "NoneType", f"{call}.bias should be None; got a {got['bias']['kind']}",
               "bias = torch.zeros(fan_out) if bias else None")
        require(got["params"] == ["weight"], f"{call}.parameters() should be [weight]; got {got['params']}",
               "Leave out the bias when there is none.")
    else:
        zeros = expect_tensor(got["bias"], f"{call}.bias", dtype="float32", shape=(fan_out,),
                              hint="bias = torch.zeros(fan_out) if bias else None")
        expect_array_close(zeros, np.zeros(fan_out), what=f"{call}.bias", rtol=0, atol=0, context="(it starts at zero)")
        require(got["params"] == ["weight", "bias"], f"{call}.parameters() should be [weight, bias] (the layer's own "
               f"tensors); got {got['params']}", "return [self.weight] + ([] if self.bias is None else [self.bias])")

    # The probe gives the bias non-zero values (in place), so a forward that drops it shows.
    got = student.call("linear_forward", load=BATCHNORM, **layer, x=x.numpy(), bias_values=b.numpy())
    bias_now = 0.0 if bias is False else b
    out = expect_tensor(got["out"], f"{call}(x)", dtype="float32", shape=(4, fan_out))
    w = torch.from_numpy(weight)
    expect_array_close(out, (x @ w + bias_now).numpy(), what=f"{call}(x)", rtol=RTOL, atol=ATOL,
                       context=f"for a random x of shape {tuple(x.shape)} and a non-zero bias {where}",
                       mistakes=MISTAKES.of("batchnorm.linear", on="out", x=x, w=w))
    kept = expect_tensor(got["kept"], f"{call}.out after a call", hint="Keep the result: self.out = ...; return self.out")
    expect_array_close(kept, out, what=f"{call}.out", rtol=0, atol=0, context="(it should hold the last output)",
                       hint="self.out = ...; return self.out")


@pytest.mark.component("batchnorm.tanh")
def check_tanh(student, rng, seed):
    x = randn(rng, 5, 4, scale=3.0)
    x[0, :2] = torch.tensor([8.0, -8.0])  # far into the tails: tanh is ±1 there, not nan
    R = randn(rng, 5, 4)
    got = student.call("tanh", load=BATCHNORM, x=x.numpy(), R=R.numpy())
    where = f"for a random x of shape {tuple(x.shape)} (seed {seed})"
    out = expect_tensor(got["out"], "Tanh()(x)", dtype="float32", shape=tuple(x.shape), hint="return torch.tanh(x)")
    expect_array_close(out, torch.tanh(x).numpy(), what="Tanh()(x)", rtol=RTOL, atol=ATOL, context=where)
    kept = expect_tensor(got["kept"], "Tanh().out after a call", hint="self.out = torch.tanh(x); return self.out")
    expect_array_close(kept, out, what="Tanh().out", rtol=0, atol=0, context="(it should hold the last output)")
    params = got["params"]  # the list's length, or the name of what came back instead of a list
    shown = f"a list of {params}" if isinstance(params, int) else f"a {params}"
    require(params == 0, f"Tanh().parameters() should be []; got {shown}", "A Tanh has no parameters: return [].")
    require(got["grad"] is not None, f"Tanh()(x) is not differentiable in x {where}",
           "Use torch.tanh on x itself (no .data, .detach() or numpy), so gradients flow back through it.")
    expect_array_close(got["grad"], ((1 - torch.tanh(x) ** 2) * R).numpy(), what="gradient of sum(Tanh()(x) * R) "
                       "with respect to x", rtol=RTOL, atol=ATOL, context=where)
