"""train_mlp, evaluate and sample_mlp, on the reference mlp_forward and reference parameters."""
from __future__ import annotations

import pytest
import torch

from grader.checks import CheckFailed, StudentFailure, expect_array_close, expect_close, once, require
from grader.references import bigram as bigram_ref
from grader.references import mlp as ref
from grader.suites.bigram.words import itos_pairs, random_words
from grader.suites.mlp.check_model import small_params
from grader.suites.mlp.mistakes import MISTAKES

MLP = [("makemore.mlp", None)]


def _data(rng, block=3):
    words = random_words(rng, n_letters=6)
    stoi, itos = bigram_ref.build_vocab(words)
    X, Y = ref.build_dataset(words, stoi, block)
    return X, Y, len(stoi), itos


@once
def _reference_run(params, X, Y, steps, batch, lr, gen_seed, **kw):
    """The reference's losses, and the parameters after them, training a copy of `params`; `lr`
    a number, or a list of rates standing for the schedule lr(step) (its last for later steps)."""
    P = {k: v.clone().requires_grad_() for k, v in params.items()}
    rate = (lambda i: lr[min(i, len(lr) - 1)]) if isinstance(lr, list) else lr
    g = None if gen_seed is None else torch.Generator().manual_seed(gen_seed)
    return ref.train_mlp(P, X, Y, steps, batch, rate, g, **kw), P


@once
def _reference_names(params, itos, n, gen_seed, block):
    return ref.sample_mlp(params, itos, n, torch.Generator().manual_seed(gen_seed), block)


@pytest.mark.component("mlp.train")
@pytest.mark.parametrize("schedule", [False, True], ids=["constant-lr", "lr-schedule"])
def check_train(student, rng, seed, schedule):
    X, Y, V, _ = _data(rng)
    params = small_params(rng, vocab=V)
    # Neither case uses a default (batch_size=32, lr=0.1), and the two differ in every argument,
    # so code that ignores one of them fails.
    steps, batch = (5, 16) if schedule else (4, 8)
    lr = [0.5, 0.5, 0.2, 0.1, 0.05] if schedule else 0.3
    try:
        got = student.call("train", load=MLP, params={k: v.numpy() for k, v in params.items()}, X=X.numpy(),
                           Y=Y.numpy(), steps=steps, batch_size=batch, lr=lr, seed=seed)
    except StudentFailure as failure:
        if schedule and "function" in failure.message:
            failure.message += ". Here lr is a schedule, a function of the step: use rate = lr(step) if callable(lr) else lr"
        raise

    def run(n=steps, gen_seed=seed, **kw):
        return _reference_run(params, X, Y, n, batch, lr, gen_seed, **kw)

    want, P = run()
    call = f"train_mlp(params, X, Y, steps={steps}, batch_size={batch}, lr={'a schedule' if schedule else lr}, generator=g)"
    require(len(got["losses"]) == steps, f"{call} returned {len(got['losses'])} losses; expected {steps}")
    expect_close(got["losses"], want, rtol=1e-4, what=f"losses of {call}", context=f"(seed {seed})",
                 labels=[f"step {s}" for s in range(steps)],
                 mistakes=MISTAKES.of("mlp.train", variant=lambda **switch: run(**switch)[0], run=run, steps=steps), hint="Draw ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator) each step, with the generator.")
    for name in ref.NAMES:
        expect_array_close(got["params"][name], P[name].detach().numpy(), rtol=1e-4, atol=1e-5,
                           what=f"{name} after {call}", context=f"(seed {seed})")


@pytest.mark.component("mlp.evaluate")
def check_evaluate(student, rng, seed):
    X, Y, V, _ = _data(rng)
    params = small_params(rng, vocab=V)
    got = student.call("evaluate", load=MLP, params={k: v.numpy() for k, v in params.items()}, X=X.numpy(), Y=Y.numpy())
    want = ref.evaluate(params, X, Y)
    expect_close(got["value"], want, rtol=1e-5, what="evaluate(params, X, Y)", context=f"(seed {seed})")
    if got["graph_built"]:
        raise CheckFailed("evaluate(params, X, Y) built an autograd graph (tensors were saved for a backward pass)",
                          "Wrap the computation in `with torch.no_grad():`.")


@pytest.mark.component("mlp.sampling")
@pytest.mark.parametrize("block", [None, 4], ids=["default-block", "block_size=4"])
def check_sampling(student, rng, seed, block):
    _, _, V, itos = _data(rng)
    params = small_params(rng, vocab=V, block=block or 3)
    params["W2"] = params["W2"] * 0.3  # flatter distributions: names of a few letters, not dozens
    for k in range(2):
        gen_seed, n = seed + k, 5 + k  # two generators and two counts
        got = student.call("sampling", load=MLP, params={k: v.numpy() for k, v in params.items()},
                           itos=itos_pairs(itos), n=n, seed=gen_seed, block_size=block)
        want = _reference_names(params, itos, n, gen_seed, block or 3)
        if got != want:
            if len(got) != len(want):
                raise CheckFailed(f"sample_mlp(..., n={n}) returned {len(got)} names")
            i = next(i for i, (a, b) in enumerate(zip(got, want)) if a != b)
            raise CheckFailed(
                f"name {i + 1} of {n} differs: expected {want[i]!r} (the reference sampler with the same generator), "
                f"got {got[i]!r} (random parameters, generator seed {gen_seed})",
                "Use F.softmax(logits, dim=1) and torch.multinomial(probs, num_samples=1, generator=generator).item(), "
                "one draw per character and no other draws.")
