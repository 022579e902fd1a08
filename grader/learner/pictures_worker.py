"""Pictures from a learner's `exercises/`: their code runs in the grading session's worker and
sandbox (probes in grader/probes/pictures.py), which answers plain data; it is drawn here.

The learner's code may raise, loop forever or exit: the worker's limits (time per call, memory,
the sandbox) hold it as they hold any grading, and what went wrong is said in their terms.
"""
from __future__ import annotations

from pathlib import Path

from grader.learner.pictures_graph import MAX_NODES, DrawnNode, PictureError, too_many


ENGINE = "micrograd.engine from"  # what could not be imported, as the learner reads it
LAYERS = "Linear, BatchNorm1d and Tanh from makemore/batchnorm.py in"


def graph_from_records(records: list[dict]) -> DrawnNode:
    """The graph the `graph` probe answered, as nodes the renderers draw; the first is the root."""
    nodes = [DrawnNode(r["fields"], r["op"]) for r in records]
    for node, record in zip(nodes, records):
        node._prev = [nodes[i] for i in record["children"]]
    return nodes[0]


def _session(options, timeout: float):
    from dataclasses import replace

    from grader.engine import session

    return replace(options or session.options(), timeout=timeout)


def _failure(failure, timeout: float) -> PictureError:
    from grader.engine.model import Status

    if failure.status is Status.TIMEOUT:
        return PictureError(f"making the picture took more than {timeout:g} s, so it was stopped "
                            "(an infinite loop in your code?)")
    return PictureError(f"the picture process ended without a result: {failure.message}; your code may have "
                        "exited or crashed it")


def _learner_error(answer: dict, exercises: Path, what: str) -> PictureError:
    """The probe's account of the learner's mistake, worded for them."""
    kind = answer["error"]
    if kind == "exit":
        return PictureError(f"the picture process ended (exit status {answer['code']}) without a result; your code "
                            "may have exited or crashed it")
    if kind == "import":
        return PictureError(f"could not import {what} {exercises}: {answer['detail']}")
    if kind == "syntax":
        return PictureError(f"the expression is not valid Python: {answer['detail']}")
    if kind == "too_many":
        return too_many()
    if kind == "no_root":
        sets = "sets no `root`" if not answer["has_root"] else f"sets `root` to a {answer['kind']}, not a Value"
        return PictureError(f"the expression {sets}: end it with `; root = {answer['example']}` (the Value whose "
                            "graph to draw)")
    if kind == "raised" and what == ENGINE:
        return PictureError(f"your micrograd engine raised while evaluating the expression: {answer['detail']}")
    return PictureError(f"your code raised {answer['detail']}")


def _ask(exercises: Path, options, timeout: float, module: str, torch: bool, probe: str, **args):
    from grader.engine import session
    from grader.engine.worker.client import StudentFailure

    try:
        with session.student_worker(exercises, _session(options, timeout), module, "pictures", torch) as worker:
            return worker.call("pictures", probe, **args)[0]
    except StudentFailure as failure:
        raise _failure(failure, timeout) from None


def expression_graph(exercises: Path, expression: str, timeout: float, options=None) -> DrawnNode:
    """The graph of the learner's `root` Value after `expression`, drawn from their engine."""
    answer = _ask(exercises, options, timeout, "micrograd", False, "graph", expression=expression, limit=MAX_NODES)
    if "error" in answer:
        raise _learner_error(answer, exercises, ENGINE)
    return graph_from_records(answer["nodes"])


def batchnorm_run(exercises: Path, names: list[str], steps: int, timeout: float, options=None) -> dict:
    """Lecture 4's network trained with the learner's layers: the data of its plots."""
    from grader.references.bigram import build_vocab
    from grader.references.mlp import build_dataset

    if not names:
        raise PictureError("no names to train on")
    stoi, _ = build_vocab(names)
    X, Y = build_dataset(names, stoi, block_size=3)
    answer = _ask(exercises, options, timeout, "batchnorm", True, "batchnorm", X=X.numpy(), Y=Y.numpy(),
                  vocab=len(stoi), steps=steps)
    if "error" in answer:
        raise _learner_error(answer, exercises, LAYERS)
    return answer
