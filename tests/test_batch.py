"""`grade batch` for an instructor: assignments (--module), honest totals and statuses in the CSV,
outputs that survive a killed run, --resume, and exit status 3 when the grader itself fails."""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from conftest import SOLUTIONS, make_submission
from grader.engine import manifest
from grader.instructor.batch import csv_header
from grader.instructor.batch.output import Row, csv_cells
from grader.instructor.batch.trust import trusted_result
from grader.cli import main
from grader.engine.model import ComponentResult, ModuleResult, RunResult, Status

GRADE = str(Path(sys.executable).with_name("grade"))
MICROGRAD = [c.id for c in manifest.load()["micrograd"].components]
TANH = "        t = math.tanh(self.data)\n"


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(newline="", encoding="utf-8")))


def test_an_assignment_of_one_lecture_has_its_columns_its_max_and_nothing_else(tmp_path):
    sub = make_submission(tmp_path / "a", {"micrograd/engine.py": [(TANH, "        t = math.tanh(self.data) * 2\n")]})
    out, jdir = tmp_path / "grades.csv", tmp_path / "json"
    result = CliRunner().invoke(main, ["batch", str(sub.parent), "--module", "micrograd", "--csv", str(out),
                                       "--json-dir", str(jdir), "--seed", "2"])
    assert result.exit_code == 0, result.output
    header = next(csv.reader(out.open()))
    assert header == csv_header(["micrograd"]) and not [h for h in header if h.startswith(("bigram", "mlp", "batchnorm"))]
    (row,) = read_csv(out)
    # The bonus passed, tanh did not: 10 of 11 core points and the bonus apart, never "11/11".
    assert (row["score"], row["max_score"], row["bonus"]) == ("10", "11", "1")
    assert row["micrograd.tanh"] == "0" and row["micrograd.tanh:status"] == "failed"
    assert row["micrograd.deep_graphs:status"] == "passed"
    (document,) = [json.loads(p.read_text()) for p in jdir.iterdir()]
    assert [m["module"] for m in document["modules"]] == ["micrograd"]


def test_statuses_and_named_mistakes_have_columns_of_their_own():
    comps = [ComponentResult(c.id, c.title, Status.PASSED, c.points, bonus=c.bonus)
             for c in manifest.load()["micrograd"].components]
    comps[1] = ComponentResult(comps[1].id, comps[1].title, Status.FAILED, 1.0,
                               mistake={"id": "own-data", "name": "=each operand's own data"})
    comps[2] = ComponentResult(comps[2].id, comps[2].title, Status.TODO, 1.0)
    result = RunResult([ModuleResult("micrograd", "micrograd", comps, seed=3)], seed=3, all_modules=True)
    row = dict(zip(csv_header(["micrograd"]), csv_cells(Row("s", result), ["micrograd"], 3)))
    assert row[f"{MICROGRAD[1]}:status"] == "failed" and row[f"{MICROGRAD[1]}:mistake"] == "'=each operand's own data"
    assert row[f"{MICROGRAD[2]}:status"] == "todo" and row[f"{MICROGRAD[2]}:mistake"] == ""
    assert (row["score"], row["max_score"], row["bonus"]) == ("9", "11", "1")


def test_scores_in_a_reply_are_never_believed():
    reply = {"modules": [{"module": "micrograd", "score": 99, "max_score": 1, "components": [
        {"id": i, "status": "passed", "score": 50.0, "max_score": 50.0} for i in MICROGRAD[:3]]
        + [{"id": MICROGRAD[3], "status": "graded-by-me"}, {"id": "micrograd.extra", "status": "passed", "score": 9}]}]}
    result = trusted_result(reply, ["micrograd"], seed=1)
    comps = {c.id: c for c in result.modules[0].components}
    assert list(comps) == MICROGRAD  # the manifest's components, in its order, nothing else
    assert result.core_score == 3.0 and result.max_score == 11.0
    assert comps[MICROGRAD[3]].status is Status.ERROR and comps[MICROGRAD[3]].internal
    assert comps[MICROGRAD[5]].status is Status.ERROR  # missing from the reply: not passed


