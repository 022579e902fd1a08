"""The JSON of SPEC §5."""
from __future__ import annotations

import json

from grader.engine.model import RunResult
from grader.engine.sanitize import clean_result


def render_json(result: RunResult, stream, **_options) -> None:
    json.dump(clean_result(result).to_json(), stream, indent=2)
    stream.write("\n")
