"""The `grade` command line (SPEC §4), through click's CliRunner."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import EXERCISES, ROOT, make_submission
from grader.engine import manifest
from grader.cli import main

COMPONENTS = [c.id for c in manifest.load()["micrograd"].components]


def run(*args, **kwargs):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def test_solutions_pass_with_exit_0_and_spec_json():
    result = run("micrograd", "--solutions", "--format", "json", "--seed", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["version"] == 1 and data["module"] == "micrograd"
    assert [c["id"] for c in data["components"]] == COMPONENTS
    assert {c["status"] for c in data["components"]} == {"passed"}
    assert data["max_score"] == sum(c.points for c in manifest.load()["micrograd"].components if not c.bonus)
    assert data["score"] == data["max_score"] + 1  # the bonus is extra credit
    assert all(set(c) >= {"id", "status", "score", "max_score", "message", "hint"} for c in data["components"])


def test_stubs_are_todo_with_exit_1_and_a_next_step():
    result = run("micrograd", "--submission", str(EXERCISES))
    assert result.exit_code == 1
    assert "Next: Start micrograd.gradcheck" in result.output
    assert "exercises/micrograd/gradcheck.py" in result.output
    assert "\x1b[" not in result.output  # no colour codes when not writing to a terminal


def test_default_submission_is_the_checkout_around_the_current_folder(monkeypatch):
    monkeypatch.chdir(ROOT / "exercises" / "micrograd")
    result = run("micrograd", "--format", "json", "--component", "micrograd.add")
    assert result.exit_code == 1
    assert [c["status"] for c in json.loads(result.output)["components"]] == ["todo"]


def test_repository_or_exercises_folder_are_both_accepted(tmp_path):
    exercises = make_submission(tmp_path)
    for path in (exercises, exercises.parent):
        result = run("micrograd", "--submission", str(path), "--format", "json", "-c", "micrograd.relu")
        assert result.exit_code == 0, result.output


def test_a_path_without_exercises_is_exit_2_naming_what_was_expected(tmp_path):
    result = run("micrograd", "--submission", str(tmp_path))
    assert result.exit_code == 2
    assert f"expected an exercises/ folder at {tmp_path / 'exercises'}" in result.output


@pytest.mark.parametrize("args", [["nope"], ["micrograd", "--format", "xml"], ["micrograd", "-c", "micrograd.nope"],
                                  ["micrograd", "--solutions", "--submission", "."]])
def test_bad_usage_is_exit_2(args):
    assert run(*args).exit_code == 2


def test_output_file_receives_the_result(tmp_path):
    out = tmp_path / "result.json"
    result = run("micrograd", "--solutions", "--format", "json", "--output", str(out), "-c", "micrograd.add")
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(out.read_text())["components"][0]["status"] == "passed"


def test_all_grades_every_module_into_one_object():
    result = run("all", "--solutions", "--format", "json", "-c", "micrograd.pow")
    data = json.loads(result.output)
    assert data["version"] == 1 and [m["module"] for m in data["modules"]] == ["micrograd"]
    assert data["score"] == sum(m["score"] for m in data["modules"])


def test_text_report_shows_message_hint_and_rerun_command(tmp_path):
    sub = make_submission(tmp_path, {"micrograd/engine.py": [("(1 - t ** 2)", "(1 - t)")]})
    result = run("micrograd", "--submission", str(sub), "--seed", "9")
    assert result.exit_code == 1
    assert "✗ micrograd.tanh" in result.output
    assert "`1 - t` instead of `1 - t**2`" in result.output
    assert "hint: With t = tanh(x)" in result.output
    assert "grade micrograd --component micrograd.tanh" in result.output
    assert "--seed 9" in result.output


def test_student_output_is_printed_verbatim_not_as_markup(tmp_path):
    line = "        t = math.tanh(self.data)\n"
    sub = make_submission(tmp_path, {"micrograd/engine.py": [(line, line + "        print('[red]boom[/red]'); 1/0\n")]})
    result = run("micrograd", "--submission", str(sub), "-c", "micrograd.tanh", "-v")
    assert "[red]boom[/red]" in result.output
    assert "ZeroDivisionError" in result.output


def test_the_console_command_ends_fast_and_loses_nothing(tmp_path):
    # `grade` (grader.cli:run) skips the interpreter's teardown: its output, piped, must be whole,
    # its exit status SPEC §4's, and its exit handlers must still run (the worker bundle's folder).
    import subprocess
    import sys
    from pathlib import Path

    grade = str(Path(sys.executable).with_name("grade"))
    env = {**__import__("os").environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run([grade, "micrograd", "--solutions", "--component", "micrograd.add", "--format", "json",
                           "--seed", "2"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["components"][0]["status"] == "passed"
    assert not list(tmp_path.glob("grade-kit-*")), "the worker bundle's exit handler did not run"
    failed = subprocess.run([grade, "micrograd", "--component", "micrograd.add", "--seed", "2"], capture_output=True,
                            text=True, cwd=ROOT, env=env, timeout=300)
    assert failed.returncode == 1 and "micrograd.add" in failed.stdout  # the stubs: graded, not passed
    usage = subprocess.run([grade, "micrograd", "--no-such-option"], capture_output=True, text=True, timeout=120)
    assert usage.returncode == 2 and "No such option" in usage.stderr
