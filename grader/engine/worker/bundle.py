"""The worker's own code, copied apart: all a worker can import of the kit.

A worker needs the protocol, the server, the submission loader and the probes of the module it
grades: nothing that solves an exercise. So it never runs from the kit's folder (which holds
`solutions/` in a checkout, and `grader/references` and the hidden suites everywhere); it runs from
this bundle, made once per judge process in a private temporary folder, read-only inside the
sandbox. The references a worker needs as stand-ins arrive compiled over the protocol, with
the component's own answer left out (`grader.engine.worker.standins`).
"""
from __future__ import annotations

import atexit
import compileall
import functools
import shutil
import tempfile
from pathlib import Path

GRADER = Path(__file__).resolve().parents[2]  # the grader package
# Worker-side files of the kit: nothing here may import grader.suites, grader.engine.judge or
# grader.references at import time (references come as stand-ins, see standins.py).
FILES = (
    "__init__.py", "shared/__init__.py", "shared/exprs.py", "shared/deep_chain.py", "engine/__init__.py",
    "engine/worker/__init__.py", "engine/worker/__main__.py", "engine/worker/boot.py", "engine/worker/protocol.py",
    "engine/worker/server.py", "engine/worker/student.py", "engine/worker/provenance.py",
    "engine/worker/forkserver.py", "engine/worker/confine.py", "engine/worker/cleanup.py", "engine/worker/hugepages.py",
    "probes/__init__.py", "probes/common.py",
    "engine/manifest.py",  # what each component owns: the probes' owner checks read it (grader.engine.manifest.owners)
)
TORCH_FILES = ("probes/tensors.py",)


@functools.lru_cache(maxsize=None)
def build() -> Path:
    """The bundle folder (its `grader/` package at the top), made once per process."""
    root = Path(tempfile.mkdtemp(prefix="grade-kit-"))
    atexit.register(shutil.rmtree, root, True)
    names = list(FILES) + list(TORCH_FILES)
    names += [f"probes/{p.name}" for p in (GRADER / "probes").glob("*.py")]
    names += [f"engine/manifest_data/{p.name}" for p in (GRADER / "engine" / "manifest_data").glob("*.toml")]
    for name in dict.fromkeys(names):
        src = GRADER / name
        if src.is_file():
            dest = root / "grader" / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
    # Bytecode made here, once: workers run with -B from a read-only folder, and would otherwise
    # compile every file again in every worker.
    compileall.compile_dir(str(root), quiet=1, workers=1)
    for folder in [root, *root.rglob("*")]:
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    return root
