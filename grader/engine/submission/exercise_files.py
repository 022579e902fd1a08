"""Which files make up each module's exercises (SPEC §1), relative to an exercises/ folder: the
manifest's, so that a new module's files are known from its TOML alone."""
from __future__ import annotations

from grader.engine import manifest


def module_files(module: str) -> tuple[str, ...]:
    """The module's files, relative to exercises/, in the order they are read (`Module.files`)."""
    loaded = manifest.load().get(module)
    if loaded is None:
        raise ValueError(f"unknown module {module!r}; the modules are {', '.join(manifest.module_names())}")
    return loaded.files
