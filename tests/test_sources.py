"""The rule that picks what is graded for each module (grader/engine/submission/sources.py, SPEC §1), the stubs
known by content (grader/engine/submission/stub_index.py), and notebook feedback pointed at cells (source_map)."""
from __future__ import annotations

import json
import os
import shutil
import time

import nbformat
import pytest
from click.testing import CliRunner
from nbformat import v4

from grader.authoring import stub_index_build
from grader.engine.submission import stub_index
from grader.cli import main
from grader.engine.submission.handed_in import SubmissionError, prepare
from shapes import EXERCISES, MICROGRAD_FILES, SOLUTIONS, repo, shipped_notebook, solved_notebook


def sources(path, modules=("micrograd",)) -> dict:
    with prepare(str(path), False, list(modules)) as prepared:
        return {m: s.to_json(prepared.archive, prepared.cells.get(m)) for m, s in prepared.sources.items()}


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- the stubs, known by content ---------------------------------------------------------------

def test_a_stub_is_known_by_content_whatever_its_line_endings_or_trailing_spaces(tmp_path):
    stub = (EXERCISES / "micrograd" / "engine.py").read_text()
    crlf = write(tmp_path / "crlf.py", "")
    crlf.write_bytes(stub.replace("\n", "  \r\n").encode())
    assert stub_index.is_stub_file(EXERCISES / "micrograd" / "engine.py") and stub_index.is_stub_file(crlf)
    edited = write(tmp_path / "edited.py", stub.replace("return", "return ", 1) + "# mine\n")
    assert not stub_index.is_stub_file(edited)
    assert not stub_index.is_stub_file(SOLUTIONS / "micrograd" / "engine.py")


def test_links_and_special_files_are_never_read_as_stubs(tmp_path):
    os.symlink("/dev/zero", tmp_path / "engine.py")
    os.symlink(EXERCISES / "micrograd" / "engine.py", tmp_path / "linked.py")
    started = time.monotonic()
    assert not stub_index.is_stub_file(tmp_path / "engine.py") and not stub_index.is_stub_file(tmp_path / "linked.py")
    assert time.monotonic() - started < 5


def test_a_shipped_notebook_run_and_resaved_is_still_the_stub_and_one_written_cell_is_work():
    nb = nbformat.reads(shipped_notebook("micrograd"), as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert stub_index.is_stub_notebook(code)
    assert not stub_index.is_stub_notebook(code + ["x = Value(2.0)"])
    answered = [s.replace('raise NotImplementedError("TODO micrograd.gradcheck', 'return [] #', 1) for s in code]
    assert answered != code and not stub_index.is_stub_notebook(answered)


def test_the_stub_index_is_in_step_with_the_stubs():
    assert stub_index_build.check(EXERCISES.parent) == [], "run `python -m grader.authoring.stubgen`"


def test_stubgen_check_fails_on_a_stale_index(tmp_path):
    root = tmp_path / "kit"
    shutil.copytree(EXERCISES, root / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "grader" / "engine" / "submission").mkdir(parents=True)
    assert stub_index_build.check(root) == ["missing: grader/engine/submission/stub_index.json"]
    assert stub_index_build.write(root) and stub_index_build.check(root) == [] and not stub_index_build.write(root)
    engine = root / "exercises" / "micrograd" / "engine.py"
    engine.write_text(engine.read_text() + "\n\ndef helper():\n    pass\n")
    assert stub_index_build.check(root) == ["differs: grader/engine/submission/stub_index.json"]


# -- the rule, module by module ----------------------------------------------------------------

def test_a_solved_notebook_beats_the_untouched_py_stubs_beside_it(tmp_path):
    root = repo(tmp_path, solved=False)
    write(root / "exercises" / "notebooks" / "micrograd.ipynb", solved_notebook("micrograd"))
    found = sources(root, ["micrograd", "bigram"])
    assert found["micrograd"]["kind"] == "notebook" and found["micrograd"]["path"] == "exercises/notebooks/micrograd.ipynb"
    assert {i["path"] for i in found["micrograd"]["ignored"]} == {f"exercises/{rel}" for rel in MICROGRAD_FILES}
    assert found["bigram"] == {"kind": "files", "path": "exercises", "files": ["makemore/bigram.py"],
                               "stubs": ["makemore/bigram.py"],
                               "ignored": [{"path": "exercises/notebooks/bigram.ipynb",
                                            "reason": "the kit's untouched notebook"}]}


def test_the_students_py_files_beat_the_students_notebook_and_the_header_says_so(tmp_path):
    root = repo(tmp_path, solved=True)
    write(root / "micrograd.ipynb", solved_notebook("micrograd"))
    found = sources(root)["micrograd"]
    assert found["kind"] == "files" and "stubs" not in found
    assert {"path": "micrograd.ipynb", "reason": "the .py files are graded"} in found["ignored"]
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(root), "-c", "micrograd.add", "--seed", "1"])
    assert "not graded: micrograd.ipynb (the .py files are graded)" in result.output


