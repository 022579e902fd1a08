"""Probes for the pictures (`grade draw`, `grade plot-batchnorm`): the learner's code runs here, in
the worker and its sandbox like any grading; the judge gets plain data and draws it
(grader.learner.pictures_worker). Nothing here is graded, so nothing is withheld.

A learner's mistake is an answer, not an exception: {"error": kind, ...}, which the judge words.
"""
from __future__ import annotations

import traceback
from pathlib import Path

ENGINE = "micrograd.engine"
LAYERS = "makemore.batchnorm"


def _where(error: BaseException, student) -> str:
    """`ValueError: ... (at micrograd/engine.py line 42)`: the last frame in the learner's files."""
    folder = str(student.exercises)
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(folder)]
    where = ""
    if frames:
        rel = Path(frames[-1].filename).resolve().relative_to(student.exercises).as_posix()
        where = f" (at {rel} line {frames[-1].lineno})"
    return f"{type(error).__name__}: {error}{where}"


def _load(student, name: str):
    """(module, None) or (None, the error answer). SystemExit at import is the learner's exit."""
    try:
        return student.load(name), None
    except SystemExit as e:
        return None, {"error": "exit", "code": e.code if isinstance(e.code, int) else 1}
    except Exception as e:  # noqa: BLE001 - whatever their import raised, said in their terms
        return None, {"error": "import", "detail": _where(e, student)}


# -- grade draw: the expression graph as records ---------------------------------------------------

def _number(x) -> str:  # as grader.learner.pictures_graph shows a record's numbers
    try:
        return f"{float(x):.4f}"
    except (TypeError, ValueError, OverflowError):
        return repr(x)[:12]


def _children(node) -> list:
    try:
        return list(getattr(node, "_prev", ()) or ())
    except TypeError:  # a `_prev` that is not iterable: a leaf
        return []


def graph(student, expression: str, limit: int):
    """Run `expression` with the learner's Value; answer the graph under the Value it binds to
    `root` as records {fields, op, children (indices)} in discovery order, or {"error": ...}. More
    than `limit` Values: {"error": "too_many"} (never walked further)."""
    engine, failed = _load(student, ENGINE)
    if failed:
        return failed
    Value = getattr(engine, "Value", None)
    if not isinstance(Value, type):
        return {"error": "import", "detail": "micrograd/engine.py defines no class Value"}
    try:
        code = compile(expression, "<expression>", "exec")
    except SyntaxError as e:
        return {"error": "syntax", "detail": e.msg}
    namespace = {"Value": Value}
    try:
        exec(code, namespace)
        root = namespace.get("root")
        if not isinstance(root, Value):
            made = [name for name, v in namespace.items() if isinstance(v, Value)]
            return {"error": "no_root", "has_root": "root" in namespace, "kind": type(root).__name__,
                    "example": made[-1] if made else "a*b + c"}
        return _records(root, limit)
    except Exception as e:  # noqa: BLE001 - their engine raised: say where
        return {"error": "raised", "detail": _where(e, student)}


def _records(root, limit: int) -> dict:
    """The walk of grader.learner.pictures_graph.graph_layout (each object once, in the same order)."""
    nodes, index, children = [], {}, []
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in index:
            continue
        index[id(node)] = len(nodes)
        nodes.append(node)
        if len(nodes) > limit:
            return {"error": "too_many"}
        kids = _children(node)
        children.append(kids)
        stack.extend(kids)
    records = []
    for node, kids in zip(nodes, children):
        label = getattr(node, "label", "") or ""
        op = getattr(node, "_op", "")
        records.append({"fields": [str(label)[:20], f"data {_number(getattr(node, 'data', '?'))}",
                                   f"grad {_number(getattr(node, 'grad', '?'))}"],
                        "op": str(op)[:8] if op and kids else "", "children": [index[id(k)] for k in kids]})
    return {"nodes": records}


# -- grade plot-batchnorm: lecture 4's network, trained with the learner's layers --------------------

