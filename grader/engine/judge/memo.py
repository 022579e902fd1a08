"""Reference answers worked out once per judge.

A batch's judge grades every submission with one seed, so each check asks the reference the
same question for every student (the ops' random graphs, the sampler's names, a training run):
`once` keeps each answer, keyed by the question's contents (a tensor by its dtype, shape and
bytes, never by identity), and hands every caller a copy of its own. The learner's `grade` asks
each question once, so there it changes nothing.

Only for pure functions of plain arguments: numbers, strings, lists, tuples, dicts, tensors and
arrays. A torch.Generator is state, not a question: a function that draws from one takes its
seed instead, and makes the generator itself. Answers are handed out detached from any autograd
graph (a leaf keeps `requires_grad`): a remembered answer is data, not a computation to go on with.
"""
from __future__ import annotations

import copy
import functools

KEPT = 2048  # answers per function: far more than a suite asks, so a batch never recomputes one


def once(fn):
    """`fn`, answered from memory when asked again with equal arguments."""
    answers: dict = {}

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        key = _key((args, sorted(kwargs.items())))
        if key not in answers:
            if len(answers) >= KEPT:
                answers.clear()
            answers[key] = fn(*args, **kwargs)
        return _copy(answers[key])  # a check may change what it is given; the next one must not see it

    return wrapper


def _copy(value):
    kind = type(value)
    if kind in (list, tuple):
        return kind(_copy(v) for v in value)
    if kind is dict:
        return {k: _copy(v) for k, v in value.items()}
    if hasattr(value, "detach") and hasattr(value, "requires_grad"):  # a tensor, without importing torch
        return value.detach().clone().requires_grad_(value.requires_grad and value.is_leaf)
    return copy.deepcopy(value)


def _key(value):
    kind = type(value)
    if kind in (int, str, bool) or value is None:
        return kind.__name__, value
    if kind is float:
        return "float", repr(value)  # -0.0 and nan stay apart
    if kind in (list, tuple):
        return kind.__name__, tuple(_key(v) for v in value)
    if kind is dict:
        return "dict", tuple(sorted((repr(k), _key(v)) for k, v in value.items()))
    name = f"{kind.__module__}.{kind.__qualname__}"
    if name == "torch.Tensor" or name == "torch.nn.parameter.Parameter":
        array = value.detach().cpu().contiguous()
        return "tensor", str(array.dtype), tuple(array.shape), bool(value.requires_grad), array.numpy().tobytes()
    if name == "numpy.ndarray":
        return "ndarray", str(value.dtype), value.shape, value.tobytes()
    raise TypeError(f"once(): no key for a {name}; a remembered answer needs plain arguments")
