"""The kit's own stubs, known by content, shipped in the package as `grader/engine/submission/stub_index.json`.

Two things a grader needs about the stubs, even installed with pip alone (no checkout around):

- Recognising an untouched stub, so that it never shadows a learner's work (SPEC §1): the
  sha256 of each stub file, and of each shipped notebook's code (its code cells only: running the
  cells or re-saving the notebook in Colab changes outputs and metadata, not the code).
- Which file each top-level name belongs to, to split a notebook into a module's files.

Text is compared after normalising line endings and trailing white space, so a stub saved on
Windows or by an editor that trims lines is still the stub. This file reads the index; the kit's
authors write it with the stubs (`python -m grader.authoring.stubgen`, by
grader/authoring/stub_index_build.py, which digests the stubs with `text_digest` and `code_digest`
below) and `python -m grader.authoring.stubgen --check` fails when it is stale.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
from pathlib import Path

from grader.engine.submission.notebook_split import Layout

INDEX = Path(__file__).with_name("stub_index.json")
INDEX_NAME = "grader/engine/submission/stub_index.json"  # where it lives in a kit checkout
MAX_STUB_BYTES = 1_000_000  # stubs are a few kB: anything larger is the learner's


def normalized(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def text_digest(text: str) -> str:
    return hashlib.sha256(normalized(text).encode("utf-8")).hexdigest()


def code_digest(sources: list[str]) -> str:
    """The digest of a notebook's code: its non-blank code cells, in order (Jupyter adds an empty
    cell at the end of a notebook that is opened and saved)."""
    cells = [normalized(s) for s in sources if s.strip()]
    return hashlib.sha256("\n\0\n".join(cells).encode("utf-8")).hexdigest()


# -- using it (anywhere) ------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def load() -> dict:
    return json.loads(INDEX.read_text(encoding="utf-8"))


def layout(module: str) -> Layout:
    """Which file of `module` defines which name, as the stubs say."""
    entry = load()["modules"].get(module)
    if entry is None:
        raise ValueError(f"the grader's stub index has no module {module!r}")
    data = entry["layout"]
    return Layout(files=tuple(data["files"]), owner=dict(data["owner"]),
                  package_imports={k: list(v) for k, v in data["package_imports"].items()},
                  package_bound={k: set(v) for k, v in data["package_bound"].items()})


def module_names(module: str) -> set[str]:
    """The top-level names the module's stubs define (Value, build_vocab, CHALLENGE, ...)."""
    return set(load()["modules"].get(module, {}).get("layout", {}).get("owner", {}))


def is_stub_file(path: Path) -> bool:
    """Whether the file is one of the kit's untouched stubs. Links and special files are never
    read (a link to /dev/zero must not hang the grader): they are not stubs."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STUB_BYTES:
            return False
        digest = text_digest(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False
    return any(digest in m["files"].values() for m in load()["modules"].values())


def is_stub_notebook(sources: list[str]) -> bool:
    """Whether code cells with these sources are those of one of the kit's shipped notebooks."""
    digest = code_digest(sources)
    return any(digest == m["notebook"] for m in load()["modules"].values())
