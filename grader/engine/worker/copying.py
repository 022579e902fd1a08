"""The submission's Python files, copied where a worker may read them and nothing else.

Student code runs on a private copy: it cannot edit the original between checks, and a copy
holds no link that leaves the submission (a link into the kit's `solutions/` would otherwise
hand a worker the answer). Only the top-level .py files and the exercise packages are copied.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.engine import manifest

PACKAGES = manifest.exercise_packages()  # what an exercises folder holds
COPY_LIMIT = 2000  # files: a submission is a handful of .py files, not a virtual environment
FILE_LIMIT = 2_000_000  # bytes per file


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def copy_submission(exercises: Path, target: Path, uid: int | None = None) -> list[str]:
    """Copy into `target` (made here); returns what was refused, as lines for the learner.

    A link that stays inside the submission is copied as the file it names; one that leaves it
    is refused (and the file is then missing, which its components report)."""
    root = exercises.resolve()
    target.mkdir(parents=True)
    refused: list[str] = []
    sources = sorted(p for p in exercises.glob("*.py"))
    for package in PACKAGES:
        top = exercises / package
        if top.is_symlink() and not _inside(top, root):
            refused.append(f"{package}/ is a link to outside your submission: links out are never graded")
            continue
        if top.is_dir():
            sources += sorted(top.rglob("*"))
    for path in sources[:COPY_LIMIT]:
        rel = path.relative_to(exercises)
        if "__pycache__" in rel.parts or any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_symlink() and not _inside(path, root):
            refused.append(f"{rel} is a link to outside your submission: links out are never graded")
            continue
        dest = target / rel
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif path.suffix == ".py" and path.is_file() and path.stat().st_size <= FILE_LIMIT:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    if uid is not None:
        for folder, dirs, files in os.walk(target):
            for name in [folder, *[os.path.join(folder, n) for n in dirs + files]]:
                os.lchown(name, uid, uid)
    return refused
