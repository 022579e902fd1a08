"""The JSON of SPEC §5."""
from __future__ import annotations

import json

from grader.model import RunResult


def render_json(result: RunResult, stream, **_options) -> None:
    json.dump(result.to_json(), stream, indent=2)
    stream.write("\n")
