"""The learner's loop: `grade` (progress and the next step), `grade list`, `grade hint`, `grade init`,
`grade reset`. (The pictures are in cli_pictures.)"""
from __future__ import annotations

import difflib
from pathlib import Path

import click

from grader.engine import manifest
from grader.engine import progress
from grader.cli_common import BadSubmission, shared_options
from grader.engine.submission.handed_in import SubmissionError, find_checkout

LABELS = {"passed": ("done", "green"), "todo": ("todo", "dim")}  # anything else is "failing"


def checkout() -> Path:
    root = find_checkout(Path.cwd())
    if root is None:
        raise click.UsageError(f"no exercises/ folder in {Path.cwd()} or above it: run this inside your copy of the kit, "
                               "or make one here with grade init")
    return root


def grade_own(names: list[str], options=None):
    """Grade the learner's own exercises (their .py files, or their notebooks where the .py files
    are untouched stubs) under the session's `options` (those `grade` was given, by default), and
    remember the result."""
    from grader.engine import session

    root = checkout()
    options = options or shared_options()
    try:
        result = session.grade(None, False, names, options, all_modules=True, cwd=Path.cwd())
    except SubmissionError as exc:
        raise BadSubmission(str(exc)) from None
    session.record_progress(root, result)
    return result


def overview(options=None) -> None:
    """`grade` with no arguments: every module's progress, and the next thing to do."""
    from rich.console import Console
    from rich.text import Text

    from grader.engine import session
    from grader.engine.render.text import print_next_step

    result = grade_own(manifest.module_names(), options)
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    for m in result.modules:
        core, extra = session.split_bonus(m.components)
        done = sum(c.status.value == "passed" for c in core)
        bar = "█" * done + "░" * (len(core) - done)
        bonus = sum(c.status.value == "passed" for c in extra)
        console.print(Text.assemble((f"{m.module:10}", "bold"), f" {bar} {done}/{len(core)}",
                                    (f"  +{bonus} bonus" if bonus else "", "green")))
    print_next_step(console, result)
    console.print(Text("grade list shows every component; grade hint ID gives a hint.", style="dim"))


@click.command("list")
@click.option("--refresh", is_flag=True, help="Grade everything now instead of showing the last results.")
def list_components(refresh):
    """Every component's state (done, failing, todo), module by module."""
    from rich.console import Console
    from rich.text import Text

    root = checkout()
    state = progress.load(root)
    missing = [n for n in manifest.module_names() if n not in state["modules"]]
    if refresh or missing:
        grade_own(manifest.module_names() if refresh else missing)
        state = progress.load(root)
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    for name, module in manifest.load().items():
        entry = state["modules"].get(name, {})
        console.print(Text.assemble((module.title, "bold"), (f"   (graded {entry.get('graded_at', 'never')})", "dim")))
        width = max(len(c.id) for c in module.components)
        for c in module.components:
            status = entry.get("components", {}).get(c.id, "todo")
            label, style = LABELS.get(status, ("failing", "red"))
            console.print(Text.assemble(f"  {label:8}", (c.id.ljust(width), style), f"  {manifest.tagged_title(c)}",
                                        (f"  [{status}]" if label == "failing" else "", "red")))


@click.command("hint")
@click.argument("component")
@click.option("--all", "show_all", is_flag=True, help="Show every hint at once.")
@click.option("--reset", is_flag=True, help="Start again from the first hint.")
def hint(component, show_all, reset):
    """Hints for COMPONENT, one more each time you ask."""
    _unknown_component(component)
    module, comp = manifest.find_component(component)
    root = find_checkout(Path.cwd())
    if reset and root is not None:
        progress.reset_hints(root, component)
    hints = comp.hints
    if show_all or root is None:
        level = len(hints)
    else:
        level = progress.next_hint_level(root, component, len(hints))
    click.echo(f"{component}: {comp.title}  (exercises/{comp.file}, {comp.symbol})")
    for i, text in enumerate(hints[:level], start=1):
        click.echo(f"  hint {i} of {len(hints)}: {text}")
    if level < len(hints):
        click.echo(f"  (run `grade hint {component}` again for the next one)")


@click.command("init")
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False))
def init(folder):
    """Write a workspace into FOLDER (default: here): the exercise stubs, the notebooks and a
    README. Nothing is overwritten: a folder that already holds exercises is refused."""
    from grader.learner.workspace import WorkspaceError, init_workspace

    dest = Path(folder)
    try:
        written = init_workspace(dest)
    except WorkspaceError as exc:
        raise click.UsageError(str(exc)) from None
    exercises = sum(p.suffix == ".py" and p.name != "__init__.py" for p in written)
    notebooks = sum(p.suffix == ".ipynb" for p in written)
    where = "" if dest.resolve() == Path.cwd().resolve() else f"cd {folder} && "
    click.echo(f"wrote {exercises} exercise files and {notebooks} notebooks into {dest.resolve() / 'exercises'}")
    click.echo(f"Next: {where}grade   (your progress and the first exercise; README.md says the rest)")


@click.command("reset")
@click.argument("component")
@click.option("--yes", "-y", is_flag=True, help="Do not ask first.")
@click.option("--whole-file", is_flag=True, help="Put the component's whole file back to its stub.")
def reset(component, yes, whole_file):
    """Put COMPONENT's exercise back to its stub (e.g. grade reset micrograd.mul); the rest of
    the file stays. Your code is copied into .grade/backup/ first. Notebooks are not touched."""
    from grader.learner.reset import ResetError, plan_reset
    from grader.learner.workspace import WorkspaceError, stub_sources

    root = checkout()
    _unknown_component(component)
    try:
        plan = plan_reset(root / "exercises", component, stub_sources(), whole_file)
    except (ResetError, WorkspaceError) as exc:
        raise click.UsageError(str(exc)) from None
    if not yes and not click.confirm(f"This {plan.describe()}. Continue?", default=False):
        click.echo("Nothing changed.")
        return
    backup = plan.apply(root)
    progress.forget(root, component)
    click.echo(f"{component}: {plan.describe().replace('puts', 'put', 1)}"
               + (f"; your code was kept in {backup.relative_to(root)}" if backup else ""))


def _unknown_component(component: str) -> None:
    ids = [c.id for m in manifest.load().values() for c in m.components]
    if component not in ids:
        close = difflib.get_close_matches(component, ids, n=3)
        raise click.UsageError(f"no component {component!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))


COMMANDS = [list_components, hint, init, reset]  # registered by grader.cli
