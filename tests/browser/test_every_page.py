"""Every page in a real browser: it renders cleanly, its sliders redraw the charts, it works from the keyboard,
on a phone, and in presentation mode."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .harness import (
    CHART,
    CHART_SIGNATURE,
    CLIENT_SLIDER,
    SLIDER,
    app_pages,
    chart_signature,
    exceptions,
    open_export,
    runs,
    tab_to,
    wait_chart_change,
    wait_loaded,
    wait_run_after,
)

PAGES = app_pages()
METRIC_VALUE = '[data-testid="stMetricValue"]'
#: The page the single-page checks use (the first one in the sidebar when it is missing).
MAIN_PAGE = next((p for p in PAGES if p.url_path == "Regression"), PAGES[0] if PAGES else None)
#: A page with a Streamlit slider (a loss parameter; most sliders elsewhere are browser-side now, and those are
#: reached by keyboard in test_client_sliders).
STREAMLIT_SLIDER_PAGE = next((p for p in PAGES if p.url_path == "Your_own_data"), MAIN_PAGE)
#: ... with HuberLoss, whose rho is a Streamlit slider (the weight is browser-side, under the chart)
STREAMLIT_SLIDER_QUERY = "od_loss=HuberLoss"


def arrow_for(slider) -> str:
    """ArrowRight, unless the thumb already sits at its maximum."""
    value, high = float(slider.input_value()), float(slider.get_attribute("max"))
    return "ArrowLeft" if value >= high else "ArrowRight"


def press_and_wait(page, thumb) -> bool:
    """Press an arrow key on a focused slider; wait for the rerun. True if some chart's data then changed."""
    before_value, before_chart, before_runs = thumb.input_value(), chart_signature(page), runs(page)
    thumb.focus()
    page.keyboard.press(arrow_for(thumb))
    wait_run_after(page, before_runs)
    assert thumb.input_value() != before_value
    try:  # the rerun has finished; plotly applies the new figure right after it renders
        wait_chart_change(page, before_chart, timeout=5_000)
    except PlaywrightTimeoutError:
        return False
    return True


@pytest.mark.parametrize("app_page", PAGES, ids=[p.id for p in PAGES])
def test_page_renders_and_a_slider_move_redraws_its_chart(server, page, app_page):
    page.goto(f"{server}/{app_page.url_path}")
    wait_loaded(page)
    assert exceptions(page) == []
    assert page.locator("h1").count() >= 1
    assert page.console_errors == []
    sliders = page.locator(f"{SLIDER}, {CLIENT_SLIDER}")
    if sliders.count() == 0 or page.locator(CHART).count() == 0:
        return  # nothing to move on this page; rendering cleanly is the whole check
    # Not every slider feeds a chart (some drive a table or a metric): move them in page order until one
    # redraws a chart; each move of a Streamlit slider must rerun the page cleanly, and a browser-side one
    # redraws its chart by itself.
    for k in range(min(sliders.count(), 6)):
        thumb = sliders.nth(k)
        if thumb.evaluate("(el) => !!el.closest('[data-testid=\"lossappControls\"]')"):
            # a browser-side slider redraws its chart, or (a weight that leaves the chart as it is) the
            # numbers under it
            numbers = "(el) => el.closest('[data-testid=\"lossappControls\"]').querySelector('dl')?.innerText ?? ''"
            before, shown = chart_signature(page), thumb.evaluate(numbers)
            thumb.focus()
            page.keyboard.press(arrow_for(thumb))
            page.wait_for_function(f"([el, before, shown]) => ({CHART_SIGNATURE})() !== before"
                                   f" || ({numbers})(el) !== shown", arg=[thumb.element_handle(), before, shown],
                                   timeout=10_000)
            redrawn = chart_signature(page) != before or thumb.evaluate(numbers) != shown
        else:
            numbers = page.locator(METRIC_VALUE).all_inner_texts()
            redrawn = press_and_wait(page, thumb)
            # a weight may leave the page's chart as it is (the shares of "Your own data") and move its numbers
            redrawn = redrawn or page.locator(METRIC_VALUE).all_inner_texts() != numbers
        assert exceptions(page) == []
        if redrawn:
            break
    else:
        pytest.fail(f"none of the first {min(sliders.count(), 6)} sliders changed a chart or a number")
    assert page.console_errors == []


