"""From what was handed in to an `exercises/` folder to grade, and refusing clearly when there is
nothing to grade.

A submission is a kit clone, its `exercises/` folder, the contents of that folder (`micrograd/`
and `makemore/`), a notebook, a folder of notebooks, a zip of any of these, or a mixture (some
modules as `.py` files, others as notebooks). `grader.engine.submission.sources` decides, module by module, what is
graded; `prepare` then makes one folder holding exactly that (the `.py` files as they are, each
notebook split into its module's files) and `grade_prepared` grades it and says, in every result,
what was graded.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine import manifest

PACKAGES = manifest.exercise_packages()  # what an exercises folder holds
COPY_LIMIT = 2000  # files copied from a package folder (the worker copies at most as many)


class SubmissionError(Exception):
    """Bad usage or an unreadable submission: the CLI exits 2 with this message."""


def kit_root() -> Path | None:
    """The kit checkout this grader belongs to (it holds `solutions/`), if there is one."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "solutions").is_dir() else None


HANDOUT_MARKER = ".zero-to-hero"  # written by `grade handout`: this folder is a student's repository


def find_checkout(start: Path) -> Path | None:
    """The kit checkout, or the hand-out repository, around `start`."""
    for folder in [start, *start.parents]:
        if (folder / "exercises").is_dir() and ((folder / "grader").is_dir() or (folder / HANDOUT_MARKER).is_file()):
            return folder
    return None


@dataclass
class Prepared:
    """A submission ready to grade: `exercises` holds what each module's `sources` say."""
    exercises: Path
    sources: dict  # module -> grader.engine.submission.sources.Source
    submission: str | None = None  # --submission as given, for the "check again" lines
    archive: str | None = None  # the zip's name, when the submission was one
    watch: Path | None = None  # what `--watch` follows (None: it cannot, e.g. a zip)
    cells: dict[str, list[int]] = field(default_factory=dict)  # module -> notebook cells used
    source_map: object = None  # grader.engine.submission.source_map.SourceMap

    def translate(self, text: str) -> str:
        return self.source_map.translate(text) if self.source_map else text

    def annotate(self, result):
        """Fill every module's `source`, point notebook feedback at cells, remember --submission."""
        for m in result.modules:
            source = self.sources.get(m.module)
            if source is not None:
                m.source = source.to_json(self.archive, self.cells.get(m.module))
        if self.source_map:
            self.source_map.translate_result(result)
        result.submission = self.submission
        return result


@contextlib.contextmanager
def prepare(submission: str | None, solutions: bool, modules: list[str], cwd: Path | None = None):
    """The submission, ready to grade, for as long as grading lasts (temporary copies go after)."""
    from grader.engine.submission.notebook_load import NotebookError

    with contextlib.ExitStack() as stack:
        try:
            prepared = _prepare(submission, solutions, modules, cwd or Path.cwd(), stack)
        except NotebookError as exc:
            raise SubmissionError(str(exc)) from None
        except OSError as exc:  # unreadable folders, a disk full while copying: never a traceback
            raise SubmissionError(f"could not read the submission {submission or ''}: {exc}".replace("  ", " ")) from None
        yield prepared


def _prepare(submission, solutions, modules, cwd: Path, stack) -> Prepared:
    from grader.engine.submission.archive import ArchiveError, extract, is_zip, meaningful, unwrap
    from grader.engine.submission.sources import folder_sources, notebook_sources, solutions_sources

    if solutions:
        if submission:
            raise SubmissionError("--solutions and --submission cannot be used together")
        root = kit_root() or find_checkout(cwd)
        if root is None or not (root / "solutions").is_dir():
            raise SubmissionError("no solutions/ folder: --solutions works in a checkout of the kit")
        return Prepared(root / "solutions", solutions_sources(root / "solutions", modules), watch=root / "solutions")
    if submission is None:
        root = find_checkout(cwd)
        if root is None:
            raise SubmissionError(
                f"no exercises/ folder in {cwd} or above it: run grade inside your copy of the kit, "
                "make one here with grade init, or pass --submission PATH")
        return _materialize(folder_sources(root, modules), stack, None, None, root / "exercises")
    path = Path(submission).expanduser()
    if not path.exists():
        raise SubmissionError(f"--submission {submission}: no such file or folder")
    archive = None
    if path.is_dir():
        path = unwrap(path)
        inside = meaningful(path)
        if len(inside) == 1 and inside[0].suffix.lower() == ".zip" and inside[0].is_file():
            path = inside[0]  # a folder holding just the zip (an LMS download)
    if path.is_file() and is_zip(path):
        archive = path.name
        unpacked = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="grade-zip-")))
        try:
            extract(path, unpacked)
        except ArchiveError as exc:
            raise SubmissionError(str(exc)) from None
        path = unwrap(unpacked)
    if path.is_file():
        if path.suffix.lower() != ".ipynb":
            raise SubmissionError(f"--submission {submission}: expected a folder holding exercises/, a notebook "
                                  "(.ipynb) or a zip of them, got a file")
        return _materialize(notebook_sources(path, modules), stack, submission, archive, None if archive else path.parent)
    return _materialize(folder_sources(path, modules), stack, submission, archive, None if archive else path)


