"""Pictures for learners (an optional extra: needs matplotlib, imported only when drawing).

- `draw_graph`: a micrograd expression graph, as the lecture's `draw_dot` shows it (a box per
  Value with its label, data and grad; a small node per operation), laid out in layers by
  distance from the output, drawn with matplotlib alone (no graphviz binary).
- `plot_batchnorm_diagnostics`: lecture 4's health checks of a deep network: the tanh
  activation and gradient histograms, and the update-to-data ratios over training.

Both run on the learner's own objects, so the runners that start from an `exercises/` folder
(`draw_expression_from_engine`, `batchnorm_diagnostics_from_exercises`) run them in a child
process with a time limit (`python -m grader.pictures draw|batchnorm ...`, in
`grader.pictures_run`). Everything renders with the Agg canvas: headless, no pyplot state.
"""
from __future__ import annotations

import math
from pathlib import Path

MAX_NODES = 400  # beyond this a picture is unreadable (and slow): draw a smaller expression


class PictureError(Exception):
    """A picture could not be made; the message says why in the learner's terms."""


# -- micrograd graphs ---------------------------------------------------------------------------

def _children(node) -> list:
    try:
        return list(getattr(node, "_prev", ()) or ())
    except TypeError:  # a learner's `_prev` that is not iterable: show the node as a leaf
        return []


def graph_layout(root) -> tuple[list, list[tuple[int, int]], dict[int, int]]:
    """(nodes, edges as (child id, parent id), depth of each node id) for the graph under root.

    Each object appears once however many times it is used (`a + a`, or a weight feeding several
    terms). The depth is the longest distance from the output, so every edge points from a
    deeper column to a shallower one. Iterative: graphs deeper than the recursion limit work."""
    nodes, index, edges = [], {}, []
    stack = [root]
    while stack:  # discover every node once
        node = stack.pop()
        if id(node) in index:
            continue
        index[id(node)] = node
        nodes.append(node)
        if len(nodes) > MAX_NODES:
            raise PictureError(f"the graph has more than {MAX_NODES} nodes: too many to draw; "
                               "draw a smaller expression")
        for child in _children(node):
            edges.append((id(child), id(node)))
            stack.append(child)
    edges = list(dict.fromkeys(edges))
    depth = {id(n): 0 for n in nodes}
    for node in reversed(_postorder(root)):  # parents before children
        for child in _children(node):
            depth[id(child)] = max(depth[id(child)], depth[id(node)] + 1)
    return nodes, edges, depth


