"""The GitHub workflow template and GitHub Classroom: run the template's own steps, then read
what Classroom's grading reporter would read, the way its source does (see `reporter_reads`)."""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, make_submission
from grader.engine import manifest
from grader.engine import names_data as data
from grader.engine.model import ComponentResult, ModuleResult, RunResult, Status
from grader.engine.render.classroom import classroom_result

GRADE = str(Path(sys.executable).with_name("grade"))
TEMPLATE = ROOT / "grader" / "instructor" / "templates" / "github-workflow.yml"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def workflow() -> dict:
    return yaml.safe_load(TEMPLATE.read_text())


def steps() -> list[dict]:
    return workflow()["jobs"]["grade"]["steps"]


def step(name: str) -> dict:
    return next(s for s in steps() if s.get("name") == name)


def reporter_reads(outputs: dict[str, dict[str, str]]) -> tuple[str, bool, list[dict]]:
    """What classroom-resources/autograding-grading-reporter@v1 does with the step outputs:
    src/main.js reads env `<RUNNER>_RESULTS` (runner id trimmed, upper-cased) as base64 JSON for
    each runner and fails the run on a status of "fail" or "error"; src/notify-classroom.js sums
    `max_score` and the tests' `score` over runners with a max_score, and posts "Points X/Y"."""
    reporter = next(s for s in steps() if s.get("uses", "").startswith("classroom-resources/autograding-grading-reporter@"))
    assert reporter["uses"].endswith("@v1")

    def resolve(value: str) -> str:
        def one(match):
            kind, step_id, outputs_word, name = match.group(1).split(".")
            assert (kind, outputs_word) == ("steps", "outputs")
            return outputs.get(step_id, {}).get(name, "")
        return EXPRESSION.sub(one, value)

    env = {key: resolve(value) for key, value in reporter["env"].items()}
    results = []
    for runner in reporter["with"]["runners"].split(","):
        encoded = env[f"{runner.strip().upper()}_RESULTS"]
        results.append(json.loads(base64.b64decode(encoded).decode("utf-8")))
    counted = [r for r in results if r.get("max_score")]
    total = sum(t["score"] for r in counted for t in r["tests"])
    maximum = sum(r["max_score"] for r in counted)
    number = lambda x: f"{x:g}"  # JavaScript prints 10.0 as 10
    failed = any(r["status"] in ("fail", "error") for r in results)
    return f"Points {number(total)}/{number(maximum)}", failed, results


def run_step(name: str, workspace: Path, runner_temp: Path, extra_env: dict | None = None) -> dict[str, str]:
    """Run a `run:` step of the template with bash as the runner would, in its working folder and
    with the workflow's env; returns the step's outputs (from $GITHUB_OUTPUT)."""
    s = step(name)
    assert "${{" not in s["run"], "expressions in a run script are an injection risk: pass them by env"
    contexts = {"github.workspace": str(workspace), "runner.temp": str(runner_temp)}
    expand = lambda text: EXPRESSION.sub(lambda m: contexts[m.group(1)], str(text))
    env = {**os.environ, **{k: expand(v) for k, v in workflow()["env"].items()}, **(extra_env or {})}
    outputs, summary = runner_temp / f"outputs-{s.get('id', 'step')}", runner_temp / "summary.md"
    outputs.write_text("")
    env.update(GITHUB_WORKSPACE=str(workspace), GITHUB_OUTPUT=str(outputs), GITHUB_STEP_SUMMARY=str(summary),
               PATH=f"{Path(GRADE).parent}:{os.environ['PATH']}")
    done = subprocess.run(["bash", "-e", "-c", s["run"]], cwd=expand(s["working-directory"]), env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)


