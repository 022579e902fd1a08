"""Worker side: importing the submission, with reference modules standing in where asked.

`Student.load("micrograd.nn", reference={"micrograd.engine": "grader.references.micrograd"})`
imports the student's nn.py while `from micrograd.engine import Value` inside it gets the
grader's reference engine: that is how a component is judged on its own code only.

The student's package `__init__.py` is never run: the package object is made here, so a
broken `__init__` cannot take down every component.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import traceback
from pathlib import Path


class ForbiddenImport(ImportError):
    pass


class KitImport(ForbiddenImport):
    """Student code importing the grader's or the kit's own packages (scored `failed`)."""


KIT_PACKAGES = ("grader", "solutions", "tests")  # never the student's to import


def kit_import_message(top: str, where: str) -> str:
    place = f" ({where})" if where else ""
    return (f"`import {top}`{place}: your code may not use the grader's or the kit's own code "
            "(a component earns points only for code you wrote)")


class ImportGuard(importlib.abc.MetaPathFinder):
    """Refuses some top-level packages (torch and numpy in micrograd), naming the importer; and
    the kit's own packages to student code, wherever it runs."""

    def __init__(self, forbidden: tuple[str, ...], exercises: Path):
        self.forbidden = forbidden
        self.exercises = str(exercises)

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".", 1)[0]
        if top in KIT_PACKAGES:
            where = _student_frame(self.exercises)
            if where:
                raise KitImport(kit_import_message(fullname, f"imported at {where}"))
            return None
        if top not in self.forbidden:
            return None
        where = _student_frame(self.exercises)
        place = f" (imported at {where})" if where else ""
        raise ForbiddenImport(
            f"`import {top}` is not allowed here{place}: micrograd must be pure Python, "
            "using only `math` and `random`, so that every derivative is yours"
        )


def kit_imports(path: Path, root: Path) -> str | None:
    """The first `import grader` (or solutions, tests) written in a student file, described."""
    import ast

    try:
        source = path.read_bytes()
        if not _may_name_the_kit(source):
            return None
        tree = ast.parse(source)
    except (SyntaxError, ValueError, OSError):
        return None  # importing it reports the syntax error itself
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        for name in names:
            if name.split(".", 1)[0] in KIT_PACKAGES:
                return kit_import_message(name, f"{path.relative_to(root)} line {node.lineno}")
    return None


# A kit package's name where an import statement can put a module name: after `import`, `from`
# or a comma, across spaces and backslash continuations. (A comma elsewhere only costs a parse.)
_KIT_NAME_AFTER_IMPORT = r"(?:\bimport|\bfrom|,)(?:\s|\\(?:\r\n|\r|\n))*(?:{})\b".format("|".join(KIT_PACKAGES))


def _may_name_the_kit(source: bytes) -> bool:
    """False only when no import in `source` can name a kit package, read as Python reads it
    (its declared encoding, NFKC-normalised: neither `# coding: utf-7` nor a full-width letter
    hides one). Parsing every file of theirs is ten times dearer, in every worker."""
    import io
    import re
    import tokenize
    import unicodedata

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        text = unicodedata.normalize("NFKC", source.decode(encoding))
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return True  # let the parser say what it makes of it
    return re.search(_KIT_NAME_AFTER_IMPORT, text) is not None


