"""Building the exercise notebooks from the stubs.

`build_notebook` makes one notebook per module from its stubs (generated, like the stubs: the
committed `exercises/notebooks/*.ipynb` must match, which `--check` and a test enforce):

    python -m grader.authoring.notebook_build            # (re)write exercises/notebooks/<module>.ipynb
    python -m grader.authoring.notebook_build --check    # exit 1, listing notebooks missing or out of step

The way back, a learner's notebook to an `exercises/` folder, is grader/engine/submission/notebook_load.py (which
uses grader/engine/submission/notebook_split.py's rule for what a cell's definitions are and which file each goes to).
"""
from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
from pathlib import Path

import nbformat
from nbformat import v4

from grader.engine import manifest
from grader.engine.submission.exercise_files import module_files

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path("exercises") / "notebooks"

# A notebook's metadata is fixed so that generated notebooks compare byte for byte.
_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


# -- Building a notebook from the stubs ---------------------------------------------------------

def build_notebook(module: str, exercises_dir: Path) -> nbformat.NotebookNode:
    """The module's exercises (the .py files found under `exercises_dir`) as one notebook."""
    exercises_dir = Path(exercises_dir)
    files = [rel for rel in module_files(module) if (exercises_dir / rel).is_file()]
    dotted = {rel[:-len(".py")].replace("/", ".") for rel in files}
    cells = [_title_cell(module, files)]
    for rel in files:
        cells += _file_cells(rel, (exercises_dir / rel).read_text(encoding="utf-8"), dotted)
    cells.append(v4.new_markdown_cell(
        "## Your experiments\n\n"
        "Add new cells below to try things out: build expressions, print values, train, plot. "
        "The grader never runs them: from your code cells it takes only the imports, the "
        "function and class definitions and the ALL_CAPS constants. If you define one of the "
        "exercise's names again, the last definition in the notebook is the one graded."))
    nb = v4.new_notebook(cells=cells, metadata=_METADATA)
    for index, cell in enumerate(nb.cells):
        cell.id = f"{module}-{index:03d}"  # stable ids, not nbformat's random ones
    return nb


def _title_cell(module: str, files: list[str]):
    info = manifest.load().get(module)
    title = info.title if info else module
    lecture = f"Lecture: *{info.lecture}* (Neural Networks: Zero to Hero).\n\n" if info and info.lecture else ""
    listing = ", ".join(f"`{rel}`" for rel in files)
    return v4.new_markdown_cell(
        f"# {title}\n\n{lecture}"
        f"This notebook holds the exercises of {listing} in one place: names defined in one "
        "section are visible in the next. Replace every `raise NotImplementedError(\"TODO ...\")`; "
        "the text above each code cell says what to compute.\n\n"
        "To grade it, save the notebook and run (with its path for `this.ipynb`):\n\n"
        f"    grade {module} --submission this.ipynb")


def _file_cells(rel: str, text: str, notebook_modules: set[str]) -> list:
    """A file's section: its docstring, its imports, then one cell per top-level statement."""
    tree = ast.parse(text)
    lines = text.splitlines()
    doc = ast.get_docstring(tree)
    cells = [v4.new_markdown_cell(f"## `{rel}`" + (f"\n\n{doc}" if doc else ""))]
    body = tree.body[1:] if doc else tree.body
    imports = [n for n in body if isinstance(n, (ast.Import, ast.ImportFrom))]
    # An import of another file of this notebook is dropped: its names already live here.
    kept = [ast.get_source_segment(text, n) for n in imports if not _imports_from(n, notebook_modules)]
    if kept:
        cells.append(v4.new_code_cell("\n".join(kept)))
    docstring_end = tree.body[0].end_lineno if doc else 0
    statements = [n for n in body if n not in imports]
    for i, node in enumerate(statements):
        end = len(lines) if i == len(statements) - 1 else node.end_lineno  # trailing comments too
        start = max((n.end_lineno for n in body if n.end_lineno < _first_line(node)), default=docstring_end)
        code = "\n".join(lines[start:end]).strip("\n")  # comments just above stay with their statement
        prose = _prose(node, lines)
        if prose:
            cells.append(v4.new_markdown_cell(prose))
        cells.append(v4.new_code_cell(code))
    return cells


def _imports_from(node: ast.stmt, modules: set[str]) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or node.module in modules
    return any(alias.name in modules for alias in node.names)


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _prose(node: ast.stmt, lines: list[str]) -> str:
    """The markdown above a definition: its signature and docstring (and, for a class, what
    each documented method does); nothing for a constant."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        doc = ast.get_docstring(node)
        return f"### `{_signature(node, lines)}`" + (f"\n\n{doc}" if doc else "")
    if not isinstance(node, ast.ClassDef):
        return ""
    text = f"### `class {node.name}`"
    doc = ast.get_docstring(node)
    if doc:
        text += f"\n\n{doc}"
    methods = []
    for method in node.body:
        method_doc = ast.get_docstring(method) if isinstance(method, ast.FunctionDef) else None
        if method_doc:
            summary = " ".join(inspect.cleandoc(method_doc).split("\n\n")[0].split())
            methods.append(f"- `{method.name}`: {summary}")
    if methods:
        text += "\n\nIts methods (each one's docstring in the code says more):\n\n" + "\n".join(methods)
    return text


def _signature(node: ast.FunctionDef, lines: list[str]) -> str:
    """`name(arguments)` as written in the source (ast.unparse would turn 1e-6 into 1e-06)."""
    first, body = node.lineno, node.body[0]
    header = lines[first - 1][:body.col_offset] if body.lineno == first else " ".join(
        line.strip() for line in lines[first - 1:body.lineno - 1])
    match = re.search(rf"def\s+({re.escape(node.name)}\s*\(.*\))\s*(->.*)?:", header)
    return match.group(1) if match else f"{node.name}({ast.unparse(node.args)})"


def notebook_text(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def _modules_with_stubs(root: Path) -> list[str]:
    exercises = root / "exercises"
    return [m for m in manifest.module_names() if any((exercises / rel).is_file() for rel in module_files(m))]


def write_notebooks(root: Path = REPO_ROOT) -> list[Path]:
    """Write exercises/notebooks/<module>.ipynb for every module whose stubs exist; return
    the notebooks that changed."""
    root = Path(root)
    written = []
    for module in _modules_with_stubs(root):
        path = root / NOTEBOOKS / f"{module}.ipynb"
        text = notebook_text(build_notebook(module, root / "exercises"))
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def check_notebooks(root: Path = REPO_ROOT) -> list[str]:
    """The notebooks that are missing or differ from what the stubs generate (empty: all good)."""
    root = Path(root)
    problems = []
    for module in _modules_with_stubs(root):
        path = root / NOTEBOOKS / f"{module}.ipynb"
        rel = (NOTEBOOKS / path.name).as_posix()
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif path.read_text(encoding="utf-8") != notebook_text(build_notebook(module, root / "exercises")):
            problems.append(f"out of step with the stubs: {rel}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.authoring.notebook_build",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook is missing or out of step with the stubs")
    parser.add_argument("--root", type=Path, default=REPO_ROOT,
                        help="the repository holding exercises/ (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.check:
        problems = check_notebooks(args.root)
        for problem in problems:
            print(problem)
        if problems:
            print("notebooks: run `python -m grader.authoring.notebook_build` to regenerate them", file=sys.stderr)
            return 1
        print("notebooks: exercises/notebooks/ is up to date")
        return 0
    for path in write_notebooks(args.root):
        print(f"wrote: {path.relative_to(args.root).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
