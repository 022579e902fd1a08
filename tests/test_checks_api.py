"""The public face for writing checks (grader/checks.py): `expect` gives the standard feedback for
numbers, sequences, arrays and described tensors, `require` for the rest, and the suites reach the
engine through it only."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from grader import checks
from grader.authoring import layout_check
from grader.checks import CheckFailed, Mistake, expect, require


def described(array: np.ndarray) -> dict:
    """A tensor as the worker describes it to the judge."""
    return {"kind": "tensor", "data": array}


def failure(*args, **kwargs) -> CheckFailed:
    with pytest.raises(CheckFailed) as caught:
        expect(*args, **kwargs)
    return caught.value


def test_everything_a_suite_author_needs_is_importable_from_one_place():
    for name in checks.__all__:
        assert getattr(checks, name) is not None, name
    assert issubclass(checks.StudentFailure, Exception) and issubclass(CheckFailed, AssertionError)


def test_a_number_that_matches_passes_and_one_that_does_not_says_both():
    assert expect(2.0, 2.0, what="loss") == 2.0
    message = failure(3.0, 2.0, what="loss", context="for a=1").message
    assert message == "loss: expected 2 (PyTorch), got 3 (relative error 5.0e-01) for a=1"


def test_a_sequence_is_shown_where_it_first_differs_by_its_labels():
    message = failure([1.0, 5.0, 7.0], [1.0, 2.0, 3.0], what="gradient", labels=["a.grad", "b.grad", "c.grad"]).message
    assert message.startswith("gradient: first differs at b.grad: expected 2 (PyTorch), got 5")


def test_a_described_tensor_is_held_to_its_dtype_and_shape_before_its_values():
    got = described(np.zeros((2, 2), dtype=np.int64))
    assert "has dtype torch.int64; expected torch.float32" in failure(got, np.zeros((2, 2)), what="P", dtype="float32").message
    assert "has shape (2, 2); expected (3,)" in failure(got, np.zeros(3), what="P", shape=(3,)).message


def test_an_array_is_shown_at_its_first_differing_entry_against_a_torch_reference():
    got = described(np.array([[1.0, 2.0], [9.0, 4.0]], dtype=np.float32))
    message = failure(got, torch.tensor([[1.0, 2.0], [3.0, 4.0]]), what="probs").message
    assert message.startswith("probs: first differs at [1, 0]: expected 3 (PyTorch), got 9")
    assert message.endswith("; 1 of 4 entries differ")
    values = expect(got, torch.tensor([[1.0, 2.0], [9.0, 4.0]]), what="probs")
    assert isinstance(values, np.ndarray) and values[1, 0] == 9.0


def test_numbers_that_match_a_classic_mistake_name_it_and_carry_it():
    off_by_one = Mistake("dividing by n - 1", [1.5], hint="the biased variance divides by n", id="unbiased-variance")
    caught = failure([1.5], [1.0], what="var", mistakes=[Mistake("something else", [7.0]), off_by_one], hint="generic")
    assert caught.message.endswith(". This is exactly what dividing by n - 1 gives")
    assert caught.hint == "the biased variance divides by n"
    assert caught.mistake == {"id": "unbiased-variance", "name": "dividing by n - 1"}
    assert failure([2.5], [1.0], what="var", mistakes=[off_by_one], hint="generic").mistake is None


@pytest.mark.parametrize("got", [[0.5, float("nan")], described(np.array([[0.5, np.nan]], dtype=np.float32))],
                         ids=["sequence", "array"])
def test_a_nan_fits_a_mistake_only_when_the_mistake_gives_nan_as_a_value(got):
    # 0/0 in an unsmoothed row: where the mistake says nan, the student's nan is its fingerprint;
    # by default nan is an evidence's "cannot fit", and fits nothing.
    right, unsmoothed = [0.25, 0.25], [0.5, float("nan")]
    if isinstance(got, dict):  # a tensor is compared as an array
        right, unsmoothed = np.full((1, 2), 0.25), np.array([unsmoothed])
    named = Mistake("no smoothing", unsmoothed, equal_nan=True, id="no-smoothing")
    assert failure(got, right, what="P", mistakes=[named]).mistake == {"id": "no-smoothing", "name": "no smoothing"}
    assert failure(got, right, what="P", mistakes=[Mistake("cannot fit", unsmoothed)]).mistake is None


def test_require_fails_with_its_own_message_and_hint():
    require(True, "never shown")
    with pytest.raises(CheckFailed) as caught:
        require(False, "stoi['.'] should be 0", "Put '.' first.")
    assert (caught.value.message, caught.value.hint) == ("stoi['.'] should be 0", "Put '.' first.")


def test_no_suite_imports_the_engine_but_through_grader_checks():
    assert layout_check.check_suite_imports() == []


def test_a_suite_importing_the_engine_directly_is_named_with_its_line(tmp_path):
    suite = tmp_path / "grader" / "suites" / "toy"
    suite.mkdir(parents=True)
    (suite / "check_toy.py").write_text(
        "from grader.checks import expect\n"
        "from grader.references import mlp\n"
        "from grader.engine.judge.plugin import CheckFailed\n"
        "from grader.engine.judge import tensor_compare\n"
        "\n"
        "def check_x(student):\n"
        "    import grader.engine.worker.client\n")
    problems = layout_check.check_suite_imports(tmp_path / "grader" / "suites")
    assert problems == [
        "grader/suites/toy/check_toy.py line 3 imports grader.engine.judge.plugin: suites import the engine from grader.checks only",
        "grader/suites/toy/check_toy.py line 4 imports grader.engine.judge: suites import the engine from grader.checks only",
        "grader/suites/toy/check_toy.py line 7 imports grader.engine.worker.client: suites import the engine from grader.checks only",
    ]


def test_the_example_of_writing_checks_names_a_transposed_count_table():
    # docs/architecture.md, "Writing checks": the student's N is the reference's, transposed.
    from grader.references import bigram as ref

    words = ["emma", "ava", "mia"]
    stoi = {ch: i for i, ch in enumerate(".aeim v".replace(" ", ""))}
    want = ref.count_bigrams(words, stoi)
    got = described(want.T.numpy().copy())
    caught = failure(got, want, what="count_bigrams", dtype="int32", shape=want.shape, rtol=0, atol=0,
                     mistakes=[Mistake("swapping rows and columns (N[next, previous])", want.T.numpy(),
                                       "N[i, j] counts j following i: the row is the previous character.")])
    assert caught.message.startswith("count_bigrams: first differs at [0, 1]: expected ")
    assert caught.mistake["name"] == "swapping rows and columns (N[next, previous])"
    assert expect(described(want.numpy().copy()), want, what="count_bigrams", dtype="int32", rtol=0, atol=0) is not None
