"""docs/architecture.md's "Recipe: a new module", followed step by step in a copy of the kit.

The toy module is made of new files only, one per step of the recipe (nothing of the kit is
edited: the manifest is the only place that names a module). In subprocesses that import the
copy, `python -m grader.authoring.stubgen` makes its stub, notebook and stub index entry, `grade
dev check` finds everything agreeing, `grade toy --solutions` passes everything without a sandbox,
`grade toy` finds the stubs todo everywhere and the mutant of its one named mistake fails that
component, naming it (both in the sandbox where this machine can make one). Its worker is "pure"
(no torch in the worker), so that its gradings are quick.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from grader.engine.worker import sandbox

COPIED = ("grader", "solutions", "exercises", "docs", "tests")  # the kit, as a new module meets it
MEAN_AS_SUM = ("return sum(xs) / len(xs)", "return sum(xs)")  # the toy's named mistake, as a learner's edit

# The recipe's files for the toy module, in the recipe's order (docs/architecture.md, step by step).
TOY = {
    # 1. the manifest
    "grader/engine/manifest_data/toy.toml": '''\
[module]
name = "toy"
order = 99
title = "toy: the new-module recipe, followed"
suite = "toy"
worker = "pure"
references = ["toy"]

[[components]]
id = "toy.double"
title = "double: twice a number"
file = "toy/arith.py"
symbol = "double"
points = 1
hints = ["Return 2 * x."]

[[components]]
id = "toy.mean"
title = "mean: the average of a list"
file = "toy/arith.py"
symbol = "mean"
points = 1
hints = ["Divide the sum by how many numbers there are."]
''',
    # 2. the solution (its package is new: it needs an __init__.py too)
    "solutions/toy/__init__.py": "",
    "solutions/toy/arith.py": '''\
"""Toy arithmetic."""


def double(x):
    """Twice x."""
    # BEGIN SOLUTION toy.double: return twice x
    return 2 * x
    # END SOLUTION


def mean(xs):
    """The average of a non-empty list of numbers."""
    # BEGIN SOLUTION toy.mean
    return sum(xs) / len(xs)
    # END SOLUTION
''',
    # 3. the reference, saying which component each definition answers
    "grader/references/toy.py": '''\
"""The grader's own toy arithmetic."""

__owners__ = {"double": "toy.double", "mean": "toy.mean"}


def double(x):
    return 2 * x


def mean(xs):
    return sum(xs) / len(xs)
''',
    # 4. the probes, run in the worker next to the learner's code
    "grader/probes/toy.py": '''\
"""The toy module's probes: each calls one function of the learner's toy/arith.py."""
from grader.probes.common import as_float

ARITH = "toy.arith"


def double(student, x):
    return as_float(student.load(ARITH).double(x), "double(x)")


def mean(student, xs):
    return as_float(student.load(ARITH).mean(list(xs)), "mean(xs)")
''',
    # 5. the hidden checks, one per component, through grader.checks only
    "grader/suites/toy/__init__.py": '"""The toy suite."""\n',
    "grader/suites/toy/check_arith.py": '''\
import pytest

from grader.checks import expect
from grader.references import toy as ref
from grader.suites.toy.mistakes import MISTAKES

ARITH = [("toy.arith", None)]


@pytest.mark.component("toy.double")
def check_double(student, rng):
    x = round(rng.uniform(-5, 5), 3)
    expect(student.call("double", load=ARITH, x=x), ref.double(x), what=f"double({x})")


@pytest.mark.component("toy.mean")
def check_mean(student, rng):
    xs = [round(rng.uniform(-5, 5), 3) for _ in range(4)]
    expect(student.call("mean", load=ARITH, xs=xs), ref.mean(xs), what=f"mean({xs})",
           mistakes=MISTAKES.of("toy.mean", xs=xs))
''',
    # 6. its classic mistakes, and the mutants: one per named mistake, one per component
    "grader/suites/toy/mistakes.py": '''\
from grader.checks import Classic, Table

MISTAKES = Table("toy", {
    "toy.mean": [Classic("toy.mean.sum", "the sum instead of the mean", "Divide by len(xs).",
                         evidence=lambda xs: float(sum(xs)), mutant="mean-returns-sum")],
})
''',
    "tests/mutants/toy.py": f'''\
from mutants import Mutant

