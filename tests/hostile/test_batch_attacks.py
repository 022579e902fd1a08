"""Attacks on `grade batch` itself (issue 12, part 2), each run through the real command.

A class is graded as one process tree, so a submission may go after its classmates, the judges
or the batch parent rather than after its own checks. Each attack here is a submission built
from the untouched stubs (it can earn nothing honestly) graded beside honest classmates; the
attack must earn nothing, and every classmate must get exactly the result they get alone.
`--module micrograd` keeps each run to seconds.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import EXERCISES, SOLUTIONS
from grader.engine import manifest

GRADE = str(Path(sys.executable).with_name("grade"))
IDS = [c.id for c in manifest.load()["micrograd"].components]
CORE = sum(c.points for c in manifest.load()["micrograd"].components if not c.bonus)
TANH = "        t = math.tanh(self.data)\n"

# Finds processes of *this* batch: the batch parent is the nearest ancestor whose command line
# names the batch (titled "grade batch"), and the attack takes its descendants: judges ("grade
# batch judge") and workers (`grader.engine.worker`). Nothing else on the machine is touched.
FIND = '''
import os, signal
def _cmd(pid):
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""
def _ppid(pid):
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        return 0
def _ancestors():
    chain, pid = [], os.getpid()
    while pid > 1:
        pid = _ppid(pid)
        chain.append(pid)
    return chain
def _batch_parent():
    return next((p for p in _ancestors() if "batch" in _cmd(p) and "judge" not in _cmd(p)), None)
def _own_judge():
    return next((p for p in _ancestors() if "judge" in _cmd(p)), None)
def _procs(*words):
    root = _batch_parent()
    if root is None:
        return []
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        children.setdefault(_ppid(pid), []).append(int(pid))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return [p for p in found if p != os.getpid() and any(w in _cmd(p) for w in words)]
'''


def stubs_with(tmp_path: Path, name: str, code: str) -> Path:
    """The untouched stubs with `code` run when engine.py is imported."""
    repo = tmp_path / name
    shutil.copytree(EXERCISES, repo / "exercises", ignore=shutil.ignore_patterns("__pycache__", "notebooks"))
    engine = repo / "exercises" / "micrograd" / "engine.py"
    engine.write_text(FIND + code + "\n" + engine.read_text())
    return repo


def solved(tmp_path: Path, name: str, broken_tanh: bool = False) -> Path:
    repo = tmp_path / name
    shutil.copytree(SOLUTIONS, repo / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    if broken_tanh:
        engine = repo / "exercises" / "micrograd" / "engine.py"
        engine.write_text(engine.read_text().replace(TANH, "        t = math.tanh(self.data) + 0.5\n", 1))
    return repo


def batch(tmp_path: Path, paths, *extra, cwd=None, env=None, timeout=300):
    out, jdir = tmp_path / "grades.csv", tmp_path / "json"
    # A temporary folder of this test's own: what an attack finds there is this batch's only.
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env = {**(env or os.environ), "TMPDIR": str(tmp_path / "tmp")}
    done = subprocess.run([GRADE, "batch", *map(str, paths), "--csv", str(out), "--json-dir", str(jdir),
                           "--module", "micrograd", "--seed", "5", *extra],
                          cwd=cwd or tmp_path, env=env, capture_output=True, text=True, timeout=timeout)
    rows = {r["submission"]: r for r in csv.DictReader(out.open())} if out.exists() else {}
    return done, rows


def assert_honest(rows, attacker, full=(), partial=()):
    """The attacker earns nothing; each classmate gets exactly their own result."""
    bad = rows[str(attacker)]
    assert float(bad["score"]) == 0 and float(bad["bonus"]) == 0, bad
    assert not [c for c in IDS if bad[f"{c}:status"] == "passed"]
    for path in full:
        row = rows[str(path)]
        assert (float(row["score"]), float(row["bonus"]), row["error"]) == (CORE, 1.0, ""), row
        assert {row[f"{c}:status"] for c in IDS} == {"passed"}, row
    for path in partial:  # tanh broken, everything else right
        row = rows[str(path)]
        assert (float(row["score"]), row["micrograd.tanh:status"], row["error"]) == (CORE - 1, "failed", ""), row


FORGED = json.dumps({"nonce": "0" * 32, "result": {"version": 1, "score": 99.0, "max_score": 11.0, "modules": [
    {"module": "micrograd", "score": 99.0, "components": [{"id": i, "status": "passed", "score": 9.0} for i in IDS]}]},
    "seconds": 1.0, "grading_seconds": 1.0})


# A judge's result channel with forged lines in it before the real reply: a stale nonce, none at
# all, a line that is not JSON. The walls in front of the batch parent's pipes stop the
# end-to-end attack below before it writes anything (in the sandbox a worker cannot see the
# parent; without it the parent and the judges are not dumpable, and a root judge's workers run
# as nobody). This is the wall behind them, for a line that gets in all the same.
FAKE_JUDGE = '''
import json, sys
request = json.loads(sys.stdin.readline())
forged = json.loads(sys.argv[1])
for line in (json.dumps(forged), json.dumps({**forged, "nonce": None}), "not json at all"):
    print(line, flush=True)
print(json.dumps({"nonce": request["nonce"], "result": "the real one"}), flush=True)
sys.stdin.read()
'''


def test_a_reply_that_does_not_echo_the_requests_nonce_is_never_taken(tmp_path, monkeypatch):
    from grader.instructor.batch import handle

    monkeypatch.setattr(handle, "grading_process_command",
                        lambda *args: [sys.executable, "-c", FAKE_JUDGE, FORGED])
    judge = handle.GradingProcess(["micrograd"], 5, 10.0, 4096, str(tmp_path))
    try:
        reply = judge.ask({"snapshot": {}}, time.monotonic() + 60)
    finally:
        judge.close(kill=True)
    assert reply["result"] == "the real one", reply
    assert judge.ignored == 3


def test_forged_full_marks_lines_in_every_pipe_of_the_batch_earn_nothing(tmp_path):
    # Written into every pipe the batch parent holds (the judges' result channels, and their
    # request pipes), over and over while the classmates are graded, by every worker of the
    # attacker that imports engine.py. (The pipes between a judge and its workers are the worker
    # protocol's to defend, with the sandbox: not this test's.)
    attack = f'''
import time
_end = time.monotonic() + 1.5  # in each of the ~10 workers that import engine.py: past the classmates' grading
while time.monotonic() < _end:
    for _pid in [_batch_parent()] if _batch_parent() else []:
        try:
            _fds = os.listdir(f"/proc/{{_pid}}/fd")
        except OSError:
            continue
        for _fd in _fds:
            try:
                if os.readlink(f"/proc/{{_pid}}/fd/{{_fd}}").startswith("pipe:"):
                    _w = os.open(f"/proc/{{_pid}}/fd/{{_fd}}", os.O_WRONLY | os.O_NONBLOCK)
                    os.write(_w, {FORGED!r}.encode() + b"\\n")
                    os.close(_w)
            except OSError:
                pass
    time.sleep(0.05)
'''
    attacker = stubs_with(tmp_path, "attacker", attack)
    full, partial = solved(tmp_path, "full"), solved(tmp_path, "partial", broken_tanh=True)
    done, rows = batch(tmp_path, [attacker, full, partial], "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert list(rows) == [str(attacker), str(full), str(partial)]
    assert_honest(rows, attacker, full=[full], partial=[partial])


def test_sigstop_of_every_judge_and_worker_costs_nobody_anything(tmp_path):
    attack = '''
for _pid in _procs("judge", "grader.engine.worker"):
    try:
        os.kill(_pid, signal.SIGSTOP)
    except OSError:
        pass
'''
    attacker = stubs_with(tmp_path, "attacker", attack)
    full, partial = solved(tmp_path, "full"), solved(tmp_path, "partial", broken_tanh=True)
    done, rows = batch(tmp_path, [full, attacker, partial], "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert_honest(rows, attacker, full=[full], partial=[partial])


def test_killing_a_classmates_judge_costs_the_classmate_nothing(tmp_path):
    attack = '''
_mine = _own_judge()
for _pid in _procs("judge"):
    if _pid != _mine:
        try:
            os.kill(_pid, signal.SIGKILL)
        except OSError:
            pass
'''
    attacker = stubs_with(tmp_path, "attacker", attack)
    full, partial = solved(tmp_path, "full"), solved(tmp_path, "partial", broken_tanh=True)
    done, rows = batch(tmp_path, [attacker, full, partial], "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert_honest(rows, attacker, full=[full], partial=[partial])


def test_killing_its_own_judge_costs_only_its_own_row(tmp_path):
    attack = '''
_mine = _own_judge()
if _mine:
    os.kill(_mine, signal.SIGKILL)
'''
    attacker = stubs_with(tmp_path, "attacker", attack)
    full = solved(tmp_path, "full")
    done, rows = batch(tmp_path, [attacker, full], "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert_honest(rows, attacker, full=[full])
    row = rows[str(attacker)]
    if row["error"]:  # the judge died twice: said so, every component "crashed", nothing earned
        assert row["error"].startswith("grader: ") and "twice" in row["error"]
        assert {row[f"{c}:status"] for c in IDS} == {"crashed"}


def test_a_judge_that_overruns_the_deadline_is_replaced_and_the_row_says_timeout(tmp_path):
    # An import that never ends, with a per-call limit far above the batch's deadline for the
    # whole submission: only the parent's own clock can end it.
    attacker = stubs_with(tmp_path, "attacker", "while True:\n    pass")
    done, rows = batch(tmp_path, [attacker], "--timeout", "120", "--deadline", "4")
    assert done.returncode == 0, done.stderr
    row = rows[str(attacker)]
    assert row["error"].startswith("grader: ") and "deadline" in row["error"]
    assert {row[f"{c}:status"] for c in IDS} == {"timeout"} and float(row["score"]) == 0
    data = json.loads((tmp_path / "json" / "attacker.json").read_text())
    assert {c["status"] for m in data["modules"] for c in m["components"]} == {"timeout"}


def test_a_students_own_grader_package_in_the_current_folder_is_never_the_judge(tmp_path):
    # `cd repo && grade batch .`: the judge once started as `python -m grader.instructor.batch` from here,
    # so the student's grader/instructor/batch.py answered for itself. (The parent is the `grade` script,
    # whose path starts at its own folder; what the instructor puts on PYTHONPATH is theirs.)
    repo = stubs_with(tmp_path, "repo", "")
    marker = tmp_path / "student-grader-ran"
    forged = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\nprint({FORGED!r}, flush=True)\n"
    for rel in ("grader/__init__.py", "grader/instructor/batch.py", "grader/instructor/batch/__init__.py",
                "grader/instructor/batch/judge.py", "grader/instructor/batch/grading_process.py",
                "grader/instructor/batch/__main__.py", "sitecustomize.py", "usercustomize.py"):
        target = repo / rel if not rel.startswith("grader/instructor/batch/") else repo / "exercises" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(forged)
    done, rows = batch(tmp_path, ["."], cwd=repo)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    row = rows["."]
    assert float(row["score"]) == 0 and {row[f"{c}:status"] for c in IDS} == {"todo"}, row


def test_student_code_is_passed_nothing_that_names_a_classmate(tmp_path):
    # Everything a worker is handed or can read of the batch's processes: its arguments,
    # environment, folder and files, and the command lines and environments of every process
    # (the parent's once listed every path of the class). The classmate's folder name is unique.
    secret = "classmate-q7z3kx"
    attack = f'''
def _leaks():
    import sys
    seen = {{"argv": " ".join(sys.argv), "env": repr(dict(os.environ)), "cwd": os.getcwd(),
             "file": os.path.realpath(__file__)}}
    for _top, _dirs, _files in os.walk(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))):
        seen["own folder " + _top] = " ".join(_dirs + _files)
    for _pid in filter(str.isdigit, os.listdir("/proc")):
        for _what in ("cmdline", "environ"):
            try:
                seen[f"/proc/{{_pid}}/{{_what}}"] = open(f"/proc/{{_pid}}/{{_what}}", "rb").read().decode("utf-8", "replace")
            except OSError:
                pass
    return [k for k, v in seen.items() if {secret!r} in v]
_found = _leaks()
raise RuntimeError("LEAKED " + ", ".join(_found) if _found else "NO-LEAK")
'''
    attacker = stubs_with(tmp_path, "attacker", attack)
    classmate = solved(tmp_path, secret)
    done, rows = batch(tmp_path, [classmate, attacker], "--jobs", "2")
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "json" / "attacker.json").read_text())
    messages = {c["message"] for m in data["modules"] for c in m["components"] if c["id"] == "micrograd.add"}
    assert any("NO-LEAK" in m for m in messages), messages
    assert float(rows[str(classmate)]["score"]) == CORE


def test_editing_a_classmates_files_during_the_batch_changes_nothing(tmp_path):
    # Graded first, the attacker breaks a classmate's engine.py (graded later, with one job).
    victim = solved(tmp_path, "victim")
    attack = f'''
_target = {str(victim / "exercises" / "micrograd" / "engine.py")!r}
try:
    with open(_target, "a") as _f:
        _f.write("\\nraise SystemExit('broken by a classmate')\\n")
except OSError:
    pass
'''
    attacker = stubs_with(tmp_path, "attacker", attack)
    done, rows = batch(tmp_path, [attacker, victim], "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert_honest(rows, attacker, full=[victim])


def test_rewriting_the_batchs_private_copies_of_classmates_changes_nothing(tmp_path):
    # Without a sandbox the copies taken at the start sit in a temporary folder the attacker can
    # find: it swaps every classmate's engine.py for one that exits. The digest catches it and
    # the unchanged original is graded instead.
    attack = '''
import glob, json, tempfile, base64
for _stage in glob.glob(os.path.join(tempfile.gettempdir(), "grade-batch-stage-*", "*.json")):
    try:
        _data = json.load(open(_stage))
        for _rel in list(_data["files"]):
            if _rel.endswith("engine.py"):
                _data["files"][_rel] = base64.b64encode(b"raise SystemExit('swapped')").decode()
        json.dump(_data, open(_stage, "w"))
    except (OSError, ValueError, KeyError):
        pass
'''
    attacker = stubs_with(tmp_path, "attacker", attack)
    full, partial = solved(tmp_path, "full"), solved(tmp_path, "partial", broken_tanh=True)
    done, rows = batch(tmp_path, [attacker, full, partial], "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert_honest(rows, attacker, full=[full], partial=[partial])
