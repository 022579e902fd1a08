"""Renderers: each turns the one result model into one format.

A format is one entry in FORMATS (its name -> "module:function"); `--format` takes its choices
from here, and a renderer is imported only when its format is asked for."""
from __future__ import annotations

import importlib
from collections.abc import Mapping

from grader.engine.model import Status

# Each status's mark, the same in every format that shows one (each picks its own colours).
GLYPHS = {Status.PASSED: "✓", Status.FAILED: "✗", Status.TODO: "·", Status.ERROR: "!", Status.TIMEOUT: "⏱",
          Status.CRASHED: "☠"}

FORMATS = {
    "text": "grader.engine.render.text:render_text",
    "json": "grader.engine.render.json_format:render_json",
    "junit": "grader.engine.render.junit:render_junit",
    "gradescope": "grader.engine.render.gradescope:render_gradescope",
    "github": "grader.engine.render.github:render_github",
    "classroom": "grader.engine.render.classroom:render_classroom",
}


class _Renderers(Mapping):
    """format name -> render function, imported on first use."""

    def __getitem__(self, name: str):
        module, _, function = FORMATS[name].partition(":")
        return getattr(importlib.import_module(module), function)

    def __iter__(self):
        return iter(FORMATS)

    def __len__(self) -> int:
        return len(FORMATS)


RENDERERS = _Renderers()
