"""Student strings against every renderer (issue 12, part 4): whatever a submission raises or
prints, no renderer crashes, nothing in the output can act (terminal escapes, workflow commands,
bidi overrides, spreadsheet formulas), JUnit is well-formed XML and JSON is strict UTF-8.

Random strings (every code point, lone surrogates included) through each renderer, then one
hostile submission through the command line itself.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_submission
from grader.engine import manifest
from grader.instructor.batch.output import Row, csv_cells, json_document
from grader.cli import main
from grader.engine.model import ComponentResult, ModuleResult, RunResult, Status
from grader.engine.render import RENDERERS
from grader.engine.sanitize import clean

NASTY = ["\x1b[2J\x1b[H", "\x1b]52;c;aGk=\x07", "\x00", "\udcff", "\ud800x", "\u202e", "\u2066", "\ufffe",
         "\ufdd0", "\U0010ffff", "\x9b31m", "\r", "\n::error::forged", "%0A::notice::", "]]>", "<b>&amp;",
         "=HYPERLINK(\"http://x\")", "@SUM(1)", "|", "`", "[x](http://x)", "\u2028", "\x7f"]
# Anything, lone surrogates included (st.text leaves those out), mixed with known-bad pieces.
STRINGS = st.lists(st.one_of(st.integers(0, 0x10FFFF).map(chr), st.sampled_from(NASTY)), max_size=40).map("".join)

BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def acts(ch: str) -> bool:
    """What must never reach a terminal, XML or a log: said by Unicode's categories here, on
    purpose not the way the sanitiser says it."""
    cp = ord(ch)
    return ((unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") and ch not in "\t\n") or ch in BIDI
            or 0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE)


class _Active:
    def search(self, text: str):
        return next((ch for ch in text if acts(ch)), None)

    def match(self, ch: str):
        return acts(ch)


ACTIVE = _Active()
STATUSES = list(Status)


def result_with(text: str) -> RunResult:
    comps = []
    for i, comp in enumerate(manifest.load()["micrograd"].components):
        status = STATUSES[i % len(STATUSES)]
        comps.append(ComponentResult(comp.id, comp.title, status, comp.points, message=text, hint=text, output=text,
                                     bonus=comp.bonus, details=[text], mistake={"id": "m", "name": text}))
    module = ModuleResult("micrograd", "micrograd", comps, seed=7, duration=0.5,
                          source={"kind": "files", "files": [text]}, isolation=text)
    return RunResult([module], seed=7, all_modules=True)


def rendered(fmt: str, result: RunResult, tmp_path) -> str:
    stream = io.StringIO()
    RENDERERS[fmt](result, stream, color=False)
    text = stream.getvalue()
    path = tmp_path / f"out.{fmt}"
    with open(path, "w", encoding="utf-8", errors="strict") as f:  # what --output does
        RENDERERS[fmt](result, f, color=False)
    assert path.read_text(encoding="utf-8") == text
    return text


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=STRINGS)
def test_no_renderer_crashes_or_lets_a_student_string_act(fmt, text, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    out = rendered(fmt, result_with(text), tmp_path)
    assert not ACTIVE.search(out), repr(ACTIVE.search(out))
    if fmt == "junit":
        root = ET.fromstring(out.encode("utf-8"))  # well-formed, whatever the student wrote
        assert len(root.findall("testsuite/testcase")) == len(manifest.load()["micrograd"].components)
    if fmt in ("json", "gradescope"):
        json.loads(out)
    if fmt == "github":
        commands = [line for line in out.splitlines() if line.startswith("::")]
        assert all(re.match(r"^::error file=exercises/micrograd/\w+\.py,title=micrograd\.\w+ \w+::", c) for c in commands)
        assert len(commands) == sum(1 for i in range(12) if STATUSES[i % 6] is not Status.PASSED)


@settings(max_examples=60, deadline=None)
@given(text=STRINGS)
def test_csv_rows_and_json_files_carry_student_strings_as_inert_text(text):
    row = Row(text, result_with(text), error=text)
    modules = ["micrograd"]
    cells = csv_cells(row, modules, 7)
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    back = next(csv.reader(io.StringIO(out.getvalue())))
    assert back == cells
    for cell in cells:
        assert not ACTIVE.search(cell) and not cell.startswith(("=", "+", "-", "@"))
    document = json.dumps(json_document(row, modules))
    document.encode("utf-8", "strict")
    assert not ACTIVE.search(json.loads(document)["modules"][0]["components"][0]["message"])


@settings(max_examples=200, deadline=None)
@given(text=STRINGS)
def test_the_sanitiser_keeps_text_readable_and_is_stable(text):
    once = clean(text)
    assert clean(once) == once and not ACTIVE.search(once)
    # Nothing harmless is lost or moved: without the escapes it put in, the text is the input
    # without what it escaped.
    escapes = re.compile(r"\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\U[0-9a-f]{8}|\ufffd")
    plain = "".join(ch for ch in text if not ACTIVE.match(ch))
    assert escapes.sub("", once) == escapes.sub("", plain)


HOSTILE_ERROR = "\udcff\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202eevil\x00 ]]> <x> ::error::forged"


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_a_hostile_message_through_the_command_line_yields_a_well_formed_report(fmt, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    line = "        t = math.tanh(self.data)\n"
    code = f"        print({HOSTILE_ERROR!r}); raise ValueError({HOSTILE_ERROR!r})\n"
    sub = make_submission(tmp_path, {"micrograd/engine.py": [(line, line + code)]})
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(sub), "--format", fmt, "--output", str(out),
                                       "-c", "micrograd.tanh", "-c", "micrograd.add", "--seed", "1", "-v"])
    assert result.exit_code == 1, result.output  # graded, something failed: not a crash
    text = out.read_text(encoding="utf-8")
    assert not ACTIVE.search(text) and "\\x1b" in text  # the escape is shown, not sent
    if fmt == "junit":
        cases = {c.get("name"): c for c in ET.fromstring(text.encode()).iter("testcase")}
        assert cases["micrograd.tanh"].find("error") is not None and cases["micrograd.add"].find("error") is None
