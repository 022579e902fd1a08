"""Which source is graded for each module: one rule (SPEC §1), decided per module, written down.

The rule, module by module:

1. A notebook given as the submission itself is graded (for the modules it is for).
2. Otherwise the student's `.py` files win: the module's files in the exercises folder, when at
   least one of them is not the kit's untouched stub.
3. Otherwise the student's notebook for that module, if there is one.
4. Otherwise whatever is there (the untouched stubs, which grade as `todo`), else nothing.

Untouched stubs are known by content (`grader.engine.submission.stub_index`), never by name or place, so the kit's
shipped `exercises/notebooks/*.ipynb` cannot shadow solved `.py` files, and solved notebooks are not
shadowed by the untouched `.py` stubs beside them. A notebook is for a module when its name says
so (`micrograd.ipynb`, `Copy of mlp.ipynb`), or else when it defines that module's names (`Value`,
`build_vocab`, ...). Notebooks are looked for at the top of the submission, in `notebooks/`, and in
the exercises folder and its `notebooks/`.
"""
from __future__ import annotations

import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine.submission import stub_index
from grader.engine.submission.exercise_files import module_files
from grader.engine.submission.handed_in import PACKAGES, SubmissionError

MAX_NOTEBOOKS = 100


@dataclass
class Notebook:
    path: Path
    shown: str  # as the submission names it, e.g. "exercises/notebooks/micrograd.ipynb"
    place: int  # the order of the folder it was found in (the top of the submission first)

    @functools.cached_property
    def _read(self):
        return _read_notebook(self.path)

    @property
    def readable(self) -> bool:
        return self._read[0] is not None

    def is_stub(self) -> bool:
        return self.readable and stub_index.is_stub_notebook(self._read[0])

    @functools.cached_property
    def _names(self) -> set[str]:
        from grader.engine.submission.notebook_load import defined_names

        return defined_names(self._read[0] or [])

    def defines_names_of(self, module: str) -> bool:
        return bool(self._names & stub_index.module_names(module))

    def named_for(self) -> list[str]:
        stem = self.path.stem.lower()
        return [m for m in _modules() if re.search(rf"(?<![a-z]){m}(?![a-z])", stem)]

    def rank(self, module: str) -> tuple:
        exact = self.path.stem.lower() == module
        return (0 if exact else 1 if module in self.named_for() else 2, self.place, self.shown)

    def is_for(self, module: str) -> bool:
        named = self.named_for()
        if len(named) > 1:  # "micrograd_mlp.ipynb": the names it defines settle it
            named = [m for m in named if self.defines_names_of(m)] or named
        return module in named if named else self.defines_names_of(module)


_READ: dict[tuple, tuple] = {}  # (path, mtime, size) -> (code sources or None, why): --watch reads once


def _read_notebook(path: Path) -> tuple[list[str] | None, str]:
    """(the code cells' sources, or None and why the notebook could not be read)."""
    from grader.engine.submission.notebook_load import NotebookError, code_sources

    try:
        info = os.stat(path)
        key = (str(path), info.st_mtime_ns, info.st_size)
    except OSError as e:
        return None, str(e)
    if key not in _READ:
        try:
            _READ[key] = (code_sources(path), "")
        except NotebookError as e:
            _READ[key] = (None, str(e))
        if len(_READ) > 256:
            _READ.pop(next(iter(_READ)))
    return _READ[key]


@dataclass
class Source:
    """What is graded for one module."""
    module: str
    kind: str  # "files", "notebook" or "none"
    exercises: Path | None = None  # files: the folder holding micrograd/ and makemore/
    shown: str = ""  # files: that folder; notebook: the notebook; as the submission names them
    files: list[str] = field(default_factory=list)  # files: the module's files found
    stubs: list[str] = field(default_factory=list)  # files: those still the kit's untouched stubs
    notebook: Notebook | None = None
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (path, why it is not graded)

    def to_json(self, archive: str | None = None, cells: list[int] | None = None) -> dict:
        data: dict = {"kind": self.kind}
        if archive:
            data["archive"] = archive
        if self.kind == "files":
            data.update(path=self.shown, files=self.files)
            if self.stubs:
                data["stubs"] = self.stubs
        elif self.kind == "notebook":
            data.update(path=self.shown, cells=cells or [])
            if self.notebook.is_stub():
                data["stub"] = True
        if self.ignored:
            data["ignored"] = [{"path": p, "reason": why} for p, why in self.ignored]
        return data


def _modules() -> list[str]:
    from grader.engine import manifest

    return manifest.module_names()


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)  # a linked folder is not followed
    except OSError:
        return False


def exercises_folder(root: Path) -> Path | None:
    """The folder holding micrograd/ and makemore/: root/exercises, or root itself."""
    if _is_dir(root / "exercises"):
        return root / "exercises"
    if root.name == "exercises" or any(_is_dir(root / p) for p in PACKAGES):
        return root
    return None


def _shown(path: Path, root: Path) -> str:
    rel = path.relative_to(root).as_posix()
    return "." if rel in ("", ".") else rel


