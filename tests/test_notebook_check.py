"""`from grader import check`: grading from a notebook cell, in a real Jupyter kernel."""
from __future__ import annotations

import textwrap

import nbformat
import pytest

from conftest import SOLUTIONS
from grader import check

# Lecture-style Value with the classic mul mistake: each operand gets its *own* data.
WRONG = textwrap.dedent('''
    class Value:
        def __init__(self, data, _children=(), _op='', label=''):
            self.data, self.grad, self.label = data, 0.0, label
            self._backward = lambda: None
            self._prev, self._op = set(_children), _op

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other), '*')
            def _backward():
                self.grad += self.data * out.grad
                other.grad += other.data * out.grad
            out._backward = _backward
            return out

        def __rmul__(self, other):
            return self * other
''')
RIGHT = WRONG.replace("self.grad += self.data * out.grad", "self.grad += other.data * out.grad").replace(
    "other.grad += other.data * out.grad", "other.grad += self.data * out.grad")


def test_a_notebook_checks_a_wrong_then_a_right_mul_in_a_real_kernel(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = ["from grader import check", WRONG, 'check("micrograd.mul")',
             "x = Value(2.0) * 3  # an experiment: never graded", RIGHT, 'check("micrograd.mul")']
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    first, second = (_result(nb.cells[i]) for i in (2, 5))

    assert "failed" in first["text/html"] and "passed" not in first["text/html"]
    assert "its *own* data instead of the other" in first["text/html"]  # the named mistake
    assert "expected" in first["text/html"] and "(PyTorch)" in first["text/html"]  # the values
    assert "hint: d(a*b)/da = b" in first["text/html"]
    assert 'check("micrograd.mul")' in first["text/html"]  # the next step, in the notebook's terms
    assert "✗ micrograd.mul" in first["text/plain"] and "grade micrograd -c" not in first["text/plain"]

    assert "passed" in second["text/html"] and "Everything passes" in second["text/html"]
    assert "✓ micrograd.mul" in second["text/plain"]


def _result(cell) -> dict:
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert not errors, "\n".join(errors[0].traceback)
    results = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert len(results) == 1, cell.outputs
    return results[0].data


def test_names_no_cell_defined_are_the_stubs_so_they_are_todo():
    result = check("micrograd", sources=[WRONG])
    statuses = {c.id: c.status.value for c in result.result.modules[0].components}
    assert statuses["micrograd.mul"] == "failed"
    assert statuses["micrograd.gradcheck"] == "todo" and statuses["micrograd.nn"] == "todo"
    assert "no cell you ran defines it yet" in repr(result)


def test_a_raise_in_a_cell_is_shown_at_its_cell_and_line():
    broken = WRONG.replace("        other = other if", "        1 / 0\n        other = other if")
    line = broken.splitlines().index("        1 / 0") + 1
    result = check("micrograd.mul", sources=["import math", "def broken(:\n    pass", broken])
    component = result.result.modules[0].components[0]
    assert component.status.value == "error"
    assert f"cell In [3], line {line}" in result.where(component.message)  # not a file the learner lacks
    assert f"cell In [3], line {line}" in result._repr_html_()


def test_the_last_definition_that_ran_is_graded():
    # Cells in the order they ran (a kernel's history), not the order they sit in the notebook.
    assert check("micrograd.mul", sources=[RIGHT, WRONG]).passed is False
    assert check("micrograd.mul", sources=[WRONG, RIGHT]).passed is True


def test_an_unknown_target_suggests_one():
    with pytest.raises(ValueError, match="did you mean micrograd.mul"):
        check("micrograd.mull", sources=[])


def test_outside_a_notebook_it_says_where_it_works():
    with pytest.raises(RuntimeError, match="inside Jupyter"):
        check("micrograd.mul")


def test_student_text_is_escaped_in_the_html():
    evil = WRONG.replace("out = Value(self.data * other.data, (self, other), '*')",
                         "raise ValueError('<script>alert(1)</script>')")
    html = check("micrograd.mul", sources=[evil])._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_solutions_pass_from_cells():
    engine = (SOLUTIONS / "micrograd" / "engine.py").read_text()
    assert check("micrograd.tanh", sources=[engine]).passed
