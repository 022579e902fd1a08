"""`grade`: thin click commands over the judge (SPEC §4)."""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click

from grader import manifest
from grader.submission import SubmissionError, resolve

EXIT_PASSED, EXIT_NOT_PASSED, EXIT_USAGE = 0, 1, 2


def _modules_choice() -> click.Choice:
    return click.Choice(manifest.module_names() + ["all"])


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("module", type=_modules_choice())
@click.option("--submission", metavar="PATH", help="A student repository (holding exercises/) or an exercises/ folder.")
@click.option("--solutions", is_flag=True, help="Grade the kit's own solutions/.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write the result to FILE.")
@click.option("--component", "-c", "components", multiple=True, metavar="ID",
              help="Grade only this component (repeatable); the result lists only those.")
@click.option("--seed", type=int, help="Seed for the randomised checks (default: a fresh one, shown in the result).")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds allowed per call into student code.")
@click.option("--memory-mb", type=int, default=4096, show_default=True, help="Memory cap of the process running student code.")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks into your code and what it printed.")
def main(module, submission, solutions, fmt, output, components, seed, timeout, memory_mb, verbose):
    """Grade MODULE (micrograd, bigram, mlp, batchnorm, or all) of a submission."""
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
