"""Fixtures for testing the kit: grading a folder in-process, and making broken submissions."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.engine.judge.run import Options, grade, grade_module
from grader.engine.judge.servers import ServerPool
from grader.engine.model import ModuleResult, Status

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


def pytest_configure(config):
    # A test may import a hidden suite's module (its input generators): its checks' marker is known here too.
    config.addinivalue_line("markers", "component(id): the manifest component a hidden check belongs to")


def grade_folder(exercises: Path, module: str = "micrograd", seed: int = 1234, servers: ServerPool | None = None,
                 **options) -> ModuleResult:
    """`servers`: warm fork servers to grade with (the `warm_servers` fixture), as `grade batch` does."""
    if servers is not None:
        return grade([module], exercises, Options(seed=seed, **options), all_modules=False, forkserver=servers).modules[0]
    return grade_module(module, exercises, Options(seed=seed, **options))


@pytest.fixture(scope="session")
def warm_servers():
    """Fork servers kept warm from one grading to the next, as a batch judge keeps them: a torch
    module's grading then skips the server's start and torch's import, most of its time. Only in
    the sandbox (elsewhere each grading starts servers of its own, as `grade batch` does)."""
    pool = ServerPool()
    yield pool
    pool.close()


def statuses(result: ModuleResult) -> dict[str, Status]:
    return {c.id: c.status for c in result.components}


def not_passed(result: ModuleResult) -> dict[str, Status]:
    return {c.id: c.status for c in result.components if c.status is not Status.PASSED}


def by_id(result: ModuleResult, component: str):
    return next(c for c in result.components if c.id == component)


def make_submission(tmp_path: Path, edits: dict[str, list[tuple[str, str]]] | None = None,
                    files: dict[str, str] | None = None) -> Path:
    """A copy of the solutions with textual edits ({"micrograd/engine.py": [(old, new)]}) and
    whole files replaced or added ({"micrograd/nn.py": "..."}). Each edit must apply."""
    exercises = tmp_path / "student" / "exercises"
    shutil.copytree(SOLUTIONS, exercises, ignore=shutil.ignore_patterns("__pycache__"))
    for rel, pairs in (edits or {}).items():
        path = exercises / rel
        text = path.read_text()
        for old, new in pairs:
            assert old in text, f"edit does not apply to {rel}: {old!r}"
            text = text.replace(old, new, 1)
        path.write_text(text)
    for rel, text in (files or {}).items():
        (exercises / rel).write_text(text)
    return exercises


@pytest.fixture
def submission(tmp_path):
    return lambda edits=None, files=None: make_submission(tmp_path, edits, files)
