"""batchnorm feedback in detail (the suite-wide checks are in test_module_suites.py).

Most tests here run the hidden checks *in this process*: the probes drive a `Student` over a
copy of the solutions with one learner's mistake edited in, and their answers go through the
worker protocol's encoding, exactly as from a worker, but without starting one. That makes it
cheap to see every named mistake named, and the lecture's own style of code pass, on many
seeds. A few end-to-end runs check the same through the real grader.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import random
import sys
import textwrap
import warnings

import pytest
import torch

from conftest import SOLUTIONS, by_id, grade_folder, make_submission, not_passed
from grader.engine.judge.plugin import CheckFailed
from grader.engine.model import Status
from grader.probes import batchnorm as probes
from grader.probes.common import BadResult
from grader.engine.worker import protocol
from grader.engine.worker.student import Student

BN = "makemore/batchnorm.py"
SOLUTION = (SOLUTIONS / BN).read_text()
SUITE = "grader.suites.batchnorm"


def roundtrip(value):
    """What the judge would receive from a worker: the protocol's encoding and back."""
    data = protocol.encode(value)
    (size,) = protocol.HEADER.unpack(data[:protocol.HEADER.size])
    header = data[protocol.HEADER.size:protocol.HEADER.size + size]
    blobs, at = [], protocol.HEADER.size + size
    for n in __import__("json").loads(header)["arrays"]:
        blobs.append(data[at:at + n])
        at += n
    return protocol.decode(header, blobs)


class InProcess:
    """The suite's `student` fixture, with the probes run here instead of in a worker."""

    def __init__(self, exercises):
        self.student = Student(exercises)
        self.exercises = exercises  # the judge's static review reads the source from here

    def call(self, probe, *, load=(), **args):
        for name, reference in load:
            self.student.load(name, reference)
        return roundtrip(getattr(probes, probe)(self.student, **args))


@pytest.fixture
def forget_makemore():
    yield
    for name in [n for n in sys.modules if n == "makemore" or n.startswith("makemore.")]:
        del sys.modules[name]


def checks():
    """(component, check name, function, kwargs) for every check of the suite, parametrisations
    expanded, in the order the grader runs them within a component."""
    found = []
    names = sorted(m.name for m in pkgutil.iter_modules(importlib.import_module(SUITE).__path__) if m.name.startswith("check_"))
    for name in names:
        with warnings.catch_warnings():  # the suite's `component` mark is registered by the grader's plugin
            warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
            module = importlib.import_module(f"{SUITE}.{name}")
        for fname, fn in vars(module).items():
            if not (fname.startswith("check_") and callable(fn)):
                continue
            component = next(m.args[0] for m in fn.pytestmark if m.name == "component")
            params = [m for m in fn.pytestmark if m.name == "parametrize"]
            values = [{}] if not params else [{params[0].args[0]: v} for v in params[0].args[1]]
            found += [(component, fname, fn, kw) for kw in values]
    return found


CHECKS = checks()


def everywhere(old: str, new: str):
    """An edit of every occurrence (e.g. renaming an attribute), where `(old, new)` edits the first."""
    return lambda text: text.replace(old, new)


def failures(tmp_path, edits=(), files=None, seed=1234, component=None):
    """{check: (component, message)} for every check that does not pass, run in process."""
    if callable(edits):
        files, edits = {BN: edits(SOLUTION)}, ()
    exercises = make_submission(tmp_path, {BN: list(edits)} if edits else None, files)
    student = InProcess(exercises)
    found = {}
    for comp, name, fn, kwargs in CHECKS:
        if component and comp != component:
            continue
        label = name + "".join(f"[{v}]" for v in kwargs.values())
        try:
            fixtures = {"student": student, "rng": random.Random(f"{seed}:{label}"), "seed": seed}
            fn(**{k: v for k, v in fixtures.items() if k in inspect.signature(fn).parameters}, **kwargs)
        except (CheckFailed, BadResult) as exc:
            found[label] = (comp, str(exc))
        except pytest.skip.Exception:
            pass
    return found


