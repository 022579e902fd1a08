"""micrograd expression graphs as the lecture's `draw_dot` draws them: a record per Value
("label | data | grad"), a small node per operation, arrows left to right.

With Graphviz's `dot` program on the PATH the graph is handed to it, as the lecture does (the
DOT text is written here, so the `graphviz` Python package is not needed). Without it the same
picture is laid out here and drawn with matplotlib: columns by distance from the output, every
box sized to its text and the operation nodes in the gaps between columns, so no node is ever
hidden behind another, and every edge has an arrowhead.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

MAX_NODES = 60  # Values; beyond this a picture is unreadable: draw a smaller expression
MAX_INCHES = 48.0  # the widest or tallest picture worth drawing
CHAR = 0.0753  # inches per character of 9 pt DejaVu Sans Mono (0.602 em)
BOX_H, PAD, GAP, ROW = 0.30, 0.10, 0.30, 0.55  # inches
SMALLER = ("draw a smaller expression: the lecture draws one neuron, e.g. \"x1 = Value(2.0, label='x1'); "
           "w1 = Value(-3.0, label='w1'); b = Value(6.88, label='b'); n = x1*w1 + b; root = n.tanh(); "
           "root.backward()\"")


class PictureError(Exception):
    """A picture could not be made; the message says why in the learner's terms."""


def too_many() -> PictureError:
    return PictureError(f"the graph has more than {MAX_NODES} Values: too many to draw readably; {SMALLER}")


class DrawnNode:
    """A Value as a worker described it (grader.learner.pictures_worker): its record's fields and its
    operation, already shown as text (nothing of the learner's crosses), and its children."""

    def __init__(self, fields, op: str):
        self.fields, self.op, self._prev = tuple(fields), op, []


# -- the graph ----------------------------------------------------------------------------------

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
            raise too_many()
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


def fields(node) -> tuple[str, str, str]:
    """The record's three fields, as the lecture's: label, data, grad."""
    if isinstance(node, DrawnNode):
        return node.fields
    label = getattr(node, "label", "") or ""
    return (str(label)[:20], f"data {_number(getattr(node, 'data', '?'))}", f"grad {_number(getattr(node, 'grad', '?'))}")


def op_of(node) -> str:
    """The operation that made `node` ('' for a leaf, or a learner's Value without `_op`)."""
    if isinstance(node, DrawnNode):
        return node.op
    op = getattr(node, "_op", "")
    return str(op)[:8] if op and _children(node) else ""


# -- Graphviz -------------------------------------------------------------------------------------

def _record_escape(text: str) -> str:
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text


