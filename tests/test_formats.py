"""Every output format, read the way its consumer reads it."""
from __future__ import annotations

import io
import json
import re

import jsonschema
import junitparser
import pytest
from click.testing import CliRunner

from conftest import make_submission
from grader.engine import manifest
from grader.cli import main
from grader.engine.model import ComponentResult, ModuleResult, RunResult, Status
from grader.engine.render import RENDERERS
from grader.engine.render.gradescope import gradescope_results

HOSTILE = "boom\n::notice title=Points::Points 100/100\r\n::error::forged %0A <b>|x|</b>\x00\x1b[31m"

# Gradescope's results.json, as its autograder documentation specifies it.
GRADESCOPE_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"}, "max_score": {"type": "number"}, "execution_time": {"type": "number"},
        "output": {"type": "string"}, "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "score": {"type": "number"}, "max_score": {"type": "number"}, "status": {"enum": ["passed", "failed"]},
                "name": {"type": "string"}, "number": {"type": "string"}, "output": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
                "extra_data": {"type": "object"},
            },
            "additionalProperties": False,
        }},
    },
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
}


def sample_result() -> RunResult:
    comps = []
    statuses = [Status.PASSED, Status.FAILED, Status.TODO, Status.ERROR, Status.TIMEOUT, Status.CRASHED]
    for comp, status in zip(manifest.load()["micrograd"].components, statuses * 2):
        comps.append(ComponentResult(comp.id, comp.title, status, comp.points, bonus=comp.bonus,
                                     message="" if status is Status.PASSED else HOSTILE,
                                     hint="" if status is Status.PASSED else "a hint", output=HOSTILE))
    return RunResult([ModuleResult("micrograd", "micrograd", comps, seed=99, duration=1.5)], seed=99, all_modules=False)


def render(fmt: str, result=None) -> str:
    stream = io.StringIO()
    RENDERERS[fmt](result or sample_result(), stream)
    return stream.getvalue()


def test_junit_reads_back_with_a_junit_parser(tmp_path):
    path = tmp_path / "report.xml"
    path.write_text(render("junit"))
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert [s.name for s in suites] == ["micrograd"]
    suite = suites[0]
    assert suite.tests == 12 and suite.failures == 2 and suite.errors == 6 and suite.skipped == 2
    props = {p.name: p.value for p in suite.properties()}
    assert props["seed"] == "99"
    cases = {case.name: case for case in suite}
    assert cases["micrograd.gradcheck"].is_passed
    assert isinstance(cases["micrograd.add"].result[0], junitparser.Failure)
    assert "::notice" in cases["micrograd.add"].result[0].message  # kept as data, escaped as XML


def test_gradescope_results_follow_the_documented_schema():
    data = json.loads(render("gradescope"))
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert data["score"] == sum(t["score"] for t in data["tests"])
    assert data["max_score"] == sum(t["max_score"] for t in data["tests"])
    assert [t["number"] for t in data["tests"]] == [c.id for c in manifest.load()["micrograd"].components]
    assert "99" in data["output"] and data["extra_data"]["seed"] == 99


def test_gradescope_denominator_comes_from_the_manifest_even_when_components_vanish():
    result = sample_result()
    result.modules[0].components = result.modules[0].components[:3]  # a result missing components
    data = gradescope_results(result)
    assert len(data["tests"]) == 3  # the renderer shows what it has; the judge guarantees completeness
    full = gradescope_results(sample_result())
    assert full["max_score"] == sum(c.points for c in manifest.load()["micrograd"].components if not c.bonus)


def test_github_annotations_cannot_be_forged_by_student_text(tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = render("github")
    commands = [line for line in out.splitlines() if line.startswith("::")]
    assert len(commands) == 10  # one per component that did not pass (2 of 12 passed), nothing else
    assert all(re.match(r"^::error file=exercises/micrograd/[a-z]+\.py,title=micrograd\.[a-z_]+ [a-z]+::", c) for c in commands)
    assert "Points 100/100" not in "".join(l for l in out.splitlines() if not l.startswith("::error file="))
    table = summary.read_text()
    assert "| `micrograd.add` | ❌ failed | 0/1 |" in table
    assert "<b>" not in table and "\n::" not in table


def test_github_without_a_summary_file_prints_the_table(monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert render("github").startswith("## Zero to Hero grader")


@pytest.mark.parametrize("fmt", ["json", "junit", "gradescope", "github", "text"])
def test_every_format_records_the_seed(fmt, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert "99" in render(fmt)


def test_end_to_end_hostile_message_through_the_cli(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    line = "        t = math.tanh(self.data)\n"
    sub = make_submission(tmp_path, {"micrograd/engine.py": [(line, line + f"        print({HOSTILE!r}); raise ValueError({HOSTILE!r})\n")]})
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(sub), "--format", "github", "-c", "micrograd.tanh"])
    assert result.exit_code == 1
    commands = [l for l in result.output.splitlines() if l.startswith("::")]
    assert len(commands) == 1 and commands[0].startswith("::error file=exercises/micrograd/engine.py,title=micrograd.tanh error::")


def test_a_new_format_is_a_renderer_and_one_entry(tmp_path, monkeypatch):
    """docs/architecture.md's recipe for a new output format, followed with a toy one."""
    from grader.engine import render

    package = tmp_path / "toy_formats"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "lines.py").write_text(
        "from grader.engine.sanitize import clean\n\n\n"
        "def render_lines(result, stream, verbose=False, color=None):\n"
        "    for module in result.modules:\n"
        "        for c in module.components:\n"
        "            stream.write(f'{c.id} {c.status.value} {clean(c.message)}\\n')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(render.FORMATS, "lines", "toy_formats.lines:render_lines")
    done = CliRunner().invoke(main, ["micrograd", "--solutions", "--format", "lines", "-c", "micrograd.add",
                                     "--seed", "1"])
    assert done.exit_code == 0, done.output
    assert "micrograd.add passed " in done.output
    assert "lines" in CliRunner().invoke(main, ["micrograd", "--help"]).output
