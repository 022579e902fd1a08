"""`grade dev check`: does every place that says what a module is agree? (rustlings' `dev check`)

A module is its manifest (grader/engine/manifest_data/<name>.toml) plus what hangs off it: the solution
file with its markers, the stub made from it, the hidden suite's checks, the references'
`__owners__`, the mutants, the notebook. This reads them all and lists every disagreement, so a new
module (or a renamed component) cannot be half-wired: a check of an unknown component, a symbol
the solution does not define, a component no check looks at, a stub out of date. `--grade` also
grades the solutions (everything must pass) and the stubs (everything must be `todo`). The layout's
rules (suites import the engine from grader.checks only; the engine, suites, probes, references
and grader/shared never import an audience's folder; no file past 300 lines unless allowed) are
grader/authoring/layout_check.py's.

    python -m grader.authoring.devcheck [--grade]      (also: grade dev check)
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from grader.engine import manifest
from grader.authoring import layout_check

GRADER = Path(__file__).resolve().parent.parent  # the grader package
ROOT = GRADER.parent
MARKER = re.compile(r"#\s*BEGIN SOLUTION\s+([\w.]+)")
RECIPES = ROOT / "docs" / "architecture.md"


def _definitions(path: Path) -> set[str]:
    """Top-level functions and classes of a file, and `Class.method` for their methods."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(f"{node.name}.{item.name}")
                elif isinstance(item, ast.Assign):  # __radd__ = __add__
                    names.update(f"{node.name}.{t.id}" for t in item.targets if isinstance(t, ast.Name))
    return names


def check_module(module: manifest.Module, root: Path = ROOT, grader: Path = GRADER,
                 collected: dict | None = None) -> list[str]:
    """What disagrees about `module`. `collected` is `collect_suites(grader / "suites")` when
    many modules are checked (one pytest collection for all of them); else its suite is collected."""
    problems = []
    ids = [c.id for c in module.components]
    if len(set(ids)) != len(ids):
        problems.append(f"{module.name}: a component id appears twice in its manifest")
    for c in module.components:
        if not c.id.startswith(module.name + "."):
            problems.append(f"{c.id}: ids of module {module.name} start with '{module.name}.'")
    for c in [c for c in module.components if c.share and (c.bonus or c.share not in module.groups())]:
        problems.append(f"{c.id}: share = {c.share!r} needs another member, and no bonus (skipped, it regrades the group)")
    graded = {c.file for c in module.components}
    for rel in module.file_order:
        if rel not in graded:
            problems.append(f"{module.name}: its manifest's files name {rel}, which no component grades")
    suite = grader / "suites" / module.suite
    if not suite.is_dir():
        problems.append(f"{module.name}: no suite folder grader/suites/{module.suite}/")
    if collected is None:
        collected = collect_suites(suite.parent, module.suite) if suite.is_dir() else {}
    checked, broken = collected.get(module.suite, ({}, []))
    problems += [f"{where}: pytest cannot collect it ({why})" for where, why in broken]
    for found, where in checked.items():
        if found not in ids:
            problems.append(f"{where}: a check of {found}, which the manifest does not have")
    for c in module.components:
        if c.id not in checked:
            problems.append(f"{c.id}: no check in grader/suites/{module.suite}/ looks at it")
    if not (grader / "probes" / f"{module.name}.py").is_file():
        problems.append(f"{module.name}: no probes file grader/probes/{module.name}.py")
    solutions = root / "solutions"
    if solutions.is_dir():
        marked = set()
        for c in module.components:
            path = solutions / c.file
            if not path.is_file():
                problems.append(f"{c.id}: its file solutions/{c.file} does not exist")
                continue
            defined = _definitions(path)
            for symbol in (c.symbol, *c.owns):
                if symbol not in defined:
                    problems.append(f"{c.id}: solutions/{c.file} defines no {symbol}")
            marked |= set(MARKER.findall(path.read_text(encoding="utf-8")))
        for found in marked:
            if found.split(":")[0].rstrip(":") not in ids and found.split(".")[0] == module.name:
                problems.append(f"{module.name}: a solution marker for {found}, which the manifest does not have")
        marked = {m.rstrip(":") for m in marked}
        for c in module.components:
            # A component may share another's code (deep_graphs is backward() on a deep graph).
            shares = any(o.id in marked and o.file == c.file and o.symbol == c.symbol for o in module.components)
            if c.id not in marked and not shares:
                problems.append(f"{c.id}: no '# BEGIN SOLUTION {c.id}' marker in its solution file")
    return problems


