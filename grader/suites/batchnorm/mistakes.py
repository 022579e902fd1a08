"""The BatchNorm module's classic mistakes (see grader/engine/judge/mistakes.py): what each gives, its
name, its hint, and the mutant in tests/mutants/batchnorm.py that makes it. Most are variants of
the reference (grader/references/batchnorm.py), whose keyword switches make the mistake."""
from __future__ import annotations

import math

import numpy as np
import torch

from grader.checks import Classic, Table
from grader.references.batchnorm import SATURATED

WEIGHT = "weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5"
GAIN = "W1 *= (5/3) / fan_in**0.5 with fan_in = block_size * n_embd."
SCALE = "scale = bn.gamma / torch.sqrt(bn.running_var + bn.eps), one per output column."
BIAS = "new bias = (old bias - bn.running_mean) * scale + bn.beta (old bias 0 when linear.bias is None)."
BIASED = ("Normalise with the biased batch variance, x.var(0, unbiased=False), as torch.nn.BatchNorm1d does; "
          "the unbiased x.var(0) goes into running_var.")
SWAPPED = "running = (1 - momentum) * running + momentum * batch_statistic."


def _fan_in(sizes):
    return sizes["block_size"] * sizes["n_embd"]


# W1's scalings depend on the sizes: their evidence is the variant `drawn(w1_scale=...)` of those sizes.


INIT = [
    Classic("batchnorm.init.w1_no_gain", "Kaiming without the tanh gain 5/3 (W1 / sqrt(fan_in) only)",
            "The gain for tanh is 5/3: " + GAIN, on="W1",
            evidence=lambda drawn, sizes: drawn(w1_scale=1 / math.sqrt(_fan_in(sizes))), mutant="init-no-tanh-gain"),
    Classic("batchnorm.init.w1_unscaled", "leaving W1 unscaled (init_mlp's draw)", GAIN, on="W1",
            variant={"w1_scale": 1.0}, mutant="init-w1-unscaled"),
    Classic("batchnorm.init.w1_by_fan_in", "dividing by fan_in instead of sqrt(fan_in)", GAIN, on="W1",
            evidence=lambda drawn, sizes: drawn(w1_scale=(5 / 3) / _fan_in(sizes)), mutant="init-w1-by-fan-in"),
    Classic("batchnorm.init.w1_fan_in_n_embd", "fan_in = n_embd (it is block_size * n_embd, the inputs of each hidden unit)",
            GAIN, on="W1", evidence=lambda drawn, sizes: drawn(w1_scale=(5 / 3) / math.sqrt(sizes["n_embd"])),
            mutant="init-w1-fan-in-n-embd"),
    Classic("batchnorm.init.w1_fan_in_n_hidden", "fan_in = n_hidden (that is the fan-out)", GAIN, on="W1",
            evidence=lambda drawn, sizes: drawn(w1_scale=(5 / 3) / math.sqrt(sizes["n_hidden"])), mutant="init-w1-fan-in-n-hidden"),
    Classic("batchnorm.init.w1_hand_tuned", "the lecture's hand-tuned 0.2 instead of (5/3)/sqrt(fan_in)", GAIN, on="W1",
            variant={"w1_scale": 0.2}, mutant="init-w1-hand-tuned"),
    Classic("batchnorm.init.b1_unscaled", "leaving b1 unscaled", "b1 *= 0.01.", on="b1", variant={"b1_scale": 1.0},
            mutant="init-b1-unscaled"),
    Classic("batchnorm.init.b1_zero", "zeroing b1 (the SPEC scales it by 0.01)", "b1 *= 0.01.", on="b1",
            variant={"b1_scale": 0.0}, mutant="init-b1-zero"),
    Classic("batchnorm.init.w2_unscaled", "leaving W2 unscaled", "W2 *= 0.01: small logits, so the first loss is near -ln(1/27).",
            on="W2", variant={"w2_scale": 1.0}, mutant="init-w2-unscaled"),
    Classic("batchnorm.init.w2_zero", "zeroing W2 (the SPEC scales it by 0.01)", "W2 *= 0.01.", on="W2",
            variant={"w2_scale": 0.0}, mutant="init-w2-zero"),
    Classic("batchnorm.init.b2_unscaled", "leaving b2 unscaled", "b2 *= 0: no character preferred at the start.", on="b2",
            variant={"b2_scale": 1.0}, mutant="init-b2-unscaled"),
    Classic("batchnorm.init.b2_scaled", "scaling b2 by 0.01 (the SPEC scales it by 0)", "b2 *= 0.", on="b2",
            variant={"b2_scale": 0.01}, mutant="init-b2-scaled"),
]

