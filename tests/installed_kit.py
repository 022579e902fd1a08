"""A real, non-editable install of the kit, for tests of what a pip-only learner gets.

The kit is built from a copy of this checkout into the site-packages of a fresh virtual
environment (`pip install --no-deps --target`); that environment borrows torch, numpy, click
and the rest from the test environment through a `.pth` line, which does not bring the test
environment's editable install along. Workers start with `python -I`, which ignores PYTHONPATH,
so a plain `--target` folder on PYTHONPATH would not be what they import: a venv is.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("grader", "solutions", "exercises", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")


def install_kit(where: Path) -> Path:
    """Install the kit under `where`; return the environment's python."""
    source = where / "source"
    for name in COPIED:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.is_file():
            shutil.copy(path, source / name)
    env_dir = where / "env"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
                    "--disable-pip-version-check", "--target", str(site), str(source)],
                   check=True, capture_output=True, cwd=where)
    return python


def grade(python: Path, *args: str, cwd: Path, timeout: float = 120, input: str | None = None,
          env: dict | None = None) -> subprocess.CompletedProcess:
    """`grade ARGS` with the installed kit, in `cwd`."""
    return subprocess.run([str(python), "-c", "from grader.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, input=input,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})})
