"""Every argument of the mlp and batchnorm exercises is exercised with a value of its own: a
function that ignores one (tests/mutants/arguments.py) fails its own component and no other.

The suites run in this process (tests/inprocess.py), so a mutant costs a fraction of a second;
test_module_suites.py grades the hand-written mutants end to end."""
from __future__ import annotations

import pytest

from conftest import make_submission
from inprocess import failing
from mutants.arguments import FILES, argument_mutants

CASES = [(module, m) for module in FILES for m in argument_mutants(module)]


@pytest.fixture(autouse=True)
def without_names(tmp_path, monkeypatch):
    # The checks on the real names.txt add nothing here and cost seconds each.
    monkeypatch.setenv("ZERO_TO_HERO_DATA", str(tmp_path / "no-data"))


@pytest.mark.parametrize("module", sorted(FILES))
def test_the_solutions_pass_every_check_in_process(tmp_path, module):
    assert failing(make_submission(tmp_path), module) == {}


@pytest.mark.parametrize("module,mutant", CASES, ids=[f"{mod}:{m.name}" for mod, m in CASES])
def test_a_function_that_ignores_an_argument_fails_its_component_only(tmp_path, module, mutant):
    found = failing(make_submission(tmp_path, mutant.edits), module)
    assert set(found) == mutant.fails, found


def test_the_arguments_that_need_a_value_of_their_own_are_all_there():
    names = {m.name for _, m in CASES}
    for expected in ("train_mlp-ignores-lr", "train_mlp-ignores-batch_size", "train_mlp-ignores-steps",
                     "train_mlp-ignores-generator", "init_mlp-ignores-n_embd", "build_dataset-ignores-block_size",
                     "split_words-ignores-seed", "sample_mlp-ignores-block_size", "sample_mlp-ignores-n",
                     "BatchNorm1d.__init__-ignores-eps", "BatchNorm1d.__init__-ignores-momentum",
                     "Linear.__init__-ignores-bias", "Linear.__init__-ignores-generator",
                     "batchnorm_backward-ignores-eps", "init_mlp_fixed-ignores-vocab_size",
                     "update_to_data_ratio-ignores-lr"):
        assert expected in names, sorted(names)
