"""bigram mutants: see tests/mutants/__init__.py."""
from __future__ import annotations

from mutants import Mutant

BIGRAM = "makemore/bigram.py"

MUTANTS = [
    Mutant("vocab-letters-from-zero", {BIGRAM: [('stoi = {s: i + 1 for i, s in enumerate(chars)}',
                                                 'stoi = {s: i for i, s in enumerate(chars)}')]},
           {"bigram.vocab"}, ["should be"]),
    Mutant("counts-transposed", {BIGRAM: [("flat = torch.bincount(xs * V + ys, minlength=V * V)",
                                           "flat = torch.bincount(ys * V + xs, minlength=V * V)")]},
           {"bigram.counts"}, ["swapping rows and columns"]),
    Mutant("counts-float-dtype", {BIGRAM: [("return flat.view(V, V).to(torch.int32)", "return flat.view(V, V).float()")]},
           {"bigram.counts"}, ["dtype torch.float32; expected torch.int32"]),
    Mutant("probs-no-keepdim", {BIGRAM: [("return P / P.sum(dim=1, keepdim=True)", "return P / P.sum(dim=1)")]},
           {"bigram.probs"}, ["without keepdim=True"]),
    Mutant("sampling-without-generator", {BIGRAM: [("num_samples=1, replacement=True, generator=generator).item()\n            if ix == 0",
                                                    "num_samples=1, replacement=True).item()\n            if ix == 0")]},
           {"bigram.sampling"}, ["differs"]),
    Mutant("nll-sum-not-mean", {BIGRAM: [("return float(-log_likelihood / np.float32(len(logprobs)))",
                                          "return float(-log_likelihood)")]},
           {"bigram.nll"}, ["the sum instead of the mean"]),
    Mutant("pairs-no-end-token", {BIGRAM: [('        chs = ["."] + list(w) + ["."]\n        for ch1, ch2 in zip(chs, chs[1:]):\n            xs.append',
                                            '        chs = ["."] + list(w)\n        for ch1, ch2 in zip(chs, chs[1:]):\n            xs.append')]},
           {"bigram.pairs"}, ["xs has shape"]),
    Mutant("forward-columns", {BIGRAM: [("    return counts / counts.sum(dim=1, keepdim=True)",
                                         "    return counts / counts.sum(dim=0, keepdim=True)")]},
           {"bigram.forward"}, ["wrong dimension"]),
    Mutant("loss-reg-sum", {BIGRAM: [("return -probs[torch.arange(len(ys)), ys].log().mean() + reg * (W**2).mean()",
                                      "return -probs[torch.arange(len(ys)), ys].log().mean() + reg * (W**2).sum()")]},
           {"bigram.loss"}, ["(W**2).sum() instead of .mean()"]),
    Mutant("train-no-grad-reset", {BIGRAM: [("        W.grad = None\n", "")]},
           {"bigram.train"}, ["not resetting W.grad"]),
    # Every argument exercised with a value other than its default (SPEC §3): ignoring one fails.
    Mutant("probs-ignores-smoothing", {BIGRAM: [("    P = N.float() + smoothing\n", "    P = N.float() + 1.0\n")]},
           {"bigram.probs"}, ["bigram_probs(N, smoothing=0.5)"]),
    Mutant("sampling-ignores-n", {BIGRAM: [("    for _ in range(n):", "    for _ in range(10):")]},
           {"bigram.sampling"}, ["n=8", "returned 10 names"]),
    Mutant("loss-ignores-reg", {BIGRAM: [("    return -probs[torch.arange(len(ys)), ys].log().mean() + reg * (W**2).mean()",
                                          "    return -probs[torch.arange(len(ys)), ys].log().mean() + 0.01 * (W**2).mean()")]},
           {"bigram.loss"}, ["reg=0.1"]),
    Mutant("train-ignores-lr", {BIGRAM: [("        W.data += -lr * W.grad\n", "        W.data += -50.0 * W.grad\n")]},
           {"bigram.train"}, ["ignoring lr"]),
    Mutant("train-ignores-reg", {BIGRAM: [("        loss = bigram_loss(W, xs, ys, reg)\n", "        loss = bigram_loss(W, xs, ys)\n")]},
           {"bigram.train"}, ["ignoring reg"]),
    Mutant("trigram-ignores-smoothing", {BIGRAM: [("    P3 = N3.float() + smoothing\n", "    P3 = N3.float() + 1.0\n")]},
           {"bigram.trigram"}, ["trigram_probs(N3, 0.5)"]),
    Mutant("trigram-one-start-token", {BIGRAM: [('chs = [stoi[c] for c in ".." + w + "."]', 'chs = [stoi[c] for c in "." + w + "."]')]},
           {"bigram.trigram"}, ["count_trigrams"]),
]
