"""BatchNorm1d against torch.nn.BatchNorm1d: a fresh layer, then a few training steps (outputs,
gradients, running buffers after each step) and one call in eval mode, for several momenta,
eps and batch sizes down to 2. The lecture's class and the usual slips are named."""
from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.checks import expect_array_close, expect_tensor, require
from grader.references import batchnorm as ref
from grader.suites.batchnorm.common import ATOL, BATCHNORM, RTOL, columns, expect_no_graph, grad_atol, one_thread, randn
from grader.suites.batchnorm.mistakes import MISTAKES

BUFFER_SHAPE = ("Keep the buffers of shape (dim,), as torch does: x.mean(0, keepdim=True) is (1, dim), so update "
                "them with statistics computed without keepdim.")
NO_GRAD = "Update the running statistics under `with torch.no_grad():`, as the lecture does."


@pytest.mark.component("batchnorm.batchnorm1d")
@pytest.mark.parametrize("kwargs", [{}, {"eps": 1e-3, "momentum": 0.2}], ids=["defaults", "eps-momentum"])
def check_batchnorm1d_fresh(student, rng, kwargs):
    dim = rng.randint(3, 6)
    call = f"BatchNorm1d({', '.join([str(dim)] + [f'{k}={v}' for k, v in kwargs.items()])})"
    got = student.call("batchnorm1d_init", load=BATCHNORM, dim=dim, kwargs=kwargs)
    for name, value in (("gamma", 1.0), ("beta", 0.0), ("running_mean", 0.0), ("running_var", 1.0)):
        data = expect_tensor(got[name], f"{call}.{name}", dtype="float32", shape=(dim,),
                             hint=f"{name} is torch.{'ones' if value else 'zeros'}(dim), shape (dim,) as in torch.")
        expect_array_close(data, np.full(dim, value), what=f"{call}.{name}", rtol=0, atol=0, context="(a fresh layer)")
    require(got["training"] is True, f"{call}.training should be True; got {got['training']!r}",
           "A fresh layer is in training mode: self.training = True.")
    require(got["params"] == ["gamma", "beta"], f"{call}.parameters() should be [gamma, beta] (the layer's own "
           f"tensors); got {got['params']}", "return [self.gamma, self.beta]: the buffers are not parameters.")


CASES = {  # momentum and eps passed to the layer, the training batch sizes, the eval batch size
    "defaults": ({}, [8, 2, 5], 3),
    "momentum=0.3,eps=1e-3": ({"momentum": 0.3, "eps": 1e-3}, [2, 6, 3], 3),
    "momentum=0.01,eps=0.1": ({"momentum": 0.01, "eps": 0.1}, [4, 2, 7], 1),
}


