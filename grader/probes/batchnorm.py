"""Worker-side probes for makemore part 3 (batchnorm.py). Each runs one function or class of the
student's module with the grader's reference standing in for every other one of that file
(`fold_batchnorm` gets the reference `Linear` and `BatchNorm1d`, built here).

Layers are checked attribute by attribute: a missing attribute the SPEC names is reported by
its name (`BadResult`), never as an AttributeError deep inside a probe.
"""
from __future__ import annotations

import importlib.util

import torch

from grader.engine import manifest
from grader.probes import torch_watch
from grader.probes.common import BadResult
from grader.probes.tensors import describe, grad_of, own_function, scalar, tensor
from grader.probes.torch_rules import AUTOGRAD
from grader.references import batchnorm as ref

MODULE = "makemore.batchnorm"


def _stand_ins() -> dict:
    # A batchnorm.py that imports from its neighbours (`from .mlp import init_mlp`) gets the
    # grader's versions of them: a broken mlp.py must not fail batchnorm components.
    refs = {"makemore.bigram": "grader.references.bigram"}
    if importlib.util.find_spec("grader.references.mlp") is not None:
        refs["makemore.mlp"] = "grader.references.mlp"
    return refs


REFERENCE = _stand_ins()  # the judge loads MODULE with the same stand-ins (one import per worker)
OWNER = manifest.owners("batchnorm")  # which component grades each function of the file


def _own(student, component: str, name: str):
    """The student's `name`, with the reference standing in for everything `component` does not own."""
    return own_function(student, MODULE, OWNER, component, ref, name, REFERENCE)


def _attr(obj, name: str, owner: str):
    try:
        return getattr(obj, name)
    except AttributeError:
        raise BadResult(f"{owner} has no attribute {name} (the SPEC names it)") from None


def _param_names(params, named: dict, call: str) -> list[str]:
    """parameters() as the names of the tensors it returned (by identity), 'other' for strangers."""
    if not isinstance(params, list):
        raise BadResult(f"{call} returned a {type(params).__name__}; expected a list")
    return [next((n for n, t in named.items() if t is p), "other") for p in params]


def _set_in_place(t, values, what: str):
    """Give a layer's own tensor new values (keeping its identity), e.g. a non-trivial gamma."""
    new = tensor(values)
    if not isinstance(t, torch.Tensor) or tuple(t.shape) != tuple(new.shape):
        shape = tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__
        raise BadResult(f"{what} should be a tensor of shape {tuple(new.shape)} (as in torch); it is {shape}")
    with torch.no_grad():
        t.copy_(new)


# -- init and diagnostics --------------------------------------------------------------------

def init(student, seed: int, sizes: dict):
    generator = torch.Generator().manual_seed(seed)
    with _own(student, "batchnorm.init", "init_mlp_fixed") as init_mlp_fixed:
        params = init_mlp_fixed(**sizes, generator=generator)
    if not isinstance(params, dict):
        raise BadResult(f"init_mlp_fixed returned a {type(params).__name__}; expected a dict of tensors")
    described = {k: describe(params[k]) for k in ("C", "W1", "b1", "W2", "b2") if k in params}
    return {"keys": sorted(str(k) for k in params), **described}


def stats(student, h):
    with _own(student, "batchnorm.stats", "tanh_stats") as tanh_stats:
        result = tanh_stats(tensor(h))
    if not isinstance(result, dict):
        raise BadResult(f"tanh_stats(h) returned a {type(result).__name__}; expected a dict with mean, std, saturation")
    missing = [k for k in ("mean", "std", "saturation") if k not in result]
    if missing:
        raise BadResult(f"tanh_stats(h) has no key {missing[0]!r} (the SPEC names mean, std and saturation)")
    return {k: scalar(result[k], f"tanh_stats(h)[{k!r}]") for k in ("mean", "std", "saturation")}


