"""`grade gradescope-bundle`: the zip Gradescope's autograder wants (setup.sh, run_autograder)
with this kit inside, so every submission is graded by exactly the version it was built from."""
from __future__ import annotations

import zipfile
from importlib import resources
from pathlib import Path

from grader.engine.names_data import names_path

KIT_FILES = ("pyproject.toml", "README.md")
SKIP = {"__pycache__", ".pytest_cache"}


def _kit_root() -> Path:
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise FileNotFoundError("the bundle is built from a checkout of the kit (no pyproject.toml next to grader/)")
    return root


def _template(name: str) -> str:
    return resources.files("grader").joinpath("instructor", "templates", name).read_text(encoding="utf-8")


def build_bundle(out: Path, torch_version: str = "2.13.0", grade_options: str = "") -> Path:
    root = _kit_root()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in (("setup.sh", _template("setup.sh").replace("__TORCH_VERSION__", torch_version)),
                           ("run_autograder", _template("run_autograder").replace("__GRADE_OPTIONS__", grade_options))):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16  # executable, as Gradescope requires
            bundle.writestr(info, text)
        for rel in KIT_FILES:
            bundle.write(root / rel, f"kit/{rel}")
        for path in sorted((root / "grader").rglob("*")):
            if path.is_file() and not SKIP & set(path.parts) and path.suffix != ".pyc":
                bundle.write(path, f"kit/{path.relative_to(root)}")
        if names_path().is_file():
            bundle.write(names_path(), "names.txt")  # no download on Gradescope's machines
    return out
