"""`grade handout` and `grade report`: the hand-out students start from, and the class report."""
from __future__ import annotations

from pathlib import Path

import click

from grader.engine import manifest


@click.command("handout")
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
    from grader.instructor.handout import HandoutError, write_handout

    chosen = manifest.module_names() if not modules or "all" in modules else list(dict.fromkeys(modules))
    try:
        files = write_handout(Path(dest), chosen, workflow, kit_spec)
    except HandoutError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"wrote {len(files)} files to {dest} ({', '.join(chosen)}): push it as your GitHub Classroom "
               "template repository, or hand it out as it is")
    if workflow and not kit_spec:
        click.echo("set KIT_SPEC in .github/workflows/grade.yml to your pinned copy of the kit (or pass --kit-spec)")


@click.command("report")
@click.argument("results", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default="report.html", show_default=True,
              help="The HTML page to write (one self-contained file).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
              help="Also write the same numbers as JSON to FILE ('-' for standard output).")
@click.option("--submissions", type=click.Path(file_okay=False, exists=True),
              help="Where the submissions' folders are, when not at the paths `grade batch` recorded.")
@click.option("--similarity/--no-similarity", default=True, show_default=True,
              help="Compare the submissions' code with each other and with the kit's solutions (copydetect).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Similarity at which a pair (or a match with the solutions) is flagged.")
def report(results, out, json_out, submissions, similarity, threshold):
    """Write the class report for RESULTS (the folder of `grade batch --json-dir`): scores, pass
    rate per component, the most common mistakes, who has what todo, extreme time or memory,
    and near-copies."""
    import json

    from grader.instructor.report.build import build, title_for
    from grader.instructor.report.html import render_page
    from grader.instructor.report.load import ReportError

    try:
        numbers = build(Path(results), Path(submissions) if submissions else None, similarity, threshold)
    except ReportError as exc:
        raise click.UsageError(str(exc)) from None
    Path(out).write_text(render_page(numbers, title_for(Path(results))), encoding="utf-8")
    if json_out:
        text = json.dumps(numbers, indent=2) + "\n"
        if json_out == "-":
            click.echo(text, nl=False)
        else:
            Path(json_out).write_text(text, encoding="utf-8")
    if json_out != "-":
        click.echo(f"wrote {out}: {numbers['graded']} of {numbers['submissions']} submissions graded")


COMMANDS = [handout, report]  # registered by grader.cli