class StandIns:
    """The references this worker may hold (from the judge, as compiled code: see standins.py), as
    modules that student code cannot import by name: outside `exposed()` they are never in
    sys.modules (probes and stand-in packages keep their own references to them)."""

    def __init__(self, sources: dict[str, str] | None):
        self.sources = sources  # None: not in a worker (the kit's own tests): the real references
        self.modules: dict[str, object] = {}
        self._registered: set[str] = set()  # every name this put in sys.modules, even if its code failed

    def get(self, name: str):
        if self.sources is None:
            return importlib.import_module(name)
        if name not in self.modules:
            if name not in self.sources:
                raise ImportError(f"the grader has no stand-in {name} in this worker")
            with self.exposed():
                import types

                module = types.ModuleType(name)
                module.__file__ = kit_file_name(name)
                module.__spec__ = importlib.machinery.ModuleSpec(name, None, origin=module.__file__)
                sys.modules[name] = module  # a reference may import an earlier one
                self._registered.add(name)
                exec(_code(self.sources[name]), module.__dict__)
                self.modules[name] = module
        return self.modules[name]

    @contextlib.contextmanager
    def exposed(self):
        """The stand-ins importable by name, for the kit's own imports (probes, references)."""
        import grader

        package = importlib.util.module_from_spec(
            importlib.machinery.ModuleSpec("grader.references", None, is_package=True))
        sys.modules["grader.references"] = package
        grader.references = package
        for name, module in self.modules.items():
            sys.modules[name] = module
            setattr(package, name.rsplit(".", 1)[1], module)
        try:
            yield
        finally:
            # Only the names put there (no scan of sys.modules: see _added_since): `grader.references`
            # has no path, so an import of any other name under it fails without leaving an entry.
            for name in ("grader.references", *self._registered):
                sys.modules.pop(name, None)
            if hasattr(grader, "references"):
                del grader.references

    def load_all(self) -> None:
        for name in self.sources or ():
            self.get(name)


def kit_file_name(module: str) -> str:
    """The file name stand-in code is compiled under: provenance.KIT_MARK says it is the kit's."""
    return f"<kit {module}>"


def _code(data: str):
    """A stand-in's code object, as grader.engine.worker.standins.compiled() sent it."""
    import base64
    import marshal

    return marshal.loads(base64.b64decode(data))


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
    def __init__(self, exercises: Path, forbidden: tuple[str, ...] = (), stand_ins: StandIns | None = None):
        self.exercises = exercises.resolve()
        self._cache: dict[tuple, object] = {}
        self._imports = 0
        self._kit_import: str | None = None  # the first `import grader` found in a file of theirs
        self.stand_ins = stand_ins or StandIns(None)
        sys.meta_path.insert(0, ImportGuard(forbidden, self.exercises))

    def module(self, name: str):
        """The student's module `name` as last loaded (any stand-ins), or None."""
        for (loaded, _), module in reversed(list(self._cache.items())):
            if loaded == name and not isinstance(module, LoadFailure):
                return module
        return None

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
        if self._imports or package in sys.modules:
            # A load before this one (other stand-ins) left their modules: they must not be reused.
            # The first needs no scan: no code of theirs has run, so nothing of theirs is there.
            for mod in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
                del sys.modules[mod]
        self._imports += 1
        folder = self.exercises / package
        if not folder.is_dir():
            raise FileNotFoundError(f"no folder exercises/{package}/ in the submission")
        spec = importlib.machinery.ModuleSpec(package, None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
        pkg = importlib.util.module_from_spec(spec)
        sys.modules[package] = pkg
        for stand_in, ref_name in reference.items():
            ref = self.stand_ins.get(ref_name)
            sys.modules[stand_in] = ref
            setattr(pkg, stand_in.rsplit(".", 1)[1], ref)
        if not (folder / (name.split(".", 1)[1].replace(".", "/") + ".py")).is_file():
            raise FileNotFoundError(f"no file exercises/{name.replace('.', '/')}.py in the submission")
        sys.modules[IMPORT_MARK] = None
        try:
            module = importlib.import_module(name)
            added = _added_since(IMPORT_MARK)
        finally:
            sys.modules.pop(IMPORT_MARK, None)
        # Every file of theirs this import ran, read for imports of the kit's own packages. (A
        # file found once is found again on every later load: it may stay imported, unscanned.)
        for loaded in added:
            path = getattr(sys.modules.get(loaded), "__file__", None) or ""
            if path.startswith(str(self.exercises)) and path.endswith(".py"):
                self._kit_import = self._kit_import or kit_imports(Path(path), self.exercises)
        if self._kit_import:
            raise KitImport(self._kit_import)
        return module


IMPORT_MARK = "<grader: what follows was imported by the student's load>"


def _added_since(mark: str) -> list[str]:
    """The names put in sys.modules after `mark` (dicts keep insertion order), newest first;
    every name if student code took the mark out. Not a walk of the whole of sys.modules: in a
    worker forked from torch's server, touching its ~1,500 modules copies hundreds of pages."""
    names = []
    for name in reversed(sys.modules):
        if name == mark:
            break
        names.append(name)
    return names


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
