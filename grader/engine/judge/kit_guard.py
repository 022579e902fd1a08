"""The kit as the judge must find it after grading: unchanged, with no bytecode it did not write.

Only without a sandbox can student code reach the kit's files (the sandbox shows workers a
read-only copy of the few files they run); these checks catch what it did there.
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

KIT = Path(__file__).resolve().parents[2]  # the grader package


def kit_fingerprint() -> str:
    """A hash of every source and data file of the grader package: a submission that edits, adds
    or deletes any of them while it is graded is caught (they are the instructor's, not the
    student's), whatever it does to sizes and times. Bytecode is checked apart (`foreign_bytecode`):
    the judge itself writes it."""
    digest = hashlib.sha256()
    for path in sorted(KIT.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(KIT)).encode() + b"\0")
            try:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError:
                digest.update(b"unreadable")
    return digest.hexdigest()


def foreign_bytecode(since: float = 0.0) -> list[Path]:
    """Bytecode in the grader package, written (its inode changed: no one can set that time back)
    at `since` or later, that is not what its source compiles to: planted (an unchecked-hash .pyc
    makes Python skip the source), or without a source at all."""
    import marshal

    found = []
    for pyc in KIT.rglob("__pycache__/*.pyc"):
        source = pyc.parent.parent / (pyc.name.split(".", 1)[0] + ".py")
        try:
            if pyc.stat().st_ctime < since:
                continue
            data = pyc.read_bytes()
            flags = int.from_bytes(data[4:8], "little")
            if not source.is_file() or (flags & 1 and not flags & 2):
                found.append(pyc)
            elif marshal.loads(data[16:]) != compile(source.read_bytes(), str(source), "exec", dont_inherit=True):
                found.append(pyc)  # code objects compare by their bytecode, constants and names
        except (OSError, ValueError, EOFError, TypeError, SyntaxError):
            found.append(pyc)
    return found


def private_bytecode() -> None:
    """Without a sandbox, a worker can write into the kit: from here on this judge reads and
    writes bytecode only in a cache of its own, so a .pyc planted in the kit's __pycache__ is never
    loaded by a module imported later (the hidden suites are). torch, numpy and pytest are imported
    first: compiling them afresh on every run would cost seconds."""
    import atexit
    import shutil
    import sys

    if not getattr(private_bytecode, "done", False):
        import numpy  # noqa: F401
        import pytest  # noqa: F401
        import torch  # noqa: F401

        folder = tempfile.mkdtemp(prefix="grade-pycache-")
        atexit.register(shutil.rmtree, folder, True)
        sys.pycache_prefix = folder
        private_bytecode.done = True


def purge_bytecode(files=None) -> None:
    """Bytecode the grader did not write itself must never be loaded by a later run."""
    import shutil

    if files is not None:
        for pyc in files:
            pyc.unlink(missing_ok=True)
        return
    for cache in KIT.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
