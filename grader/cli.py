"""`grade`: thin click commands over the judge (SPEC §4).

`grade MODULE [options]` is one command per module (and `all`), so that `grade fetch-data` and
other utilities can sit beside them under the same name.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.engine import manifest
from grader.engine.submission.handed_in import SubmissionError

from grader.cli_common import (  # noqa: F401  (EXIT_USAGE: part of this module's face)
    EXIT_INTERNAL, EXIT_NOT_PASSED, EXIT_PASSED, EXIT_USAGE, FormatChoice, BadSubmission, checked_isolation,
)


def _grade(module: str, submission, solutions, fmt, output, components, seed, timeout, memory_mb, verbose,
           watch=False, isolation="auto", modules=()):
    from grader.engine import session
    from grader.engine.render import RENDERERS

    try:
        names = manifest.select_modules(modules) if module == "all" else [module]
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    only = None
    if components:
        known = {c.id for n in names for c in manifest.load()[n].components}
        unknown = [c for c in components if c not in known]
        if unknown:
            raise click.UsageError(f"unknown component(s) for {module}: {', '.join(unknown)}")
        only = frozenset(components)
        names = [n for n in names if any(c.id in only for c in manifest.load()[n].components)]
    if any(manifest.load()[n].worker == "torch" for n in names):
        _refuse_a_wrong_data_file()
    options = session.options(seed, timeout, memory_mb, checked_isolation(isolation), only)
    if watch:
        if output or fmt != "text":
            raise click.UsageError("--watch shows text on the terminal: drop --output and --format")
        _watch(names, submission, solutions, options, verbose)
        return
    try:
        result = session.grade(submission, solutions, names, options, all_modules=module == "all")
    except SubmissionError as exc:
        raise BadSubmission(str(exc)) from None
    session.record_progress(session.own_checkout(submission, solutions), result)
    render = RENDERERS[fmt]
    if output:
        with open(output, "w", encoding="utf-8") as stream:
            render(result, stream, verbose=verbose, color=False)
    else:
        if hasattr(sys.stdout, "reconfigure"):  # a terminal that cannot show a character gets an escape
            sys.stdout.reconfigure(errors="backslashreplace")
        render(result, sys.stdout, verbose=verbose)
    if result.internal_error:
        click.echo("internal error in the grader (a bug of the kit, not of your code): see the components "
                   "marked 'internal error'; please report it", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_PASSED if result.all_passed else EXIT_NOT_PASSED)


def _watch(names, submission, solutions, options, verbose) -> None:
    from grader.engine import session
    from grader.engine.submission.handed_in import prepare
    from grader.learner.watch_session import watch_module

    try:
        with prepare(submission, solutions, names) as prepared:
            folder = prepared.watch
    except SubmissionError as exc:
        raise BadSubmission(str(exc)) from None
    if folder is None:
        raise BadSubmission(f"--watch follows a folder or a notebook, not a zip: unzip {submission} and "
                            "watch the folder")

    def grade_fn(graded, picked):
        try:  # prepared again on every save: a notebook is split again, a new file is seen
            return session.grade(submission, solutions, graded, picked, all_modules=False)
        except SubmissionError as exc:
            click.echo(f"\n{exc} (still watching: fix it and save again)")
            sys.stdout.flush()
            return None

    root = session.own_checkout(submission, solutions)  # the learner's own exercises: progress is kept
    watch_module(names, folder, options, verbose, root=root, grade_fn=grade_fn)


def _refuse_a_wrong_data_file() -> None:
    from grader.engine.names_data import DataError, names_if_present

    try:
        names_if_present()
    except DataError as exc:
        raise click.UsageError(str(exc)) from None


def _grade_command(module: str, help_text: str) -> click.Command:
    @click.command(name=module, help=help_text)
    @click.option("--submission", metavar="PATH",
                  help="What to grade: a student repository, its exercises/ folder, micrograd/ and makemore/, "
                       "a notebook, a folder of notebooks, or a zip of any of these.")
    @click.option("--solutions", is_flag=True, help="Grade the kit's own solutions/.")
    @click.option("--format", "fmt", type=FormatChoice(), default="text", show_default=True)
    @click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write the result to FILE.")
    @click.option("--component", "-c", "components", multiple=True, metavar="ID",
                  help="Grade only this component (repeatable); the result lists only those.")
    @click.option("--seed", type=int, help="Seed for the randomised checks (default: fresh, shown in the result).")
    @click.option("--timeout", type=float, default=10.0, show_default=True,
                  help="Seconds allowed per call into student code.")
    @click.option("--memory-mb", type=int, default=4096, show_default=True,
                  help="Memory cap of the process running student code.")
    @click.option("-v", "--verbose", is_flag=True, help="Show where your code raised and what it printed.")
    @click.option("--watch", is_flag=True, help="Grade again on every save (Ctrl-C to stop).")
    @click.option("--isolation", type=click.Choice(["auto", "sandbox", "process"]), default="auto", show_default=True,
                  help="How student code is contained: a namespace sandbox (bubblewrap), separate processes "
                       "only, or the sandbox where it can be made. Instructors: use sandbox.")
    def command(challenge=False, budget=None, **kwargs):
        if challenge:
            from grader.engine import session

            options = session.options(kwargs["seed"], kwargs["timeout"], kwargs["memory_mb"],
                                      checked_isolation(kwargs["isolation"]))
            _challenge(kwargs["submission"], kwargs["solutions"], kwargs["fmt"], kwargs["output"], budget, options)
        _grade(module, **kwargs)

    if module == "all":  # an assignment: one lecture, or a chosen set
        command = click.option("--module", "modules", multiple=True, metavar="NAME",
                               help="Grade only this module (repeatable, or comma-separated; default: all).")(command)
    if module == "mlp":  # the lecture's exercise E01, opt-in and never scored
        command = click.option("--challenge", is_flag=True,
                               help="Train with your own code and CHALLENGE settings on names.txt; "
                                    "report the dev loss against 2.2 (not scored).")(command)
        command = click.option("--budget", type=float, default=300.0, show_default=True,
                               help="Seconds the challenge may train.")(command)
    return command


def _challenge(submission, solutions, fmt, output, budget, options) -> None:
    from grader.learner.challenge import render_challenge, run_challenge
    from grader.engine.names_data import DataError
    from grader.engine.submission.handed_in import prepare

    try:
        with prepare(submission, solutions, ["mlp"]) as prepared:
            report = run_challenge(prepared.exercises, budget, progress=output is None and sys.stderr.isatty(),
                                   options=options)
            report.message = prepared.translate(report.message)
    except SubmissionError as exc:
        raise BadSubmission(str(exc)) from None
    except DataError as exc:
        raise click.UsageError(str(exc)) from None
    text = render_challenge(report, "json" if fmt == "json" else "text")
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
    sys.exit(EXIT_PASSED if report.beaten else EXIT_NOT_PASSED)


class KitGroup(click.Group):
    def invoke(self, ctx):
        # SPEC §4: 3 when the grader itself failed, never 1 ("graded, something did not pass").
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug of the kit, whatever it is
            import traceback

            traceback.print_exc(file=sys.stderr)
            from grader.engine.sanitize import clean

            click.echo(f"internal error in the grader ({type(exc).__name__}: {clean(exc)}): a bug of the kit, "
                       "not of the submission; please report it", err=True)
            sys.exit(EXIT_INTERNAL)

    def list_commands(self, ctx):
        # Modules first, in the lectures' order, then the utilities.
        modules = manifest.module_names() + ["all"]
        return modules + sorted(c for c in self.commands if c not in modules)


@click.group(cls=KitGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Seconds allowed per call into student code (the overview and `grade list --refresh`).")
@click.option("--memory-mb", type=int, default=4096, show_default=True,
              help="Memory cap of the process running student code (the same).")
@click.option("--isolation", type=click.Choice(["auto", "sandbox", "process"]), default="auto", show_default=True,
              help="How student code is contained (the same; see `grade MODULE --help`).")
@click.pass_context
def main(ctx, timeout, memory_mb, isolation):
    """Grade your Zero to Hero exercises: grade MODULE [OPTIONS] (MODULE: one of the modules listed
    below, or all). With no arguments: your progress and the next step."""
    # The session's shared options, for the commands that grade without options of their own.
    ctx.obj = {"timeout": timeout, "memory_mb": memory_mb, "isolation": isolation}
    if ctx.invoked_subcommand is None:
        from grader.learner.cli import overview

        overview()


for _name, _module in manifest.load().items():
    main.add_command(_grade_command(_name, f"Grade the {_name} module: {_module.title}."))
main.add_command(_grade_command("all", "Grade every module into one result."))


# Every other command, registered here and only here: the command modules never import this one.
from grader.learner import cli as cli_learner, cli_pictures  # noqa: E402
from grader.instructor import cli as cli_instructor, cli_tools

for _commands in (cli_learner.COMMANDS, cli_pictures.COMMANDS, cli_tools.COMMANDS, cli_instructor.COMMANDS):
    for _command in _commands:
        main.add_command(_command)


@main.group(name="dev")
def dev():
    """For the kit's authors: checks that the kit agrees with itself."""


@dev.command(name="check")
@click.option("--grade", "also_grade", is_flag=True, help="Also grade the solutions (all pass) and the stubs (all todo).")
def dev_check(also_grade):
    """Every manifest entry, solution marker, owned symbol, suite check, reference owner, stub,
    notebook and mutant agrees (rustlings' `dev check`)."""
    from grader.authoring import devcheck

    sys.exit(devcheck.main(["--grade"] if also_grade else []))


def run() -> None:
    """The `grade` console command: `main`, then an exit without the interpreter's teardown.

    Unloading torch at exit takes longer than grading micrograd (0.3 to 0.5 s here). By the time
    `main` returns, every grading's files and processes are closed; the exit handlers (the
    worker bundle's folder) run here; only a command that left a thread of its own working
    (none does today) gets the ordinary exit. Tests call `main` itself (CliRunner), never this."""
    import atexit
    import os
    import threading

    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if others:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (grade ... | head): nothing more to say
            pass
    os._exit(code)
