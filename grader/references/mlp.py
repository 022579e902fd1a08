"""The grader's MLP language model (makemore part 2), in torch: answers and stand-ins."""
from __future__ import annotations

import random

import numpy as np
import torch
import torch.nn.functional as F

NAMES = ("C", "W1", "b1", "W2", "b2")


def build_dataset(words, stoi, block_size=3, end=True, reset=True):
    if end and reset:
        return _build_dataset_fast(words, stoi, block_size)
    X, Y = [], []
    context = [0] * block_size
    for w in words:
        if reset:
            context = [0] * block_size
        for ch in w + ("." if end else ""):
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X, dtype=torch.int64).view(-1, block_size), torch.tensor(Y, dtype=torch.int64)


def _build_dataset_fast(words, stoi, block_size):
    """The same rows, vectorised: each word padded as [0]*block_size + word + [0], then every
    window of block_size that ends before the word's last token is a context (fast on 228k rows)."""
    from grader.references.bigram import encode

    if not words:
        return torch.zeros((0, block_size), dtype=torch.int64), torch.zeros((0,), dtype=torch.int64)
    lengths = np.array([len(w) + 1 for w in words])  # characters to predict, '.' included
    pad = "." * block_size
    text = pad + pad.join(w + "." for w in words)  # each word's block_size zeros, then word, then '.'
    idx = encode(text, stoi).numpy()
    starts = np.concatenate([[0], np.cumsum(lengths + block_size)[:-1]])  # where each word's padding begins
    rows = np.repeat(starts, lengths) + (np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    X = idx[rows[:, None] + np.arange(block_size)]
    Y = idx[rows + block_size]
    return torch.from_numpy(X.astype(np.int64)), torch.from_numpy(Y.astype(np.int64))


def split_words(words, seed=42):
    shuffled = list(words)
    random.Random(seed).shuffle(shuffled)
    n1, n2 = int(0.8 * len(shuffled)), int(0.9 * len(shuffled))
    return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]


def shapes(vocab_size=27, block_size=3, n_embd=10, n_hidden=200):
    return {"C": (vocab_size, n_embd), "W1": (block_size * n_embd, n_hidden), "b1": (n_hidden,),
            "W2": (n_hidden, vocab_size), "b2": (vocab_size,)}


def init_mlp(vocab_size=27, block_size=3, n_embd=10, n_hidden=200, generator=None, order=NAMES):
    sizes = shapes(vocab_size, block_size, n_embd, n_hidden)
    drawn = {name: torch.randn(sizes[name], generator=generator) for name in order}
    return {name: drawn[name].requires_grad_() for name in NAMES}


def mlp_forward(params, X):
    emb = params["C"][X]
    h = torch.tanh(emb.view(emb.shape[0], -1) @ params["W1"] + params["b1"])
    return h @ params["W2"] + params["b2"]


def cross_entropy(logits, Y):
    return F.cross_entropy(logits, Y)


def train_mlp(params, X, Y, steps, batch_size=32, lr=0.1, generator=None, reset_grad=True, sign=-1.0,
              loss_after_update=False):
    """`reset_grad`, `sign` and `loss_after_update` (the loss the updated parameters give on the
    step's batch is recorded) switch on a classic mistake each."""
    losses = []
    for step in range(steps):
        ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator)
        loss = F.cross_entropy(mlp_forward(params, X[ix]), Y[ix])
        if reset_grad:
            for p in params.values():
                p.grad = None
        loss.backward()
        rate = lr(step) if callable(lr) else lr
        for p in params.values():
            p.data += sign * rate * p.grad
        if loss_after_update:
            loss = F.cross_entropy(mlp_forward(params, X[ix]), Y[ix])
        losses.append(loss.item())
    return losses


def evaluate(params, X, Y):
    with torch.no_grad():
        return F.cross_entropy(mlp_forward(params, X), Y).item()


def sample_mlp(params, itos, n, generator, block_size=3):
    names = []
    with torch.no_grad():
        for _ in range(n):
            out, context = [], [0] * block_size
            while True:
                probs = F.softmax(mlp_forward(params, torch.tensor([context])), dim=1)
                ix = torch.multinomial(probs, num_samples=1, generator=generator).item()
                context = context[1:] + [ix]
                if ix == 0:
                    break
                out.append(itos[ix])
            names.append("".join(out))
    return names

# Which components each definition answers (see grader/engine/worker/standins.py). init_mlp is not
# batchnorm.init's answer: a batchnorm.py may build on init_mlp (`from .mlp import init_mlp`) and
# is graded on the scaling, its own work.
__owners__ = {
    "build_dataset": "mlp.dataset", "_build_dataset_fast": "mlp.dataset", "split_words": "mlp.split",
    "init_mlp": "mlp.init", "mlp_forward": "mlp.forward", "cross_entropy": "mlp.cross_entropy",
    "train_mlp": "mlp.train", "evaluate": "mlp.evaluate", "sample_mlp": "mlp.sampling",
}
