"""bigram mutants: see tests/mutants/__init__.py."""
from __future__ import annotations

from mutants import Mutant, solution_block

BIGRAM = "makemore/bigram.py"
# The lecture's loops, as a learner writes them instead of the solution's vectorised lines.
COUNT_LOOP = '''    V = len(stoi)
    N = torch.zeros((V, V), dtype=torch.int32)
    for w in words:
        chs = {chs}
        for ch1, ch2 in zip(chs, chs[1:]):
            N[stoi[ch1], stoi[ch2]] += 1
    return N
'''
NLL_LOOP = '''    log_likelihood, n = 0.0, 0
    for w in words:
        chs = ["."] + list(w)
        for ch1, ch2 in zip(chs, chs[1:]):
            log_likelihood += torch.log(P[stoi[ch1], stoi[ch2]]).item()
            n += 1
    return -log_likelihood / n
'''

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
    Mutant("counts-ignores-stoi", {BIGRAM: [("    V = len(stoi)\n    xs, ys = bigram_pairs(words, stoi)\n",
                                             "    stoi = build_vocab(words)[0]\n    V = len(stoi)\n    xs, ys = bigram_pairs(words, stoi)\n")]},
           {"bigram.counts"}, ["count_bigrams(words, stoi) has shape"]),
    Mutant("pairs-ignores-stoi", {BIGRAM: [("    xs, ys = [], []\n    for w in words:\n",
                                            "    stoi = build_vocab(words)[0]\n    xs, ys = [], []\n    for w in words:\n")]},
           {"bigram.pairs"}, ["a vocabulary of your own"]),
    Mutant("nll-ignores-stoi", {BIGRAM: [("    xs, ys = bigram_pairs(words, stoi)\n    logprobs",
                                          "    xs, ys = bigram_pairs(words, build_vocab(words)[0])\n    logprobs")]},
           {"bigram.nll"}, ["a vocabulary of your own"]),
    # Named mistakes of grader/suites/bigram/mistakes.py, one mutant each.
    Mutant("probs-columns", {BIGRAM: [("return P / P.sum(dim=1, keepdim=True)", "return P / P.sum(dim=0, keepdim=True)")]},
           {"bigram.probs"}, ["normalising the columns instead of the rows"]),
    Mutant("nll-not-negated", {BIGRAM: [("return float(-log_likelihood / np.float32(len(logprobs)))",
                                         "return float(log_likelihood / np.float32(len(logprobs)))")]},
           {"bigram.nll"}, ["the log likelihood instead of its negative"]),
    Mutant("forward-no-exp", {BIGRAM: [("    counts = logits.exp()\n", "    counts = logits\n")]},
           {"bigram.forward"}, ["forgetting to exponentiate the logits"]),
    Mutant("loss-no-reg", {BIGRAM: [("return -probs[torch.arange(len(ys)), ys].log().mean() + reg * (W**2).mean()",
                                     "return -probs[torch.arange(len(ys)), ys].log().mean()")]},
           {"bigram.loss"}, ["leaving out the regularisation"]),
    Mutant("loss-nll-sum", {BIGRAM: [("return -probs[torch.arange(len(ys)), ys].log().mean() + reg * (W**2).mean()",
                                      "return -probs[torch.arange(len(ys)), ys].log().sum() + reg * (W**2).mean()")]},
           {"bigram.loss"}, ["the sum of -log p instead of the mean"]),
    Mutant("train-ascent", {BIGRAM: [("        W.data += -lr * W.grad\n", "        W.data += lr * W.grad\n")]},
           {"bigram.train"}, ["stepping up the gradient"]),
    Mutant("trigram-one-start-token", {BIGRAM: [('chs = [stoi[c] for c in ".." + w + "."]', 'chs = [stoi[c] for c in "." + w + "."]')]},
           {"bigram.trigram"}, ["count_trigrams"]),
    Mutant("counts-loop-no-end-token",
           {BIGRAM: [(solution_block(BIGRAM, "bigram.counts"), COUNT_LOOP.format(chs='["."] + list(w)'))]},
           {"bigram.counts"}, ["forgetting the end token"]),
    Mutant("counts-loop-no-start-token",
           {BIGRAM: [(solution_block(BIGRAM, "bigram.counts"), COUNT_LOOP.format(chs='list(w) + ["."]'))]},
           {"bigram.counts"}, ["forgetting the start token"]),
    Mutant("probs-no-smoothing", {BIGRAM: [("    P = N.float() + smoothing\n", "    P = N.float()\n")]},
           {"bigram.probs"}, ["ignoring the smoothing"]),
    Mutant("nll-loop-no-end-token", {BIGRAM: [(solution_block(BIGRAM, "bigram.nll"), NLL_LOOP)]},
           {"bigram.nll"}, ["leaving out the end token's bigrams"]),
    # "The loss of this step" taken as what the updated W gives.
    Mutant("train-loss-after-update", {BIGRAM: [("        losses.append(loss.item())\n",
                                                 "        losses.append(bigram_loss(W, xs, ys, reg).item())\n")]},
           {"bigram.train"}, ["recording the loss after the update"]),
    Mutant("trigram-probs-wrong-axis", {BIGRAM: [("    return P3 / P3.sum(dim=2, keepdim=True)",  # dim=1 kept from the bigram
                                                  "    return P3 / P3.sum(dim=1, keepdim=True)")]},
           {"bigram.trigram"}, ["normalising over the wrong axis"]),
]
