"""The text report for people: a line per component, details for what did not pass, and the
next step. Student-controlled strings go in as `Text`, never as markup, so they print as-is."""
from __future__ import annotations

import shlex

from rich.console import Console
from rich.text import Text

from grader.engine import manifest
from grader.engine.model import ModuleResult, RunResult, Status
from grader.engine.render import GLYPHS
from grader.engine.render.totals import totals
from grader.engine.sanitize import clean_result

STYLES = {Status.PASSED: "green", Status.FAILED: "red", Status.TODO: "dim", Status.ERROR: "red",
          Status.TIMEOUT: "yellow", Status.CRASHED: "red"}
MARKS = {status: (GLYPHS[status], style) for status, style in STYLES.items()}


def _console(stream, color: bool | None) -> Console:
    # force_jupyter=False: in a notebook rich would display the report itself, not write `stream`.
    if color is False:
        return Console(file=stream, color_system=None, highlight=False, soft_wrap=True, emoji=False, force_jupyter=False)
    return Console(file=stream, highlight=False, soft_wrap=True, emoji=False, force_jupyter=False)


def _again(submission: str | None) -> str:
    """What a "check again" command must repeat so that it grades the same submission."""
    return f" --submission {shlex.quote(submission)}" if submission else ""


def _cells(cells: list[int]) -> str:
    """[3, 5, 6, 7, 9] -> "3, 5-7, 9"."""
    runs: list[list[int]] = []
    for cell in cells:
        if runs and cell == runs[-1][-1] + 1:
            runs[-1].append(cell)
        else:
            runs.append([cell])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _paths(paths: list[str]) -> str:
    """"a/x.py, a/y.py, b/z.py" -> "a/x.py, y.py, b/z.py": a folder is named once in a row."""
    shown, folder = [], None
    for path in paths:
        head, _, name = path.rpartition("/")
        shown.append(name if head == folder else path)
        folder = head
    return ", ".join(shown)


def describe_source(source: dict, verbose: bool = False) -> list[str]:
    """What was graded (SPEC §5 `source`), as lines for the module's header."""
    path = source.get("path", "")
    where = path if not source.get("archive") else source["archive"] + ("" if path in ("", ".") else f": {path}")
    if source["kind"] == "files":
        prefix = "" if path in ("", ".") else f"{path}/"
        if source.get("archive"):
            prefix = f"{source['archive']}: {prefix}"
        files, stubs = source.get("files", []), source.get("stubs", [])
        listed = _paths([prefix + rel for rel in files]) or f"{prefix or 'the submission'} (none of the module's files)"
        if stubs and len(stubs) == len(files):
            lines = [f"graded: {listed} (the kit's untouched stub{'s' if len(stubs) > 1 else ''})"]
        else:
            lines = [f"graded: {listed}" + (f"; still the kit's stubs: {_paths(stubs)}" if stubs else "")]
    elif source["kind"] == "notebook":
        cells = source.get("cells") or []
        taken = f"the definitions in cells {_cells(cells)}" if cells else "no definitions found"
        lines = [f"graded: {where}, {taken}" + (" (the kit's untouched notebook)" if source.get("stub") else "")]
    else:
        lines = ["nothing to grade: no files and no notebook for this module in the submission"]
    for item in source.get("ignored", []):
        if verbose or "untouched" not in item["reason"]:  # the kit's stubs are noise; a student's work is not
            lines.append(f"not graded: {item['path']} ({item['reason']})")
    return lines


def _module(console: Console, m: ModuleResult, verbose: bool, submission: str | None = None) -> None:
    console.print(Text.assemble((m.title, "bold"), "  ", (totals(m), "bold")))
    if m.source:
        for line in describe_source(m.source, verbose):
            console.print(Text("  " + line, style="dim"))
    if m.isolation == "process":  # said in every result: the fallback does not hold what the sandbox does
        console.print(Text("  your code ran without a sandbox (process isolation only): see SECURITY.md", style="dim"))
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
            console.print(Text(f"      check again: grade {m.module} -c {c.id}{_again(submission)}"
                               + ("   (-v for more)" if more else ""), style="dim"))
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
            source = m.source or {}
            place = source["path"] if source.get("kind") == "notebook" else f"exercises/{comp.file}"
            console.print(Text.assemble(
                (f"Next: {verb} {c.id}", "bold"), f" — open {place} and work on {c.symbol or comp.symbol}."))
            if c.status is Status.TODO and comp.hints:
                console.print(Text("  " + comp.hints[0], style="cyan"))
            elif c.symbol and c.hint:  # the evidence points at another method: its own first hint
                console.print(Text("  " + c.hint, style="cyan"))
            console.print(Text(f"  Check just this part: grade {module.name} --component {c.id}"
                               f"{_again(result.submission)}"))
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
        _module(console, m, verbose, result.submission)
    if result.all_modules:
        console.print()
        console.print(Text(f"Total: {totals(result)}", style="bold"))
    if next_step:
        print_next_step(console, result)
    console.print(Text(f"(seed {result.seed}: add --seed {result.seed} to repeat these exact checks)", style="dim"))
