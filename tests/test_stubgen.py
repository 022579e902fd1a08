"""Tests for grader/authoring/stubgen.py and for the micrograd solutions and stubs it is run on."""
from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.authoring import stubgen
from grader.authoring.stubgen import MarkerError, check, generate, write

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
MICROGRAD_FILES = ["engine.py", "nn.py", "train.py", "gradcheck.py"]
BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION (\S+?)(?::\s*(.*))?$")


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def todo_line(indent: str, component: str, instruction: str) -> str:
    # json.dumps quotes an ASCII string exactly as a Python double-quoted literal would.
    return f"{indent}raise NotImplementedError({json.dumps(f'TODO {component}: {instruction}')})"


def blocks(text: str) -> list[tuple[int, str, str, str | None]]:
    """(BEGIN line number, indent, component id, instruction) of every block in a solution file."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        m = BEGIN.match(line)
        if m:
            found.append((number, m.group(1), m.group(2), m.group(3)))
    return found


# --- the committed stubs ---------------------------------------------------------------------

def test_committed_exercises_are_exactly_the_generated_stubs():
    stubs = generate(SOLUTIONS, EXERCISES)
    assert set(stubs) >= {f"micrograd/{name}" for name in MICROGRAD_FILES + ["__init__.py"]}
    for rel, text in stubs.items():
        assert (EXERCISES / rel).read_text(encoding="utf-8") == text, rel
    assert check(SOLUTIONS, EXERCISES) == []


def test_cli_check_passes_on_the_repository():
    result = subprocess.run([sys.executable, "-m", "grader.authoring.stubgen", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_solution_block_becomes_one_todo_line_and_no_solution_code_leaks():
    for rel, stub in generate(SOLUTIONS).items():
        source = (SOLUTIONS / rel).read_text(encoding="utf-8")
        assert "SOLUTION" not in stub, rel
        for _, indent, component, instruction in blocks(source):
            line = todo_line(indent, component, instruction or stubgen.DEFAULT_INSTRUCTION)
            assert line + "\n" in stub, (rel, line)
        assert stub.count("raise NotImplementedError(") == len(blocks(source)), rel


# --- generation on synthetic trees -------------------------------------------------------------

SYNTHETIC = {
    "micrograd/__init__.py": "",
    "micrograd/ops.py": '''\
        """Module docstring."""
        import math


        class Thing:
            """Class docstring."""

            def __init__(self, x):
                self.x = x

            def double(self):
                """Twice x."""
                # BEGIN SOLUTION demo.double: return 2 * self.x
                y = self.x
                return y + y
                # END SOLUTION

            def nested(self, n):
                """Loops."""
                total = 0
                for i in range(n):
                    if i % 2:
                        # BEGIN SOLUTION demo.nested
                        total += i
                        # END SOLUTION
                return total


        def free(x):
            """A free function."""
            # BEGIN SOLUTION demo.free: say "hi" \\ then return x
            return math.sqrt(x)
            # END SOLUTION
        ''',
    "makemore/bigram.py": '''\
        def build_vocab(words):
            """Vocabulary."""
            # BEGIN SOLUTION bigram.vocab: build stoi and itos
            chars = sorted(set("".join(words)))
            return chars
            # END SOLUTION
        ''',
    "makemore/plain.py": "X = 1  # no markers here\n",
    "makemore/notes.txt": "# BEGIN SOLUTION not python, ignored\n",
    "makemore/__pycache__/junk.py": "# BEGIN SOLUTION\n",
}


def test_generate_replaces_blocks_and_copies_the_rest(tmp_path):
    sol = make_tree(tmp_path / "solutions", SYNTHETIC)
    out = tmp_path / "exercises"
    stubs = generate(sol, out)
    assert set(stubs) == {"micrograd/__init__.py", "micrograd/ops.py", "makemore/bigram.py", "makemore/plain.py"}
    assert not out.exists(), "generate must not write anything"

    for rel, stub in stubs.items():
        source = (sol / rel).read_text()
        # Expected: the source with each block's lines replaced by its TODO line.
        expected, inside = [], False
        for line in source.splitlines(keepends=True):
            m = BEGIN.match(line.rstrip("\n"))
            if m:
                expected.append(todo_line(m.group(1), m.group(2), m.group(3) or stubgen.DEFAULT_INSTRUCTION) + "\n")
                inside = True
            elif line.strip() == "# END SOLUTION":
                inside = False
            elif not inside:
                expected.append(line)
        assert stub == "".join(expected), rel
        compile(stub, rel, "exec")
    assert stubs["makemore/plain.py"] == (sol / "makemore/plain.py").read_text()
    assert stubs["micrograd/__init__.py"] == ""


def test_generated_synthetic_stub_raises_with_the_id_and_instruction(tmp_path):
    sol = make_tree(tmp_path / "solutions", SYNTHETIC)
    namespace: dict = {}
    exec(compile(generate(sol)["micrograd/ops.py"], "ops.py", "exec"), namespace)
    thing = namespace["Thing"](3)
    assert namespace["Thing"].double.__doc__ == "Twice x."
    with pytest.raises(NotImplementedError, match=r"^TODO demo\.double: return 2 \* self\.x$"):
        thing.double()
    assert thing.nested(1) == 0  # code around a block still runs
    with pytest.raises(NotImplementedError, match=r"^TODO demo\.nested: "):
        thing.nested(2)
    with pytest.raises(NotImplementedError) as info:
        namespace["free"](4.0)
    assert str(info.value) == 'TODO demo.free: say "hi" \\ then return x'


def test_line_endings_are_preserved(tmp_path):
    source = "def f():\r\n    # BEGIN SOLUTION a.b: do it\r\n    return 1\r\n    # END SOLUTION\r\nX = 2\r\n"
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "m.py").write_bytes(source.encode())
    stub = generate(tmp_path / "s")["m.py"]
    assert stub == 'def f():\r\n' + todo_line("    ", "a.b", "do it") + "\r\nX = 2\r\n"


def test_write_then_check_and_the_command_line(tmp_path):
    sol = make_tree(tmp_path / "solutions", SYNTHETIC)
    ex = tmp_path / "exercises"
    cli = [sys.executable, "-m", "grader.authoring.stubgen", "--root", str(tmp_path)]

    result = subprocess.run(cli + ["--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "missing: exercises/micrograd/ops.py" in result.stdout

    assert sorted(rel for _, rel in write(sol, ex)) == sorted(generate(sol))
    assert check(sol, ex) == []
    assert write(sol, ex) == []  # nothing left to do

    (ex / "micrograd/ops.py").write_text("edited by hand\n")
    (ex / "micrograd/stale.py").write_text("\n")
    (ex / "makemore/bigram.py").unlink()
    (ex / "makemore/README.md").write_text("non-.py files are not stubgen's business\n")
    expected = [("missing", "makemore/bigram.py"), ("differs", "micrograd/ops.py"), ("extra", "micrograd/stale.py")]
    assert check(sol, ex) == expected
    result = subprocess.run(cli + ["--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    for problem, rel in expected:
        assert f"{problem}: exercises/{rel}" in result.stdout

    result = subprocess.run(cli, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert check(sol, ex) == []
    assert not (ex / "micrograd/stale.py").exists()
    assert (ex / "makemore/README.md").exists()
    assert subprocess.run(cli + ["--check"], cwd=ROOT, capture_output=True).returncode == 0


BAD_MARKERS = {
    "unclosed": ("def f():\n    # BEGIN SOLUTION a.b\n    return 1\n", 2, "never closed"),
    "nested": ("def f():\n    # BEGIN SOLUTION a.b\n    # BEGIN SOLUTION a.c\n    return 1\n"
               "    # END SOLUTION\n    # END SOLUTION\n", 3, "nested"),
    "no id": ("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n", 2, "component id"),
    "instruction only": ("def f():\n    # BEGIN SOLUTION : do it\n    return 1\n    # END SOLUTION\n", 2, "component id"),
    "bad id": ("def f():\n    # BEGIN SOLUTION a-b: x\n    return 1\n    # END SOLUTION\n", 2, "component id"),
    "stray end": ("def f():\n    return 1\n    # END SOLUTION\n", 3, "without a BEGIN"),
    "malformed": ("def f():\n    #BEGIN SOLUTION a.b\n    return 1\n", 2, "malformed"),
    "not alone": ("def f():\n    return 1  # BEGIN SOLUTION a.b\n", 2, "malformed"),
}


@pytest.mark.parametrize("case", sorted(BAD_MARKERS))
def test_bad_markers_name_the_file_and_line(tmp_path, case):
    text, line, words = BAD_MARKERS[case]
    sol = make_tree(tmp_path / "solutions", {"makemore/ok.py": "X = 1\n", "makemore/bad.py": text})
    with pytest.raises(MarkerError, match=words) as info:
        generate(sol)
    assert f"{sol / 'makemore' / 'bad.py'}:{line}:" in str(info.value)
    result = subprocess.run([sys.executable, "-m", "grader.authoring.stubgen", "--root", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and f"bad.py:{line}:" in result.stderr
    assert not (tmp_path / "exercises").exists(), "nothing is written when a marker is bad"


def test_a_stub_that_would_not_compile_is_an_error(tmp_path):
    # A block that opens a compound statement leaves the stub without its body.
    text = "def f(x):\n    # BEGIN SOLUTION a.b\n    if x:\n    # END SOLUTION\n        return 1\n"
    sol = make_tree(tmp_path / "s", {"m.py": text})
    with pytest.raises(SyntaxError):
        generate(sol)


# --- the micrograd stubs: importable, every TODO raises with its id -----------------------------

@pytest.fixture
def import_from():
    """Import `micrograd.*` from a given folder, then forget it again."""
    def forget():
        for name in [n for n in sys.modules if n == "micrograd" or n.startswith("micrograd.")]:
            del sys.modules[name]

    def load(folder: Path, module: str):
        forget()
        sys.path.insert(0, str(folder))
        try:
            return importlib.import_module(module)
        finally:
            sys.path.remove(str(folder))

    yield load
    forget()


def marked_functions(path: Path) -> list[tuple[str, str]]:
    """(qualified name, component id) of every function holding a block in a solution file."""
    text = path.read_text(encoding="utf-8")
    begin_lines = {number: component for number, _, component, _ in blocks(text)}
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            elif isinstance(child, ast.FunctionDef):
                for number, component in begin_lines.items():
                    if child.lineno < number <= child.end_lineno:
                        found.append((prefix + child.name, component))
    visit(ast.parse(text), "")
    assert len(found) == len(begin_lines), "every block lies in a function"
    return found


def call_with_dummies(module, qualname: str):
    owner_name, _, name = qualname.rpartition(".")
    if owner_name:
        cls = getattr(module, owner_name)
        func = getattr(cls, name)
        params = list(inspect.signature(func).parameters.values())[1:]
        args = [object.__new__(cls)]
    else:
        func = getattr(module, name)
        params = list(inspect.signature(func).parameters.values())
        args = []
    args += [1.0 for p in params if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    return func(*args)


@pytest.mark.parametrize("name", MICROGRAD_FILES)
def test_micrograd_stubs_import_and_each_todo_names_its_component(import_from, name):
    module = import_from(EXERCISES, f"micrograd.{name[:-3]}")
    assert Path(module.__file__).resolve() == (EXERCISES / "micrograd" / name).resolve()
    todos = marked_functions(SOLUTIONS / "micrograd" / name)
    assert todos
    for qualname, component in todos:
        with pytest.raises(NotImplementedError) as info:
            call_with_dummies(module, qualname)
        assert str(info.value).startswith(f"TODO {component}:"), (qualname, str(info.value))
        func = functools.reduce(getattr, qualname.split("."), module)
        assert inspect.getdoc(func), f"{qualname} lost its docstring"


def test_micrograd_stubs_fail_where_a_learner_would_look(import_from):
    engine = import_from(EXERCISES, "micrograd.engine")
    a = engine.Value(2.0)
    assert (a.data, a.grad, a._prev, a._op) == (2.0, 0.0, set(), "")
    cases = {
        "micrograd.add": lambda: sum([a, a]),
        "micrograd.mul": lambda: 2 * a,
        "micrograd.pow": lambda: a ** 2,
        "micrograd.neg_sub_div": lambda: 1 - a,
        "micrograd.exp_log": lambda: a.log(),
        "micrograd.tanh": lambda: a.tanh(),
        "micrograd.relu": lambda: a.relu(),
        "micrograd.backward": lambda: a.backward(),
    }
    for component, call in cases.items():
        with pytest.raises(NotImplementedError, match=f"^TODO {re.escape(component)}:"):
            call()
    nn = import_from(EXERCISES, "micrograd.nn")
    with pytest.raises(NotImplementedError, match=r"^TODO micrograd\.nn:"):
        nn.MLP(3, [4, 1])
    assert nn.Module().parameters() == []


def test_the_solutions_pass_a_quick_smoke_test(import_from):
    engine = import_from(SOLUTIONS, "micrograd.engine")
    a, b = engine.Value(2.0), engine.Value(3.0)
    out = (a * b + 1 - a / b).tanh() + (a ** 2).exp().log() + (-b).relu()
    out.backward()
    assert a.grad != 0 and b.grad != 0


@pytest.mark.parametrize("folder", [SOLUTIONS, EXERCISES])
def test_micrograd_is_pure_python(folder):
    for name in MICROGRAD_FILES:
        tree = ast.parse((folder / "micrograd" / name).read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
        assert imported <= {"math", "random", "micrograd"}, (name, imported)
        assert not {"torch", "numpy"} & imported
