"""Finding the `exercises/` folder to grade, and refusing clearly when there is none."""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path


PACKAGES = ("micrograd", "makemore")  # what an exercises folder holds


class SubmissionError(Exception):
    """Bad usage or an unreadable submission: the CLI exits 2 with this message."""


def kit_root() -> Path | None:
    """The kit checkout this grader belongs to (it holds `solutions/`), if there is one."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "solutions").is_dir() else None


HANDOUT_MARKER = ".zero-to-hero"  # written by `grade handout`: this folder is a student's repository


def find_checkout(start: Path) -> Path | None:
    """The kit checkout, or the hand-out repository, around `start`."""
    for folder in [start, *start.parents]:
        if (folder / "exercises").is_dir() and ((folder / "grader").is_dir() or (folder / HANDOUT_MARKER).is_file()):
            return folder
    return None


def resolve(submission: str | None, solutions: bool, cwd: Path | None = None) -> Path:
    """The exercises folder to grade (for --solutions, the kit's solutions folder)."""
    cwd = cwd or Path.cwd()
    if solutions:
        if submission:
            raise SubmissionError("--solutions and --submission cannot be used together")
        root = kit_root() or find_checkout(cwd)
        if root is None or not (root / "solutions").is_dir():
            raise SubmissionError("no solutions/ folder: --solutions works in a checkout of the kit")
        return root / "solutions"
    if submission is None:
        root = find_checkout(cwd)
        if root is None:
            raise SubmissionError(
                f"no exercises/ folder in {cwd} or above it: run grade inside your copy of the kit, "
                "make one here with grade init, or pass --submission PATH")
        return root / "exercises"
    path = Path(submission).expanduser()
    if not path.exists():
        raise SubmissionError(f"--submission {submission}: no such file or folder")
    if path.suffix == ".ipynb" or (path.is_dir() and not (path / "exercises").is_dir() and notebooks_in(path)):
        raise NotebookSubmission(path)
    if not path.is_dir():
        raise SubmissionError(f"--submission {submission}: expected a folder holding exercises/, got a file")
    if path.name == "exercises":
        return path.resolve()
    if (path / "exercises").is_dir():
        return (path / "exercises").resolve()
    if any((path / package).is_dir() for package in PACKAGES):
        return path.resolve()  # an exercises folder by another name (e.g. a Gradescope upload)
    raise SubmissionError(
        f"--submission {submission}: expected an exercises/ folder at {path / 'exercises'} "
        "(or the path of an exercises/ folder itself, holding micrograd/ or makemore/)")


class NotebookSubmission(Exception):
    """Raised by `resolve` for a notebook (or a folder of notebooks): use `prepare` instead."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


def notebooks_in(folder: Path) -> dict[str, Path]:
    """`<module>.ipynb` files at the top of a repository or in its notebooks/ folder."""
    from grader import manifest

    found = {}
    for name in manifest.module_names():
        for candidate in (folder / f"{name}.ipynb", folder / "notebooks" / f"{name}.ipynb"):
            if candidate.is_file():
                found[name] = candidate
                break
    return found


@contextlib.contextmanager
def prepare(submission: str | None, solutions: bool, modules: list[str]):
    """The exercises folder to grade, for as long as grading lasts.

    A notebook (`--submission work.ipynb`, or a repository without exercises/ that holds
    `micrograd.ipynb` and the like) becomes a temporary exercises folder made of its
    definitions only: the experiments in its cells are never run."""
    from grader.notebooks import NotebookError, notebook_to_exercises

    try:
        yield resolve(submission, solutions)
        return
    except NotebookSubmission as found:
        path = found.path
    sources = {m: path for m in modules} if path.suffix == ".ipynb" else notebooks_in(path)
    with tempfile.TemporaryDirectory(prefix="grade-notebook-") as tmp:
        exercises = Path(tmp) / "exercises"
        exercises.mkdir()
        for module, notebook in sources.items():
            if module in modules:
                try:
                    notebook_to_exercises(notebook, module, Path(tmp))
                except NotebookError as exc:
                    raise SubmissionError(str(exc)) from None
        yield exercises
