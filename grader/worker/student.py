"""Worker side: importing the submission, with reference modules standing in where asked.

`Student.load("micrograd.nn", reference={"micrograd.engine": "grader.references.micrograd"})`
imports the student's nn.py while `from micrograd.engine import Value` inside it gets the
grader's reference engine: that is how a component is judged on its own code only.

The student's package `__init__.py` is never run: the package object is made here, so a
broken `__init__` cannot take down every component.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import traceback
from pathlib import Path


class ForbiddenImport(ImportError):
    pass


class ImportGuard(importlib.abc.MetaPathFinder):
    """Refuses some top-level packages (torch and numpy in micrograd), naming the importer."""

    def __init__(self, forbidden: tuple[str, ...], exercises: Path):
        self.forbidden = forbidden
        self.exercises = str(exercises)

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".", 1)[0]
        if top not in self.forbidden:
            return None
        where = _student_frame(self.exercises)
        place = f" (imported at {where})" if where else ""
        raise ForbiddenImport(
            f"`import {top}` is not allowed here{place}: micrograd must be pure Python, "
            "using only `math` and `random`, so that every derivative is yours"
        )


def _student_frame(exercises: str) -> str:
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(exercises):
            return f"{Path(filename).relative_to(exercises)} line {frame.f_lineno}"
        frame = frame.f_back
    return ""


class LoadFailure(Exception):
    """Re-raised on every later load of a module that failed once in this worker."""

    def __init__(self, original: BaseException):
        super().__init__(str(original))
        self.original = original


class Student:
    def __init__(self, exercises: Path, forbidden: tuple[str, ...] = ()):
        self.exercises = exercises.resolve()
        self._cache: dict[tuple, object] = {}
        if forbidden:
            sys.meta_path.insert(0, ImportGuard(forbidden, self.exercises))

    def load(self, name: str, reference: dict[str, str] | None = None):
        reference = reference or {}
        key = (name, tuple(sorted(reference.items())))
        cached = self._cache.get(key)
        if cached is None:
            try:
                cached = self._import(name, reference)
            except BaseException as exc:  # noqa: BLE001 - SystemExit at import is the student's too
                cached = LoadFailure(exc)
            self._cache[key] = cached
        if isinstance(cached, LoadFailure):
            raise cached.original
        return cached

    def _import(self, name: str, reference: dict[str, str]):
        package = name.split(".", 1)[0]
        for mod in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[mod]
        folder = self.exercises / package
        if not folder.is_dir():
            raise FileNotFoundError(f"no folder exercises/{package}/ in the submission")
        spec = importlib.machinery.ModuleSpec(package, None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
        pkg = importlib.util.module_from_spec(spec)
        sys.modules[package] = pkg
        for stand_in, ref_name in reference.items():
            ref = importlib.import_module(ref_name)
            sys.modules[stand_in] = ref
            setattr(pkg, stand_in.rsplit(".", 1)[1], ref)
        if not (folder / (name.split(".", 1)[1].replace(".", "/") + ".py")).is_file():
            raise FileNotFoundError(f"no file exercises/{name.replace('.', '/')}.py in the submission")
        return importlib.import_module(name)


def describe_exception(exc: BaseException, exercises: Path) -> dict:
    """The student-facing account of an exception: type, message, and where in *their* files."""
    root = str(exercises.resolve())
    frames = []
    for fs in traceback.extract_tb(exc.__traceback__):
        if fs.filename.startswith(root):
            rel = str(Path(fs.filename).relative_to(root))
            frames.append({"file": rel, "line": fs.lineno, "function": fs.name, "code": fs.line or ""})
    if isinstance(exc, SyntaxError) and exc.filename and str(exc.filename).startswith(root):
        rel = str(Path(exc.filename).relative_to(root))
        frames.append({"file": rel, "line": exc.lineno, "function": "<module>", "code": (exc.text or "").strip()})
    message = str(exc)
    if isinstance(exc, SyntaxError):
        message = exc.msg
    return {
        "type": type(exc).__name__,
        "message": message[:2000],
        "frames": frames[-6:],
        "todo": isinstance(exc, NotImplementedError),
        "forbidden_import": isinstance(exc, ForbiddenImport),
    }
