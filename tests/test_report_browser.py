"""The class report in a real browser: headless Chromium (Debian's package, driven by Playwright)
renders the charts and tables, and the page asks the network for nothing."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from report_class import make_class

CHROMIUM = os.environ.get("ZERO_TO_HERO_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_report_renders_offline_in_chromium(tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium installed (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    results, submissions, recipe = make_class(tmp_path)
    page_path = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(results), "--out", str(page_path)])
    assert result.exit_code == 0, result.output
    url = page_path.as_uri()
    shots = Path(tempfile.mkdtemp(prefix="report-screenshot-"))
    requests: list[str] = []

    def guard(route):
        if route.request.url == url:
            route.continue_()
        else:  # nothing else may leave the page: abort it, and the assertion below says what it was
            requests.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.route("**/*", guard)
            page.on("request", lambda r: r.url.startswith("data:") or r.url == url or requests.append(r.url))
            page.goto(url, wait_until="load")
            images = page.eval_on_selector_all(
                "figure img", "imgs => imgs.map(i => [i.alt, i.complete && i.naturalWidth > 100 && i.naturalHeight > 50])")
            rows = page.eval_on_selector_all("section", "ss => ss.map(s => [s.id, s.querySelectorAll('tbody tr').length])")
            text = page.inner_text("body")
            page.screenshot(path=str(shots / "report.png"), full_page=True)
        finally:
            browser.close()
    print(f"screenshot: {shots / 'report.png'}")
    assert requests == []
    assert len(images) == 4 and all(ok for _, ok in images), images
    rows = dict(rows)
    assert rows["components"] > 30 and rows["mistakes"] >= 3 and rows["todo"] == len(recipe.todo)
    assert rows["resources"] == 2 and rows["not-graded"] == 1
    assert rows["similarity"] >= 3  # the pair that copied, and the two matches with the kit's solutions
    assert f"{recipe.copies[1]}" in text and recipe.kit_copy in text
    assert (shots / "report.png").stat().st_size > 50_000
