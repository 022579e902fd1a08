"""Golden JSON results: the exact output for fixed seeds. Regenerate with UPDATE_GOLDEN=1."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import EXERCISES, SOLUTIONS, grade_folder, make_submission

GOLDEN = Path(__file__).parent / "golden"
CASES = {  # name: (module, submission)
    "micrograd_solutions": ("micrograd", lambda tmp: SOLUTIONS),
    "micrograd_stubs": ("micrograd", lambda tmp: EXERCISES),
    "micrograd_tanh_and_zero_grad_mistakes": ("micrograd", lambda tmp: make_submission(tmp, {
        "micrograd/engine.py": [("(1 - t ** 2)", "(1 - t)")],
        "micrograd/train.py": [("        model.zero_grad()\n", "")],
    })),
    "bigram_stubs": ("bigram", lambda tmp: EXERCISES),
    "mlp_stubs": ("mlp", lambda tmp: EXERCISES),
    "mlp_naive_cross_entropy": ("mlp", lambda tmp: make_submission(tmp, {
        "makemore/mlp.py": [("    shifted = logits - logits.max(dim=1, keepdim=True).values", "    shifted = logits")],
    })),
    "bigram_keepdim_and_sign_mistakes": ("bigram", lambda tmp: make_submission(tmp, {
        "makemore/bigram.py": [("return P / P.sum(dim=1, keepdim=True)", "return P / P.sum(dim=1)"),
                               ("        W.data += -lr * W.grad\n", "        W.data += lr * W.grad\n")],
    })),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_result_matches_golden_file(tmp_path, name):
    module, submission = CASES[name]
    result = grade_folder(submission(tmp_path), module, seed=2024).to_json()
    result.pop("isolation", None)  # sandbox or process: a fact of the machine, not of the grade
    result = json.dumps(result, indent=2, sort_keys=True) + "\n"
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(result)
    assert result == path.read_text()
