"""From a notebook's code cells to the module's exercise files: which statement goes where.

Only definitions are taken from a notebook (imports, `def`, `class`, and assignments to
ALL_CAPS names); experiments are dropped, so the grader never runs them. Each definition goes to
the file whose solution defines that name (`Value` -> micrograd/engine.py). A file also gets,
transitively, the helpers and constants its definitions use, the imports whose names they use,
and `from <package>.<file> import <name>` for names another file of the package owns, so a
file reads as it would in the repository and the grader can swap in its reference engine.

Pure `ast`: nothing here executes notebook code.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

_CONSTANT = re.compile(r"_*[A-Z][A-Z0-9_]*")
# IPython-only lines: `%magic`, `!shell`, `x = !shell`, `x = %magic`, `obj?` (help).
_MAGIC_LINE = re.compile(r"^(?P<indent>\s*)(?:[%!]|\w+\s*=\s*[%!]|[\w.]+\?{1,2}\s*$)")


@dataclass(frozen=True)
class Statement:
    """One top-level statement of a notebook that the split keeps."""
    kind: str  # "import" or "definition"
    names: tuple[str, ...]  # the names it binds
    node: ast.stmt
    source: str  # its text, exactly as the learner wrote it
    where: str  # e.g. "code cell 4 (cell 9)", for the generated file's comments
    cell: int = 0  # 1-based, counting every cell of the notebook (markdown too)
    line: int = 1  # the line of the cell where `source` starts


@dataclass
class GeneratedFile:
    """One exercise file made from a notebook, and where each of its lines came from."""
    text: str
    # (first line in the file, number of lines, the statement they are): every line of the
    # learner's that the file holds, so that a traceback can point back into the notebook.
    spans: list[tuple[int, int, Statement]] = field(default_factory=list)

    def origin(self, line: int) -> tuple[Statement, int] | None:
        """The statement a line of this file comes from, and the line of its cell."""
        for first, count, st in self.spans:
            if first <= line < first + count:
                return st, st.line + line - first
        return None


@dataclass
class Layout:
    """What the solutions say about a module's files."""
    files: tuple[str, ...]  # "micrograd/engine.py", ... in the order they are written
    owner: dict[str, str] = field(default_factory=dict)  # top-level name -> file defining it
    # The file's own imports from its package (nn.py: `from micrograd.engine import Value`),
    # kept verbatim so that the grader can put its reference module behind them.
    package_imports: dict[str, list[str]] = field(default_factory=dict)
    package_bound: dict[str, set[str]] = field(default_factory=dict)  # names those lines bind

    @property
    def packages(self) -> set[str]:
        return {rel.split("/", 1)[0] for rel in self.files}


def is_cell_magic(source: str) -> bool:
    """`%%bash`, `%%writefile` ...: the cell is not Python (or not only), so it is left out."""
    return source.lstrip().startswith("%%")


def strip_magics(source: str) -> str:
    """Replace IPython-only lines by `pass` (same indentation, same line numbers).

    Valid Python is returned as it is: a docstring line that happens to start with `%` must not
    be touched, and magics never parse, so only source that fails to parse is rewritten."""
    try:
        ast.parse(source)
        return source
    except SyntaxError:
        pass
    lines = []
    for line in source.splitlines():
        magic = _MAGIC_LINE.match(line)
        lines.append(f"{magic.group('indent')}pass" if magic else line)
    return "\n".join(lines) + "\n"


def is_internal_import(node: ast.stmt, packages: set[str]) -> bool:
    """An import of the kit's own packages (or a relative one): the split writes those itself."""
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in packages
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] in packages for alias in node.names)
    return False