def _inside(folder: str, rel: str) -> str:
    return rel if folder in ("", ".") else f"{folder}/{rel}"


def find_notebooks(root: Path, exercises: Path | None) -> list[Notebook]:
    places = [root, root / "notebooks"]
    if exercises is not None:
        places += [exercises, exercises / "notebooks"]
    found, seen = [], set()
    for place, folder in enumerate(dict.fromkeys(places)):
        if not _is_dir(folder):
            continue
        for path in sorted(folder.glob("*.ipynb")):
            if path in seen or path.name.startswith(".") or path.name.endswith("-checkpoint.ipynb"):
                continue
            seen.add(path)
            try:
                regular = stat.S_ISREG(os.lstat(path).st_mode)
            except OSError:
                regular = False
            if regular and len(found) < MAX_NOTEBOOKS:
                found.append(Notebook(path, _shown(path, root), place))
    return found


def _file_exists(path: Path) -> bool:
    return os.path.lexists(path)


def choose(module: str, exercises: Path | None, notebooks: list[Notebook], root: Path) -> Source:
    """Rules 2 to 4 for one module of a folder submission."""
    files = [rel for rel in module_files(module) if exercises is not None and _file_exists(exercises / rel)]
    stubs = [rel for rel in files if stub_index.is_stub_file(exercises / rel)]
    candidates = sorted((nb for nb in notebooks if nb.is_for(module)), key=lambda nb: nb.rank(module))
    from_files = Source(module, "files", exercises, _shown(exercises, root) if exercises else "", files, stubs)
    if len(stubs) < len(files):  # some .py file is the student's own: the files win
        from_files.ignored = [(nb.shown, "the kit's untouched notebook" if nb.is_stub() else "the .py files are graded")
                              for nb in candidates]
        return from_files
    students = [nb for nb in candidates if not nb.is_stub()]
    if students:
        chosen = students[0]
        source = Source(module, "notebook", shown=chosen.shown, notebook=chosen)
        source.ignored = [(_inside(from_files.shown, rel), "the kit's untouched stub") for rel in files]
        source.ignored += [(nb.shown, "the kit's untouched notebook" if nb.is_stub() else
                            f"another notebook for {module}: {chosen.shown} is graded")
                           for nb in candidates if nb is not chosen]
        return source
    if files:
        from_files.ignored = [(nb.shown, "the kit's untouched notebook") for nb in candidates]
        return from_files
    if candidates:
        source = Source(module, "notebook", shown=candidates[0].shown, notebook=candidates[0])
        source.ignored = [(nb.shown, "the kit's untouched notebook") for nb in candidates[1:]]
        return source
    return Source(module, "none")


def folder_sources(root: Path, modules: list[str]) -> dict[str, Source]:
    exercises = exercises_folder(root)
    notebooks = find_notebooks(root, exercises)
    sources = {m: choose(m, exercises, notebooks, root) for m in modules}
    if all(s.kind == "none" for s in sources.values()):
        unreadable = [f"{nb.shown} ({nb._read[1]})" for nb in notebooks if not nb.readable]
        raise SubmissionError(
            f"no work for {', '.join(modules)} in {root}: expected an exercises/ folder at {root / 'exercises'} "
            "(or micrograd/ and makemore/ directly), or notebooks such as micrograd.ipynb"
            + (f"; could not read {'; '.join(unreadable)}" if unreadable else ""))
    return sources


def notebook_sources(path: Path, modules: list[str]) -> dict[str, Source]:
    """Rule 1: the submission is one notebook."""
    nb = Notebook(path, path.name, 0)
    if len(modules) == 1:  # `grade MODULE --submission x.ipynb`: x is for MODULE, unless it plainly is not
        module = modules[0]
        if nb.readable and nb.named_for() and not nb.is_for(module) and not nb.defines_names_of(module):
            raise SubmissionError(f"{path.name} is a notebook for {', '.join(nb.named_for())}, not {module}: "
                                  f"it defines none of {module}'s names")
        if nb.readable and not nb.named_for() and not nb.defines_names_of(module):
            names = ", ".join(sorted(stub_index.module_names(module))[:6])
            raise SubmissionError(f"{path.name} defines none of {module}'s names ({names}, ...): "
                                  f"is it your {module} notebook?")
        return {module: Source(module, "notebook", shown=path.name, notebook=nb)}
    if not nb.readable:
        from grader.engine.submission.notebook_load import read_notebook

        read_notebook(path)  # raises the NotebookError that says what is wrong with it
    wanted = [m for m in modules if nb.is_for(m)]
    if not wanted:
        raise SubmissionError(f"{path.name} defines none of the exercises' names (Value, build_vocab, "
                              "init_mlp, BatchNorm1d, ...): it is not a notebook of these exercises")
    return {m: Source(m, "notebook", shown=path.name, notebook=nb) if m in wanted else Source(m, "none")
            for m in modules}


def solutions_sources(folder: Path, modules: list[str]) -> dict[str, Source]:
    """`--solutions`: the kit's own solutions, as files."""
    return {m: Source(m, "files", folder, "solutions", [rel for rel in module_files(m) if (folder / rel).is_file()])
            for m in modules}
