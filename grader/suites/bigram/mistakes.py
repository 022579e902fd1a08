"""The bigram module's classic mistakes (see grader/engine/judge/mistakes.py): what each gives, its
name, its hint, and the mutant in tests/mutants/bigram.py that makes it."""
from __future__ import annotations

import torch

from grader.checks import Classic, Table

OWN_STOI = "Look every character up in the stoi you are given: it may hold characters these words never use."

MISTAKES = Table("bigram", {
    "bigram.pairs": [
        Classic("bigram.pairs.own_vocabulary", "indices from a vocabulary of your own instead of the stoi given", OWN_STOI,
                evidence=lambda mine: mine.numpy(), mutant="pairs-ignores-stoi"),
    ],
    "bigram.counts": [
        Classic("bigram.counts.no_end_token", "forgetting the end token (each word read as '.' + word)",
                "Read each word as '.' + word + '.': the model must learn when names end.",
                variant={"end": False}, mutant="counts-loop-no-end-token"),
        Classic("bigram.counts.no_start_token", "forgetting the start token (each word read as word + '.')",
                "Read each word as '.' + word + '.': the start token is followed by the first letter.",
                variant={"start": False}, mutant="counts-loop-no-start-token"),
        Classic("bigram.counts.transposed", "swapping rows and columns (N[next, previous])",
                "N[i, j] counts j following i: the row is the previous character.",
                evidence=lambda want: want.T, mutant="counts-transposed"),
    ],
    "bigram.probs": [
        Classic("bigram.probs.no_keepdim", "dividing by the row sums without keepdim=True (so the *columns* are normalised)",
                "Use P.sum(1, keepdim=True): a (V, 1) column that divides each row.",
                evidence=lambda F: (F / F.sum(1)).numpy(), mutant="probs-no-keepdim"),
        Classic("bigram.probs.columns", "normalising the columns instead of the rows",
                "Each row i is the distribution of what follows character i: sum over dim=1.",
                evidence=lambda F: (F / F.sum(0, keepdim=True)).numpy(), mutant="probs-columns"),
        # A row of zero counts is 0/0 without the smoothing: nan there is this mistake's fingerprint.
        Classic("bigram.probs.no_smoothing", "ignoring the smoothing", "Add the smoothing to every count before normalising.",
                evidence=lambda N: (N.double() / N.double().sum(1, keepdim=True)).numpy(), mutant="probs-no-smoothing",
                equal_nan=True),
    ],
    "bigram.nll": [
        Classic("bigram.nll.sum", "the sum instead of the mean", "Divide by the number of bigrams.",
                evidence=lambda logp: float(-logp.sum()), mutant="nll-sum-not-mean"),
        Classic("bigram.nll.not_negated", "the log likelihood instead of its negative", "Negate: lower NLL is better.",
                evidence=lambda logp: float(logp.mean()), mutant="nll-not-negated"),
        Classic("bigram.nll.no_end_token", "leaving out the end token's bigrams",
                "Score '.' + word + '.': the end of the name is a prediction too.",
                evidence=lambda P, xe, ye: float(-torch.log(P[xe, ye].double()).mean()), mutant="nll-loop-no-end-token"),
        Classic("bigram.nll.own_vocabulary", "indexing P with a vocabulary of your own instead of the stoi given", OWN_STOI,
                evidence=lambda own: own, mutant="nll-ignores-stoi"),
    ],
    "bigram.forward": [
        Classic("bigram.forward.columns", "normalising over the wrong dimension (columns)",
                "Each row (one example) must sum to 1: sum(dim=1, keepdim=True).",
                evidence=lambda logits: torch.softmax(logits, 0).numpy(), mutant="forward-columns"),
        Classic("bigram.forward.no_exp", "forgetting to exponentiate the logits",
                "The logits are log-counts: counts = logits.exp() before normalising.",
                evidence=lambda logits: (logits / logits.sum(1, keepdim=True)).numpy(), mutant="forward-no-exp"),
    ],
    "bigram.loss": [
        Classic("bigram.loss.no_reg", "leaving out the regularisation", "Add reg * (W**2).mean().",
                evidence=lambda data: data, mutant="loss-no-reg"),
        Classic("bigram.loss.reg_sum", "(W**2).sum() instead of .mean() in the regularisation",
                "The SPEC's term is reg * (W**2).mean().",
                evidence=lambda data, r, W: data + r * float((W**2).sum()), mutant="loss-reg-sum"),
        Classic("bigram.loss.nll_sum", "the sum of -log p instead of the mean", "Average over the examples: .mean().",
                evidence=lambda p, r, W: float(-p.log().sum()) + r * float((W**2).mean()), mutant="loss-nll-sum"),
    ],
    "bigram.train": [
        Classic("bigram.train.no_grad_reset", "not resetting W.grad (gradients of earlier steps add up)",
                "Set W.grad = None before each loss.backward().", variant={"reset_grad": False}, mutant="train-no-grad-reset"),
        Classic("bigram.train.ascent", "stepping up the gradient (W.data += lr * W.grad)",
                "Gradient descent: W.data += -lr * W.grad.", variant={"sign": 1.0}, mutant="train-ascent"),
        Classic("bigram.train.loss_after_update", "recording the loss after the update",
                "Append loss.item() before updating W.", evidence=lambda after: after, mutant="train-loss-after-update"),
        # Looked for only when train_bigram is given an lr and a reg other than the defaults.
        Classic("bigram.train.ignores_lr", "ignoring lr (the default 50 instead)",
                "Step with the lr you are given: W.data += -lr * W.grad.", variant={"lr": 50.0}, on="arguments",
                mutant="train-ignores-lr"),
        Classic("bigram.train.ignores_reg", "ignoring reg (bigram_loss called without it, so with its default 0.01)",
                "Pass reg on: bigram_loss(W, xs, ys, reg).", variant={"reg": 0.01}, on="arguments",
                mutant="train-ignores-reg"),
    ],
    "bigram.trigram": [
        Classic("bigram.trigram.wrong_axis", "normalising over the wrong axis",
                "Normalise over the last axis: the distribution of c given (a, b).",
                evidence=lambda N3: ((N3.double() + 0.5) / (N3.double() + 0.5).sum(1, keepdim=True)).numpy(),
                mutant="trigram-probs-wrong-axis"),
    ],
})
