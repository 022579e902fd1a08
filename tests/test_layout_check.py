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
