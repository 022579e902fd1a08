"""A batch's groups (the manifest's `share`): the components of a group are graded in one worker
first, and again one worker per component wherever the group does not pass whole, so every
verdict but a whole group's pass is the one `grade` gives (grader.engine.judge.run)."""
from __future__ import annotations

import pytest

from conftest import SOLUTIONS, grade_folder, make_submission, not_passed
from grader.engine import manifest
from grader.engine.judge import run
from grader.engine.model import Status
from mutants import micrograd as micrograd_mutants
from mutants import mlp as mlp_mutants

MODULES = list(manifest.load())
OPS = manifest.load()["micrograd"].groups()["ops"]


@pytest.fixture
def passes(monkeypatch):
    """Every run of a suite: (share, the components it was asked for, what did not pass)."""
    seen = []
    real = run._run_suite

    def recorded(module, config, options, only, share):
        components, groups = real(module, config, options, only, share)
        seen.append((share, None if only is None else frozenset(only),
                     {c.id: c.status for c in components if c.status is not Status.PASSED}))
        return components, groups
    monkeypatch.setattr(run, "_run_suite", recorded)
    return seen


@pytest.mark.parametrize("module", MODULES)
def test_every_group_passes_its_first_pass_on_the_solutions(module, passes, warm_servers):
    # A group whose own solutions fail it (a probe that needs a member's reference, which the
    # group's worker withholds) would be graded twice for every submission.
    assert manifest.load()[module].groups()
    result = grade_folder(SOLUTIONS, module, servers=warm_servers, share=True)
    assert not_passed(result) == {}
    assert passes == [(True, None, {})]


def _same_verdicts(shared, alone):
    return [(c.id, c.status, c.message, c.mistake, c.hint) for c in shared.components] == \
        [(c.id, c.status, c.message, c.mistake, c.hint) for c in alone.components]


def _mutant(mutants, name):
    return next(m for m in mutants.MUTANTS if m.name == name)


@pytest.mark.parametrize("module,mutant", [("micrograd", _mutant(micrograd_mutants, "add-assigns-grad")),
                                           ("mlp", _mutant(mlp_mutants, "split-shuffles-in-place"))],
                         ids=["micrograd-add", "mlp-split"])
def test_a_group_that_does_not_pass_whole_is_graded_again_as_grade_grades_it(tmp_path, module, mutant, passes,
                                                                               warm_servers):
    submission = make_submission(tmp_path, mutant.edits)
    shared = grade_folder(submission, module, servers=warm_servers, share=True)
    [(_, _, first), (again_share, again, _)] = passes
    group = next(ids for ids in manifest.load()[module].groups().values() if set(mutant.fails) & set(ids))
    assert set(mutant.fails) <= set(first) and not again_share and again == frozenset(group)
    alone = grade_folder(submission, module, servers=warm_servers)
    assert _same_verdicts(shared, alone)
    assert set(not_passed(shared)) == set(mutant.fails)


def test_a_slow_import_timed_out_in_a_group_costs_no_worker_outside_it(tmp_path, monkeypatch, passes, warm_servers):
    # The group's calls have a shorter limit: its timeout must not be remembered for the
    # components outside it (backward, nn...), whose workers give the import the full limit.
    monkeypatch.setattr(run, "GROUP_CALL_LIMIT", 0.3)
    submission = make_submission(tmp_path, {"micrograd/engine.py": [("import math\n", "import math\nimport time\ntime.sleep(0.6)\n")]})
    result = grade_folder(submission, "micrograd", servers=warm_servers, share=True)
    assert not_passed(result) == {}, [(c.id, c.message) for c in result.components]
    assert passes[0][2][OPS[0]] is Status.TIMEOUT  # the group's first pass did time out, at its first component


def test_a_hang_in_a_group_is_judged_with_the_full_limit(tmp_path, passes, warm_servers):
    tanh = "        t = math.tanh(self.data)\n"
    submission = make_submission(tmp_path, {"micrograd/engine.py": [(tanh, tanh + "        while True:\n            pass\n")]})
    result = grade_folder(submission, "micrograd", servers=warm_servers, share=True, timeout=2.5)
    assert {c: s for c, s in not_passed(result).items()} == {"micrograd.tanh": Status.TIMEOUT}
    assert "timed out after 2.5 s" in next(c.message for c in result.components if c.id == "micrograd.tanh")
    assert passes[0][2]["micrograd.tanh"] is Status.TIMEOUT and passes[1][1] == frozenset(OPS)
