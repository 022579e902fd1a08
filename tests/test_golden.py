"""Golden JSON results: the exact output for fixed seeds. Regenerate with UPDATE_GOLDEN=1."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import EXERCISES, SOLUTIONS, grade_folder, make_submission

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "micrograd_solutions": lambda tmp: SOLUTIONS,
    "micrograd_stubs": lambda tmp: EXERCISES,
    "micrograd_tanh_and_zero_grad_mistakes": lambda tmp: make_submission(tmp, {
        "micrograd/engine.py": [("(1 - t ** 2)", "(1 - t)")],
        "micrograd/train.py": [("        model.zero_grad()\n", "")],
    }),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_result_matches_golden_file(tmp_path, name):
    result = json.dumps(grade_folder(CASES[name](tmp_path), seed=2024).to_json(), indent=2, sort_keys=True) + "\n"
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(result)
    assert result == path.read_text()
