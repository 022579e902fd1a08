"""mlp mutants: see tests/mutants/__init__.py."""
from __future__ import annotations

from mutants import Mutant

MLP = "makemore/mlp.py"

MUTANTS = [
    Mutant("dataset-context-carried-over", {MLP: [("    for w in words:\n        context = [0] * block_size\n        for ch in w + \".\":",
                                                   "    context = [0] * block_size\n    for w in words:\n        for ch in w + \".\":")]},
           {"mlp.dataset"}, ["carried over"]),
    Mutant("dataset-no-end-token", {MLP: [('        for ch in w + ".":\n            ix = stoi[ch]\n            X.append',
                                           '        for ch in w:\n            ix = stoi[ch]\n            X.append')]},
           {"mlp.dataset"}, ["end token"]),
    Mutant("split-shuffles-in-place", {MLP: [("    shuffled = list(words)\n    random.Random", "    shuffled = words\n    random.Random")]},
           {"mlp.split"}, ["changed the caller's list"]),
    Mutant("init-other-order", {MLP: [('        "C": (vocab_size, n_embd),\n        "W1": (block_size * n_embd, n_hidden),\n',
                                       '        "W1": (block_size * n_embd, n_hidden),\n        "C": (vocab_size, n_embd),\n')]},
           {"mlp.init"}, ["another order"]),
    Mutant("init-scaled-non-leaf", {MLP: [("torch.randn(shape, generator=generator).requires_grad_() for",
                                           "torch.randn(shape, generator=generator, requires_grad=True) * 0.1 for")]},
           {"mlp.init"}, ["leaf tensor"]),
    Mutant("forward-no-tanh", {MLP: [('    h = torch.tanh(emb.view(emb.shape[0], -1) @ params["W1"] + params["b1"])',
                                      '    h = emb.view(emb.shape[0], -1) @ params["W1"] + params["b1"]')]},
           {"mlp.forward"}, ["leaving out the tanh"]),
    Mutant("cross-entropy-naive", {MLP: [("    shifted = logits - logits.max(dim=1, keepdim=True).values", "    shifted = logits")]},
           {"mlp.cross_entropy"}, ["naive formula"]),
    Mutant("cross-entropy-logsumexp-dim0", {MLP: [("shifted.exp().sum(dim=1, keepdim=True).log()",
                                                   "shifted.exp().sum(dim=0, keepdim=True).log()")]},
           {"mlp.cross_entropy"}, ["the log-sum-exp over the wrong dimension"]),
    Mutant("cross-entropy-uses-torch", {MLP: [("    return -log_probs[torch.arange(logits.shape[0]), Y].mean()",
                                               "    return F.cross_entropy(logits, Y)")]},
           {"mlp.cross_entropy"}, ["cross_entropy uses `F.cross_entropy`, a built-in shortcut"]),
    Mutant("train-no-grad-reset", {MLP: [("        for p in params.values():\n            p.grad = None\n", "")]},
           {"mlp.train"}, ["not resetting the gradients"]),
    Mutant("train-without-generator", {MLP: [("(batch_size,), generator=generator)\n        loss", "(batch_size,))\n        loss")]},
           {"mlp.train"}, ["losses of train_mlp"]),
    Mutant("evaluate-builds-a-graph", {MLP: [("    with torch.no_grad():\n        return F.cross_entropy", "    if True:\n        return F.cross_entropy")]},
           {"mlp.evaluate"}, ["built an autograd graph"]),
    Mutant("sampling-context-not-slid", {MLP: [("            ix = torch.multinomial(probs, num_samples=1, generator=generator).item()\n            context = context[1:] + [ix]\n",
                                                "            ix = torch.multinomial(probs, num_samples=1, generator=generator).item()\n")]},
           {"mlp.sampling"}, ["differs"]),
    # Named mistakes of grader/suites/mlp/mistakes.py, one mutant each.
    Mutant("forward-no-biases", {MLP: [('    h = torch.tanh(emb.view(emb.shape[0], -1) @ params["W1"] + params["b1"])\n    return h @ params["W2"] + params["b2"]',
                                        '    h = torch.tanh(emb.view(emb.shape[0], -1) @ params["W1"])\n    return h @ params["W2"]')]},
           {"mlp.forward"}, ["leaving out the biases"]),
    Mutant("train-ascent", {MLP: [("            p.data += -rate * p.grad", "            p.data += rate * p.grad")]},
           {"mlp.train"}, ["stepping up the gradient"]),
    Mutant("cross-entropy-sum", {MLP: [("    return -log_probs[torch.arange(logits.shape[0]), Y].mean()",
                                        "    return -log_probs[torch.arange(logits.shape[0]), Y].sum()")]},
           {"mlp.cross_entropy"}, ["the sum over the batch instead of the mean"]),
    # "The loss of this step" taken as what the updated parameters give on the step's batch.
    Mutant("train-loss-after-update", {MLP: [("        losses.append(loss.item())\n",
                                              "        losses.append(F.cross_entropy(mlp_forward(params, X[ix]), Y[ix]).item())\n")]},
           {"mlp.train"}, ["recording the loss after the update"]),
]
