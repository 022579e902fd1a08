"""What every command module shares: exit statuses (SPEC §4), the result formats, the error of a
submission that cannot be graded. The command modules import this, never `grader.cli`: cli.py
registers them (explicitly, `main.add_command`), so nothing imports it back."""
from __future__ import annotations

import click

EXIT_PASSED, EXIT_NOT_PASSED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class FormatChoice(click.Choice):
    """`--format`: the formats registered in grader.engine.render.FORMATS when the command runs
    (a new format is an entry there, nothing here)."""

    def __init__(self):
        super().__init__([])

    @property
    def choices(self):
        from grader.engine.render import FORMATS

        return tuple(FORMATS)

    @choices.setter
    def choices(self, value):  # click's own __init__ sets it; the registry is the truth
        pass


class BadSubmission(click.ClickException):
    """A submission that cannot be graded: `Error: <one sentence>`, exit status 2 (SPEC §4)."""
    exit_code = EXIT_USAGE


def checked_isolation(requested: str) -> str:
    """The isolation to ask for; `sandbox` when none can be made here is bad usage (exit 2)."""
    from grader.engine.worker.sandbox import SandboxUnavailable, mode

    try:
        mode(requested)
    except SandboxUnavailable as exc:
        raise click.UsageError(str(exc)) from None
    return requested


def shared_options():
    """The session's options from `grade`'s own (--timeout, --memory-mb, --isolation), for the
    commands that have none of their own; a fresh seed each time."""
    from grader.engine import session

    ctx = click.get_current_context(silent=True)
    given = dict(ctx.find_root().obj or {}) if ctx is not None else {}
    if "isolation" in given:
        given["isolation"] = checked_isolation(given["isolation"])
    return session.options(**given)
