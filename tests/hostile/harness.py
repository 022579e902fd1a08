"""What the hostile tests share: submissions made of the solutions with attack code in place of
some definitions, a judge run in a process of its own (so that an attack on "the judge" hits
that process and not pytest), and the checks every hostile run must pass afterwards.

Attacks that go looking for the judge among all processes only touch processes whose command
line carries the run's marker (it is in the submission's path): without a sandbox the worker
runs as root here, and an attack that stopped or wrote into every process would hit the
machine, not the grader.
"""
from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.engine import manifest
from grader.engine.model import Status
from grader.engine.worker import sandbox

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
STATUSES = {s.value for s in Status}


def isolations(process_xfail: str | None = None, sandbox_xfail: str | None = None, racy: bool = False) -> list:
    """`isolation` parameters: the sandbox (skipped where none can be made) and the process
    fallback. An attack that legitimately still works without the sandbox is xfail(strict) there,
    with the reason (SECURITY.md lists them); `racy`: one that wins a race with the judge only
    sometimes, so xfail but not strict."""
    ok, why = sandbox.probe()
    box = [pytest.mark.skipif(not ok, reason=f"no sandbox here: {why}")]
    if sandbox_xfail:
        box.append(pytest.mark.xfail(strict=True, reason=sandbox_xfail))
    fallback = [pytest.mark.xfail(strict=not racy, reason=process_xfail)] if process_xfail else []
    return [pytest.param("sandbox", marks=box, id="sandbox"), pytest.param("process", marks=fallback, id="process")]


def marker() -> str:
    return f"hostile{uuid.uuid4().hex[:12]}"


# -- submissions ---------------------------------------------------------------------------

def copy_tree(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "notebooks"))
    return dest


def replace_definitions(source: str, new: dict[str, str]) -> str:
    """`source` with each named definition ("Value.__add__", "numerical_gradient") replaced by
    the given code (written at indent 0; re-indented to where the definition was)."""
    tree = ast.parse(source)
    spans = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            spans[node.name] = (node, 0)
        if isinstance(node, ast.ClassDef):
            for inner in node.body:
                if isinstance(inner, ast.FunctionDef):
                    spans[f"{node.name}.{inner.name}"] = (inner, inner.col_offset)
    lines = source.splitlines(keepends=True)
    for name in sorted(new, key=lambda n: -spans[n][0].lineno):
        node, indent = spans[name]
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        code = textwrap.indent(textwrap.dedent(new[name]).strip("\n") + "\n", " " * indent)
        lines[start - 1:node.end_lineno] = [code]
    return "".join(lines)


def prepend_to_definitions(source: str, new: dict[str, str]) -> str:
    """`source` with code run first in each named function (after its docstring)."""
    tree = ast.parse(source)
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for inner in node.body:
                if isinstance(inner, ast.FunctionDef):
                    found[f"{node.name}.{inner.name}"] = inner
        elif isinstance(node, ast.FunctionDef) and node.col_offset == 0:
            found[node.name] = node
    lines = source.splitlines(keepends=True)
    for name in sorted(new, key=lambda n: -found[n].lineno):
        body = found[name].body
        first = body[1] if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else body[0]
        code = textwrap.indent(textwrap.dedent(new[name]).strip("\n") + "\n", " " * first.col_offset)
        lines.insert(first.lineno - 1, code)
    return "".join(lines)


