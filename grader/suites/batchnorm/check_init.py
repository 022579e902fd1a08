"""init_mlp_fixed: init_mlp's seeded draws, then the lecture's scalings; and what they buy on
real names (a first loss near -ln(1/27) and few saturated tanh units)."""
from __future__ import annotations

import math

import pytest
import torch

from grader.checks import expect_array_close, expect_tensor, names_if_present, require
from grader.references import batchnorm as ref
from grader.references import bigram as bigram_ref
from grader.references import mlp as mlp_ref
from grader.suites.batchnorm.common import BATCHNORM
from grader.suites.batchnorm.mistakes import MISTAKES

KEYS = ("C", "W1", "b1", "W2", "b2")
DEFAULTS = {"vocab_size": 27, "block_size": 3, "n_embd": 10, "n_hidden": 200}
LECTURE_SEED = 2147483647
DRAWS = "Draw C, W1, b1, W2, b2 in that order, each with torch.randn(shape, generator=generator), then scale."
LEAF = ("Scale first, then call .requires_grad_() on the result: a tensor made with requires_grad=True "
        "and then multiplied is no longer a leaf, and would never get a .grad.")


def _mistakes(sizes, seed, key):
    """The classic scaling mistakes of one tensor, each computed from the same draws."""
    def drawn(**scales):  # a fresh generator each time: the same draws as the student's
        return ref.init_mlp_fixed(**sizes, generator=torch.Generator().manual_seed(seed), **scales)[key].detach().numpy()
    return MISTAKES.of("batchnorm.init", on=key, variant=drawn, drawn=drawn, sizes=sizes)


def _check_params(got, sizes, seed, where):
    """Keys, then dtype and shape, values (naming scaling mistakes), and leaf-ness, tensor by tensor."""
    require(got["keys"] == sorted(KEYS), f"init_mlp_fixed returned the keys {got['keys']}; expected {list(KEYS)}",
           "Return a dict with exactly the keys C, W1, b1, W2, b2.")
    sizes = {**DEFAULTS, **sizes}
    want = ref.init_mlp_fixed(**sizes, generator=torch.Generator().manual_seed(seed))
    for key in KEYS:
        what = f"params[{key!r}]"
        values = expect_tensor(got[key], what, dtype="float32", shape=tuple(want[key].shape), hint=DRAWS)
        expect_array_close(values, want[key].detach().numpy(), what=what, rtol=1e-5, context=where,
                           mistakes=_mistakes(sizes, seed, key), hint=DRAWS)
        require(got[key]["is_leaf"], f"{what} is not a leaf tensor (it has a grad_fn) {where}", LEAF)
        require(got[key]["requires_grad"], f"{what} does not require grad {where}", LEAF)


@pytest.mark.component("batchnorm.init")
def check_init_small_sizes(student, rng):
    # None of the defaults (27, 3, 10, 200): code that ignores a size fails.
    sizes = {"vocab_size": rng.randint(5, 9), "block_size": rng.choice([2, 4, 5]), "n_embd": rng.randint(2, 5),
             "n_hidden": rng.randint(6, 12)}
    seed = rng.randrange(2**31)
    got = student.call("init", load=BATCHNORM, seed=seed, sizes=sizes)
    args = ", ".join(f"{k}={v}" for k, v in sizes.items())
    _check_params(got, sizes, seed, f"for init_mlp_fixed({args}, generator) (generator seed {seed})")


@pytest.mark.component("batchnorm.init")
def check_init_defaults_on_real_names(student, rng):
    """The lecture's sizes and seed: exact draws, then the point of the fix, measured on names."""
    got = student.call("init", load=BATCHNORM, seed=LECTURE_SEED, sizes={})
    where = f"for init_mlp_fixed(generator) with the default sizes (generator seed {LECTURE_SEED})"
    _check_params(got, {}, LECTURE_SEED, where)
    words = names_if_present()
    if words is None:
        pytest.skip("names.txt is not here")
    stoi, _ = bigram_ref.build_vocab(words)
    X, Y = mlp_ref.build_dataset(rng.sample(words, 100), stoi)
    params = {k: torch.from_numpy(got[k]["data"]) for k in KEYS}
    with torch.no_grad():
        loss = ref.mlp_loss(params, X, Y).item()
        saturation = (torch.tanh(ref.hidden_preact(params, X)).abs() > ref.SATURATED).float().mean().item()
    uniform = -math.log(1 / 27)
    require(abs(loss - uniform) < 0.1, f"the first loss on {len(Y)} examples of names.txt is {loss:.4f}; expected near "
           f"-ln(1/27) = {uniform:.4f}", "Small W2 and zero b2 make the logits nearly equal: no character is preferred.")
    require(saturation < 1 / 3, f"{saturation:.0%} of the tanh activations are saturated (|h| > 0.97) at initialisation "
           "on names.txt; expected at most a third", "Scale W1 by (5/3)/sqrt(block_size * n_embd).")