def ratio(student, p, grad, lr: float):
    param = tensor(p, requires_grad=True)
    param.grad = tensor(grad)
    with _own(student, "batchnorm.stats", "update_to_data_ratio") as update_to_data_ratio:
        value = scalar(update_to_data_ratio(param, lr), f"update_to_data_ratio(p, lr={lr})")
    if not (torch.equal(param.detach(), tensor(p)) and torch.equal(param.grad, tensor(grad))):
        raise BadResult("update_to_data_ratio changed p.data or p.grad: it should only measure them")
    return value


# -- layers --------------------------------------------------------------------------------

def _linear(Linear, fan_in: int, fan_out: int, bias, seed: int):
    generator = torch.Generator().manual_seed(seed)
    if bias is None:  # the default
        return Linear(fan_in, fan_out, generator=generator)
    return Linear(fan_in, fan_out, bias=bias, generator=generator)


def linear_init(student, fan_in: int, fan_out: int, bias, seed: int):
    """A fresh layer: weight, bias and parameters(), before any call (a wrong shape shows here)."""
    with _own(student, "batchnorm.linear", "Linear") as Linear:
        layer = _linear(Linear, fan_in, fan_out, bias, seed)
        weight, b = _attr(layer, "weight", "Linear"), _attr(layer, "bias", "Linear")
        params = _param_names(layer.parameters(), {"weight": weight, "bias": b}, "Linear.parameters()")
    return {"weight": describe(weight), "bias": describe(b), "params": params}


def linear_forward(student, fan_in: int, fan_out: int, bias, seed: int, x, bias_values):
    with _own(student, "batchnorm.linear", "Linear") as Linear:
        layer = _linear(Linear, fan_in, fan_out, bias, seed)
        b = _attr(layer, "bias", "Linear")
        if b is not None:
            _set_in_place(b, bias_values, "Linear.bias")  # a non-zero bias, to see it added
        out = layer(tensor(x))
        kept = _attr(layer, "out", "Linear")
    return {"out": describe(out), "kept": describe(kept)}


def _bn_state(bn) -> dict:
    return {n: describe(_attr(bn, n, "BatchNorm1d")) for n in ("gamma", "beta", "running_mean", "running_var")}


def batchnorm1d_init(student, dim: int, kwargs: dict):
    with _own(student, "batchnorm.batchnorm1d", "BatchNorm1d") as BatchNorm1d:
        bn = BatchNorm1d(dim, **kwargs)
        state = _bn_state(bn)
        named = {n: getattr(bn, n) for n in ("gamma", "beta", "running_mean", "running_var")}
        params = _param_names(bn.parameters(), named, "BatchNorm1d.parameters()")
        training = _attr(bn, "training", "BatchNorm1d")
    return {**state, "params": params, "training": training if isinstance(training, bool) else repr(training)}


def batchnorm1d_run(student, dim: int, kwargs: dict, gamma, beta, xs: list, R, x_eval):
    """Training steps (gradients through the first), then `training = False` and one eval call."""
    with _own(student, "batchnorm.batchnorm1d", "BatchNorm1d") as BatchNorm1d:
        bn = BatchNorm1d(dim, **kwargs)
        g, b = _attr(bn, "gamma", "BatchNorm1d"), _attr(bn, "beta", "BatchNorm1d")
        _set_in_place(g, gamma, "BatchNorm1d.gamma")
        _set_in_place(b, beta, "BatchNorm1d.beta")
        g.requires_grad_()
        b.requires_grad_()
        steps, grads = [], None
        for k, x in enumerate(xs):
            xt = tensor(x, requires_grad=k == 0)
            out = bn(xt)
            step = {"out": describe(out), "kept": describe(_attr(bn, "out", "BatchNorm1d"))}
            step.update((n, describe(_attr(bn, n, "BatchNorm1d"))) for n in ("running_mean", "running_var"))
            if k == 0 and isinstance(out, torch.Tensor) and out.requires_grad and out.shape == tensor(R).shape:
                (out * tensor(R)).sum().backward()  # not backward(gradient=R): that path imports sympy
                grads = {"x": grad_of(xt), "gamma": grad_of(g), "beta": grad_of(b)}
            steps.append(step)
        bn.training = False
        with torch.no_grad():
            out = bn(tensor(x_eval))
        evaluated = {"out": describe(out), "kept": describe(_attr(bn, "out", "BatchNorm1d"))}
        evaluated.update((n, describe(_attr(bn, n, "BatchNorm1d"))) for n in ("running_mean", "running_var"))
    return {"steps": steps, "grads": grads, "eval": evaluated}


