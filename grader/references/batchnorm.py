"""The grader's batch-norm module (makemore part 3), in torch: the answers, and the stand-ins
for whatever a component does not own (`fold_batchnorm` is graded on this `Linear` and this
`BatchNorm1d`, never on the student's).

The keyword-only switches reproduce classic mistakes, so that a check can compute what a
mistake gives and name it when a student's numbers match. Defaults are always the right answer.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from grader.references.mlp import init_mlp

SATURATED = 0.97  # |tanh| above this: the lecture's "saturated" unit


# -- the MLP of part 2 (SPEC: mlp.py), as far as this module needs it ------------------------

def init_mlp_fixed(vocab_size=27, block_size=3, n_embd=10, n_hidden=200, generator=None, *,
                   w1_scale=None, b1_scale=0.01, w2_scale=0.01, b2_scale=0.0):
    """SPEC's init: init_mlp's draws, then W1 * (5/3)/sqrt(fan_in) (or `w1_scale`), b1, W2, b2 scaled."""
    fan_in = block_size * n_embd
    drawn = {k: v.detach() for k, v in init_mlp(vocab_size, block_size, n_embd, n_hidden, generator).items()}
    W1 = drawn["W1"] * ((5 / 3) / fan_in**0.5 if w1_scale is None else w1_scale)
    params = {"C": drawn["C"], "W1": W1, "b1": drawn["b1"] * b1_scale, "W2": drawn["W2"] * w2_scale,
              "b2": drawn["b2"] * b2_scale}
    return {k: p.requires_grad_() for k, p in params.items()}


def hidden_preact(params, X):
    emb = params["C"][X]
    return emb.view(emb.shape[0], -1) @ params["W1"] + params["b1"]


def mlp_loss(params, X, Y):
    h = torch.tanh(hidden_preact(params, X))
    return F.cross_entropy(h @ params["W2"] + params["b2"], Y)


# -- diagnostics ---------------------------------------------------------------------------

def tanh_stats(h, *, strict=True, absolute=True, unbiased=True, variance=False, percent=False):
    a = h.abs() if absolute else h
    saturated = (a > SATURATED) if strict else (a >= SATURATED)
    spread = h.var(unbiased=unbiased) if variance else h.std(unbiased=unbiased)
    return {"mean": h.mean().item(), "std": spread.item(),
            "saturation": saturated.float().mean().item() * (100 if percent else 1)}


def update_to_data_ratio(p, lr, *, log=torch.log10, with_lr=True, variance=False):
    step = (lr * p.grad) if with_lr else p.grad
    ratio = step.std() / p.data.std()
    ratio = ratio**2 if variance else ratio
    return (log(ratio) if log else ratio).item()


# -- layers --------------------------------------------------------------------------------

class Linear:
    def __init__(self, fan_in, fan_out, bias=True, generator=None):
        self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out = self.out + self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    """torch.nn.BatchNorm1d's arithmetic, with the lecture's and learners' variants as switches:
    `unbiased_norm` (the lecture's class), `biased_running`, `swapped` (momentum the wrong way
    round), `eval_batch` (batch statistics in eval mode too)."""

    def __init__(self, dim, eps=1e-5, momentum=0.1, *, unbiased_norm=False, biased_running=False,
                 swapped=False, eval_batch=False):
        self.eps, self.momentum, self.training = eps, momentum, True
        self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
        self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)
        self._unbiased_norm, self._biased_running = unbiased_norm, biased_running
        self._swapped, self._eval_batch = swapped, eval_batch

    def __call__(self, x):
        if self.training or self._eval_batch:
            mean, var = x.mean(0), x.var(0, unbiased=self._unbiased_norm)
        else:
            mean, var = self.running_mean, self.running_var
        self.out = self.gamma * (x - mean) / torch.sqrt(var + self.eps) + self.beta
        if self.training:
            with torch.no_grad():
                keep, take = (self.momentum, 1 - self.momentum) if self._swapped else (1 - self.momentum, self.momentum)
                batch_var = x.var(0, unbiased=not self._biased_running)
                self.running_mean = keep * self.running_mean + take * x.mean(0)
                self.running_var = keep * self.running_var + take * batch_var
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


def run_batchnorm(layer, gamma, beta, xs, x_eval):
    """Outputs and buffers of a batch-norm layer (torch's or ours) over training steps, then eval.

    `layer` has torch's names (weight, bias) or ours (gamma, beta); the steps are plain data."""
    scale, shift = (layer.weight, layer.bias) if isinstance(layer, torch.nn.Module) else (layer.gamma, layer.beta)
    with torch.no_grad():
        scale.copy_(torch.as_tensor(gamma))
        shift.copy_(torch.as_tensor(beta))
    steps = []
    with torch.no_grad():
        for x in xs:
            out = layer(torch.as_tensor(x))
            steps.append({"out": out.numpy().copy(), "running_mean": layer.running_mean.numpy().copy(),
                          "running_var": layer.running_var.numpy().copy()})
        layer.training = False  # what .eval() does to an nn.Module
        out = layer(torch.as_tensor(x_eval))
    return {"steps": steps, "eval": out.numpy().copy()}


# -- batch norm by hand, and folding ---------------------------------------------------------

def batchnorm_backward(dout, x, gamma, eps=1e-5, *, mean_term=True, var_term=True, bessel=False,
                       unbiased=False, with_gamma=True):
    """dx, dgamma, dbeta of training-mode batch norm. `unbiased=True` is the lecture's version
    (unbiased variance in the forward, hence its factor n/(n-1)); `bessel=True` keeps that
    factor with the biased forward; the other switches drop a term."""
    n = x.shape[0]
    invstd = (x.var(0, unbiased=unbiased) + eps) ** -0.5
    xhat = (x - x.mean(0)) * invstd
    dbeta = dout.sum(0)
    dgamma = (dout * xhat).sum(0)
    factor = n / (n - 1) if (bessel or unbiased) else 1.0
    inner = n * dout
    if mean_term:
        inner = inner - dbeta
    if var_term:
        inner = inner - factor * xhat * dgamma
    dx = (gamma if with_gamma else 1.0) * invstd / n * inner
    return dx, dgamma, dbeta


def fold_batchnorm(linear, bn, *, divide="std", eps=True, old_bias=True, mean=True, beta=True):
    """The folded Linear; `divide` is what gamma is divided by: "std" (right), "var" or "nothing"."""
    var = bn.running_var + (bn.eps if eps else 0.0)
    scale = bn.gamma / {"std": torch.sqrt(var), "var": var, "nothing": 1.0}[divide]
    fan_in, fan_out = linear.weight.shape
    bias = linear.bias if (linear.bias is not None and old_bias) else torch.zeros(fan_out)
    folded = Linear.__new__(Linear)  # no random draw: the weight is set right away
    folded.weight = linear.weight * scale
    folded.bias = (bias - (bn.running_mean if mean else 0.0)) * scale + (bn.beta if beta else 0.0)
    return folded

# Which components each definition answers (see grader/engine/worker/standins.py).
__owners__ = {
    "init_mlp_fixed": "batchnorm.init", "tanh_stats": "batchnorm.stats", "update_to_data_ratio": "batchnorm.stats",
    "Linear": "batchnorm.linear", "BatchNorm1d": "batchnorm.batchnorm1d", "Tanh": "batchnorm.tanh",
    "batchnorm_backward": "batchnorm.backward", "fold_batchnorm": "batchnorm.fold",
}
