"""`grade draw` and `grade plot-batchnorm`: pictures made with the learner's own code."""
from __future__ import annotations

from pathlib import Path

import click

from grader.cli_common import BadSubmission, shared_options
from grader.engine.submission.handed_in import SubmissionError


@click.command("draw")
@click.argument("expression", required=False)
@click.option("--out", type=click.Path(dir_okay=False), default="graph.png", show_default=True,
              help="The picture to write (.png, .svg or .pdf).")
@click.option("--submission", metavar="PATH", help="Whose micrograd to use (default: yours).")
@click.option("--renderer", type=click.Choice(["auto", "dot", "matplotlib"]), default="auto", show_default=True,
              help="Graphviz's dot (the lecture's look) when installed, else matplotlib.")
def draw(expression, out, submission, renderer):
    """Draw a micrograd expression graph with YOUR Value, as the lecture's draw_dot does.

    EXPRESSION is Python that sets `root`, e.g. "a = Value(2.0); b = Value(-3.0); root = a*b + 1; root.backward()"."""
    from grader.learner.pictures import DEFAULT_EXPRESSION, PictureError, draw_expression_from_engine, pick_renderer
    from grader.engine.submission.handed_in import prepare

    try:
        used = pick_renderer(renderer)
        with prepare(submission, False, ["micrograd"]) as prepared:
            try:
                path = draw_expression_from_engine(prepared.exercises, expression or DEFAULT_EXPRESSION, Path(out),
                                                   renderer=used, options=shared_options())
            except PictureError as exc:
                raise click.ClickException(prepared.translate(str(exc))) from None
    except PictureError as exc:
        raise click.ClickException(str(exc)) from None
    except SubmissionError as exc:
        raise BadSubmission(str(exc)) from None
    how = "with Graphviz" if used == "dot" else "with matplotlib" + (
        "; install Graphviz (its dot program) for the lecture's own look" if renderer == "auto" else "")
    click.echo(f"wrote {path} ({how})")


@click.command("plot-batchnorm")
@click.option("--out-dir", type=click.Path(file_okay=False), default="plots", show_default=True)
@click.option("--submission", metavar="PATH", help="Whose batchnorm.py to use (default: yours).")
@click.option("--steps", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="Training steps before the plots (the lecture's 1,000).")
def plot_batchnorm(out_dir, submission, steps):
    """Plot lecture 4's diagnostics for YOUR Linear/BatchNorm1d/Tanh network: tanh activations and
    their gradients, the weights' gradients, update-to-data ratios (PNG files)."""
    from grader.engine.names_data import DataError, load_names
    from grader.learner.pictures import PictureError, batchnorm_diagnostics_from_exercises
    from grader.engine.submission.handed_in import prepare

    try:
        with prepare(submission, False, ["batchnorm"]) as prepared:
            try:
                paths = batchnorm_diagnostics_from_exercises(prepared.exercises, Path(out_dir), load_names(),
                                                             steps=steps, options=shared_options())
            except (PictureError, DataError) as exc:
                raise click.ClickException(prepared.translate(str(exc))) from None
    except SubmissionError as exc:
        raise BadSubmission(str(exc)) from None
    for path in paths:
        click.echo(f"wrote {path}")


COMMANDS = [draw, plot_batchnorm]  # registered by grader.cli
