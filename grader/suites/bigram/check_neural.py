"""The neural-net bigram: training pairs, forward, loss, and gradient descent."""
from __future__ import annotations

import pytest
import torch

from grader.checks import expect_array_close, expect_close, expect_tensor, once, require
from grader.references import bigram as ref
from grader.suites.bigram.mistakes import MISTAKES
from grader.suites.bigram.words import random_words, vocab, wider_vocab

BIGRAM = [("makemore.bigram", None)]


def _gen(rng):
    return torch.Generator().manual_seed(rng.randrange(2**31))


@pytest.mark.component("bigram.pairs")
def check_pairs(student, rng, seed):
    words = random_words(rng)
    stoi, _ = wider_vocab(rng, words)  # with characters the words never use: stoi must be used
    got = student.call("pairs", load=BIGRAM, words=words, stoi=stoi)
    xs, ys = ref.bigram_pairs(words, stoi)
    n = len(xs)
    gx = expect_tensor(got[0], "xs", dtype="int64", shape=(n,), hint="One entry per bigram of '.' + word + '.', as int64.")
    gy = expect_tensor(got[1], "ys", dtype="int64", shape=(n,))
    own = ref.bigram_pairs(words, vocab(words)[0])
    where = f"(random words, and a stoi with characters they never use, seed {seed})"
    for name, g, want, mine in (("xs", gx, xs, own[0]), ("ys", gy, ys, own[1])):
        expect_array_close(g, want.numpy(), what=name, rtol=0, atol=0, context=where,
                           mistakes=MISTAKES.of("bigram.pairs", mine=mine))


def _model(rng):
    words = random_words(rng)
    stoi, _ = vocab(words)
    V = len(stoi)
    xs, ys = ref.bigram_pairs(words, stoi)
    W = torch.randn((V, V), generator=_gen(rng))
    return W, xs, ys


@pytest.mark.component("bigram.forward")
def check_forward(student, rng, seed):
    W, xs, _ = _model(rng)
    R = torch.randn((len(xs), W.shape[0]), generator=_gen(rng))
    got = student.call("forward", load=BIGRAM, W=W.numpy(), xs=xs.numpy(), R=R.numpy())
    where = f"(random W {tuple(W.shape)}, seed {seed})"
    probs = expect_tensor(got["probs"], "bigram_forward(W, xs)", dtype="float32", shape=(len(xs), W.shape[0]))
    Wr = W.clone().requires_grad_()
    want = ref.bigram_forward(Wr, xs)
    (want * R).sum().backward()
    logits = W[xs]
    expect_array_close(probs, want.detach().numpy(), what="bigram_forward(W, xs)", context=where,
                       mistakes=MISTAKES.of("bigram.forward", logits=logits))
    require(got["grad"] is not None, f"bigram_forward's output is not differentiable in W {where}",
           "Compute it with torch operations on W itself (no .data, .detach(), .item() or numpy).")
    expect_array_close(got["grad"], Wr.grad.numpy(), what="gradient of sum(probs * R) with respect to W", context=where)


@pytest.mark.component("bigram.loss")
@pytest.mark.parametrize("reg", [None, 0.1], ids=["default-reg", "reg=0.1"])
def check_loss(student, rng, seed, reg):
    W, xs, ys = _model(rng)
    got = student.call("loss", load=BIGRAM, W=W.numpy(), xs=xs.numpy(), ys=ys.numpy(), reg=reg)
    r = 0.01 if reg is None else reg
    call = "bigram_loss(W, xs, ys)" if reg is None else f"bigram_loss(W, xs, ys, reg={reg})"
    value = expect_tensor(got["loss"], call, dtype="float32")
    require(value.size == 1, f"{call} should be a scalar tensor; it has shape {value.shape}")
    Wr = W.clone().requires_grad_()
    want = ref.bigram_loss(Wr, xs, ys, r)
    want.backward()
    p = ref.bigram_forward(W, xs)[torch.arange(len(ys)), ys]
    data = float(-p.log().mean())
    expect_close(float(value.reshape(())), float(want), rtol=1e-5, what=call, context=f"(seed {seed})",
                 mistakes=MISTAKES.of("bigram.loss", data=data, r=r, W=W, p=p))
    require(got["grad"] is not None, f"{call} is not differentiable in W")
    expect_array_close(got["grad"], Wr.grad.numpy(), what=f"d({call})/dW", context=f"(seed {seed})")


@once
def _reference_trajectory(W, xs, ys, steps, lr, reg, **kw):
    """The reference's losses, and W after them, training a copy of W."""
    Wr = W.clone().requires_grad_()
    return ref.train_bigram(Wr, xs, ys, steps, lr, reg, **kw), Wr.detach().numpy()


@pytest.mark.component("bigram.train")
@pytest.mark.parametrize("lr,reg", [(None, None), (10.0, 0.5)], ids=["defaults", "lr=10,reg=0.5"])
def check_train(student, rng, seed, lr, reg):
    """Once with SPEC §2's defaults (lr=50, reg=0.01) left out, once with others: an argument
    that is ignored fails the second."""
    W, xs, ys = _model(rng)
    steps = 4
    r, rate = 0.01 if reg is None else reg, 50.0 if lr is None else lr
    got = student.call("train", load=BIGRAM, W=W.numpy(), xs=xs.numpy(), ys=ys.numpy(), steps=steps, lr=lr, reg=reg)
    call = f"train_bigram(W, xs, ys, steps={steps})" if lr is None else \
        f"train_bigram(W, xs, ys, steps={steps}, lr={lr}, reg={reg})"

    def trajectory(lr=rate, reg=r, **kw):
        return _reference_trajectory(W, xs, ys, steps, lr, reg, **kw)

    want, W_final = trajectory()
    require(len(got["losses"]) == steps, f"{call} returned {len(got['losses'])} losses")
    after = _reference_trajectory(W, xs, ys, steps + 1, rate, r)[0][1:]
    losses = lambda **switch: trajectory(**switch)[0]  # noqa: E731
    mistakes = MISTAKES.of("bigram.train", variant=losses, after=after)
    if lr is not None:
        mistakes += MISTAKES.of("bigram.train", on="arguments", variant=losses)
    expect_close(got["losses"], want, rtol=1e-4, what=f"losses of {call}", context=f"(seed {seed})",
                 labels=[f"step {s}" for s in range(steps)], mistakes=mistakes)
    expect_array_close(got["W"], W_final, rtol=1e-4, atol=1e-5, what="W after training", context=f"(seed {seed})")