@pytest.mark.skipif(STREAMLIT_SLIDER_PAGE is None, reason="no app_pages/*.py yet")
def test_keyboard_alone_reaches_a_slider_and_changes_it(server, page):
    page.goto(f"{server}/{STREAMLIT_SLIDER_PAGE.url_path}?{STREAMLIT_SLIDER_QUERY}")
    wait_loaded(page)
    assert tab_to(page, SLIDER, 60), "60 presses of Tab never focused a slider"
    thumb = page.locator(f"{SLIDER}:focus")
    before_value, before_runs = thumb.input_value(), runs(page)
    page.keyboard.press(arrow_for(thumb))
    wait_run_after(page, before_runs)
    assert thumb.input_value() != before_value
    # focus stays on the slider after the rerun, so the user can keep pressing arrows
    assert page.evaluate("document.activeElement.matches('[data-testid=\"stSlider\"] input[type=\"range\"]')")


def test_phone_viewport_has_no_horizontal_overflow(server, phone_page):
    overflowing = {}
    for app_page in PAGES:
        phone_page.goto(f"{server}/{app_page.url_path}")
        wait_loaded(phone_page)
        assert exceptions(phone_page) == [], app_page.url_path
        widths = phone_page.evaluate(
            """() => {
                const main = document.querySelector('[data-testid="stMainBlockContainer"]');
                return {main: main.scrollWidth, mainClient: main.clientWidth,
                        doc: document.scrollingElement.scrollWidth, viewport: window.innerWidth};
            }"""
        )
        if widths["main"] > widths["mainClient"] + 1 or widths["doc"] > widths["viewport"] + 1:
            overflowing[app_page.url_path] = widths
    assert overflowing == {}
    assert phone_page.console_errors == []


@pytest.mark.skipif(MAIN_PAGE is None, reason="no app_pages/*.py yet")
def test_presentation_mode_hides_the_sidebar_and_enlarges_text(server, page):
    paragraph = '[data-testid="stMain"] [data-testid="stMarkdown"] p'
    size = f"parseFloat(getComputedStyle(document.querySelector('{paragraph}')).fontSize)"
    page.goto(f"{server}/{MAIN_PAGE.url_path}")
    wait_loaded(page)
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    normal = page.evaluate(size)

    page.goto(f"{server}/{MAIN_PAGE.url_path}?present=1")
    wait_loaded(page)
    assert exceptions(page) == []
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert page.evaluate(size) > normal
    assert page.console_errors == []


@pytest.mark.skipif(MAIN_PAGE is None, reason="no app_pages/*.py yet")
def test_a_slider_move_redraws_the_chart_in_place(server, page):
    """lossapp.live_chart: the charts' elements survive a rerun and plotly updates them (no new chart is built),
    their accessible names are the alt texts, and plotly.js comes from the app's own static files. (The
    Sequences page: its number of steps changes every chart, first from frames, then from the script run that
    follows once the slider is still.)"""
    page.goto(f"{server}/Sequences")
    wait_loaded(page)
    first = page.locator(CHART).first
    assert first.get_attribute("role") == "img"
    assert first.get_attribute("aria-label").startswith("Heatmap of the class probabilities")
    every = page.locator(CHART)
    every.evaluate_all("(gds) => gds.forEach((gd, i) => { gd.__probe = 'kept ' + i; })")
    before = every.evaluate_all("(gds) => gds.map((gd) => JSON.stringify(gd.data.map((t) => t.z || t.y)))")
    assert press_and_wait(page, page.locator(f'{CLIENT_SLIDER}[data-param="ctc_t"]'))  # then a sync run
    assert every.evaluate_all("(gds) => gds.map((gd) => gd.isConnected && gd.__probe)") == [
        f"kept {i}" for i in range(len(before))]
    after = every.evaluate_all("(gds) => gds.map((gd) => JSON.stringify(gd.data.map((t) => t.z || t.y)))")
    assert after != before
    assert page.locator(CHART).count() == len(before)  # no chart left behind or drawn twice
    assert page.evaluate("typeof window.Plotly.react") == "function"
    assert page.evaluate("Array.from(document.scripts).some((s) => s.src.endsWith('/app/static/plotly.min.js'))")
    assert page.console_errors == []


