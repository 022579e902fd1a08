"""The submission's files as the static review reads them (judge side: parsed, never run):
trees, Python's symbol tables, and which statement binds each module-level name."""
from __future__ import annotations

import ast
import symtable
from dataclasses import dataclass
from pathlib import Path

from grader.engine import manifest

PACKAGES = manifest.exercise_packages()  # the exercise packages a submission's imports may name


def shown(node: ast.AST) -> str:
    """A node's code for a message, in backticks, cut to 60 characters."""
    text = ast.unparse(node)
    return f"`{text if len(text) <= 60 else text[:57] + '...'}`"


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    code: str
    what: str

    def message(self, function: str) -> str:
        return f"{function} {self.what} ({self.file} line {self.line}: {self.code})"


class Source:
    """One file of the submission: its tree, Python's symbol tables, and its module-level names."""

    def __init__(self, exercises: Path, rel: str):
        self.exercises, self.rel = exercises, rel
        text = (exercises / rel).read_text(errors="replace")
        self.lines = text.splitlines()
        self.tree = ast.parse(text)
        self.table = symtable.symtable(text, rel, "exec")
        self.bindings: dict[str, list[ast.stmt]] = {}
        self.star_imports: list[ast.ImportFrom] = []
        for stmt in module_statements(self.tree.body):
            for name in bound_names(stmt):
                self.bindings.setdefault(name, []).append(stmt)
            if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
                self.star_imports.append(stmt)

    def finding(self, node: ast.AST, what: str) -> Finding:
        line = getattr(node, "lineno", 0)
        code = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return Finding(self.rel, line, code, what)

    def imported_file(self, node: ast.Import | ast.ImportFrom, alias: ast.alias) -> str | None:
        """The submission's file that an import binds (`from .helpers import f` binds f of
        makemore/helpers.py; `from . import helpers` and `import makemore.helpers` bind the
        module itself), or None for a library."""
        if isinstance(node, ast.ImportFrom):
            base = list(Path(self.rel).parent.parts)[: len(Path(self.rel).parent.parts) - node.level + 1] \
                if node.level else []
            dotted = base + [p for p in (node.module or "").split(".") if p]
            for parts in (dotted + [alias.name], dotted):  # a submodule, else a name in the module
                rel = "/".join(parts) + ".py"
                if parts and parts[0] in PACKAGES and (self.exercises / rel).is_file():
                    return rel
            return None
        rel = alias.name.replace(".", "/") + ".py"  # `import makemore.helpers`: reviewed whole, however it is named
        return rel if alias.name.split(".")[0] in PACKAGES and (self.exercises / rel).is_file() else None


def module_statements(body):
    """The statements that run at import, into if/try/with/for blocks but not `if __name__ == "__main__":`."""
    for stmt in body:
        if isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            yield from module_statements(stmt.orelse)
        elif isinstance(stmt, (ast.If, ast.Try, getattr(ast, "TryStar", ast.Try), ast.While)):
            yield from module_statements(stmt.body)
            yield from module_statements(stmt.orelse)
            for handler in getattr(stmt, "handlers", ()):
                yield handler
                yield from module_statements(handler.body)
            yield from module_statements(getattr(stmt, "finalbody", ()))
        else:
            yield stmt  # for and with bind names of their own: reviewed whole


def _is_main_guard(test) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def bound_names(stmt) -> set[str]:
    names = set()
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(stmt.name)
        names |= {n for g in ast.walk(stmt) if isinstance(g, ast.Global) for n in g.names}
    elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
        names |= {a.asname or a.name.split(".")[0] for a in stmt.names if a.name != "*"}
    elif isinstance(stmt, ast.ExceptHandler):
        names |= {stmt.name} if stmt.name else set()
    else:
        names |= {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
    return names


