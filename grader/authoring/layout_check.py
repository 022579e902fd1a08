"""Three rules of the kit's layout, checked by `grade dev check` (grader/authoring/devcheck.py):

- Suites reach the engine through grader.checks only. A suite importing grader.engine.judge.* or
  grader.engine.worker.* directly ties a module's checks to the engine's files, which then cannot move.
- Imports point inward: grader/engine, grader/suites, grader/probes, grader/references and
  grader/shared never import an audience's folder (grader.learner, grader.instructor,
  grader.authoring). The audiences use the engine; if the engine used one of them, a change to a
  command could change a grade, and the engine could not be read (or shipped) on its own.
- No file of the kit is past about 300 lines unless it is one algorithm, listed below with why.

An import is any `import`/`from ... import` statement, at the top or inside a function (a lazy
import is still a dependency), relative ones resolved, and `importlib.import_module("...")` or
`__import__("...")` of a constant name.
"""
from __future__ import annotations

import ast
from pathlib import Path

GRADER = Path(__file__).resolve().parent.parent  # the grader package
MAX_LINES = 300
ENGINE_PACKAGES = ("grader.engine.judge", "grader.engine.worker")  # what suites reach only through grader.checks
AUDIENCES = ("grader.learner", "grader.instructor", "grader.authoring")  # the commands and tools of each audience
INWARD = ("engine", "suites", "probes", "references", "shared")  # the folders of grader/ that never import them

# Files allowed past MAX_LINES, each with its reason. Keep this short: a file lands here only when
# splitting it would cut one algorithm in two.
LONG_FILES: dict[str, str] = {
    # One class, the judge's handle on a worker: its lifecycle and its calls. The failure text is
    # failures.py, copying the submission copying.py, the uid policy launch.py.
    "engine/worker/client.py": "one class: a worker's lifecycle and calls",
}


def imports(path: Path, packages: tuple[str, ...], root: Path | None = None) -> list[tuple[int, str]]:
    """(line, module) for each import in `path` of one of `packages` (or a module inside one),
    wherever it is (a function's own import included). `root` is the folder holding grader/, to
    resolve relative imports (default: the one above this package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = list(path.resolve().relative_to((root or GRADER.parent).resolve()).parts[:-1])
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            modules = [base] + [f"{base}.{alias.name}" for alias in node.names]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in
              ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            modules = [node.args[0].value]
        else:
            continue
        hits = [m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)]
        if hits:
            found.append((node.lineno, hits[0]))
    return sorted(found)


def engine_imports(path: Path) -> list[tuple[int, str]]:
    return imports(path, ENGINE_PACKAGES)


def check_suite_imports(suites: Path = GRADER / "suites") -> list[str]:
    return [f"{path.relative_to(suites.parent.parent).as_posix()} line {line} imports {module}: suites import "
            f"the engine from grader.checks only"
            for path in sorted(suites.rglob("*.py")) for line, module in engine_imports(path)]


def check_inward_imports(grader: Path = GRADER) -> list[str]:
    """Every import of an audience's folder from the engine, the suites, the probes, the
    references or grader/shared."""
    problems = []
    for folder in INWARD:
        for path in sorted((grader / folder).rglob("*.py")):
            for line, module in imports(path, AUDIENCES, grader.parent):
                problems.append(f"grader/{path.relative_to(grader).as_posix()} line {line} imports {module}: "
                                f"grader/{folder}/ never imports {', '.join(AUDIENCES)} (imports point inward)")
    return problems


def check_file_sizes(grader: Path = GRADER, allowed: dict[str, str] | None = None,
                     limit: int = MAX_LINES) -> list[str]:
    allowed = LONG_FILES if allowed is None else allowed
    problems = []
    for path in sorted(grader.rglob("*.py")):
        rel = path.relative_to(grader).as_posix()
        lines = len(path.read_text().splitlines())
        if lines > limit and rel not in allowed:
            problems.append(f"grader/{rel} has {lines} lines (more than {limit}): split it along its concerns, "
                            f"or list it in grader/authoring/layout_check.py LONG_FILES with why it is one algorithm")
    for rel in sorted(set(allowed) - {p.relative_to(grader).as_posix() for p in grader.rglob("*.py")}):
        problems.append(f"grader/authoring/layout_check.py LONG_FILES lists grader/{rel}, which does not exist")
    return problems
