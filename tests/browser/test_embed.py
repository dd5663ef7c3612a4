"""A documentation site embeds one page: ``<iframe src=".../Regression?embed=true">`` in a local HTML page.

The HTML page is served on loopback by a second, plain HTTP server (another origin, as a docs site is). Inside
the frame the page renders without Streamlit's sidebar and toolbar, reruns when a slider moves, and shows no
exception; the host page sees no console error.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Iterator

import pytest

from .harness import ALL_DRAWN, CHART, EXCEPTION, IDLE, free_port

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Docs: regression losses</title></head>
<body>
  <h1>Regression losses</h1>
  <p>Move the sliders in the app below.</p>
  <iframe id="app" title="Loss functions, explained live" src="{src}" width="1100" height="800"
          style="border: 0"></iframe>
</body></html>
"""


@pytest.fixture
def docs_site(server) -> Iterator[str]:
    """A docs page on its own loopback port that embeds the app's Regression page."""
    body = DOCS_PAGE.format(src=f"{server}/Regression?embed=true").encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            if self.path != "/":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def runs_in(frame) -> int:
    return int(frame.evaluate("window.__stRuns || 0"))


def test_embedded_page_renders_and_reacts(page, docs_site):
    page.goto(docs_site)
    frame = page.frame_locator("#app")
    frame.get_by_role("heading", name="Regression losses").wait_for()
    inner = next(f for f in page.frames if f.url.startswith("http") and "embed=true" in f.url)
    inner.wait_for_selector(IDLE)
    inner.wait_for_function("window.__stRuns > 0")
    inner.wait_for_function(ALL_DRAWN)

    # embedded: no main menu, and the sidebar starts closed (its expand button shows); the content is all there
    assert inner.locator('[data-testid="stMainMenu"]:visible').count() == 0
    assert inner.locator('[data-testid="stExpandSidebarButton"]').is_visible()
    assert inner.locator(CHART).count() >= 3
    assert page.title() == "Docs: regression losses"

    # it reacts: the L1 marker moves in the browser, the loss it shows follows, and the server catches up
    before = runs_in(inner)
    marker = inner.locator('[data-testid="lossappControls"] input[data-param="l1_pred"]')
    marker.press("ArrowLeft")
    assert float(marker.input_value()) == pytest.approx(1.95)
    inner.wait_for_function("() => document.querySelector('[data-testid=\"lossappReadout\"] dd')?.innerText "
                            "=== '1.9500'")
    inner.wait_for_function(
        "(n) => window.__stRuns > n && document.querySelector('[data-testid=\"stApp\"]')"
        ".getAttribute('data-test-script-state') === 'notRunning'", arg=before)

    assert inner.locator(EXCEPTION).count() == 0
    assert page.console_errors == []


def test_a_link_in_a_shared_address_is_shown_as_text_not_as_a_link(page, server):
    """A mangled or forged link puts text into a box; the error that quotes it must not offer a clickable link."""
    for hostile in ("[click](http://e.example/x)", "http://e.example", "www.e.example", "![i](http://e.example/i)"):
        query = urllib.parse.urlencode({"embed": "true", "basics_pred": f"1, {hostile}"})
        page.goto(f"{server}/Basics?{query}")
        page.wait_for_selector(IDLE)
        page.wait_for_function("window.__stRuns > 0")
        alert = page.locator('[data-testid="stAlert"]', has_text="is not a number").first
        alert.wait_for()
        assert "e.example" in alert.inner_text().replace("\u200b", ""), hostile
        assert page.locator('[data-testid="stAlert"] a, [data-testid="stAlert"] img').count() == 0, hostile
        assert page.locator('a[href*="e.example"], img[src*="e.example"]').count() == 0, hostile
        assert page.locator(EXCEPTION).count() == 0
