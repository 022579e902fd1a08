"""Pointing feedback at what the learner wrote: a notebook's cells, not the files made from it.

Grading a notebook runs files the grader wrote (`micrograd/engine.py` made of the notebook's
definitions). A traceback into them says `micrograd/engine.py line 42`; the learner has no such
file, so every such reference is rewritten as the notebook, cell and line it came from
("micrograd.ipynb, code cell 4 (cell 9), line 3"). Temporary folders the grader made are
replaced by the submission's own name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from grader.engine.submission.notebook_load import NotebookExercises


@dataclass
class SourceMap:
    # generated file (relative to exercises/) -> (the notebook as the learner calls it, its files)
    notebooks: dict[str, tuple[str, NotebookExercises]] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)  # a temporary folder -> what to call it

    def add_notebook(self, shown_as: str, made: NotebookExercises) -> None:
        for rel in made.files:
            self.notebooks[rel] = (shown_as, made)

    def add_folder(self, path: str, shown_as: str) -> None:
        self.folders[path] = shown_as

    def translate(self, text: str) -> str:
        if not text:
            return text
        if self.notebooks:
            files = "|".join(re.escape(rel) for rel in sorted(self.notebooks, key=len, reverse=True))
            text = re.sub(rf"(?:exercises/)?\b({files}),? line (\d+)", self._cell, text)
        for path, shown_as in sorted(self.folders.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(path, shown_as)
        return text

    def _cell(self, match: re.Match) -> str:
        rel, line = match.group(1), int(match.group(2))
        shown_as, made = self.notebooks[rel]
        origin = made.files[rel].origin(line)
        if origin is None:  # one of the import lines the grader adds to every file it makes
            return f"{shown_as} (an import the grader adds for {rel})"
        statement, cell_line = origin
        return f"{shown_as}, {statement.where}, line {cell_line}"

    def translate_result(self, result) -> None:
        """Rewrite, in place, every message of a RunResult's modules that this map covers."""
        for module in result.modules:
            for c in module.components:
                c.message = self.translate(c.message)
                c.hint = self.translate(c.hint)
                c.details = [self.translate(d) for d in c.details]

