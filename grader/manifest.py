"""Reads the manifest: the modules and components the grader scores, as data.

One TOML file per module in `manifest_data/`; `MODULE_ORDER` is the lectures' order."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MANIFEST_DIR = Path(__file__).with_name("manifest_data")
MODULE_ORDER = ("micrograd", "bigram", "mlp", "batchnorm")


@dataclass(frozen=True)
class Component:
    id: str
    title: str
    file: str  # relative to exercises/, e.g. "micrograd/engine.py"
    symbol: str  # what to open in that file
    points: float
    hints: tuple[str, ...]
    bonus: bool = False


@dataclass(frozen=True)
class Module:
    name: str
    title: str
    lecture: str
    suite: str  # folder under grader/suites
    worker: str  # "pure" (no torch in the worker) or "torch" (torch pre-imported)
    components: tuple[Component, ...]

    def component(self, component_id: str) -> Component:
        for c in self.components:
            if c.id == component_id:
                return c
        raise KeyError(component_id)


def _module(raw: dict) -> Module:
    m = raw["module"]
    comps = tuple(
        Component(
            id=c["id"],
            title=c["title"],
            file=c["file"],
            symbol=c["symbol"],
            points=float(c.get("points", 1)),
            hints=tuple(c.get("hints", ())),
            bonus=bool(c.get("bonus", False)),
        )
        for c in raw["components"]
    )
    return Module(m["name"], m["title"], m.get("lecture", ""), m["suite"], m["worker"], comps)


@lru_cache(maxsize=None)
def load(folder: Path = MANIFEST_DIR) -> dict[str, Module]:
    """Every module the kit has, in the lectures' order."""
    modules = {}
    for name in MODULE_ORDER:
        path = folder / f"{name}.toml"
        if path.is_file():
            modules[name] = _module(tomllib.loads(path.read_text(encoding="utf-8")))
    return modules


def module_names() -> list[str]:
    return list(load())


def find_component(component_id: str) -> tuple[Module, Component]:
    module = load()[component_id.split(".", 1)[0]]
    return module, module.component(component_id)


def select_modules(values=()) -> list[str]:
    """The modules an assignment covers, in the lectures' order: `--module` values, each a name,
    a comma-separated list or `all`; none given means every module. Unknown names: ValueError."""
    names = [n.strip() for v in values for n in str(v).split(",") if n.strip()]
    if not names or "all" in names:
        return module_names()
    unknown = [n for n in names if n not in load()]
    if unknown:
        raise ValueError(f"unknown module(s): {', '.join(unknown)} (the kit's modules: {', '.join(module_names())})")
    return [n for n in module_names() if n in names]
