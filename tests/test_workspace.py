"""`grade init` (a workspace without a clone) and `grade reset` (one exercise back to its stub)."""
from __future__ import annotations

import json
import shutil
import subprocess
import threading

import pytest
from click.testing import CliRunner

from conftest import EXERCISES, SOLUTIONS
from grader.engine import progress
from grader.authoring import stubgen
from grader.cli import main
from grader.authoring.notebook_build import build_notebook, notebook_text


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    result = run("init", str(tmp_path / "ws"))
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "ws")
    return tmp_path / "ws"


def test_init_writes_the_stubs_the_notebooks_and_a_readme(tmp_path):
    result = run("init", str(tmp_path / "ws"))
    assert result.exit_code == 0, result.output
    ws = tmp_path / "ws"
    stubs = stubgen.generate(SOLUTIONS)
    for rel, text in stubs.items():
        assert (ws / "exercises" / rel).read_text() == text, rel
        assert (EXERCISES / rel).read_text() == text  # the same stubs a clone has
    for module in ("micrograd", "bigram", "mlp", "batchnorm"):
        written = (ws / "exercises" / "notebooks" / f"{module}.ipynb").read_text()
        assert written == notebook_text(build_notebook(module, EXERCISES))
    readme = (ws / "README.md").read_text()
    assert "grade micrograd" in readme and "grade reset" in readme and 'check("micrograd.mul")' in readme
    assert "grade init" in (ws / ".zero-to-hero").read_text()  # the mark every command finds it by
    assert "Next: cd" in result.output


def test_init_refuses_a_folder_that_holds_exercises_and_writes_nothing(workspace):
    engine = workspace / "exercises" / "micrograd" / "engine.py"
    engine.write_text("# my work\n")
    (workspace / "exercises" / "notebooks" / "bigram.ipynb").unlink()
    result = run("init", str(workspace))
    assert result.exit_code == 2 and "already holds exercises" in result.output
    assert engine.read_text() == "# my work\n"
    assert not (workspace / "exercises" / "notebooks" / "bigram.ipynb").exists()  # not even missing files


def test_init_keeps_a_readme_that_is_there(tmp_path):
    (tmp_path / "README.md").write_text("my notes\n")
    assert run("init", str(tmp_path)).exit_code == 0
    assert (tmp_path / "README.md").read_text() == "my notes\n"
    assert (tmp_path / "exercises" / "micrograd" / "engine.py").is_file()


def test_every_command_works_in_a_workspace(workspace):
    shutil.copy(SOLUTIONS / "micrograd" / "gradcheck.py", workspace / "exercises" / "micrograd" / "gradcheck.py")
    result = run("micrograd", "-c", "micrograd.gradcheck", "-c", "micrograd.add")
    assert "✓ micrograd.gradcheck" in result.output and "· micrograd.add" in result.output
    assert progress.load(workspace)["modules"]["micrograd"]["components"]["micrograd.gradcheck"] == "passed"
    assert "done    micrograd.gradcheck" in run("list").output
    assert "hint 1 of" in run("hint", "micrograd.add").output
    assert progress.load(workspace)["hints"]["micrograd.add"] == 1


def test_reset_puts_back_one_component_and_keeps_the_rest(workspace):
    engine = workspace / "exercises" / "micrograd" / "engine.py"
    shutil.copy(SOLUTIONS / "micrograd" / "engine.py", engine)
    solved = engine.read_text()

    answer_no = run("reset", "micrograd.mul", input="n\n")
    assert "Value.__mul__, Value.__rmul__" in answer_no.output and "Nothing changed" in answer_no.output
    assert engine.read_text() == solved

    result = run("reset", "micrograd.mul", "--yes")
    assert result.exit_code == 0, result.output
    text = engine.read_text()
    assert 'raise NotImplementedError("TODO micrograd.mul: return a new Value for self * other' in text
    assert 'raise NotImplementedError("TODO micrograd.mul: return other * self' in text
    assert "TODO micrograd.add" not in text and "self.data + other.data" in text  # __add__ stays solved
    backups = list((workspace / ".grade" / "backup").iterdir())
    assert [b.read_text() for b in backups] == [solved]

    graded = json.loads(run("micrograd", "-c", "micrograd.add", "-c", "micrograd.mul", "--format", "json").output)
    assert {c["id"]: c["status"] for c in graded["components"]} == {"micrograd.add": "passed", "micrograd.mul": "todo"}


