"""init_mlp, mlp_forward, cross_entropy: exact draws, values and gradients against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.checks import SHORTCUTS, CheckFailed, expect_array_close, expect_close, expect_own_code, expect_tensor, require
from grader.references import mlp as ref
from grader.suites.mlp.mistakes import MISTAKES

MLP = [("makemore.mlp", None)]


def small_params(rng, vocab=7, block=3, embd=4, hidden=16):
    g = torch.Generator().manual_seed(rng.randrange(2**31))
    params = ref.init_mlp(vocab, block, embd, hidden, generator=g)
    return {k: v.detach() for k, v in params.items()}


def contexts(rng, n, vocab, block):
    return torch.randint(0, vocab, (n, block), generator=torch.Generator().manual_seed(rng.randrange(2**31)))


@pytest.mark.component("mlp.init")
@pytest.mark.parametrize("kwargs", [{}, {"vocab_size": 11, "block_size": 4, "n_embd": 3, "n_hidden": 9}],
                         ids=["defaults", "custom-sizes"])
def check_init(student, seed, kwargs):
    got = student.call("init", load=MLP, kwargs=kwargs, seed=seed)
    call = f"init_mlp({', '.join(f'{k}={v}' for k, v in kwargs.items())}{', ' if kwargs else ''}generator=g)"
    require(sorted(got) == sorted(ref.NAMES), f"{call} returned keys {sorted(got)}; expected {list(ref.NAMES)}")
    want = ref.init_mlp(**kwargs, generator=torch.Generator().manual_seed(seed))
    for name in ref.NAMES:
        t = got[name]
        data = expect_tensor(t, f"{name} of {call}", dtype="float32", shape=tuple(want[name].shape))
        require(t["is_leaf"] and t["requires_grad"],
               f"{name} of {call} must be a leaf tensor with requires_grad=True "
               f"(requires_grad={t['requires_grad']}, leaf={t['is_leaf']})",
               "Use torch.randn(shape, generator=generator).requires_grad_(): scaling afterwards makes a non-leaf.")
        expect_array_close(data, want[name].detach().numpy(), what=f"{name} of {call}", context=f"(generator seed {seed})",
                           mistakes=MISTAKES.of("mlp.init", other_orders=lambda name=name, data=data: _other_orders(
                               kwargs, seed, name, data)), hint="Draw C, W1, b1, W2, b2 in that order, with no scaling.")


def _other_orders(kwargs, seed, name, data):
    # The mistake "fits" when some other draw order gives exactly the student's tensor.
    import itertools
    for order in itertools.permutations(ref.NAMES):
        alt = ref.init_mlp(**kwargs, generator=torch.Generator().manual_seed(seed), order=order)[name]
        if alt.shape == data.shape and np.allclose(alt.detach().numpy(), data):
            return alt.detach().numpy()
    return np.full(data.shape, np.nan)


@pytest.mark.component("mlp.forward")
def check_forward(student, rng, seed):
    params = small_params(rng)
    X = contexts(rng, 12, 7, 3)
    R = torch.randn((12, 7), generator=torch.Generator().manual_seed(seed))
    got = student.call("forward", load=MLP, params={k: v.numpy() for k, v in params.items()}, X=X.numpy(), R=R.numpy())
    logits = expect_tensor(got["logits"], "mlp_forward(params, X)", dtype="float32", shape=(12, 7))
    P = {k: v.clone().requires_grad_() for k, v in params.items()}
    want = ref.mlp_forward(P, X)
    (want * R).sum().backward()
    emb = params["C"][X].view(12, -1)
    where = f"(random parameters, seed {seed})"
    expect_array_close(logits, want.detach().numpy(), what="mlp_forward(params, X)", context=where,
                       mistakes=MISTAKES.of("mlp.forward", emb=emb, params=params))
    require(got["grads"] is not None, f"mlp_forward's logits are not differentiable in the parameters {where}")
    for name in ref.NAMES:
        expect_array_close(got["grads"][name], P[name].grad.numpy(), what=f"gradient of sum(logits * R) w.r.t. {name}",
                           context=where)


@pytest.mark.component("mlp.cross_entropy")
@pytest.mark.parametrize("scale", [3.0, 1e4], ids=["ordinary-logits", "extreme-logits"])
def check_cross_entropy(student, rng, seed, scale):
    g = torch.Generator().manual_seed(rng.randrange(2**31))
    logits = torch.randn((16, 9), generator=g) * scale
    if scale > 100:
        logits[0, 0], logits[1, 3] = 1e4, -1e4  # exp(1e4) is inf: the naive formula gives nan
    Y = torch.randint(0, 9, (16,), generator=g)
    expect_own_code(student, "makemore/mlp.py", "cross_entropy", SHORTCUTS)  # what it says; the probe: what runs
    got = student.call("cross_entropy", load=MLP, logits=logits.numpy(), Y=Y.numpy())
    value = expect_tensor(got["loss"], "cross_entropy(logits, Y)", dtype="float32")
    require(value.size == 1, f"cross_entropy(logits, Y) should be a scalar; it has shape {value.shape}")
    L = logits.clone().requires_grad_()
    loss = F.cross_entropy(L, Y)
    loss.backward()
    want = loss.detach()
    where = f"for logits of size up to {scale:g} (seed {seed})"
    mistakes = MISTAKES.of("mlp.cross_entropy", logits=logits, Y=Y, want=want)
    # The naive formula: an overflow to inf or nan is its evidence, whatever the value.
    unstable = next(m for m in mistakes if m.id == "mlp.cross_entropy.naive")
    got_value = float(value.reshape(()))
    if not np.isfinite(got_value) and scale > 100:
        raise CheckFailed(f"cross_entropy(logits, Y) is {got_value} {where}; expected {float(want):.8g} (PyTorch). "
                          f"This is what {unstable.name} gives", unstable.hint, mistake=unstable.named())
    expect_close(got_value, float(want), rtol=1e-5, atol=1e-5, what="cross_entropy(logits, Y)", context=where,
                 mistakes=mistakes)
    require(got["grad"] is not None, f"cross_entropy(logits, Y) is not differentiable in the logits {where}")
    expect_array_close(got["grad"], L.grad.numpy(), what="d(cross_entropy)/d(logits)", context=where)
