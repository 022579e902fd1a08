"""Generate the learner's stubs (`exercises/`) from the kit's solutions (`solutions/`).

Every `.py` file under the solutions folder becomes the file at the same relative path under
the exercises folder. In it, each block of solution code, written as

    def __mul__(self, other):
        \"\"\"The docstring that teaches: kept in the stub.\"\"\"
        # BEGIN SOLUTION micrograd.mul: return a new Value for self * other
        ...solution lines...
        # END SOLUTION

is replaced by ONE line at the BEGIN marker's indentation:

        raise NotImplementedError("TODO micrograd.mul: return a new Value for self * other")

The BEGIN line names the component id (as in SPEC section 3) and, after an optional colon, a
short instruction; without one a default instruction is used. Everything else is copied
verbatim, and marker lines never reach the stubs. Files without markers are copied as they
are; other files and `__pycache__` folders are ignored. Unclosed, nested or stray markers and a
BEGIN without a component id are errors that name the file and line.

Command line (from the repository root, the folder above this package):

    python -m grader.authoring.stubgen            # regenerate exercises/ from solutions/
    python -m grader.authoring.stubgen --check    # exit 1, listing every stale/missing/extra stub

In a kit checkout (a root holding grader/), the same commands also write and check the stub
index, `grader/engine/submission/stub_index.json` (written by grader/authoring/stub_index_build.py,
read by `grader.engine.submission.stub_index`): the stubs' hashes and the files each name belongs
to, shipped with the package so that a pip-only install recognises the stubs and grades notebooks.

Only the standard library is used.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INSTRUCTION = "write this part (read the docstring above)"

# Anything that looks like a marker; it must then be a whole, well-formed marker line.
_MARKER_HINT = re.compile(r"#\s*(BEGIN|END)\s+SOLUTION")
_BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION(?P<rest>(\s.*)?)$")
_END = re.compile(r"^[ \t]*# END SOLUTION\s*$")
_ID = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


class MarkerError(ValueError):
    """A malformed solution marker; the message starts with `file:line:`."""


def stub_source(text: str, filename: str = "<string>") -> str:
    """Return `text` (one solution file) with every marked block replaced by its TODO line."""
    out: list[str] = []
    open_at = None  # line number of the BEGIN whose block we are in
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        body = line.rstrip("\r\n")
        where = f"{filename}:{number}"
        begin, end = _BEGIN.match(body), _END.match(body)
        if begin:
            if open_at is not None:
                raise MarkerError(f"{where}: nested BEGIN SOLUTION (the block at line {open_at} is not closed)")
            component, instruction = _parse_begin(begin.group("rest"), where)
            message = f"TODO {component}: {instruction}"
            out.append(f"{begin.group('indent')}raise NotImplementedError({_quote(message)})"
                       + line[len(body):])
            open_at = number
        elif end:
            if open_at is None:
                raise MarkerError(f"{where}: END SOLUTION without a BEGIN SOLUTION")
            open_at = None
        elif _MARKER_HINT.search(body):
            raise MarkerError(f"{where}: malformed marker; write '# BEGIN SOLUTION <component id>[: "
                              "instruction]' or '# END SOLUTION' alone on its line")
        elif open_at is None:
            out.append(line)
    if open_at is not None:
        raise MarkerError(f"{filename}:{open_at}: BEGIN SOLUTION is never closed by an END SOLUTION")
    return "".join(out)


def _parse_begin(rest: str, where: str) -> tuple[str, str]:
    component, _, instruction = rest.strip().partition(":")
    component = component.strip()
    if not component:
        raise MarkerError(f"{where}: BEGIN SOLUTION without a component id")
    if not _ID.fullmatch(component):
        raise MarkerError(f"{where}: bad component id {component!r} in BEGIN SOLUTION")
    return component, instruction.strip() or DEFAULT_INSTRUCTION


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _python_files(root: Path) -> list[str]:
    """Relative POSIX paths of the .py files under root, skipping __pycache__ and hidden folders."""
    if not root.is_dir():
        return []
    found = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if any(p == "__pycache__" or p.startswith(".") for p in parts[:-1]) or not path.is_file():
            continue
        found.append("/".join(parts))
    return sorted(found)


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:  # keep line endings as they are
        return f.read()


def generate(solutions_dir, exercises_dir=None) -> dict[str, str]:
    """Return {relative path: stub text} for every .py file under `solutions_dir`.

    A pure function: nothing is written, and `exercises_dir` (where the stubs belong, taken for
    symmetry with `write`) is not read. Raises MarkerError for bad markers and SyntaxError if a
    generated stub would not compile.
    """
    solutions_dir = Path(solutions_dir)
    stubs = {}
    for rel in _python_files(solutions_dir):
        source = _read(solutions_dir / rel)
        stub = stub_source(source, str(solutions_dir / rel))
        if stub != source:  # the stub must stay valid Python
            compile(stub, f"{solutions_dir / rel} (generated stub)", "exec")
        stubs[rel] = stub
    return stubs


def check(solutions_dir, exercises_dir) -> list[tuple[str, str]]:
    """Compare `exercises_dir` with what `generate` makes: [(problem, relative path)], sorted.

    problem is "differs", "missing" or "extra" (a .py file under exercises_dir with no
    solution). An empty list means the stubs are exactly what the tool generates.
    """
    return _compare(generate(solutions_dir, exercises_dir), Path(exercises_dir))


def write(solutions_dir, exercises_dir) -> list[tuple[str, str]]:
    """Make `exercises_dir` match `generate`: write stale or missing stubs, delete extra .py files.

    Files that are already right are not touched, and nothing is written if any solution file
    has a bad marker. Returns what `check` reported before the write, i.e. what was changed.
    """
    exercises_dir = Path(exercises_dir)
    stubs = generate(solutions_dir, exercises_dir)
    problems = _compare(stubs, exercises_dir)
    for problem, rel in problems:
        target = exercises_dir / rel
        if problem == "extra":
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="") as f:
                f.write(stubs[rel])
    return problems


def _compare(stubs: dict[str, str], exercises_dir: Path) -> list[tuple[str, str]]:
    problems = []
    for rel, text in stubs.items():
        target = exercises_dir / rel
        if not target.is_file():
            problems.append(("missing", rel))
        elif _read(target) != text:
            problems.append(("differs", rel))
    problems += [("extra", rel) for rel in _python_files(exercises_dir) if rel not in stubs]
    return sorted(problems, key=lambda p: (p[1], p[0]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.authoring.stubgen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if exercises/ differs from the generated stubs")
    parser.add_argument("--root", type=Path, default=REPO_ROOT,
                        help="the repository holding solutions/ and exercises/ (default: %(default)s)")
    args = parser.parse_args(argv)
    solutions, exercises = args.root / "solutions", args.root / "exercises"
    if not solutions.is_dir():
        print(f"stubgen: no solutions folder at {solutions}", file=sys.stderr)
        return 2
    try:
        if args.check:
            problems = [f"{problem}: exercises/{rel}" for problem, rel in check(solutions, exercises)]
            if not problems and _kit_tree(args.root):
                from grader.authoring import stub_index_build

                problems = stub_index_build.check(args.root)
            for problem in problems:
                print(problem)
            if problems:
                print("stubgen: exercises/ is out of date; run `python -m grader.authoring.stubgen`", file=sys.stderr)
                return 1
            print("stubgen: exercises/ is up to date")
            return 0
        changed = write(solutions, exercises)
    except (MarkerError, SyntaxError) as e:
        print(f"stubgen: {e}", file=sys.stderr)
        return 2
    for problem, rel in changed:
        print(f"{'removed' if problem == 'extra' else 'wrote'}: exercises/{rel}")
    if not changed:
        print("stubgen: exercises/ is up to date")
    # The notebooks are made from the stubs: keep them in step in the same breath.
    from grader.authoring.notebook_build import write_notebooks

    for path in write_notebooks(args.root):
        print(f"wrote: {path.relative_to(args.root)}")
    if _kit_tree(args.root):
        from grader.authoring import stub_index_build
        from grader.engine.submission.stub_index import INDEX_NAME

        if stub_index_build.write(args.root):
            print(f"wrote: {INDEX_NAME}")
    return 0


def _kit_tree(root: Path) -> bool:
    """A checkout of the kit (the stub index lives in its grader/), not some other tree."""
    return (Path(root) / "grader").is_dir()


if __name__ == "__main__":
    sys.exit(main())
