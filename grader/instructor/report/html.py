"""The class report as ONE self-contained HTML page: inline CSS, charts as data URIs, no script,
nothing fetched. Every string that came from a submission is escaped."""
from __future__ import annotations

import html
import re
from importlib import resources

from grader.instructor.report import charts

SHOW_NAMES = 8  # submissions named per row before "and N more"


def e(value) -> str:
    return html.escape(str(value), quote=True)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _names(names: list[str]) -> str:
    shown = ", ".join(e(n) for n in names[:SHOW_NAMES])
    more = len(names) - SHOW_NAMES
    return f'<span class="who">{shown}{f" and {more} more" if more > 0 else ""}</span>'


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset(), empty: str = "") -> str:
    if not rows:
        return f'<p class="empty">{e(empty)}</p>'
    head = "".join(f'<th class="num">{e(h)}</th>' if i in numeric else f"<th>{e(h)}</th>" for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(uri: str, alt: str) -> str:
    return f'<figure><img src="{uri}" alt="{e(alt)}"></figure>'


def _section(anchor: str, title: str, note: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{e(title)}</h2><p class="note">{note}</p>{body}</section>'


def _cards(n: dict) -> str:
    summary = n["core_summary"]
    items = [("submissions", n["submissions"]), ("graded", n["graded"]),
             ("median core score", f"{summary.get('median', 0):g} / {n['max_score']:g}" if summary["count"] else "–"),
             ("mean core score", f"{summary.get('mean', 0):.1f}" if summary["count"] else "–"),
             ("full core marks", sum(1 for s in n["scores"] if s["core"] >= n["max_score"] > 0))]
    sim = n.get("similarity")
    if sim:
        items.append(("near-copies flagged", sum(p["flagged"] for p in sim["pairs"])
                      + sum(k["flagged"] for k in sim["solutions"] or [])))
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="value">{e(v)}</div><div class="label">{e(k)}</div></div>' for k, v in items) + "</div>"


def _scores(n: dict) -> str:
    bonus = [s for s in n["scores"] if s["bonus"]]
    note = (f"Core points only: bonus and stretch components are counted apart ({len(bonus)} submissions earned "
            f"bonus points).") if bonus else "Core points only (bonus components are counted apart)."
    chart = _figure(charts.score_histogram([s["core"] for s in n["scores"]], n["max_score"]), "score histogram")
    return _section("scores", "Scores", e(note), chart)


def _components(n: dict) -> str:
    rows = []
    for c in n["components"]:
        k = c["counts"]
        bar = f'<span class="track"><span class="bar" style="width:{90 * c["pass_rate"]:.0f}px"></span></span>'
        rows.append([f"<code>{e(c['id'])}</code>" + (' <span class="tag">bonus</span>' if c["bonus"] else ""),
                     e(c["title"]), bar + _pct(c["pass_rate"]), *(str(k[s]) for s in ("failed", "error", "timeout",
                                                                                        "crashed", "todo"))])
    chart = _figure(charts.component_statuses(n["components"], n["graded"]), "status of every component")
    table = _table(["component", "what", "passed", "failed", "error", "timeout", "crashed", "todo"], rows,
                   numeric={3, 4, 5, 6, 7})
    return _section("components", "Pass rate per component", "The share of graded submissions in each status.",
                    chart + table)


def _mistakes(n: dict) -> str:
    rows = []
    for c in n["components"]:
        for m in c["mistakes"]:
            name = re.sub(r"`([^`]+)`", r"<code>\1</code>", e(m["name"]))  # the manifest's `code` spans
            label = f'<span class="tag named">{name}</span>' if m["named"] else name
            rows.append([f"<code>{e(c['id'])}</code>", label, str(m["count"]), _names(m["submissions"])])
    note = ("For each component, what the submissions that did not pass have in common: the classic mistake the "
            "grader named (highlighted), or else the same message up to its numbers.")
    return _section("mistakes", "Most common mistakes", note,
                    _table(["component", "mistake", "submissions", "who"], rows, numeric={2},
                           empty="No component failed in any submission."))


def _todo_tags(components: list[str]) -> str:
    """A module with every component todo is one tag ("bigram: all 10"), the rest one tag each."""
    from grader.engine import manifest

    todo, tags = set(components), []
    for name, module in manifest.load().items():
        ids = [c.id for c in module.components]
        if len(ids) > 1 and set(ids) <= todo:
            tags.append(f'<span class="tag">{e(name)}: all {len(ids)}</span>')
        else:
            tags += [f'<span class="tag">{e(c)}</span>' for c in ids if c in todo]
    return " ".join(tags)


def _todo(n: dict) -> str:
    rows = [[e(t["submission"]), str(len(t["components"])), _todo_tags(t["components"])] for t in n["todo"]]
    return _section("todo", "Not started (todo)", "Who has left which components untouched, most first.",
                    _table(["submission", "todo", "components"], rows, numeric={1},
                           empty="Every graded submission has started every component."))


def _resources(n: dict) -> str:
    r = n["resources"]
    if not r["recorded_seconds"]:
        return _section("resources", "Time and memory", "No time or memory was recorded in these results.", "")
    memory = ("peak memory is the largest resident size of a process that ran the submission's code"
              if r["recorded_memory_mb"] else "peak memory was not recorded in these results (only time)")
    note = (f"Median {r['median_seconds']:.1f} s to grade" +
            (f", {r['median_memory_mb']:.0f} MB" if r["median_memory_mb"] is not None else "") +
            f"; {e(memory)}. Flagged: {e(r['rule'])}.")
    chart = _figure(charts.resources_scatter(r["points"], {x["submission"] for x in r["extreme"]}), "time and memory")
    rows = [[e(x["submission"]), "" if x["seconds"] is None else f"{x['seconds']:.1f}",
             "" if x["memory_mb"] is None else f"{x['memory_mb']:.0f}", e("; ".join(x["why"]))] for x in r["extreme"]]
    return _section("resources", "Time and memory", note, chart + _table(
        ["submission", "seconds", "peak MB", "why"], rows, numeric={1, 2}, empty="Nothing extreme."))


def _similarity(n: dict) -> str:
    s = n.get("similarity")
    if not s:
        return _section("similarity", "Similarity", e(n.get("similarity_skipped") or "Not computed."), "")
    note = (f"{e(s['method'])}: {s['pairs_compared']} pairs of {len(s['compared'])} submissions compared; flagged at "
            f"{_pct(s['threshold'])} or more, or when a whole file is that similar. Code that follows the lecture "
            "closely is similar by nature: a flag is a reason to read both, not a verdict.")
    if s["too_small"]:
        note += f" Too little code of their own to compare: {len(s['too_small'])}."

    def files(entry) -> str:
        return " ".join(f'<span class="tag">{e(f)}</span>' for f in entry["same_files"])

    def mark(entry) -> str:
        return f'<span class="flag">{_pct(entry["similarity"])}</span>' if entry["flagged"] else _pct(entry["similarity"])

    pairs = _table(["submission", "submission", "similarity", "first in second", "second in first", "same files"],
                   [[e(p["a"]), e(p["b"]), mark(p), _pct(p["a_in_b"]), _pct(p["b_in_a"]), files(p)] for p in s["pairs"]],
                   numeric={2, 3, 4}, empty="No pair of submissions is nearly the same.")
    kit = ('<p class="empty">The kit\'s solutions were not found (not a checkout of the kit): not compared.</p>'
           if s["solutions"] is None else _table(
               ["submission", "share of its code in the kit's solutions", "same files"],
               [[e(k["submission"]), mark(k), files(k)] for k in s["solutions"]], numeric={1},
               empty="No submission is nearly the same as the kit's solutions."))
    chart = _figure(charts.similarity_histogram(s["histogram"], s["threshold"]), "pair similarity histogram")
    return _section("similarity", "Similarity", note, chart + "<h3>Pairs of submissions</h3>" + pairs
                    + "<h3>Against the kit's own solutions</h3>" + kit)


def _not_graded(n: dict) -> str:
    if not n["not_graded"]:
        return ""
    rows = [[e(x["submission"]), e(x["error"])] for x in n["not_graded"]]
    return _section("not-graded", "Could not be graded", "These score 0 and appear in no chart.",
                    _table(["submission", "why"], rows))


def render_page(n: dict, title: str) -> str:
    css = resources.files("grader").joinpath("instructor", "report", "report.css").read_text(encoding="utf-8")
    body = "".join([_cards(n), _scores(n), _components(n), _mistakes(n), _todo(n), _resources(n), _similarity(n),
                    _not_graded(n)])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{e(title)}</title><style>{css}</style></head>
<body><header><h1>{e(title)}</h1><p>{n['graded']} of {n['submissions']} submissions graded · max core score
{n['max_score']:g}</p></header>
<main>{body}</main><footer>Made by <code>grade report</code> from the results of <code>grade batch</code>.</footer>
</body></html>
"""
