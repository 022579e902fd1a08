"""`grade report`: the class's numbers come from the results (compared with the made-up class's
recipe, not with fixed figures), the near-copies are found, and the page is safe and whole."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from grader.engine import manifest
from grader.cli import main
from grader.instructor.report.build import build
from report_class import NAMES, make_class

ALL = [c for m in manifest.load().values() for c in m.components]


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """The made-up class, and its numbers with the similarity check (the slow part: once)."""
    results, submissions, recipe = make_class(tmp_path_factory.mktemp("class"))
    return results, submissions, recipe, build(results, submissions)


def _statuses(results):
    out = {}
    for path in results.glob("*.json"):
        data = json.loads(path.read_text())
        out[path.stem] = {c["id"]: c["status"] for m in data["modules"] for c in m["components"]}
    return {k: v for k, v in out.items() if v}


def test_the_numbers_follow_the_results(tmp_path):
    results, submissions, recipe = make_class(tmp_path)
    n = build(results, similarity=False)
    statuses = _statuses(results)
    assert n["submissions"] == len(NAMES) and n["graded"] == len(NAMES) - 1
    assert [x["submission"] for x in n["not_graded"]] == [recipe.not_graded]
    assert n["max_score"] == sum(c.points for c in ALL if not c.bonus)
    for c in n["components"]:
        counted = Counter(s[c["id"]] for s in statuses.values())
        assert c["counts"]["passed"] == counted["passed"] and c["counts"]["todo"] == counted["todo"]
        assert abs(c["pass_rate"] - counted["passed"] / len(statuses)) < 1e-3
    by_id = {c["id"]: c for c in n["components"]}
    for component, students in recipe.named.items():  # named mistakes, counted by their id
        top = by_id[component]["mistakes"][0]
        assert top["named"] and top["count"] == len(students) and sorted(top["submissions"]) == sorted(students)
    for component, students in recipe.by_message.items():  # no name: the same message up to its numbers
        assert sum(m["count"] for m in by_id[component]["mistakes"]) == len(students)
        assert len(by_id[component]["mistakes"]) == 1
    assert {t["submission"]: t["components"] for t in n["todo"]} == recipe.todo
    assert {x["submission"] for x in n["resources"]["extreme"]} == {recipe.slow, recipe.hungry}
    cores = {s["submission"]: s["core"] for s in n["scores"]}
    for name, st in statuses.items():  # core points never include the bonus
        assert cores[name] == sum(c.points for c in ALL if not c.bonus and st[c.id] == "passed")


def test_near_copies_of_each_other_and_of_the_kits_solutions_are_flagged(klass):
    results, submissions, recipe, numbers = klass
    sim = numbers["similarity"]
    flagged = {frozenset((p["a"], p["b"])) for p in sim["pairs"] if p["flagged"]}
    copier, source = recipe.copies
    assert frozenset((copier, source)) in flagged
    honest = set(NAMES) - {copier, source, recipe.kit_copy, recipe.partial_kit, recipe.stubs_only, recipe.not_graded}
    assert not [p for p in flagged if p <= honest]  # code of their own is never flagged
    kit = {k["submission"]: k for k in sim["solutions"]}
    assert kit[recipe.kit_copy]["flagged"] and kit[recipe.kit_copy]["similarity"] > 0.95
    assert kit[recipe.partial_kit]["same_files"] == ["micrograd/engine.py"]  # one file copied, the rest not
    assert not honest & {name for name, k in kit.items() if k["flagged"]}
    assert recipe.stubs_only in sim["too_small"]  # the stubs' own text never counts as anyone's code
    assert sim["code_not_found"] == [] and sum(sim["histogram"]) == sim["pairs_compared"]


def test_the_command_writes_one_page_and_the_same_numbers_as_json(klass, tmp_path):
    results, submissions, recipe, expected = klass
    page, numbers = tmp_path / "report.html", tmp_path / "numbers.json"
    result = CliRunner().invoke(main, ["report", str(results), "--out", str(page), "--json", str(numbers),
                                       "--submissions", str(submissions)])
    assert result.exit_code == 0, result.output
    assert json.loads(numbers.read_text()) == json.loads(json.dumps(expected))
    html = page.read_text()
    assert not re.search(r"""(src|href)\s*=\s*(?!["']?(data:|#))""", html)  # nothing but data URIs
    assert "<script" not in html and html.count("data:image/svg+xml;base64,") == 4
    missing = CliRunner().invoke(main, ["report", str(tmp_path / "nowhere"), "--out", str(page)])
    assert missing.exit_code == 2 and "not a folder" in missing.output


def test_student_text_is_escaped(tmp_path):
    results, submissions, recipe = make_class(tmp_path)
    evil = results / f"{NAMES[1]}.json"
    data = json.loads(evil.read_text())
    tanh = next(c for m in data["modules"] for c in m["components"] if c["id"] == "micrograd.tanh")
    tanh.update(status="error", message='<img src=x onerror="alert(1)"> raised', mistake=None)
    evil.write_text(json.dumps(data))
    (results / "<b>bold<\\b>.json").write_text(json.dumps({"version": 1, "modules": [], "error": "<script>x</script>"}))
    page = tmp_path / "report.html"
    assert CliRunner().invoke(main, ["report", str(results), "--out", str(page), "--no-similarity"]).exit_code == 0
    html = page.read_text()
    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<script>" not in html and "&lt;b&gt;bold" in html
