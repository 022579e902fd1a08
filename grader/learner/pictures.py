"""Pictures for learners (an optional extra: needs matplotlib, imported only when drawing).

- `draw_graph`: a micrograd expression graph, as the lecture's `draw_dot` shows it (a record per
  Value with its label, data and grad; a small node per operation; arrows left to right), with
  Graphviz when its `dot` is installed, else with matplotlib (`grader.learner.pictures_graph`).
- `plot_batchnorm_diagnostics`: lecture 4's health checks of a deep network: the tanh
  activation and gradient histograms, the weights' gradients, and the update-to-data ratios
  over training, labelled as the lecture prints them.

The runners that start from an `exercises/` folder (`draw_expression_from_engine`,
`batchnorm_diagnostics_from_exercises`) run the learner's code in the grading session's worker
and sandbox (`grader.learner.pictures_worker`, probes in `grader/probes/pictures.py`), which answers
plain data, drawn here. Everything renders with the Agg canvas: headless, no pyplot state.
"""
from __future__ import annotations

import math
from pathlib import Path

from grader.learner.pictures_graph import MAX_NODES, PictureError, find_dot, graph_layout  # noqa: F401  (the API)
from grader.learner.pictures_graph import draw_with_dot, draw_with_matplotlib

RENDERERS = ("auto", "dot", "matplotlib")


def pick_renderer(renderer: str = "auto") -> str:
    """"dot" (Graphviz, as the lecture) when it is installed or asked for, else "matplotlib"."""
    if renderer not in RENDERERS:
        raise PictureError(f"unknown renderer {renderer!r}: one of {', '.join(RENDERERS)}")
    dot = find_dot()
    if renderer == "dot" and dot is None:
        raise PictureError("--renderer dot needs Graphviz's dot program (apt install graphviz, brew install graphviz, "
                           "or conda install graphviz); without it, use --renderer matplotlib")
    return "dot" if renderer != "matplotlib" and dot is not None else "matplotlib"


def draw_graph(root_value, path: Path, renderer: str = "auto") -> Path:
    """Draw the expression graph that ends in `root_value` into `path` (PNG, or SVG/PDF by its
    suffix) with `pick_renderer(renderer)`."""
    path = Path(path)
    if pick_renderer(renderer) == "dot":
        return draw_with_dot(root_value, path, find_dot())
    return draw_with_matplotlib(root_value, path, _figure, _save)


# -- lecture 4: activations, gradients, update ratios -------------------------------------------

def plot_batchnorm_diagnostics(layers, path_prefix: Path, ratios: list[list[float]] | None = None,
                               ratio_labels: list[str] | None = None, weights: list | None = None) -> list[Path]:
    """Write lecture 4's diagnostic plots next to `path_prefix` and return their paths.

    `layers` are the learner's layer objects after a forward and backward pass: the Tanh layers
    (by class name) give `<prefix>_activations.png` from `layer.out` and, when the gradient was
    retained (`layer.out.retain_grad()` before backward), `<prefix>_gradients.png` from
    `layer.out.grad`. `weights` [(name, 2-D parameter)] give `<prefix>_weight_gradients.png`
    from their `.grad`; `ratios[step][i]` (log10 of update std / data std for parameter i)
    gives `<prefix>_update_ratios.png`. Each legend entry reads as the lecture prints it. A plot
    without data is skipped, not drawn empty."""
    tanh = [(i, layer.out, getattr(layer.out, "grad", None)) for i, layer in enumerate(layers)
            if type(layer).__name__ == "Tanh" and getattr(layer, "out", None) is not None]
    weights = [(name, p, getattr(p, "grad", None)) for name, p in (weights or [])]
    return plot_diagnostics(tanh, weights, path_prefix, ratios, ratio_labels)


def plot_diagnostics(tanh, weights, path_prefix: Path, ratios: list[list[float]] | None = None,
                     ratio_labels: list[str] | None = None) -> list[Path]:
    """`plot_batchnorm_diagnostics` from the data alone: `tanh` [(layer index, output, its
    gradient or None)], `weights` [(name, data, gradient or None)], as tensors or arrays (what a
    worker answers: grader.learner.pictures_worker)."""
    path_prefix = Path(path_prefix)
    written = []
    if tanh:
        series = [(f"layer {i} (Tanh): {_tanh_summary(out)}", out) for i, out, _ in tanh]
        written.append(_histograms(series, "activation distribution", "tanh output (layer.out)",
                                   _sibling(path_prefix, "activations")))
    grads = [(f"layer {i} (Tanh): {_spread_summary(g)}", g) for i, _, g in tanh if g is not None]
    if grads:
        written.append(_histograms(grads, "gradient distribution", "gradient at the tanh output (layer.out.grad)",
                                   _sibling(path_prefix, "gradients")))
    weight_grads = [(f"{name}: {_spread_summary(grad)}, grad:data {_grad_to_data(grad, data)}", grad)
                    for name, data, grad in weights if grad is not None]
    if weight_grads:
        written.append(_histograms(weight_grads, "weights gradient distribution", "gradient of the weights (p.grad)",
                                   _sibling(path_prefix, "weight_gradients")))
    if ratios:
        written.append(_ratio_plot(ratios, ratio_labels, _sibling(path_prefix, "update_ratios")))
    return written