@pytest.mark.component("batchnorm.batchnorm1d")
@pytest.mark.parametrize("case", list(CASES))
def check_batchnorm1d_against_torch(student, rng, seed, case):
    kwargs, sizes, n_eval = CASES[case]
    dim = rng.randint(3, 5)
    scale, shift = columns(rng, dim)
    xs = [randn(rng, n, dim, scale=scale, shift=shift) for n in sizes]
    x_eval = randn(rng, n_eval, dim, scale=scale, shift=shift)
    gamma, beta = randn(rng, dim, scale=0.5, shift=1.0), randn(rng, dim, scale=0.5)
    R = randn(rng, sizes[0], dim)
    got = student.call("batchnorm1d_run", load=BATCHNORM, dim=dim, kwargs=kwargs, gamma=gamma.numpy(),
                       beta=beta.numpy(), xs=[x.numpy() for x in xs], R=R.numpy(), x_eval=x_eval.numpy())

    with one_thread():
        want = ref.run_batchnorm(torch.nn.BatchNorm1d(dim, **kwargs), gamma, beta, xs, x_eval)

    @cache
    def slip(**switch):  # the same run with a classic mistake
        return ref.run_batchnorm(ref.BatchNorm1d(dim, **kwargs, **switch), gamma, beta, xs, x_eval)

    def variant(part):  # the reference's variant that makes a mistake, seen through `part` of the run
        return lambda **switch: part(slip(**switch))

    call = f"BatchNorm1d({', '.join([str(dim)] + [f'{k}={v}' for k, v in kwargs.items()])})"
    where = f"(non-trivial gamma and beta, batch sizes {sizes}, seed {seed})"
    for k, n in enumerate(sizes):
        step, at = got["steps"][k], f"at training step {k + 1} of {len(sizes)}, batch of {n} {where}"
        out = expect_tensor(step["out"], f"{call}(x) {at}", dtype="float32", shape=(n, dim))
        expect_array_close(out, want["steps"][k]["out"], what=f"{call}(x)", rtol=RTOL, atol=ATOL, context=at,
                           mistakes=MISTAKES.of("batchnorm.batchnorm1d", on="out", variant=variant(lambda r: r["steps"][k]["out"])))
        kept = expect_tensor(step["kept"], f"{call}.out {at}", hint="self.out = ...; return self.out")
        expect_array_close(kept, out, what=f"{call}.out", rtol=0, atol=0, context="(it should hold the last output)")
        if k == 0:
            _check_gradients(got["grads"], xs[0], gamma, beta, R, kwargs.get("eps", 1e-5), call, at)
        for buffer, untouched in (("running_mean", 0.0), ("running_var", 1.0)):
            values = expect_tensor(step[buffer], f"{call}.{buffer} {at}", dtype="float32", shape=(dim,), hint=BUFFER_SHAPE)
            expect_no_graph(step[buffer], f"{call}.{buffer} {at}", NO_GRAD)
            swapped = "running = (1 - momentum) * running + momentum * batch_statistic."
            expect_array_close(values, want["steps"][k][buffer], what=f"{call}.{buffer}", rtol=RTOL, atol=ATOL,
                               context=at, mistakes=MISTAKES.of(
                "batchnorm.batchnorm1d", on="buffer", variant=variant(lambda r: r["steps"][k][buffer]), dim=dim,
                untouched=untouched))

    at = f"in eval mode (training = False), on a batch of {n_eval} after {len(sizes)} training steps {where}"
    out = expect_tensor(got["eval"]["out"], f"{call}(x) {at}", dtype="float32", shape=(n_eval, dim))
    expect_array_close(out, want["eval"], what=f"{call}(x)", rtol=RTOL, atol=ATOL, context=at,
                       mistakes=MISTAKES.of("batchnorm.batchnorm1d", on="eval", variant=variant(lambda r: r["eval"])))
    kept = expect_tensor(got["eval"]["kept"], f"{call}.out {at}")
    expect_array_close(kept, out, what=f"{call}.out", rtol=0, atol=0, context=f"{at} (it should hold the last output)")
    for buffer in ("running_mean", "running_var"):
        before, after = want["steps"][-1][buffer], got["eval"][buffer]
        require(after.get("kind") == "tensor" and np.allclose(after["data"], before, rtol=RTOL, atol=ATOL),
               f"{call}.{buffer} changed during a call in eval mode", "Update the buffers only when self.training is True.")


def _check_gradients(grads, x, gamma, beta, R, eps, call, at):
    """d(sum(out * R)) with respect to x, gamma and beta, against autograd through F.batch_norm."""
    xt, g, b = (t.clone().requires_grad_() for t in (x, gamma, beta))
    with one_thread():
        (F.batch_norm(xt, None, None, g, b, training=True, eps=eps) * R).sum().backward()
    for name, tensor, want in (("x", "x", xt.grad), ("gamma", "self.gamma", g.grad), ("beta", "self.beta", b.grad)):
        require(grads is not None and grads[name] is not None, f"{call}(x) is not differentiable in {name} {at}",
               f"Compute the output with torch operations on x and {tensor} themselves (no .data, .detach() or .item()).")
        want = want.numpy()
        expect_array_close(grads[name], want, what=f"gradient of sum({call}(x) * R) with respect to {name}",
                           rtol=RTOL, atol=grad_atol(want), context=at)