def test_a_rerun_redraws_only_the_charts_whose_figure_changed(server, page):
    """label_lengths 3 -> 2 on the CTC view (from frames, then the script run that follows once the slider is
    still): the lattice loses two rows and is redrawn, while the class probabilities do not depend on the label
    and their chart is left alone both times. (In a window that shows both charts: one out of view would wait.)"""
    page.set_viewport_size({"width": 1280, "height": 3600})
    page.goto(f"{server}/Sequences")
    wait_loaded(page)
    page.evaluate("() => { const react = window.Plotly.react; window.Plotly.react = function (gd, ...rest) {"
                  " gd.__reacts = (gd.__reacts || 0) + 1; return react.call(this, gd, ...rest); }; }")
    count = ("(prefix) => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]'))"
             ".find((gd) => gd.getAttribute('aria-label').startsWith(prefix)).__reacts || 0")
    rows = ("() => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).find((gd) =>"
            " gd.getAttribute('aria-label').startsWith('Heatmap of the alignment lattice'))._fullData[0].z.length")
    assert page.evaluate(rows) == 7  # · C · A · T ·
    length = page.locator(f'{CLIENT_SLIDER}[data-param="ctc_llen"]')
    before = runs(page)
    length.focus()
    page.keyboard.press("ArrowLeft")  # label_lengths 3 -> 2: the label is CA
    wait_run_after(page, before)
    page.wait_for_function(f"() => ({count})('Heatmap of the alignment lattice') > 0")
    assert page.evaluate(rows) == 5  # · C · A ·
    assert page.evaluate(count, "Heatmap of the class probabilities") == 0
    assert exceptions(page) == [] and page.console_errors == []


@pytest.mark.skipif(MAIN_PAGE is None, reason="no app_pages/*.py yet")
def test_charts_write_in_the_text_colour_of_the_app_theme(server, page):
    """Axis labels take the theme's text colour (what keeps them legible on the dark theme), not plotly's grey."""
    page.goto(f"{server}/{MAIN_PAGE.url_path}")
    wait_loaded(page)
    chart = page.locator(CHART).first
    theme_text = chart.evaluate("(gd) => getComputedStyle(gd).getPropertyValue('--st-text-color').trim()")
    assert theme_text, "the component does not see the theme's colours"
    tick = chart.locator(".ytick text").first.evaluate("(t) => getComputedStyle(t).fill")
    probe = page.evaluate("(c) => { const d = document.createElement('div'); d.style.color = c; "
                          "document.body.append(d); const v = getComputedStyle(d).color; d.remove(); return v; }",
                          theme_text)
    assert tick == probe


@pytest.mark.skipif(MAIN_PAGE is None, reason="no app_pages/*.py yet")
def test_the_export_expander_opens_with_the_code_of_the_current_settings(server, page):
    page.goto(f"{server}/{MAIN_PAGE.url_path}")
    wait_loaded(page)
    assert page.locator('[data-testid="stCode"]').count() == 0  # nothing is sent while it is closed
    open_export(page)
    code = page.locator('[data-testid="stCode"]').first
    code.wait_for()
    assert "losscore" in code.inner_text()
    assert exceptions(page) == [] and page.console_errors == []
