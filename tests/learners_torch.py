"""Honest `cross_entropy` and `batchnorm_backward` in the styles learners write them (the
lecture's step by step, one-liners, helpers of their own, even helpers named like torch's
functions): the torch rules must let every one of them pass. Each is a whole body, or files."""
from __future__ import annotations

CROSS_ENTROPY = {
    "lecture-log-space-with-an-own-logsumexp-helper": ('''
def logsumexp(x):
    m = x.max(1, keepdims=True).values
    return m + (x - m).exp().sum(1, keepdims=True).log()


def cross_entropy(logits, Y):
    """Like F.cross_entropy, by hand (no F.cross_entropy, no log_softmax)."""
    logprobs = logits - logsumexp(logits)
    return -logprobs[range(logits.shape[0]), Y].mean()
''', {}),
    "amax-and-gather": ('''
def cross_entropy(logits, Y):
    norm_logits = logits - logits.amax(dim=1, keepdim=True)
    counts = norm_logits.exp()
    counts_sum_inv = counts.sum(1, keepdim=True) ** -1
    logprobs = norm_logits + counts_sum_inv.log()
    return -logprobs.gather(1, Y.view(-1, 1)).mean()
''', {}),
    "one-hot-mask": ('''
def cross_entropy(logits, Y):
    maxes = torch.max(logits, 1, keepdim=True)[0]
    shifted = logits - maxes
    log_probs = shifted - torch.log(torch.sum(torch.exp(shifted), 1, keepdim=True))
    return -(log_probs * F.one_hot(Y, logits.shape[1])).sum(1).mean()
''', {}),
    "a-helper-of-their-own-in-another-file": ('''
from .helpers import my_log_softmax


def cross_entropy(logits, Y):
    return -my_log_softmax(logits)[torch.arange(len(Y)), Y].mean()
''', {"makemore/helpers.py": '''import torch


def my_log_softmax(logits):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()
'''}),
    "a-loop-over-the-rows": ('''
def cross_entropy(logits, Y):
    losses = []
    for row, y in zip(logits, Y):
        top = row.max()
        losses.append(top + (row - top).exp().sum().log() - row[y])
    return torch.stack(losses).mean()
''', {}),
}

BATCHNORM_BACKWARD = {
    "lecture-step-by-step": ('''
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    bnmeani = 1 / n * x.sum(0, keepdim=True)
    bndiff = x - bnmeani
    bndiff2 = bndiff ** 2
    bnvar = 1 / n * bndiff2.sum(0, keepdim=True)  # biased, as the forward here
    bnvar_inv = (bnvar + eps) ** -0.5
    bnraw = bndiff * bnvar_inv
    dbnraw = gamma * dout
    dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
    dbndiff = bnvar_inv * dbnraw
    dbnvar = (-0.5 * (bnvar + eps) ** -1.5) * dbnvar_inv
    dbndiff2 = (1.0 / n) * torch.ones_like(bndiff2) * dbnvar
    dbndiff = dbndiff + 2 * bndiff * dbndiff2
    dx = dbndiff.clone()
    dbnmeani = -dbndiff.sum(0)
    dx = dx + 1.0 / n * torch.ones_like(x) * dbnmeani
    return dx, (bnraw * dout).sum(0), dout.sum(0)
''', {}),
    "one-line-dx-under-no-grad": ('''
@torch.no_grad()
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    bnvar_inv = (x.var(0, correction=0) + eps).rsqrt()
    bnraw = (x - x.mean(0)) * bnvar_inv
    dx = gamma * bnvar_inv / n * (n * dout - dout.sum(0) - bnraw * (dout * bnraw).sum(0))
    return dx, (dout * bnraw).sum(0), dout.sum(0)
''', {}),
    "helpers-of-their-own": ('''
def _normalise(x, eps):
    mean = x.mean(0)
    invstd = 1.0 / torch.sqrt(((x - mean) ** 2).mean(0) + eps)
    return (x - mean) * invstd, invstd


def _grad_wrt_xhat(dout, gamma):
    return dout * gamma


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    xhat, invstd = _normalise(x, eps)
    grad_xhat = _grad_wrt_xhat(dout, gamma)
    with torch.no_grad():
        dx = invstd * (grad_xhat - grad_xhat.mean(0) - xhat * (grad_xhat * xhat).mean(0))
    return dx, (dout * xhat).sum(0), dout.sum(0)
''', {}),
}
