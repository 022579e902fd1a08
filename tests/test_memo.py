"""`once`: a reference's answer remembered by the question's contents, never shared between callers."""
from __future__ import annotations

import pytest
import torch

from grader.checks import once


def counted():
    calls = []

    @once
    def double(t, k=1):
        calls.append(1)
        return {"t": t * 2 * k, "list": [float(t.detach().sum())]}

    return double, calls


def test_equal_contents_are_answered_from_memory():
    double, calls = counted()
    a = double(torch.tensor([1.0, 2.0]))
    b = double(torch.tensor([1.0, 2.0]))  # another tensor, the same contents
    assert len(calls) == 1
    assert torch.equal(a["t"], b["t"]) and a["list"] == b["list"]


def test_any_difference_in_the_question_is_asked_again():
    double, calls = counted()
    double(torch.tensor([1.0, 2.0]))
    double(torch.tensor([1.0, 3.0]))  # contents
    double(torch.tensor([1.0, 2.0], dtype=torch.float64))  # dtype
    double(torch.tensor([[1.0, 2.0]]))  # shape
    double(torch.tensor([1.0, 2.0]), k=2)  # a keyword
    double(torch.tensor([1.0, 2.0], requires_grad=True))  # whether autograd follows it
    assert len(calls) == 6


def test_minus_zero_and_zero_are_different_questions():
    calls = []

    @once
    def sign(x):
        calls.append(x)
        return str(x)

    assert (sign(0.0), sign(-0.0)) == ("0.0", "-0.0")
    assert len(calls) == 2


def test_a_caller_that_changes_its_answer_changes_nobody_elses():
    double, _ = counted()
    first = double(torch.tensor([1.0, 2.0]))
    first["t"] += 100
    first["list"].append("changed")
    second = double(torch.tensor([1.0, 2.0]))
    assert second["t"].tolist() == [2.0, 4.0] and second["list"] == [3.0]


def test_a_generator_is_refused_it_is_state_not_a_question():
    @once
    def draw(g):
        return torch.rand(1, generator=g)

    with pytest.raises(TypeError, match="plain arguments"):
        draw(torch.Generator().manual_seed(1))
