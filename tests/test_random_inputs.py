"""A right answer passes whatever the run's seed: the hidden inputs drawn from it are never
degenerate, and where PyTorch itself gives nan, nan agrees with it.

Found by a Gradescope run (a fresh seed for every submission): at seed 1871382250 the solutions'
bigram_probs failed with "expected nan (PyTorch), got nan", because the no-smoothing check had
drawn a row of zero counts (0/0)."""
from __future__ import annotations

import random

import numpy as np
import pytest

from conftest import SOLUTIONS, grade_folder, not_passed
from grader.checks import CheckFailed, expect_array_close, expect_close
from grader.suites.bigram.check_counting import _random_counts


def test_counts_drawn_for_no_smoothing_have_no_empty_row():
    empty = 0
    for seed in range(3000):
        rng = random.Random(seed)
        N = _random_counts(rng, rng.randint(5, 10), zero_rows=False)
        empty += int((N.sum(1) == 0).sum())
    assert empty == 0


def test_counts_drawn_for_smoothing_keep_their_empty_row():
    rng = random.Random(7)
    N = _random_counts(rng, 8, zero_rows=True)
    assert (N.sum(1) == 0).any()  # what the smoothing checks are about


def test_the_solutions_pass_bigram_probs_at_the_seed_that_drew_an_empty_row():
    result = grade_folder(SOLUTIONS, "bigram", seed=1871382250, only=frozenset({"bigram.probs"}))
    assert not_passed(result) == {}, [c.message for c in result.components]


def test_nan_agrees_only_with_nan():
    expected = np.array([[np.nan, 1.0], [0.5, 0.5]])
    expect_array_close(expected.copy(), expected, what="P")
    with pytest.raises(CheckFailed, match="is nan; expected 0.5"):
        expect_array_close(np.array([[np.nan, 1.0], [np.nan, 0.5]]), expected, what="P")
    with pytest.raises(CheckFailed):
        expect_array_close(np.array([[0.0, 1.0], [0.5, 0.5]]), expected, what="P")


def test_a_number_that_is_nan_where_pytorch_says_nan_agrees():
    expect_close([float("nan"), 2.0], [float("nan"), 2.0], what="grads")
    with pytest.raises(CheckFailed, match="first differs at element 1"):
        expect_close([float("nan"), float("nan")], [float("nan"), 2.0], what="grads")
    with pytest.raises(CheckFailed):
        expect_close(1.0, float("nan"), what="loss")
