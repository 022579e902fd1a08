"""`grade reset COMPONENT`: put one exercise back to its stub, and nothing else.

A component's stub is the set of functions whose body is its `raise NotImplementedError("TODO
<component>: ...")` (stubgen makes every TODO a whole function body). Only those functions of the
learner's file are replaced, found by their qualified name (`Value.__mul__`), so the rest of the
file, solved or not, stays as it is. The file as it was is copied into `.grade/backup/` first.
"""
from __future__ import annotations

import ast
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine import manifest


class ResetError(Exception):
    """The stub cannot be put back; the message says why and what to do instead."""


@dataclass
class ResetPlan:
    component: str
    path: Path  # the learner's file
    rel: str  # relative to exercises/
    names: list[str]  # qualified names of the functions put back
    new_text: str
    missing: list[str] = field(default_factory=list)  # functions the file did not have (added back)

    def describe(self) -> str:
        what = ", ".join(self.names)
        added = f" ({', '.join(self.missing)} missing, so added back)" if self.missing else ""
        return f"puts {what} in exercises/{self.rel} back to the stub{added}"

    def apply(self, root: Path) -> Path | None:
        """Write the file; return the backup of what was there (None for a new file)."""
        backup = None
        if self.path.exists():
            stamp = time.strftime("%Y%m%d-%H%M%S")
            backup = root / ".grade" / "backup" / f"{self.rel.replace('/', '_')}.{stamp}"
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.path, backup)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "w", encoding="utf-8", newline="") as stream:
            stream.write(self.new_text)
        return backup


def plan_reset(exercises: Path, component: str, stubs: dict[str, str], whole_file: bool = False) -> ResetPlan:
    try:
        _, comp = manifest.find_component(component)
    except KeyError:
        raise ResetError(f"no component {component!r}: grade list shows them all") from None
    stub = stubs.get(comp.file)
    if stub is None:
        raise ResetError(f"the kit has no stub for exercises/{comp.file}")
    path = Path(exercises) / comp.file
    stub_functions = _todo_functions(ast.parse(stub), component)
    names = [".".join(q) for q in stub_functions]
    if whole_file or not path.exists():
        return ResetPlan(component, path, comp.file, ["the whole file"] if path.exists() else names, stub)
    text = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        raise ResetError(f"exercises/{comp.file} does not parse (line {e.lineno}: {e.msg}), so one exercise cannot "
                         f"be picked out of it: fix it, or put the whole file back with "
                         f"grade reset {component} --whole-file") from None
    new_text, missing = _replace(text, tree, stub.splitlines(keepends=True), stub_functions, component, comp.file)
    return ResetPlan(component, path, comp.file, names, new_text, missing)


def _is_todo(node: ast.stmt, component: str) -> bool:
    """`raise NotImplementedError("TODO <component>: ...")`."""
    if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
        return False
    arg = node.exc.args[0]
    return (isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            and (arg.value == f"TODO {component}" or arg.value.startswith(f"TODO {component}:")))


def _definitions(tree: ast.Module) -> dict[tuple[str, ...], ast.AST]:
    """Every function and class at the top or inside classes, by qualified name; the last
    definition of a name wins, as when the file runs."""
    found: dict[tuple[str, ...], ast.AST] = {}

    def visit(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found[prefix + (node.name,)] = node
                if isinstance(node, ast.ClassDef):
                    visit(node.body, prefix + (node.name,))

    visit(tree.body, ())
    return found


def _todo_functions(tree: ast.Module, component: str) -> dict[tuple[str, ...], ast.AST]:
    chosen = {q: n for q, n in _definitions(tree).items()
              if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(_is_todo(s, component) for s in n.body)}
    if not chosen:
        raise ResetError(f"the stub has no TODO for {component}")
    return chosen


def _first_line(node) -> int:
    return min([node.lineno] + [d.lineno for d in node.decorator_list])


def _shifted(lines: list[str], by: int) -> list[str]:
    if by >= 0:
        return [(" " * by + line) if line.strip() else line for line in lines]
    return [line[-by:] if line[:-by].strip() == "" else line.lstrip() for line in lines]


def _end_with_comments(lines: list[str], node) -> int:
    """The function's last line, counting the comment lines right after it that are indented
    into its body (`# END ...` notes): they go with the code they describe."""
    end = node.end_lineno
    while end < len(lines):
        line = lines[end]
        indent = len(line) - len(line.lstrip())
        if not line.lstrip().startswith("#") or indent <= node.col_offset:
            break
        end += 1
    return end


def _replace(text, tree, stub_lines, stub_functions, component, rel):
    """The learner's text with each stub function in place of theirs (or added to its class)."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    mine = _definitions(tree)
    edits = []  # (start, end, new lines): replace lines[start:end]
    missing = []
    for qualname, stub_node in stub_functions.items():
        block = stub_lines[_first_line(stub_node) - 1:stub_node.end_lineno]
        if qualname in mine:
            node = mine[qualname]
            end = _end_with_comments(lines, node)
            edits.append((_first_line(node) - 1, end, _shifted(block, node.col_offset - stub_node.col_offset)))
            continue
        container = mine.get(qualname[:-1]) if len(qualname) > 1 else None
        if len(qualname) > 1 and container is None:
            raise ResetError(f"exercises/{rel} has no class {'.'.join(qualname[:-1])} to put "
                             f"{qualname[-1]} back into: put the whole file back with "
                             f"grade reset {component} --whole-file")
        missing.append(".".join(qualname))
        if container is None:
            edits.append((len(lines), len(lines), ["\n", "\n", *block]))
        else:
            indent = container.body[0].col_offset - stub_node.col_offset
            edits.append((container.end_lineno, container.end_lineno, ["\n", *_shifted(block, indent)]))
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[start:end] = new
    return "".join(lines), missing