# -- every named mistake is named ---------------------------------------------------------------

W1 = "W1 = torch.randn((fan_in, n_hidden), generator=generator) * (5 / 3) / fan_in**0.5"
B1 = "b1 = torch.randn(n_hidden, generator=generator) * 0.01"
W2 = "W2 = torch.randn((n_hidden, vocab_size), generator=generator) * 0.01"
B2 = "b2 = torch.randn(vocab_size, generator=generator) * 0"
SAT = '"saturation": (h.abs() > 0.97).float().mean().item()'
RATIO = "return ((lr * p.grad).std() / p.data.std()).log10().item()"
WEIGHT = "self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5"
UPDATE = ("                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean\n"
          "                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * x.var(0)\n")
DX = "dx = gamma * invstd / n * (n * dout - dbeta - xhat * dgamma)"
SCALE = "scale = bn.gamma / torch.sqrt(bn.running_var + bn.eps)"
FOLD_BIAS = "folded.bias = (bias - bn.running_mean) * scale + bn.beta"

NAMED = {
    # init: every scaling slip, by tensor
    "init-fan-in-n-embd": ("batchnorm.init", [(W1, W1.replace("/ fan_in**0.5", "/ n_embd**0.5"))], "fan_in = n_embd"),
    "init-fan-in-n-hidden": ("batchnorm.init", [(W1, W1.replace("/ fan_in**0.5", "/ n_hidden**0.5"))], "fan_in = n_hidden"),
    "init-0.2": ("batchnorm.init", [(W1, W1.replace("* (5 / 3) / fan_in**0.5", "* 0.2"))], "hand-tuned 0.2"),
    "init-no-sqrt": ("batchnorm.init", [(W1, W1.replace("fan_in**0.5", "fan_in"))], "instead of sqrt(fan_in)"),
    "init-w1-unscaled": ("batchnorm.init", [(W1, W1.replace(" * (5 / 3) / fan_in**0.5", ""))], "leaving W1 unscaled"),
    "init-b1-unscaled": ("batchnorm.init", [(B1, B1.replace(" * 0.01", ""))], "leaving b1 unscaled"),
    "init-b1-zero": ("batchnorm.init", [(B1, B1.replace("0.01", "0"))], "zeroing b1"),
    "init-w2-zero": ("batchnorm.init", [(W2, W2.replace("0.01", "0"))], "zeroing W2"),
    "init-b2-unscaled": ("batchnorm.init", [(B2, B2.replace(" * 0", ""))], "leaving b2 unscaled"),
    "init-b2-0.01": ("batchnorm.init", [(B2, B2 + ".01")], "scaling b2 by 0.01"),
    "init-float64": ("batchnorm.init", [("C = torch.randn((vocab_size, n_embd), generator=generator)",
                                         "C = torch.randn((vocab_size, n_embd), generator=generator).double()")],
                     "params['C'] has dtype torch.float64; expected torch.float32"),
    "init-order": ("batchnorm.init", [(W1 + "\n    " + B1, B1 + "\n    " + W1)], "params['W1']: first differs at [0, 0]"),
    "init-no-generator": ("batchnorm.init", [("torch.randn((vocab_size, n_embd), generator=generator)",
                                              "torch.randn((vocab_size, n_embd))")], "params['C']: first differs"),
    "init-missing-key": ("batchnorm.init", [('"b2": b2}', "}")], "returned the keys ['C', 'W1', 'W2', 'b1']"),
    # stats
    "stats-biased-std": ("batchnorm.stats", [("h.std().item()", "h.std(unbiased=False).item()")], "the biased std"),
    "stats-no-abs": ("batchnorm.stats", [(SAT, SAT.replace("h.abs()", "h"))], "forgetting the absolute value"),
    "stats-percent": ("batchnorm.stats", [(SAT, SAT + " * 100")], "a percentage instead of a fraction"),
    "stats-count": ("batchnorm.stats", [(SAT, SAT.replace(".float().mean()", ".sum()"))], "the count instead of the fraction"),
    "stats-no-key": ("batchnorm.stats", [(SAT, SAT.replace('"saturation"', '"sat"'))], "has no key 'saturation'"),
    "ratio-no-log": ("batchnorm.stats", [(RATIO, RATIO.replace(".log10()", ""))], "leaving out the logarithm"),
    "ratio-no-lr": ("batchnorm.stats", [(RATIO, RATIO.replace("lr * p.grad", "p.grad"))], "leaving out the learning rate"),
    "ratio-variance": ("batchnorm.stats", [(RATIO, RATIO.replace(".std()", ".var()"))], "variances instead of standard deviations"),
    "ratio-upside-down": ("batchnorm.stats", [(RATIO, "return (p.data.std() / (lr * p.grad).std()).log10().item()")],
                          "the ratio upside down"),
    "ratio-tensor": ("batchnorm.stats", [(RATIO, RATIO.replace(".item()", ""))],
                     "update_to_data_ratio(p, lr=0.1) is a torch.Tensor; the SPEC asks for a Python float"),
    "ratio-changes-p": ("batchnorm.stats", [(RATIO, "p.grad *= lr\n    return (p.grad.std() / p.data.std()).log10().item()")],
                        "changed p.data or p.grad"),
    # Linear
    "linear-by-fan-in": ("batchnorm.linear", [(WEIGHT, WEIGHT.replace("fan_in**0.5", "fan_in"))],
                         "dividing by fan_in instead of fan_in**0.5"),
    "linear-by-fan-out": ("batchnorm.linear", [(WEIGHT, WEIGHT.replace("/ fan_in**0.5", "/ fan_out**0.5"))],
                          "dividing by fan_out**0.5"),
    "linear-torch-layout": ("batchnorm.linear", [(WEIGHT, WEIGHT.replace("(fan_in, fan_out), generator=generator)",
                                                                         "(fan_out, fan_in), generator=generator).T"))],
                            "drawing (fan_out, fan_in) and transposing"),
    "linear-weight-shape": ("batchnorm.linear", [(WEIGHT, WEIGHT.replace("(fan_in, fan_out)", "(fan_out, fan_in)"))],
                            "weight has shape"),
    "linear-bias-drawn": ("batchnorm.linear", [("torch.zeros(fan_out) if bias", "torch.randn(fan_out) if bias")],
                          "(it starts at zero)"),
    "linear-bias-always": ("batchnorm.linear", [("torch.zeros(fan_out) if bias else None", "torch.zeros(fan_out)")],
                           "bias should be None"),
    "linear-params-no-bias": ("batchnorm.linear", [("return [self.weight] + ([] if self.bias is None else [self.bias])",
                                                    "return [self.weight]")], "parameters() should be [weight, bias]"),
    "linear-params-copies": ("batchnorm.linear", [("return [self.weight] + (", "return [self.weight.clone()] + (")],
                             "got ['other', 'bias']"),
    "linear-no-out": ("batchnorm.linear", [("        self.out = x @ self.weight\n        if self.bias is not None:\n"
                                            "            self.out = self.out + self.bias\n        return self.out",
                                            "        out = x @ self.weight\n        if self.bias is not None:\n"
                                            "            out = out + self.bias\n        return out")],
                      "Linear has no attribute out (the SPEC names it)"),
    "linear-weight-named-W": ("batchnorm.linear", everywhere("self.weight", "self.W"), "Linear has no attribute weight (the SPEC names it)"),
    # BatchNorm1d
    "bn-not-updating": ("batchnorm.batchnorm1d", [(UPDATE, "                pass\n")], "not updating it at all"),
    "bn-updates-in-eval": ("batchnorm.batchnorm1d", [("        if self.training:\n            with torch.no_grad():",
                                                      "        if True:\n            with torch.no_grad():")],
                           "running_var changed during a call in eval mode"),
    "bn-gamma-named-weight": ("batchnorm.batchnorm1d", everywhere("self.gamma", "self.weight"),
                              "BatchNorm1d has no attribute gamma (the SPEC names it)"),
    "bn-no-running-var": ("batchnorm.batchnorm1d", everywhere("self.running_var", "self.running_variance"),
                          "BatchNorm1d has no attribute running_var (the SPEC names it)"),
    "bn-no-training": ("batchnorm.batchnorm1d", everywhere("self.training", "self.train_mode"),
                       "BatchNorm1d has no attribute training (the SPEC names it)"),
    "bn-gamma-shape": ("batchnorm.batchnorm1d", [("self.gamma = torch.ones(dim)", "self.gamma = torch.ones((1, dim))")],
                       "gamma has shape (1, "),
    "bn-params-with-buffers": ("batchnorm.batchnorm1d", [("return [self.gamma, self.beta]",
                                                          "return [self.gamma, self.beta, self.running_mean, self.running_var]")],
                               "parameters() should be [gamma, beta]"),
    "bn-no-out": ("batchnorm.batchnorm1d", [("        self.out = self.gamma * xhat + self.beta\n", "        out = self.gamma * xhat + self.beta\n"),
                                            ("        return self.out\n        # END SOLUTION\n\n    def parameters(self):\n        # BEGIN SOLUTION batchnorm.batchnorm1d",
                                             "        return out\n        # END SOLUTION\n\n    def parameters(self):\n        # BEGIN SOLUTION batchnorm.batchnorm1d")],
                  "BatchNorm1d has no attribute out (the SPEC names it)"),
    "bn-detached": ("batchnorm.batchnorm1d", [("self.out = self.gamma * xhat + self.beta", "self.out = (self.gamma * xhat + self.beta).detach()")],
                    "is not differentiable in x"),
    "bn-gamma-by-data": ("batchnorm.batchnorm1d", [("self.out = self.gamma * xhat", "self.out = self.gamma.data * xhat")],
                         "is not differentiable in gamma"),
    # Tanh
    "tanh-params-none": ("batchnorm.tanh", [("        return []\n", "        return None\n")], "should be []; got a NoneType"),
    "tanh-nan": ("batchnorm.tanh", [("self.out = torch.tanh(x)\n", "self.out = torch.tanh(x) + (x - x) / (x - x)\n")], "is nan"),
    # batchnorm_backward
    "backward-no-var-term": ("batchnorm.backward", [(DX, DX.replace(" - xhat * dgamma", ""))],
                             "treating the variance as a constant"),
    "backward-lecture-unbiased": ("batchnorm.backward", [("x.var(0, unbiased=False) + eps) ** -0.5", "x.var(0) + eps) ** -0.5"),
                                                         (DX, DX.replace("xhat * dgamma", "n / (n - 1) * xhat * dgamma"))],
                                  "the gradient of the lecture's unbiased-variance batch norm"),
    "backward-no-gamma": ("batchnorm.backward", [(DX, DX.replace("gamma * invstd", "invstd"))], "leaving gamma out of dx"),
    "backward-dgamma-is-dbeta": ("batchnorm.backward", [("return dx, dgamma, dbeta", "return dx, dbeta, dbeta")],
                                 "dout.sum(0), the gradient of beta"),
    "backward-dbeta-mean": ("batchnorm.backward", [("return dx, dgamma, dbeta", "return dx, dgamma, dout.mean(0)")],
                            "the mean over the batch instead of the sum"),
    "backward-changes-x": ("batchnorm.backward", [("    xhat = (x - xmean) * invstd\n", "    x -= xmean\n    xhat = x * invstd\n")],
                           "changed its input x in place"),
    "backward-float64": ("batchnorm.backward", [("return dx, dgamma, dbeta", "return dx.double(), dgamma, dbeta")],
                         "dx from batchnorm_backward(dout, x, gamma) has dtype torch.float64; expected torch.float32"),
    "backward-not-a-tuple": ("batchnorm.backward", [("return dx, dgamma, dbeta", "return {'dx': dx}")],
                             "expected a tuple (dx, dgamma, dbeta)"),
    # fold_batchnorm
    "fold-variance": ("batchnorm.fold", [(SCALE, SCALE.replace("torch.sqrt(bn.running_var + bn.eps)", "(bn.running_var + bn.eps)"))],
                      "dividing by the variance instead of the std"),
    "fold-no-eps": ("batchnorm.fold", [(SCALE, SCALE.replace(" + bn.eps", ""))], "forgetting eps"),
    "fold-no-running-mean": ("batchnorm.fold", [(FOLD_BIAS, "folded.bias = bias * scale + bn.beta")], "leaving out running_mean"),
    "fold-no-beta": ("batchnorm.fold", [(FOLD_BIAS, FOLD_BIAS.replace(" + bn.beta", ""))], "leaving out beta"),
    "fold-no-bias": ("batchnorm.fold", [("folded = Linear(fan_in, fan_out)", "folded = Linear(fan_in, fan_out, bias=linear.bias is not None)"),
                                        (FOLD_BIAS, "if linear.bias is not None:\n            " + FOLD_BIAS)],
                     "the folded Linear has no bias"),
    "fold-sets-bn-to-eval": ("batchnorm.fold", [("    with torch.no_grad():\n        scale", "    bn.training = False\n"
                                                 "    with torch.no_grad():\n        scale")],
                             "fold_batchnorm changed its input bn.training"),
    "fold-nan": ("batchnorm.fold", [(SCALE, SCALE.replace("bn.running_var + bn.eps", "bn.running_var - 10"))], "is nan; expected"),
    "fold-not-a-layer": ("batchnorm.fold", [("    return folded\n", "    return {'weight': folded.weight, 'bias': folded.bias}\n")],
                         "the folded Linear has no attribute weight (the SPEC names it)"),
}


