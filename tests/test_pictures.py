"""Tests for grader/learner/pictures.py: micrograd graphs and lecture 4's diagnostics, headless."""
from __future__ import annotations

import os
import re
import runpy
import shutil
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
os.environ.setdefault("MPLBACKEND", "Agg")

from conftest import EXERCISES, SOLUTIONS  # noqa: E402
from grader.learner import pictures  # noqa: E402
from grader.learner.pictures import (  # noqa: E402
    MAX_NODES, PictureError, batchnorm_diagnostics_from_exercises, draw_expression_from_engine, draw_graph,
    graph_layout, plot_batchnorm_diagnostics,
)
from grader.learner.pictures_graph import BOX_H, layout, to_dot  # noqa: E402

HAS_DOT = shutil.which("dot") is not None

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


def neuron(Value):
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    total = x1w1 + x2w2
    total.label = "x1*w1 + x2*w2"
    o = (total + b).tanh()
    o.backward()
    return o, total


@pytest.mark.parametrize("renderer", ["matplotlib", pytest.param("dot", marks=pytest.mark.skipif(
    not HAS_DOT, reason="Graphviz's dot is not installed"))])
def test_draw_graph_writes_a_png_with_either_renderer(tmp_path, Value, renderer):
    o, _ = neuron(Value)
    assert_png(draw_graph(o, tmp_path / "graph.png", renderer=renderer))


def test_the_dot_text_is_the_lectures_draw_dot(Value):
    o, total = neuron(Value)
    text = to_dot(o)
    assert "rankdir=LR" in text and text.count("shape=record") == 10  # one record per Value
    assert f'"{id(total)}" [label="{{ x1*w1 + x2*w2 | data -6.0000 | grad 0.5000 }}", shape=record];' in text
    assert f'"{id(total)}op" [label="+"];' in text and f'"{id(total)}op" -> "{id(total)}";' in text
    assert text.count('[label="+"]') == 2 and text.count('[label="*"]') == 2 and text.count('[label="tanh"]') == 1


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")
def test_labels_with_record_characters_are_escaped_for_dot(tmp_path, Value):
    a = Value(1.0, label='{x|<y>}"')
    root = a * 2
    assert "\\{x\\|\\<y\\>\\}\\\"" in to_dot(root)
    assert_png(draw_graph(root, tmp_path / "odd.png", renderer="dot"))


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_matplotlib_layout_hides_no_node_and_every_wire_ends_at_its_target(Value):
    o, total = neuron(Value)
    plan = layout(o)
    shapes = {("box", i): (x, y - BOX_H / 2, x + sum(w), y + BOX_H / 2) for i, (x, y, w) in plan["boxes"].items()}
    shapes.update({("op", i): (x - d / 2, y - d / 2, x + d / 2, y + d / 2) for i, (x, y, d) in plan["ops"].items()})
    keys = list(shapes)
    for k, a in enumerate(keys):
        for b in keys[k + 1:]:
            assert not _overlap(shapes[a], shapes[b]), f"{a} and {b} overlap"
    ox, oy, d = plan["ops"][id(total)]  # the + of x1*w1 + x2*w2, between its operands and its result
    operands = [plan["boxes"][id(c)] for c in total._prev]
    assert all(x + sum(w) < ox - d / 2 for x, _, w in operands) and ox + d / 2 < plan["boxes"][id(total)][0]
    targets = [(s[0], (s[1] + s[3]) / 2) for k, s in shapes.items() if k[0] == "box"]
    for wire in plan["wires"]:
        end = wire[-1]
        on_op = any(abs(((end[0] - x) ** 2 + (end[1] - y) ** 2) ** 0.5 - d / 2) < 1e-6 for x, y, d in plan["ops"].values())
        assert on_op or any(abs(end[0] - x) < 1e-6 and abs(end[1] - y) < 1e-6 for x, y in targets)


def test_a_wire_that_skips_columns_goes_between_the_boxes(Value):
    a = Value(3.0, label="a")
    b = a * a
    c = (b + a).tanh()  # a feeds the + two columns to the right of it
    root = c * b + a  # ... and the last + across the whole picture
    root.backward()
    plan = layout(root)
    boxes = [(x, y - BOX_H / 2, x + sum(w), y + BOX_H / 2) for x, y, w in plan["boxes"].values()]
    for wire in plan["wires"]:
        for (x1, y1), (x2, y2) in zip(wire, wire[1:]):
            for x_lo, y_lo, x_hi, y_hi in boxes:  # sample the segment: no point strictly inside a box
                for t in (0.1 * k for k in range(1, 10)):
                    px, py = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
                    assert not (x_lo + 1e-6 < px < x_hi - 1e-6 and y_lo + 1e-6 < py < y_hi - 1e-6)


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
    with pytest.raises(PictureError, match="too many to draw readably; draw a smaller expression"):
        draw_graph(x, tmp_path / "big.png")
    assert not (tmp_path / "big.png").exists()


