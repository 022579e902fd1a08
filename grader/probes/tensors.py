"""Worker-side helpers for the makemore probes: tensors in and out, and component isolation.

`describe` turns whatever the student returned into data the judge can validate: a tensor
becomes its dtype, shape, flags and a numpy copy of its values; anything else just its type.
`isolated` swaps the reference in for every function of a student module that belongs to
another component, for the duration of one check.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch

from grader.probes.common import BadResult, theirs


def tensor(array, requires_grad: bool = False) -> torch.Tensor:
    t = torch.from_numpy(np.array(array, copy=True))
    return t.requires_grad_() if requires_grad else t


def describe(value) -> dict:
    if not isinstance(value, torch.Tensor):
        return {"kind": type(value).__name__}
    t = value.detach()
    data = t.cpu().numpy() if t.dtype != torch.bfloat16 else t.float().cpu().numpy()
    return {
        "kind": "tensor",
        "dtype": str(value.dtype).replace("torch.", ""),
        "shape": list(value.shape),
        "requires_grad": bool(value.requires_grad),
        "is_leaf": bool(value.is_leaf),
        "has_grad_fn": value.grad_fn is not None,
        "data": np.array(data, copy=True),
    }


def scalar(value, what: str) -> float:
    """A Python number the SPEC asks for (`float`, not a 0-d tensor)."""
    if isinstance(value, torch.Tensor):
        raise BadResult(f"{what} is a torch.Tensor; the SPEC asks for a Python float (use .item())")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadResult(f"{what} is a {type(value).__name__}, expected a float")
    return float(value)


def floats(values, what: str) -> list[float]:
    if not isinstance(values, (list, tuple)):
        raise BadResult(f"{what} is a {type(values).__name__}, expected a list of floats")
    return [scalar(v, f"an element of {what}") for v in values]


@contextmanager
def isolated(module, owner: dict[str, tuple[str, ...]], component: str, reference):
    """Reference functions stand in for every function of `module` not owned by `component` (or,
    in a group's worker, by the group: see common.theirs); `owner`: grader.engine.manifest.owners,
    from the manifest's `owns`."""
    saved, own = {}, theirs(component)
    for name, comps in owner.items():
        if not own.intersection(comps) and hasattr(reference, name):
            saved[name] = module.__dict__.get(name)
            setattr(module, name, getattr(reference, name))
    try:
        yield module
    finally:
        for name, fn in saved.items():
            setattr(module, name, fn)


@contextmanager
def own_function(student, module: str, owner: dict[str, tuple[str, ...]], component: str, reference, name: str,
                 stand_ins: dict[str, str] | None = None):
    """The student's `name` from `module`, with `reference` standing in for every other function
    of the file that `component` does not own, for as long as the block runs."""
    loaded = student.load(module, stand_ins)
    if not hasattr(loaded, name):
        kind = "class" if name[0].isupper() else "function"
        raise BadResult(f"exercises/{module.replace('.', '/')}.py has no {kind} {name}")
    with isolated(loaded, owner, component, reference):
        yield getattr(loaded, name)


def grad_of(t: torch.Tensor):
    return None if t.grad is None else t.grad.detach().cpu().numpy().copy()