@pytest.mark.filterwarnings("ignore::UserWarning")  # e.g. torch on x.var(0) of one example, in a mistake
@pytest.mark.parametrize("case", sorted(NAMED))
def test_each_named_mistake_is_named(tmp_path, forget_makemore, case):
    component, edits, words = NAMED[case]
    found = failures(tmp_path, edits)
    assert {comp for comp, _ in found.values()} == {component}, found
    message = next(m for comp, m in found.values() if comp == component)
    assert words in message, message


# -- the lecture's own style of code passes, whatever the seed ----------------------------------

LECTURE_STYLE = '''
import torch


def init_mlp_fixed(vocab_size=27, block_size=3, n_embd=10, n_hidden=200, generator=None):
    g = generator
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5/3)/((n_embd * block_size)**0.5)
    b1 = torch.randn(n_hidden, generator=g) * 0.01
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.01
    b2 = torch.randn(vocab_size, generator=g) * 0
    parameters = [C, W1, b1, W2, b2]
    for p in parameters:
        p.requires_grad = True
    return dict(zip(["C", "W1", "b1", "W2", "b2"], parameters))


def tanh_stats(h):
    return {"mean": h.mean().item(), "std": h.std().item(), "saturation": ((h.abs() > 0.97).float().mean() * 1.0).item()}


def update_to_data_ratio(p, lr):
    return ((lr*p.grad).std() / p.data.std()).log10().item()


class Linear:
    def __init__(self, fan_in, fan_out, bias=True, generator=None):
        self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        if self.training:
            xmean = x.mean(0, keepdim=True)
            xvar = ((x - xmean)**2).mean(0, keepdim=True)
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean.squeeze(0)
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * x.var(0)
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    # part 4, exercise 1's chain of small steps, with the biased variance
    n = x.shape[0]
    bnmeani = 1/n*x.sum(0, keepdim=True)
    bndiff = x - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1/n*(bndiff2).sum(0, keepdim=True)
    bnvar_inv = (bnvar + eps)**-0.5
    bnraw = bndiff * bnvar_inv
    dbeta = dout.sum(0)
    dgamma = (bnraw * dout).sum(0)
    dbnraw = gamma * dout
    dbndiff = bnvar_inv * dbnraw
    dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5*(bnvar + eps)**-1.5) * dbnvar_inv
    dbndiff2 = (1.0/n)*torch.ones_like(bndiff2) * dbnvar
    dbndiff += (2*bndiff) * dbndiff2
    dx = dbndiff.clone()
    dbnmeani = (-dbndiff).sum(0)
    dx += 1.0/n*torch.ones_like(x) * dbnmeani
    return dx, dgamma, dbeta


def fold_batchnorm(linear, bn):
    std = (bn.running_var + bn.eps).sqrt()
    folded = Linear(*linear.weight.shape)
    folded.weight = linear.weight * (bn.gamma / std)
    old = linear.bias if linear.bias is not None else 0.0
    folded.bias = bn.beta + (old - bn.running_mean) * bn.gamma / std
    return folded
'''