def solution_submission(folder: Path, files: dict[str, str] | None = None,
                        definitions: dict[str, dict[str, str]] | None = None,
                        preludes: dict[str, str] | None = None,
                        first: dict[str, dict[str, str]] | None = None) -> Path:
    """`folder/exercises`: the solutions, with whole files replaced (`files`), definitions
    replaced (`definitions`: file -> {name: code}), code run first in some functions (`first`,
    the same shape) and code added after a file's imports (`preludes`)."""
    exercises = copy_tree(SOLUTIONS, folder / "exercises")
    for rel, replacements in (definitions or {}).items():
        path = exercises / rel
        path.write_text(replace_definitions(path.read_text(), replacements))
    for rel, insertions in (first or {}).items():
        path = exercises / rel
        path.write_text(prepend_to_definitions(path.read_text(), insertions))
    for rel, code in (preludes or {}).items():
        path = exercises / rel
        body = ast.parse(path.read_text()).body
        heads = [n.end_lineno for n in body if isinstance(n, (ast.Import, ast.ImportFrom))]
        docstring = body[0].end_lineno if body and isinstance(body[0], ast.Expr) else 0
        last_import = max(heads, default=docstring)
        lines = path.read_text().splitlines(keepends=True)
        lines.insert(last_import, textwrap.dedent(code).strip("\n") + "\n")
        path.write_text("".join(lines))
    for rel, text in (files or {}).items():
        (exercises / rel).parent.mkdir(parents=True, exist_ok=True)
        (exercises / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    return exercises


# -- the judge in this process (CliRunner) -----------------------------------------------------

def grade_json(target, module: str, isolation: str, components=(), timeout: float = 10) -> dict:
    """`grade MODULE --submission TARGET --format json` through CliRunner: exit code, result."""
    from click.testing import CliRunner

    from grader.cli import main

    args = [module, "--submission", str(target), "--format", "json", "--seed", "7", "--isolation", isolation,
            "--timeout", str(timeout)]
    for component in components:
        args += ["-c", component]
    result = CliRunner().invoke(main, args)
    try:
        data = json.loads(result.output)
    except ValueError:
        data = None
    return {"code": result.exit_code, "result": data, "output": result.output[-3000:]}


def statuses(run: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in run["result"]["components"]}


def messages(run: dict) -> dict[str, str]:
    return {c["id"]: c["message"] for c in run["result"]["components"]}


# -- a judge of its own ----------------------------------------------------------------------

@dataclass
class JudgeRun:
    code: int
    stdout: str
    stderr: str
    result: dict | None  # the --output file, parsed (None if missing or not JSON)
    output_text: str  # the --output file as written when the judge exited
    stopped: bool = False  # was the judge ever seen stopped (SIGSTOP)? it was continued at once
    peak_kb: int = 0  # the judge's VmHWM, as last seen
    elapsed: float = 0.0
    extra: dict = field(default_factory=dict)

    def statuses(self) -> dict[str, str]:
        return {c["id"]: c["status"] for c in (self.result or {}).get("components", [])}

    def component(self, component: str) -> dict:
        return next(c for c in self.result["components"] if c["id"] == component)


def judge_command(kit: Path | None = None) -> list[str]:
    """`grade` as a process of its own; from the kit copy `kit` (the folder holding grader/)."""
    path = f"sys.path.insert(0, {str(kit)!r}); " if kit else ""
    return [sys.executable, "-c", f"import sys; {path}from grader.cli import main; main(prog_name='grade')"]


def run_judge(args: list[str], output: Path, *, env: dict[str, str] | None = None, kit: Path | None = None,
              bytecode: bool = False, timeout: float = 240) -> JudgeRun:
    """Run the judge on `args` (writing `output`), watching it: a judge found stopped is counted
    and continued, and its peak memory is recorded. `bytecode`: let it write .pyc files as an
    ordinary install does (only for a private kit copy: never into the kit other tests use)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("ZERO_TO_HERO_NO_SANDBOX", None)
    if bytecode:
        full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        full_env["PYTHONDONTWRITEBYTECODE"] = "1"
    started = time.monotonic()
    process = subprocess.Popen(judge_command(kit) + args + ["--output", str(output)], env=full_env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    seen = {"stopped": False, "peak": 0}

    def watch():
        while process.poll() is None:
            try:
                stat = Path(f"/proc/{process.pid}/stat").read_text()
                status = Path(f"/proc/{process.pid}/status").read_text()
            except OSError:
                break
            if stat.rsplit(")", 1)[1].split()[0] in ("T", "t"):
                seen["stopped"] = True
                os.kill(process.pid, signal.SIGCONT)
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    seen["peak"] = max(seen["peak"], int(line.split()[1]))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
    watcher.join(5)
    text = output.read_text(encoding="utf-8", errors="replace") if output.exists() else ""
    try:
        result = json.loads(text)
    except ValueError:
        result = None
    return JudgeRun(process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), result,
                    text, seen["stopped"], seen["peak"], time.monotonic() - started)


def shared(tmp_path_factory, key: str, make) -> dict:
    """`make(folder)` (a JSON-able dict) computed once per test session, even across xdist
    workers (the recipe of pytest-xdist's docs, with flock): one grading run serves every test
    that asserts something about it."""
    import dataclasses
    import fcntl

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    done = root / f"{key}.json"
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            folder = root / key
            folder.mkdir(exist_ok=True)
            value = make(folder)
            if dataclasses.is_dataclass(value):
                value = dataclasses.asdict(value)
            done.write_text(json.dumps(value))
    return json.loads(done.read_text())


def judge_run(data: dict) -> JudgeRun:
    return JudgeRun(**data)


# -- what must hold after any hostile run ----------------------------------------------------

def assert_well_formed(result: dict, module: str, only: set[str] | None = None) -> None:
    """Every component of the module (of the selection), in order, with a known status and a
    score that the manifest's points and the statuses account for."""
    assert result is not None, "no result was written"
    comps = [c for c in manifest.load()[module].components if only is None or c.id in only]
    assert [c["id"] for c in result["components"]] == [c.id for c in comps]
    assert all(c["status"] in STATUSES for c in result["components"])
    for got, comp in zip(result["components"], comps):
        assert got["score"] == (comp.points if got["status"] == "passed" else 0), got
    assert result["score"] == sum(c["score"] for c in result["components"])


def survivors(token: str) -> list[int]:
    """Processes whose command line holds `token` (a marker only an attack's processes carry)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if token.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                pass
    return found


def kill_survivors(token: str) -> None:
    for pid in survivors(token):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
