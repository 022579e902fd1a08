"""Hostile zips: a zipped submission may try to write outside the folder it is unpacked into,
smuggle in a link to the kit's solutions, or exhaust the disk. None of it works, and each refusal
is one sentence with exit status 2 (grader/engine/submission/archive.py)."""
from __future__ import annotations

import json
import stat
import zipfile

import pytest
from click.testing import CliRunner

from grader.engine.submission import archive
from grader.cli import main
from grader.engine.submission.handed_in import SubmissionError, prepare
from shapes import EXERCISES, SOLUTIONS, solved_notebook


def make_zip(path, entries: dict[str, str | bytes], links: dict[str, str] | None = None):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, target)
    return path


def stub_entries(top: str = "student-main/exercises/") -> dict[str, str]:
    return {top + p.relative_to(EXERCISES).as_posix(): p.read_text() for p in sorted(EXERCISES.rglob("*.py"))
            if "__pycache__" not in p.parts}


def refused(path, words: str) -> None:
    with pytest.raises(SubmissionError, match=words):
        with prepare(str(path), False, ["micrograd"]):
            pass
    result = CliRunner().invoke(main, ["micrograd", "--submission", str(path)])
    assert result.exit_code == 2 and result.output.startswith("Error: ") and words in result.output, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("name", ["../escaped.py", "student-main/../../escaped.py", "..\\escaped.py"])
def test_an_entry_that_climbs_out_is_refused_and_nothing_lands_outside(tmp_path, name):
    path = make_zip(tmp_path / "evil.zip", {**stub_entries(), name: "print('out')\n"})
    refused(path, "would land outside the submission")
    assert not list(tmp_path.parent.glob("**/escaped.py"))


def test_an_absolute_entry_is_refused(tmp_path):
    refused(make_zip(tmp_path / "evil.zip", {"/tmp/escaped.py": "x = 1\n"}), "has an absolute path")


def test_a_link_to_the_kits_solutions_is_never_made(tmp_path):
    engine = "student-main/exercises/micrograd/engine.py"
    entries = {k: v for k, v in stub_entries().items() if k != engine}
    path = make_zip(tmp_path / "evil.zip", entries, links={engine: str(SOLUTIONS / "micrograd" / "engine.py")})
    with prepare(str(path), False, ["micrograd"]) as prepared:
        assert not (prepared.exercises / "micrograd" / "engine.py").exists()
        assert prepared.sources["micrograd"].files == ["micrograd/nn.py", "micrograd/train.py", "micrograd/gradcheck.py"]
    out = tmp_path / "result.json"
    CliRunner().invoke(main, ["micrograd", "--submission", str(path), "-c", "micrograd.add", "--format", "json",
                              "--output", str(out)])
    assert json.loads(out.read_text())["components"][0]["status"] != "passed"


def test_too_many_files_are_refused(tmp_path):
    path = make_zip(tmp_path / "many.zip", {f"f/{i}.txt": "" for i in range(archive.MAX_FILES + 1)})
    refused(path, f"a submission may hold at most {archive.MAX_FILES}")


def test_more_bytes_than_the_cap_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_BYTES", 1 << 20)
    path = make_zip(tmp_path / "bomb.zip", {"student-main/big.py": b"0" * (2 << 20)})
    with pytest.raises(SubmissionError, match="unpacks to more than 1 MB"):
        with prepare(str(path), False, ["micrograd"]):
            pass


def test_a_file_that_is_not_a_zip_is_named(tmp_path):
    path = tmp_path / "work.zip"
    path.write_text("not a zip")
    refused(path, "work.zip is not a zip file that can be read")


def test_junk_and_one_top_folder_are_looked_through_and_a_folder_holding_one_zip_is_unpacked(tmp_path):
    entries = {"__MACOSX/student-main/._micrograd.ipynb": b"\0\5\26\7",
               "student-main/.DS_Store": b"\0", "student-main/micrograd.ipynb": solved_notebook("micrograd")}
    download = tmp_path / "lms-download"
    download.mkdir()
    make_zip(download / "submission.zip", entries)
    with prepare(str(download), False, ["micrograd"]) as prepared:
        source = prepared.sources["micrograd"].to_json(prepared.archive)
    assert source["kind"] == "notebook" and source["path"] == "micrograd.ipynb" and source["archive"] == "submission.zip"