def _sibling(prefix: Path, what: str) -> Path:
    return prefix.with_name(f"{prefix.name}_{what}.png")


def _values(tensor):
    """A flat float array of the finite entries (NaN or inf would break the histogram)."""
    import numpy as np  # matplotlib brings numpy

    if hasattr(tensor, "detach"):
        tensor = tensor.detach().cpu().float().numpy()
    values = np.asarray(tensor, dtype=float).ravel()
    return values[np.isfinite(values)]


def _tanh_summary(out) -> str:
    v = _values(out)
    if v.size == 0:
        return "no finite values"
    return f"mean {v.mean():+.2f}, std {v.std():.2f}, saturated {(abs(v) > 0.97).mean():.1%}"


def _spread_summary(grad) -> str:
    v = _values(grad)
    return "no finite values" if v.size == 0 else f"mean {v.mean():+.1e}, std {v.std():.1e}"


def _grad_to_data(grad, data) -> str:
    grad, data = _values(grad), _values(data)
    return f"{grad.std() / data.std():.1e}" if grad.size and data.size and data.std() > 0 else "n/a"


def _histograms(series, title: str, xlabel: str, path: Path) -> Path:
    import numpy as np

    fig = _figure(width=14, height=4.5)
    ax = fig.add_subplot()
    for label, tensor in series:
        v = _values(tensor)
        if v.size:
            density, edges = np.histogram(v, bins=100, density=True)  # as torch.histogram in the lecture
            ax.plot((edges[:-1] + edges[1:]) / 2, density, label=label)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    if ax.lines:
        ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return _save(fig, path)


def _ratio_plot(ratios: list[list[float]], labels: list[str] | None, path: Path) -> Path:
    fig = _figure(width=14, height=4.5)
    ax = fig.add_subplot()
    width = max(len(step) for step in ratios)
    for i in range(width):
        series = [step[i] if i < len(step) and math.isfinite(step[i]) else math.nan for step in ratios]
        ax.plot(series, label=labels[i] if labels and i < len(labels) else f"param {i}")
    ax.axhline(-3, color="black", linestyle="--", linewidth=1, label="1e-3, the lecture's rough target")
    ax.set_xlabel("training step")
    ax.set_ylabel("log10(update std / data std)")
    ax.set_title("update-to-data ratio of the weights")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return _save(fig, path)


# -- matplotlib, lazily and headless ------------------------------------------------------------

def _figure(width: float, height: float):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PictureError("pictures need matplotlib: pip install matplotlib") from None
    fig = Figure(figsize=(min(width, 60.0), min(height, 60.0)), dpi=100)
    FigureCanvasAgg(fig)  # the Agg canvas, not pyplot: no display, no global figure state
    return fig


def _save(fig, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = path.suffix.lstrip(".").lower()
    fig.savefig(path, format=fmt if fmt in ("png", "svg", "pdf") else "png")
    return path


# -- runners on an exercises/ folder (the learner's code in the session's worker: pictures_worker) --

DEFAULT_EXPRESSION = ("a = Value(2.0, label='a'); b = Value(-3.0, label='b'); c = Value(10.0, label='c'); "
                      "e = a*b; e.label = 'e'; d = e + c; d.label = 'd'; L = d * Value(-2.0, label='f'); "
                      "L.label = 'L'; L.backward(); root = L")


def draw_expression_from_engine(exercises: Path, expression: str = DEFAULT_EXPRESSION,
                                out: Path = Path("graph.png"), timeout: float = 30.0, renderer: str = "auto",
                                options=None) -> Path:
    """Evaluate `expression` with the learner's `micrograd.engine.Value` (in a worker, under the
    session's `options`) and draw the graph of the Value it binds to `root` into `out`."""
    from grader.learner.pictures_worker import expression_graph

    used = pick_renderer(renderer)
    root = expression_graph(Path(exercises), expression, timeout, options)
    return draw_graph(root, Path(out).resolve(), used)


def batchnorm_diagnostics_from_exercises(exercises: Path, out_dir: Path, names: list[str],
                                         timeout: float = 120.0, steps: int = 1000, options=None) -> list[Path]:
    """Train lecture 4's deep network, built from the learner's `Linear`, `BatchNorm1d` and
    `Tanh`, for `steps` steps (the lecture's 1,000 by default) on `names` (in a worker, under the
    session's `options`), and plot its diagnostics into `out_dir`. Returns the PNGs written."""
    from grader.learner.pictures_worker import batchnorm_run

    data = batchnorm_run(Path(exercises), names, steps, timeout, options)
    tanh = [(t["index"], t["out"], t["grad"]) for t in data["tanh"]]
    weights = [(w["label"], w["data"], w["grad"]) for w in data["weights"]]
    return plot_diagnostics(tanh, weights, Path(out_dir).resolve() / "batchnorm", data["ratios"], data["ratio_labels"])
