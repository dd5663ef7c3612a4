"""README screenshots of key pages: light theme, 1280x900.

They go to docs/screenshots/<page>.png only with UPDATE_SCREENSHOTS=1 (``UPDATE_SCREENSHOTS=1 pytest
tests/browser/test_screenshots.py``); an ordinary run writes them to a temporary folder, so the tree stays clean.
"""

from __future__ import annotations

import io
import os

import pytest
from matplotlib.image import imread

from .harness import ALL_DRAWN, CHART, ROOT, app_pages, exceptions, wait_loaded

#: The pages to show, each with the heading anchor to scroll to (None: the top of the page) and how many charts
#: it has (on a fresh server a page's charts mount one after another: wait for all of them before the shot).
WANTED = {"Regression": ("huber", 3), "Binary_classification": ("bce", 5), "Compare": (None, 1)}
SHOTS = [p for p in app_pages() if p.url_path in WANTED]


@pytest.mark.parametrize("app_page", SHOTS, ids=[p.id for p in SHOTS])
def test_screenshot(server, page, app_page, tmp_path):
    folder = ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server}/{app_page.url_path}")
    wait_loaded(page)
    anchor, count = WANTED[app_page.url_path]
    page.wait_for_function(f"([sel, n]) => document.querySelectorAll(sel).length === n && ({ALL_DRAWN})()",
                           arg=[CHART, count])
    page.evaluate("document.fonts.ready")
    assert exceptions(page) == []
    if anchor and page.locator(f"#{anchor}").count():
        page.locator(f"#{anchor}").evaluate("(e) => e.scrollIntoView({block: 'start', behavior: 'instant'})")
    path = folder / f"{app_page.id}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    assert imread(io.BytesIO(path.read_bytes()), format="png").shape[:2] == (900, 1280)
