"""Every shape a submission arrives in, solved or not (issue 11): builders shared by
tests/test_shapes.py (graded from this checkout) and tests/test_pip_only.py (graded by a kit
installed with pip alone).

"Solved" means micrograd solved (and, in the mixture, bigram too); "unsolved" means what a
learner has before writing anything: the kit's stubs and shipped notebooks, as Jupyter saves
them after a run (outputs, execution counts, an empty last cell), which must still be recognised
as the untouched stubs.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import nbformat
from nbformat import v4

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
SHIPPED_NOTEBOOKS = EXERCISES / "notebooks"
MICROGRAD_FILES = ["micrograd/engine.py", "micrograd/nn.py", "micrograd/train.py", "micrograd/gradcheck.py"]


def as_jupyter_saves_it(nb) -> str:
    """A notebook after Run All and Save: outputs, execution counts, new metadata, an empty cell."""
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        cell.execution_count = count
        cell.outputs = [v4.new_output("stream", name="stdout", text=f"ran {count}\n")]
    nb.cells.append(v4.new_code_cell(""))
    nb.metadata["colab"] = {"provenance": []}
    return nbformat.writes(nb)


def shipped_notebook(module: str) -> str:
    return as_jupyter_saves_it(nbformat.read(SHIPPED_NOTEBOOKS / f"{module}.ipynb", as_version=4))


def solved_notebook(module: str) -> str:
    """The shipped notebook with every TODO written (the solutions), and experiments of the learner's."""
    from grader.authoring.notebook_build import build_notebook

    nb = build_notebook(module, SOLUTIONS)
    nb.cells.append(v4.new_code_cell("print('an experiment the grader never runs')\nwhile True:\n    pass"))
    return as_jupyter_saves_it(nb)


def _clone(dest: Path) -> Path:
    """A learner's clone of the kit: README.md, exercises/ with the stubs and shipped notebooks."""
    repo = dest / "student-repo"
    shutil.copytree(EXERCISES, repo / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "README.md", repo / "README.md")
    return repo


def _solve_micrograd(exercises: Path) -> None:
    for rel in MICROGRAD_FILES:
        shutil.copy(SOLUTIONS / rel, exercises / rel)


def repo(dest: Path, solved: bool) -> Path:
    root = _clone(dest)
    if solved:
        _solve_micrograd(root / "exercises")
    return root


def exercises(dest: Path, solved: bool) -> Path:
    return repo(dest, solved) / "exercises"


def contents(dest: Path, solved: bool) -> Path:
    """What a student uploads to Gradescope: the contents of exercises/ (notebooks/ included)."""
    upload = dest / "upload"
    upload.mkdir(parents=True)
    for child in exercises(dest / "clone", solved).iterdir():
        shutil.move(str(child), upload / child.name)
    return upload


def notebook(dest: Path, solved: bool) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / "micrograd.ipynb"
    path.write_text(solved_notebook("micrograd") if solved else shipped_notebook("micrograd"), encoding="utf-8")
    return path


def notebooks(dest: Path, solved: bool) -> Path:
    folder = dest / "notebooks-upload"
    folder.mkdir(parents=True)
    for module in ("micrograd", "bigram", "mlp", "batchnorm"):
        text = solved_notebook(module) if solved and module == "micrograd" else shipped_notebook(module)
        (folder / f"{module}.ipynb").write_text(text, encoding="utf-8")
    return folder


def mixture(dest: Path, solved: bool) -> Path:
    """micrograd as .py files, bigram as a notebook (no bigram.py), in one kit clone."""
    root = repo(dest, solved)
    (root / "exercises" / "makemore" / "bigram.py").unlink()
    text = solved_notebook("bigram") if solved else shipped_notebook("bigram")
    (root / "exercises" / "notebooks" / "bigram.ipynb").write_text(text, encoding="utf-8")
    return root


def zipped(builder):
    """The same shape, zipped as a download: a folder inside one top folder, a notebook at the top."""
    def build(dest: Path, solved: bool) -> Path:
        made = builder(dest / "unzipped", solved)
        archive = dest / "submission.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            if made.is_file():
                z.write(made, made.name)
            else:
                for path in sorted(made.rglob("*")):
                    z.write(path, f"student-main/{path.relative_to(made).as_posix()}")
        shutil.rmtree(dest / "unzipped")
        return archive
    return build


# shape -> (builder, {module graded: the kind of source it must be graded from})
SHAPES = {
    "repo": (repo, {"micrograd": "files"}),
    "exercises": (exercises, {"micrograd": "files"}),
    "contents": (contents, {"micrograd": "files"}),
    "notebook": (notebook, {"micrograd": "notebook"}),
    "notebooks": (notebooks, {"micrograd": "notebook"}),
    "mixture": (mixture, {"micrograd": "files", "bigram": "notebook"}),
}
SHAPES.update({f"zip-of-{name}": (zipped(builder), kinds) for name, (builder, kinds) in list(SHAPES.items())})
