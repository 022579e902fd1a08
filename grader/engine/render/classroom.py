"""GitHub Classroom: the `result` step output its grading reporter reads, plus everything the
`github` format shows (the job summary and one annotation per component that did not pass).

The reporter (classroom-resources/autograding-grading-reporter@v1) reads, for each runner id in
its `runners` input, the environment variable `<RUNNER ID IN CAPITALS>_RESULTS`: base64 of a JSON
object shaped as its own runners (autograding-command-grader, autograding-io-grader) write it:

    {"version": 1, "status": "pass"|"fail"|"error", "max_score": N,
     "tests": [{"name", "status": "pass"|"fail", "score", "message", "test_code", "filename",
                "line_no"}]}

It then posts the notice "Points <sum of the tests' score>/<sum of max_score>" that Classroom
reads as the grade, and fails the run when `status` is "fail" or "error". So:

- Only the core components are tests here. Classroom has no extra credit: a bonus component
  counted in the points could hide a failing core one ("11/11" with `tanh` failing). Bonus
  components still show in the job summary and the annotations.
- `status` is "fail" only when the instructor asked for it (ZERO_TO_HERO_FAIL_INCOMPLETE=true)
  and a core component did not pass; otherwise a run that graded is green, and the points say
  how far the student is. Every test's own status is always the truth.
- The reporter's console table scores a runner as (tests passed / tests) * max_score; that equals
  the points because every component of the kit is worth the same (1). Were that to change, the
  "Points" notice (what Classroom records) would still be exact.
"""
from __future__ import annotations

import base64
import json
import os

from grader.engine import manifest
from grader.engine.model import RunResult, Status
from grader.engine.render.github import render_github

FAIL_INCOMPLETE_ENV = "ZERO_TO_HERO_FAIL_INCOMPLETE"
MESSAGE_CAP = 1000  # characters per test: step outputs are limited, and the summary has the rest


def fail_incomplete_from_env() -> bool:
    return os.environ.get(FAIL_INCOMPLETE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def classroom_result(result: RunResult, fail_incomplete: bool) -> dict:
    tests = []
    for m in result.modules:
        for c in m.components:
            if c.bonus:
                continue
            _, comp = manifest.find_component(c.id)
            passed = c.status is Status.PASSED
            message = c.message if passed else f"{c.status.value}: {c.message}".rstrip(": ")
            tests.append({
                "name": f"{c.id}: {c.title}" + ("" if passed else f" ({c.status.value})"),
                "status": "pass" if passed else "fail",
                "score": c.score,
                "message": message[:MESSAGE_CAP],
                "test_code": f"grade {m.module} -c {c.id}",
                "filename": f"exercises/{comp.file}",
                "line_no": 0,
            })
    incomplete = any(t["status"] != "pass" for t in tests)
    return {
        "version": 1,
        "status": "fail" if incomplete and fail_incomplete else "pass",
        "max_score": float(sum(c.max_score for m in result.modules for c in m.components if not c.bonus)),
        "tests": tests,
    }


def encode(data: dict) -> str:
    return base64.b64encode(json.dumps(data).encode("utf-8")).decode("ascii")


def render_classroom(result: RunResult, stream, **options) -> None:
    render_github(result, stream, **options)
    line = f"result={encode(classroom_result(result, fail_incomplete_from_env()))}\n"  # base64: one line
    path = os.environ.get("GITHUB_OUTPUT")
    if path:
        with open(path, "a", encoding="utf-8") as outputs:
            outputs.write(line)
    else:
        stream.write(line)
