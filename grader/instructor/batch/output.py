"""The batch's outputs, written as each submission finishes, so a killed run keeps what it graded.

The CSV gets each row appended (flushed and fsynced) the moment its submission is graded, and is
rewritten once at the end, atomically, with the rows in the order the paths were given. Each
JSON file is written to a temporary name and renamed. `--resume` reads the CSV back: a row that
is complete, and does not say the grader itself gave up on it, is not graded again.

Columns: submission, score (core points), max_score (core), bonus (bonus points, apart: a bonus
never hides a failing core component), then for every component of the assignment its points,
`<id>:status` and `<id>:mistake` (the classic mistake named, if any), then seed and error.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.engine import manifest
from grader.engine.model import RunResult
from grader.engine.sanitize import clean, clean_result, csv_cell

GRADER_GAVE_UP = "grader: "  # the error column of a row the grader could not finish: graded again on --resume


@dataclass
class Row:
    path: str
    result: RunResult | None = None
    error: str = ""
    seconds: float = 0.0
    grading_seconds: float = 0.0  # the judge's own time in the modules (without the batch overhead)
    internal: bool = False  # the kit itself failed on this submission (`grade batch` exits 3)
    peak_memory_mb: float | None = None  # the largest process that ran this submission's code

    @property
    def score(self) -> float:
        return self.result.core_score if self.result else 0.0


def component_columns(modules: list[str] | None = None) -> list[str]:
    modules = modules or manifest.module_names()
    return [c.id for m in modules for c in manifest.load()[m].components]


def csv_header(modules: list[str]) -> list[str]:
    cols = []
    for cid in component_columns(modules):
        cols += [cid, f"{cid}:status", f"{cid}:mistake"]
    return ["submission", "score", "max_score", "bonus", *cols, "seed", "error"]


def max_score(modules: list[str]) -> float:
    return sum(c.points for m in modules for c in manifest.load()[m].components if not c.bonus)


def csv_cells(row: Row, modules: list[str], seed: int) -> list[str]:
    comps = {c.id: c for m in row.result.modules for c in m.components} if row.result else {}
    bonus = row.result.bonus_score if row.result else 0.0
    cells = [csv_cell(row.path), f"{row.score:g}", f"{max_score(modules):g}", f"{bonus:g}"]
    for cid in component_columns(modules):
        c = comps.get(cid)
        cells += [f"{c.score:g}" if c else "0", c.status.value if c else "",
                  csv_cell(c.mistake["name"]) if c is not None and c.mistake else ""]
    return cells + [str(seed), csv_cell(row.error)]


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()


def write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class ResumeError(Exception):
    """The CSV to resume was written for another assignment or seed."""


class CsvJournal:
    def __init__(self, path: Path, header: list[str], resume: bool):
        self.path, self.header = path, header
        self.rows: dict[str, list[str]] = {}  # submission cell -> cells, the last one written wins
        if resume and path.exists():
            with open(path, newline="", encoding="utf-8") as f:
                lines = list(csv.reader(f))
            if lines and lines[0] != header:
                raise ResumeError(f"{path} was written for other modules (its columns differ): "
                                  "resume with the same --module options, or write another CSV")
            for cells in lines[1:]:
                if len(cells) == len(header):  # a line cut short by a kill is dropped
                    self.rows[cells[0]] = cells
        # Rewritten whole first: a torn last line from a killed run must not precede our rows.
        write_atomically(path, "".join(_csv_line(c) for c in [header, *self.rows.values()]))
        self._file = open(path, "a", encoding="utf-8", newline="")

    def seed(self) -> int | None:
        index = self.header.index("seed")
        for cells in self.rows.values():
            try:
                return int(cells[index])
            except ValueError:
                continue
        return None

    def is_done(self, path: str) -> bool:
        cells = self.rows.get(csv_cell(path))
        return cells is not None and not cells[-1].startswith(GRADER_GAVE_UP)

    def append(self, cells: list[str]) -> None:
        self._file.write(_csv_line(cells))
        self._file.flush()
        os.fsync(self._file.fileno())
        self.rows[cells[0]] = cells

    def finish(self, order: list[str]) -> None:
        """The final file: the given paths' rows in the given order, then any others kept."""
        self._file.close()
        keys = [csv_cell(p) for p in order]
        ordered = [self.rows[k] for k in keys if k in self.rows]
        others = [cells for k, cells in self.rows.items() if k not in set(keys)]
        write_atomically(self.path, "".join(_csv_line(c) for c in [self.header, *ordered, *others]))


def json_names(paths: list[str]) -> dict[str, str]:
    """One file name per submission, from its path below the submissions' common folder."""
    resolved = [Path(p).resolve() for p in paths]
    common = Path(os.path.commonpath(resolved)) if len(resolved) > 1 else resolved[0].parent if resolved else None
    names: dict[str, str] = {}
    used: set[str] = set()
    for given, path in zip(paths, resolved):
        rel = path.relative_to(common).as_posix() if common and path != common else path.name
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", rel.replace("/", "__")).lstrip(".") or "submission"
        name, k = stem, 1
        while name in used:
            k += 1
            name = f"{stem}-{k}"
        used.add(name)
        names[given] = f"{name}.json"
    return names


def json_document(row: Row, modules: list[str]) -> dict:
    if row.result is not None:
        data = clean_result(row.result).to_json()
    else:
        data = {"version": 1, "score": 0.0, "max_score": max_score(modules), "modules": []}
    data.update({"submission": clean(row.path), "seconds": round(row.seconds, 3),
                 "grading_seconds": round(row.grading_seconds, 3)})
    if row.peak_memory_mb is not None:
        data["peak_memory_mb"] = round(row.peak_memory_mb, 1)
    if row.error:
        data["error"] = clean(row.error)
    return data


class JsonDir:
    """One JSON file per submission, each written atomically when it is graded, and checked
    again at the end: a file changed meanwhile (by anything but us) is written again."""

    def __init__(self, folder: Path, paths: list[str], modules: list[str]):
        self.folder, self.modules = folder, modules
        self.names = json_names(paths)
        self.written: dict[str, str] = {}  # file name -> the text we wrote
        folder.mkdir(parents=True, exist_ok=True)

    def has(self, path: str) -> bool:
        return (self.folder / self.names[path]).is_file()

    def write(self, row: Row) -> None:
        name = self.names[row.path]
        text = json.dumps(json_document(row, self.modules), indent=2) + "\n"
        write_atomically(self.folder / name, text)
        self.written[name] = text

    def finish(self) -> None:
        for name, text in self.written.items():
            try:
                same = (self.folder / name).read_text(encoding="utf-8") == text
            except (OSError, UnicodeDecodeError):
                same = False
            if not same:
                write_atomically(self.folder / name, text)
