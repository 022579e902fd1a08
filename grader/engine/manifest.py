"""Reads the manifest: the modules and components the grader scores, as data.

One TOML file per module in `manifest_data/`, the only place that says what a module is: its
components and their points, the files and symbols each grades, its suite and probes, the
references its workers may hold, and its place in the lectures' order (`order`). A new module is
a new TOML file (and the files it names); `grade dev check` says what is missing."""
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


@dataclass(frozen=True)
class Component:
    id: str
    title: str
    file: str  # relative to exercises/, e.g. "micrograd/engine.py"
    symbol: str  # what to open in that file
    points: float
    hints: tuple[str, ...]
    bonus: bool = False
    # What the component grades, in `file`: its functions, classes and methods ("Value.__add__").
    # Credit needs each of them to be the student's own code (SPEC §3, worker/provenance.py).
    owns: tuple[str, ...] = ()
    # Components of a module with the same `share` may be graded in one worker first, in a batch
    # (grader.engine.judge.run: a group that does not pass as a whole is graded again, one worker
    # per component). Empty: always a worker of its own.
    share: str = ""


@dataclass(frozen=True)
class Module:
    name: str
    title: str
    lecture: str
    suite: str  # folder under grader/suites
    worker: str  # "pure" (no torch in the worker) or "torch" (torch pre-imported)
    components: tuple[Component, ...]
    order: int = 0  # place in the lectures' order
    references: tuple[str, ...] = ()  # grader/references/<name>.py its workers get as stand-ins
    # The manifest's `files`: the module's files in the order they are read (SPEC §1), where that is
    # not the components' order (micrograd's checks start with gradcheck.py, its lectures with engine.py).
    file_order: tuple[str, ...] = ()

    @property
    def files(self) -> tuple[str, ...]:
        """The module's exercise files, relative to exercises/: `files` first, then every other
        file a component grades, in the components' order. A notebook has one section per file."""
        return tuple(dict.fromkeys(self.file_order + tuple(c.file for c in self.components)))

    def groups(self) -> dict[str, tuple[str, ...]]:
        """`share` name -> its components' ids, in the components' order (groups of two or more)."""
        found: dict[str, tuple[str, ...]] = {}
        for c in self.components:
            if c.share:
                found[c.share] = found.get(c.share, ()) + (c.id,)
        return {name: ids for name, ids in found.items() if len(ids) > 1}

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
            owns=tuple(c.get("owns", (c["symbol"],))),
            share=str(c.get("share", "")),
        )
        for c in raw["components"]
    )
    return Module(m["name"], m["title"], m.get("lecture", ""), m["suite"], m["worker"], comps,
                  int(m.get("order", 0)), tuple(m.get("references", ())), tuple(m.get("files", ())))


@lru_cache(maxsize=None)
def load(folder: Path = MANIFEST_DIR) -> dict[str, Module]:
    """Every module the kit has, in the lectures' order (each manifest's `order`)."""
    found = [_module(tomllib.loads(path.read_text(encoding="utf-8"))) for path in sorted(folder.glob("*.toml"))]
    return {m.name: m for m in sorted(found, key=lambda m: (m.order, m.name))}


def owners(module: str) -> dict[str, tuple[str, ...]]:
    """What each function, class or method of a module is graded by: name -> component ids, from
    the components' `owns`. The probes read it (the worker's bundle holds the manifest) to decide
    which of a student's definitions run and which the reference stands in for."""
    found: dict[str, tuple[str, ...]] = {}
    for c in load()[module].components:
        for name in c.owns:
            found[name] = found.get(name, ()) + (c.id,)
    return found


def module_names() -> list[str]:
    return list(load())


def exercise_packages() -> tuple[str, ...]:
    """The folders an exercises/ folder holds ("makemore", "micrograd"): the first part of every
    component's file, so a new module's package is known from its manifest alone."""
    return tuple(sorted({c.file.split("/", 1)[0] for m in load().values() for c in m.components if "/" in c.file}))


def find_component(component_id: str) -> tuple[Module, Component]:
    module = load()[component_id.split(".", 1)[0]]
    return module, module.component(component_id)


def tagged_title(component: Component) -> str:
    """The title, with " (bonus)" for a bonus component whose title does not say so already."""
    if not component.bonus or any(word in component.title.lower() for word in ("bonus", "stretch")):
        return component.title
    return f"{component.title} (bonus)"


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
