"""Writing and checking the stub index, `grader/engine/submission/stub_index.json`, from the stubs.

The index is read by the engine (grader/engine/submission/stub_index.py: an untouched stub never
shadows a learner's work, and a notebook is split by the stubs' layout). It is made here, on the
authors' side, because making it needs the notebooks the stubs make (notebook_build.py): the
engine reads the result and never builds it. `python -m grader.authoring.stubgen` writes it with
the stubs, and `--check` fails when it is stale.
"""
from __future__ import annotations

import json
from pathlib import Path

from grader.authoring.notebook_build import build_notebook
from grader.engine import manifest
from grader.engine.submission.exercise_files import module_files
from grader.engine.submission.notebook_split import solution_layout
from grader.engine.submission.stub_index import INDEX_NAME, code_digest, text_digest


def build(exercises: Path) -> dict:
    """The index of the stubs in `exercises` (and of the notebooks they make), for every module
    of the manifest whose stubs are there."""
    modules = {}
    for module in manifest.module_names():
        files = {rel: (exercises / rel).read_text(encoding="utf-8") for rel in module_files(module)
                 if (exercises / rel).is_file()}
        if not files:
            continue
        layout = solution_layout(files)
        nb = build_notebook(module, exercises)
        modules[module] = {
            "files": {rel: text_digest(text) for rel, text in files.items()},
            "notebook": code_digest([c.source for c in nb.cells if c.cell_type == "code"]),
            "layout": {
                "files": list(layout.files),
                "owner": layout.owner,
                "package_imports": layout.package_imports,
                "package_bound": {rel: sorted(names) for rel, names in layout.package_bound.items()},
            },
        }
    return {"version": 1, "modules": modules}


def index_text(index: dict) -> str:
    return json.dumps(index, indent=1, sort_keys=True) + "\n"


def check(root: Path) -> list[str]:
    """Problems with `root`'s grader/engine/submission/stub_index.json (empty: it matches the stubs)."""
    path = Path(root) / INDEX_NAME
    if not path.is_file():
        return [f"missing: {INDEX_NAME}"]
    if path.read_text(encoding="utf-8") != index_text(build(Path(root) / "exercises")):
        return [f"differs: {INDEX_NAME}"]
    return []


def write(root: Path) -> bool:
    """Write `root`'s grader/engine/submission/stub_index.json from its stubs; True when it changed."""
    path = Path(root) / INDEX_NAME
    text = index_text(build(Path(root) / "exercises"))
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
