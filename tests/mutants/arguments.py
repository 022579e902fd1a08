"""Mutants that ignore one argument each (SPEC §3: every argument a function takes is exercised
with a non-default value somewhere in its checks, so code that ignores it fails).

They are derived from the solutions' own signatures, so a new argument gets its mutant without
anyone remembering to write one: the first statement of the function's body becomes
`arg = <its default>` (or, for an argument without a default, a value the checks also use).
Each must fail the component that owns the function, and no other."""
from __future__ import annotations

import ast

from grader.engine import manifest
from mutants import SOLUTIONS, Mutant

FILES = {"mlp": "makemore/mlp.py", "batchnorm": "makemore/batchnorm.py"}
# Arguments without a default, ignored by fixing them at a value the checks use somewhere too.
WITHOUT_DEFAULT = {("train_mlp", "steps"): "5", ("sample_mlp", "n"): "6", ("sample_mlp", "generator"): "None",
                   ("update_to_data_ratio", "lr"): "0.1", ("init_mlp", "generator"): "None"}


def _functions(tree: ast.Module):
    """(owner name, function node) for the file's functions and its classes' methods."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            yield from ((node.name, item) for item in node.body if isinstance(item, ast.FunctionDef))


def _ignored(fn: ast.FunctionDef) -> list[tuple[str, str]]:
    args = [a.arg for a in fn.args.args]
    defaults = dict(zip(args[len(args) - len(fn.args.defaults):], (ast.unparse(d) for d in fn.args.defaults)))
    named = {arg: WITHOUT_DEFAULT[(fn.name, arg)] for arg in args if (fn.name, arg) in WITHOUT_DEFAULT}
    return sorted({**defaults, **named}.items())


# How an argument is used, ignored in part: a schedule read once is a number.
EXTRA = {"mlp": [Mutant("train_mlp-reads-the-schedule-once", {FILES["mlp"]: [
    ("rate = lr(step) if callable(lr) else lr", "rate = lr(0) if callable(lr) else lr")]}, {"mlp.train"})]}


def argument_mutants(module: str) -> list[Mutant]:
    rel = FILES[module]
    text = (SOLUTIONS / rel).read_text()
    lines = text.splitlines(keepends=True)
    owner = manifest.owners(module)  # name -> the components that grade it
    found = []
    for name, fn in _functions(ast.parse(text)):
        body = fn.body[1:] if isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant) else fn.body
        first = body[0].lineno - 1
        anchor = "".join(lines[fn.lineno - 1:first + 1])  # from the def to the first statement: unique
        indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
        for arg, value in _ignored(fn):
            ignored = anchor[: len(anchor) - len(lines[first])] + f"{indent}{arg} = {value}  # ignores it\n" + lines[first]
            label = f"{name}.{fn.name}" if fn.name.startswith("__") else name
            found.append(Mutant(f"{label}-ignores-{arg}", {rel: [(anchor, ignored)]}, set(owner[name])))
    return found + EXTRA.get(module, [])