def collect_suites(suites: Path, only: str | None = None) -> dict[str, tuple[dict[str, str], list[tuple[str, str]]]]:
    """Per suite folder of `suites` (or only the suite `only`), as pytest collects it: component id
    -> the first check that names it, and the files pytest could not collect (a suite that does
    not import), each with the error's last line."""
    import pytest

    found: dict[str, tuple[dict[str, str], list[tuple[str, str]]]] = {}

    def of(nodeid: str):
        return found.setdefault(nodeid.split("/", 1)[0], ({}, []))

    class Collector:
        def pytest_configure(self, config):
            config.addinivalue_line("markers", "component(id): the manifest component a check belongs to")

        def pytest_collectreport(self, report):
            if report.failed:
                lines = str(report.longrepr).strip().splitlines() or ["?"]
                of(report.nodeid)[1].append((f"grader/suites/{report.nodeid}", lines[-1].strip().removeprefix("E").strip()))

        def pytest_collection_modifyitems(self, items):
            for item in items:
                mark = item.get_closest_marker("component")
                if mark:
                    of(item.nodeid)[0].setdefault(mark.args[0], item.nodeid)

    pytest.main([str(suites / only if only else suites), "-c", str(suites / "pytest.ini"), "--rootdir", str(suites),
                 "--collect-only", "--import-mode=importlib", "-p", "no:cacheprovider", "-p", "no:terminal",
                 # No assertion rewriting (the grading has none either): it would leave pytest's own
                 # bytecode in the kit's __pycache__, which a grading in the next second, without a
                 # sandbox, takes for bytecode planted by a student (kit_guard.foreign_bytecode).
                 "--assert=plain", "-W", "ignore"], plugins=[Collector()])
    return found


def check_references(grader: Path = GRADER) -> list[str]:
    from grader.engine.worker import standins

    known = {c.id for m in manifest.load().values() for c in m.components}
    problems = []
    for path in sorted((grader / "references").glob("*.py")):
        if path.name == "__init__.py":
            continue
        owners = standins.owners(path.stem)
        defined = {n.name for n in ast.parse(path.read_text(encoding="utf-8")).body
                   if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        if not owners:
            problems.append(f"grader/references/{path.name}: no __owners__ (which components does it answer?)")
        for name, comps in owners.items():
            if name not in defined:
                problems.append(f"grader/references/{path.name}: __owners__ names {name}, which it does not define")
            for comp in comps:
                if comp not in known:
                    problems.append(f"grader/references/{path.name}: __owners__ names {comp}, not a component")
    for module in manifest.load().values():
        for name in module.references:
            if not (grader / "references" / f"{name}.py").is_file():
                problems.append(f"{module.name}: its manifest names grader/references/{name}.py, which is missing")
    return problems


def check_generated(root: Path = ROOT) -> list[str]:
    """The stubs and notebooks are what the solutions make."""
    if not (root / "solutions").is_dir():
        return []
    from grader.authoring import notebook_build, stubgen

    problems = [f"exercises/{rel}: {why} (run python -m grader.authoring.stubgen)"
                for why, rel in stubgen.check(root / "solutions", root / "exercises")]
    problems += [f"{p} (run python -m grader.authoring.notebook_build)" for p in notebook_build.check_notebooks(root)]
    return problems


def check_mutants(root: Path = ROOT) -> list[str]:
    """Every mutant in tests/mutants names components that exist."""
    folder = root / "tests" / "mutants"
    if not folder.is_dir():
        return []
    known = {c.id for m in manifest.load().values() for c in m.components}
    problems = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"[a-z]+\.[a-z_0-9]+", node.value):
                top = node.value.split(".")[0]
                if top in manifest.load() and node.value not in known:
                    problems.append(f"{path.relative_to(root)}: names {node.value}, not a component")
    return problems


def mutants_of(path: Path) -> dict[str, set[str]]:
    """name -> the components it must fail, for each `Mutant(name, edits, fails, ...)` in a file."""
    found = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Mutant" and len(node.args) >= 3:
            name, fails = node.args[0], node.args[2]
            if isinstance(name, ast.Constant) and isinstance(fails, ast.Set):
                found[name.value] = {e.value for e in fails.elts if isinstance(e, ast.Constant)}
    return found


