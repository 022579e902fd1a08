"""Judge side: a static review of a learner's function for the torch rules, from the source files.

The worker watches what really runs (grader.probes.torch_watch); this reads what the function
says, in the judge, where nothing of the submission runs. It reviews the function, then
everything of the submission it uses, by name: functions, classes and assignments of its file,
and names imported from the submission's other files (followed there), each with Python's own
scoping (`symtable`). It refuses:
- names that reach what the rule forbids (`F.cross_entropy`, `torch.autograd.grad`, `x.grad`,
  `from torch.func import jacfwd`), as attributes, imported names or strings;
- ways to reach code by a name the reader cannot see (`getattr` with a computed name, `eval`,
  `exec`, `globals()`, `__dict__`, `__import__`, `importlib`, `sys`, `gc`, `ctypes`, ...), and
  torch's private parts (`torch._C`, `torch.ops`, `Variable._execution_engine`);
- names defined nowhere (a builtin planted at import, say).
The whole file (and the submission's files it imports) is also read for changes to torch or to
Python itself made at import (grader/engine/judge/tamper_review.py).
"""
from __future__ import annotations

import ast
import builtins
import functools
from pathlib import Path

from grader.engine.judge.compare import require
from grader.engine.judge.source_files import Finding, Source, module_statements, shown
from grader.engine.judge.tamper_review import find_tampering
from grader.probes.torch_rules import Rule

ESCAPE_BUILTINS = frozenset({"eval", "exec", "compile", "__import__", "globals", "locals", "vars", "breakpoint",
                             "setattr", "delattr", "__build_class__"})
ESCAPE_MODULES = frozenset({"sys", "gc", "ctypes", "inspect", "importlib", "builtins", "subprocess", "os", "threading",
                            "multiprocessing", "_thread", "types", "operator", "pickle", "marshal", "signal", "code",
                            "codeop", "runpy", "dis", "weakref", "atexit", "grader", "solutions", "tests"})
ESCAPE_ATTRIBUTES = frozenset({"__dict__", "__globals__", "__code__", "__closure__", "__builtins__", "__subclasses__",
                               "__getattribute__", "__self__", "__func__", "__wrapped__", "__bases__", "__mro__",
                               "f_back", "f_locals", "f_globals", "tb_frame", "gi_frame", "modules", "ops", "jit",
                               "library", "utils", "_C"})
MODULE_DUNDERS = frozenset({"__name__", "__file__", "__doc__", "__spec__", "__package__", "__loader__",
                            "__annotations__"})
LOOKUPS = frozenset({"getattr", "setattr", "delattr", "hasattr"})
PAST = "which reaches past what the grader can read in your code"


def _private(attr: str) -> bool:
    return attr.startswith("_") and not (attr.startswith("__") and attr.endswith("__"))


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def _scoped_names(node: ast.AST) -> set[str]:
    """Names bound inside the lambdas and comprehensions of a module-level statement."""
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Lambda):
            names |= {a.arg for a in ast.walk(sub.args) if isinstance(a, ast.arg)}
        elif isinstance(sub, ast.comprehension):
            names |= {n.id for n in ast.walk(sub.target) if isinstance(n, ast.Name)}
    return names


