"""`grade dev check`: the kit agrees with itself, and a half-wired module is caught."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from grader import devcheck, manifest
from grader.manifest import Component


def test_the_kit_agrees_with_itself():
    assert devcheck.run() == []


def _toy(tmp_path: Path) -> tuple[manifest.Module, Path]:
    """A toy module, wired as docs/architecture.md's recipe says, in a tree of its own."""
    root, grader = tmp_path, tmp_path / "grader"
    (root / "solutions" / "toy").mkdir(parents=True)
    (root / "solutions" / "toy" / "toy.py").write_text(
        "def double(x):\n    # BEGIN SOLUTION toy.double\n    return 2 * x\n    # END SOLUTION\n")
    suite = grader / "suites" / "toy"
    suite.mkdir(parents=True)
    (grader / "suites" / "pytest.ini").write_text((devcheck.GRADER / "suites" / "pytest.ini").read_text())
    (suite / "__init__.py").write_text("")
    (suite / "check_toy.py").write_text(
        "import pytest\n\n@pytest.mark.component('toy.double')\ndef check_double(student):\n    pass\n")
    (grader / "probes").mkdir()
    (grader / "probes" / "toy.py").write_text("def double(student, x):\n    return x\n")
    comp = Component(id="toy.double", title="double", file="toy/toy.py", symbol="double", points=1.0, hints=())
    module = manifest.Module("toy", "a toy", "", "toy", "pure", (comp,))
    return module, root


def test_a_module_wired_as_the_recipe_says_passes(tmp_path):
    module, root = _toy(tmp_path)
    assert devcheck.check_module(module, root, root / "grader") == []


def test_a_deliberately_inconsistent_module_is_caught(tmp_path):
    module, root = _toy(tmp_path)
    comp = module.components[0]
    broken = replace(module, components=(
        replace(comp, symbol="triple"),  # the solution defines no triple
        replace(comp, id="toy.halve", title="halve"),  # no check and no marker names it
    ))
    (root / "grader" / "suites" / "toy" / "check_more.py").write_text(
        "import pytest\n\n@pytest.mark.component('toy.unknown')\ndef check_x(student):\n    pass\n")
    problems = devcheck.check_module(broken, root, root / "grader")
    assert any("defines no triple" in p for p in problems)
    assert any(p.startswith("toy.halve: no check") for p in problems)
    assert any("toy.halve: no '# BEGIN SOLUTION toy.halve' marker" in p for p in problems)
    assert any("a check of toy.unknown" in p for p in problems)
