"""Links people share: a cold server opened on a page, and a URL whose query parameters restore the controls."""

from __future__ import annotations

import pytest

from .harness import CHART, CLIENT_SLIDER, SIDEBAR_LINK, SLIDER, app_pages, exceptions, wait_loaded

PAGES = app_pages()
HAS_REGRESSION = any(p.url_path == "Regression" for p in PAGES)


@pytest.mark.skipif(not HAS_REGRESSION, reason="app_pages/2_Regression.py not written yet")
def test_cold_start_deep_link_shows_the_whole_sidebar_and_the_page(cold_server, page):
    page.goto(f"{cold_server}/Regression")  # the first request this server ever serves
    wait_loaded(page)
    assert exceptions(page) == []
    links = page.locator(SIDEBAR_LINK)
    labels = [t.strip() for t in links.all_inner_texts()]
    assert len(labels) == len(PAGES) + 1  # the home page and every other page of lossapp.registry
    for app_page in PAGES:
        assert app_page.label in labels
    current = page.locator(f'{SIDEBAR_LINK}[aria-current="page"]')
    assert current.inner_text().strip() == "Regression"
    assert "Regression" in page.locator("h1").first.inner_text()
    # on a cold server the page's chart components mount one after another, after the script run is over
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length >= 3", arg=CHART)
    assert page.locator(f"{SLIDER}, {CLIENT_SLIDER}").count() >= 3
    assert page.console_errors == []


@pytest.mark.skipif(not HAS_REGRESSION, reason="app_pages/2_Regression.py not written yet")
def test_shared_url_restores_the_controls(server, page):
    # keys from app_pages/2_Regression.py via lossapp.curve_explorer.curve_section: huber_rho, huber_pred, l2_label
    page.goto(f"{server}/Regression?huber_rho=2.5&huber_pred=1.5&l2_label=-1")
    wait_loaded(page)
    assert exceptions(page) == []
    assert page.get_by_role("slider", name="rho").input_value() == "2.5"
    # the page's sections come in the order L1, L2, Huber, each with a label slider and a marker slider
    assert page.get_by_role("slider", name="prediction marker").nth(2).input_value() == "1.5"
    assert page.get_by_role("slider", name="label").nth(1).input_value() == "-1"
    # the restored values drive the numbers: Huber at 1.5 with rho 2.5 is 1.5**2 / (2 * 2.5) = 0.45
    values = page.locator('[data-testid="lossappReadout"]').nth(2)
    assert values.locator("dt").nth(0).inner_text() == "HuberLoss: loss"
    assert values.locator("dd").nth(0).inner_text().strip() == "0.4500"
    assert "huber_rho=2.5" in page.url
    assert page.console_errors == []


def test_cold_link_with_an_infinite_seed_shows_the_page_and_a_notice(cold_server, page):
    """Streamlit's own URL seeding turned ``ctc_seed=inf`` into int(inf), an OverflowError that replaced the whole
    page with "This app has encountered an error" (lossapp.urlstate now keeps such values from it)."""
    page.goto(f"{cold_server}/Sequences?ctc_seed=inf&ctc_preset=random&ctc_scores=random")
    wait_loaded(page)
    assert exceptions(page) == []
    assert "encountered an error" not in page.locator("body").inner_text()
    assert "CTC loss" in page.locator("h1").first.inner_text()
    assert page.get_by_role("spinbutton", name="random seed").input_value() == "0"
    alert = page.locator('[data-testid="stAlert"]').first.inner_text()
    assert "ctc_seed in the link is not a finite number; using the default 0" in alert
    assert "ctc_seed=inf" not in page.url
    assert page.console_errors == []
