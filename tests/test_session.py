"""One grading session: every command builds its options in one place and keeps progress in one."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from grader.engine import manifest, session
from grader.instructor.batch import BatchOptions
from grader.cli import main
from grader.engine.model import RunResult


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "grader").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def graded(monkeypatch):
    """What session.grade was asked to grade, with which options (nothing is graded)."""
    calls = []

    def fake(submission, solutions, names, opts, all_modules, cwd=None):
        calls.append((submission, names, opts))
        return RunResult([], opts.seed, all_modules)

    monkeypatch.setattr(session, "grade", fake)
    return calls


@pytest.mark.parametrize("args", [[], ["list", "--refresh"]])
def test_the_overview_and_list_grade_with_the_options_grade_was_given(checkout, graded, args):
    result = CliRunner().invoke(main, ["--timeout", "3.5", "--memory-mb", "1000", "--isolation", "process", *args])
    assert result.exit_code == 0, result.output
    (_, names, opts), = graded
    assert names == manifest.module_names()
    assert (opts.timeout, opts.memory_mb, opts.isolation) == (3.5, 1000, "process")
    # ... and the one place that keeps progress kept it, in the learner's checkout
    assert set(json.loads((checkout / ".grade" / "progress.json").read_text())["modules"]) == set()


def test_a_module_command_grades_with_its_own_options(checkout, graded):
    result = CliRunner().invoke(main, ["micrograd", "--timeout", "2", "--seed", "7", "-c", "micrograd.mul"])
    assert result.exit_code in (0, 1), result.output
    (submission, names, opts), = graded
    assert (submission, names, opts.seed, opts.timeout, opts.only) == (None, ["micrograd"], 7, 2.0,
                                                                       frozenset({"micrograd.mul"}))


def test_fresh_seeds_unless_one_is_given():
    assert session.options(seed=5).seed == 5
    assert len({session.options().seed for _ in range(5)}) > 1


def test_core_and_bonus_are_split_in_one_place():
    components = session.chosen_components(manifest.module_names(), None)
    core, bonus = session.split_bonus(components)
    assert bonus and core and all(c.bonus for c in bonus) and not any(c.bonus for c in core)
    assert len(core) + len(bonus) == len(components)
    names, opts = session.bonus_pass(session.options(seed=1), ["micrograd"], bonus=True)
    assert opts.only == frozenset(c.id for c in bonus if c.id.startswith("micrograd."))
    assert names == (["micrograd"] if opts.only else [])


def test_a_batch_holds_the_session_options_and_repeats_none_of_them():
    opts = session.batch_options(11, 4.0, 2048)
    batch = BatchOptions(opts, jobs=3)
    assert (batch.seed, batch.timeout, batch.memory_mb) == (11, 4.0, 2048)
    assert opts.prefetch is False  # every core of a batch already grades a submission of its own
    with pytest.raises(AttributeError):
        batch.timeout = 1.0  # one record: the batch cannot hold a second, diverging copy


def test_a_worker_is_configured_from_the_session_options(tmp_path):
    config = session.options(seed=1, timeout=2.5, memory_mb=900, isolation="process").worker_config(tmp_path)
    assert (config.timeout, config.memory_mb, config.isolation, config.exercises) == (2.5, 900, "process", tmp_path)
