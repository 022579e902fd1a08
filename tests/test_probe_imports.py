"""Probes run in the worker, next to student code: they never import the judge's side."""
from __future__ import annotations

import ast
from pathlib import Path

PROBES = Path(__file__).resolve().parent.parent / "grader" / "probes"
JUDGE_SIDE = ("grader.suites", "grader.engine.judge")


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


def test_the_worker_bundle_holds_the_manifest_the_probes_read():
    """The probes' owner checks come from the manifest's `owns` (grader.engine.manifest.owners), so the
    bundle a sandboxed worker runs from must hold it, and no probe keeps an owner table of its own."""
    from grader.engine import manifest
    from grader.engine.worker import bundle

    root = bundle.build() / "grader"
    assert (root / "engine" / "manifest.py").is_file()
    assert {p.name for p in (root / "engine" / "manifest_data").glob("*.toml")} == {f"{m}.toml" for m in manifest.load()}
    for path in [*PROBES.glob("*.py"), PROBES.parent / "references" / "micrograd.py"]:
        tree = ast.parse(path.read_text())
        tables = [t.id for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                  for t in node.targets if isinstance(t, ast.Name) and t.id in ("OWNER", "OWNS")]
        assert not tables, f"{path.name} keeps its own owner table {tables}: read grader.engine.manifest.owners"
