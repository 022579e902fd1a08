"""A learner's workspace without a clone: `grade init` writes it, `grade reset` restores a stub.

A workspace is a folder holding `exercises/` (the stubs, and the notebooks in
`exercises/notebooks/`), a short README and `.zero-to-hero`, the mark (the same as a hand-out's)
that makes every command treat it as a checkout (see
`grader.engine.submission.handed_in.find_checkout`). The stubs come from the installed package
(`grader/kit_stubs/`, written into the wheel by setup.py), or, in a clone of the kit, straight
from `solutions/` through `grader.authoring.stubgen`: never from the `exercises/` a learner may
have edited.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from grader.engine import manifest
from grader.engine.submission.handed_in import HANDOUT_MARKER, kit_root

SHIPPED = Path(__file__).resolve().parent.parent / "kit_stubs"  # grader/kit_stubs, made by setup.py


class WorkspaceError(Exception):
    """The workspace cannot be written (or a stub restored); the message says what to do."""


def stub_sources() -> dict[str, str]:
    """{path relative to exercises/: the untouched stub}, for every exercise file."""
    if SHIPPED.is_dir():
        return {p.relative_to(SHIPPED).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(SHIPPED.rglob("*.py")) if "__pycache__" not in p.parts}
    root = kit_root()
    if root is None:
        raise WorkspaceError("this installation of the kit carries no exercise stubs (grader/kit_stubs/ is "
                             "missing): reinstall it with pip, or work in a clone of the kit")
    from grader.authoring.stubgen import generate

    return generate(root / "solutions")


def notebook_sources(stubs: dict[str, str]) -> dict[str, str]:
    """{notebook path relative to exercises/: its text}, made from the stubs as the kit's are."""
    from grader.engine.submission.exercise_files import module_files
    from grader.authoring.notebook_build import build_notebook, notebook_text

    with tempfile.TemporaryDirectory(prefix="grade-init-") as tmp:
        for rel, text in stubs.items():
            (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / rel).write_text(text, encoding="utf-8")
        return {f"notebooks/{m}.ipynb": notebook_text(build_notebook(m, Path(tmp)))
                for m in manifest.module_names() if any(rel in stubs for rel in module_files(m))}


def kit_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("zero-to-hero-grader")
    except metadata.PackageNotFoundError:
        return "unknown"


def init_workspace(dest: Path) -> list[Path]:
    """Write a workspace into `dest` (made if needed) and return the files written.

    Refuses, writing nothing, when any exercise file or notebook is already there: that may be
    somebody's work. An existing README.md is left alone."""
    dest = Path(dest).expanduser()
    stubs = stub_sources()
    files = {f"exercises/{rel}": text for rel, text in stubs.items()}
    files.update({f"exercises/{rel}": text for rel, text in notebook_sources(stubs).items()})
    present = [rel for rel in files if (dest / rel).exists()]
    if present:
        shown = ", ".join(present[:4]) + (f" and {len(present) - 4} more" if len(present) > 4 else "")
        raise WorkspaceError(f"{dest} already holds exercises ({shown}): nothing was written, so no work is "
                             "lost. Pick an empty folder (grade init NEW_FOLDER), or use grade reset "
                             "COMPONENT to put one exercise back to its stub")
    if not (dest / "README.md").exists():
        files["README.md"] = readme_text()
    files[HANDOUT_MARKER] = (f"# A Zero to Hero workspace, made by `grade init` (kit {kit_version()}, "
                             f"{time.strftime('%Y-%m-%d')}): `grade` grades the exercises/ folder next to this file.\n")
    if not (dest / ".gitignore").exists():
        files[".gitignore"] = "# grade's progress and scratch files\n.grade/\n__pycache__/\n"
    written = []
    for rel, text in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        written.append(path)
    return written


def readme_text() -> str:
    rows = "\n".join(f"| {m.lecture or m.title} | `grade {m.name}` | `exercises/{_files(m)}` | "
                     f"`exercises/notebooks/{m.name}.ipynb` |" for m in manifest.load().values())
    return f"""# Zero to Hero: your exercises

Made by `grade init` (zero-to-hero-grader {kit_version()}) for Andrej Karpathy's *Neural Networks:
Zero to Hero*. Replace every `raise NotImplementedError("TODO ...")` in the files (or in the
notebooks: use one or the other for a module); the docstring above each says what to compute.

| lecture | grade it | files | or the notebook |
|---|---|---|---|
{rows}

Run these here (or in any folder below this one):

- `grade`: your progress and the next thing to do
- `grade micrograd`: grade a module; `-c micrograd.mul` one component, `-v` more detail
- `grade micrograd --watch`: grade again on every save (keys: h hint, l list, n next, r re-run, q quit)
- `grade list`, `grade hint micrograd.mul`: where you are, and one more hint each time
- `grade reset micrograd.mul`: put one exercise back to its stub (it asks first)
- `grade micrograd --submission exercises/notebooks/micrograd.ipynb`: grade a notebook
- in a notebook cell: `from grader import check` then `check("micrograd.mul")` grades the
  definitions you have run in that notebook

Your progress lives in `.grade/`.
"""


def _files(module) -> str:
    files = list(dict.fromkeys(c.file for c in module.components))
    if len(files) == 1:
        return files[0]
    folder = files[0].split("/")[0]
    return folder + "/"
