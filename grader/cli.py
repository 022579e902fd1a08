"""`grade`: thin click commands over the judge (SPEC §4).

`grade MODULE [options]` is one command per module (and `all`), so that `grade fetch-data` and
other utilities can sit beside them under the same name.
"""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click

from grader import manifest
from grader.submission import SubmissionError, resolve

EXIT_PASSED, EXIT_NOT_PASSED, EXIT_USAGE = 0, 1, 2
FORMATS = ["text", "json", "junit", "gradescope", "github"]


def _grade(module: str, submission, solutions, fmt, output, components, seed, timeout, memory_mb, verbose):
    from grader.judge.run import Options, grade
    from grader.render import RENDERERS

    try:
        exercises = resolve(submission, solutions)
    except SubmissionError as exc:
        raise click.UsageError(str(exc)) from None
    names = manifest.module_names() if module == "all" else [module]
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
    options = Options(seed=seed if seed is not None else secrets.randbelow(2**31), timeout=timeout,
                      memory_mb=memory_mb, only=only)
    result = grade(names, exercises, options, all_modules=module == "all")
    render = RENDERERS[fmt]
    if output:
        with open(output, "w", encoding="utf-8") as stream:
            render(result, stream, verbose=verbose, color=False)
    else:
        render(result, sys.stdout, verbose=verbose)
    sys.exit(EXIT_PASSED if result.all_passed else EXIT_NOT_PASSED)


def _refuse_a_wrong_data_file() -> None:
    from grader.data import DataError, names_if_present

    try:
        names_if_present()
    except DataError as exc:
        raise click.UsageError(str(exc)) from None


def _grade_command(module: str, help_text: str) -> click.Command:
    @click.command(name=module, help=help_text)
    @click.option("--submission", metavar="PATH",
                  help="A student repository (holding exercises/) or an exercises/ folder.")
    @click.option("--solutions", is_flag=True, help="Grade the kit's own solutions/.")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
    @click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write the result to FILE.")
    @click.option("--component", "-c", "components", multiple=True, metavar="ID",
                  help="Grade only this component (repeatable); the result lists only those.")
    @click.option("--seed", type=int, help="Seed for the randomised checks (default: fresh, shown in the result).")
    @click.option("--timeout", type=float, default=10.0, show_default=True,
                  help="Seconds allowed per call into student code.")
    @click.option("--memory-mb", type=int, default=4096, show_default=True,
                  help="Memory cap of the process running student code.")
    @click.option("-v", "--verbose", is_flag=True, help="Show where your code raised and what it printed.")
    def command(challenge=False, budget=None, **kwargs):
        if challenge:
            _challenge(kwargs["submission"], kwargs["solutions"], kwargs["fmt"], kwargs["output"], budget)
        _grade(module, **kwargs)

    if module == "mlp":  # the lecture's exercise E01, opt-in and never scored
        command = click.option("--challenge", is_flag=True,
                               help="Train with your own code and CHALLENGE settings on names.txt; "
                                    "report the dev loss against 2.2 (not scored).")(command)
        command = click.option("--budget", type=float, default=300.0, show_default=True,
                               help="Seconds the challenge may train.")(command)
    return command


def _challenge(submission, solutions, fmt, output, budget) -> None:
    from grader.challenge import render_challenge, run_challenge
    from grader.data import DataError

    try:
        exercises = resolve(submission, solutions)
    except SubmissionError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        report = run_challenge(exercises, budget, progress=output is None and sys.stderr.isatty())
    except DataError as exc:
        raise click.UsageError(str(exc)) from None
    text = render_challenge(report, "json" if fmt == "json" else "text")
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
    sys.exit(EXIT_PASSED if report.beaten else EXIT_NOT_PASSED)


class KitGroup(click.Group):
    def list_commands(self, ctx):
        # Modules first, in the lectures' order, then the utilities.
        modules = manifest.module_names() + ["all"]
        return modules + sorted(c for c in self.commands if c not in modules)


@click.group(cls=KitGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Grade your Zero to Hero exercises: grade MODULE [OPTIONS] (MODULE: micrograd, bigram, mlp,
    batchnorm or all)."""


for _name, _module in manifest.load().items():
    main.add_command(_grade_command(_name, f"Grade the {_name} module: {_module.title}."))
main.add_command(_grade_command("all", "Grade every module into one result."))


@main.command("batch")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--jobs", "-j", type=int, default=2, show_default=True, help="Submissions graded at once.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Write one row per submission: every component's score and the total.")
@click.option("--json-dir", type=click.Path(file_okay=False), help="Also write each submission's full JSON result here.")
@click.option("--seed", type=int, help="One seed for every submission (default: fresh, written in the CSV).")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds allowed per call into student code.")
@click.option("--memory-mb", type=int, default=4096, show_default=True, help="Memory cap of each process running student code.")
def batch(paths, jobs, csv_path, json_dir, seed, timeout, memory_mb):
    """Grade every module of many submissions (student repositories or exercises/ folders)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from grader.batch import BatchOptions, run_batch, write_csv, write_json_dir

    if jobs < 1:
        raise click.UsageError("--jobs must be at least 1")
    options = BatchOptions(seed=seed if seed is not None else secrets.randbelow(2**31), jobs=jobs,
                           timeout=timeout, memory_mb=memory_mb)
    console = Console(stderr=True)
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("batch", total=len(paths))
        rows = run_batch(list(paths), options, on_row=lambda row: bar.advance(task))
    write_csv(rows, Path(csv_path), options.seed)
    if json_dir:
        write_json_dir(rows, Path(json_dir))
    errors = [r for r in rows if r.error]
    click.echo(f"graded {len(rows)} submissions into {csv_path} (seed {options.seed})"
               + (f"; {len(errors)} could not be graded, see the error column" if errors else ""))


@main.command("gradescope-bundle")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default="autograder.zip", show_default=True)
@click.option("--torch-version", default="2.13.0", show_default=True, help="The torch the autograder image installs.")
@click.option("--timeout", type=float, help="Seconds per call into student code (default: the grader's).")
def gradescope_bundle(out, torch_version, timeout):
    """Build a Gradescope autograder zip (setup.sh, run_autograder, this kit)."""
    from grader.gradescope import build_bundle

    options = f"--timeout {timeout:g}" if timeout else ""
    try:
        path = build_bundle(Path(out), torch_version, options)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {path}: upload it as the autograder of a Gradescope programming assignment")


@main.command("fetch-data")
def fetch_data():
    """Download names.txt (Karpathy's 32,033 names) into the kit's data folder and verify it."""
    from grader.data import DataError, NAMES_SHA256, fetch_names, names_path, sha256

    path = names_path()
    if path.exists() and sha256(path) == NAMES_SHA256:
        click.echo(f"names.txt is already at {path} (sha256 verified).")
        return
    try:
        fetch_names(path)
    except DataError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"names.txt saved to {path} (sha256 verified).")