def test_a_killed_batch_keeps_what_it_graded_and_resume_grades_the_rest(tmp_path):
    good = make_submission(tmp_path / "good").parent
    hang = make_submission(tmp_path / "hang", {"micrograd/engine.py": [(TANH, TANH + "        while True:\n            pass\n")]}).parent
    last = make_submission(tmp_path / "last").parent
    out, jdir = tmp_path / "grades.csv", tmp_path / "json"
    cmd = [GRADE, "batch", str(good), str(hang), str(last), "--jobs", "1", "--module", "micrograd", "--csv", str(out),
           "--json-dir", str(jdir), "--seed", "4"]
    batch = subprocess.Popen([*cmd, "--timeout", "60"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not (out.exists() and len(read_csv(out)) >= 1):
            time.sleep(0.2)
        assert out.exists() and len(read_csv(out)) == 1, "the first row never reached the CSV"
    finally:
        os.killpg(batch.pid, signal.SIGKILL)  # while it waits on the hanging submission
        batch.wait()
    (kept,) = read_csv(out)
    assert kept["submission"] == str(good) and kept["score"] == "11" and kept["micrograd.tanh:status"] == "passed"
    assert [p.name for p in jdir.iterdir() if p.suffix == ".json"] == ["good__student.json"]
    json.loads((jdir / "good__student.json").read_text())  # whole: written to a temporary name, then renamed
    with out.open("a") as f:
        f.write(f"{tmp_path / 'last' / 'student'},11,11")  # a line cut short by the kill: not a row
    lines = out.read_text().splitlines()
    lines[1] = lines[1].replace(",11,11,1,", ",7,11,1,", 1)  # a mark only a skipped row keeps
    out.write_text("\n".join(lines) + "\n")
    done = subprocess.run([*cmd, "--resume", "--timeout", "6"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "kept 1 graded before" in done.stdout
    rows = read_csv(out)
    assert [r["submission"] for r in rows] == [str(good), str(hang), str(last)]  # the given order
    assert rows[0]["score"] == "7"  # not graded again
    assert rows[1]["micrograd.tanh:status"] == "timeout" and rows[1]["score"] == "10"
    assert rows[2]["score"] == "11" and {r["seed"] for r in rows} == {"4"}
    assert sorted(p.name for p in jdir.iterdir()) == ["good__student.json", "hang__student.json", "last__student.json"]


def test_resume_refuses_a_csv_of_another_assignment_or_seed(tmp_path):
    out = tmp_path / "grades.csv"
    with out.open("w", newline="") as f:
        csv.writer(f).writerow(csv_header(["micrograd"]))
        csv.writer(f).writerow(["x"] * (len(csv_header(["micrograd"])) - 2) + ["5", ""])
    result = CliRunner().invoke(main, ["batch", str(tmp_path), "--module", "bigram", "--csv", str(out), "--resume"])
    assert result.exit_code == 2 and "other modules" in result.output
    result = CliRunner().invoke(main, ["batch", str(tmp_path), "--module", "micrograd", "--csv", str(out), "--resume",
                                       "--seed", "6"])
    assert result.exit_code == 2 and "seed 5" in result.output


def test_grade_all_takes_an_assignment_too(tmp_path):
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["all", "--solutions", "--module", "micrograd", "--format", "json",
                                       "--output", str(out), "--seed", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert [m["module"] for m in data["modules"]] == ["micrograd"] and data["max_score"] == 11
    result = CliRunner().invoke(main, ["all", "--solutions", "--module", "lecture9"])
    assert result.exit_code == 2 and "unknown module" in result.output


def test_a_bug_of_the_grader_exits_3_not_1(tmp_path, monkeypatch):
    from grader.engine.judge.plugin import SubmissionHandle

    def broken(self, probe, **kwargs):
        raise KeyError("a bug of the kit")

    monkeypatch.setattr(SubmissionHandle, "call", broken)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["micrograd", "--solutions", "--format", "json", "--output", str(out),
                                       "-c", "micrograd.add", "--seed", "1"])
    assert result.exit_code == 3, result.output
    (comp,) = json.loads(out.read_text())["components"]
    assert comp["status"] == "error" and "internal error in the grader" in comp["message"]


def test_a_crash_of_the_grader_itself_exits_3(monkeypatch):
    from grader.engine.judge import run

    monkeypatch.setattr(run, "grade", lambda *a, **k: 1 / 0)
    result = CliRunner().invoke(main, ["micrograd", "--solutions"])
    assert result.exit_code == 3 and "internal error in the grader" in result.output


def test_a_batch_whose_judge_fails_on_its_own_exits_3(tmp_path, monkeypatch):
    # A judge that cannot even start (a broken install) is the grader failing, for every row.
    from grader.instructor.batch import handle

    monkeypatch.setattr(handle, "grading_process_command", lambda *a: [sys.executable, "-c", "import sys; sys.exit(1)"])
    repo = tmp_path / "s"
    shutil.copytree(SOLUTIONS, repo / "exercises")
    out = tmp_path / "g.csv"
    result = CliRunner().invoke(main, ["batch", str(repo), "--csv", str(out), "--module", "micrograd"])
    assert result.exit_code == 3, result.output
    (row,) = read_csv(out)
    assert row["error"].startswith("grader: ") and row["score"] == "0"
