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
from contextlib import contextmanager

import pytest

from lossapp.page import embed_code

from .harness import ALL_DRAWN, CHART, EXCEPTION, IDLE, free_port

#: What the Regression page's sidebar offers for its Huber section (addresses from the app's root).
EMBED_CODE = embed_code("huber")

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Docs: regression losses</title></head>
<body>
  <h1>Regression losses</h1>
  <p>Move the sliders in the app below.</p>
  <iframe id="app" title="Loss functions, explained live" src="{src}" width="1100" height="800"
          style="border: 0"></iframe>
</body></html>
"""


@contextmanager
def serving(body: bytes) -> Iterator[str]:
    """``body`` served as the only page of a plain HTTP server on a loopback port (another origin than the
    app's, as a docs site is); yields its address."""

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


@pytest.fixture
def docs_site(server) -> Iterator[str]:
    """A docs page on its own loopback port that embeds the app's Regression page."""
    with serving(DOCS_PAGE.format(src=f"{server}/Regression?embed=true").encode()) as url:
        yield url


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


#: A docs page that embeds one section with the code the app's sidebar offers (lossapp.page.embed_code).
SECTION_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Docs: the Huber loss</title></head>
<body style="margin: 0">
  <p>The Huber loss, live:</p>
  {code}
</body></html>
"""


def test_one_section_embedded_in_a_docs_page_fits_its_frame_and_reacts(page, server):
    from lossapp.page import EMBED_SIZE

    code = EMBED_CODE.replace("/Regression?", f"{server}/Regression?")
    with serving(SECTION_PAGE.format(code=code).encode()) as url:
        page.goto(url)
        page.frame_locator("iframe").locator(CHART).first.wait_for()
        inner = next(f for f in page.frames if "section=huber" in f.url)
        inner.wait_for_selector(IDLE)
        inner.wait_for_function("window.__stRuns > 0")
        inner.wait_for_function(ALL_DRAWN)

        # the section alone: its heading and chart, not the page's title, the other sections or the sidebar
        headings = inner.locator("h1:visible, h2:visible, h3:visible").all_inner_texts()
        assert any(h.startswith("Huber loss") for h in headings), headings
        assert not any(h.startswith(("Regression losses", "L1 loss", "L2 loss")) for h in headings), headings
        assert inner.locator('[data-testid="stSidebar"]:visible, [data-testid="stExpandSidebarButton"]:visible'
                             ).count() == 0
        assert inner.locator(CHART).count() == 1
        # nothing covers the top of the section (Streamlit's top bar is opaque even when empty)
        assert inner.evaluate("""() => { const h = Array.from(document.querySelectorAll('h3'))
            .find((e) => e.innerText.startsWith('Huber loss')); const r = h.getBoundingClientRect();
            return r.top >= 0 && document.elementFromPoint(r.left + 4, r.top + 2)?.closest('h3') === h; }""")

        # the chart fits the frame the embed code proposes (and so the docs column)
        frame_box = page.locator("iframe").bounding_box()
        assert (round(frame_box["width"]), round(frame_box["height"])) == EMBED_SIZE
        chart = inner.locator(CHART).first.bounding_box()
        assert chart["x"] >= frame_box["x"] and chart["x"] + chart["width"] <= frame_box["x"] + frame_box["width"]
        assert chart["height"] <= frame_box["height"]

        # a small link opens the section in the full app, in a new tab (the docs page stays)
        link = inner.get_by_role("link", name="Open in the full app ↗")
        assert link.get_attribute("target") == "_blank"
        assert link.get_attribute("href") == f"{server}/Regression#huber"

        # it reacts: the marker moves in the browser and the readout follows
        marker = inner.locator('[data-testid="lossappControls"] input[data-param="huber_pred"]')
        marker.press("ArrowLeft")
        inner.wait_for_function("() => document.querySelector('[data-testid=\"lossappReadout\"] dd')?.innerText "
                                "=== '1.4500'")
        assert inner.locator(EXCEPTION).count() == 0
        assert page.console_errors == []


def test_a_section_of_another_page_opens_on_its_own_page(page, server):
    page.goto(f"{server}/Regression?section=kl&embed=true")
    page.wait_for_function("() => location.pathname.endsWith('/Distributions')")
    page.wait_for_selector(IDLE)
    page.get_by_role("heading", name="Kullback-Leibler divergence").first.wait_for()
    assert "section=kl" in page.url and "embed=true" in page.url
    assert page.get_by_role("heading", name="Regression losses").count() == 0
    assert page.locator(EXCEPTION).count() == 0
