"""`grade mlp --challenge`: trains the learner's own code on names.txt and reports, unscored."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import ROOT, make_submission
from grader.challenge import run_challenge
from grader.cli import main

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "names.txt").exists(), reason="needs names.txt in data/")
SETTINGS = '    "steps": 120_000,\n'


def test_a_short_run_reports_train_and_dev_loss(tmp_path):
    sub = make_submission(tmp_path, {"makemore/mlp.py": [(SETTINGS, '    "steps": 400,\n')]})
    result = CliRunner().invoke(main, ["mlp", "--challenge", "--submission", str(sub), "--format", "json"])
    report = json.loads(result.output)
    assert result.exit_code == 1 and report["beaten"] is False  # 400 steps cannot reach 2.2
    assert report["steps_done"] == 400 and report["target"] == 2.2
    assert 2.2 < report["dev_loss"] < 30 and 2.2 < report["train_loss"] < 30  # unscaled init starts high


def test_the_budget_stops_training_and_says_so(tmp_path):
    sub = make_submission(tmp_path, {"makemore/mlp.py": [(SETTINGS, '    "steps": 10_000_000,\n')]})
    report = run_challenge(sub, budget=3.0, progress=False)
    assert 0 < report.steps_done < 10_000_000
    assert "time budget" in report.message and report.dev_loss is not None


def test_broken_settings_are_reported_not_crashed(tmp_path):
    sub = make_submission(tmp_path, {"makemore/mlp.py": [(SETTINGS, '    "steps": "many",\n')]})
    report = run_challenge(sub, budget=30.0, progress=False)
    assert report.dev_loss is None and "CHALLENGE['steps']" in report.message
