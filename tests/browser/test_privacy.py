"""No chart offers to send itself off the server: on every page, every plotly chart's toolbar is without the
Plotly Cloud ("Share chart") and Chart Studio buttons and its config switches them off; and the toolbar's buttons
are out of the tab order, so a chart adds no tab stops before its sliders."""

from __future__ import annotations

import re

import pytest

from .harness import CHART, CLIENT_SLIDER, app_pages, exceptions, tab_to, wait_loaded

PAGES = app_pages()
UPLOAD = re.compile(r"cloud|share|chart studio|edit in|upload", re.I)

#: Every chart's toolbar buttons (title, attribute, tab index) and the config switches that add upload buttons.
TOOLBARS = """(sel) => Array.from(document.querySelectorAll(sel)).map((gd) => ({
  buttons: Array.from(gd.querySelectorAll('.modebar-btn')).map((b) => [b.getAttribute('data-title') || '',
    b.getAttribute('data-attr') || '', b.getAttribute('data-val') || '', b.getAttribute('tabindex')]),
  cloud: gd._context ? [gd._context.showSendToCloud, gd._context.showEditInChartStudio === true,
    gd._context.displaylogo]
    : null,
}))"""


@pytest.mark.parametrize("path", ["", *(p.url_path for p in PAGES)], ids=["home", *(p.id for p in PAGES)])
def test_no_chart_offers_an_upload_and_its_toolbar_takes_no_tab_stops(server, page, path):
    page.goto(f"{server}/{path}")
    wait_loaded(page)
    assert not exceptions(page)
    if page.locator(CHART).count():
        page.locator(CHART).first.hover()  # the toolbar shows on hover
    toolbars = page.evaluate(TOOLBARS, CHART)
    for chart in toolbars:
        assert chart["cloud"] == [False, False, False], chart
        offered = [b for b in chart["buttons"] if UPLOAD.search(" ".join(b[:3]))]
        assert offered == [], offered
        assert all(b[3] == "-1" for b in chart["buttons"]), chart["buttons"]
    if path == "Regression":  # charts there have toolbars: the check above saw buttons
        assert sum(len(c["buttons"]) for c in toolbars) > 0


def test_tab_goes_from_the_page_to_the_sliders_without_toolbar_stops(server, page):
    page.goto(f"{server}/Regression")
    wait_loaded(page)
    assert tab_to(page, CLIENT_SLIDER, 40)
    assert not page.evaluate("() => Boolean(document.activeElement.closest('.modebar'))")
