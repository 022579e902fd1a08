"""micrograd feedback in detail (the suite-wide checks are in test_module_suites.py)."""
from __future__ import annotations

from conftest import by_id, grade_folder, make_submission
from grader.engine.model import Status


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


def test_a_named_mistake_is_in_the_json_with_a_stable_id(tmp_path):
    result = grade_folder(make_submission(tmp_path, {"micrograd/engine.py": [("(1 - t ** 2)", "(1 - t)")]}),
                          only=frozenset({"micrograd.tanh", "micrograd.relu"}))
    tanh = by_id(result, "micrograd.tanh").to_json()
    assert tanh["mistake"] == {"id": "micrograd.tanh_one_minus_t", "name": "`1 - t` instead of `1 - t**2` for tanh's derivative"}
    assert tanh["mistake"]["name"] in tanh["message"]
    assert "mistake" not in by_id(result, "micrograd.relu").to_json()  # passed: nothing to name