MUTANTS = [
    Mutant("mean-returns-sum", {{"toy/arith.py": [{MEAN_AS_SUM!r}]}}, {{"toy.mean"}}, ["the sum instead of the mean"]),
    Mutant("double-adds", {{"toy/arith.py": [("return 2 * x", "return x + 2")]}}, {{"toy.double"}}, ["double("]),
]
''',
}
GENERATED = {"exercises/toy/__init__.py", "exercises/toy/arith.py", "exercises/notebooks/toy.ipynb"}


def _kit(tmp_path: Path) -> Path:
    kit = tmp_path / "kit"
    for folder in COPIED:
        shutil.copytree(ROOT / folder, kit / folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return kit


def _digests(kit: Path) -> dict[str, str]:
    return {p.relative_to(kit).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in kit.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def _python(kit: Path, code: str, *argv: str) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter that imports the copy's grader (first on sys.path, so the
    installed kit never answers), in the copy's folder. The timeout only guards against a hang."""
    setup = f"import sys; sys.path.insert(0, {str(kit)!r}); "
    return subprocess.run([sys.executable, "-c", setup + code, *argv], cwd=kit, capture_output=True, text=True,
                          timeout=600)


# `grade` commands run in turn in one interpreter, as `grade dev check --grade` grades after
# checking: torch is imported once (the dev check collects the torch suites, and a judge without
# a sandbox imports torch before it guards its bytecode), not once per command.
IN_TURN = """
import json
from grader.cli import main
for argv in json.loads(sys.argv[1]):
    try:
        main(argv, prog_name="grade")
    except SystemExit as exit:
        print(f"\\n{END} {exit.code or 0}", flush=True)
"""
END = "--- exit status"


def _grade_in_turn(kit: Path, *commands: list[str]) -> list[tuple[int, str]]:
    """(exit status, output) of each `grade` command, run in turn in one subprocess."""
    done = _python(kit, f"END = {END!r}" + IN_TURN, json.dumps(commands))
    parts = done.stdout.split(f"\n{END} ")
    assert len(parts) == len(commands) + 1, done.stdout + done.stderr
    return [(int(part.split("\n", 1)[0]), before) for before, part in zip(parts, parts[1:])]


def test_a_toy_module_made_of_new_files_only_is_graded_end_to_end(tmp_path):
    kit = _kit(tmp_path)
    before = _digests(kit)
    for rel, text in TOY.items():
        path = kit / rel
        assert not path.exists(), f"{rel} is not a new file"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    # 2. the stub, its notebook and its entry in the stub index, made by the tool
    made = _python(kit, "from grader.authoring.stubgen import main; sys.exit(main())", "--root", str(kit))
    assert made.returncode == 0, made.stdout + made.stderr
    after = _digests(kit)
    assert {rel for rel in after if rel not in before} == set(TOY) | GENERATED
    # The only file of the kit that changed is the generated stub index, which now knows the toy stubs.
    assert {rel for rel in before if after.get(rel) != before[rel]} == {"grader/engine/submission/stub_index.json"}
    stub = (kit / "exercises/toy/arith.py").read_text()
    assert 'raise NotImplementedError("TODO toy.double: return twice x")' in stub and "return 2 * x" not in stub
    notebook = json.loads((kit / "exercises/notebooks/toy.ipynb").read_text())
    assert any("def mean(xs)" in "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")

    # 7. everything agrees; the solutions pass everything without a sandbox; in the sandbox where
    # one can be made, the stubs are todo everywhere (known as the kit's stubs through the index)
    # and the mutant of the named mistake fails its component alone, with the mistake named.
    mutant = tmp_path / "learner" / "exercises"
    shutil.copytree(kit / "solutions", mutant, ignore=shutil.ignore_patterns("__pycache__"))
    arith = mutant / "toy" / "arith.py"
    assert MEAN_AS_SUM[0] in arith.read_text()
    arith.write_text(arith.read_text().replace(*MEAN_AS_SUM))
    isolation = sandbox.mode("auto")
    json_to = lambda name: ["--format", "json", "--output", str(tmp_path / f"{name}.json")]  # noqa: E731
    (checked, checked_out), (solved, _), (stubbed, _), (wrong, _) = _grade_in_turn(
        kit, ["dev", "check"],
        ["toy", "--solutions", "--isolation", "process", *json_to("solutions")],
        ["toy", "--isolation", isolation, *json_to("stubs")],
        ["toy", "--submission", str(mutant), "--isolation", isolation, *json_to("mutant")])
    assert (checked, checked_out.splitlines()[-1:]) == (0, ["dev check: everything agrees"]), checked_out

    result = json.loads((tmp_path / "solutions.json").read_text())
    assert solved == 0 and result["isolation"] == "process", [c["message"] for c in result["components"]]
    assert {c["id"]: c["status"] for c in result["components"]} == {"toy.double": "passed", "toy.mean": "passed"}

    result = json.loads((tmp_path / "stubs.json").read_text())
    assert stubbed == 1 and result["isolation"] == isolation
    assert result["source"]["stubs"] == ["toy/arith.py"]
    assert {c["id"]: c["status"] for c in result["components"]} == {"toy.double": "todo", "toy.mean": "todo"}

    by_id = {c["id"]: c for c in json.loads((tmp_path / "mutant.json").read_text())["components"]}
    assert wrong == 1 and by_id["toy.double"]["status"] == "passed"
    assert by_id["toy.mean"]["status"] == "failed", by_id["toy.mean"]
    assert by_id["toy.mean"]["mistake"] == {"id": "toy.mean.sum", "name": "the sum instead of the mean"}