def tanh(student, x, R):
    with _own(student, "batchnorm.tanh", "Tanh") as Tanh:
        layer = Tanh()
        xt = tensor(x, requires_grad=True)
        out = layer(xt)
        kept = _attr(layer, "out", "Tanh")
        params = layer.parameters()
    grad = None
    if isinstance(out, torch.Tensor) and out.requires_grad and out.shape == xt.shape:
        (out * tensor(R)).sum().backward()
        grad = grad_of(xt)
    return {"out": describe(out), "kept": describe(kept), "grad": grad,
            "params": len(params) if isinstance(params, list) else type(params).__name__}


# -- batch norm by hand: autograd watched ----------------------------------------------------

def backward(student, dout, x, gamma, eps):
    inputs = {"dout": tensor(dout), "x": tensor(x), "gamma": tensor(gamma)}
    args = [t.clone() for t in inputs.values()] + ([] if eps is None else [eps])
    with _own(student, "batchnorm.backward", "batchnorm_backward") as batchnorm_backward:
        with torch.autograd.set_grad_enabled(False):  # no graph is built: honest code needs none
            result = torch_watch.call(AUTOGRAD, "batchnorm_backward", student.exercises, batchnorm_backward, *args)
    if not (isinstance(result, (tuple, list)) and len(result) == 3):
        raise BadResult(f"batchnorm_backward returned a {type(result).__name__}; expected a tuple (dx, dgamma, dbeta)")
    changed = [n for (n, t), a in zip(inputs.items(), args) if not torch.equal(t, a)]
    return {"dx": describe(result[0]), "dgamma": describe(result[1]), "dbeta": describe(result[2]), "changed": changed}


# -- folding, on the reference layers ----------------------------------------------------------

def fold(student, weight, bias, gamma, beta, running_mean, running_var, eps: float, training: bool, x):
    fan_in, fan_out = tensor(weight).shape
    linear = ref.Linear(fan_in, fan_out, bias=bias is not None)
    linear.weight = tensor(weight)
    linear.bias = None if bias is None else tensor(bias)
    bn = ref.BatchNorm1d(fan_out, eps=eps)
    bn.gamma, bn.beta = tensor(gamma), tensor(beta)
    bn.running_mean, bn.running_var = tensor(running_mean), tensor(running_var)
    bn.training = training
    before = _snapshot(linear, bn)
    with _own(student, "batchnorm.fold", "fold_batchnorm") as fold_batchnorm:
        folded = fold_batchnorm(linear, bn)
        changed = [n for n, v in _snapshot(linear, bn).items() if not _same(v, before[n])]
        w, b = _attr(folded, "weight", "the folded Linear"), _attr(folded, "bias", "the folded Linear")
        result = {"weight": describe(w), "bias": describe(b), "changed": changed, "same": folded is linear}
        if not callable(folded):
            raise BadResult(f"fold_batchnorm returned a {type(folded).__name__} that cannot be called; expected a Linear")
        with torch.no_grad():
            result["out"] = describe(folded(tensor(x)))
    return result


def _snapshot(linear, bn) -> dict:
    """Copies of everything fold_batchnorm must leave alone, by the name the message will use."""
    names = [("linear", linear, n) for n in ("weight", "bias")]
    names += [("bn", bn, n) for n in ("gamma", "beta", "running_mean", "running_var", "eps", "training")]
    copy = lambda v: v.clone() if isinstance(v, torch.Tensor) else v  # noqa: E731
    return {f"{owner}.{n}": copy(getattr(obj, n, None)) for owner, obj, n in names}


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a, b)
    return a is b or a == b
