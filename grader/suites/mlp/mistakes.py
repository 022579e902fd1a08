"""The MLP module's classic mistakes (see grader/engine/judge/mistakes.py): what each gives, its name,
its hint, and the mutant in tests/mutants/mlp.py that makes it."""
from __future__ import annotations

import torch

from grader.checks import Classic, Table

def _log_softmax_dim0(logits, Y) -> float:
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=0, keepdim=True).log()
    return float(-log_probs[torch.arange(len(Y)), Y].mean())


MISTAKES = Table("mlp", {
    "mlp.init": [
        # The evidence is the other order's tensor when one gives exactly the student's, else nan.
        Classic("mlp.init.draw_order", "drawing the tensors in another order than C, W1, b1, W2, b2",
                evidence=lambda other_orders: other_orders(), mutant="init-other-order"),
    ],
    "mlp.forward": [
        Classic("mlp.forward.no_tanh", "leaving out the tanh", "h = torch.tanh(emb @ W1 + b1).",
                evidence=lambda emb, params: ((emb @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]).numpy(), mutant="forward-no-tanh"),
        Classic("mlp.forward.no_biases", "leaving out the biases",
                evidence=lambda emb, params: (torch.tanh(emb @ params["W1"]) @ params["W2"]).numpy(), mutant="forward-no-biases"),
    ],
    "mlp.cross_entropy": [
        Classic("mlp.cross_entropy.naive", "the naive formula exp(logits) / sum(exp(logits)) (it overflows)",
                "Subtract each row's max before exponentiating: softmax is unchanged by the shift.",
                evidence=lambda logits, Y: float(-(logits.exp() / logits.exp().sum(1, keepdim=True))[
                    torch.arange(len(Y)), Y].log().mean()), mutant="cross-entropy-naive"),
        Classic("mlp.cross_entropy.wrong_dim", "the log-sum-exp over the wrong dimension (dim=0, down the batch)",
                "Each row is one example's distribution: shifted.exp().sum(dim=1, keepdim=True).log().",
                evidence=lambda logits, Y: _log_softmax_dim0(logits, Y), mutant="cross-entropy-logsumexp-dim0"),
        Classic("mlp.cross_entropy.sum", "the sum over the batch instead of the mean",
                "F.cross_entropy averages over the examples: .mean().", evidence=lambda want, Y: float(want) * len(Y),
                mutant="cross-entropy-sum"),
    ],
    "mlp.train": [
        Classic("mlp.train.no_grad_reset", "not resetting the gradients (p.grad = None) each step",
                "Set every p.grad = None before loss.backward().", variant={"reset_grad": False}, mutant="train-no-grad-reset"),
        Classic("mlp.train.ascent", "stepping up the gradient", "p.data += -rate * p.grad.", variant={"sign": 1.0}, mutant="train-ascent"),
        # Recomputed on the step's own batch: with minibatches that is not the next step's loss.
        Classic("mlp.train.loss_after_update", "recording the loss after the update",
                "Record the loss the step computed, before the update: loss.item().",
                variant={"loss_after_update": True}, mutant="train-loss-after-update"),
    ],
})
