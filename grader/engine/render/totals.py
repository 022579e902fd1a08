"""Honest totals, said the same way in every format: core and bonus apart ("10/11 core, +1 bonus"),
so a bonus can never make a failing core component look like full marks."""
from __future__ import annotations


def totals(result) -> str:
    """For a ModuleResult or a RunResult."""
    text = f"{result.core_score:g}/{result.max_score:g} core"
    return text + (f", +{result.bonus_score:g} bonus" if result.has_bonus else "")


def core_not_passed(result) -> list[str]:
    """The ids of the core components that did not pass (what a bonus must never hide)."""
    modules = getattr(result, "modules", [result])
    return [c.id for m in modules for c in m.components if not c.bonus and c.status.value != "passed"]
