"""`grade dev check`: the kit agrees with itself, and a half-wired module is caught."""
from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from grader.engine import manifest
from grader.authoring import devcheck
from grader.engine.manifest import Component


def test_the_kit_agrees_with_itself():
    started = time.time() - 1
    assert devcheck.run() == []
    # ... and leaves none of pytest's rewritten bytecode in the kit: a grading without a sandbox
    # in the next second would take it for bytecode a student planted.
    if not sys.dont_write_bytecode:
        assert not [p for p in devcheck.GRADER.rglob("__pycache__/*-pytest-*.pyc") if p.stat().st_ctime >= started]


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
    ), file_order=("toy/toy.py", "toy/typo.py"))  # the manifest's `files`: no component grades typo.py
    (root / "grader" / "suites" / "toy" / "check_more.py").write_text(
        "import pytest\n\n@pytest.mark.component('toy.unknown')\ndef check_x(student):\n    pass\n")
    (root / "grader" / "suites" / "toy" / "check_broken.py").write_text("import no_such_module_in_the_kit\n")
    problems = devcheck.check_module(broken, root, root / "grader")
    assert [p for p in problems if "cannot collect" in p] == [
        "grader/suites/toy/check_broken.py: pytest cannot collect it "
        "(ModuleNotFoundError: No module named 'no_such_module_in_the_kit')"]
    assert any("defines no triple" in p for p in problems)
    assert any(p.startswith("toy.halve: no check") for p in problems)
    assert any("toy.halve: no '# BEGIN SOLUTION toy.halve' marker" in p for p in problems)
    assert any("a check of toy.unknown" in p for p in problems)
    assert [p for p in problems if "files name" in p] == ["toy: its manifest's files name toy/typo.py, which no component grades"]


def test_a_group_of_one_or_with_a_bonus_is_caught(tmp_path):
    module, root = _toy(tmp_path)
    first = module.components[0]
    second = replace(first, id="toy.other", title="other")
    alone = replace(module, components=(replace(first, share="g"), second))
    with_bonus = replace(module, components=(replace(first, share="g"), replace(second, share="g", bonus=True)))
    assert [p for p in devcheck.check_module(alone, root, root / "grader") if "share" in p] == \
        [f"{first.id}: share = 'g' needs another member, and no bonus (skipped, it regrades the group)"]
    assert [p.split(":")[0] for p in devcheck.check_module(with_bonus, root, root / "grader") if "share" in p] == \
        [second.id]


def test_every_mistake_names_a_mutant_that_exists_and_fails_its_component():
    tables, mutants = devcheck._mistake_tables(devcheck.ROOT)
    assert set(tables) == set(manifest.load())  # every module declares its mistakes in a table
    assert devcheck.check_mistakes(tables, mutants) == []  # a new entry without its mutant fails here
    assert "cross-entropy-logsumexp-dim0" in mutants["mlp"]  # the recipe, followed once


def test_an_inconsistent_mistake_table_is_caught():
    from grader.engine.judge.mistakes import Classic, Table

    table = Table("toy", {
        "toy.double": [Classic("toy.tripled", "tripling", evidence=lambda x: 3 * x, mutant="toy-triples"),
                       Classic("toy.tripled", "tripling again", evidence=lambda x: 3 * x, mutant="toy-triples")],
        "toy.halve": [Classic("toy.halved", "halving", evidence=lambda x: x / 2, mutant="toy-missing"),
                      Classic("toy.wrong", "the wrong component's mutant", evidence=lambda x: x, mutant="toy-triples"),
                      Classic("toy.untested", "no mutant yet", evidence=lambda x: x)],
        "toy.other": [Classic("other.prefix", "another module's id", evidence=lambda x: x)],
    })
    mutants = {"toy": {"toy-triples": {"toy.double"}}}
    problems = devcheck.check_mistakes({"toy": table}, mutants)
    assert any("toy.tripled is used twice" in p for p in problems)
    assert any("toy.halved: names the mutant toy-missing" in p for p in problems)
    assert any("toy.wrong: its mutant toy-triples does not fail toy.halve" in p for p in problems)
    assert any(p.startswith("other.prefix: ids of module toy") for p in problems)
    assert any("toy.untested: names no mutant in tests/mutants/toy.py" in p for p in problems)


def test_a_table_entry_is_what_the_check_names(tmp_path):
    """The lookup the checks use: an entry's evidence, name, hint and id reach the Mistake."""
    from grader.engine.judge.compare import expect_close
    from grader.engine.judge.mistakes import Classic, Table
    from grader.engine.judge.plugin import CheckFailed

    table = Table("toy", {"toy.double": [
        Classic("toy.tripled", "tripling", "Multiply by 2.", evidence=lambda x: 3 * x),
        Classic("toy.squared", "squaring", "Not a power.", variant={"power": 2}, on="power"),
    ]})
    try:
        expect_close(9.0, 6.0, what="double(3)", mistakes=table.of("toy.double", x=3.0))
    except CheckFailed as failed:
        assert failed.mistake == {"id": "toy.tripled", "name": "tripling"} and "what tripling gives" in failed.message
        assert failed.hint == "Multiply by 2."
    else:
        raise AssertionError("a wrong value passed")
    squared = table.of("toy.double", on="power", variant=lambda power: 3.0 ** power)
    assert [m.id for m in squared] == ["toy.squared"] and squared[0].value() == 9.0
