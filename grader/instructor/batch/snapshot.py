"""A submission as data: the files the grader reads, taken once when the batch starts.

The parent takes every submission's snapshot before the first one is graded and keeps it in a
private folder, so a submission graded early cannot change a classmate's files before they are
graded (what it changes in the originals no longer matters; what it changes in the private copy
is caught by the digest). A judge receives the snapshot's contents, never a path: it writes
them into a folder of its own, so nothing of where the class's submissions live reaches student
code. Only what grading can use is taken: `.py`, `.ipynb` and `.zip` files and their folders,
never hidden folders, caches or virtual environments, never a link that leads outside the
submission.
"""
from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = {".py": 2_000_000, ".ipynb": 20_000_000, ".zip": 20_000_000}  # what grading reads, and the largest
MAX_FILES = 2000
MAX_BYTES = 64_000_000
SKIP_DIRS = {"__pycache__", "node_modules", "site-packages"}


class SnapshotError(Exception):
    """The path cannot be taken as a submission (the row says why)."""


@dataclass
class Snapshot:
    name: str  # the neutral name it is graded under: "submission", "exercises", "submission.ipynb"
    is_file: bool
    files: dict[str, bytes] = field(default_factory=dict)  # relative posix path -> contents
    dirs: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        h = hashlib.sha256(f"{self.name}\0{self.is_file}\0".encode())
        for rel in sorted(self.dirs):
            h.update(b"d\0" + rel.encode("utf-8", "surrogateescape") + b"\0")
        for rel in sorted(self.files):
            data = self.files[rel]
            h.update(b"f\0" + rel.encode("utf-8", "surrogateescape") + b"\0" + str(len(data)).encode() + b"\0" + data)
        return h.hexdigest()

    # -- on the wire (to a judge, local or on a Dask worker) ---------------------------------
    def to_message(self) -> dict:
        return {"name": self.name, "is_file": self.is_file, "dirs": self.dirs,
                "files": {rel: base64.b64encode(data).decode() for rel, data in self.files.items()}}

    @classmethod
    def from_message(cls, data: dict) -> "Snapshot":
        return cls(data["name"], bool(data["is_file"]),
                   {rel: base64.b64decode(b64) for rel, b64 in data["files"].items()}, list(data["dirs"]))

    def write(self, folder: Path) -> Path:
        """Materialise under `folder`; returns the path to grade."""
        folder.mkdir(parents=True, exist_ok=True)
        top = folder / self.name
        if self.is_file:
            top.write_bytes(self.files[""])
            return top
        top.mkdir()
        for rel in sorted(self.dirs):
            (top / _safe(rel)).mkdir(parents=True, exist_ok=True)
        for rel, data in self.files.items():
            path = top / _safe(rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return top


def _safe(rel: str) -> str:
    parts = rel.split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise SnapshotError(f"unsafe path in a snapshot: {rel!r}")
    return rel


def take(path: str | Path) -> Snapshot:
    """Read a submission (a folder or a single file) into a Snapshot."""
    source = Path(path).expanduser()
    if not source.exists():
        raise SnapshotError(f"{path}: no such file or folder")
    if source.is_file():
        size = source.stat().st_size
        if size > MAX_BYTES:
            raise SnapshotError(f"{path}: {size} bytes, more than the {MAX_BYTES} a submission may have")
        return Snapshot("submission" + source.suffix.lower()[:16], True, {"": source.read_bytes()})
    root = source.resolve()
    snap = Snapshot("exercises" if root.name == "exercises" else "submission", False)
    total = 0
    for top, dirs, files in os.walk(root):
        here = Path(top)
        dirs[:] = sorted(d for d in dirs if _keep_dir(here / d))
        for d in dirs:
            snap.dirs.append((here / d).relative_to(root).as_posix())
        for name in sorted(files):
            file = here / name
            limit = SUFFIXES.get(file.suffix)
            if limit is None or name.startswith("."):
                continue
            real = file.resolve() if file.is_symlink() else file
            if file.is_symlink() and (not real.is_file() or root not in real.parents):
                continue  # a link out of the submission: another student's file, or the kit's
            size = real.stat().st_size
            if size > limit:
                continue
            if len(snap.files) >= MAX_FILES or total + size > MAX_BYTES:
                raise SnapshotError(f"{path}: more than {MAX_FILES} files or {MAX_BYTES} bytes of Python "
                                    "and notebooks: not a submission of these exercises")
            snap.files[file.relative_to(root).as_posix()] = real.read_bytes()
            total += size
    return snap


def _keep_dir(path: Path) -> bool:
    name = path.name
    return not (name.startswith(".") or name in SKIP_DIRS or path.is_symlink() or (path / "pyvenv.cfg").exists())
