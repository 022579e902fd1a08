"""The class report's numbers, as plain data (what `--json` writes and the page shows)."""
from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict

from grader.instructor.report.load import Submission, component_order

STATUSES = ("passed", "failed", "error", "timeout", "crashed", "todo")
NOT_A_MISTAKE = ("passed", "todo", "missing")
# "Extreme" use of time or memory: more than twice the class median and clearly above it.
EXTREME_FACTOR = 2.0
EXTREME_MARGIN = {"seconds": 5.0, "memory_mb": 200.0}
TOP_MISTAKES = 5


def _summary(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "mean": round(statistics.fmean(values), 3), "median": statistics.median(values),
            "min": min(values), "max": max(values)}


def _message_key(message: str) -> str:
    # Without a named mistake, the same mistake still gives the same message up to its numbers.
    return re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", message.strip())[:200] or "(no message)"


def mistakes(graded: list[Submission], component: str) -> list[dict]:
    groups: dict[tuple, list[str]] = defaultdict(list)
    labels: dict[tuple, dict] = {}
    for s in graded:
        c = s.components.get(component)
        if not c or c.get("status") in NOT_A_MISTAKE:
            continue
        m = c.get("mistake")
        if isinstance(m, dict) and m.get("id"):
            key = ("mistake", str(m["id"]))
            labels.setdefault(key, {"id": str(m["id"]), "name": str(m.get("name") or m["id"]), "named": True})
        else:
            key = ("message", c.get("status", ""), _message_key(str(c.get("message", ""))))
            labels.setdefault(key, {"id": None, "name": f"{c.get('status')}: {c.get('message') or '(no message)'}"[:300],
                                    "named": False})
        groups[key].append(s.name)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), labels[kv[0]]["name"]))
    return [{**labels[key], "count": len(names), "submissions": names} for key, names in ranked[:TOP_MISTAKES]]


def _extremes(graded: list[Submission]) -> dict:
    out: dict = {}
    flagged: dict[str, dict] = {}
    for field in ("seconds", "memory_mb"):
        values = [getattr(s, field) for s in graded if getattr(s, field) is not None]
        out[f"median_{field}"] = statistics.median(values) if values else None
        out[f"recorded_{field}"] = len(values)
        if not values:
            continue
        median = statistics.median(values)
        limit = max(EXTREME_FACTOR * median, median + EXTREME_MARGIN[field])
        for s in graded:
            value = getattr(s, field)
            if value is not None and value > limit:
                entry = flagged.setdefault(s.name, {"submission": s.name, "seconds": s.seconds,
                                                    "memory_mb": s.memory_mb, "why": []})
                entry["why"].append(f"{field.replace('_mb', ' (MB)')} {value:.4g} > {limit:.4g}")
    out["points"] = [{"submission": s.name, "seconds": s.seconds, "memory_mb": s.memory_mb}
                     for s in graded if s.seconds is not None]
    out["extreme"] = sorted(flagged.values(), key=lambda e: -(e["seconds"] or 0))
    out["rule"] = (f"more than {EXTREME_FACTOR:g}x the class median and more than "
                   f"{EXTREME_MARGIN['seconds']:g} s / {EXTREME_MARGIN['memory_mb']:g} MB above it")
    return out


def class_numbers(submissions: list[Submission]) -> dict:
    graded = [s for s in submissions if s.graded]
    components = component_order(submissions)
    max_core = float(sum(c.points for c in components if not c.bonus))
    per_component = []
    for c in components:
        counts = Counter(s.status(c.id) for s in graded)
        passed = counts.get("passed", 0)
        per_component.append({
            "id": c.id, "title": c.title, "bonus": c.bonus,
            "counts": {status: counts.get(status, 0) for status in STATUSES},
            "pass_rate": round(passed / len(graded), 4) if graded else 0.0,
            "mistakes": mistakes(graded, c.id),
        })
    todo = [{"submission": s.name, "components": [c.id for c in components if s.status(c.id) == "todo"]}
            for s in graded]
    todo = sorted((t for t in todo if t["components"]), key=lambda t: (-len(t["components"]), t["submission"]))
    return {
        "version": 1,
        "submissions": len(submissions),
        "graded": len(graded),
        "not_graded": [{"submission": s.name, "path": s.path, "error": s.error or "no components in the result"}
                       for s in submissions if not s.graded],
        "max_score": max_core,
        "scores": [{"submission": s.name, "path": s.path, "core": s.core, "bonus": s.bonus} for s in graded],
        "core_summary": _summary([s.core for s in graded]),
        "components": per_component,
        "todo": todo,
        "resources": _extremes(graded),
    }
