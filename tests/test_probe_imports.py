"""Probes run in the worker, next to student code: they never import the judge's side."""
from __future__ import annotations

import ast
from pathlib import Path

PROBES = Path(__file__).resolve().parent.parent / "grader" / "probes"
JUDGE_SIDE = ("grader.suites", "grader.judge")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_probe_imports_the_suites_or_the_judge():
    probes = sorted(PROBES.glob("*.py"))
    assert len(probes) >= 5
    offending = {p.name: sorted(m for m in imported_modules(p) if m.startswith(JUDGE_SIDE)) for p in probes}
    assert not any(offending.values()), offending