def test_an_mlp_is_refused_with_a_smaller_expression_to_try(tmp_path):
    expression = ("from micrograd.nn import MLP; m = MLP(3, [4, 4, 1]); root = m([2.0, 3.0, -1.0]); "
                  "root.backward()")
    with pytest.raises(PictureError, match=r"too many to draw readably; draw a smaller expression.*one neuron"):
        draw_expression_from_engine(SOLUTIONS, expression, tmp_path / "mlp.png")


def test_a_long_chain_is_refused_for_its_size(tmp_path, Value):
    x = Value(1.0)
    for _ in range(MAX_NODES // 2 - 1):
        x = x * 1.0001  # 59 Values in 30 columns: well over the widest readable picture
    with pytest.raises(PictureError, match="too large to read"):
        draw_graph(x, tmp_path / "wide.png", renderer="matplotlib")


def test_an_expression_without_root_is_an_error_with_the_fix(tmp_path):
    with pytest.raises(PictureError, match=r"sets no `root`: end it with `; root = c`"):
        draw_expression_from_engine(SOLUTIONS, "a = Value(2.0); b = Value(3.0); c = a*b", tmp_path / "x.png")
    with pytest.raises(PictureError, match="sets `root` to a float, not a Value"):
        draw_expression_from_engine(SOLUTIONS, "root = 2.0", tmp_path / "x.png")


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
                                       "batchnorm_weight_gradients.png", "batchnorm_update_ratios.png"]
    for path in paths:
        assert path.parent == tmp_path / "plots"
        assert_png(path)


@pytest.mark.skipif(not BATCHNORM.is_file(), reason="no batchnorm solutions yet")
def test_the_diagnostics_are_labelled_as_the_lecture(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    bn = runpy.run_path(str(BATCHNORM))
    layers = [bn["Linear"](4, 8), bn["BatchNorm1d"](8), bn["Tanh"](), bn["Linear"](8, 3)]
    for p in (p for layer in layers for p in layer.parameters()):
        p.requires_grad = True
    x = torch.randn(16, 4)
    for layer in layers:
        x = layer(x)
        layer.out.retain_grad()
    x.sum().backward()
    weights = [("layer 0 Linear.weight (4, 8)", layers[0].weight), ("layer 3 Linear.weight (8, 3)", layers[3].weight)]
    figures = []
    monkeypatch.setattr(pictures, "_save", lambda fig, path: figures.append(fig) or path)
    plot_batchnorm_diagnostics(layers, tmp_path / "d", ratios=[[-3.0, -2.5], [-2.9, -2.4]],
                               ratio_labels=[w[0] for w in weights], weights=weights)
    axes = [fig.axes[0] for fig in figures]
    assert [ax.get_title() for ax in axes] == ["activation distribution", "gradient distribution",
                                               "weights gradient distribution", "update-to-data ratio of the weights"]
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    legends = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in axes]
    assert len(legends[0]) == 1 and re.fullmatch(r"layer 2 \(Tanh\): mean [+-]\d\.\d\d, std \d\.\d\d, "
                                                 r"saturated \d+\.\d%", legends[0][0])
    assert legends[1][0].startswith("layer 2 (Tanh): mean ") and ", std " in legends[1][0]
    assert legends[2][0].startswith("layer 0 Linear.weight (4, 8): mean ") and "grad:data" in legends[2][0]
    assert legends[3][:2] == ["layer 0 Linear.weight (4, 8)", "layer 3 Linear.weight (8, 3)"]


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



@pytest.mark.parametrize("command", ["cli", "api"])
def test_grade_draw_runs_student_code_in_the_sandbox_where_the_kit_cannot_be_read(tmp_path, command):
    """Hostile: an engine that reads the kit's references (outside its submission) while it is
    imported. In the session's sandbox that file is not there, so the picture is drawn; had it been
    readable, the import would raise and no picture would be made."""
    from click.testing import CliRunner

    from grader.cli import main
    from grader.engine.session import options
    from grader.engine.worker import sandbox

    if not sandbox.probe()[0]:
        pytest.skip(f"no sandbox here: {sandbox.probe()[1]}")
    secret = Path(pictures.__file__).resolve().parents[1] / "references" / "micrograd.py"
    assert secret.is_file()
    spy = (f"try:\n    open({str(secret)!r}).read()\nexcept OSError:\n    pass\n"
           "else:\n    raise RuntimeError('read the kit references from student code')\n")
    exercises = learner_engine(tmp_path, spy + (SOLUTIONS / "micrograd" / "engine.py").read_text())
    out = tmp_path / "graph.png"
    if command == "cli":
        result = CliRunner().invoke(main, ["--isolation", "sandbox", "draw", "--submission", str(exercises),
                                           "--out", str(out), "--renderer", "matplotlib"])
        assert result.exit_code == 0, result.output
    else:
        draw_expression_from_engine(exercises, out=out, renderer="matplotlib", options=options(isolation="sandbox"))
    assert_png(out)
