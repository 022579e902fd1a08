"""The micrograd suite against the solutions, the stubs, and realistic broken submissions."""
from __future__ import annotations

import pytest

from conftest import EXERCISES, SOLUTIONS, by_id, grade_folder, make_submission, not_passed, statuses
from grader import manifest
from grader.model import Status
from micrograd_mutants import MUTANTS

COMPONENTS = [c.id for c in manifest.load()["micrograd"].components]


def test_solutions_pass_every_component():
    result = grade_folder(SOLUTIONS)
    assert [c.id for c in result.components] == COMPONENTS
    assert not_passed(result) == {}, [(c.id, c.message) for c in result.components]


def test_untouched_stubs_are_todo_everywhere():
    result = grade_folder(EXERCISES)
    assert statuses(result) == {c: Status.TODO for c in COMPONENTS}
    assert all("TODO micrograd." in c.message for c in result.components)


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_a_realistic_mistake_fails_its_component_and_only_it(tmp_path, mutant):
    result = grade_folder(make_submission(tmp_path, mutant.edits))
    assert set(not_passed(result)) == mutant.fails, [(c.id, c.status, c.message) for c in result.components]
    first = by_id(result, sorted(mutant.fails, key=COMPONENTS.index)[0])
    for words in mutant.says:
        assert words in first.message, first.message


def test_every_component_has_a_mutant_that_fails_only_it():
    singled_out = {next(iter(m.fails)) for m in MUTANTS if len(m.fails) == 1}
    assert singled_out == set(COMPONENTS)


def test_failure_message_shows_values_and_pytorch(tmp_path):
    edits = {"micrograd/engine.py": [("self.grad += other.data * out.grad", "self.grad += 1.0 * out.grad")]}
    result = grade_folder(make_submission(tmp_path, edits))
    message = by_id(result, "micrograd.mul").message
    assert "expected 3 (PyTorch), got 1" in message and "a=2, b=3" in message, message


def test_random_graph_failures_name_their_seed(tmp_path):
    # Breaks only graphs where a leaf is reused by sum() via __radd__ with a number on the left.
    edits = {"micrograd/engine.py": [("        return self + other\n", "        return self + other * 1.0001\n")]}
    result = grade_folder(make_submission(tmp_path, edits), seed=77)
    assert by_id(result, "micrograd.add").status is Status.FAILED


def test_seed_reproduces_a_run_exactly(tmp_path):
    sub = make_submission(tmp_path, {"micrograd/engine.py": [("(1 - t ** 2)", "(1 - t)")]})
    first = grade_folder(sub, seed=5).to_json()
    second = grade_folder(sub, seed=5).to_json()
    assert first == second
