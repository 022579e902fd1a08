"""The text report for people: a line per component, details for what did not pass, and the
next step. Student-controlled strings go in as `Text`, never as markup, so they print as-is."""
from __future__ import annotations

from rich.console import Console
from rich.text import Text

from grader import manifest
from grader.model import ModuleResult, RunResult, Status

MARKS = {
    Status.PASSED: ("✓", "green"),
    Status.FAILED: ("✗", "red"),
    Status.TODO: ("·", "dim"),
    Status.ERROR: ("!", "red"),
    Status.TIMEOUT: ("⏱", "yellow"),
    Status.CRASHED: ("☠", "red"),
}


def _console(stream, color: bool | None) -> Console:
    # force_jupyter=False: in a notebook rich would display the report itself, not write `stream`.
    if color is False:
        return Console(file=stream, color_system=None, highlight=False, soft_wrap=True, emoji=False, force_jupyter=False)
    return Console(file=stream, highlight=False, soft_wrap=True, emoji=False, force_jupyter=False)


def _module(console: Console, m: ModuleResult, verbose: bool) -> None:
    bonus = sum(c.score for c in m.components if c.bonus)
    score = f"{m.score - bonus:g}/{m.max_score:g}" + (f" (+{bonus:g} bonus)" if bonus else "")
    console.print(Text.assemble((m.title, "bold"), "  ", (score, "bold")))
    width = max(len(c.id) for c in m.components)
    for c in m.components:
        mark, style = MARKS[c.status]
        line = Text.assemble(f"  {mark} ", (c.id.ljust(width), style), "  ", c.title)
        if c.status is not Status.PASSED:
            line.append(f"  [{c.status.value}]", style=style)
        console.print(line)
        if c.status in (Status.PASSED, Status.TODO) and not verbose:
            continue
        if c.message:
            console.print(Text("      " + c.message))
        if c.hint and c.status is not Status.PASSED:
            console.print(Text.assemble("      hint: ", (c.hint, "cyan")))
        if c.status is not Status.PASSED:
            more = not verbose and (c.details or c.output)  # promise -v only when it has something to add
            console.print(Text(f"      check again: grade {m.module} -c {c.id}" + ("   (-v for more)" if more else ""),
                               style="dim"))
        if verbose:
            _more(console, c)


def _more(console: Console, c) -> None:
    """What -v adds: where the learner's code raised (their frames), what it printed; or, when
    there is neither, says so, so that -v never looks like it did nothing."""
    if c.details:
        console.print(Text("      where your code was (innermost last):", style="dim"))
    for d in c.details:
        console.print(Text("      " + d.rstrip()))
    if c.output:
        console.print(Text("      your code printed:", style="dim"))
        for out_line in c.output.splitlines()[:40]:
            console.print(Text("        " + out_line, style="dim"))
    if c.status is not Status.PASSED and not c.details and not c.output:
        raised = "raised no error" if c.status is Status.FAILED else "left no traceback"
        console.print(Text(f"      -v: nothing more to show: your code {raised} and printed nothing here; "
                           "the inputs and values are in the message above", style="dim"))


def print_next_step(console: Console, result: RunResult) -> None:
    for m in result.modules:
        for c in m.components:
            if c.status is Status.PASSED:
                continue
            module, comp = manifest.find_component(c.id)
            verb = "Start" if c.status is Status.TODO else "Fix"
            console.print()
            console.print(Text.assemble(
                (f"Next: {verb} {c.id}", "bold"), f" — open exercises/{comp.file} and work on {comp.symbol}."))
            if c.status is Status.TODO and comp.hints:
                console.print(Text("  " + comp.hints[0], style="cyan"))
            console.print(Text(f"  Check just this part: grade {module.name} --component {c.id}"))
            return
    console.print()
    console.print(Text("Everything passes. Well done!", style="bold green"))


def render_text(result: RunResult, stream, *, verbose: bool = False, color: bool | None = None,
                next_step: bool = True) -> None:
    console = _console(stream, color)
    for i, m in enumerate(result.modules):
        if i:
            console.print()
        _module(console, m, verbose)
    if result.all_modules:
        console.print()
        console.print(Text(f"Total: {result.score:g}/{result.max_score:g}", style="bold"))
    if next_step:
        print_next_step(console, result)
    console.print(Text(f"(seed {result.seed}: add --seed {result.seed} to repeat these exact checks)", style="dim"))
