"""Issue 11, part 2: a kit installed with pip alone (not editable; no solutions/ or exercises/
anywhere near it) grades notebooks, and recognises the stubs, from its package data alone.

The install is real: `pip install --no-deps --target` of a copy of this source tree, run by a
fresh virtual environment whose only other path is the test venv's site-packages (for torch and
the other dependencies; the editable install of this checkout is a .pth there, and .pth files of
a path added that way are not read, so this checkout cannot leak in)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from shapes import ROOT, SHAPES, notebook

# Enough components to touch every file of each module; the full matrix runs in test_shapes.py.
COMPONENTS = {
    "micrograd": ["micrograd.gradcheck", "micrograd.add", "micrograd.nn", "micrograd.train"],
    "bigram": ["bigram.vocab", "bigram.counts"],
}
DRIVER = """
import json, sys
import grader
from grader.engine.judge.run import Options
from grader.engine.submission.handed_in import grade_prepared, kit_root, prepare

print(json.dumps({"grader": grader.__file__, "kit_root": str(kit_root())}), flush=True)
for job in json.loads(sys.argv[1]):
    options = Options(seed=1, only=frozenset(job["only"]))
    with prepare(job["path"], False, job["modules"]) as prepared:
        result = grade_prepared(prepared, job["modules"], options, all_modules=True)
    print(json.dumps({"shape": job["shape"], **result.to_json()}), flush=True)
"""
CLI = "import sys; from grader.cli import main; sys.argv[0] = 'grade'; main()"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The Python of a pip-only install of this kit."""
    base = tmp_path_factory.mktemp("pip-only")
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "grader", source / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    site = base / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                    "--no-compile", "--quiet", "--target", str(site), str(source)], check=True, timeout=300,
                   capture_output=True)
    shutil.rmtree(source)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(base / "venv")], check=True, timeout=120)
    python = base / "venv" / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "00_kit.pth").write_text(f"{site}\n")
    (Path(purelib) / "10_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_the_install_ships_what_notebooks_and_stub_recognition_need(installed):
    site = Path(subprocess.run([str(installed), "-c", "import grader, os; print(os.path.dirname(grader.__file__))"],
                               capture_output=True, text=True, check=True, cwd=installed.parent).stdout.strip())
    assert (site / "engine" / "submission" / "stub_index.json").is_file() and (site / "engine" / "manifest_data" / "micrograd.toml").is_file()
    assert not (site.parent / "solutions").exists() and not (site.parent / "exercises").exists()
    assert ROOT not in site.parents


def test_a_pip_only_install_grades_a_notebook_from_the_command_line(installed, tmp_path):
    path = notebook(tmp_path, solved=True)
    out = tmp_path / "result.json"
    done = subprocess.run([str(installed), "-c", CLI, "micrograd", "--submission", str(path), "--format", "json",
                           "--output", str(out), "--seed", "1"], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(out.read_text())
    assert {c["status"] for c in data["components"]} == {"passed"} and len(data["components"]) == 12
    assert data["source"]["kind"] == "notebook" and data["source"]["path"] == "micrograd.ipynb"


def test_a_pip_only_install_grades_every_shape(installed, tmp_path):
    jobs = []
    for shape, (builder, kinds) in SHAPES.items():
        for solved in (True, False):
            path = builder(tmp_path / f"{shape}-{solved}", solved)
            only = [c for m in kinds for c in COMPONENTS[m]]
            jobs.append({"shape": f"{shape}-{'solved' if solved else 'unsolved'}", "path": str(path),
                         "modules": list(kinds), "only": only, "kinds": kinds})
    done = subprocess.run([str(installed), "-c", DRIVER, json.dumps(jobs)], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    where = lines.pop(0)
    assert ROOT not in Path(where["grader"]).parents and where["kit_root"] == "None"
    assert [line["shape"] for line in lines] == [job["shape"] for job in jobs]
    for job, result in zip(jobs, lines):
        expected = "passed" if job["shape"].endswith("-solved") else "todo"
        for m in result["modules"]:
            assert m["source"]["kind"] == job["kinds"][m["module"]], (job["shape"], m["source"])
            got = {c["id"]: c["status"] for c in m["components"]}
            assert set(got) == set(COMPONENTS[m["module"]])
            assert set(got.values()) == {expected}, (job["shape"], got)
