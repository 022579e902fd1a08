"""Worker-side probes for makemore part 1 (bigram.py). Each runs one function of the student's
module with the grader's reference standing in for every other function of that file."""
from __future__ import annotations

import torch

from grader.engine import manifest
from grader.probes.common import BadResult
from grader.probes.tensors import describe, floats, grad_of, own_function, scalar, tensor
from grader.references import bigram as ref

MODULE = "makemore.bigram"
OWNER = manifest.owners("bigram")  # which component grades each function of the file


def _run(student, component: str, name: str, *args, **kwargs):
    with own_function(student, MODULE, OWNER, component, ref, name) as function:
        return function(*args, **kwargs)


def _itos(pairs):
    return {int(i): s for i, s in pairs}


def vocab(student, words):
    result = _run(student, "bigram.vocab", "build_vocab", list(words))
    if not (isinstance(result, tuple) and len(result) == 2 and all(isinstance(d, dict) for d in result)):
        raise BadResult(f"build_vocab returned {type(result).__name__}; expected a tuple of two dicts (stoi, itos)")
    stoi, itos = result
    if not all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in stoi.items()):
        raise BadResult("stoi should map characters (str) to indices (int)")
    if not all(isinstance(k, int) and isinstance(v, str) for k, v in itos.items()):
        raise BadResult("itos should map indices (int) to characters (str)")
    return {"stoi": sorted([k, v] for k, v in stoi.items()), "itos": sorted([k, v] for k, v in itos.items())}


def counts(student, words, stoi):
    return describe(_run(student, "bigram.counts", "count_bigrams", list(words), dict(stoi)))


def probs(student, N, smoothing=None):
    args = (tensor(N),) if smoothing is None else (tensor(N), smoothing)
    return describe(_run(student, "bigram.probs", "bigram_probs", *args))


def sampling(student, P, itos, n, seed):
    generator = torch.Generator().manual_seed(seed)
    names = _run(student, "bigram.sampling", "sample_names", tensor(P), _itos(itos), n, generator)
    if not isinstance(names, list) or not all(isinstance(s, str) for s in names):
        raise BadResult(f"sample_names returned {type(names).__name__}; expected a list of str")
    return names


def nll(student, P, words, stoi):
    value = _run(student, "bigram.nll", "nll", tensor(P), list(words), dict(stoi))
    return scalar(value, "nll(...)")


def pairs(student, words, stoi):
    result = _run(student, "bigram.pairs", "bigram_pairs", list(words), dict(stoi))
    if not (isinstance(result, tuple) and len(result) == 2):
        raise BadResult(f"bigram_pairs returned {type(result).__name__}; expected a tuple (xs, ys)")
    return [describe(t) for t in result]


def forward(student, W, xs, R):
    Wt = tensor(W, requires_grad=True)
    out = _run(student, "bigram.forward", "bigram_forward", Wt, tensor(xs))
    grad = None
    if isinstance(out, torch.Tensor) and out.requires_grad and tuple(out.shape) == tuple(tensor(R).shape):
        (out * tensor(R)).sum().backward()
        grad = grad_of(Wt)
    return {"probs": describe(out), "grad": grad}


def loss(student, W, xs, ys, reg=None):
    Wt = tensor(W, requires_grad=True)
    args = (Wt, tensor(xs), tensor(ys)) + (() if reg is None else (reg,))
    out = _run(student, "bigram.loss", "bigram_loss", *args)
    grad = None
    if isinstance(out, torch.Tensor) and out.requires_grad and out.numel() == 1:
        out.sum().backward()
        grad = grad_of(Wt)
    return {"loss": describe(out), "grad": grad}


def train(student, W, xs, ys, steps, lr=None, reg=None):
    """train_bigram on a copy of W; lr or reg None: left out, so its default is what runs."""
    Wt = tensor(W, requires_grad=True)
    given = {k: v for k, v in (("lr", lr), ("reg", reg)) if v is not None}
    losses = _run(student, "bigram.train", "train_bigram", Wt, tensor(xs), tensor(ys), steps, **given)
    return {"losses": floats(losses, "the losses train_bigram returned"), "W": Wt.detach().numpy().copy()}


def trigram(student, words, stoi, N3, P3, smoothing):
    counted = _run(student, "bigram.trigram", "count_trigrams", list(words), dict(stoi))
    normalised = _run(student, "bigram.trigram", "trigram_probs", tensor(N3), smoothing)
    value = _run(student, "bigram.trigram", "trigram_nll", tensor(P3), list(words), dict(stoi))
    return {"counts": describe(counted), "probs": describe(normalised), "nll": scalar(value, "trigram_nll(...)")}
