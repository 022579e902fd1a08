"""Every module's suite: solutions pass everything, stubs are todo everywhere, and each realistic
mistake (tests/mutants/<module>.py) fails its component and no other; a mutant that a classic
mistake's entry names (grader/suites/<module>/mistakes.py) is named by it in the result.

The mutants are graded one after another by warm fork servers, as `grade batch` grades (a third
of the time each for a torch module), and with its groups: a mutant's group fails its first pass
and is graded again, one worker per component. The solutions and stubs are graded as `grade`
does, with servers of their own."""
from __future__ import annotations

import importlib

import pytest

from conftest import EXERCISES, SOLUTIONS, by_id, grade_folder, make_submission, not_passed, statuses
from grader.engine import manifest
from grader.engine.model import Status

MODULES = list(manifest.load())
CASES = [(module, m) for module in MODULES for m in importlib.import_module(f"mutants.{module}").MUTANTS]


def _named_by_entries() -> dict[tuple[str, str], list[tuple[str, list[str]]]]:
    """(module, mutant) -> [(the entry's id, its components)] for every entry naming a mutant."""
    named = {}
    for module in MODULES:
        table = importlib.import_module(f"grader.suites.{module}.mistakes").MISTAKES
        for classic in table.classics():
            if classic.mutant:
                named.setdefault((module, classic.mutant), []).append((classic.id, table.components(classic)))
    return named


NAMED = _named_by_entries()


def components(module):
    return [c.id for c in manifest.load()[module].components]


@pytest.mark.parametrize("module", MODULES)
def test_solutions_pass_every_component(module):
    result = grade_folder(SOLUTIONS, module)
    assert [c.id for c in result.components] == components(module)
    assert not_passed(result) == {}, [(c.id, c.message) for c in result.components]


@pytest.mark.parametrize("module", MODULES)
def test_untouched_stubs_are_todo_everywhere(module):
    result = grade_folder(EXERCISES, module)
    assert statuses(result) == {c: Status.TODO for c in components(module)}
    assert all("not implemented yet: TODO " in c.message for c in result.components)


@pytest.mark.parametrize("module,mutant", CASES, ids=[f"{mod}:{m.name}" for mod, m in CASES])
def test_a_realistic_mistake_fails_its_component_and_only_it(tmp_path, module, mutant, warm_servers):
    result = grade_folder(make_submission(tmp_path, mutant.edits), module, servers=warm_servers, share=True)
    assert set(not_passed(result)) == mutant.fails, [(c.id, c.status, c.message) for c in result.components]
    first = by_id(result, sorted(mutant.fails, key=components(module).index)[0])
    for words in mutant.says:
        assert words in first.message, first.message
    for mistake_id, its_components in NAMED.get((module, mutant.name), []):
        for component in sorted(mutant.fails & set(its_components)):  # dev check: never empty
            named = by_id(result, component)
            assert named.mistake and named.mistake["id"] == mistake_id, (component, named.mistake, named.message)
            assert named.mistake["name"] in named.message


@pytest.mark.parametrize("module", MODULES)
def test_every_component_has_a_mutant_that_fails_only_it(module):
    singled_out = {next(iter(m.fails)) for mod, m in CASES if mod == module and len(m.fails) == 1}
    assert singled_out == set(components(module))
