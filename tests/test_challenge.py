"""`grade mlp --challenge`: trains the learner's own code on names.txt and reports, unscored."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import ROOT, make_submission
from grader.learner.challenge import run_challenge
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
    # The budget counts training only (not starting torch or loading the data), and the first
    # chunk always runs: on a machine of any speed this trains some steps, never 10 million.
    sub = make_submission(tmp_path, {"makemore/mlp.py": [(SETTINGS, '    "steps": 10_000_000,\n')]})
    report = run_challenge(sub, budget=2.0, progress=False)
    assert 0 < report.steps_done < 10_000_000
    assert "time budget" in report.message and report.dev_loss is not None
    assert report.training_seconds >= 2.0 and report.seconds >= report.training_seconds


def test_the_learners_training_runs_on_one_thread(tmp_path):
    sub = make_submission(tmp_path, {"makemore/mlp.py": [(
        "    losses = []\n    for step in range(steps):",
        "    raise ValueError(f'threads {torch.get_num_threads()}')\n    losses = []\n    for step in range(steps):")]})
    report = run_challenge(sub, budget=30.0, progress=False)
    assert "ValueError: threads 1 " in report.message


def test_the_time_left_is_the_measured_speed_against_the_budget():
    from grader.learner.challenge import FIRST_CHUNK, _Clock

    clock = _Clock(budget=100.0)
    assert clock.chunk(0, 120_000) == FIRST_CHUNK and "measuring" in clock.left(0, 120_000)
    clock.spent = 1.0  # 1,000 steps a second so far
    assert clock.left(1_000, 31_000) == "about 30 s left"
    assert clock.left(1_000, 91_000) == "about 1:30 left"
    assert clock.left(1_000, 1_000_000) == "the budget stops it in 1:39, near step 100,000"
    assert clock.chunk(1_000, 1_000_000) == 2_000  # about CHUNK_SECONDS of steps
    clock.spent = 99.5
    assert clock.chunk(99_500, 1_000_000) == 500  # never far past the budget


def test_broken_settings_are_reported_not_crashed(tmp_path):
    sub = make_submission(tmp_path, {"makemore/mlp.py": [(SETTINGS, '    "steps": "many",\n')]})
    report = run_challenge(sub, budget=30.0, progress=False)
    assert report.dev_loss is None and "CHALLENGE['steps']" in report.message
