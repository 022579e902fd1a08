"""`grade handout DEST`: the repository students start from.

It holds the stubs (`exercises/`, generated from the solutions), the notebooks, a README for
students, a .gitignore, a marker that makes `grade` find it, and (optionally) the GitHub
workflow. It never holds `solutions/`, the grader, its references or its hidden suites: it is
written from an allow-list of the kit's exercise files, not by copying the kit and deleting.
"""
from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

from grader.engine import manifest
from grader.engine.submission.handed_in import HANDOUT_MARKER

DEFAULT_KIT_SPEC = "zero-to-hero-grader @ git+https://github.com/YOUR-ORG/zero-to-hero-kit.git@v0.1.0"
GITIGNORE = """\
__pycache__/
*.py[cod]
.venv/
.ipynb_checkpoints/
# What `grade` remembers of your progress, and the names data set (downloaded, never committed).
.grade/
data/names.txt
"""


class HandoutError(Exception):
    """The hand-out cannot be written: the message says why."""


def kit_exercises() -> Path:
    folder = Path(__file__).resolve().parents[2] / "exercises"
    if not (folder / "micrograd").is_dir():
        raise HandoutError("grade handout works in a checkout of the kit (its exercises/ folder is not installed "
                           "with the package)")
    return folder


def exercise_files(modules: list[str]) -> list[str]:
    """Paths relative to exercises/: each module's files, their packages' __init__.py, its notebook."""
    files: set[str] = set()
    for name in modules:
        for c in manifest.load()[name].components:
            files.add(c.file)
            files.add(str(Path(c.file).parent / "__init__.py"))
        files.add(f"notebooks/{name}.ipynb")
    return sorted(files)


def _template(name: str) -> str:
    return resources.files("grader").joinpath("instructor", "templates", name).read_text(encoding="utf-8")


def _readme(modules: list[str], kit_spec: str, workflow: bool) -> str:
    rows = []
    for name in modules:
        module = manifest.load()[name]
        files = sorted({c.file for c in module.components})
        rows.append(f"| `{name}` | {module.lecture or module.title} | "
                    + " ".join(f"`exercises/{f}`" for f in files) + f" (or `exercises/notebooks/{name}.ipynb`) |")
    first = modules[0]
    text = (_template("handout-README.md")
            .replace("__MODULE_ROWS__", "\n".join(rows))
            .replace("__KIT_SPEC__", kit_spec)
            .replace("__FIRST_MODULE__", first)
            .replace("__GRADE_TARGET__", first if len(modules) == 1 else "all"))
    ci = ("Every push to GitHub is graded by the workflow in `.github/workflows/grade.yml`: its job summary "
          "shows the same table, and GitHub Classroom records the points.") if workflow else ""
    return text.replace("__CI__", ci)


def workflow_text(modules: list[str], kit_spec: str) -> str:
    target = modules[0] if len(modules) == 1 else "all"
    text = _template("github-workflow.yml")
    text, n = re.subn(r'(?m)^(\s*MODULE:\s*)"[^"]*"', rf'\g<1>"{target}"', text, count=1)
    if n != 1:
        raise HandoutError("the workflow template has no MODULE line to set")
    return re.sub(r'(?m)^(\s*KIT_SPEC:\s*)"[^"]*"', lambda m: f'{m.group(1)}"{kit_spec}"', text, count=1)


def write_handout(dest: Path, modules: list[str], workflow: bool = False, kit_spec: str | None = None) -> list[Path]:
    """Write the hand-out into `dest` (absent or empty); returns the files written."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise HandoutError(f"{dest} is not an empty folder: the hand-out is written only into a new or empty one")
    if len(modules) > 1 and set(modules) != set(manifest.module_names()):
        raise HandoutError("hand out one module, or all of them (the workflow grades `grade MODULE` or `grade all`)")
    modules = [m for m in manifest.module_names() if m in modules]
    source = kit_exercises()
    kit_spec = kit_spec or DEFAULT_KIT_SPEC
    written: list[Path] = []

    def write(rel: str, text: str) -> None:
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for rel in exercise_files(modules):
        target = dest / "exercises" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target)
        written.append(target)
    write("README.md", _readme(modules, kit_spec, workflow))
    write(".gitignore", GITIGNORE)
    write(HANDOUT_MARKER, "# A Zero to Hero hand-out: `grade` grades the exercises/ folder next to this file.\n"
                          f"modules = {modules!r}\n".replace("'", '"'))
    if workflow:
        write(".github/workflows/grade.yml", workflow_text(modules, kit_spec))
    return written
