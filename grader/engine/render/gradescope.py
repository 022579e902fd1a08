"""Gradescope's results.json: one test per component, scores from the kit's manifest.

Bonus components are tests worth their points on top (their max_score counts 0 towards the
assignment's total, so Gradescope shows them as extra credit); the top-level score is given
explicitly so nothing depends on how Gradescope adds things up.
"""
from __future__ import annotations

import json

from grader.engine.model import RunResult, Status
from grader.engine.render.totals import core_not_passed, totals
from grader.engine.sanitize import clean_result


def _output(c) -> str:
    parts = [c.message] if c.message else []
    if c.hint and c.status is not Status.PASSED:
        parts.append(f"Hint: {c.hint}")
    if c.output:
        parts.append(f"Your code printed:\n{c.output}")
    return "\n\n".join(parts) or "Passed."


def _summary(result: RunResult) -> str:
    lines = [f"{m.module}: {totals(m)}" for m in result.modules]
    if len(result.modules) > 1:
        lines.append(f"Total: {totals(result)}")
    missing = core_not_passed(result)
    if missing:
        lines.append(f"{len(missing)} core component(s) not passed yet: {', '.join(missing)}")
    return "\n".join(lines)


def gradescope_results(result: RunResult) -> dict:
    result = clean_result(result)
    tests = []
    for m in result.modules:
        for c in m.components:
            tests.append({
                "name": f"{c.id}: {c.title}" + (" (bonus)" if c.bonus else ""),
                "number": c.id,
                "score": c.score,
                "max_score": 0.0 if c.bonus else c.max_score,
                "status": "passed" if c.status is Status.PASSED else "failed",
                "output": _output(c),
                "tags": [m.module, c.status.value],
                "visibility": "visible",
                "extra_data": {"status": c.status.value, "seed": m.seed},
            })
    from grader.engine.render.text import describe_source

    graded = [f"{m.module}: {line}" for m in result.modules if m.source for line in describe_source(m.source)]
    return {
        "score": result.score,
        "max_score": result.max_score,
        "output": "\n".join([_summary(result), *graded, f"Graded with seed {result.seed} (grade ... --seed {result.seed} "
                                                         "repeats these checks)."]),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"seed": result.seed, "modules": [m.module for m in result.modules],
                       "core_score": result.core_score, "bonus_score": result.bonus_score,
                       "sources": {m.module: m.source for m in result.modules if m.source}},
        "tests": tests,
    }


def render_gradescope(result: RunResult, stream, **_options) -> None:
    json.dump(gradescope_results(result), stream, indent=2)
    stream.write("\n")
