"""The learner's progress: one small JSON file, `.grade/progress.json`, in their checkout.

It remembers each component's last status (for `grade list` and `grade` with no arguments)
and how many hints were shown (for `grade hint`). It is ignored by git (.gitignore has .grade/)
and only ever written for the learner's own exercises, never for --submission or --solutions.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from grader.engine.model import RunResult

FILE = Path(".grade") / "progress.json"


def path_for(root: Path) -> Path:
    return root / FILE


def load(root: Path) -> dict:
    try:
        data = json.loads(path_for(root).read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("version") == 1:
            return data
    except (OSError, ValueError):
        pass
    return {"version": 1, "modules": {}, "hints": {}}


def save(root: Path, data: dict) -> None:
    target = path_for(root)
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def record(root: Path, result: RunResult) -> None:
    data = load(root)
    for m in result.modules:
        entry = data["modules"].setdefault(m.module, {"components": {}})
        entry["graded_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
        entry["components"].update({c.id: c.status.value for c in m.components})
    save(root, data)


def next_hint_level(root: Path, component: str, hints: int) -> int:
    """Show one more hint than last time (up to all of them); remember it."""
    data = load(root)
    level = min(data["hints"].get(component, 0) + 1, hints)
    data["hints"][component] = level
    save(root, data)
    return level


def reset_hints(root: Path, component: str) -> None:
    data = load(root)
    data["hints"].pop(component, None)
    save(root, data)


def forget(root: Path, component: str) -> None:
    """After `grade reset`: the component is a stub again, and its hints start over."""
    data = load(root)
    module = component.split(".", 1)[0]
    components = data["modules"].get(module, {}).get("components", {})
    if component in components:
        components[component] = "todo"
    data["hints"].pop(component, None)
    save(root, data)