def check_mistakes(tables: dict, mutants: dict[str, dict[str, set[str]]]) -> list[str]:
    """Every classic mistake (grader/suites/<module>/mistakes.py) has an id of its own and names a
    mutant, which exists in tests/mutants/<module>.py and fails the mistake's component: a mistake
    no learner's edit is shown to make is a guess (tests/test_module_suites.py grades each mutant
    and holds the result to naming the entry)."""
    problems, seen = [], {}
    for module, table in tables.items():
        for classic in table.classics():
            if classic.id in seen:
                problems.append(f"{module}: the mistake id {classic.id} is used twice (also in {seen[classic.id]})")
            seen[classic.id] = module
            if not classic.id.startswith(module + "."):
                problems.append(f"{classic.id}: ids of module {module}'s mistakes start with '{module}.'")
            if classic.mutant is None:
                problems.append(f"{classic.id}: names no mutant in tests/mutants/{module}.py")
                continue
            fails = mutants.get(module, {}).get(classic.mutant)
            if fails is None:
                problems.append(f"{classic.id}: names the mutant {classic.mutant}, not in tests/mutants/{module}.py")
            elif not fails & set(table.components(classic)):
                problems.append(f"{classic.id}: its mutant {classic.mutant} does not fail {', '.join(table.components(classic))}")
    return problems


def _mistake_tables(root: Path) -> tuple[dict, dict]:
    import importlib

    tables = {}
    for name in manifest.load():
        if (GRADER / "suites" / name / "mistakes.py").is_file():
            tables[name] = importlib.import_module(f"grader.suites.{name}.mistakes").MISTAKES
    folder = root / "tests" / "mutants"
    mutants = {p.stem: mutants_of(p) for p in folder.glob("*.py")} if folder.is_dir() else {}
    return tables, mutants


def check_recipes(root: Path = ROOT) -> list[str]:
    """Every file docs/architecture.md tells a newcomer to touch exists."""
    if not RECIPES.is_file():
        return ["docs/architecture.md is missing"]
    problems = []
    for rel in re.findall(r"`((?:grader|tests|docs|solutions|exercises|bench)/[\w./<>-]+)`", RECIPES.read_text()):
        pattern = re.sub(r"<\w+>", "*", rel)  # a placeholder: some module (or format) must have it
        if not any(root.glob(pattern)):
            problems.append(f"docs/architecture.md names {rel}, which does not exist")
    return problems


def grade_check() -> list[str]:
    """The solutions pass every component and the stubs are `todo` everywhere."""
    from grader.engine import session
    from grader.engine.judge.run import grade

    names = manifest.module_names()
    problems = []
    for folder, want in ((ROOT / "solutions", "passed"), (ROOT / "exercises", "todo")):
        if not folder.is_dir():
            continue
        result = grade(names, folder, session.options(seed=1), all_modules=True)
        for m in result.modules:
            for c in m.components:
                if c.status.value != want:
                    problems.append(f"{folder.name}: {c.id} is {c.status.value}, not {want} ({c.message[:120]})")
    return problems


def run(grade: bool = False, root: Path = ROOT) -> list[str]:
    problems = []
    collected = collect_suites(GRADER / "suites")  # every suite in one pytest collection
    for module in manifest.load().values():
        problems += check_module(module, root, collected=collected)
    problems += check_references()
    problems += check_generated(root)
    problems += check_mutants(root)
    if (root / "tests" / "mutants").is_dir():  # an installed kit has no tests/ to hold its tables to
        problems += check_mistakes(*_mistake_tables(root))
    problems += check_recipes(root)
    problems += layout_check.check_suite_imports() + layout_check.check_inward_imports() + layout_check.check_file_sizes()
    if grade:
        problems += grade_check()
    return problems


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m grader.authoring.devcheck", description=__doc__.splitlines()[0])
    parser.add_argument("--grade", action="store_true", help="also grade the solutions and the stubs")
    args = parser.parse_args(argv)
    problems = run(grade=args.grade)
    for line in problems:
        print(line)
    print(f"dev check: {len(problems)} problem(s)" if problems else "dev check: everything agrees")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