def test_a_notebook_given_as_the_submission_is_graded_even_beside_solved_py_files(tmp_path):
    root = repo(tmp_path, solved=True)
    path = write(root / "exercises" / "notebooks" / "micrograd.ipynb", shipped_notebook("micrograd"))
    found = sources(path)["micrograd"]
    assert found["kind"] == "notebook" and found["stub"] is True and found["path"] == "micrograd.ipynb"


def test_which_module_a_notebook_is_for_comes_from_its_name_or_else_its_definitions(tmp_path):
    folder = tmp_path / "upload"
    write(folder / "Copy of batchnorm.ipynb", solved_notebook("batchnorm"))
    write(folder / "Untitled.ipynb", solved_notebook("micrograd"))  # defines Value, Neuron, ...
    write(folder / "micrograd_mlp_experiments.ipynb", solved_notebook("micrograd").replace("Value", "Valeur"))
    found = sources(folder, ["micrograd", "bigram", "mlp", "batchnorm"])
    assert found["batchnorm"]["path"] == "Copy of batchnorm.ipynb"
    assert found["micrograd"]["path"] == "micrograd_mlp_experiments.ipynb"  # a name beats definitions
    assert {"path": "Untitled.ipynb", "reason": "another notebook for micrograd: micrograd_mlp_experiments.ipynb "
            "is graded"} in found["micrograd"]["ignored"]
    assert found["mlp"] == {"kind": "none"} and found["bigram"] == {"kind": "none"}


def test_the_exact_name_wins_among_several_notebooks_for_one_module(tmp_path):
    folder = tmp_path / "upload"
    write(folder / "notebooks" / "micrograd.ipynb", solved_notebook("micrograd"))
    write(folder / "micrograd_v2.ipynb", solved_notebook("micrograd"))
    found = sources(folder)["micrograd"]
    assert found["path"] == "notebooks/micrograd.ipynb"
    assert found["ignored"] == [{"path": "micrograd_v2.ipynb",
                                 "reason": "another notebook for micrograd: notebooks/micrograd.ipynb is graded"}]


def test_grade_all_on_one_notebook_grades_its_module_and_says_there_is_nothing_for_the_others(tmp_path):
    path = write(tmp_path / "lecture1.ipynb", solved_notebook("micrograd"))
    out = tmp_path / "all.json"
    result = CliRunner().invoke(main, ["all", "--submission", str(path), "--format", "json", "--output", str(out),
                                       "-c", "micrograd.add", "-c", "bigram.vocab", "-c", "mlp.init", "--seed", "1"])
    assert result.exit_code == 1, result.output
    modules = {m["module"]: m for m in json.loads(out.read_text())["modules"]}
    assert modules["micrograd"]["source"]["kind"] == "notebook"
    assert modules["micrograd"]["components"][0]["status"] == "passed"
    for name in ("bigram", "mlp"):
        assert modules[name]["source"] == {"kind": "none"}
        assert [c["status"] for c in modules[name]["components"]] == ["todo"]
        assert "no bigram files and no bigram notebook" in modules["bigram"]["components"][0]["message"]


@pytest.mark.parametrize("make, words", [
    (lambda tmp: write(tmp / "bigram.ipynb", solved_notebook("bigram")), "bigram.ipynb is a notebook for bigram, not micrograd"),
    (lambda tmp: write(tmp / "notes.ipynb", json.dumps(v4.new_notebook(cells=[v4.new_code_cell("x = 1")]))),
     "notes.ipynb defines none of micrograd's names"),
    (lambda tmp: write(tmp / "engine.py", "x = 1\n"), "expected a folder holding exercises/, a notebook"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "no work for micrograd"),
])
def test_what_cannot_be_graded_is_refused_in_one_sentence(tmp_path, make, words):
    path = make(tmp_path)
    with pytest.raises(SubmissionError, match=words):
        sources(path)
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(path)])
    assert result.exit_code == 2 and words in result.output
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")


def test_the_kits_own_checkout_grades_a_learners_notebook_when_the_py_files_are_untouched(tmp_path, monkeypatch):
    root = repo(tmp_path, solved=False)
    (root / "grader").mkdir()
    write(root / "exercises" / "notebooks" / "micrograd.ipynb", solved_notebook("micrograd"))
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["micrograd", "-c", "micrograd.add", "-c", "micrograd.nn", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "graded: exercises/notebooks/micrograd.ipynb, the definitions in cells" in result.output
