"""batchnorm mutants: see tests/mutants/__init__.py."""
from __future__ import annotations

from mutants import Mutant

BN = "makemore/batchnorm.py"
AUTOGRAD_BACKWARD = '''    x = x.clone().requires_grad_()
    g = gamma.clone().requires_grad_()
    b = torch.zeros_like(gamma, requires_grad=True)
    out = g * (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + eps) + b
    (out * dout).sum().backward()
    return x.grad, g.grad, b.grad
'''
RUNNING_UPDATE = '''            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * x.var(0)
'''

MUTANTS = [
    # init
    Mutant("init-no-tanh-gain", {BN: [("generator=generator) * (5 / 3) / fan_in**0.5", "generator=generator) / fan_in**0.5")]},
           {"batchnorm.init"}, ["Kaiming without the tanh gain 5/3"]),
    Mutant("init-w2-unscaled", {BN: [("W2 = torch.randn((n_hidden, vocab_size), generator=generator) * 0.01",
                                      "W2 = torch.randn((n_hidden, vocab_size), generator=generator)")]},
           {"batchnorm.init"}, ["params['W2']", "leaving W2 unscaled"]),
    Mutant("init-not-leaf", {BN: [("C = torch.randn((vocab_size, n_embd), generator=generator)",
                                   "C = torch.randn((vocab_size, n_embd), generator=generator, requires_grad=True) * 1.0")]},
           {"batchnorm.init"}, ["params['C'] is not a leaf tensor"]),
    # stats
    Mutant("stats-saturation-at-or-above", {BN: [("(h.abs() > 0.97)", "(h.abs() >= 0.97)")]},
           {"batchnorm.stats"}, ["|h| >= 0.97 instead of |h| > 0.97"]),
    Mutant("stats-variance-not-std", {BN: [('"std": h.std().item()', '"std": h.var().item()')]},
           {"batchnorm.stats"}, ["the variance instead of the standard deviation"]),
    Mutant("stats-tensor-not-float", {BN: [('"mean": h.mean().item()', '"mean": h.mean()')]},
           {"batchnorm.stats"}, ["tanh_stats(h)['mean'] is a torch.Tensor; the SPEC asks for a Python float"]),
    Mutant("stats-ratio-natural-log", {BN: [("p.data.std()).log10().item()", "p.data.std()).log().item()")]},
           {"batchnorm.stats"}, ["the natural log instead of log10"]),
    # Linear
    Mutant("linear-weight-unscaled", {BN: [("generator=generator) / fan_in**0.5\n        self.bias",
                                            "generator=generator)\n        self.bias")]},
           {"batchnorm.linear"}, ["weight", "leaving the weight unscaled"]),
    Mutant("linear-forward-drops-bias", {BN: [("            self.out = self.out + self.bias\n", "            pass\n")]},
           {"batchnorm.linear"}, ["leaving out the bias"]),
    # BatchNorm1d
    Mutant("bn-lecture-unbiased-variance", {BN: [("xvar = x.var(0, unbiased=False)", "xvar = x.var(0)")]},
           {"batchnorm.batchnorm1d"}, ["normalising with the unbiased variance x.var(0) (the lecture's class)"]),
    Mutant("bn-momentum-swapped", {BN: [
        ("(1 - self.momentum) * self.running_mean + self.momentum * xmean",
         "self.momentum * self.running_mean + (1 - self.momentum) * xmean"),
        ("(1 - self.momentum) * self.running_var + self.momentum * x.var(0)",
         "self.momentum * self.running_var + (1 - self.momentum) * x.var(0)")]},
           {"batchnorm.batchnorm1d"}, ["running_mean", "the wrong way round"]),
    Mutant("bn-eval-uses-batch-stats", {BN: [("        if self.training:\n            xmean = x.mean(0)",
                                              "        if True:\n            xmean = x.mean(0)")]},
           {"batchnorm.batchnorm1d"}, ["in eval mode", "eval mode still using the batch statistics"]),
    Mutant("bn-biased-running-var", {BN: [("self.momentum * x.var(0)", "self.momentum * xvar")]},
           {"batchnorm.batchnorm1d"}, ["running_var", "putting the biased variance into running_var"]),
    Mutant("bn-keepdim-buffers", {BN: [("xmean = x.mean(0)\n", "xmean = x.mean(0, keepdim=True)\n")]},
           {"batchnorm.batchnorm1d"}, ["running_mean", "has shape (1, "]),
    Mutant("bn-running-stats-in-the-graph", {BN: [(RUNNING_UPDATE, RUNNING_UPDATE.replace("            with torch.no_grad():\n", "")
                                                   .replace("                ", "            "))]},
           {"batchnorm.batchnorm1d"}, ["running_mean", "grad_fn"]),
    # Tanh
    Mutant("tanh-does-not-keep-out", {BN: [("        self.out = torch.tanh(x)\n        return self.out",
                                            "        return torch.tanh(x)")]},
           {"batchnorm.tanh"}, ["Tanh has no attribute out (the SPEC names it)"]),
    Mutant("tanh-detached", {BN: [("        self.out = torch.tanh(x)\n", "        self.out = torch.tanh(x.detach())\n")]},
           {"batchnorm.tanh"}, ["not differentiable"]),
    # batchnorm_backward
    Mutant("backward-missing-mean-term", {BN: [("(n * dout - dbeta - xhat * dgamma)", "(n * dout - xhat * dgamma)")]},
           {"batchnorm.backward"}, ["dx", "leaving out the mean term"]),
    Mutant("backward-bessel-factor", {BN: [("(n * dout - dbeta - xhat * dgamma)", "(n * dout - dbeta - n / (n - 1) * xhat * dgamma)")]},
           {"batchnorm.backward"}, ["a Bessel factor n/(n-1)"]),
    Mutant("backward-uses-autograd", {BN: [("    n = x.shape[0]\n    xmean = x.mean(0)\n", AUTOGRAD_BACKWARD + "    n = x.shape[0]\n    xmean = x.mean(0)\n")]},
           {"batchnorm.backward"}, ["batchnorm_backward uses", "autograd (makemore/batchnorm.py line"]),
    Mutant("backward-keepdim", {BN: [("    dbeta = dout.sum(0)\n", "    dbeta = dout.sum(0, keepdim=True)\n"),
                                     ("return dx, dgamma, dbeta", "return dx, dgamma.unsqueeze(0), dbeta")]},
           {"batchnorm.backward"}, ["dgamma", "has shape (1, "]),
    # fold_batchnorm
    Mutant("fold-forgets-old-bias", {BN: [("bias = linear.bias if linear.bias is not None else torch.zeros(fan_out)",
                                           "bias = torch.zeros(fan_out)")]},
           {"batchnorm.fold"}, ["bias", "forgetting the old bias"]),
    Mutant("fold-gamma-without-std", {BN: [("scale = bn.gamma / torch.sqrt(bn.running_var + bn.eps)", "scale = bn.gamma")]},
           {"batchnorm.fold"}, ["weight", "using gamma without the std"]),
    Mutant("fold-changes-linear", {BN: [("folded = Linear(fan_in, fan_out)\n", "folded = linear\n")]},
           {"batchnorm.fold"}, ["fold_batchnorm changed its input linear"]),
    # Named mistakes of grader/suites/batchnorm/mistakes.py, one mutant each.
    Mutant("fold-by-variance", {BN: [("scale = bn.gamma / torch.sqrt(bn.running_var + bn.eps)",
                                      "scale = bn.gamma / (bn.running_var + bn.eps)")]},
           {"batchnorm.fold"}, ["dividing by the variance instead of the std"]),
    Mutant("fold-no-running-mean", {BN: [("folded.bias = (bias - bn.running_mean) * scale + bn.beta",
                                          "folded.bias = bias * scale + bn.beta")]},
           {"batchnorm.fold"}, ["leaving out running_mean"]),
    Mutant("fold-no-beta", {BN: [("folded.bias = (bias - bn.running_mean) * scale + bn.beta",
                                  "folded.bias = (bias - bn.running_mean) * scale")]},
           {"batchnorm.fold"}, ["leaving out beta"]),
    Mutant("stats-no-abs", {BN: [('"saturation": (h.abs() > 0.97).float().mean().item(),',
                                  '"saturation": (h > 0.97).float().mean().item(),')]},
           {"batchnorm.stats"}, ["forgetting the absolute value"]),
    Mutant("stats-percent", {BN: [('"saturation": (h.abs() > 0.97).float().mean().item(),',
                                   '"saturation": (h.abs() > 0.97).float().mean().item() * 100,')]},
           {"batchnorm.stats"}, ["a percentage instead of a fraction"]),
    Mutant("stats-count", {BN: [('"saturation": (h.abs() > 0.97).float().mean().item(),',
                                 '"saturation": (h.abs() > 0.97).float().sum().item(),')]},
           {"batchnorm.stats"}, ["the count instead of the fraction"]),
    Mutant("stats-biased-std", {BN: [('"std": h.std().item(),', '"std": h.std(unbiased=False).item(),')]},
           {"batchnorm.stats"}, ["the biased std"]),
    Mutant("linear-by-fan-in", {BN: [("self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5",
                                       "self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in")]},
           {"batchnorm.linear"}, ["dividing by fan_in instead of fan_in**0.5"]),
    Mutant("linear-by-fan-out", {BN: [("self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5",
                                        "self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_out**0.5")]},
           {"batchnorm.linear"}, ["dividing by fan_out**0.5 instead of fan_in**0.5"]),
    Mutant("backward-no-var-term", {BN: [("dx = gamma * invstd / n * (n * dout - dbeta - xhat * dgamma)",
                                           "dx = gamma * invstd / n * (n * dout - dbeta)")]},
           {"batchnorm.backward"}, ["treating the variance as a constant"]),
    Mutant("backward-no-gamma", {BN: [("dx = gamma * invstd / n * (n * dout - dbeta - xhat * dgamma)",
                                        "dx = invstd / n * (n * dout - dbeta - xhat * dgamma)")]},
           {"batchnorm.backward"}, ["leaving gamma out of dx"]),
    Mutant("backward-dbeta-mean", {BN: [("    dbeta = dout.sum(0)\n    dgamma", "    dbeta = dout.mean(0)\n    dgamma"),
                                         ("dx = gamma * invstd / n * (n * dout - dbeta - xhat * dgamma)",
                                          "dx = gamma * invstd / n * (n * dout - dout.sum(0) - xhat * dgamma)")]},
           {"batchnorm.backward"}, ["the mean over the batch instead of the sum"]),
    Mutant("init-b1-zero", {BN: [("    b1 = torch.randn(n_hidden, generator=generator) * 0.01\n",
                                  "    b1 = torch.randn(n_hidden, generator=generator) * 0\n")]},
           {"batchnorm.init"}, ["zeroing b1"]),
    Mutant("init-b2-scaled", {BN: [("    b2 = torch.randn(vocab_size, generator=generator) * 0\n",
                                    "    b2 = torch.randn(vocab_size, generator=generator) * 0.01\n")]},
           {"batchnorm.init"}, ["scaling b2 by 0.01"]),
    Mutant("init-w1-unscaled", {BN: [("    W1 = torch.randn((fan_in, n_hidden), generator=generator) * (5 / 3) / fan_in**0.5\n",
            "    W1 = torch.randn((fan_in, n_hidden), generator=generator)\n")]},
           {"batchnorm.init"}, ["leaving W1 unscaled"]),
    Mutant("init-w1-by-fan-in", {BN: [("    W1 = torch.randn((fan_in, n_hidden), generator=generator) * (5 / 3) / fan_in**0.5\n",
            "    W1 = torch.randn((fan_in, n_hidden), generator=generator) * (5 / 3) / fan_in\n")]},
           {"batchnorm.init"}, ["dividing by fan_in instead of sqrt(fan_in)"]),
    Mutant("init-w1-hand-tuned", {BN: [("    W1 = torch.randn((fan_in, n_hidden), generator=generator) * (5 / 3) / fan_in**0.5\n",
            "    W1 = torch.randn((fan_in, n_hidden), generator=generator) * 0.2\n")]},
           {"batchnorm.init"}, ["the lecture's hand-tuned 0.2"]),
    Mutant("init-w2-zero", {BN: [("    W2 = torch.randn((n_hidden, vocab_size), generator=generator) * 0.01\n",
            "    W2 = torch.randn((n_hidden, vocab_size), generator=generator) * 0\n")]},
           {"batchnorm.init"}, ["zeroing W2"]),
    Mutant("stats-ratio-no-log", {BN: [("    return ((lr * p.grad).std() / p.data.std()).log10().item()\n",
            "    return ((lr * p.grad).std() / p.data.std()).item()\n")]},
           {"batchnorm.stats"}, ["leaving out the logarithm"]),
    Mutant("stats-ratio-no-lr", {BN: [("    return ((lr * p.grad).std() / p.data.std()).log10().item()\n",
            "    return (p.grad.std() / p.data.std()).log10().item()\n")]},
           {"batchnorm.stats"}, ["leaving out the learning rate"]),
    Mutant("stats-ratio-upside-down", {BN: [("    return ((lr * p.grad).std() / p.data.std()).log10().item()\n",
            "    return (p.data.std() / (lr * p.grad).std()).log10().item()\n")]},
           {"batchnorm.stats"}, ["the ratio upside down"]),
]
