"""`grade batch`, `grade gradescope-bundle`, `grade fetch-data`: the instructor's and setup tools."""
from __future__ import annotations

import secrets
from pathlib import Path

import click

from grader.cli import main

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
