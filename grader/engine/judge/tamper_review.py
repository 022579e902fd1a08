"""Judge side: reading a submission's files for changes to torch or to Python itself made at
import (`torch.Tensor.mean = ...`, `sys.modules[...]`, `builtins`, frames, the garbage
collector's object lists). They would let an honest-looking function run anything, so a function
in a file that makes them cannot be reviewed for the torch rules (grader/engine/judge/source_review.py).
"""
from __future__ import annotations

import ast
from typing import Callable

from grader.engine.judge.source_files import Finding, Source, module_statements, shown

# At import, anywhere in the file: what reaches into Python itself, by the module it is on.
TAMPER_ON_MODULE = {"sys": {"modules", "_getframe", "_current_frames", "setprofile", "settrace", "addaudithook",
                            "audit", "meta_path", "path_hooks", "path_importer_cache"},
                    "gc": {"get_objects", "get_referrers", "get_referents"},
                    "inspect": {"currentframe", "stack", "getouterframes", "getinnerframes", "trace"}}
TAMPER_ATTRIBUTES = frozenset({"f_back", "f_locals", "f_globals", "tb_frame", "gi_frame", "cr_frame", "__globals__",
                               "__closure__", "__code__", "__builtins__", "__subclasses__"})
TAMPER_NAMES = frozenset({"__builtins__", "exec", "eval", "compile", "__import__", "globals", "vars"})
TAMPER_MODULES = frozenset({"ctypes", "importlib", "builtins", "grader", "solutions", "tests"})


def find_tampering(source: Callable[[str], Source | None], rel: str) -> Finding | None:
    """The first change to torch or to Python in `rel` or the submission files it imports
    (`source` reads a file of the submission, or gives None for one it cannot read)."""
    todo, seen = [rel], set()
    while todo:
        src = source(todo.pop())
        if src is None or src.rel in seen:
            continue
        seen.add(src.rel)
        modules = {}  # module-level name -> the library module it is
        for stmt in module_statements(src.tree.body):
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for alias in stmt.names:
                    own = src.imported_file(stmt, alias)
                    if own is not None:
                        todo.append(own)
                        continue
                    dotted = alias.name if isinstance(stmt, ast.Import) else f"{stmt.module or ''}.{alias.name}"
                    if set(dotted.split(".")) & TAMPER_MODULES:
                        return src.finding(stmt, f"imports `{dotted}`")
                    if alias.name != "*":
                        top = alias.name.split(".")[0]
                        modules[alias.asname or top] = dotted if alias.asname else top
        found = _tamper_nodes(src, modules)
        if found is not None:
            return found
    return None


def _tamper_nodes(src: Source, modules: dict) -> Finding | None:
    def root(node):
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
            node = node.func if isinstance(node, ast.Call) else node.value
        return modules.get(node.id) if isinstance(node, ast.Name) else None

    body = [s for s in module_statements(src.tree.body)]
    for node in (n for stmt in body for n in ast.walk(stmt)):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            # torch.backends.* are settings (cudnn.deterministic = True), not torch's code
            if isinstance(target, (ast.Attribute, ast.Subscript)) and root(target) \
                    and "backends" not in ast.unparse(target):
                return src.finding(node, f"changes {shown(target)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") \
                and node.args and root(node.args[0]):
            return src.finding(node, f"changes {shown(node.args[0])}")
        if isinstance(node, ast.Attribute):
            module = root(node.value) if isinstance(node.value, (ast.Name, ast.Attribute)) else None
            if node.attr in TAMPER_ATTRIBUTES or node.attr in TAMPER_ON_MODULE.get((module or "").split(".")[0], ()):
                return src.finding(node, f"uses {shown(node)}")
        if isinstance(node, ast.Name) and node.id in TAMPER_NAMES:
            return src.finding(node, f"uses `{node.id}`")
    return None
