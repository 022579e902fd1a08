"""The learner's loop: `grade` with no arguments, `grade list`, `grade hint`, `--watch`,
notebook submissions and pictures, through click's CliRunner."""
from __future__ import annotations

import json
import shutil
import threading
import time

import nbformat
import pytest
from click.testing import CliRunner

from conftest import EXERCISES, SOLUTIONS
from grader.engine import progress
from grader.learner import watch
from grader.cli import main


@pytest.fixture
def kit(tmp_path, monkeypatch):
    """A learner's checkout: exercises (the stubs) and the kit beside them; cwd inside it."""
    root = tmp_path / "kit"
    shutil.copytree(EXERCISES, root / "exercises", ignore=shutil.ignore_patterns("__pycache__", "notebooks"))
    (root / "grader").mkdir()
    monkeypatch.chdir(root / "exercises")
    return root


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_grade_alone_shows_progress_and_the_next_step(kit):
    result = run()
    assert result.exit_code == 0
    assert "micrograd  ░░░░░░░░░░░ 0/11" in result.output
    assert "Next: Start micrograd.gradcheck — open exercises/micrograd/gradcheck.py" in result.output
    state = progress.load(kit)
    assert state["modules"]["micrograd"]["components"]["micrograd.add"] == "todo"


def test_list_shows_done_failing_and_todo(kit):
    shutil.copy(SOLUTIONS / "micrograd" / "gradcheck.py", kit / "exercises" / "micrograd" / "gradcheck.py")
    engine = kit / "exercises" / "micrograd" / "engine.py"
    solution = (SOLUTIONS / "micrograd" / "engine.py").read_text()
    engine.write_text(solution.replace("(1 - t ** 2)", "(1 - t)"))
    assert run("micrograd").exit_code == 1  # grading the learner's own work records it
    out = run("list").output
    assert "done    micrograd.gradcheck" in out
    assert "(bonus) (bonus)" not in out and out.count("(bonus)") == 1  # the 100,000-node chain, once
    assert "failing micrograd.tanh" in out and "[failed]" in out
    assert "todo    micrograd.nn" in out
    assert "todo    bigram.vocab" in out  # never-graded modules are graded for the list


def test_hints_come_one_level_at_a_time(kit):
    first = run("hint", "micrograd.backward").output
    assert "hint 1 of 3" in first and "hint 2 of 3" not in first
    second = run("hint", "micrograd.backward").output
    assert "hint 2 of 3" in second and "again for the next one" in second
    third = run("hint", "micrograd.backward").output
    assert "hint 3 of 3" in third and "again" not in third
    assert "hint 2 of 3" not in run("hint", "micrograd.backward", "--reset").output
    assert "hint 3 of 3" in run("hint", "micrograd.backward", "--all").output


def test_an_unknown_component_suggests_the_right_one(kit):
    result = CliRunner().invoke(main, ["hint", "micrograd.bakward"])
    assert result.exit_code == 2 and "did you mean micrograd.backward" in result.output


def test_watch_refuses_machine_formats():
    result = CliRunner().invoke(main, ["micrograd", "--solutions", "--watch", "--format", "json"])
    assert result.exit_code == 2


@pytest.mark.parametrize("notifications", [True, False], ids=["notifications", "polling"])
def test_watch_grades_again_after_a_save(tmp_path, notifications):
    folder = tmp_path / "exercises"
    shutil.copytree(SOLUTIONS, folder)
    calls, stop = [], threading.Event()

    def grade_once(forkserver, bonus):
        calls.append(bonus)
        if len(calls) >= 4:
            stop.set()

    thread = threading.Thread(target=watch.run, args=(["micrograd"], folder, grade_once, notifications, stop.is_set),
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    (folder / "micrograd" / "engine.py").write_text((folder / "micrograd" / "engine.py").read_text() + "\n# saved\n")
    thread.join(timeout=20)
    assert calls[:4] == [False, True, False, True]  # core then bonus, at start and after the save


def test_a_notebook_submission_is_graded_from_its_definitions(tmp_path):
    from grader.authoring.notebook_build import build_notebook

    nb = build_notebook("micrograd", SOLUTIONS)
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nsys.exit(3)\nwhile True:\n    pass"))
    path = tmp_path / "work.ipynb"
    nbformat.write(nb, path)
    result = run("micrograd", "--submission", str(path), "--format", "json", "--seed", "2")
    assert result.exit_code == 0, result.output
    assert {c["status"] for c in json.loads(result.output)["components"]} == {"passed"}


def test_a_notebook_with_a_broken_cell_is_refused_naming_the_cell(tmp_path):
    from grader.authoring.notebook_build import build_notebook

    nb = build_notebook("micrograd", SOLUTIONS)
    nb.cells.insert(3, nbformat.v4.new_code_cell("def broken(:\n    pass"))
    path = tmp_path / "work.ipynb"
    nbformat.write(nb, path)
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(path)])
    assert result.exit_code == 2 and "code cell" in result.output and "SyntaxError" in result.output


def test_draw_writes_a_png_of_the_learners_graph(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    result = run("draw", "--submission", str(SOLUTIONS), "--out", "g.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_batchnorm_writes_the_lecture_diagnostics(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from grader.engine.names_data import names_path

    if not names_path().exists():
        pytest.skip("names.txt is not here")
    monkeypatch.chdir(tmp_path)
    result = run("plot-batchnorm", "--submission", str(SOLUTIONS), "--out-dir", "plots")
    assert result.exit_code == 0, result.output
    pngs = sorted((tmp_path / "plots").glob("*.png"))
    assert pngs and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
