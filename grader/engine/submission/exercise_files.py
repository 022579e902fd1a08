"""Which files make up each module's exercises (SPEC §1), relative to an exercises/ folder."""
from __future__ import annotations

from grader.engine import manifest

# SPEC section 1: each module's files, in the lectures' order (the manifest lists them by
# component, which puts gradcheck first).
MODULE_FILES = {
    "micrograd": ("micrograd/engine.py", "micrograd/nn.py", "micrograd/train.py", "micrograd/gradcheck.py"),
    "bigram": ("makemore/bigram.py",),
    "mlp": ("makemore/mlp.py",),
    "batchnorm": ("makemore/batchnorm.py",),
}


def module_files(module: str) -> tuple[str, ...]:
    """The module's files, relative to exercises/: SPEC's table, plus any the manifest adds."""
    listed = MODULE_FILES.get(module, ())
    loaded = manifest.load().get(module)
    extra = [] if loaded is None else [c.file for c in loaded.components if c.file not in listed]
    files = listed + tuple(dict.fromkeys(extra))
    if not files:
        raise ValueError(f"unknown module {module!r}; the modules are {', '.join(MODULE_FILES)}")
    return files