def _postorder(root) -> list:
    """Children before parents (the order backward() walks in reverse), without recursion."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    return order


def _number(x) -> str:
    try:
        return f"{float(x):.4f}"
    except (TypeError, ValueError, OverflowError):
        return repr(x)[:12]  # a learner's data that is not a number (a Value in a Value, say)


def _node_text(node) -> str:
    label = getattr(node, "label", "") or ""
    parts = [str(label)] if label else []
    parts += [f"data {_number(getattr(node, 'data', '?'))}", f"grad {_number(getattr(node, 'grad', '?'))}"]
    return " | ".join(parts)


def draw_graph(root_value, path: Path) -> Path:
    """Draw the expression graph that ends in `root_value` to the PNG file `path`."""
    nodes, edges, depth = graph_layout(root_value)
    # Columns, right to left: a Value at depth d sits at x = -4d, the node of the operation that
    # made it at x = -4d - 2, halfway to its operands (which are at depth d + 1 or more).
    x = {id(n): -4.0 * depth[id(n)] for n in nodes}
    y = _rows(nodes, edges, depth)
    ops = {id(n): str(n._op) for n in nodes if getattr(n, "_op", "") and _children(n)}

    fig = _figure(width=1.0 + 2.2 * (max(depth.values()) + 1),
                  height=1.0 + 0.7 * max(_column_sizes(depth).values()))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    line = dict(color="#777777", linewidth=1.0, zorder=1)
    for child, parent in edges:
        target = (x[parent] - 2.0, y[parent]) if parent in ops else (x[parent], y[parent])
        ax.plot([x[child], target[0]], [y[child], target[1]], **line)
    for parent, op in ops.items():
        ax.plot([x[parent] - 2.0, x[parent]], [y[parent], y[parent]], **line)
        ax.text(x[parent] - 2.0, y[parent], op, ha="center", va="center", fontsize=8, zorder=3,
                bbox=dict(boxstyle="circle", fc="#fde9c8", ec="#c07a00"))
    for node in nodes:
        ax.text(x[id(node)], y[id(node)], _node_text(node), ha="center", va="center", fontsize=7,
                family="monospace", zorder=3, bbox=dict(boxstyle="round", fc="#e8f0fb", ec="#3b6fb6"))
    xs, ys = list(x.values()), list(y.values())
    ax.set_xlim(min(xs) - 2.2, max(xs) + 2.2)
    ax.set_ylim(min(ys) - 1.0, max(ys) + 1.0)
    return _save(fig, path)


def _column_sizes(depth: dict[int, int]) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for d in depth.values():
        sizes[d] = sizes.get(d, 0) + 1
    return sizes


def _rows(nodes, edges, depth) -> dict[int, float]:
    """Vertical positions: column by column from the output, each node near the mean height of
    the nodes that use it (fewer crossing lines), centred on 0."""
    parents: dict[int, list[int]] = {}
    for child, parent in edges:
        parents.setdefault(child, []).append(parent)
    order = {id(n): i for i, n in enumerate(nodes)}
    y: dict[int, float] = {}
    for d in sorted(set(depth.values())):
        column = [id(n) for n in nodes if depth[id(n)] == d]
        pull = {i: sum(y[p] for p in parents.get(i, []) if p in y) / max(1, len(parents.get(i, []))) for i in column}
        column.sort(key=lambda i: (-pull[i], order[i]))
        for row, i in enumerate(column):
            y[i] = (len(column) - 1) / 2.0 - row
    return y


# -- lecture 4: activations, gradients, update ratios -------------------------------------------

def plot_batchnorm_diagnostics(layers, path_prefix: Path, ratios: list[list[float]] | None = None,
                               ratio_labels: list[str] | None = None) -> list[Path]:
    """Write the lecture's diagnostic plots next to `path_prefix` and return their paths.

    `layers` are the learner's layer objects after a forward and backward pass: the Tanh layers
    (by class name) give `<prefix>_activations.png` from `layer.out` and, when the gradient was
    retained (`layer.out.retain_grad()` before backward), `<prefix>_gradients.png` from
    `layer.out.grad`. `ratios[step][i]` (log10 of update std / data std for parameter i) gives
    `<prefix>_update_ratios.png`. A plot without data is skipped, not drawn empty."""
    path_prefix = Path(path_prefix)
    tanh_outs = [(i, layer.out) for i, layer in enumerate(layers)
                 if type(layer).__name__ == "Tanh" and getattr(layer, "out", None) is not None]
    written = []
    if tanh_outs:
        series = [(f"layer {i} (Tanh): {_tanh_summary(out)}", out) for i, out in tanh_outs]
        written.append(_histograms(series, "activation distribution", _sibling(path_prefix, "activations")))
    grads = [(i, getattr(out, "grad", None)) for i, out in tanh_outs]
    grads = [(f"layer {i} (Tanh): {_spread_summary(g)}", g) for i, g in grads if g is not None]
    if grads:
        written.append(_histograms(grads, "gradient distribution", _sibling(path_prefix, "gradients")))
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
    return "no finite values" if v.size == 0 else f"mean {v.mean():+.2e}, std {v.std():.2e}"


def _histograms(series, title: str, path: Path) -> Path:
    import numpy as np

    fig = _figure(width=10, height=4)
    ax = fig.add_subplot()
    for label, tensor in series:
        v = _values(tensor)
        if v.size:
            density, edges = np.histogram(v, bins=50, density=True)
            ax.plot(edges[:-1], density, label=label)
    ax.set_title(title)
    if ax.lines:
        ax.legend(fontsize=8)
    return _save(fig, path)


def _ratio_plot(ratios: list[list[float]], labels: list[str] | None, path: Path) -> Path:
    fig = _figure(width=10, height=4)
    ax = fig.add_subplot()
    width = max(len(step) for step in ratios)
    for i in range(width):
        series = [step[i] if i < len(step) and math.isfinite(step[i]) else math.nan for step in ratios]
        ax.plot(series, label=labels[i] if labels and i < len(labels) else f"param {i}")
    ax.axhline(-3, color="black", linestyle="--", linewidth=1)  # the lecture's rough target: 1e-3
    ax.set_xlabel("step")
    ax.set_ylabel("log10(update std / data std)")
    ax.set_title("update-to-data ratio (dashed: 1e-3)")
    ax.legend(fontsize=8)
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
    fig.savefig(path, format="png")
    return path


# -- runners on an exercises/ folder (child process; see grader.pictures_run) -------------------

DEFAULT_EXPRESSION = ("a = Value(2.0, label='a'); b = Value(-3.0, label='b'); c = Value(10.0, label='c'); "
                      "e = a*b; e.label = 'e'; d = e + c; d.label = 'd'; L = d * Value(-2.0, label='f'); "
                      "L.label = 'L'; L.backward(); root = L")


def draw_expression_from_engine(exercises: Path, expression: str = DEFAULT_EXPRESSION,
                                out: Path = Path("graph.png"), timeout: float = 30.0) -> Path:
    """Evaluate `expression` with the learner's `micrograd.engine.Value` (in a child process)
    and draw the graph of the Value it binds to `root` into `out`."""
    from grader.pictures_run import run_child

    out = Path(out).resolve()
    run_child(["draw", "--exercises", str(Path(exercises).resolve()), "--expression", expression,
               "--out", str(out)], timeout)
    return out


def batchnorm_diagnostics_from_exercises(exercises: Path, out_dir: Path, names: list[str],
                                         timeout: float = 120.0, steps: int = 30) -> list[Path]:
    """Train lecture 4's deep network, built from the learner's `Linear`, `BatchNorm1d` and
    `Tanh`, for a few steps on `names` (in a child process), and plot its diagnostics into
    `out_dir`. Returns the PNGs written."""
    from grader.pictures_run import run_child

    return run_child(["batchnorm", "--exercises", str(Path(exercises).resolve()),
                      "--out-dir", str(Path(out_dir).resolve()), "--steps", str(steps)],
                     timeout, names=names)


if __name__ == "__main__":
    import sys

    from grader.pictures_run import main

    sys.exit(main())
