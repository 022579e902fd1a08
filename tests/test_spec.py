"""The kit carries the contract: docs/spec.md holds ../shared/SPEC.md unchanged, plus additions."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.engine import manifest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "SPEC.md"
KIT = ROOT / "docs" / "spec.md"


def test_every_line_of_the_shared_contract_is_in_the_kits_copy_unchanged():
    if not SHARED.is_file():
        pytest.skip("no ../shared/SPEC.md beside this checkout")
    kit = KIT.read_text(encoding="utf-8")
    missing = [line for line in SHARED.read_text(encoding="utf-8").splitlines() if line.strip() and line not in kit]
    assert missing == []


def test_the_kit_has_every_component_id_the_contract_names():
    text = KIT.read_text(encoding="utf-8")
    table = re.findall(r"`((?:micrograd|bigram|mlp|batchnorm)\.\w+)`", text.split("## 4.")[0].split("## 3.")[1])
    ids = {c.id for m in manifest.load().values() for c in m.components}
    assert table and set(table) == ids


def test_every_status_and_exit_code_is_stated():
    text = KIT.read_text(encoding="utf-8")
    for status in ("passed", "failed", "todo", "error", "timeout", "crashed"):
        assert f"`{status}`" in text
    for code in ("0 when every component passed", "1 when grading ran", "2 for bad usage", "3 when the grader itself failed"):
        assert code in text