LINEAR = [
    Classic("batchnorm.linear.unscaled", "leaving the weight unscaled", "Divide the draw by fan_in**0.5.", on="weight",
            evidence=lambda draw, fan_in, fan_out: draw((fan_in, fan_out)).numpy(), mutant="linear-weight-unscaled"),
    Classic("batchnorm.linear.by_fan_in", "dividing by fan_in instead of fan_in**0.5", WEIGHT, on="weight",
            evidence=lambda draw, fan_in, fan_out: (draw((fan_in, fan_out)) / fan_in).numpy(), mutant="linear-by-fan-in"),
    Classic("batchnorm.linear.by_fan_out", "dividing by fan_out**0.5 instead of fan_in**0.5",
            "fan_in is the number of inputs each output sums over.", on="weight",
            evidence=lambda draw, fan_in, fan_out: (draw((fan_in, fan_out)) / fan_out**0.5).numpy(), mutant="linear-by-fan-out"),
    Classic("batchnorm.linear.transposed", "drawing (fan_out, fan_in) and transposing (torch.nn.Linear's layout)", WEIGHT,
            on="weight", evidence=lambda draw, fan_in, fan_out: (draw((fan_out, fan_in)).T / fan_in**0.5).numpy(),
            mutant="linear-weight-transposed"),
    Classic("batchnorm.linear.no_bias", "leaving out the bias", "out = x @ self.weight, plus self.bias when there is one.",
            on="out", evidence=lambda x, w: (x @ w).numpy(), mutant="linear-forward-drops-bias"),
]

STATS = [
    Classic("batchnorm.stats.variance", "the variance instead of the standard deviation", "Use h.std().", on="std",
            variant={"variance": True}, mutant="stats-variance-not-std"),
    Classic("batchnorm.stats.biased_std", "the biased std (unbiased=False, numpy's default)",
            "Use torch's h.std(), as the lecture does: the unbiased estimate.", on="std", variant={"unbiased": False}, mutant="stats-biased-std"),
    Classic("batchnorm.stats.not_strict", "|h| >= 0.97 instead of |h| > 0.97",
            "Saturated means strictly above: (h.abs() > 0.97).float().mean().", on="saturation", variant={"strict": False}, mutant="stats-saturation-at-or-above"),
    Classic("batchnorm.stats.no_abs", "forgetting the absolute value (only h > 0.97 counted)",
            "tanh saturates at both ends: compare h.abs() with 0.97.", on="saturation", variant={"absolute": False}, mutant="stats-no-abs"),
    Classic("batchnorm.stats.percent", "a percentage instead of a fraction",
            "Return the fraction, between 0 and 1: .float().mean().", on="saturation", variant={"percent": True}, mutant="stats-percent"),
    Classic("batchnorm.stats.count", "the count instead of the fraction", "Divide by the number of entries: .float().mean().",
            on="saturation", evidence=lambda h: float((h.abs() > SATURATED).sum()), mutant="stats-count"),
    Classic("batchnorm.stats.ratio_ln", "the natural log instead of log10", "Use .log10(): the lecture looks for about -3.",
            on="ratio", variant={"log": torch.log}, mutant="stats-ratio-natural-log"),
    Classic("batchnorm.stats.ratio_no_log", "leaving out the logarithm", "Take the base-10 log of the ratio.", on="ratio",
            variant={"log": None}, mutant="stats-ratio-no-log"),
    Classic("batchnorm.stats.ratio_no_lr", "leaving out the learning rate (std of p.grad, not of the update lr * p.grad)",
            "The update is lr * p.grad: take its std.", on="ratio", variant={"with_lr": False}, mutant="stats-ratio-no-lr"),
    Classic("batchnorm.stats.ratio_variances", "variances instead of standard deviations", "Use .std() on both.", on="ratio",
            variant={"variance": True}, mutant="stats-ratio-variances"),
    Classic("batchnorm.stats.ratio_upside_down", "the ratio upside down (data over update)",
            "Update over data: std(lr * p.grad) / std(p.data).", on="ratio", evidence=lambda want: -want, mutant="stats-ratio-upside-down"),
]

