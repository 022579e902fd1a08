"""The names data set (Karpathy's names.txt): found, fetched once, and always checksummed.

The file is never part of the kit's repository. `load_names()` reads it from the data folder;
when it is absent it downloads it (with a progress bar), checks its sha256 and keeps it. A file
whose checksum is wrong is refused, never silently used.

It lives in the engine because every side reads it: the hidden suites (through grader.checks'
`names_if_present`), `grade` before grading, the learner's commands (`--challenge`, the pictures,
`check()`), the instructor's (`grade fetch-data`, the Gradescope bundle) and a learner's own
experiments (`from grader.engine.names_data import load_names`).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

NAMES_URL = "https://raw.githubusercontent.com/karpathy/makemore/master/names.txt"
NAMES_SHA256 = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"
DATA_ENV = "ZERO_TO_HERO_DATA"


class DataError(Exception):
    """The data set cannot be had: the message says what to do."""


def data_dir() -> Path:
    """$ZERO_TO_HERO_DATA, else the kit checkout's data/, else a per-user cache folder."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    from grader.engine.submission.handed_in import kit_root

    root = kit_root()
    if root is not None:
        return root / "data"
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "zero-to-hero-grader"


def names_path() -> Path:
    return data_dir() / "names.txt"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check(path: Path) -> None:
    digest = sha256(path)
    if digest != NAMES_SHA256:
        raise DataError(
            f"{path} is not Karpathy's names.txt: its sha256 is {digest}, expected {NAMES_SHA256}. "
            f"Delete it and run `grade fetch-data`, or put the right file there.")


def fetch_names(dest: Path | None = None, url: str = NAMES_URL, progress: bool = True) -> Path:
    """Download names.txt to `dest` (default: names_path()), verified, atomically."""
    dest = dest or names_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".names-", suffix=".part")
    try:
        try:
            import urllib.request  # here: every grading imports this module, few download

            with urllib.request.urlopen(url, timeout=30) as response, os.fdopen(fd, "wb") as out:
                total = int(response.headers.get("Content-Length") or 0) or None
                _copy_with_progress(response, out, total, progress)
        except OSError as exc:
            raise DataError(
                f"could not download names.txt from {url} ({exc}). Offline? Put the file at {dest} "
                f"(sha256 {NAMES_SHA256}) and run again.") from None
        _check(Path(tmp))
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def _copy_with_progress(source, out, total, progress: bool) -> None:
    if not progress:
        out.write(source.read())
        return
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    with Progress(*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(), transient=True) as bar:
        task = bar.add_task("names.txt", total=total)
        for chunk in iter(lambda: source.read(1 << 16), b""):
            out.write(chunk)
            bar.advance(task, len(chunk))


def load_names(download: bool = True, progress: bool = True) -> list[str]:
    """The 32,033 names, one word each, in the file's order."""
    path = names_path()
    if not path.exists():
        if not download:
            raise DataError(f"names.txt is not at {path}: run `grade fetch-data`, or put the file there "
                            f"(sha256 {NAMES_SHA256}).")
        fetch_names(path, progress=progress)
    _check(path)
    return path.read_text(encoding="utf-8").splitlines()


def names_if_present() -> list[str] | None:
    """The names when the file is already here (verified); None when it is absent, and checks
    that use the real data are then skipped, never faked. A wrong file raises DataError."""
    if not names_path().exists():
        return None
    return load_names(download=False)
