"""Tests for grader/pictures.py: micrograd graphs and lecture 4's diagnostics, headless."""
from __future__ import annotations

import os
import runpy

import pytest

pytest.importorskip("matplotlib")
os.environ.setdefault("MPLBACKEND", "Agg")

from conftest import EXERCISES, SOLUTIONS  # noqa: E402
from grader.pictures import (  # noqa: E402
    MAX_NODES, PictureError, batchnorm_diagnostics_from_exercises, draw_expression_from_engine, draw_graph,
    graph_layout, plot_batchnorm_diagnostics,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NAMES = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper", "evelyn",
         "abigail", "emily", "elizabeth", "mila", "ella", "avery", "sofia", "camila", "aria", "scarlett"] * 3
BATCHNORM = SOLUTIONS / "makemore" / "batchnorm.py"


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > len(PNG_SIGNATURE), f"{path} is not a PNG"


@pytest.fixture(scope="module")
def Value():
    # The solutions' engine, loaded without touching sys.modules (other tests import `micrograd`).
    return runpy.run_path(str(SOLUTIONS / "micrograd" / "engine.py"))["Value"]


def learner_engine(tmp_path, body: str):
    exercises = tmp_path / "student" / "exercises"
    (exercises / "micrograd").mkdir(parents=True)
    (exercises / "micrograd" / "__init__.py").write_text("")
    (exercises / "micrograd" / "engine.py").write_text(body)
    return exercises


def test_draw_graph_writes_a_png(tmp_path, Value):
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + 1).tanh()
    c.backward()
    assert_png(draw_graph(c, tmp_path / "graph.png"))


def test_a_node_used_twice_is_drawn_once(tmp_path, Value):
    a = Value(3.0, label="a")
    b = a * a  # a appears once in b's _prev (a set) ...
    c = b + a  # ... and feeds c as well
    c.backward()
    nodes, edges, depth = graph_layout(c)
    assert sum(n is a for n in nodes) == 1 and len(nodes) == 3  # a, b, c: no copies
    assert sorted(p for child, p in edges if child == id(a)) == sorted([id(b), id(c)])
    assert depth[id(a)] == 2  # the longest way to the output: every edge points left to right
    assert_png(draw_graph(c, tmp_path / "twice.png"))


def test_a_graph_too_large_to_draw_is_refused_clearly(tmp_path, Value):
    x = Value(1.0)
    for _ in range(MAX_NODES + 10):
        x = x + 1  # deeper than pictures need, but no recursion either way
    with pytest.raises(PictureError, match="too many to draw"):
        draw_graph(x, tmp_path / "big.png")


def test_draw_expression_with_the_solutions_engine(tmp_path):
    out = draw_expression_from_engine(SOLUTIONS, "a = Value(2.0); b = Value(-3.0); c = a*b + 1; c.backward(); root = c",
                                      tmp_path / "expr.png")
    assert out == tmp_path / "expr.png"
    assert_png(out)


def test_a_learner_engine_that_raises_gives_a_clear_error(tmp_path):
    exercises = learner_engine(tmp_path, (
        "class Value:\n"
        "    def __init__(self, data, _children=(), _op='', label=''):\n"
        "        self.data, self.grad, self._prev, self._op = data, 0.0, set(_children), _op\n"
        "    def __mul__(self, other):\n"
        "        raise ValueError('boom in mul')\n"))
    expected = r"raised while evaluating.*ValueError: boom in mul \(at micrograd/engine.py line 5\)"
    with pytest.raises(PictureError, match=expected):
        draw_expression_from_engine(exercises, "root = Value(2.0) * Value(3.0)", tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_the_untouched_stubs_say_what_to_write(tmp_path):
    with pytest.raises(PictureError, match="TODO micrograd"):
        draw_expression_from_engine(EXERCISES, out=tmp_path / "x.png")


@pytest.mark.parametrize("body, message", [
    ("class Value(:\n", "could not import micrograd.engine"),
    ("import sys\nsys.exit(3)\n", "exit status 3"),
])
def test_a_broken_engine_module_is_reported(tmp_path, body, message):
    with pytest.raises(PictureError, match=message):
        draw_expression_from_engine(learner_engine(tmp_path, body), out=tmp_path / "x.png")


def test_a_learner_engine_that_hangs_is_stopped(tmp_path):
    exercises = learner_engine(tmp_path, "while True:\n    pass\n")
    with pytest.raises(PictureError, match="took more than 3 s"):
        draw_expression_from_engine(exercises, out=tmp_path / "x.png", timeout=3)


@pytest.mark.skipif(not BATCHNORM.is_file(), reason="no batchnorm solutions yet")
def test_batchnorm_diagnostics_from_the_solutions(tmp_path):
    paths = batchnorm_diagnostics_from_exercises(SOLUTIONS, tmp_path / "plots", NAMES, steps=5)
    assert [p.name for p in paths] == ["batchnorm_activations.png", "batchnorm_gradients.png",
                                       "batchnorm_update_ratios.png"]
    for path in paths:
        assert path.parent == tmp_path / "plots"
        assert_png(path)


@pytest.mark.skipif(not BATCHNORM.is_file(), reason="no batchnorm stubs yet")
def test_batchnorm_diagnostics_with_the_stubs_say_what_to_write(tmp_path):
    with pytest.raises(PictureError, match="TODO batchnorm"):
        batchnorm_diagnostics_from_exercises(EXERCISES, tmp_path, NAMES, steps=2)


@pytest.mark.skipif(not BATCHNORM.is_file(), reason="no batchnorm solutions yet")
def test_plots_without_gradients_or_ratios_are_skipped(tmp_path):
    torch = pytest.importorskip("torch")
    bn = runpy.run_path(str(BATCHNORM))
    layers = [bn["Linear"](4, 8), bn["Tanh"](), bn["Linear"](8, 3), bn["Tanh"]()]
    x = torch.randn(16, 4)
    for layer in layers:
        x = layer(x)
    paths = plot_batchnorm_diagnostics(layers, tmp_path / "diag")
    assert paths == [tmp_path / "diag_activations.png"]
    assert_png(paths[0])
    ratios = [[-3.0, float("nan")], [-2.5, -3.5]]
    paths = plot_batchnorm_diagnostics(layers, tmp_path / "diag", ratios=ratios, ratio_labels=["W1"])
    assert [p.name for p in paths] == ["diag_activations.png", "diag_update_ratios.png"]