BATCHNORM1D = [
    Classic("batchnorm.batchnorm1d.unbiased_norm", "normalising with the unbiased variance x.var(0) (the lecture's class)",
            BIASED, on="out", variant={"unbiased_norm": True}, mutant="bn-lecture-unbiased-variance"),
    Classic("batchnorm.batchnorm1d.momentum_swapped",
            "updating the running statistics the wrong way round (momentum * running + (1 - momentum) * batch)",
            SWAPPED, on="buffer", variant={"swapped": True}, mutant="bn-momentum-swapped"),
    Classic("batchnorm.batchnorm1d.biased_running_var",
            "putting the biased variance into running_var (torch keeps the unbiased one there)",
            "Normalise with the biased variance, but update running_var with the unbiased x.var(0).", on="buffer",
            variant={"biased_running": True}, mutant="bn-biased-running-var"),
    Classic("batchnorm.batchnorm1d.buffers_not_updated", "not updating it at all",
            "In training, update the buffers after each call: " + SWAPPED, on="buffer",
            evidence=lambda dim, untouched: np.full(dim, untouched), mutant="bn-buffers-not-updated"),
    Classic("batchnorm.batchnorm1d.eval_batch_stats", "eval mode still using the batch statistics",
            "When self.training is False, normalise with running_mean and running_var instead of the batch's mean "
            "and variance.", on="eval", variant={"eval_batch": True}, mutant="bn-eval-uses-batch-stats"),
]

BACKWARD = [
    Classic("batchnorm.backward.no_mean_term",
            "leaving out the mean term (the -dout.sum(0) that comes back through the batch mean)",
            "x moves the batch mean too: its path adds -dout.sum(0) inside the bracket.", on="dx", variant={"mean_term": False}, mutant="backward-missing-mean-term"),
    Classic("batchnorm.backward.bessel",
            "a Bessel factor n/(n-1) on the variance term (right for the lecture's unbiased variance, not for this biased one)",
            "This forward normalises with x.var(0, unbiased=False): no n/(n-1) appears in its gradient.", on="dx",
            variant={"bessel": True}, mutant="backward-bessel-factor"),
    Classic("batchnorm.backward.unbiased", "the gradient of the lecture's unbiased-variance batch norm (x.var(0) and its n/(n-1))",
            "The forward here normalises with the biased variance, x.var(0, unbiased=False).", on="dx",
            variant={"unbiased": True}, mutant="backward-lecture-unbiased"),
    Classic("batchnorm.backward.no_var_term", "treating the variance as a constant (no xhat * sum(dout * xhat) term)",
            "x moves the batch variance too: follow that path with the chain rule.", on="dx", variant={"var_term": False}, mutant="backward-no-var-term"),
    Classic("batchnorm.backward.no_gamma", "leaving gamma out of dx", "out = gamma * xhat + beta: dxhat = gamma * dout.",
            on="dx", variant={"with_gamma": False}, mutant="backward-no-gamma"),
    # dx is compared first, so a dgamma mistake is named only when dx is right: when dx is written
    # without dgamma (the lecture's one line). An unbiased-variance xhat is not one of them: dx
    # shares it, and fails first as `unbiased` above.
    Classic("batchnorm.backward.dgamma_is_dbeta", "dout.sum(0), the gradient of beta", "dgamma = (dout * xhat).sum(0).",
            on="dgamma", evidence=lambda dout: dout.sum(0).numpy(), mutant="backward-dgamma-is-dbeta"),
    Classic("batchnorm.backward.dbeta_mean", "the mean over the batch instead of the sum", "dbeta = dout.sum(0).",
            on="dbeta", evidence=lambda dout: dout.mean(0).numpy(), mutant="backward-dbeta-mean"),
]

FOLD = [
    Classic("batchnorm.fold.no_std", "using gamma without the std (scale = gamma)", SCALE, variant={"divide": "nothing"}, mutant="fold-gamma-without-std"),
    Classic("batchnorm.fold.by_variance", "dividing by the variance instead of the std", SCALE, variant={"divide": "var"}, mutant="fold-by-variance"),
    Classic("batchnorm.fold.no_eps", "forgetting eps", SCALE, variant={"eps": False}, mutant="fold-no-eps"),
    Classic("batchnorm.fold.no_old_bias", "forgetting the old bias", BIAS, variant={"old_bias": False}, mutant="fold-forgets-old-bias"),
    Classic("batchnorm.fold.no_running_mean", "leaving out running_mean", BIAS, variant={"mean": False}, mutant="fold-no-running-mean"),
    Classic("batchnorm.fold.no_beta", "leaving out beta", BIAS, variant={"beta": False}, mutant="fold-no-beta"),
]

MISTAKES = Table("batchnorm", {
    "batchnorm.init": INIT, "batchnorm.linear": LINEAR, "batchnorm.stats": STATS,
    "batchnorm.batchnorm1d": BATCHNORM1D, "batchnorm.backward": BACKWARD, "batchnorm.fold": FOLD,
})
