"""Reading a `grade batch --json-dir` folder: one record per submission.

Each file is the SPEC §5 JSON of `grade all` (or, for a path that could not be graded, no modules
and an `error`), plus what `grade batch` adds at the top: `submission` (the path graded),
`seconds` and, when recorded, `peak_memory_mb` (optional: the report says when it is absent).
Totals are recomputed from the components: core points (bonus components apart) and bonus.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine import manifest


class ReportError(Exception):
    """The results folder cannot be read: the message says why."""


@dataclass
class Submission:
    name: str  # the result file's stem: unique in the folder
    path: str | None  # the submission's path as `grade batch` was given it
    components: dict[str, dict] = field(default_factory=dict)  # id -> the component's JSON
    error: str = ""
    seconds: float | None = None
    memory_mb: float | None = None

    @property
    def graded(self) -> bool:
        return not self.error and bool(self.components)

    @property
    def core(self) -> float:
        return float(sum(c.get("score", 0.0) for c in self.components.values() if not c.get("bonus")))

    @property
    def bonus(self) -> float:
        return float(sum(c.get("score", 0.0) for c in self.components.values() if c.get("bonus")))

    def status(self, component: str) -> str:
        return self.components.get(component, {}).get("status", "missing")


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def load_results(folder: Path) -> list[Submission]:
    if not folder.is_dir():
        raise ReportError(f"{folder} is not a folder: pass the folder `grade batch --json-dir` wrote")
    files = sorted(folder.glob("*.json"))
    if not files:
        raise ReportError(f"no .json results in {folder}: run `grade batch ... --json-dir {folder}` first")
    out = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ReportError(f"{path} is not a JSON result ({exc})") from None
        if not isinstance(data, dict):
            raise ReportError(f"{path} is not a JSON result (not an object)")
        modules = data.get("modules") if "modules" in data else [data] if "components" in data else []
        comps = {c["id"]: c for m in modules for c in m.get("components", []) if isinstance(c, dict) and "id" in c}
        out.append(Submission(path.stem, data.get("submission"), comps, str(data.get("error") or ""),
                              _number(data.get("seconds")), _number(data.get("peak_memory_mb"))))
    return out


def component_order(submissions: list[Submission]) -> list[manifest.Component]:
    """The components any submission was graded on, in the manifest's order."""
    seen = {cid for s in submissions for cid in s.components}
    return [c for m in manifest.load().values() for c in m.components if c.id in seen]