def bound_names(node: ast.stmt) -> tuple[str, ...]:
    """The names an import, definition or constant binds; () for anything else."""
    if isinstance(node, ast.Import):
        return tuple(a.asname or a.name.split(".")[0] for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return tuple(a.asname or a.name for a in node.names)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (node.name,)
    return _constant_names(node)


def _constant_names(node: ast.stmt) -> tuple[str, ...]:
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        targets = [node.target]
    elif isinstance(node, ast.Assign):
        targets = node.targets
    else:
        return ()
    names = []
    for target in targets:
        elements = target.elts if isinstance(target, ast.Tuple) else [target]
        if not all(isinstance(e, ast.Name) and _CONSTANT.fullmatch(e.id) for e in elements):
            return ()  # `x = ...`, `A, b = ...`, `obj.A = ...` are experiments, not constants
        names += [e.id for e in elements]
    return tuple(names)


def statement_source(source: str, node: ast.stmt) -> str:
    """The exact text of a top-level statement (a def's decorators included; nothing else on
    its line, so `import sys; sys.exit()` gives just `import sys`)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        # Compound statements start their line, so whole lines are exact here.
        return "\n".join(source.splitlines()[_first_line(node) - 1:node.end_lineno])
    return ast.get_source_segment(source, node)


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def kept_statements(source: str, where: str, cell: int = 0) -> list[Statement]:
    """The imports, definitions and constants at the top level of one (parsable) cell."""
    kept = []
    for node in ast.parse(source).body:
        names = bound_names(node)
        if not names:
            continue
        kind = "import" if isinstance(node, (ast.Import, ast.ImportFrom)) else "definition"
        kept.append(Statement(kind, names, node, statement_source(source, node), where, cell, _first_line(node)))
    return kept


def solution_layout(files: dict[str, str]) -> Layout:
    """Read {relative path: solution (or stub) source} into a Layout."""
    layout = Layout(files=tuple(files))
    for rel, text in files.items():
        source_package = {rel.split("/", 1)[0]}
        layout.package_imports[rel], layout.package_bound[rel] = [], set()
        for node in ast.parse(text).body:
            if is_internal_import(node, source_package):
                layout.package_imports[rel].append(ast.get_source_segment(text, node))
                layout.package_bound[rel].update(bound_names(node))
            elif not isinstance(node, (ast.Import, ast.ImportFrom)):
                for name in bound_names(node):
                    layout.owner.setdefault(name, rel)
    return layout


def free_names(node: ast.AST) -> set[str]:
    """Names a statement reads from the global namespace (approximately: every name loaded
    in it that it never binds itself as a parameter, local or comprehension variable)."""
    loaded, bound = set(), set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            (loaded if isinstance(sub.ctx, ast.Load) else bound).add(sub.id)
        elif isinstance(sub, ast.arg):
            bound.add(sub.arg)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and sub is not node:
            bound.add(sub.name)
    return loaded - bound


def import_time_names(node: ast.stmt) -> set[str]:
    """Names needed while the statement itself runs (not when its functions are later called):
    base classes, decorators, default values, class bodies, a constant's value. These fix the
    order of definitions in a file."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _loaded(node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d])
    if isinstance(node, ast.ClassDef):
        names = _loaded(node.bases + [k.value for k in node.keywords] + node.decorator_list)
        for stmt in node.body:
            is_def = isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            names |= import_time_names(stmt) if is_def else _loaded([stmt])
        return names
    return _loaded([node])


def _loaded(nodes: list[ast.AST]) -> set[str]:
    return {n.id for e in nodes for n in ast.walk(e) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def split(statements: list[Statement], layout: Layout, header: str) -> dict[str, GeneratedFile]:
    """{relative path: generated file} for every file of the layout, from a notebook's statements
    in the order the cells hold them. The last definition of a name wins, as when the cells run
    in order; it keeps the place of the name's first definition, so a class redefined later
    still comes after its base class."""
    latest: dict[str, Statement] = {}
    first_seen: dict[str, int] = {}
    imports: list[Statement] = []
    for index, st in enumerate(statements):
        if st.kind == "import":
            if not is_internal_import(st.node, layout.packages) and st.source not in {i.source for i in imports}:
                imports.append(st)
            continue
        for name in st.names:
            latest[name] = st
            first_seen.setdefault(name, index)
    alive = list({id(st): st for st in latest.values()}.values())
    rank = {id(st): min(first_seen[n] for n in st.names if latest.get(n) is st) for st in alive}
    alive.sort(key=lambda st: rank[id(st)])
    return {rel: _file_text(rel, alive, latest, imports, layout, header) for rel in layout.files}


def _file_text(rel, alive, latest, imports, layout: Layout, header: str) -> GeneratedFile:
    own = [st for st in alive if any(layout.owner.get(n) == rel for n in st.names)]
    chosen, used, borrowed = _closure(rel, own, latest, layout)
    chosen_ids = {id(st) for st in chosen}
    definitions = _import_order([st for st in alive if id(st) in chosen_ids])

    is_future = lambda i: isinstance(i.node, ast.ImportFrom) and i.node.module == "__future__"  # noqa: E731
    future = [i for i in imports if is_future(i)]
    head: list[str | Statement] = [header, *future, *layout.package_imports.get(rel, [])]
    for other, names in sorted(borrowed.items(), key=lambda kv: layout.files.index(kv[0])):
        module = other[:-len(".py")].replace("/", ".")
        head.append(f"from {module} import {', '.join(sorted(names))}")
    head += [i for i in imports if not is_future(i) and _import_needed(i, used)]

    out = GeneratedFile("")
    lines: list[str] = []

    def add(text: str, st: Statement | None = None) -> None:
        count = text.count("\n") + 1
        if st is not None:
            out.spans.append((len(lines) + 1, count, st))
        lines.extend(text.split("\n"))

    for entry in head:
        add(entry.source, entry) if isinstance(entry, Statement) else add(entry)
    for st in definitions:
        lines.extend(["", "", f"# from {st.where}"])
        add(st.source, st)
    out.text = "\n".join(lines) + "\n"
    return out


def _closure(rel, own, latest, layout: Layout):
    """The file's own definitions plus every helper they use, transitively; the names all of
    them read; and {other file: names} to import from the package's other files."""
    chosen, seen, used = [], set(), set()
    borrowed: dict[str, set[str]] = {}
    queue = list(own)
    while queue:
        st = queue.pop(0)
        if id(st) in seen:
            continue
        seen.add(id(st))
        chosen.append(st)
        for name in free_names(st.node) - set(st.names):
            used.add(name)
            owner = layout.owner.get(name)
            if owner is None and name in latest:
                queue.append(latest[name])  # a helper or constant of the learner's own
            elif owner not in (None, rel) and name not in layout.package_bound.get(rel, set()):
                borrowed.setdefault(owner, set()).add(name)
    return chosen, used, borrowed


def _import_needed(st: Statement, used: set[str]) -> bool:
    # Only imports the file's code reads: a notebook's `import numpy as np` for its plots must
    # not reach micrograd's files (the grader refuses numpy there), nor graphviz anywhere.
    return "*" in st.names or any(name in used for name in st.names)


def _import_order(definitions: list[Statement]) -> list[Statement]:
    """Stable topological order: a definition comes after those it needs at import time."""
    by_name = {n: st for st in definitions for n in st.names}
    needs = {id(st): {id(by_name[n]) for n in import_time_names(st.node) if n in by_name} - {id(st)}
             for st in definitions}
    ordered, placed, remaining = [], set(), list(definitions)
    while remaining:
        ready = next((st for st in remaining if needs[id(st)] <= placed), remaining[0])  # a cycle: keep order
        ordered.append(ready)
        placed.add(id(ready))
        remaining.remove(ready)
    return ordered
