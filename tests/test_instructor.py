"""What instructors run: batch grading into a CSV, the GitHub workflow, the Gradescope bundle."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from conftest import ROOT, SOLUTIONS, make_submission
from grader.engine import manifest
from grader.instructor.batch import component_columns
from grader.cli import main
from test_formats import GRADESCOPE_SCHEMA

GRADE = str(Path(sys.executable).with_name("grade"))
ALL_IDS = [c.id for m in manifest.load().values() for c in m.components]


def test_batch_grades_every_path_into_a_stable_csv(tmp_path):
    good = make_submission(tmp_path / "a").parent
    hang = make_submission(tmp_path / "b", {"micrograd/engine.py": [
        ("        t = math.tanh(self.data)\n", "        t = math.tanh(self.data)\n        while True:\n            pass\n")]}).parent
    empty = tmp_path / "c"
    empty.mkdir()
    out, jdir = tmp_path / "grades.csv", tmp_path / "json"
    result = CliRunner().invoke(main, ["batch", str(good), str(hang), str(empty), "--jobs", "2", "--csv", str(out),
                                       "--json-dir", str(jdir), "--seed", "3", "--timeout", "8"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open()))
    per_component = [col for c in ALL_IDS for col in (c, f"{c}:status", f"{c}:mistake")]
    assert rows[0] == ["submission", "score", "max_score", "bonus", *per_component, "seed", "error"]
    assert component_columns() == ALL_IDS
    body = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert list(body) == [str(good), str(hang), str(empty)]  # every path, in the order given
    total_max = sum(c.points for m in manifest.load().values() for c in m.components if not c.bonus)
    bonus_max = sum(c.points for m in manifest.load().values() for c in m.components if c.bonus)
    good_row = body[str(good)]
    assert float(good_row["score"]) == float(good_row["max_score"]) == total_max and good_row["error"] == ""
    assert float(good_row["bonus"]) == bonus_max  # apart from the core score, never added to it
    assert {good_row[f"{c}:status"] for c in ALL_IDS} == {"passed"}
    assert body[str(hang)]["micrograd.tanh"] == "0" and body[str(hang)]["micrograd.relu"] == "1"
    assert body[str(hang)]["micrograd.tanh:status"] == "timeout" and body[str(hang)]["micrograd.relu:status"] == "passed"
    assert float(body[str(hang)]["score"]) == total_max - 1
    assert body[str(empty)]["score"] == "0" and "expected an exercises/ folder" in body[str(empty)]["error"]
    assert all(r["seed"] == "3" for r in body.values())
    files = sorted(p.name for p in jdir.iterdir())
    assert files == ["a__student.json", "b__student.json", "c.json"]
    hung = json.loads((jdir / "b__student.json").read_text())
    tanh = next(c for m in hung["modules"] for c in m["components"] if c["id"] == "micrograd.tanh")
    assert tanh["status"] == "timeout"


def test_a_students_own_grader_and_tests_are_never_used(tmp_path):
    repo = make_submission(tmp_path).parent
    for folder in (repo / "grader", repo / "exercises" / "grader"):
        folder.mkdir()
        (folder / "__init__.py").write_text("raise SystemExit('student grader used')\n")
    (repo / "tests").mkdir()
    (repo / "conftest.py").write_text("raise SystemExit('student conftest used')\n")
    (repo / "exercises" / "random.py").write_text("raise SystemExit('student random used')\n")
    (repo / "exercises" / "json.py").write_text("raise SystemExit('student json used')\n")
    done = subprocess.run([GRADE, "micrograd", "--submission", str(repo), "--format", "json", "--seed", "1"],
                          cwd=repo, capture_output=True, text=True, timeout=120)
    data = json.loads(done.stdout)
    assert done.returncode == 0, [(c["id"], c["message"]) for c in data["components"] if c["status"] != "passed"]


def _workflow_grade_command() -> str:
    text = (ROOT / "grader" / "instructor" / "templates" / "github-workflow.yml").read_text()
    step = text.split("- name: Grade", 1)[1]
    return step.split("run:", 1)[1].strip().splitlines()[0]


def test_the_github_workflow_installs_a_pinned_kit_and_grades_outside_the_submission():
    text = (ROOT / "grader" / "instructor" / "templates" / "github-workflow.yml").read_text()
    assert "git+https://" in text and "@v" in text  # a pinned ref of the instructor's kit
    assert "pip install ." not in text and "-e ." not in text and "submission/" not in text.split("Grade\n")[0]
    assert "working-directory: ${{ runner.temp }}" in text


def test_the_github_workflow_grade_step_runs_and_publishes_a_summary(tmp_path):
    workspace = tmp_path / "ws"
    shutil.copytree(SOLUTIONS, workspace / "submission" / "exercises")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_WORKSPACE": str(workspace), "GITHUB_STEP_SUMMARY": str(summary),
           "MODULE": "micrograd", "PATH": f"{Path(GRADE).parent}:{os.environ['PATH']}"}  # the assignment
    done = subprocess.run(["bash", "-c", _workflow_grade_command()], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    table = summary.read_text()
    assert "| `micrograd.add` | ✅ passed |" in table and "bigram" not in table
    assert "grader: 11/11 core, +1 bonus" in table


def _unpack_bundle(tmp_path) -> Path:
    zpath = tmp_path / "autograder.zip"
    result = CliRunner().invoke(main, ["gradescope-bundle", "--out", str(zpath), "--timeout", "5"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zpath) as z:
        z.extractall(root / "source")
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert (root / "source" / "kit" / "pyproject.toml").is_file()
    assert not any("solutions" in n for n in modes)  # the bundle never carries the solutions
    (root / "source" / "run_autograder").chmod(0o755)
    return root


def _run_autograder(root: Path) -> dict:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADE": GRADE}
    done = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    return results


def test_the_gradescope_bundle_grades_an_uploaded_folder(tmp_path):
    root = _unpack_bundle(tmp_path)
    shutil.copytree(SOLUTIONS / "micrograd", root / "submission" / "micrograd")  # uploaded as is
    shutil.copytree(SOLUTIONS / "makemore", root / "submission" / "makemore")
    results = _run_autograder(root)
    assert results["score"] >= results["max_score"] > 0
    assert {t["status"] for t in results["tests"]} == {"passed"}
    assert len(results["tests"]) == len(ALL_IDS)


def test_a_gradescope_bundle_for_one_lecture_grades_that_lecture_only(tmp_path):
    zpath = tmp_path / "autograder.zip"
    result = CliRunner().invoke(main, ["gradescope-bundle", "--out", str(zpath), "--module", "micrograd"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zpath) as z:
        z.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    shutil.copytree(SOLUTIONS, root / "submission" / "exercises")
    results = _run_autograder(root)
    micrograd = [c.id for c in manifest.load()["micrograd"].components]
    assert [t["number"] for t in results["tests"]] == micrograd
    assert results["max_score"] == 11 and "micrograd: 11/11 core, +1 bonus" in results["output"]


def test_the_gradescope_bundle_still_writes_results_for_an_unreadable_submission(tmp_path):
    root = _unpack_bundle(tmp_path)
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "notes.txt").write_text("oops")
    results = _run_autograder(root)
    assert results["score"] == 0.0 and "could not be graded" in results["output"]