@pytest.mark.parametrize("seed", range(12))
def test_the_lectures_style_of_code_passes_on_every_seed(tmp_path, forget_makemore, seed):
    assert failures(tmp_path, files={BN: LECTURE_STYLE}, seed=seed) == {}


@pytest.mark.parametrize("seed", range(12))
def test_the_solution_passes_on_every_seed(tmp_path, forget_makemore, seed):
    assert failures(tmp_path, seed=seed) == {}


# -- autograd caught, and working again afterwards ------------------------------------------------

BACKWARD_BODY = SOLUTION[SOLUTION.index("    # BEGIN SOLUTION batchnorm.backward"):SOLUTION.index("    # END SOLUTION", SOLUTION.index("    # BEGIN SOLUTION batchnorm.backward"))]
SNEAKY = {
    "Tensor.backward under enable_grad": '''
    with torch.enable_grad():
        x = x.clone().requires_grad_()
        g = gamma.clone().requires_grad_()
        b = torch.zeros_like(gamma).requires_grad_()
        out = g * (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + eps) + b
        (out * dout).sum().backward()
    return x.grad, g.grad, b.grad
''',
    "a torch.autograd.grad imported at the top": '''
    with torch.enable_grad():
        x = x.clone().requires_grad_()
        g = gamma.clone().requires_grad_()
        b = torch.zeros_like(gamma).requires_grad_()
        out = g * (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + eps) + b
        return autograd_grad((out * dout).sum(), [x, g, b])
''',
}


