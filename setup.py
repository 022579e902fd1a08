"""Everything else is in pyproject.toml; this only adds the learner's stubs to the package.

`grade init` writes a learner's workspace from a pip-only install, so the wheel must carry the
exercise stubs. They are generated here from `solutions/` (as `python -m grader.authoring.stubgen` makes
`exercises/`), never copied from `exercises/`, which a learner may have edited in their clone.
They land in `grader/kit_stubs/` inside the build (see grader/learner/workspace.py); the repository
never holds that folder.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _stubgen():
    # By path: the package is not importable while it is being built.
    spec = importlib.util.spec_from_file_location("_kit_stubgen", HERE / "grader" / "authoring" / "stubgen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildWithStubs(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's solutions/ directly
        solutions = HERE / "solutions"
        if not solutions.is_dir():
            raise SystemExit("building the kit needs its solutions/ folder: the stubs for `grade init` are made from it")
        target = Path(self.build_lib) / "grader" / "kit_stubs"
        for rel, text in _stubgen().generate(solutions).items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)


setup(cmdclass={"build_py": BuildWithStubs})
