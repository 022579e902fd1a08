"""Issue 11, part 1: every shape a submission arrives in is graded from the student's own work,
by one rule (SPEC §1), and every result says what was graded."""
from __future__ import annotations

import json

import nbformat
import pytest
from click.testing import CliRunner

from grader.engine import manifest
from grader.cli import main
from shapes import MICROGRAD_FILES, SHAPES, repo

BONUS_SLOW = "micrograd.deep_graphs"  # graded in the test below; the matrix skips it to stay quick


def grade_json(tmp_path, *args) -> tuple[int, dict]:
    out = tmp_path / "result.json"
    result = CliRunner().invoke(main, [*args, "--format", "json", "--output", str(out), "--seed", "1"])
    assert out.is_file(), result.output
    return result.exit_code, json.loads(out.read_text())


@pytest.mark.parametrize("solved", [True, False], ids=["solved", "unsolved"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_shape_grades_solved_as_passed_and_unsolved_as_todo(tmp_path, shape, solved):
    builder, kinds = SHAPES[shape]
    path = builder(tmp_path / "made", solved)
    ids = [c.id for m in kinds for c in manifest.load()[m].components if c.id != BONUS_SLOW]
    code, data = grade_json(tmp_path, "all", "--submission", str(path), *[a for i in ids for a in ("-c", i)])
    assert [m["module"] for m in data["modules"]] == list(kinds)
    for m in data["modules"]:
        statuses = {c["id"]: c["status"] for c in m["components"]}
        assert set(statuses) == {i for i in ids if i.startswith(m["module"] + ".")}
        wrong = {i: (s, c["message"]) for c in m["components"] for i, s in [(c["id"], c["status"])]
                 if s != ("passed" if solved else "todo")}
        assert wrong == {}, m["source"]
        source = m["source"]
        assert source["kind"] == kinds[m["module"]], source
        assert (source.get("archive") == "submission.zip") == shape.startswith("zip-of-")
        if source["kind"] == "files":
            files = MICROGRAD_FILES if m["module"] == "micrograd" else [f"makemore/{m['module']}.py"]
            assert source["files"] == files
            assert source.get("stubs", []) == ([] if solved else files)  # known by content
        else:
            assert source["path"].endswith(f"{m['module']}.ipynb") and source["cells"]
            assert source.get("stub", False) is (not solved)
    assert code == (0 if solved else 1)


def test_solved_py_files_beat_the_shipped_notebooks_beside_them(tmp_path):
    """The issue's report: a clone's exercises/ with every micrograd exercise solved scored 0/11."""
    exercises = repo(tmp_path, solved=True) / "exercises"
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(exercises), "--seed", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("11/11 core, +1 bonus")
    assert lines[1].strip() == "graded: micrograd/engine.py, nn.py, train.py, gradcheck.py"
    assert "notebook" not in result.output.split("✓")[0]  # the untouched stub notebook is not worth a line
    code, data = grade_json(tmp_path, "micrograd", "--submission", str(exercises), "-c", "micrograd.add")
    assert data["source"]["ignored"] == [{"path": "notebooks/micrograd.ipynb", "reason": "the kit's untouched notebook"}]


def test_the_text_header_names_the_notebook_and_cells_and_check_again_repeats_the_submission(tmp_path):
    path = SHAPES["notebook"][0](tmp_path, solved=True)
    nb = nbformat.read(path, as_version=4)
    typo = "out = Value(self.data * other.date, (self, other), '*')"  # an AttributeError in __mul__
    at = next(i for i, c in enumerate(nb.cells) if "out = Value(self.data * other.data" in c.source)
    nb.cells[at].source = nb.cells[at].source.replace("out = Value(self.data * other.data, (self, other), '*')", typo)
    line = nb.cells[at].source.splitlines().index("        " + typo) + 1
    code_cell = sum(c.cell_type == "code" for c in nb.cells[:at + 1])
    nbformat.write(nb, path)
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(path), "--seed", "1", "-c", "micrograd.mul"])
    assert result.exit_code == 1
    header = result.output.splitlines()[1].strip()
    assert header.startswith("graded: micrograd.ipynb, the definitions in cells ")
    assert f"(micrograd.ipynb, code cell {code_cell} (cell {at + 1}), line {line}, in __mul__: {typo})" in result.output
    assert f"check again: grade micrograd -c micrograd.mul --submission {path}" in result.output
    assert f"Check just this part: grade micrograd --component micrograd.mul --submission {path}" in result.output
    assert "open micrograd.ipynb and work on" in result.output
    assert "exercises/micrograd" not in result.output and "engine.py" not in result.output


def test_gradescope_and_github_formats_say_what_was_graded(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    path = SHAPES["notebook"][0](tmp_path, solved=False)
    out = tmp_path / "results.json"
    CliRunner().invoke(main, ["micrograd", "--submission", str(path), "--format", "gradescope", "--output", str(out),
                              "-c", "micrograd.add", "--seed", "1"])
    results = json.loads(out.read_text())
    graded = next(line for line in results["output"].splitlines() if line.startswith("micrograd: graded: "))
    assert graded.startswith("micrograd: graded: micrograd.ipynb, the definitions in cells ")
    assert "(the kit's untouched notebook)" in graded
    assert results["extra_data"]["sources"]["micrograd"]["kind"] == "notebook"
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(path), "--format", "github", "-c",
                                       "micrograd.add", "--seed", "1"])
    assert "::error file=micrograd.ipynb,title=micrograd.add todo::" in result.output
