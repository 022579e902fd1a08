"""The learner-style corpus (tests/learner_values): every `Value` gets the verdict SPEC §3 gives,
from the real grader, and that verdict is what PyTorch says of the class itself (oracle.py).

Only the engine's components are graded: nn, train and gradcheck run on the grader's own
engine, so a corpus of engines cannot change them."""
from __future__ import annotations

import io
import sys
import types

import pytest

from conftest import by_id, grade_folder, make_submission, not_passed
from grader.engine.model import RunResult
from grader.engine.render.text import render_text
from learner_values import CORPUS, DEEP, ENGINE_COMPONENTS
from learner_values.oracle import wrong_components


def load_value(learner):
    """The class, imported from the learner's source in this process (the oracle runs it)."""
    module = types.ModuleType(f"learner_values_{learner.name}")
    module.__file__ = f"<{learner.name}>"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    try:
        exec(compile(learner.source(), module.__file__, "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return module.Value


def test_the_corpus_is_large_and_varied():
    assert len(CORPUS) >= 20
    assert len({learner.base or learner.name for learner in CORPUS}) >= 14  # distinct classes, not edits of one
    assert sum(not learner.fails for learner in CORPUS) >= 8  # right code in many shapes passes everything


def test_the_unhashable_value_really_is_unhashable():
    Value = load_value(next(item for item in CORPUS if item.name == "eq_by_data_unhashable"))
    with pytest.raises(TypeError):
        hash(Value(1.0))


@pytest.mark.parametrize("learner", CORPUS, ids=[learner.name for learner in CORPUS])
def test_each_value_gets_the_verdict_spec_3_gives(tmp_path, learner):
    oracle = wrong_components(load_value(learner))
    assert set(oracle) == learner.fails, f"PyTorch disagrees with the registry: {oracle}"

    components = ENGINE_COMPONENTS
    if learner.keeps_the_base_backward():  # the bonus's verdict is the base's: graded there, once
        base = next(item for item in CORPUS if item.name == learner.base)
        assert (DEEP in learner.fails) == (DEEP in base.fails)
        components = [c for c in ENGINE_COMPONENTS if c != DEEP]
    submission = make_submission(tmp_path, files={"micrograd/engine.py": learner.source()})
    result = grade_folder(submission, only=frozenset(components))
    report = [(c.id, c.status.value, c.message) for c in result.components]
    assert set(not_passed(result)) == learner.fails & set(components), report
    for component, words in learner.says.items():
        assert words in by_id(result, component).message, report
    for component, symbol in learner.work_on.items():
        failing = by_id(result, component)
        assert failing.symbol == symbol, report
        method = symbol.split(".", 1)[1]
        assert method in failing.hint or method.strip("_") in failing.hint, failing.hint
        assert "derivative" not in failing.hint, failing.hint


@pytest.mark.parametrize("name", ["missing_rmul", "no_radd", "karpathy_repo"])
def test_the_next_step_names_the_method_the_evidence_points_at(tmp_path, name):
    learner = next(item for item in CORPUS if item.name == name)
    submission = make_submission(tmp_path, files={"micrograd/engine.py": learner.source()})
    result = grade_folder(submission, only=frozenset(c for c in ENGINE_COMPONENTS if c != DEEP))
    first = next(c for c in result.components if c.status.value != "passed")
    out = io.StringIO()
    render_text(RunResult([result], result.seed, False), out, color=False)
    text = out.getvalue()
    next_step = text[text.index("Next:"):]
    assert f"work on {learner.work_on[first.id]}." in next_step, text
    assert first.hint in next_step, text
