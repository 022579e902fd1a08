"""The text report for people: a line per component, details for what did not pass, and the
next step. Student-controlled strings go in as `Text`, never as markup, so they print as-is."""
from __future__ import annotations

from rich.console import Console
from rich.text import Text

from grader import manifest
from grader.model import ModuleResult, RunResult, Status
from grader.render.totals import totals
from grader.sanitize import clean_result

MARKS = {
    Status.PASSED: ("✓", "green"),
    Status.FAILED: ("✗", "red"),
    Status.TODO: ("·", "dim"),
    Status.ERROR: ("!", "red"),
    Status.TIMEOUT: ("⏱", "yellow"),
    Status.CRASHED: ("☠", "red"),
}


def _console(stream, color: bool | None) -> Console:
    if color is False:
        return Console(file=stream, color_system=None, highlight=False, soft_wrap=True, emoji=False)
    return Console(file=stream, highlight=False, soft_wrap=True, emoji=False)


def _module(console: Console, m: ModuleResult, verbose: bool) -> None:
    console.print(Text.assemble((m.title, "bold"), "  ", (totals(m), "bold")))
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
            console.print(Text(f"      check again: grade {m.module} -c {c.id}" + ("" if verbose else "   (-v for more)"),
                               style="dim"))
        if verbose:
            for d in c.details:
                console.print(Text("      " + d.rstrip()))
            if c.output:
                console.print(Text("      your code printed:", style="dim"))
                for out_line in c.output.splitlines()[:40]:
                    console.print(Text("        " + out_line, style="dim"))


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
    result = clean_result(result)  # student strings reach a terminal: nothing in them may act
    console = _console(stream, color)
    for i, m in enumerate(result.modules):
        if i:
            console.print()
        _module(console, m, verbose)
    if result.all_modules:
        console.print()
        console.print(Text(f"Total: {totals(result)}", style="bold"))
    if next_step:
        print_next_step(console, result)
    console.print(Text(f"(seed {result.seed}: add --seed {result.seed} to repeat these exact checks)", style="dim"))
