"""`grade handout` and `grade report`: the hand-out students start from, and the class report."""
from __future__ import annotations

from pathlib import Path

import click

from grader import manifest
from grader.cli import main


@main.command("handout")
@click.argument("dest", type=click.Path(file_okay=False))
@click.option("--module", "modules", multiple=True, type=click.Choice(manifest.module_names() + ["all"]),
              help="The module to hand out (default: all of them).")
@click.option("--workflow/--no-workflow", default=False, show_default=True,
              help="Add the GitHub workflow that grades every push and reports points to GitHub Classroom.")
@click.option("--kit-spec", metavar="PIP_SPEC",
              help="What students (and the workflow) pip install: your pinned copy of the kit, e.g. "
                   "'zero-to-hero-grader @ git+https://github.com/ORG/kit.git@v1'.")
def handout(dest, modules, workflow, kit_spec):
    """Write the repository students start from into DEST (new or empty): the stubs, the
    notebooks, a README for students, a .gitignore, and with --workflow the GitHub workflow.
    Never the solutions or the grader."""
    from grader.handout import HandoutError, write_handout

    chosen = manifest.module_names() if not modules or "all" in modules else list(dict.fromkeys(modules))
    try:
        files = write_handout(Path(dest), chosen, workflow, kit_spec)
    except HandoutError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"wrote {len(files)} files to {dest} ({', '.join(chosen)}): push it as your GitHub Classroom "
               "template repository, or hand it out as it is")
    if workflow and not kit_spec:
        click.echo("set KIT_SPEC in .github/workflows/grade.yml to your pinned copy of the kit (or pass --kit-spec)")
