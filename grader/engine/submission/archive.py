"""Unpacking a zipped submission safely, and finding the folder that holds the work.

Gradescope and LMS downloads arrive zipped, often with everything inside one top folder
(`student-main/exercises/...`). A zip is the student's, so it is untrusted: no entry may land
outside the folder it is unpacked into (absolute names, `..`), links are never made (an entry
that is a link is skipped, so nothing can point out of the folder), and the number of files and
the bytes written are capped whatever the zip's headers claim.
"""
from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path

from grader.engine import manifest

MAX_FILES = 5000
MAX_BYTES = 256 * 1024 * 1024
JUNK = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}
# Never stepped into: they are the work (the exercise packages, as the manifest's files name them).
PACKAGE_FOLDERS = {*manifest.exercise_packages(), "notebooks"}


class ArchiveError(Exception):
    """A zip that cannot be unpacked safely; the message says why, in one sentence."""


def is_zip(path: Path) -> bool:
    return path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path))


def extract(archive: Path, dest: Path) -> list[str]:
    """Unpack `archive` into `dest` (an empty folder); return the entries skipped (links)."""
    try:
        with zipfile.ZipFile(archive) as z:
            return _extract(z, archive.name, Path(dest))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as e:
        raise ArchiveError(f"{archive.name} is not a zip file that can be read ({e})") from None
    except OSError as e:
        raise ArchiveError(f"{archive.name} could not be unpacked: {e}") from None


def _extract(z: zipfile.ZipFile, name: str, dest: Path) -> list[str]:
    entries = z.infolist()
    files = [i for i in entries if not i.is_dir()]
    if len(files) > MAX_FILES:
        raise ArchiveError(f"{name} holds {len(files)} files; a submission may hold at most {MAX_FILES}")
    if sum(i.file_size for i in files) > MAX_BYTES:
        raise ArchiveError(f"{name} unpacks to more than {MAX_BYTES // 2**20} MB")
    skipped, written = [], 0
    root = dest.resolve()
    for info in entries:
        parts = _safe_parts(info.filename, name)
        if not parts or parts[0] in JUNK or parts[-1].startswith("._"):
            continue  # macOS resource forks and the like
        if stat.S_ISLNK(info.external_attr >> 16):
            skipped.append("/".join(parts))
            continue
        target = dest.joinpath(*parts)
        if not target.resolve().is_relative_to(root):  # belt and braces: no links are ever made
            raise ArchiveError(f"{name}: the entry {info.filename!r} would land outside the submission")
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        if info.flag_bits & 0x1:
            raise ArchiveError(f"{name} is encrypted (password-protected): zip it again without a password")
        target.parent.mkdir(parents=True, exist_ok=True)
        with z.open(info) as source, open(target, "wb") as out:
            while chunk := source.read(1 << 20):
                written += len(chunk)
                if written > MAX_BYTES:  # whatever the headers said
                    raise ArchiveError(f"{name} unpacks to more than {MAX_BYTES // 2**20} MB")
                out.write(chunk)
    return skipped


def _safe_parts(filename: str, name: str) -> list[str]:
    text = filename.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise ArchiveError(f"{name}: the entry {filename!r} has an absolute path")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ArchiveError(f"{name}: the entry {filename!r} would land outside the submission (it contains ..)")
    return parts


def meaningful(folder: Path) -> list[Path]:
    """A folder's entries, without hidden files and the junk archivers and file managers add."""
    try:
        return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in JUNK)
    except OSError:
        return []


def unwrap(folder: Path, levels: int = 4) -> Path:
    """Step into a lone top folder (`student-main/`, `submission/hw1/`), at most `levels` deep;
    never into an exercise package (micrograd/, makemore/) or notebooks/, which are the work itself."""
    for _ in range(levels):
        entries = meaningful(folder)
        if len(entries) != 1 or entries[0].is_symlink() or not entries[0].is_dir():
            break
        if entries[0].name in PACKAGE_FOLDERS:
            break
        folder = entries[0]
    return folder