@pytest.mark.parametrize("how", sorted(SNEAKY))
def test_autograd_in_batchnorm_backward_fails_it_naming_the_line(tmp_path, forget_makemore, how):
    text = SOLUTION.replace("import torch\n", "import torch\nfrom torch.autograd import grad as autograd_grad\n", 1)
    text = text.replace(BACKWARD_BODY, "    # BEGIN SOLUTION batchnorm.backward\n" + textwrap.dedent(SNEAKY[how]).replace("\n", "\n    ").rstrip(" ") + "\n")
    found = failures(tmp_path, files={BN: text}, component="batchnorm.backward")
    message = next(iter(found.values()))[1]
    assert message.startswith("batchnorm_backward uses ") and "autograd (makemore/batchnorm.py line" in message, message


def test_autograd_works_again_after_a_watch_that_caught_it(tmp_path):
    from grader.probes import torch_watch
    from grader.probes.torch_rules import AUTOGRAD

    def sneaky(x):
        with torch.enable_grad():
            x = x.clone().requires_grad_()
            (x * 2).sum().backward()
            return x.grad

    with pytest.raises(BadResult, match="sneaky ran autograd"):
        torch_watch.call(AUTOGRAD, "sneaky", tmp_path, sneaky, torch.ones(2))
    assert sys.getprofile() is None and torch._C._len_torch_dispatch_stack() == 0
    assert not torch.autograd._profiler_enabled()
    w = torch.ones(2, requires_grad=True)
    (w * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


# -- end to end, through the real grader --------------------------------------------------------

LECTURE_BATCHNORM = '''
class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        # parameters (trained with backprop)
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        # buffers (trained with a running 'momentum update')
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        # calculate the forward pass
        if self.training:
            xmean = x.mean(0, keepdim=True) # batch mean
            xvar = x.var(0, keepdim=True) # batch variance
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps) # normalize to unit variance
        self.out = self.gamma * xhat + self.beta
        # update the buffers
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]
'''


def _replace_class(text: str, name: str, new: str) -> str:
    start = text.index(f"class {name}:")
    end = text.index("\nclass ", start + 1)
    return text[:start] + new.strip() + "\n\n" + text[end:]


def test_the_lectures_batchnorm1d_is_named_and_fails_only_its_component(tmp_path):
    text = _replace_class(SOLUTION, "BatchNorm1d", LECTURE_BATCHNORM)
    result = grade_folder(make_submission(tmp_path, files={BN: text}), "batchnorm")
    assert not_passed(result) == {"batchnorm.batchnorm1d": Status.FAILED}
    message = by_id(result, "batchnorm.batchnorm1d").message
    assert "normalising with the unbiased variance x.var(0) (the lecture's class)" in message, message
    assert "x.var(0, unbiased=False)" in by_id(result, "batchnorm.batchnorm1d").hint


def test_bad_results_are_failures_named_by_what_is_wrong(tmp_path):
    # One slip per component, each a wrong *kind* of result rather than a wrong number.
    edits = [
        ("C = torch.randn((vocab_size, n_embd), generator=generator)", "C = torch.randn((vocab_size, n_embd), generator=generator).double()"),
        ('"mean": h.mean().item()', '"mean": h.mean()'),
        NAMED["linear-no-out"][1][0],
        ("self.running_var", "self.running_variance"), ("self.running_var", "self.running_variance"),
        ("self.running_var", "self.running_variance"), ("self.running_var", "self.running_variance"),
        ("        return []\n", "        return None\n"),
        ("return dx, dgamma, dbeta", "return dx, dgamma.unsqueeze(0), dbeta"),
        (SCALE, SCALE.replace("bn.running_var + bn.eps", "bn.running_var - 10")),
    ]
    result = grade_folder(make_submission(tmp_path, {BN: edits}), "batchnorm")
    expected = {
        "batchnorm.init": "params['C'] has dtype torch.float64; expected torch.float32",
        "batchnorm.stats": "tanh_stats(h)['mean'] is a torch.Tensor; the SPEC asks for a Python float (use .item())",
        "batchnorm.linear": "Linear has no attribute out (the SPEC names it)",
        "batchnorm.batchnorm1d": "BatchNorm1d has no attribute running_var (the SPEC names it)",
        "batchnorm.tanh": "Tanh().parameters() should be []; got a NoneType",
        "batchnorm.backward": "has shape (1, ",
        "batchnorm.fold": "is nan; expected",
    }
    assert not_passed(result) == {c: Status.FAILED for c in expected}, [(c.id, c.status, c.message) for c in result.components]
    for component, words in expected.items():
        assert words in by_id(result, component).message, by_id(result, component).message


def test_a_batchnorm_file_that_imports_from_mlp_gets_the_graders_mlp(tmp_path):
    # Blame stays in batchnorm.py: init_mlp_fixed built on mlp.py's init_mlp passes even when
    # the student's mlp.py is broken, because the grader's mlp stands in for it.
    if importlib.util.find_spec("grader.references.mlp") is None:
        pytest.skip("no reference mlp module in this kit yet")
    old = SOLUTION[SOLUTION.index("    fan_in = block_size * n_embd\n    C = "):SOLUTION.index("    return params\n    # END SOLUTION") + len("    return params\n")]
    new = ('    from .mlp import init_mlp\n'
           '    p = init_mlp(vocab_size, block_size, n_embd, n_hidden, generator)\n'
           '    scales = {"C": 1.0, "W1": (5 / 3) / (block_size * n_embd) ** 0.5, "b1": 0.01, "W2": 0.01, "b2": 0.0}\n'
           '    return {k: (p[k].detach() * s).requires_grad_() for k, s in scales.items()}\n')
    exercises = make_submission(tmp_path, {BN: [(old, new)]}, files={"makemore/mlp.py": "raise ImportError('broken on purpose')\n"})
    result = grade_folder(exercises, "batchnorm", only=frozenset({"batchnorm.init"}))
    assert not_passed(result) == {}, [(c.id, c.message) for c in result.components]