class Review:
    """One rule's review of one function, following what it uses through the submission."""

    def __init__(self, exercises: Path, rule: Rule):
        self.exercises, self.rule = Path(exercises), rule
        self.files: dict[str, Source | None] = {}

    def source(self, rel: str) -> Source | None:
        if rel not in self.files:
            try:
                self.files[rel] = Source(self.exercises, rel)
            except (OSError, SyntaxError, ValueError):  # the worker reports a file it cannot import
                self.files[rel] = None
        return self.files[rel]

    def matches(self, name: str) -> bool:
        rule = self.rule
        if name in rule.allowed_identifiers:
            return False
        return name in rule.exact_identifiers or any(word in name.lower() for word in rule.identifiers)

    def function(self, rel: str, name: str) -> Finding | None:
        """The first thing `name` of `rel`, or what it uses, does against the rule."""
        src = self.source(rel)
        if src is None:
            return None
        todo, done = [(src, stmt) for stmt in src.bindings.get(name, [])], set()
        while todo:
            src, stmt = todo.pop(0)
            if (src.rel, id(stmt)) in done:
                continue
            done.add((src.rel, id(stmt)))
            finding = self.statement(src, stmt, todo)
            if finding is not None:
                return finding
            for used, node in self.globals_used(src, stmt).items():
                found = self.resolve(src, used, node, todo)
                if found is not None:
                    return found
        return None

    def globals_used(self, src: Source, stmt: ast.stmt) -> dict[str, ast.AST]:
        """Module-level names the statement reads, each with a node to point at."""
        names: set[str] = set()
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            outer = [*stmt.decorator_list, *getattr(stmt, "bases", ()), *(k.value for k in getattr(stmt, "keywords", ()))]
            if not isinstance(stmt, ast.ClassDef):
                outer += [*stmt.args.defaults, *(d for d in stmt.args.kw_defaults if d is not None)]
            names |= {n.id for e in outer for n in ast.walk(e) if isinstance(n, ast.Name)}
            for table in src.table.get_children():
                if table.get_name() == stmt.name and table.get_lineno() == stmt.lineno:
                    todo = [table]
                    while todo:
                        t = todo.pop()
                        names |= {s.get_name() for s in t.get_symbols() if s.is_global() and s.is_referenced()}
                        todo.extend(t.get_children())
        else:
            local = _scoped_names(stmt)
            names |= {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                      and n.id not in local}
        nodes = {}
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name) and n.id in names and n.id not in nodes:
                nodes[n.id] = n
        return {name: nodes.get(name, stmt) for name in sorted(names)}

    def statement(self, src: Source, stmt: ast.stmt, todo: list) -> Finding | None:
        """What the statement's own text does against the rule: attributes, strings, lookups by
        name, and the imports made inside it (a function's own `import sys`)."""
        docstrings = _docstrings(stmt)
        found = [f for node in ast.walk(stmt) if (f := self._node(src, stmt, node, docstrings, todo)) is not None]
        return min(found, key=lambda f: f.line) if found else None  # the first in the file: what the learner reads first

    def _node(self, src: Source, stmt: ast.stmt, node: ast.AST, docstrings: set, todo: list) -> Finding | None:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and node is not stmt:
            for alias in node.names:
                found = self.imported(src, node, alias.asname or alias.name.split(".")[0], todo)
                if found is not None:
                    return found
        elif isinstance(node, ast.Attribute):
            if self.matches(node.attr):
                return src.finding(node, f"uses {shown(node)}, {self.rule.what}")
            if node.attr in ESCAPE_ATTRIBUTES or _private(node.attr):
                return src.finding(node, f"uses {shown(node)}, {PAST}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("getattr", "setattr", "delattr", "hasattr"):
            key = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return src.finding(node, f"looks an attribute up by a computed name ({shown(node)}), {PAST}")
            if self.matches(key.value):
                return src.finding(node, f"uses {shown(node)}, {self.rule.what}")
            if key.value in ESCAPE_ATTRIBUTES or _private(key.value):
                return src.finding(node, f"uses {shown(node)}, {PAST}")
        elif isinstance(node, ast.MatchClass):  # `case object(cross_entropy=ce)` reads an attribute too
            for attr in node.kwd_attrs:
                if self.matches(attr):
                    return src.finding(node, f"uses the attribute `{attr}` in a pattern, {self.rule.what}")
                if attr in ESCAPE_ATTRIBUTES or _private(attr):
                    return src.finding(node, f"uses the attribute `{attr}` in a pattern, {PAST}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = node.value
            if text and not any(c.isspace() for c in text) and (self.matches(text) or text in ESCAPE_ATTRIBUTES):
                return src.finding(node, f"names {text!r} in a string, {PAST}")
        return None

    def resolve(self, src: Source, name: str, node: ast.AST, todo: list) -> Finding | None:
        """Follow a module-level name to what binds it: more to review, or a finding."""
        if name in src.bindings:
            for stmt in src.bindings[name]:
                if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    found = self.imported(src, stmt, name, todo)
                    if found is not None:
                        return found
                else:
                    todo.append((src, stmt))
            return None
        for star in src.star_imports:
            rel = src.imported_file(star, ast.alias(name="*"))
            other = self.source(rel) if rel else None
            if other is not None and name in other.bindings:
                todo.extend((other, stmt) for stmt in other.bindings[name])
                return None
            if rel is None and self.matches(name):
                return src.finding(node, f"uses `{name}` (from `from {star.module} import *`), {self.rule.what}")
        if src.star_imports:
            return None
        if name in vars(builtins):
            if name in ESCAPE_BUILTINS or (name in LOOKUPS and not self._called_with_a_name(src, name)):
                return src.finding(node, f"uses `{name}`, {PAST}")
            return None
        if name in MODULE_DUNDERS:
            return None
        return src.finding(node, f"uses `{name}`, which {src.rel} defines nowhere: the grader cannot tell what it is")

    def _called_with_a_name(self, src: Source, name: str) -> bool:
        """Every use of the builtin `name` in the file is a call with the attribute's name written
        out (`getattr(x, "shape")`, checked as an attribute): not handed on (`reduce(getattr, ...)`)."""
        calls = {id(n.func) for n in ast.walk(src.tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        return all(id(n) in calls for n in ast.walk(src.tree) if isinstance(n, ast.Name) and n.id == name)

    def imported(self, src: Source, stmt, name: str, todo: list) -> Finding | None:
        alias = next((a for a in stmt.names if (a.asname or a.name.split(".")[0]) == name), stmt.names[0])
        rel = src.imported_file(stmt, alias)
        if rel is not None:  # the submission's own code: review what is used of it there
            other = self.source(rel)
            if other is not None and isinstance(stmt, ast.ImportFrom) and not rel.endswith(f"/{alias.name}.py"):
                todo.extend((other, s) for s in other.bindings.get(alias.name, []))
            elif other is not None:
                todo.extend((other, s) for s in module_statements(other.tree.body))
            return None
        dotted = f"{stmt.module or ''}.{alias.name}" if isinstance(stmt, ast.ImportFrom) else alias.name
        parts = [p for p in dotted.split(".") if p]
        if any(self.matches(p) for p in parts):
            return src.finding(stmt, f"uses `{dotted}` (imported), {self.rule.what}")
        if any(p in ESCAPE_MODULES for p in parts) or any(map(_private, parts)):
            return src.finding(stmt, f"uses `{dotted}` (imported), {PAST}")
        return None

    def tampering(self, rel: str) -> Finding | None:
        """Changes to torch or to Python itself, anywhere in `rel` and the submission files it imports."""
        return find_tampering(self.source, rel)


def expect_own_code(student, rel: str, function: str, rule: Rule) -> None:
    """Fail the check (CheckFailed) when the source of `function` in `rel` breaks `rule`."""
    folder = Path(student.exercises)
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*.py")))
    problem = _verdict(str(folder), rel, function, rule, stamp)
    require(problem is None, problem or "", rule.hint)


@functools.lru_cache(maxsize=64)
def _verdict(folder: str, rel: str, function: str, rule: Rule, stamp: tuple) -> str | None:
    """The review's message, once per state of the submission's files (several checks ask)."""
    review = Review(Path(folder), rule)
    tampered = review.tampering(rel)
    if tampered is not None:
        return (f"{function} cannot be checked for its rules: {tampered.file} {tampered.what} (line {tampered.line}: "
                f"{tampered.code}), so the grader cannot tell what really runs")
    finding = review.function(rel, function)
    return None if finding is None else finding.message(function)