def _materialize(sources: dict, stack, submission, archive, watch) -> Prepared:
    """One exercises folder holding what `sources` say: the student's own folder when every
    module is graded from it, else a temporary one made of the `.py` packages and the notebooks."""
    from grader.engine.submission.notebook_load import load_notebook
    from grader.engine.submission.source_map import SourceMap

    folders = {s.exercises for s in sources.values() if s.kind == "files"}
    notebooks = [s for s in sources.values() if s.kind == "notebook"]
    if not notebooks and len(folders) == 1:
        return Prepared(folders.pop(), sources, submission, archive, watch)
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="grade-submission-")))
    exercises = tmp / "exercises"
    exercises.mkdir()
    for s in sources.values():
        if s.kind == "files":
            _copy_packages(s.exercises, exercises, {rel.split("/", 1)[0] for rel in s.files})
    source_map = SourceMap()
    for shown in {str(exercises), str(exercises.resolve())}:
        source_map.add_folder(shown, submission or "your exercises")
    prepared = Prepared(exercises, sources, submission, archive, watch, source_map=source_map)
    for s in notebooks:
        made = load_notebook(s.notebook.path, s.module, tmp)
        source_map.add_notebook(s.shown, made)
        prepared.cells[s.module] = made.cells
    return prepared


def _copy_packages(source: Path, target: Path, packages: set[str]) -> None:
    """The packages' .py files (links stay links, never followed) and the folder's top-level .py."""
    copied = 0
    for path in sorted(source.glob("*.py")):
        if stat.S_ISREG(os.lstat(path).st_mode) and not (target / path.name).exists():
            shutil.copyfile(path, target / path.name)
    for package in sorted(packages):
        top = source / package
        if top.is_symlink() or not top.is_dir():
            continue
        for folder, dirs, files in os.walk(top):  # os.walk does not follow linked folders
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            rel = Path(folder).relative_to(source)
            (target / rel).mkdir(parents=True, exist_ok=True)
            for name in sorted(files):
                if not name.endswith(".py") or copied >= COPY_LIMIT:
                    continue
                path, dest = Path(folder) / name, target / rel / name
                if path.is_symlink():
                    os.symlink(os.readlink(path), dest)
                elif path.is_file():
                    shutil.copyfile(path, dest)
                copied += 1


def nothing_to_grade(module: str, options):
    """A module the submission has no work for: every component `todo`, and why."""
    from grader.engine import manifest
    from grader.engine.model import ComponentResult, ModuleResult, Status

    info = manifest.load()[module]
    message = f"nothing to grade: the submission has no {module} files and no {module} notebook"
    components = [ComponentResult(c.id, c.title, Status.TODO, c.points, message=message, bonus=c.bonus)
                  for c in info.components if options.only is None or c.id in options.only]
    return ModuleResult(module, info.title, components, options.seed)


def grade_prepared(prepared: Prepared, names: list[str], options, all_modules: bool, forkserver=None):
    """Grade `names` of a prepared submission; a module without work is all `todo`, and says so."""
    from grader.engine.judge.run import grade
    from grader.engine.model import RunResult

    graded = [n for n in names if prepared.sources[n].kind != "none"]
    result = (grade(graded, prepared.exercises, options, all_modules=all_modules, forkserver=forkserver)
              if graded else RunResult([], options.seed, all_modules))
    done = {m.module: m for m in result.modules}
    result.modules = [done.get(n) or nothing_to_grade(n, options) for n in names]
    return prepared.annotate(result)
