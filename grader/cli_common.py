"""What every command module shares: exit statuses (SPEC §4), the result formats, the error of a
submission that cannot be graded. The command modules import this, never `grader.cli`: cli.py
registers them (explicitly, `main.add_command`), so nothing imports it back."""
from __future__ import annotations

import click

EXIT_PASSED, EXIT_NOT_PASSED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = ["text", "json", "junit", "gradescope", "github", "classroom"]


class BadSubmission(click.ClickException):
    """A submission that cannot be graded: `Error: <one sentence>`, exit status 2 (SPEC §4)."""
    exit_code = EXIT_USAGE
