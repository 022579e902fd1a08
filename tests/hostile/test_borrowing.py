"""Issue 13: a component earns points only for code the student wrote, through the real `grade`
(CliRunner), with the sandbox and with the process fallback.

Every borrowing attack must earn nothing for the component that borrows and cost no other
component anything; honest learner code must still pass. One grading run per submission
serves every assertion about it (`harness.shared`).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from grader.engine import manifest
from hostile import harness
from hostile.harness import grade_json, messages, statuses
from hostile.borrow_attacks import BIGRAM_LEAK, BIGRAM_ONE_LINE, FILES, METHODS, NOTEBOOK_CELLS, PRELUDE, dedent_files
from hostile.honest_code import HONEST

ENGINE = "micrograd/engine.py"
ENGINE_IDS = [c.id for c in manifest.load()["micrograd"].components if c.file == ENGINE and not c.bonus]
WITNESSES = ["micrograd.gradcheck", "micrograd.backward", "micrograd.nn", "micrograd.train"]
COMPONENT_OF = {"Value.__add__": "micrograd.add", "Value.__mul__": "micrograd.mul", "Value.__pow__": "micrograd.pow",
                "Value.__neg__": "micrograd.neg_sub_div", "Value.exp": "micrograd.exp_log",
                "Value.tanh": "micrograd.tanh", "Value.relu": "micrograd.relu"}
FILE_READABLE = ("without a sandbox the worker reads whatever the judge's user reads (the kit's solutions); "
                 "what it loads at call time, or compiles under its own file name, the static provenance "
                 "check cannot see")
SITE_VISIBLE = ("without a sandbox the interpreter's and the judge's site-packages are on disk for the worker "
                "to put back on sys.path (or to run in another process): pure Python cannot be enforced")
PROCESS_ONLY = {"solutions-by-path": FILE_READABLE, "solutions-compiled-as-own": FILE_READABLE, "import-guard-removed": SITE_VISIBLE,
                "helper-process": SITE_VISIBLE}


# -- single methods borrowed ------------------------------------------------------------------

def _methods_submission(folder):
    judge_sites = [p for p in sys.path if p.endswith("site-packages")]
    fill = {"solutions_engine": str(harness.SOLUTIONS / ENGINE), "judge_sites": judge_sites,
            "judge_python": sys.executable}
    definitions = {method: code.format(**fill) for method, code in METHODS.values()}
    return harness.solution_submission(folder / "student", definitions={ENGINE: definitions},
                                       preludes={ENGINE: PRELUDE.format(**fill)}).parent


@pytest.fixture
def methods_run(request, tmp_path_factory):
    isolation = request.param

    def make(folder):
        attacked = [COMPONENT_OF[method] for method, _ in METHODS.values()]
        return grade_json(_methods_submission(folder), "micrograd", isolation, attacked + WITNESSES)
    return harness.shared(tmp_path_factory, f"borrow-methods-{isolation}", make)


def _attack_params():
    params = []
    for name in METHODS:
        for param in harness.isolations(process_xfail=PROCESS_ONLY.get(name)):
            params.append(pytest.param(name, param.values[0], marks=param.marks, id=f"{name}-{param.id}"))
    return params


@pytest.mark.parametrize(("attack", "methods_run"), _attack_params(), indirect=["methods_run"])
def test_a_borrowed_method_earns_nothing(attack, methods_run):
    component = COMPONENT_OF[METHODS[attack][0]]
    assert statuses(methods_run)[component] in ("failed", "error"), messages(methods_run)[component]
    assert messages(methods_run)[component]  # says why


@pytest.mark.parametrize("methods_run", harness.isolations(), indirect=True)
def test_borrowing_in_some_methods_costs_the_others_nothing(methods_run):
    assert methods_run["code"] == 1
    attacked = [COMPONENT_OF[method] for method, _ in METHODS.values()]
    harness.assert_well_formed(methods_run["result"], "micrograd", set(attacked + WITNESSES))
    assert {c: statuses(methods_run)[c] for c in WITNESSES} == {c: "passed" for c in WITNESSES}


@pytest.mark.parametrize("methods_run", harness.isolations(), indirect=True)
def test_the_messages_say_what_was_used(methods_run):
    said = messages(methods_run)
    assert "grader's own code" in said["micrograd.add"] or "withholds" in said["micrograd.add"], said["micrograd.add"]
    assert "withholds" in said["micrograd.tanh"] or "grader's own" in said["micrograd.tanh"], said["micrograd.tanh"]


# -- whole files ------------------------------------------------------------------------------

EXPECT_FILES = {
    # file attack -> (components graded, which of them must pass)
    "one-line-engine": (ENGINE_IDS + ["micrograd.nn"], ["micrograd.nn"]),
    "subclass-of-the-reference": (ENGINE_IDS, []),
    "solutions-by-path-at-import": (ENGINE_IDS, []),
    "only-add-written": (ENGINE_IDS, ["micrograd.add"]),
    # + and * are checked for their own node (`_prev` holds the operands): written as other ops
    # they fail; - and / written from + and negation are the lecture's compositions and pass.
    "circular-ops": (["micrograd.add", "micrograd.mul", "micrograd.neg_sub_div"], ["micrograd.neg_sub_div"]),
}
@pytest.fixture
def file_run(request, tmp_path_factory):
    name, isolation = request.param

    def make(folder):
        files = {rel: text.format(solutions_engine=str(harness.SOLUTIONS / ENGINE)) for rel, text in FILES[name].items()}
        exercises = harness.solution_submission(folder / "student", files=dedent_files(files))
        return grade_json(exercises.parent, "micrograd", isolation, EXPECT_FILES[name][0])
    return {"name": name, **harness.shared(tmp_path_factory, f"borrow-file-{name}-{isolation}", make)}


def _file_params():
    params = []
    for name in FILES:
        for param in harness.isolations():
            params.append(pytest.param((name, param.values[0]), marks=param.marks, id=f"{name}-{param.id}"))
    return params


@pytest.mark.parametrize("file_run", _file_params(), indirect=True)
def test_a_borrowed_file_earns_only_what_its_own_code_does(file_run):
    graded, must_pass = EXPECT_FILES[file_run["name"]]
    harness.assert_well_formed(file_run["result"], "micrograd", set(graded))
    got = statuses(file_run)
    assert [c for c in graded if got[c] == "passed"] == must_pass, (got, messages(file_run))
    for component in graded:
        if component not in must_pass:
            assert messages(file_run)[component], component


# -- a notebook's decorator -------------------------------------------------------------------

@pytest.fixture
def notebook_run(request, tmp_path_factory):
    isolation = request.param

    def make(folder):
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(dedent_files({"": cell})[""]) for cell in NOTEBOOK_CELLS]
        path = folder / "micrograd.ipynb"
        nbformat.write(notebook, str(path))
        return grade_json(path, "micrograd", isolation, ENGINE_IDS)
    return harness.shared(tmp_path_factory, f"borrow-notebook-{isolation}", make)


@pytest.mark.parametrize("notebook_run", harness.isolations(), indirect=True)
def test_a_notebook_decorator_grafting_reference_ops_earns_only_its_own_add(notebook_run):
    harness.assert_well_formed(notebook_run["result"], "micrograd", set(ENGINE_IDS))
    got = statuses(notebook_run)
    assert [c for c in ENGINE_IDS if got[c] == "passed"] == ["micrograd.add"], got


# -- links into the kit -----------------------------------------------------------------------

@pytest.fixture
def link_run(request, tmp_path_factory):
    kind, isolation = request.param

    def make(folder):
        exercises = harness.solution_submission(folder / "student")
        if kind == "file":
            (exercises / ENGINE).unlink()
            (exercises / ENGINE).symlink_to(harness.SOLUTIONS / ENGINE)
        else:
            shutil.rmtree(exercises / "micrograd")
            (exercises / "micrograd").symlink_to(harness.SOLUTIONS / "micrograd", target_is_directory=True)
        return grade_json(exercises.parent, "micrograd", isolation, ["micrograd.add", "micrograd.nn"])
    return {"kind": kind, **harness.shared(tmp_path_factory, f"borrow-link-{kind}-{isolation}", make)}


def _link_params():
    return [pytest.param((kind, p.values[0]), marks=p.marks, id=f"{kind}-{p.id}")
            for kind in ("file", "folder") for p in harness.isolations()]


@pytest.mark.parametrize("link_run", _link_params(), indirect=True)
def test_exercise_files_linked_into_the_kit_are_not_graded(link_run):
    harness.assert_well_formed(link_run["result"], "micrograd", {"micrograd.add", "micrograd.nn"})
    got = statuses(link_run)
    assert got["micrograd.add"] != "passed"
    # A linked engine.py costs nn.py nothing (it runs on the grader's engine); a linked folder
    # is the whole micrograd package, nn.py included.
    assert got["micrograd.nn"] == ("passed" if link_run["kind"] == "file" else "error"), got
    said = messages(link_run)["micrograd.add"]
    assert "no file exercises/micrograd/engine.py" in said or "no folder exercises/micrograd/" in said, said


# -- bigram -----------------------------------------------------------------------------------

BIGRAM = "makemore/bigram.py"
BIGRAM_IDS = [c.id for c in manifest.load()["bigram"].components]
SHARED_TMP = ("without a sandbox, the workers of one submission run as one user on one machine: a worker "
              "writes out the stand-ins it holds (every answer but its own) and a later one compiles them as "
              "its own file. In the sandbox, a component's worker is gone, with all it left running or "
              "wrote, before the next component's code runs")


@pytest.fixture
def bigram_run(request, tmp_path_factory):
    kind, isolation = request.param

    def make(folder):
        exercises = harness.copy_tree(harness.EXERCISES, folder / "student" / "exercises")
        path = exercises / BIGRAM
        if kind == "one-line":
            path.write_text(BIGRAM_ONE_LINE)
        else:
            path.write_text(path.read_text() + BIGRAM_LEAK)
        try:
            return grade_json(exercises.parent, "bigram", isolation)
        finally:
            for leaked in Path("/tmp").glob("leak-bigram.*"):  # the fallback's /tmp is the machine's
                leaked.unlink(missing_ok=True)
    return {"kind": kind, **harness.shared(tmp_path_factory, f"borrow-bigram-{kind}-{isolation}", make)}


def _bigram_params():
    params = [pytest.param(("one-line", p.values[0]), marks=p.marks, id=f"one-line-{p.id}")
              for p in harness.isolations()]
    params += [pytest.param(("leak", p.values[0]), marks=p.marks, id=f"leak-between-workers-{p.id}")
               for p in harness.isolations(process_xfail=SHARED_TMP)]
    return params


@pytest.mark.parametrize("bigram_run", _bigram_params(), indirect=True)
def test_bigram_borrowed_from_the_grader_earns_nothing(bigram_run):
    harness.assert_well_formed(bigram_run["result"], "bigram")
    got = statuses(bigram_run)
    assert [c for c in BIGRAM_IDS if got[c] == "passed"] == [], got
    if bigram_run["kind"] == "one-line":
        assert all("may not use the grader's" in m for m in messages(bigram_run).values()), messages(bigram_run)


# -- honest learner code ----------------------------------------------------------------------

@pytest.fixture
def honest_run(request, tmp_path_factory):
    name, isolation = request.param

    def make(folder):
        exercises = harness.solution_submission(folder / "student", files=dedent_files(HONEST[name]))
        return grade_json(exercises.parent, "micrograd", isolation, ENGINE_IDS + ["micrograd.deep_graphs"])
    return {"name": name, **harness.shared(tmp_path_factory, f"honest-{name}-{isolation}", make)}


@pytest.mark.parametrize("honest_run", [pytest.param((n, p.values[0]), marks=p.marks, id=f"{n}-{p.id}")
                                        for n in HONEST for p in harness.isolations()], indirect=True)
def test_honest_learner_code_passes(honest_run):
    assert honest_run["code"] == 0, honest_run["output"]
    assert set(statuses(honest_run).values()) == {"passed"}, messages(honest_run)
