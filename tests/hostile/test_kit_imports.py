"""An `import` of the kit's own code, written so that a quick look at the text misses it.

Modules the worker has already imported (the probes, the protocol) are found in sys.modules
without any import hook being asked, so the worker reads every file the student's import ran
for such imports (grader.engine.worker.student.kit_imports). It first looks at the text, to skip
the parse of files that cannot name the kit: these are the ways to hide a name from that look.
Each must still be found, and ordinary files (the word "grader" in a docstring) must still load.
"""
from __future__ import annotations

import importlib
import sys

import pytest

from grader.engine.worker.student import KitImport, Student

HIDDEN = {
    "plain": b"import grader.probes.common\n",
    "utf-7-source": b"# -*- coding: utf-7 -*-\nimport +AGc-rader.probes.common\n",
    "full-width-letter": "import ｇrader.probes.common\n".encode(),
    "backslash-continuation": b"import os, \\\n    grader.probes.common\n",
    "from-with-crlf-continuation": b"from \\\r\n grader.probes import common\r\n",
    "after-a-semicolon": b"x = 1;import\tgrader.probes.common as helpers\n",
    "from-the-tests": b"import os\nfrom tests import conftest\n",
}


@pytest.fixture
def student(tmp_path):
    importlib.import_module("grader.probes.common")  # in sys.modules, as in every worker
    made = []

    def load(source: bytes):
        folder = tmp_path / f"ex{len(made)}"
        (folder / "micrograd").mkdir(parents=True)
        (folder / "micrograd" / "engine.py").write_bytes(source + b"\nclass Value:\n    pass\n")
        made.append(Student(folder))
        try:
            return made[-1].load("micrograd.engine")
        finally:
            for name in [m for m in sys.modules if m == "micrograd" or m.startswith("micrograd.")]:
                del sys.modules[name]
    yield load
    for s in made:
        for guard in [g for g in sys.meta_path if getattr(g, "exercises", None) == str(s.exercises)]:
            sys.meta_path.remove(guard)


@pytest.mark.parametrize("source", list(HIDDEN.values()), ids=list(HIDDEN))
def test_a_hidden_import_of_the_kit_is_found(student, source):
    with pytest.raises(KitImport, match="may not use the grader's or the kit's own code"):
        student(source)


def test_a_file_that_only_mentions_the_grader_loads(student):
    module = student(b'"""The grader compares these names with the tests\' letter for letter."""\n'
                     b"import math, random  # not the grader's\n")
    assert module.Value.__name__ == "Value"


def test_an_import_found_once_is_found_on_every_later_load(tmp_path):
    """A helper module of theirs stays imported between loads: it is not read again, but what it
    held is still said (not graded as clean the second time)."""
    importlib.import_module("grader.probes.common")
    folder = tmp_path / "ex"
    (folder / "micrograd").mkdir(parents=True)
    (folder / "their_helper.py").write_text("import grader.probes.common\n")
    (folder / "micrograd" / "engine.py").write_text("import their_helper\nclass Value:\n    pass\n")
    sys.path.insert(0, str(folder))
    s = Student(folder)
    try:
        with pytest.raises(KitImport):
            s.load("micrograd.engine")
        with pytest.raises(KitImport):
            s.load("micrograd.engine", {"micrograd.nn": "grader.probes.common"})
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m in ("micrograd", "their_helper") or m.startswith("micrograd.")]:
            del sys.modules[name]
        sys.meta_path[:] = [g for g in sys.meta_path if getattr(g, "exercises", None) != str(s.exercises)]
