"""Honest totals in every format (issue 15, part 2): core and bonus apart, so a bonus never makes a
failing core component look like full marks ("10/11 core, +1 bonus", never "11/11")."""
from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from grader.engine import manifest
from grader.engine.model import ComponentResult, ModuleResult, RunResult, Status
from grader.engine.render import RENDERERS


def bonus_but_failing_tanh(all_modules: bool) -> RunResult:
    comps = [ComponentResult(c.id, c.title, Status.FAILED if c.id == "micrograd.tanh" else Status.PASSED, c.points,
                             bonus=c.bonus, message="wrong" if c.id == "micrograd.tanh" else "")
             for c in manifest.load()["micrograd"].components]
    return RunResult([ModuleResult("micrograd", "Micrograd", comps, seed=1)], seed=1, all_modules=all_modules)


def render(fmt: str, result: RunResult) -> str:
    stream = io.StringIO()
    RENDERERS[fmt](result, stream, color=False)
    return stream.getvalue()


@pytest.mark.parametrize("all_modules", [False, True])
def test_text_shows_core_and_bonus_apart(all_modules):
    out = render("text", bonus_but_failing_tanh(all_modules))
    assert "10/11 core, +1 bonus" in out and "11/11" not in out
    if all_modules:
        assert "Total: 10/11 core, +1 bonus" in out


def test_the_github_summary_names_the_failing_core_component(monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    out = render("github", bonus_but_failing_tanh(True))
    assert out.startswith("## Zero to Hero grader: 10/11 core, +1 bonus")
    assert "1 core component(s) not passed yet: `micrograd.tanh`" in out and "11/11" not in out


def test_junit_properties_carry_core_and_bonus():
    root = ET.fromstring(render("junit", bonus_but_failing_tanh(True)))
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert (props["core_score"], props["bonus_score"], props["max_score"]) == ("10.0", "1.0", "11.0")
    assert props["totals"] == "10/11 core, +1 bonus"


def test_gradescope_says_core_and_bonus_and_keeps_the_bonus_as_extra_credit():
    data = json.loads(render("gradescope", bonus_but_failing_tanh(True)))
    assert "micrograd: 10/11 core, +1 bonus" in data["output"] and "micrograd.tanh" in data["output"]
    assert (data["score"], data["max_score"]) == (11.0, 11.0)  # Gradescope's own sum: bonus is extra credit
    assert (data["extra_data"]["core_score"], data["extra_data"]["bonus_score"]) == (10.0, 1.0)
    tanh = next(t for t in data["tests"] if t["number"] == "micrograd.tanh")
    assert tanh["status"] == "failed"
