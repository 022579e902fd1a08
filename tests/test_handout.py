"""`grade handout`: the repository students start from grades as all `todo` and holds no solution."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from conftest import EXERCISES, SOLUTIONS
from grader.engine import manifest
from grader.cli import main
from grader.engine.submission.handed_in import find_checkout

GRADE = str(Path(sys.executable).with_name("grade"))
BLOCK = re.compile(r"#\s*BEGIN SOLUTION.*?\n(.*?)#\s*END SOLUTION", re.S)


def _handout(dest: Path, *args: str):
    return CliRunner().invoke(main, ["handout", str(dest), *args])


def _texts(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def _solution_only_lines() -> set[str]:
    """Lines of solution code that no stub has: text that would give an answer away."""
    stubs = "\n".join(_texts(EXERCISES).values())
    lines = set()
    for path in SOLUTIONS.rglob("*.py"):
        for block in BLOCK.findall(path.read_text(encoding="utf-8")):
            lines |= {line.strip() for line in block.splitlines() if len(line.strip()) >= 20}
    return {line for line in lines if line not in stubs and not line.startswith("#")}


def test_the_whole_handout_grades_as_todo_and_gives_no_answer_away(tmp_path):
    dest = tmp_path / "handout"
    result = _handout(dest, "--workflow", "--kit-spec", "zero-to-hero-grader @ git+https://example.org/kit.git@v9")
    assert result.exit_code == 0, result.output
    texts = _texts(dest)
    assert {"README.md", ".gitignore", ".github/workflows/grade.yml", "exercises/micrograd/engine.py",
            "exercises/makemore/mlp.py", "exercises/notebooks/batchnorm.ipynb"} <= set(texts)
    assert not [p for p in texts if re.search(r"(^|/)(solutions|grader|references|suites|tests)/", p)]
    secrets = _solution_only_lines()
    assert len(secrets) > 100  # the check below has something to find
    leaks = [line for line in secrets for text in texts.values() if line in text]
    assert not leaks and not any("BEGIN SOLUTION" in t for t in texts.values()), leaks[:5]
    assert "git+https://example.org/kit.git@v9" in texts["README.md"]
    flow = yaml.safe_load(texts[".github/workflows/grade.yml"])
    assert flow["env"]["KIT_SPEC"].endswith("@v9") and flow["env"]["MODULE"] == "all"
    assert "data/names.txt" in texts[".gitignore"] and ".grade/" in texts[".gitignore"]

    done = subprocess.run([GRADE, "all", "--submission", str(dest), "--format", "json", "--seed", "5"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    graded = json.loads(done.stdout)
    statuses = {c["id"]: c["status"] for m in graded["modules"] for c in m["components"]}
    assert set(statuses) == {c.id for m in manifest.load().values() for c in m.components}
    assert set(statuses.values()) == {"todo"}, {k: v for k, v in statuses.items() if v != "todo"}


def test_one_module_handout_is_found_by_grade_and_sets_the_workflows_module(tmp_path):
    dest = tmp_path / "micrograd-assignment"
    result = _handout(dest, "--module", "micrograd", "--workflow")
    assert result.exit_code == 0, result.output
    files = set(_texts(dest))
    assert "exercises/makemore/mlp.py" not in files and "exercises/notebooks/mlp.ipynb" not in files
    expected = {f"exercises/{c.file}" for c in manifest.load()["micrograd"].components}
    assert expected <= files and "exercises/notebooks/micrograd.ipynb" in files
    assert yaml.safe_load((dest / ".github/workflows/grade.yml").read_text())["env"]["MODULE"] == "micrograd"
    assert find_checkout(dest / "exercises" / "micrograd") == dest  # `grade` inside the hand-out finds it
    assert "grade micrograd" in (dest / "README.md").read_text()


def test_handout_without_workflow_and_refusals(tmp_path):
    plain = tmp_path / "plain"
    assert _handout(plain).exit_code == 0
    assert not (plain / ".github").exists()
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine")
    result = _handout(occupied)
    assert result.exit_code == 2 and "not an empty folder" in result.output
    assert sorted(p.name for p in occupied.iterdir()) == ["notes.txt"]
    result = _handout(tmp_path / "two", "--module", "micrograd", "--module", "mlp")
    assert result.exit_code == 2 and "one module, or all" in result.output
