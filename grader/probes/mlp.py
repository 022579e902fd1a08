"""Worker-side probes for makemore part 2 (mlp.py): each function on its own, with the grader's
reference standing in for the rest of the file (train_mlp and evaluate run on the reference
mlp_forward, sample_mlp on reference parameters)."""
from __future__ import annotations

import torch

from grader.engine import manifest
from grader.probes import torch_watch
from grader.probes.common import BadResult
from grader.probes.tensors import describe, floats, grad_of, own_function, scalar, tensor
from grader.probes.torch_rules import SHORTCUTS
from grader.references import mlp as ref

MODULE = "makemore.mlp"
OWNER = manifest.owners("mlp")  # which component grades each function of the file


def _run(student, component: str, name: str, *args, **kwargs):
    with own_function(student, MODULE, OWNER, component, ref, name) as function:
        return function(*args, **kwargs)


def _params(arrays: dict, requires_grad: bool = True) -> dict:
    return {k: tensor(v, requires_grad=requires_grad) for k, v in arrays.items()}


def dataset(student, words, stoi, block_size=None):
    args = (list(words), dict(stoi)) + (() if block_size is None else (block_size,))
    result = _run(student, "mlp.dataset", "build_dataset", *args)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise BadResult(f"build_dataset returned {type(result).__name__}; expected a tuple (X, Y)")
    return [describe(t) for t in result]


def split(student, words, seed=None):
    given = list(words)
    result = _run(student, "mlp.split", "split_words", given, *(() if seed is None else (seed,)))
    if not (isinstance(result, tuple) and len(result) == 3 and all(isinstance(p, list) for p in result)):
        raise BadResult(f"split_words returned {type(result).__name__}; expected a tuple of three lists")
    return {"parts": [list(map(str, p)) for p in result], "mutated": given != list(words)}


def init(student, kwargs: dict, seed):
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    params = _run(student, "mlp.init", "init_mlp", **kwargs, generator=generator)
    if not isinstance(params, dict):
        raise BadResult(f"init_mlp returned {type(params).__name__}; expected a dict with keys C, W1, b1, W2, b2")
    return {str(k): describe(v) for k, v in params.items()}


def forward(student, params, X, R):
    tensors = _params(params)
    logits = _run(student, "mlp.forward", "mlp_forward", tensors, tensor(X))
    grads = None
    if isinstance(logits, torch.Tensor) and logits.requires_grad and tuple(logits.shape) == tuple(R.shape):
        (logits * tensor(R)).sum().backward()
        grads = {k: grad_of(t) for k, t in tensors.items()}
    return {"logits": describe(logits), "grads": grads}


def cross_entropy(student, logits, Y):
    """The learner's loss, watched for torch's shortcuts (only while it runs: the backward pass
    below, against which the judge compares the gradient, is the probe's own)."""
    L, target = tensor(logits, requires_grad=True), tensor(Y)
    with own_function(student, MODULE, OWNER, "mlp.cross_entropy", ref, "cross_entropy") as function:
        loss = torch_watch.call(SHORTCUTS, "cross_entropy", student.exercises, function, L, target)
    grad = None
    if isinstance(loss, torch.Tensor) and loss.requires_grad and loss.numel() == 1:
        loss.sum().backward()
        grad = grad_of(L)
    return {"loss": describe(loss), "grad": grad}


def _schedule(lr):
    if isinstance(lr, list):
        values = list(lr)
        return lambda step: values[step]
    return lr


def train(student, params, X, Y, steps, batch_size, lr, seed):
    tensors = _params(params)
    generator = torch.Generator().manual_seed(seed)
    losses = _run(student, "mlp.train", "train_mlp", tensors, tensor(X), tensor(Y), steps,
                  batch_size=batch_size, lr=_schedule(lr), generator=generator)
    return {"losses": floats(losses, "the losses train_mlp returned"),
            "params": {k: t.detach().numpy().copy() for k, t in tensors.items()}}


def evaluate(student, params, X, Y):
    saved = []

    def pack(t):  # called only when autograd keeps a tensor for a backward pass: a graph is built
        saved.append(1)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        value = _run(student, "mlp.evaluate", "evaluate", _params(params), tensor(X), tensor(Y))
    return {"value": scalar(value, "evaluate(params, X, Y)"), "graph_built": bool(saved)}


def sampling(student, params, itos, n, seed, block_size=None):
    generator = torch.Generator().manual_seed(seed)
    extra = {} if block_size is None else {"block_size": block_size}
    names = _run(student, "mlp.sampling", "sample_mlp", _params(params, requires_grad=False), {int(i): s for i, s in itos}, n,
                 generator, **extra)
    if not isinstance(names, list) or not all(isinstance(s, str) for s in names):
        raise BadResult(f"sample_mlp returned {type(names).__name__}; expected a list of str")
    return names


# -- the challenge (grade mlp --challenge): the learner's own code end to end, not graded --------

_CHALLENGE: dict = {}


def challenge_settings(student):
    settings = getattr(student.load(MODULE), "CHALLENGE", None)
    if not isinstance(settings, dict):
        raise BadResult("exercises/makemore/mlp.py has no CHALLENGE dict of settings")
    need = {"block_size": int, "n_embd": int, "n_hidden": int, "steps": int, "batch_size": int, "seed": int}
    plain = {}
    for key, kind in need.items():
        if not isinstance(settings.get(key), kind) or settings[key] <= 0:
            raise BadResult(f"CHALLENGE[{key!r}] should be a positive {kind.__name__}; it is {settings.get(key)!r}")
        plain[key] = settings[key]
    lr = settings.get("lr")
    if not (callable(lr) or isinstance(lr, (int, float))):
        raise BadResult("CHALLENGE['lr'] should be a number or a function of the step")
    plain["lr"] = "a schedule" if callable(lr) else float(lr)
    _CHALLENGE.update(settings=settings)
    return plain


def challenge_start(student, Xtr, Ytr, Xdev, Ydev, vocab_size):
    module = student.load(MODULE)
    s = _CHALLENGE["settings"]
    generator = torch.Generator().manual_seed(s["seed"])
    params = module.init_mlp(vocab_size, s["block_size"], s["n_embd"], s["n_hidden"], generator=generator)
    _CHALLENGE.update(params=params, generator=generator, data=[tensor(a) for a in (Xtr, Ytr, Xdev, Ydev)])
    return sum(int(p.numel()) for p in params.values())


def challenge_train(student, done: int, steps: int):
    module = student.load(MODULE)
    s, (Xtr, Ytr, _, _) = _CHALLENGE["settings"], _CHALLENGE["data"]
    lr = s["lr"]
    rate = (lambda step: lr(done + step)) if callable(lr) else lr  # the schedule continues across chunks
    losses = module.train_mlp(_CHALLENGE["params"], Xtr, Ytr, steps, batch_size=s["batch_size"], lr=rate,
                              generator=_CHALLENGE["generator"])
    values = floats(losses, "the losses train_mlp returned")
    return sum(values) / max(len(values), 1)


def challenge_evaluate(student):
    module = student.load(MODULE)
    Xtr, Ytr, Xdev, Ydev = _CHALLENGE["data"]
    params = _CHALLENGE["params"]
    return {"train": scalar(module.evaluate(params, Xtr, Ytr), "evaluate(train)"),
            "dev": scalar(module.evaluate(params, Xdev, Ydev), "evaluate(dev)")}
