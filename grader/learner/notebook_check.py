"""`from grader import check; check("micrograd.mul")`: grade from a notebook cell.

What is graded is what the running kernel has executed: its cell history (IPython's raw input
history, in the order the cells ran, which is the order the kernel's definitions took effect),
definitions only, split into the module's files by the same rule as notebook submissions
(`grader.engine.submission.notebook_split`). A cell that did not parse never ran, so it is skipped. The files go
to a temporary `exercises/` folder graded by the normal entry point (`grader.engine.judge.run.grade`):
the learner's code runs in a worker process, never in the kernel. The result shows as HTML in
the notebook (`grader.engine.render.html`) and as the usual text report elsewhere.
"""
from __future__ import annotations

import difflib
import re
import tempfile
from pathlib import Path

from grader.engine import manifest
from grader.engine.model import RunResult

STUB = "the stub"  # where a definition no cell has made yet comes from


class CheckResult:
    """What `check` returns: displayed as HTML in Jupyter, as text anywhere else."""

    def __init__(self, result: RunResult, cells: dict[str, dict[int, tuple[str, int]]]):
        self.result = result
        self._cells = cells  # {file: {line: (cell label, line in cell)}}

    @property
    def passed(self) -> bool:
        return self.result.all_passed

    def where(self, text: str) -> str:
        """`micrograd/engine.py line 12` -> `cell In [4], line 3`: the learner has no such file."""
        def swap(match):
            place = self._cells.get(match.group(1), {}).get(int(match.group(2)))
            if place is None:
                return match.group(0)
            if place[0] == STUB:
                return "the kit's stub (no cell you ran defines it yet)"
            return f"cell {place[0]}, line {place[1]}"

        packages = "|".join(map(re.escape, manifest.exercise_packages()))
        text = re.sub(rf"\b((?:{packages})/\w+\.py) line (\d+)", swap, text)
        # The command line's "check again" becomes the notebook's.
        return re.sub(r"check again: grade \S+ -c (\S+)(   \(-v for more\))?", r'check again: check("\1")', text)

    def _repr_html_(self) -> str:
        from grader.engine.render.html import render_html

        return render_html(self.result, where=self.where)

    def __repr__(self) -> str:
        import io

        from grader.engine.render.text import render_text

        stream = io.StringIO()
        render_text(self.result, stream, color=False, verbose=True, next_step=False)
        return self.where(stream.getvalue()).rstrip("\n")

    __str__ = __repr__


def check(target: str, *, seed: int | None = None, timeout: float = 10.0, sources: list[str] | None = None) -> CheckResult:
    """Grade a module ("micrograd") or one component ("micrograd.mul") from the definitions
    this notebook's kernel has run. `sources` (cell texts, in the order they ran) replaces the
    kernel's history, for use outside a notebook."""
    from grader.engine import session
    from grader.engine.judge.run import grade

    module, only = _target(target)
    labelled = _history() if sources is None else [(f"In [{i}]", s) for i, s in enumerate(sources, start=1)]
    if manifest.load()[module].worker == "torch":
        _refuse_a_wrong_data_file()
    with tempfile.TemporaryDirectory(prefix="grade-check-") as tmp:
        exercises, cells = write_exercises(labelled, module, Path(tmp))
        options = session.options(seed, timeout, only=only)
        result = grade([module], exercises, options, all_modules=False)
    return CheckResult(result, cells)


def _target(target: str) -> tuple[str, frozenset[str] | None]:
    modules = manifest.load()
    ids = [c.id for m in modules.values() for c in m.components]
    if target in modules:
        return target, None
    if target in ids:
        return target.split(".", 1)[0], frozenset([target])
    close = difflib.get_close_matches(target, list(modules) + ids, n=3)
    raise ValueError(f"check({target!r}): no such module or component"
                     + (f"; did you mean {', '.join(close)}?" if close else f"; the modules are {', '.join(modules)}"))


def _history() -> list[tuple[str, str]]:
    """(label, source) of every cell the kernel has run, in order (the running cell too)."""
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = lambda: None  # noqa: E731
    shell = get_ipython()
    if shell is None:
        raise RuntimeError("check() grades the cells this notebook has run, so it works inside Jupyter, Colab or "
                           "IPython; from a terminal, run grade MODULE (or pass sources=[...])")
    raw = shell.history_manager.input_hist_raw
    return [(f"In [{i}]", source) for i, source in enumerate(raw) if i and source.strip()]


def write_exercises(labelled: list[tuple[str, str]], module: str, dest: Path):
    """Write the definitions of `labelled` cells as `dest/exercises/` for `module`; return the
    folder and {file: {line: (cell label, line in that cell)}} for messages."""
    from grader.engine.submission.notebook_split import is_cell_magic, kept_statements, solution_layout, split, strip_magics
    from grader.engine.submission.exercise_files import module_files
    from grader.learner.workspace import stub_sources

    stubs = {rel: text for rel, text in stub_sources().items() if rel in module_files(module)}
    layout = solution_layout(stubs)
    # The stubs first: a name no cell has defined yet is the stub's (so it grades as todo, as
    # an untouched file does); any definition the kernel ran comes later, and the last one wins.
    statements = [st for text in stubs.values() for st in kept_statements(text, STUB)]
    for label, source in labelled:
        if is_cell_magic(source):
            continue
        try:
            statements += kept_statements(strip_magics(source), label)
        except (SyntaxError, ValueError):
            continue  # a cell that does not parse raised when it ran: it defined nothing
    header = "# Generated by grader.check from this notebook's cells: their imports, definitions and constants."
    exercises = dest / "exercises"
    cells = {}
    for rel, generated in split(statements, layout, header).items():
        text = generated.text
        target = exercises / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.parent / "__init__.py").write_text("", encoding="utf-8")
        target.write_text(text, encoding="utf-8")
        cells[rel] = _line_map(text, statements)
    return exercises, cells


def _line_map(text: str, statements) -> dict[int, tuple[str, int]]:
    """Each line of a generated file that came from a cell -> (the cell, the line in it)."""
    first_lines = {(st.where, st.source): min([st.node.lineno] + [d.lineno for d in getattr(st.node, "decorator_list", [])])
                   for st in statements}
    lines = text.splitlines()
    mapping = {}
    for index, line in enumerate(lines):
        if not line.startswith("# from "):
            continue
        where = line[len("# from "):]
        for (label, source), first in first_lines.items():
            block = source.splitlines()
            if label == where and lines[index + 1:index + 1 + len(block)] == block:
                for offset in range(len(block)):
                    mapping[index + 2 + offset] = (label, first + offset)  # file lines count from 1
                break
    return mapping


def _refuse_a_wrong_data_file() -> None:
    from grader.engine.names_data import names_if_present

    names_if_present()  # raises DataError, whose message says what to do
