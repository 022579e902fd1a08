"""How the micrograd probes drive a student's graph: the grader's reference ops grafted onto the
student's `Value` for every op outside the component, and the grader's own walk over `_prev`.

Nothing here assumes more of a `Value` than SPEC §2 promises (see grader/probes/micrograd.py).
"""
from __future__ import annotations

from contextlib import contextmanager

from grader.engine import manifest
from grader.probes.common import theirs
from grader.references import micrograd as ref

OWNS = manifest.owners("micrograd")  # "Value.__add__" -> ("micrograd.add",): the manifest's `owns`
_MISSING = object()


@contextmanager
def grafted(cls, component: str):
    """Reference ops on `cls` for every method not owned by `component` (or, in a group's
    worker, by the group: see common.theirs), restored after."""
    saved, own = {}, theirs(component)
    for name, fn in ref.OPS.items():
        if not own.intersection(OWNS.get(f"Value.{name}", ())):
            saved[name] = cls.__dict__.get(name, _MISSING)
            setattr(cls, name, fn)
    try:
        yield cls
    finally:
        for name, old in saved.items():
            if old is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, old)


def children(node) -> tuple:
    """A node's `_prev` as a tuple, whatever iterable it is (set, tuple, list); none if absent."""
    prev = getattr(node, "_prev", None)
    if prev is None:
        return ()
    try:
        return tuple(prev)
    except TypeError:
        return ()


def topo(out):
    """Reverse-topological order over `_prev`: the grader's reference walk, which is withheld
    (a stub that raises) in the workers that grade backward() itself."""
    return ref.topo_order(out)


def reachable(out) -> list:
    """Every node reachable from `out`, in no useful order: what the worker grading backward()
    may hold (it must sort them itself)."""
    found, stack = {}, [out]
    while stack:
        node = stack.pop()
        if id(node) not in found:
            found[id(node)] = node
            stack.extend(children(node))
    return list(found.values())


def zero_grads(nodes) -> None:
    for node in nodes:
        node.grad = 0.0


def drive_backward(out, out_grad: float) -> None:
    out.grad = out_grad
    for node in reversed(topo(out)):
        step = getattr(node, "_backward", None)
        if callable(step):
            step()