def to_dot(root) -> str:
    """The lecture's draw_dot as DOT text: rankdir=LR, record nodes, op nodes."""
    nodes, edges, _ = graph_layout(root)
    ops = {id(n): op_of(n) for n in nodes}
    lines = ["digraph micrograd {", "  graph [rankdir=LR];"]
    for n in nodes:
        uid = str(id(n))
        label = " | ".join(_record_escape(f) for f in fields(n))
        lines.append(f'  "{uid}" [label="{{ {label} }}", shape=record];')
        if ops[id(n)]:
            lines.append(f'  "{uid}op" [label="{_record_escape(ops[id(n)])}"];')
            lines.append(f'  "{uid}op" -> "{uid}";')
    for child, parent in edges:
        lines.append(f'  "{child}" -> "{parent}{"op" if ops[parent] else ""}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw_with_dot(root, path: Path, dot: str) -> Path:
    text = to_dot(root)
    _check_size(root)
    fmt = path.suffix.lstrip(".").lower() if path.suffix.lower() in (".png", ".svg", ".pdf") else "png"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run([dot, f"-T{fmt}", "-o", str(path)], input=text, text=True, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise PictureError(f"Graphviz's dot took more than 60 s on this graph; {SMALLER}") from None
    if done.returncode != 0:
        raise PictureError(f"Graphviz's dot failed ({done.stderr.strip()[:300]}); try --renderer matplotlib")
    return path


# -- matplotlib -----------------------------------------------------------------------------------

def layout(root) -> dict:
    """Positions in inches, columns from the deepest (left) to the output (right):
    {"boxes": {id: (x_left, y, [field widths])}, "ops": {id: (x, y, diameter)}, "wires": [[(x, y),
    ...] per edge, ending where its arrowhead goes], "size": (width, height)}.

    An edge that spans several columns gets a waypoint in each column it crosses, which takes a
    row there like a node (the layered layout of Sugiyama et al.), so it runs between the boxes,
    never through one."""
    nodes, edges, depth = graph_layout(root)
    widths = {id(n): [max(len(f), 1) * CHAR + 2 * PAD for f in fields(n)] for n in nodes}
    diameter = {id(n): max(0.32, len(op_of(n)) * CHAR + 0.14) for n in nodes if op_of(n)}
    chains, level = [], dict(depth)
    for k, (child, parent) in enumerate(edges):
        waypoints = [("via", k, d) for d in range(depth[child] - 1, depth[parent], -1)]
        level.update({w: w[2] for w in waypoints})
        chains.append([child, *waypoints, parent])
    deepest = max(depth.values())
    column_width = {d: max(sum(widths[i]) for i in depth if depth[i] == d) for d in range(deepest + 1)}
    op_room = max(diameter.values(), default=0.32)
    left, x = {}, 0.3
    for d in range(deepest, -1, -1):
        left[d] = x
        x += column_width[d] + (2 * GAP + op_room if d else 0)
    rows = _rows([id(n) for n in nodes] + [w for c in chains for w in c[1:-1]],
                 [(a, b) for c in chains for a, b in zip(c, c[1:])], level)
    low = min(rows.values())
    y = {i: (r - low) * ROW + BOX_H / 2 + 0.2 for i, r in rows.items()}
    boxes, ops = {}, {}
    for i in depth:
        box_w = sum(widths[i])
        boxes[i] = (left[depth[i]] + (column_width[depth[i]] - box_w) / 2, y[i], widths[i])
        if i in diameter:
            ops[i] = (left[depth[i]] - GAP - op_room / 2, y[i], diameter[i])
    wires = []
    for chain in chains:
        x_left, _, fw = boxes[chain[0]]
        points = [(x_left + sum(fw), y[chain[0]])]
        for w in chain[1:-1]:
            points += [(left[w[2]], y[w]), (left[w[2]] + column_width[w[2]], y[w])]
        parent = chain[-1]
        if parent in ops:  # into the op node's circle, aimed at its centre
            ox, oy, d = ops[parent]
            (px, py), norm = points[-1], max(((ox - points[-1][0]) ** 2 + (oy - points[-1][1]) ** 2) ** 0.5, 1e-9)
            points.append((ox - (ox - px) / norm * d / 2, oy - (oy - py) / norm * d / 2))
        else:
            points.append((boxes[parent][0], y[parent]))
        wires.append(points)
    for i, (ox, oy, d) in ops.items():
        wires.append([(ox + d / 2, oy), (boxes[i][0], oy)])
    height = max(y.values()) + BOX_H / 2 + 0.2
    return {"nodes": nodes, "boxes": boxes, "ops": ops, "wires": wires, "size": (x + 0.3, height)}


def _rows(items: list, links: list[tuple], level: dict) -> dict:
    """Vertical positions (in rows): column by column from the output, each item near the mean
    height of the items it feeds (fewer crossing lines), each column centred on 0."""
    parents: dict = {}
    for child, parent in links:
        parents.setdefault(child, []).append(parent)
    order = {item: i for i, item in enumerate(items)}
    y: dict = {}
    for d in sorted(set(level[i] for i in items)):
        column = [i for i in items if level[i] == d]
        pull = {i: sum(y[p] for p in parents.get(i, []) if p in y) / max(1, len(parents.get(i, []))) for i in column}
        column.sort(key=lambda i: (-pull[i], order[i]))
        for row, i in enumerate(column):
            y[i] = (len(column) - 1) / 2.0 - row
    return y


def _check_size(root) -> None:
    nodes, _, depth = graph_layout(root)
    w, h = layout(root)["size"]
    if w > MAX_INCHES or h > MAX_INCHES:
        raise PictureError(f"the graph has {len(nodes)} Values in {max(depth.values()) + 1} columns: a picture of "
                           f"{w:.0f} x {h:.0f} inches, too large to read; {SMALLER}")


def draw_with_matplotlib(root, path: Path, figure, save) -> Path:
    from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

    _check_size(root)
    plan = layout(root)
    width, height = plan["size"]
    fig = figure(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    boxes, ops = plan["boxes"], plan["ops"]

    for wire in plan["wires"]:  # lines under the boxes; the last stretch of each ends in an arrowhead
        if len(wire) > 2:
            ax.plot([p[0] for p in wire[:-1]], [p[1] for p in wire[:-1]], color="#555555", linewidth=0.9, zorder=1)
        ax.add_patch(FancyArrowPatch(wire[-2], wire[-1], arrowstyle="-|>", mutation_scale=9, color="#555555",
                                     linewidth=0.9, shrinkA=0, shrinkB=0, zorder=1))
    for i, (ox, oy, d) in ops.items():
        ax.add_patch(Circle((ox, oy), d / 2, facecolor="#fde9c8", edgecolor="#c07a00", zorder=2))
        ax.text(ox, oy, op_of(_node(plan, i)), ha="center", va="center", fontsize=9, family="monospace", zorder=3)
    for n in plan["nodes"]:
        x_left, y, fw = boxes[id(n)]
        ax.add_patch(Rectangle((x_left, y - BOX_H / 2), sum(fw), BOX_H, facecolor="#e8f0fb", edgecolor="#3b6fb6",
                               linewidth=0.9, zorder=2))
        x = x_left
        for k, (text, w) in enumerate(zip(fields(n), fw)):
            if k:
                ax.plot([x, x], [y - BOX_H / 2, y + BOX_H / 2], color="#3b6fb6", linewidth=0.9, zorder=3)
            ax.text(x + w / 2, y, text, ha="center", va="center", fontsize=9, family="monospace", zorder=3)
            x += w
    return save(fig, path)


def _node(plan, i):
    return next(n for n in plan["nodes"] if id(n) == i)


def find_dot() -> str | None:
    return shutil.which("dot")