def test_reset_adds_back_a_deleted_method_into_its_class(workspace):
    engine = workspace / "exercises" / "micrograd" / "engine.py"
    solved = (SOLUTIONS / "micrograd" / "engine.py").read_text()
    start = solved.index("    def __rmul__")
    end = solved.index("    def ", start + 10)
    engine.write_text(solved[:start] + solved[end:])
    result = run("reset", "micrograd.mul", "--yes")
    assert result.exit_code == 0 and "Value.__rmul__ missing, so added back" in result.output
    namespace = {}
    exec(compile(engine.read_text(), "engine.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="TODO micrograd.mul"):
        2 * namespace["Value"](3.0)


def test_reset_of_a_file_that_does_not_parse_offers_the_whole_file(workspace):
    nn = workspace / "exercises" / "micrograd" / "nn.py"
    nn.write_text("class Neuron(:\n")
    result = run("reset", "micrograd.nn", "--yes")
    assert result.exit_code == 2 and "does not parse" in result.output and "--whole-file" in result.output
    assert run("reset", "micrograd.nn", "--yes", "--whole-file").exit_code == 0
    assert nn.read_text() == (EXERCISES / "micrograd" / "nn.py").read_text()


def test_reset_outside_a_workspace_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("reset", "micrograd.mul", "--yes")
    assert result.exit_code == 2 and "grade init" in result.output


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    from installed_kit import install_kit

    return install_kit(tmp_path_factory.mktemp("installed"))


def test_a_pip_only_install_can_init_solve_grade_and_reset(installed, tmp_path):
    from installed_kit import grade

    site = installed.parent.parent / "lib"
    assert not list(site.rglob("solutions")), "the solutions must never ship"
    assert grade(installed, "init", "ws", cwd=tmp_path).returncode == 0
    ws = tmp_path / "ws"
    assert (ws / "exercises" / "micrograd" / "engine.py").read_text() == (EXERCISES / "micrograd" / "engine.py").read_text()
    assert (ws / "exercises" / "notebooks" / "micrograd.ipynb").is_file()

    shutil.copy(SOLUTIONS / "micrograd" / "engine.py", ws / "exercises" / "micrograd" / "engine.py")
    graded = grade(installed, "micrograd", "-c", "micrograd.add", "-c", "micrograd.mul", cwd=ws / "exercises")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "✓ micrograd.add" in graded.stdout and "✓ micrograd.mul" in graded.stdout
    assert progress.load(ws)["modules"]["micrograd"]["components"]["micrograd.mul"] == "passed"
    assert "hint 1 of" in grade(installed, "hint", "micrograd.mul", cwd=ws).stdout

    watching = subprocess.Popen([str(installed), "-c", "from grader.cli import main; main()", "micrograd", "--watch",
                                 "-c", "micrograd.pow"], cwd=ws, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(120, watching.kill)  # a hang fails the test instead of blocking it
    watchdog.start()
    lines = []
    try:
        for line in watching.stdout:  # the first report is enough
            lines.append(line)
            if "(seed" in line:
                break
    finally:
        watchdog.cancel()
        watching.kill()
        watching.wait()
    assert any("✓ micrograd.pow" in line for line in lines)
    assert progress.load(ws)["modules"]["micrograd"]["components"]["micrograd.pow"] == "passed"

    assert grade(installed, "reset", "micrograd.mul", cwd=ws, input="y\n").returncode == 0
    again = grade(installed, "micrograd", "-c", "micrograd.add", "-c", "micrograd.mul", "--format", "json", cwd=ws)
    assert {c["id"]: c["status"] for c in json.loads(again.stdout)["components"]} == {
        "micrograd.add": "passed", "micrograd.mul": "todo"}
    assert grade(installed, "init", ".", cwd=ws).returncode == 2  # never over the learner's work

    # check() from a notebook of a pip-only install: its cells are split by the shipped stubs
    cells = f"[open({str(SOLUTIONS / 'micrograd' / 'engine.py')!r}).read()]"
    checked = subprocess.run([str(installed), "-c", f"from grader import check; r = check('micrograd.mul', "
                              f"sources={cells}); print(r.passed, type(r).__module__)"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert checked.stdout.split() == ["True", "grader.learner.notebook_check"], checked.stderr
