"""Commands are registered explicitly by grader.cli: no command module imports it back (no cycle)."""
from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from grader.learner import cli as cli_learner, cli_pictures
from grader.instructor import cli as cli_instructor, cli_tools
from grader.cli import main

COMMAND_MODULES = ["grader.cli_common", "grader.learner.cli", "grader.learner.cli_pictures", "grader.instructor.cli_tools",
                   "grader.instructor.cli"]


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_a_command_module_imports_alone_without_the_cli(module):
    # A fresh interpreter: nothing imported before it can hide a cycle.
    code = f"import sys, {module}; sys.exit('grader.cli' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr or f"importing {module} imported grader.cli"


def test_grade_help_lists_every_command():
    listed = CliRunner().invoke(main, ["--help"]).output
    commands = [c for m in (cli_learner, cli_pictures, cli_tools, cli_instructor) for c in m.COMMANDS]
    assert len(commands) >= 11
    names = [c.name for c in commands] + ["micrograd", "bigram", "mlp", "batchnorm", "all", "dev"]
    section = listed.split("Commands:", 1)[1]
    for name in names:
        assert any(line.split()[:1] == [name] for line in section.splitlines()), f"{name} missing from grade --help"