def _array(value):
    """A float array of anything tensor-like (as grader.learner.pictures reads its histograms' data)."""
    import numpy as np

    if hasattr(value, "detach"):
        value = value.detach().cpu().float().numpy()
    return np.asarray(value, dtype=float)


def batchnorm(student, X, Y, vocab: int, steps: int):
    """Lecture 4's network from the learner's Linear, BatchNorm1d and Tanh: five hidden blocks of
    Linear (no bias), BatchNorm1d and Tanh, 100 wide, then the output Linear and BatchNorm1d; the
    lecture's init (tanh gain 5/3, a less confident output) and training (batches of 32, lr 0.1).
    Answers the data of its plots: the last step's Tanh outputs and their gradients, the 2-D
    weights and their gradients, and the update ratios over every step."""
    import torch
    import torch.nn.functional as F

    module, failed = _load(student, LAYERS)
    if failed:
        return failed
    try:
        Linear, BatchNorm1d, Tanh = module.Linear, module.BatchNorm1d, module.Tanh
    except AttributeError as e:
        return {"error": "import", "detail": _where(e, student)}
    try:
        return _train(torch, F, Linear, BatchNorm1d, Tanh, torch.from_numpy(X), torch.from_numpy(Y), vocab, steps)
    except Exception as e:  # noqa: BLE001 - their layers raised: say where
        return {"error": "raised", "detail": _where(e, student)}


def _train(torch, F, Linear, BatchNorm1d, Tanh, X, Y, vocab, steps) -> dict:
    g = torch.Generator().manual_seed(2147483647)
    n_embd, n_hidden, batch_size, lr = 10, 100, 32, 0.1
    C = torch.randn((vocab, n_embd), generator=g)
    layers = [Linear(3 * n_embd, n_hidden, bias=False, generator=g), BatchNorm1d(n_hidden), Tanh()]
    for _ in range(4):
        layers += [Linear(n_hidden, n_hidden, bias=False, generator=g), BatchNorm1d(n_hidden), Tanh()]
    layers += [Linear(n_hidden, vocab, bias=False, generator=g), BatchNorm1d(vocab)]
    with torch.no_grad():  # the lecture's init: a less confident output, tanh gain on the rest
        layers[-1].gamma *= 0.1
        for layer in layers[:-1]:
            if type(layer).__name__ == "Linear":
                layer.weight *= 5 / 3
    params = [C] + [p for layer in layers for p in layer.parameters()]
    for p in params:
        p.requires_grad = True
    weights = [(label, p) for label, p in _labelled(C, layers) if p.ndim == 2]
    ratios = []
    for _ in range(steps):
        ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)
        x = C[X[ix]].view(batch_size, -1)
        for layer in layers:
            x = layer(x)
            if getattr(layer, "out", None) is not None and layer.out.requires_grad:
                layer.out.retain_grad()  # for the gradient histograms
        loss = F.cross_entropy(x, Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p += -lr * p.grad
            ratios.append([((lr * p.grad).std() / p.std()).log10().item() if p.grad is not None else float("nan")
                           for _, p in weights])
    tanh = [{"index": i, "out": _array(layer.out),
             "grad": None if getattr(layer.out, "grad", None) is None else _array(layer.out.grad)}
            for i, layer in enumerate(layers)
            if type(layer).__name__ == "Tanh" and getattr(layer, "out", None) is not None]
    return {"tanh": tanh, "ratios": ratios, "ratio_labels": [label for label, _ in weights],
            "weights": [{"label": label, "data": _array(p), "grad": None if p.grad is None else _array(p.grad)}
                        for label, p in weights]}


def _labelled(C, layers):
    """(name, parameter) as a reader of the code would name it: `C`, `layer 0 Linear.weight`."""
    yield f"C {tuple(C.shape)}", C
    for i, layer in enumerate(layers):
        for p in layer.parameters():
            attribute = next((name for name, value in vars(layer).items() if value is p), None) \
                if hasattr(layer, "__dict__") else None
            name = f"{type(layer).__name__}.{attribute}" if attribute else type(layer).__name__
            yield f"layer {i} {name} {tuple(p.shape)}", p
