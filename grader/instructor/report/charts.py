"""The report's charts: matplotlib figures rendered to SVG data URIs (text drawn as paths, so
the page needs no font and no file beside it)."""
from __future__ import annotations

import base64
import io

COLORS = {"passed": "#2e9e5b", "failed": "#d64545", "error": "#e08a2e", "timeout": "#d9b526",
          "crashed": "#8e5bb5", "todo": "#c9ced6"}
INK, GRID, ACCENT = "#2b3340", "#e6e9ee", "#3b6fd4"


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    fig.patch.set_alpha(0)
    return fig


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#9aa3b0")
    ax.tick_params(colors=INK, labelsize=9)
    ax.xaxis.label.set_color(INK)
    ax.yaxis.label.set_color(INK)


def _data_uri(fig) -> str:
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "report"}):
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")


def score_histogram(cores: list[float], max_score: float) -> str:
    import statistics

    fig = _figure(9.6, 2.9)
    ax = fig.subplots()
    top = int(max_score)
    counts = [sum(1 for c in cores if int(c) == k) for k in range(top + 1)]
    ax.bar(range(top + 1), counts, width=0.8, color=ACCENT, zorder=2)
    if cores:
        median = statistics.median(cores)
        ax.axvline(median, color=INK, linestyle="--", linewidth=1, zorder=3)
        ax.annotate(f"median {median:g}", (median, max(counts)), xytext=(4, -2), textcoords="offset points",
                    fontsize=9, color=INK, va="top")
    ax.set_xticks(range(0, top + 1, 1 if top <= 15 else 5))
    ax.set_xlabel(f"core score (out of {max_score:g})")
    ax.set_ylabel("submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="y", color=GRID, zorder=0)
    _style(ax)
    return _data_uri(fig)


def component_statuses(components: list[dict], graded: int) -> str:
    """A stacked bar per component: the share of submissions in each status."""
    from grader.instructor.report.stats import STATUSES

    rows = len(components)
    fig = _figure(9.6, 0.3 * rows + 1.1)
    ax = fig.subplots()
    labels = [c["id"] + (" (bonus)" if c["bonus"] else "") for c in components]
    left = [0.0] * rows
    for status in STATUSES:
        shares = [c["counts"][status] / graded if graded else 0 for c in components]
        ax.barh(range(rows), shares, left=left, color=COLORS[status], label=status, height=0.72, zorder=2)
        left = [a + b for a, b in zip(left, shares)]
    ax.set_yticks(range(rows), labels, fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0%", "25%", "50%", "75%", "100%"])
    ax.grid(axis="x", color=GRID, zorder=0)
    ax.legend(ncol=len(STATUSES), loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8.5,
              handlelength=1.2, columnspacing=1.2)
    _style(ax)
    return _data_uri(fig)


def resources_scatter(points: list[dict], flagged: set[str]) -> str:
    """Seconds against peak memory (or seconds alone, as a strip, when memory was not recorded)."""
    fig = _figure(9.6, 3.0)
    ax = fig.subplots()
    with_memory = [p for p in points if p["memory_mb"] is not None]
    ys = (lambda p: p["memory_mb"]) if with_memory else (lambda p: 0)
    shown = with_memory or points
    for p in shown:
        hot = p["submission"] in flagged
        ax.scatter(p["seconds"], ys(p), s=34 if hot else 22, color="#d64545" if hot else ACCENT, zorder=3,
                   alpha=0.9 if hot else 0.7, edgecolors="white", linewidths=0.6)
        if hot:
            ax.annotate(p["submission"][:28], (p["seconds"], ys(p)), xytext=(5, 4), textcoords="offset points",
                        fontsize=8, color=INK)
    ax.set_xlabel("seconds to grade")
    if with_memory:
        ax.set_ylabel("peak memory (MB)")
    else:
        ax.set_yticks([])
    ax.grid(color=GRID, zorder=0)
    _style(ax)
    return _data_uri(fig)


def similarity_histogram(histogram: list[int], threshold: float) -> str:
    fig = _figure(9.6, 2.6)
    ax = fig.subplots()
    centres = [(i + 0.5) / len(histogram) for i in range(len(histogram))]
    colors = ["#d64545" if c >= threshold else ACCENT for c in centres]
    ax.bar(centres, [max(h, 0) for h in histogram], width=0.9 / len(histogram), color=colors, zorder=2)
    ax.axvline(threshold, color=INK, linestyle="--", linewidth=1, zorder=3)
    ax.set_xlim(0, 1)
    ax.set_xlabel("similarity of a pair (share of the less similar side's own code)")
    ax.set_ylabel("pairs")
    if max(histogram, default=0) > 50:
        ax.set_yscale("symlog", linthresh=10)
    ax.grid(axis="y", color=GRID, zorder=0)
    _style(ax)
    return _data_uri(fig)
