"""The hostile corpus (tests/hostile/cases.py): nothing a submission does gets it a component it
did not solve, and every component always gets a result within the bound."""
from __future__ import annotations

import ast
import json
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXERCISES
from grader.engine import manifest
from grader.cli import main
from grader.engine.worker import sandbox
from grader.engine.judge import kit_guard
from grader.engine.model import Status
from hostile.cases import CASES

STATUSES = {s.value for s in Status}
TIMEOUT = 2.0  # per call, to keep the corpus quick; the bound below scales with it


def build(tmp_path: Path, case) -> Path:
    repo = tmp_path / "student"
    shutil.copytree(EXERCISES, repo / "exercises", ignore=shutil.ignore_patterns("__pycache__", "notebooks"))
    path = repo / "exercises" / case.file
    lines = path.read_text().splitlines(keepends=True)
    if case.component is None:  # right after the module docstring: the first thing that runs
        body = ast.parse(path.read_text()).body
        after = body[0].end_lineno if body and isinstance(body[0], ast.Expr) else 0
        lines.insert(after, case.code + "\n")
    else:
        index = next(i for i, line in enumerate(lines) if f'"TODO {case.component}' in line)
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        lines.insert(index, "".join(indent + line + "\n" for line in case.code.splitlines()))
    path.write_text("".join(lines))
    return repo


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_submission_gains_nothing(tmp_path, monkeypatch, case):
    repo = build(tmp_path, case)
    out = tmp_path / "result.json"
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "file.py").write_text("# the instructor's\n")
    monkeypatch.setattr(kit_guard, "KIT", kit)  # the corpus must not really damage the kit under test
    monkeypatch.setenv("HOSTILE_TARGET", str(out))
    monkeypatch.setenv("HOSTILE_KIT_FILE", str(kit / "file.py"))
    started = time.monotonic()
    result = CliRunner().invoke(main, [case.module, "--submission", str(repo), "--format", "json", "--output", str(out),
                                       "--timeout", str(TIMEOUT), "--memory-mb", "1024", "--seed", "1"])
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text())
    ids = [c.id for c in manifest.load()[case.module].components]
    assert [c["id"] for c in data["components"]] == ids  # every component, in order
    assert all(c["status"] in STATUSES for c in data["components"])
    assert not [c["id"] for c in data["components"] if c["status"] == "passed"]
    assert data["score"] == 0.0
    statuses = {c["id"]: c["status"] for c in data["components"]}
    for component, status in case.expect.items():
        assert statuses[component] == status, (component, statuses[component])
    messages = {c["id"]: c["message"] for c in data["components"]}
    for component, words in case.says.items():
        assert words in messages[component], messages[component]
    assert elapsed < 30 + 4 * TIMEOUT * len(ids)


@pytest.mark.parametrize("isolation", ["sandbox", "process"])
def test_edits_to_the_kit_during_grading_void_the_result(tmp_path, monkeypatch, isolation):
    """In the sandbox the kit cannot even be seen; without one, an edit voids the result."""
    if isolation == "sandbox" and not sandbox.probe()[0]:
        pytest.skip(f"no sandbox here: {sandbox.probe()[1]}")
    case = next(c for c in CASES if c.name == "delete-and-edit-files-outside")
    repo = build(tmp_path, case)
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "file.py").write_text("# the instructor's\n")
    monkeypatch.setattr(kit_guard, "KIT", kit)
    engine = repo / "exercises" / case.file
    engine.write_text(engine.read_text().replace("os.environ.get('HOSTILE_KIT_FILE')", repr(str(kit / "file.py"))))
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(repo), "--format", "json", "--seed", "1",
                                       "--isolation", isolation])
    data = json.loads(result.output)
    assert data["isolation"] == isolation
    if isolation == "sandbox":
        assert (kit / "file.py").read_text() == "# the instructor's\n"
        assert "passed" not in {c["status"] for c in data["components"]}
    else:
        assert {c["status"] for c in data["components"]} == {"error"}
        assert "the grader's own files changed" in data["components"][0]["message"]


def test_github_format_never_echoes_student_output(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    case = next(c for c in CASES if c.name == "github-workflow-commands")
    repo = build(tmp_path, case)
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(repo), "--format", "github", "--seed", "1"])
    assert "::notice" not in result.output and "forged" not in result.output
    assert all(line.startswith("::error file=exercises/") for line in result.output.splitlines() if line.startswith("::"))
