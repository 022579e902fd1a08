"""A learner's notebook, read and turned into a module's exercise files.

Only the definitions are taken from the code cells (see `grader.engine.submission.notebook_split` for the rule);
nothing in the notebook is executed here. Which file each definition belongs to comes from the
kit's stub index, shipped in the package (`grader/engine/submission/stub_index.json`), so a pip-only install grades
notebooks as a checkout does. Every generated file remembers which notebook cell each of its lines
came from, so that feedback can point into the notebook rather than into files the learner never
saw (`grader.engine.submission.source_map`).
"""
from __future__ import annotations

import json
import os
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine.submission.notebook_split import (
    GeneratedFile, Layout, Statement, bound_names, is_cell_magic, kept_statements, solution_layout, split,
    strip_magics,
)

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024  # notebooks carry their plots' PNGs: generous, but a cap


class NotebookError(Exception):
    """A notebook that cannot be read or parsed; the message says which file and which cell."""


@dataclass
class NotebookExercises:
    """A notebook's definitions for one module, written as files under `folder` (an exercises/)."""
    notebook: Path
    module: str
    folder: Path
    files: dict[str, GeneratedFile] = field(default_factory=dict)

    @property
    def cells(self) -> list[int]:
        """The notebook's cells (1-based, markdown counted) whose code went into the files."""
        return sorted({st.cell for f in self.files.values() for _, _, st in f.spans if st.cell})


def read_notebook(ipynb: Path):
    """Read a notebook (any nbformat version, converted to v4), or raise NotebookError."""
    ipynb = Path(ipynb)
    try:
        info = os.stat(ipynb)
        if not stat.S_ISREG(info.st_mode):  # a fifo or /dev/zero would never finish reading
            raise NotebookError(f"{ipynb.name} is not a regular file")
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{ipynb.name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB: "
                                "clear the outputs (Edit > Clear all outputs) and save it again")
        text = ipynb.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise NotebookError(f"cannot read the notebook {ipynb}: {e}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise NotebookError(f"{ipynb.name} is not a Jupyter notebook: it is not valid JSON "
                            f"({e.msg} at line {e.lineno}, column {e.colno})") from None
    if not isinstance(raw, dict) or "nbformat" not in raw:
        raise NotebookError(f"{ipynb.name} is not a Jupyter notebook: JSON without an `nbformat` version")
    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns about fixable details; we only need the cells
            nb = nbformat.reads(text, as_version=4)
    except Exception as e:  # nbformat raises many kinds (ValidationError, KeyError, ...)
        raise NotebookError(f"{ipynb.name} is not a readable Jupyter notebook: {type(e).__name__}: {e}") from None
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{ipynb.name} is not a Jupyter notebook: it has no list of cells")
    return nb


def code_cells(nb, name: str = "the notebook") -> list[tuple[int, int, str]]:
    """(cell number, code cell number, source) of every code cell; both numbers are 1-based."""
    found, code_index = [], 0
    for cell_index, cell in enumerate(nb.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        code_index += 1
        source = cell.get("source", "")
        if not isinstance(source, str):
            raise NotebookError(f"{name}: code cell {code_index} (cell {cell_index}): its source is not text")
        found.append((cell_index, code_index, source))
    return found


def cell_label(cell: int, code_cell: int) -> str:
    return f"code cell {code_cell} (cell {cell})"


def statements(nb, name: str) -> list[Statement]:
    """Every kept statement of the notebook, in cell order; a cell that does not parse is an error."""
    kept = []
    for cell_index, code_index, source in code_cells(nb, name):
        if is_cell_magic(source):
            continue
        where = cell_label(cell_index, code_index)
        try:
            kept += kept_statements(strip_magics(source), where, cell_index)
        except (SyntaxError, ValueError) as e:  # ValueError: e.g. a null byte in the source
            line = f", line {e.lineno}" if getattr(e, "lineno", None) else ""
            reason = getattr(e, "msg", None) or str(e)
            raise NotebookError(f"{name}: {where}: {type(e).__name__}: {reason}{line}") from None
    return kept


def code_sources(ipynb: Path) -> list[str]:
    """The sources of a notebook's code cells, quickly: a v4 notebook (what Jupyter and Colab save)
    is read as plain JSON, without importing and validating with nbformat (a quarter of a second
    that `grade` would otherwise pay on every run, for the notebooks shipped beside the stubs)."""
    ipynb = Path(ipynb)
    try:
        info = os.stat(ipynb)
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_NOTEBOOK_BYTES:
            raw = json.loads(ipynb.read_text(encoding="utf-8"))
            cells = raw.get("cells") if isinstance(raw, dict) and raw.get("nbformat") == 4 else None
            if isinstance(cells, list) and all(isinstance(c, dict) for c in cells):
                sources = [c.get("source", "") for c in cells if c.get("cell_type") == "code"]
                sources = ["".join(s) if isinstance(s, list) and all(isinstance(x, str) for x in s) else s
                           for s in sources]
                if all(isinstance(s, str) for s in sources):
                    return sources
    except (OSError, UnicodeDecodeError, ValueError):
        pass  # read_notebook below says what is wrong
    return [source for _, _, source in code_cells(read_notebook(ipynb), ipynb.name)]


def defined_names(sources: list[str]) -> set[str]:
    """The top-level names code cells define, skipping cells that do not parse (to tell which
    module a notebook is for; grading it later names a broken cell)."""
    import ast

    names: set[str] = set()
    for source in sources:
        if is_cell_magic(source):
            continue
        try:
            body = ast.parse(strip_magics(source)).body
        except (SyntaxError, ValueError):
            continue
        for node in body:
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update(bound_names(node))
    return names


def load_notebook(ipynb: Path, module: str, dest: Path, layout: Layout | None = None) -> NotebookExercises:
    """Write the notebook's definitions for `module` as `dest/exercises/...`."""
    from grader.engine.submission import stub_index

    ipynb, dest = Path(ipynb), Path(dest)
    layout = layout or stub_index.layout(module)
    found = statements(read_notebook(ipynb), ipynb.name)
    header = (f"# Generated by grader.engine.submission.notebook_load from {ipynb.name}: the notebook's imports, "
              "definitions and ALL_CAPS constants for this file.")
    made = NotebookExercises(ipynb, module, dest / "exercises", split(found, layout, header))
    for rel, generated in made.files.items():
        target = made.folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.parent / "__init__.py").write_text("", encoding="utf-8")
        target.write_text(generated.text, encoding="utf-8")
    made.folder.mkdir(parents=True, exist_ok=True)
    return made


def notebook_to_exercises(ipynb: Path, module: str, dest: Path, root: Path | None = None) -> Path:
    """Write the notebook's definitions as `dest/exercises/` for `module`; return that folder.

    `root`, when given, is a kit checkout whose solutions (or stubs) say which file defines which
    name; by default the index shipped with the grader says it."""
    layout = solution_layout(_reference_sources(module, Path(root))) if root else None
    return load_notebook(ipynb, module, dest, layout).folder


def _reference_sources(module: str, root: Path) -> dict[str, str]:
    """{file: source} of the module's solutions, or of its stubs (same top-level names)."""
    from grader.engine.submission.exercise_files import module_files

    sources = {}
    for rel in module_files(module):
        for folder in ("solutions", "exercises"):
            path = root / folder / rel
            if path.is_file():
                sources[rel] = path.read_text(encoding="utf-8")
                break
    if not sources:
        raise NotebookError(f"no solutions/ or exercises/ files for {module} under {root}: "
                            "they say which file each definition belongs to")
    return sources
