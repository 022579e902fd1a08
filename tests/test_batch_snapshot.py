"""What `grade batch` takes of a submission when it starts, and what it does when a copy changes."""
from __future__ import annotations

import json
import os

import pytest

from grader.instructor.batch.run import Stage
from grader.instructor.batch.snapshot import SnapshotError, take


def repo(tmp_path, name="student"):
    root = tmp_path / name
    (root / "exercises" / "micrograd").mkdir(parents=True)
    (root / "exercises" / "micrograd" / "engine.py").write_text("x = 1\n")
    (root / "exercises" / "micrograd.ipynb").write_text("{}")
    return root


def test_only_what_grading_reads_is_taken_and_no_link_leads_out(tmp_path):
    root = repo(tmp_path)
    classmate = repo(tmp_path, "classmate")
    (root / "exercises" / "notes.txt").write_text("not code")
    (root / ".git").mkdir()
    (root / ".git" / "hook.py").write_text("")
    (root / "venv").mkdir()
    (root / "venv" / "pyvenv.cfg").write_text("")
    (root / "venv" / "big.py").write_text("")
    os.symlink(classmate / "exercises" / "micrograd" / "engine.py", root / "exercises" / "micrograd" / "nn.py")
    os.symlink(root / "exercises" / "micrograd" / "engine.py", root / "exercises" / "micrograd" / "train.py")
    snap = take(root)
    assert snap.name == "submission" and not snap.is_file
    assert sorted(snap.files) == ["exercises/micrograd.ipynb", "exercises/micrograd/engine.py",
                                  "exercises/micrograd/train.py"]  # the link inside is taken, the one out is not
    assert snap.files["exercises/micrograd/train.py"] == b"x = 1\n"
    written = snap.write(tmp_path / "out")
    assert take(written).digest == snap.digest
    assert take(root / "exercises").name == "exercises"  # resolving an exercises/ folder needs its name


def test_a_changed_file_changes_the_digest(tmp_path):
    root = repo(tmp_path)
    before = take(root).digest
    (root / "exercises" / "micrograd" / "engine.py").write_text("x = 2\n")
    assert take(root).digest != before
    with pytest.raises(SnapshotError):
        take(tmp_path / "nowhere")


def test_a_changed_private_copy_falls_back_to_the_unchanged_original_and_never_to_an_edit(tmp_path):
    root = repo(tmp_path)
    stage = Stage([str(root)], [0])
    try:
        good = stage.message(0)
        staged = stage.folder / "0.json"
        forged = json.loads(staged.read_text())
        forged["files"]["exercises/micrograd/engine.py"] = "eD0z"  # base64 of "x=3"
        staged.write_text(json.dumps(forged))
        assert stage.message(0) == good  # the original is still what it was at the start
        (root / "exercises" / "micrograd" / "engine.py").write_text("x = 4\n")
        with pytest.raises(SnapshotError, match="changed while the batch ran"):
            stage.message(0)
    finally:
        stage.close()
