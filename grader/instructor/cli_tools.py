"""`grade batch`, `grade gradescope-bundle`, `grade fetch-data`: the instructor's and setup tools."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.engine import manifest
from grader.cli_common import EXIT_INTERNAL


def _modules(values) -> list[str]:
    try:
        return manifest.select_modules(values)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


MODULE_OPTION = click.option("--module", "modules", multiple=True, metavar="NAME",
                             help="The assignment: grade only this module (repeatable, or comma-separated; "
                                  "default: every module).")


@click.command("batch")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--jobs", "-j", type=int, default=2, show_default=True, help="Submissions graded at once.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Write one row per submission: totals, every component's points, status and mistake.")
@click.option("--json-dir", type=click.Path(file_okay=False), help="Also write each submission's full JSON result here.")
@MODULE_OPTION
@click.option("--resume", is_flag=True, help="Keep the rows already in the CSV and grade only the rest.")
@click.option("--seed", type=int, help="One seed for every submission (default: fresh, written in the CSV).")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds allowed per call into student code.")
@click.option("--memory-mb", type=int, default=4096, show_default=True, help="Memory cap of each process running student code.")
@click.option("--deadline", type=float, help="Wall-clock seconds for one whole submission (default: 60 + 130 per module).")
@click.option("--dask", "dask_address", metavar="SCHEDULER_ADDRESS",
              help="Grade on this Dask cluster (tcp://host:8786) instead of --jobs local judges (the dask extra).")
def batch(paths, jobs, csv_path, json_dir, modules, resume, seed, timeout, memory_mb, deadline, dask_address):
    """Grade many submissions (student repositories, exercises/ folders or notebooks) into a CSV."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from grader.engine import session
    from grader.instructor.batch import BatchOptions, csv_header, run_batch
    from grader.instructor.batch.output import CsvJournal, JsonDir, ResumeError, csv_cells
    from grader.instructor.batch.privacy import hide_from_students

    if jobs < 1:
        raise click.UsageError("--jobs must be at least 1")
    if "batch" in sys.argv[1:]:  # this process's own command line holds the classmates' paths
        hide_from_students("grade batch")
    names = _modules(modules)
    paths = list(paths)
    if len(set(paths)) != len(paths):
        raise click.UsageError("a path is given twice: every submission is one row")
    try:
        journal = CsvJournal(Path(csv_path), csv_header(names), resume)
    except ResumeError as exc:
        raise click.UsageError(str(exc)) from None
    earlier = journal.seed()
    if earlier is not None and seed is not None and seed != earlier:
        raise click.UsageError(f"--resume: {csv_path} was graded with seed {earlier}, not {seed}")
    seed = earlier if earlier is not None else seed  # None: a fresh one (grader.engine.session)
    folder = JsonDir(Path(json_dir), paths, names) if json_dir else None
    done = {p for p in paths if journal.is_done(p) and (folder is None or folder.has(p))}
    options = BatchOptions(session.batch_options(seed, timeout, memory_mb), jobs=jobs, modules=names,
                           deadline=deadline)

    def on_row(row) -> None:
        if folder:  # first: a CSV row is the record that its submission is done
            folder.write(row)
        journal.append(csv_cells(row, names, options.seed))
        bar.advance(task)

    console = Console(stderr=True)
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("batch", total=len(paths) - len(done))
        if dask_address:
            rows = _run_on_dask(paths, options, dask_address, on_row, done)
        else:
            rows = run_batch(paths, options, on_row=on_row, skip=done)
    journal.finish(paths)
    if folder:
        folder.finish()
    errors = [r for r in rows if r.error]
    click.echo(f"graded {len(rows)} submissions into {csv_path} (seed {options.seed})"
               + (f", kept {len(done)} graded before" if done else "")
               + (f"; {len(errors)} could not be graded, see the error column" if errors else ""))
    if any(r.internal for r in rows):
        click.echo("internal error in the grader on some submissions (their error column says "
                   "'grader: internal error'): a bug of the kit; please report it", err=True)
        sys.exit(EXIT_INTERNAL)


def _run_on_dask(paths, options, address, on_row, done):
    try:
        import distributed  # noqa: F401

        from grader.instructor.batch.dask_run import run_batch_dask
    except ImportError:
        raise click.UsageError('--dask needs dask.distributed: pip install "zero-to-hero-grader[dask]"') from None
    try:
        return run_batch_dask(paths, options, address, on_row=on_row, skip=done)
    except OSError as exc:  # no scheduler there
        raise click.UsageError(f"--dask {address}: {exc}") from None


@click.command("gradescope-bundle")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default="autograder.zip", show_default=True)
@click.option("--torch-version", default="2.13.0", show_default=True, help="The torch the autograder image installs.")
@click.option("--timeout", type=float, help="Seconds per call into student code (default: the grader's).")
@MODULE_OPTION
def gradescope_bundle(out, torch_version, timeout, modules):
    """Build a Gradescope autograder zip (setup.sh, run_autograder, this kit)."""
    from grader.instructor.gradescope import build_bundle

    chosen = _modules(modules)
    options = f"--timeout {timeout:g}" if timeout else ""
    if chosen != manifest.module_names():
        options += "".join(f" --module {m}" for m in chosen)
    try:
        path = build_bundle(Path(out), torch_version, options)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {path}: upload it as the autograder of a Gradescope programming assignment")


@click.command("fetch-data")
def fetch_data():
    """Download names.txt (Karpathy's 32,033 names) into the kit's data folder and verify it."""
    from grader.engine.names_data import DataError, NAMES_SHA256, fetch_names, names_path, sha256

    path = names_path()
    if path.exists() and sha256(path) == NAMES_SHA256:
        click.echo(f"names.txt is already at {path} (sha256 verified).")
        return
    try:
        fetch_names(path)
    except DataError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"names.txt saved to {path} (sha256 verified).")


COMMANDS = [batch, gradescope_bundle, fetch_data]  # registered by grader.cli
