"""The result as HTML, for a notebook cell (`grader.check`). Every string from the learner's
code or the checks is escaped: student text is never markup."""
from __future__ import annotations

from html import escape
from typing import Callable

from grader.engine import manifest
from grader.engine.model import ComponentResult, ModuleResult, RunResult, Status
from grader.engine.render import GLYPHS

COLOURS = {Status.PASSED: "#1a7f37", Status.FAILED: "#cf222e", Status.TODO: "#6e7781", Status.ERROR: "#cf222e",
           Status.TIMEOUT: "#9a6700", Status.CRASHED: "#cf222e"}
MARKS = {status: (GLYPHS[status], colour) for status, colour in COLOURS.items()}
_BOX = "font-family: system-ui, sans-serif; font-size: 13px; line-height: 1.4; max-width: 60em"
_CELL = "padding: 2px 8px; text-align: left; vertical-align: top; border: none"


def render_html(result: RunResult, where: Callable[[str], str] = lambda text: text) -> str:
    """`where` rewrites places in messages (file lines into notebook cells)."""
    parts = [f'<div class="grade-check" style="{_BOX}">']
    for m in result.modules:
        parts.append(_module(m, where))
    parts.append(_next_step(result))
    parts.append(f'<div style="color: #6e7781; font-size: 11px">seed {result.seed}: '
                 f'check(..., seed={result.seed}) repeats these exact checks</div></div>')
    return "".join(parts)


def _module(m: ModuleResult, where) -> str:
    bonus = sum(c.score for c in m.components if c.bonus)
    score = f"{m.score - bonus:g}/{m.max_score:g}" + (f" (+{bonus:g} bonus)" if bonus else "")
    rows = "".join(_component(c, where) for c in m.components)
    return (f'<div style="font-weight: bold; margin-bottom: 4px">{escape(m.title)} &nbsp; {score}</div>'
            f'<table style="border-collapse: collapse; margin: 0">{rows}</table>')


def _component(c: ComponentResult, where) -> str:
    mark, color = MARKS[c.status]
    row = (f'<tr><td style="{_CELL}; color: {color}; font-weight: bold">{mark}</td>'
           f'<td style="{_CELL}"><code>{escape(c.id)}</code></td><td style="{_CELL}">{escape(c.title)}</td>'
           f'<td style="{_CELL}; color: {color}">{c.status.value}</td></tr>')
    if c.status is Status.PASSED:
        return row
    body = []
    if c.mistake:
        body.append(f'<div style="color: #cf222e"><b>{escape(str(c.mistake.get("name", "")))}</b></div>')
    if c.message:
        body.append(f'<div style="white-space: pre-wrap">{escape(where(c.message))}</div>')
    if c.hint:
        body.append(f'<div style="color: #0969da">hint: {escape(c.hint)}</div>')
    more = [escape(where(d.rstrip())) for d in c.details]
    if c.output:
        more.append("your code printed:\n" + escape(c.output))
    if more:
        body.append('<details><summary style="cursor: pointer; color: #6e7781">more</summary>'
                    f'<pre style="margin: 2px 0; font-size: 12px">{"<br>".join(more)}</pre></details>')
    return row + f'<tr><td style="{_CELL}"></td><td colspan="3" style="{_CELL}; padding-bottom: 8px">{"".join(body)}</td></tr>'


def _next_step(result: RunResult) -> str:
    for m in result.modules:
        for c in m.components:
            if c.status is Status.PASSED:
                continue
            module, comp = manifest.find_component(c.id)
            verb = "Start" if c.status is Status.TODO else "Fix"
            return (f'<div style="margin-top: 6px"><b>Next: {verb} {escape(c.id)}</b>: work on '
                    f'<code>{escape(comp.symbol)}</code>, run its cell, then <code>check("{escape(c.id)}")</code></div>')
    return '<div style="margin-top: 6px; color: #1a7f37; font-weight: bold">Everything passes. Well done!</div>'
