"""GitHub Actions: a job-summary table (to $GITHUB_STEP_SUMMARY when set) and one `::error`
annotation per component that did not pass.

Everything a student controls is escaped the way GitHub's toolkit escapes command data
(% CR LF, and : , in properties), so no line we print can begin a workflow command of theirs;
their program's own output is never printed here at all.
"""
from __future__ import annotations

import os
import re

from grader.engine import manifest
from grader.engine.model import RunResult, Status
from grader.engine.render.totals import core_not_passed, totals
from grader.engine.sanitize import clean_result


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


_MARKDOWN = re.compile(r"([\\`*_\[\]|~!#])")


def _cell(text: str) -> str:
    # Markdown table cells: one line, no HTML, no links, images, code spans or emphasis: text.
    text = text[:300].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", " ").replace("\n", " ")
    return _MARKDOWN.sub(r"\\\1", text)


def summary_markdown(result: RunResult) -> str:
    lines = [f"## Zero to Hero grader: {totals(result)}", ""]
    missing = core_not_passed(result)
    if missing:
        lines += [f"{len(missing)} core component(s) not passed yet: " + ", ".join(f"`{i}`" for i in missing), ""]
    lines += ["| component | status | score | message |", "|---|---|---|---|"]
    for m in result.modules:
        for c in m.components:
            mark = "✅" if c.status is Status.PASSED else "❌"
            lines.append(f"| `{c.id}` | {mark} {c.status.value} | {c.score:g}/{c.max_score:g}"
                         f"{' (bonus)' if c.bonus else ''} | {_cell(c.message)} |")
    lines += ["", f"Seed {result.seed}: `--seed {result.seed}` repeats these checks.", ""]
    return "\n".join(lines)


def annotations(result: RunResult) -> list[str]:
    out = []
    for m in result.modules:
        for c in m.components:
            if c.status is Status.PASSED:
                continue
            _, comp = manifest.find_component(c.id)
            notebook = m.source and m.source.get("kind") == "notebook" and not m.source.get("archive")
            where = m.source["path"] if notebook else "exercises/" + comp.file  # what the student has
            props = f"file={escape_property(where)},title={escape_property(c.id + ' ' + c.status.value)}"
            text = c.message + (f" Hint: {c.hint}" if c.hint else "")
            out.append(f"::error {props}::{escape_data(text)}")
    return out


def render_github(result: RunResult, stream, **_options) -> None:
    result = clean_result(result)
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(summary_markdown(result))
    else:
        stream.write(summary_markdown(result))
    for line in annotations(result):
        stream.write(line + "\n")
