"""Issue 11, part 2: every command that takes --submission (grade MODULE, --watch, grade draw,
grade plot-batchnorm, grade mlp --challenge) works on a notebook, or exits 2 with one sentence;
never a traceback. Feedback about notebook code names the notebook and cell."""
from __future__ import annotations

import json

import nbformat
import pytest
from click.testing import CliRunner

from grader.learner import watch
from grader.cli import main
from grader.engine.names_data import names_path
from shapes import solved_notebook

COMMANDS = {  # name -> (arguments, the module whose notebook it takes)
    "grade": (["micrograd"], "micrograd"),
    "watch": (["micrograd", "--watch"], "micrograd"),
    "draw": (["draw", "--out", "g.png"], "micrograd"),
    "plot-batchnorm": (["plot-batchnorm", "--out-dir", "plots"], "batchnorm"),
    "challenge": (["mlp", "--challenge"], "mlp"),
}
needs_names = pytest.mark.skipif(not names_path().exists(), reason="needs names.txt")


def edited(text: str, old: str, new: str) -> str:
    """The notebook `text` with `old` replaced in the first code cell that holds it."""
    nb = nbformat.reads(text, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and old in c.source)
    nb.cells[at].source = nb.cells[at].source.replace(old, new, 1)
    return nbformat.writes(nb)


def notebook(tmp_path, module: str, old: str = "", new: str = "", name: str | None = None):
    text = solved_notebook(module)
    path = tmp_path / (name or f"{module}.ipynb")
    path.write_text(edited(text, old, new) if old else text, encoding="utf-8")
    return path


def invoke(tmp_path, monkeypatch, *args):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("bad", ["missing", "broken-cell", "not-a-notebook"])
def test_a_submission_that_cannot_be_used_exits_2_in_one_sentence(tmp_path, monkeypatch, command, bad):
    args, module = COMMANDS[command]
    if bad == "missing":
        path, words = tmp_path / "nowhere.ipynb", "no such file or folder"
    elif bad == "broken-cell":
        path, words = notebook(tmp_path, module, "def ", "def ("), "SyntaxError"
    else:
        path = tmp_path / f"{module}.ipynb"
        path.write_text("{ not json")
        words = f"{module}.ipynb is not a Jupyter notebook"
    result = invoke(tmp_path, monkeypatch, *args, "--submission", str(path))
    assert result.exit_code == 2 and result.output.startswith("Error: ") and words in result.output, result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize("command", ["draw", "plot-batchnorm", "challenge"])
def test_a_notebook_of_another_module_is_refused_by_name(tmp_path, monkeypatch, command):
    path = notebook(tmp_path, "bigram")
    result = invoke(tmp_path, monkeypatch, *COMMANDS[command][0], "--submission", str(path))
    assert result.exit_code == 2 and "bigram.ipynb is a notebook for bigram, not" in result.output


def test_watch_on_a_zip_is_refused_in_one_sentence(tmp_path, monkeypatch):
    import zipfile

    with zipfile.ZipFile(tmp_path / "work.zip", "w") as z:
        z.writestr("micrograd.ipynb", solved_notebook("micrograd"))
    result = invoke(tmp_path, monkeypatch, "micrograd", "--watch", "--submission", str(tmp_path / "work.zip"))
    assert result.exit_code == 2 and "--watch follows a folder or a notebook" in result.output


def test_watch_grades_a_notebook_again_after_each_save_and_keeps_watching_a_broken_one(tmp_path, monkeypatch):
    path = notebook(tmp_path, "micrograd")
    good = path.read_text()
    seen = {}

    def fake_run(names, folder, grade_once, *args, **kwargs):  # three saves, no file-system watching
        seen["folder"] = folder
        grade_once(None, False)
        path.write_text(edited(good, "out = Value(self.data * other.data", "out = Value(self.data * other.date"))
        grade_once(None, False)
        path.write_text(edited(good, "class Value", "class Value(:"))
        grade_once(None, False)

    monkeypatch.setattr(watch, "run", fake_run)
    result = invoke(tmp_path, monkeypatch, "micrograd", "--watch", "--submission", str(path), "-c", "micrograd.mul")
    assert result.exit_code == 0, result.output
    assert seen["folder"] == tmp_path  # the notebook's folder: Jupyter saves by replacing the file
    first, second = result.output.split("graded in")[1:]  # the third save does not parse: no grading
    assert "✓ micrograd.mul" in first and "graded: micrograd.ipynb, the definitions in cells" in first
    second, third = second.split("SyntaxError")
    assert "AttributeError" in second and "(micrograd.ipynb, code cell" in second and "engine.py" not in second
    assert f"check again: grade micrograd -c micrograd.mul --submission {path}" in second
    assert "still watching" in third


def test_draw_uses_the_notebooks_value_and_points_at_its_cell_when_it_raises(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    path = notebook(tmp_path, "micrograd", name="lecture 1.ipynb")
    result = invoke(tmp_path, monkeypatch, "draw", "--submission", str(path), "--out", "g.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    broken = notebook(tmp_path, "micrograd", "out = Value(self.data * other.data", "out = Value(self.data * other.date")
    result = invoke(tmp_path, monkeypatch, "draw", "--submission", str(broken), "--out", "h.png")
    assert result.exit_code == 1 and "AttributeError" in result.output
    assert "(at micrograd.ipynb, code cell" in result.output and "engine.py" not in result.output
    assert "grade-submission-" not in result.output  # no temporary folder of the grader's


@needs_names
def test_plot_batchnorm_uses_the_notebooks_layers(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    result = invoke(tmp_path, monkeypatch, "plot-batchnorm", "--submission", str(notebook(tmp_path, "batchnorm")),
                    "--out-dir", "plots")
    assert result.exit_code == 0, result.output
    assert sorted((tmp_path / "plots").glob("*.png"))


@needs_names
def test_the_challenge_trains_with_the_notebooks_code_and_settings(tmp_path, monkeypatch):
    small = '"n_embd": 2,\n    "n_hidden": 8,\n    "steps": 30,'  # the learner's own settings, quick to train
    path = notebook(tmp_path, "mlp", '"n_embd": 12,\n    "n_hidden": 200,\n    "steps": 120_000,', small)
    result = invoke(tmp_path, monkeypatch, "mlp", "--challenge", "--submission", str(path), "--format", "json")
    report = json.loads(result.output)
    assert result.exit_code == 1 and report["steps_done"] == 30
    assert (report["settings"]["n_hidden"], report["settings"]["steps"]) == (8, 30)
    assert 2.2 < report["dev_loss"] < 30
