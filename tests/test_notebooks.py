"""Tests for grader/authoring/notebook_build.py and grader/engine/submission/notebook_load.py: the exercise notebooks, and notebooks handed in for grading."""
from __future__ import annotations

import ast
import runpy
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from conftest import EXERCISES, ROOT, SOLUTIONS
from shapes import MICROGRAD_FILES
from grader.engine.judge.run import Options, grade_module
from grader.engine import manifest
from grader.authoring.notebook_build import build_notebook, check_notebooks, main, notebook_text, write_notebooks
from grader.engine.submission.notebook_load import NotebookError, notebook_to_exercises

NOTEBOOKS = EXERCISES / "notebooks"
EXPERIMENTS = [
    "print('hello from an experiment')",
    "import numpy as np\nimport matplotlib.pyplot as plt\nxs = np.arange(-5, 5, 0.25)",
    "a = Value(2.0)\na.backward()\nValue(2.0).backward()",
    "while True:\n    pass",
    "import sys; sys.exit()",
]


def save(path: Path, nb) -> Path:
    path.write_text(notebook_text(nb), encoding="utf-8")
    return path


def notebook_of(path: Path, *cells) -> Path:
    """A notebook of code cells (strings) and markdown cells (("md", text))."""
    made = [v4.new_markdown_cell(c[1]) if isinstance(c, tuple) else v4.new_code_cell(c) for c in cells]
    return save(path, v4.new_notebook(cells=made))


def solutions_notebook(tmp_path: Path, module: str, *extra_cells: str) -> Path:
    nb = build_notebook(module, SOLUTIONS)
    nb.cells += [v4.new_code_cell(c) for c in extra_cells]
    return save(tmp_path / f"{module}.ipynb", nb)


def not_passed(result) -> dict:
    return {c.id: c.status.value for c in result.components if c.status.value != "passed"}


# -- the committed notebooks ---------------------------------------------------------------------

def test_committed_notebooks_are_in_step_with_the_stubs():
    assert check_notebooks(ROOT) == [], "run `python -m grader.authoring.notebook_build`"


def test_every_module_with_stubs_has_a_valid_notebook():
    for module, files in ((m.name, m.files) for m in manifest.load().values()):
        if any((EXERCISES / rel).is_file() for rel in files):
            nb = nbformat.read(NOTEBOOKS / f"{module}.ipynb", as_version=4)
            nbformat.validate(nb)
            assert [c.id for c in nb.cells] == [f"{module}-{i:03d}" for i in range(len(nb.cells))]


def test_building_is_deterministic():
    first = notebook_text(build_notebook("micrograd", EXERCISES))
    assert notebook_text(build_notebook("micrograd", EXERCISES)) == first


def test_micrograd_notebook_layout():
    cells = build_notebook("micrograd", EXERCISES).cells
    title = cells[0]
    assert title.cell_type == "markdown" and "grade micrograd --submission this.ipynb" in title.source
    assert "building micrograd" in title.source  # the lecture, from the manifest
    code = [c.source for c in cells if c.cell_type == "code"]
    assert not any("from micrograd" in c for c in code), "cross-file imports are dropped in a notebook"
    assert code.index("import math") < next(i for i, c in enumerate(code) if c.startswith("class Value"))
    sections = [c.source.splitlines()[0] for c in cells if c.source.startswith("## `")]
    assert sections == [f"## `{rel}`" for rel in MICROGRAD_FILES]  # SPEC §1's order, not the components'
    # Each definition: its docstring as prose above, and kept in the code too.
    at = next(i for i, c in enumerate(cells) if c.source.startswith("def numerical_gradient"))
    assert cells[at - 1].source.startswith("### `numerical_gradient(f, xs, h=1e-6)`")
    assert "central differences" in cells[at - 1].source and "central differences" in cells[at].source
    assert 'raise NotImplementedError("TODO micrograd.gradcheck' in cells[at].source
    assert cells[-1].cell_type == "markdown" and "experiments" in cells[-1].source.lower()


def test_check_lists_missing_and_stale_notebooks(tmp_path, capsys):
    shutil.copytree(EXERCISES, tmp_path / "exercises", ignore=shutil.ignore_patterns("__pycache__", "notebooks"))
    assert sorted(check_notebooks(tmp_path)) == sorted(
        f"missing: exercises/notebooks/{m.name}.ipynb" for m in manifest.load().values() if (EXERCISES / m.files[0]).is_file())
    write_notebooks(tmp_path)
    assert check_notebooks(tmp_path) == [] and main(["--check", "--root", str(tmp_path)]) == 0
    gradcheck = tmp_path / "exercises" / "micrograd" / "gradcheck.py"
    gradcheck.write_text(gradcheck.read_text() + "\n\ndef extra():\n    pass\n")
    assert check_notebooks(tmp_path) == ["out of step with the stubs: exercises/notebooks/micrograd.ipynb"]
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert "micrograd.ipynb" in capsys.readouterr().out


# -- notebooks handed in -------------------------------------------------------------------------

@pytest.mark.parametrize("module", ["micrograd", "bigram", "mlp"])
def test_a_notebook_of_the_solutions_passes_every_component(tmp_path, module):
    exercises = notebook_to_exercises(solutions_notebook(tmp_path, module), module, tmp_path / "out")
    assert exercises == tmp_path / "out" / "exercises"
    result = grade_module(module, exercises, Options(seed=1))
    assert result.components and not_passed(result) == {}


