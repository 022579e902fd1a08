"""The file-size rule of `grade dev check` (grader/authoring/layout_check.py): no file of the kit past 300
lines unless an explicit, commented allow-list says why."""
from __future__ import annotations

from grader.authoring import layout_check


def _tree(tmp_path, files: dict[str, int]):
    for rel, lines in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n" * lines)
    return tmp_path


def test_the_kit_keeps_its_files_short():
    assert layout_check.check_file_sizes() == []


def test_every_allowed_long_file_says_why():
    assert all(reason.strip() for reason in layout_check.LONG_FILES.values())


def test_a_file_past_the_limit_is_named_unless_allowed(tmp_path):
    grader = _tree(tmp_path, {"short.py": 300, "engine/judge/long.py": 301, "engine/worker/allowed.py": 500})
    problems = layout_check.check_file_sizes(grader, allowed={"engine/worker/allowed.py": "one algorithm"})
    assert len(problems) == 1
    assert problems[0].startswith("grader/engine/judge/long.py has 301 lines (more than 300)")


def test_an_allow_list_entry_for_a_file_that_is_gone_is_named(tmp_path):
    grader = _tree(tmp_path, {"short.py": 10})
    problems = layout_check.check_file_sizes(grader, allowed={"moved.py": "one algorithm"})
    assert problems == ["grader/authoring/layout_check.py LONG_FILES lists grader/moved.py, which does not exist"]


def test_the_engine_suites_probes_references_and_shared_never_import_an_audience():
    assert layout_check.check_inward_imports() == []


def test_a_planted_wrong_way_import_is_named_with_its_line(tmp_path):
    files = {
        # the two exceptions docs/architecture.md used to admit, each planted again
        "engine/submission/index.py": "import json\n\ndef build():\n    from grader.authoring.notebook_build import build_notebook\n",
        "suites/toy/words.py": "from grader.checks import expect\nfrom grader.learner.data import names_if_present\n",
        "shared/graphs.py": "from ..instructor import handout\n",  # relative: grader.instructor
        "probes/toy.py": "import importlib\nPICTURES = importlib.import_module('grader.learner.pictures')\n",
        "references/toy.py": "from grader import authoring\n",
        # allowed: inward imports, and an audience using the engine
        "engine/fine.py": "import grader\nfrom grader.engine import manifest\nfrom . import fine\n",
        "learner/cli.py": "from grader.engine import session\nfrom grader.authoring import devcheck\n",
    }
    for rel, text in files.items():
        path = tmp_path / "grader" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    problems = layout_check.check_inward_imports(tmp_path / "grader")
    assert [p.split(":")[0] for p in problems] == [
        "grader/engine/submission/index.py line 4 imports grader.authoring.notebook_build",
        "grader/suites/toy/words.py line 2 imports grader.learner.data",
        "grader/probes/toy.py line 2 imports grader.learner.pictures",
        "grader/references/toy.py line 1 imports grader.authoring",
        "grader/shared/graphs.py line 1 imports grader.instructor",
    ]
    assert all("never imports grader.learner, grader.instructor, grader.authoring" in p for p in problems)
