"""batchnorm_backward against autograd (float64, through F.batch_norm) on random inputs. Its
source is reviewed for autograd (here) and the probe watches what really runs (no autograd in
any form), so the gradients are the student's own arithmetic."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from grader.checks import AUTOGRAD, expect_array_close, expect_own_code, expect_tensor, require
from grader.references import batchnorm as ref
from grader.suites.batchnorm.common import BATCHNORM, RTOL, columns, expect_no_graph, grad_atol, one_thread, randn
from grader.suites.batchnorm.mistakes import MISTAKES

BY_HAND = "Compute the gradients with tensor arithmetic only: no autograd, no requires_grad."
SHAPE = "dgamma and dbeta have gamma's shape (dim,): sum over the batch without keepdim=True."
CASES = {"n=8,dim=4": (8, 4, None), "n=2,dim=3,eps=1e-3": (2, 3, 1e-3), "n=32,dim=5,eps=0.01": (32, 5, 0.01)}


@pytest.mark.component("batchnorm.backward")
@pytest.mark.parametrize("case", list(CASES))
def check_batchnorm_backward(student, rng, seed, case):
    n, dim, eps = CASES[case]
    scale, shift = columns(rng, dim)
    x, dout = randn(rng, n, dim, scale=scale, shift=shift), randn(rng, n, dim)
    gamma = randn(rng, dim, scale=0.5, shift=1.0)
    expect_own_code(student, "makemore/batchnorm.py", "batchnorm_backward", AUTOGRAD)
    got = student.call("backward", load=BATCHNORM, dout=dout.numpy(), x=x.numpy(), gamma=gamma.numpy(), eps=eps)
    e = 1e-5 if eps is None else eps
    call = f"batchnorm_backward(dout, x, gamma{'' if eps is None else f', eps={eps}'})"
    where = f"for random x and dout of shape ({n}, {dim}) (seed {seed})"
    require(not got["changed"], f"{call} changed its input {got['changed'][0] if got['changed'] else ''} in place",
           "Leave the inputs as they are: compute new tensors.")

    # What PyTorch's own autograd says, in float64 so that only the student's float32 arithmetic is in the way.
    x64, g64, b64 = (t.double().requires_grad_() for t in (x, gamma, torch.zeros(dim)))
    with one_thread():
        (F.batch_norm(x64, None, None, g64, b64, training=True, eps=e) * dout.double()).sum().backward()

    def slip(part):  # the reference's variant that makes a mistake, for one of its results
        return lambda **switch: ref.batchnorm_backward(dout, x, gamma, e, **switch)[part].numpy()

    mistakes = {name: MISTAKES.of("batchnorm.backward", on=name, variant=slip(k), dout=dout)
                for k, name in enumerate(("dx", "dgamma", "dbeta"))}
    for part, want, shape in (("dx", x64.grad, (n, dim)), ("dgamma", g64.grad, (dim,)), ("dbeta", b64.grad, (dim,))):
        values = expect_tensor(got[part], f"{part} from {call}", dtype="float32", shape=shape,
                               hint=SHAPE if part != "dx" else "dx has the shape (and dtype) of x.")
        expect_no_graph(got[part], f"{part} from {call}", BY_HAND)
        want = want.numpy()
        expect_array_close(values, want, what=f"{part} from {call}", rtol=RTOL, atol=grad_atol(want), context=where,
                           mistakes=mistakes[part])
