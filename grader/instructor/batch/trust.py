"""What the parent believes of a judge's reply: statuses, read against the manifest. Never scores.

Every score in a batch's outputs is computed here from a component's status and the manifest's
points, and every module and component of the assignment is present in the order the manifest
gives, whatever the reply holds: a missing component is an `error`, an unknown status is not
taken, extra ids are dropped, and the seed is the batch's own.
"""
from __future__ import annotations

from grader.engine import manifest
from grader.engine.model import ComponentResult, ModuleResult, RunResult, Status

TEXT_CAP = 20_000  # characters of any one message, hint or output kept from a reply
STATUSES = {s.value: s for s in Status}


class BadReply(Exception):
    """The reply is not a result of these modules at all."""


def _text(value, cap: int = TEXT_CAP) -> str:
    return value[:cap] if isinstance(value, str) else ""


def _mistake(value):
    if isinstance(value, dict) and isinstance(value.get("id"), str) and isinstance(value.get("name"), str):
        return {"id": value["id"][:200], "name": value["name"][:500]}
    return None


def trusted_result(data, modules: list[str], seed: int, internal=()) -> RunResult:
    if not isinstance(data, dict) or not isinstance(data.get("modules"), list):
        raise BadReply("the reply holds no modules")
    given = {m.get("module"): m for m in data["modules"] if isinstance(m, dict)}
    internal = set(internal) if isinstance(internal, list) else set()
    results = []
    for name in modules:
        spec = manifest.load()[name]
        raw = given.get(name)
        if raw is None or not isinstance(raw.get("components"), list):
            raise BadReply(f"the reply has no result for module {name}")
        comps = {c.get("id"): c for c in raw["components"] if isinstance(c, dict)}
        components = []
        for comp in spec.components:
            c = comps.get(comp.id)
            status = STATUSES.get(c.get("status")) if c else None
            if status is None:
                components.append(ComponentResult(comp.id, comp.title, Status.ERROR, comp.points, bonus=comp.bonus,
                                                  message="internal error in the grader: no valid result for "
                                                          "this component came back from the judge",
                                                  internal=True))
                continue
            components.append(ComponentResult(
                comp.id, comp.title, status, comp.points, message=_text(c.get("message")), hint=_text(c.get("hint")),
                bonus=comp.bonus, output=_text(c.get("output")), mistake=_mistake(c.get("mistake")),
                internal=comp.id in internal))
        source = raw.get("source") if isinstance(raw.get("source"), dict) else None
        isolation = raw.get("isolation") if isinstance(raw.get("isolation"), str) else None
        results.append(ModuleResult(name, spec.title, components, seed, source=source, isolation=isolation))
    return RunResult(results, seed, all_modules=True)


def failed_result(modules: list[str], seed: int, status: str, message: str) -> RunResult:
    """Every component of the assignment with one status (a judge that timed out or died)."""
    results = []
    for name in modules:
        spec = manifest.load()[name]
        results.append(ModuleResult(name, spec.title, [
            ComponentResult(c.id, c.title, STATUSES[status], c.points, message=message, bonus=c.bonus)
            for c in spec.components], seed))
    return RunResult(results, seed, all_modules=True)