def test_the_workflow_has_the_reporters_permissions_and_pins_the_kit():
    flow = workflow()
    assert flow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    assert "git+https://" in flow["env"]["KIT_SPEC"] and "@v" in flow["env"]["KIT_SPEC"]
    assert flow["env"]["MODULE"] == "all" and flow["env"]["ZERO_TO_HERO_FAIL_INCOMPLETE"] == "false"
    checkout = steps()[0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["path"] == "submission"
    for s in steps():
        if "run" in s:  # nothing runs inside the student's checkout
            assert s["working-directory"] == "${{ runner.temp }}"
    assert "'github-classroom[bot]'" in flow["jobs"]["grade"]["if"]


def test_the_workflow_caches_and_verifies_names_txt():
    flow = workflow()
    assert flow["env"]["NAMES_SHA256"] == data.NAMES_SHA256
    cache = next(s for s in steps() if s.get("uses", "").startswith("actions/cache@"))
    assert flow["env"]["NAMES_SHA256"] and "${{ env.NAMES_SHA256 }}" in cache["with"]["key"]
    assert "${{ github.workspace }}/" + cache["with"]["path"] == flow["env"]["ZERO_TO_HERO_DATA"] + "/names.txt"
    names = [s.get("name") for s in steps()]
    assert names.index("Cache names.txt") < names.index("Fetch and verify names.txt") < names.index("Grade")
    assert "grade fetch-data" in step("Fetch and verify names.txt")["run"]  # the kit's download: data.NAMES_URL


def test_the_fetch_step_verifies_a_cached_file_and_refuses_a_wrong_one(tmp_path):
    if not data.names_path().is_file():
        pytest.skip("no data/names.txt here to stand in for the cached copy")
    cached = tmp_path / "ws" / "zero-to-hero-data" / "names.txt"
    cached.parent.mkdir(parents=True)
    shutil.copy(data.names_path(), cached)
    run_step("Fetch and verify names.txt", tmp_path / "ws", tmp_path)  # a cache hit: no download
    assert data.sha256(cached) == data.NAMES_SHA256


def test_the_grade_step_reports_core_points_to_classroom(tmp_path):
    # tanh wrong, the bonus (deep graphs) right: the bonus must not hide the failing core part.
    exercises = make_submission(tmp_path, {"micrograd/engine.py": [("(1 - t ** 2)", "(1 - t)")]})
    workspace = tmp_path / "ws"
    shutil.copytree(exercises, workspace / "submission" / "exercises")
    outputs = run_step("Grade", workspace, tmp_path, {"MODULE": "micrograd"})
    points, failed, (results,) = reporter_reads({"grader": outputs})
    core = [c for c in manifest.load()["micrograd"].components if not c.bonus]
    assert points == f"Points {len(core) - 1}/{len(core)}"
    assert not failed  # the template's default: an incomplete submission keeps the run green
    tests = {t["test_code"]: t for t in results["tests"]}
    assert tests["grade micrograd -c micrograd.tanh"]["status"] == "fail"
    assert tests["grade micrograd -c micrograd.tanh"]["filename"] == "exercises/micrograd/engine.py"
    assert "micrograd.deep_graphs" not in json.dumps(results)  # bonus: summary only, never points
    assert "micrograd.tanh" in (tmp_path / "summary.md").read_text()  # the github format's summary too


def _result(statuses: dict[str, Status]) -> RunResult:
    comps = [ComponentResult(c.id, c.title, statuses.get(c.id, Status.PASSED), c.points, bonus=c.bonus)
             for c in manifest.load()["micrograd"].components]
    return RunResult([ModuleResult("micrograd", "micrograd", comps, seed=1)], seed=1, all_modules=False)


def test_only_the_instructors_setting_makes_an_incomplete_run_fail():
    incomplete = _result({"micrograd.relu": Status.TODO})
    assert classroom_result(incomplete, fail_incomplete=True)["status"] == "fail"
    assert classroom_result(incomplete, fail_incomplete=False)["status"] == "pass"
    complete_but_bonus = _result({"micrograd.deep_graphs": Status.TIMEOUT})
    assert classroom_result(complete_but_bonus, fail_incomplete=True)["status"] == "pass"
    relu = next(t for t in classroom_result(incomplete, True)["tests"] if t["name"].startswith("micrograd.relu"))
    assert relu["status"] == "fail" and relu["score"] == 0 and relu["name"].endswith("(todo)")


def test_the_setting_reaches_the_renderer_from_the_workflows_env(tmp_path, monkeypatch):
    from grader.engine.render.classroom import render_classroom

    out = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    for setting, failed in (("true", True), (workflow()["env"]["ZERO_TO_HERO_FAIL_INCOMPLETE"], False)):
        out.write_text("")
        monkeypatch.setenv("ZERO_TO_HERO_FAIL_INCOMPLETE", setting)
        with open(tmp_path / "stdout", "w") as stream:
            render_classroom(_result({"micrograd.mul": Status.FAILED}), stream)
        outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
        assert reporter_reads({"grader": outputs})[:2] == ("Points 10/11", failed)
