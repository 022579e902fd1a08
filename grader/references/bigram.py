"""The grader's bigram model (makemore part 1), in torch: the answers, and the stand-ins for
whatever a component does not own (e.g. `train_bigram` is graded with this `bigram_loss`)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def build_vocab(words):
    chars = sorted(set("".join(words)) - {"."})
    stoi = {".": 0, **{c: i + 1 for i, c in enumerate(chars)}}
    return stoi, {i: c for c, i in stoi.items()}


def encode(text: str, stoi) -> torch.Tensor:
    """Indices of every character of `text`, through a byte lookup table (fast on 228k chars)."""
    table = np.zeros(256, dtype=np.int64)
    for ch, i in stoi.items():
        table[ord(ch)] = i
    return torch.from_numpy(table[np.frombuffer(text.encode("latin-1"), dtype=np.uint8)])


def bigram_pairs(words, stoi, start=True, end=True):
    if start and end and all(ord(c) < 256 for c in stoi):
        # '.' + w1 + '.' + w2 + ... + '.': each inner '.' ends one word and starts the next.
        idx = encode("." + ".".join(words) + ".", stoi)
        return idx[:-1].clone(), idx[1:].clone()
    xs, ys = [], []
    for w in words:
        chs = (["."] if start else []) + list(w) + (["."] if end else [])
        for a, b in zip(chs, chs[1:]):
            xs.append(stoi[a])
            ys.append(stoi[b])
    return torch.tensor(xs, dtype=torch.int64), torch.tensor(ys, dtype=torch.int64)


def count_bigrams(words, stoi, start=True, end=True):
    V = len(stoi)
    xs, ys = bigram_pairs(words, stoi, start, end)
    return torch.bincount(xs * V + ys, minlength=V * V).view(V, V).to(torch.int32)


def bigram_probs(N, smoothing=1.0):
    P = N.to(torch.float32) + smoothing
    return P / P.sum(dim=1, keepdim=True)


def sample_names(P, itos, n, generator):
    names = []
    for _ in range(n):
        out, ix = [], 0
        while True:
            ix = torch.multinomial(P[ix], num_samples=1, replacement=True, generator=generator).item()
            if ix == 0:
                break
            out.append(itos[ix])
        names.append("".join(out))
    return names


def nll(P, words, stoi):
    xs, ys = bigram_pairs(words, stoi)
    return float(-torch.log(P[xs, ys].double()).mean())


def bigram_forward(W, xs):
    return F.softmax(F.one_hot(xs, num_classes=W.shape[0]).to(W.dtype) @ W, dim=1)


def bigram_loss(W, xs, ys, reg=0.01):
    probs = bigram_forward(W, xs)
    return -probs[torch.arange(len(ys)), ys].log().mean() + reg * (W**2).mean()


def train_bigram(W, xs, ys, steps, lr=50.0, reg=0.01, reset_grad=True, sign=-1.0):
    losses = []
    for _ in range(steps):
        loss = bigram_loss(W, xs, ys, reg)
        if reset_grad:
            W.grad = None
        loss.backward()
        W.data += sign * lr * W.grad
        losses.append(loss.item())
    return losses


def trigram_indices(words, stoi):
    a, b, c = [], [], []
    for w in words:
        chs = [stoi[ch] for ch in ".." + w + "."]
        for x, y, z in zip(chs, chs[1:], chs[2:]):
            a.append(x)
            b.append(y)
            c.append(z)
    return torch.tensor(a), torch.tensor(b), torch.tensor(c)


def count_trigrams(words, stoi):
    V = len(stoi)
    a, b, c = trigram_indices(words, stoi)
    return torch.bincount((a * V + b) * V + c, minlength=V**3).view(V, V, V).to(torch.int32)


def trigram_probs(N3, smoothing=1.0):
    P3 = N3.to(torch.float32) + smoothing
    return P3 / P3.sum(dim=2, keepdim=True)


def trigram_nll(P3, words, stoi):
    a, b, c = trigram_indices(words, stoi)
    return float(-torch.log(P3[a, b, c].double()).mean())

# Which components each definition answers (see grader/engine/worker/standins.py).
__owners__ = {
    "build_vocab": "bigram.vocab", "count_bigrams": "bigram.counts", "bigram_probs": "bigram.probs",
    "sample_names": "bigram.sampling", "nll": "bigram.nll", "bigram_pairs": "bigram.pairs",
    "bigram_forward": "bigram.forward", "bigram_loss": "bigram.loss", "train_bigram": "bigram.train",
    "trigram_indices": "bigram.trigram", "count_trigrams": "bigram.trigram", "trigram_probs": "bigram.trigram",
    "trigram_nll": "bigram.trigram",
}
