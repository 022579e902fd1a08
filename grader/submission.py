"""Finding the `exercises/` folder to grade, and refusing clearly when there is none."""
from __future__ import annotations

from pathlib import Path


PACKAGES = ("micrograd", "makemore")  # what an exercises folder holds


class SubmissionError(Exception):
    """Bad usage or an unreadable submission: the CLI exits 2 with this message."""


def kit_root() -> Path | None:
    """The kit checkout this grader belongs to (it holds `solutions/`), if there is one."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "solutions").is_dir() else None


def find_checkout(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if (folder / "exercises").is_dir() and (folder / "grader").is_dir():
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
                "or pass --submission PATH")
        return root / "exercises"
    path = Path(submission).expanduser()
    if not path.exists():
        raise SubmissionError(f"--submission {submission}: no such file or folder")
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