def test_experiment_cells_are_never_run(tmp_path):
    exercises = notebook_to_exercises(solutions_notebook(tmp_path, "micrograd", *EXPERIMENTS), "micrograd",
                                      tmp_path / "out")
    files = {p.name: p.read_text() for p in (exercises / "micrograd").glob("*.py")}
    for text in files.values():
        assert "while True" not in text and "sys.exit" not in text and "print('hello" not in text
        assert "numpy" not in text and "matplotlib" not in text  # unused imports stay out (micrograd refuses numpy)
    started = time.monotonic()
    result = grade_module("micrograd", exercises, Options(seed=1))
    assert not_passed(result) == {}
    assert time.monotonic() - started < 60


def test_files_get_the_package_imports_the_grader_relies_on(tmp_path):
    exercises = notebook_to_exercises(solutions_notebook(tmp_path, "micrograd"), "micrograd", tmp_path / "out")
    for rel in manifest.load()["micrograd"].files:
        assert (exercises / rel).is_file()
    assert (exercises / "micrograd" / "__init__.py").read_text() == ""
    nn = (exercises / "micrograd" / "nn.py").read_text().splitlines()
    assert nn[1] == "from micrograd.engine import Value"  # first, after the header comment
    engine = (exercises / "micrograd" / "engine.py").read_text()
    assert "class Value" in engine and "class Neuron" not in engine and "import math" in engine


def test_helpers_follow_their_users_and_cross_file_names_are_imported(tmp_path):
    ipynb = notebook_of(
        tmp_path / "nb.ipynb",
        "from micrograd.engine import Value\nimport math\nimport numpy as np",
        "class Value:\n    def __init__(self, data):\n        self.data = data\n",
        "def _square(e):\n    return e ** 2\n",
        "SCALE = 1.0",
        "def mse_loss(ypred, ys):\n    return SCALE * sum((_square(yp - y) for yp, y in zip(ypred, ys)), Value(0.0))\n",
        "def numerical_gradient(f, xs, h=1e-6):\n    return [math.nan for _ in xs]\n",
    )
    exercises = notebook_to_exercises(ipynb, "micrograd", tmp_path / "out")
    train = (exercises / "micrograd" / "train.py").read_text()
    assert "from micrograd.engine import Value" in train
    assert "def _square" in train and "SCALE = 1.0" in train
    assert "import math" not in train and "numpy" not in train
    gradcheck = (exercises / "micrograd" / "gradcheck.py").read_text()
    assert "import math" in gradcheck and "_square" not in gradcheck and "numpy" not in gradcheck
    assert "from micrograd" not in (exercises / "micrograd" / "engine.py").read_text()


def test_the_last_definition_wins(tmp_path):
    ipynb = notebook_of(
        tmp_path / "nb.ipynb",
        "def numerical_gradient(f, xs, h=1e-6):\n    return [0.0 for _ in xs]",
        "def numerical_gradient(f, xs, h=1e-6):\n    return [1.0 for _ in xs]",
        "class Module:\n    kind = 'old'",
        "class Neuron(Module):\n    pass",
        "class Module:\n    kind = 'new'",
    )
    exercises = notebook_to_exercises(ipynb, "micrograd", tmp_path / "out")
    namespace = runpy.run_path(str(exercises / "micrograd" / "gradcheck.py"))
    assert namespace["numerical_gradient"](None, [3.0, 4.0]) == [1.0, 1.0]
    nn = (exercises / "micrograd" / "nn.py").read_text()
    assert "'old'" not in nn and nn.index("class Module") < nn.index("class Neuron(Module)")  # still importable


def test_a_syntax_error_names_the_cell(tmp_path):
    ipynb = notebook_of(tmp_path / "nb.ipynb", ("md", "# intro"), "import math", ("md", "next"),
                        "x = 1\ndef broken(:\n    pass")
    with pytest.raises(NotebookError, match=r"code cell 2 \(cell 4\): SyntaxError: .*line 2"):
        notebook_to_exercises(ipynb, "micrograd", tmp_path / "out")


@pytest.mark.parametrize("content, message", [
    ("this is not JSON {", "not valid JSON"),
    ('{"cells": "nope"}', "not a Jupyter notebook"),
    ("[1, 2, 3]", "not a Jupyter notebook"),
])
def test_a_file_that_is_not_a_notebook_is_refused(tmp_path, content, message):
    path = tmp_path / "submission.ipynb"
    path.write_text(content)
    with pytest.raises(NotebookError, match=message):
        notebook_to_exercises(path, "micrograd", tmp_path / "out")


def test_magics_and_shell_lines_are_ignored(tmp_path):
    ipynb = notebook_of(
        tmp_path / "nb.ipynb",
        "%matplotlib inline\n!pip install graphviz\nimport math\nfiles = !ls\nmath?",
        "%%bash\necho this is not python",
        "%time x = 1\ndef numerical_gradient(f, xs, h=1e-6):\n    \"\"\"100% central.\"\"\"\n"
        "    return [math.sqrt(4.0) for _ in xs]",
    )
    exercises = notebook_to_exercises(ipynb, "micrograd", tmp_path / "out")
    text = (exercises / "micrograd" / "gradcheck.py").read_text()
    ast.parse(text)
    assert "%" not in text.replace("100% central", "") and "!" not in text and "echo" not in text
    assert runpy.run_path(str(exercises / "micrograd" / "gradcheck.py"))["numerical_gradient"](None, [0.0]) == [2.0]
