"""Lecture mode in the browser: a clicker's keys step through the tutorial across pages (but not while a slider has
the focus), one step fits a 1024x768 screen, chart text is projector-sized at 1920x1080, and on a normal page the
address's #anchor follows the section in view.

The present-mode screenshots of the README go to docs/screenshots/ only with UPDATE_SCREENSHOTS=1; an ordinary run
writes them to a temporary folder.
"""

from __future__ import annotations

import os

import pytest

from lossapp.steps import STEPS

from .harness import CLIENT_SLIDER, READOUT, ROOT, exceptions, wait_loaded
from .test_layout_overlap import TEXT_BOXES, overlaps

#: Counts clicks on the lecture pager's buttons (the key listener presses them), in capture so none is missed.
PAGER_CLICKS = """
window.__pagerClicks = 0;
document.addEventListener('click', (e) => {
  if (e.target.closest && e.target.closest('[class*="st-key-lecture_"]')) window.__pagerClicks += 1;
}, true);
"""


def _viewport_page(browser, width: int, height: int):
    from .conftest import _new_page

    context, pg = _new_page(browser, viewport={"width": width, "height": height})
    pg.add_init_script(PAGER_CLICKS)
    return context, pg


@pytest.fixture
def projector_1024(browser):
    context, pg = _viewport_page(browser, 1024, 768)
    yield pg
    context.close()


@pytest.fixture
def projector_1920(browser):
    context, pg = _viewport_page(browser, 1920, 1080)
    yield pg
    context.close()


def _open(pg, server: str, path: str):
    pg.goto(f"{server}/{path}")
    wait_loaded(pg)
    assert exceptions(pg) == []
    return pg


def _at_step(pg, page: str, step: str) -> None:
    """Wait until the address is ``page`` at ``step`` and that step is drawn."""
    pg.wait_for_function(
        "([page, step]) => location.pathname.endsWith('/' + page) && "
        "new URLSearchParams(location.search).get('step') === step && document.getElementById(step)",
        arg=[page, step])
    wait_loaded(pg)


def _headings(pg) -> list[str]:
    return pg.locator("h2, h3").all_inner_texts()


def test_clicker_keys_step_through_the_tutorial_across_pages(server, projector_1024):
    pg = _open(projector_1024, server, "Regression?present=1&step=l2")
    pg.keyboard.press("PageDown")
    _at_step(pg, "Regression", "huber")
    assert any("Huber loss" in h for h in _headings(pg)) and not any("L2 loss" in h for h in _headings(pg))
    pg.keyboard.press("PageDown")  # the next step is on the next page
    after = STEPS[[s.id for s in STEPS].index("huber") + 1]
    _at_step(pg, after.page, after.id)
    assert new_params(pg) == {"present": "1", "step": after.id}
    assert pg.get_by_text(f"7 / {len(STEPS)}").count() == 1
    pg.keyboard.press("ArrowLeft")
    _at_step(pg, "Regression", "huber")
    pg.keyboard.press("PageUp")
    _at_step(pg, "Regression", "l2")
    pg.keyboard.press("ArrowRight")
    _at_step(pg, "Regression", "huber")
    assert exceptions(pg) == []


def new_params(pg) -> dict[str, str]:
    return dict(pg.evaluate("Array.from(new URLSearchParams(location.search).entries())"))


def test_arrow_keys_in_a_slider_move_the_slider_not_the_step(server, projector_1024):
    pg = _open(projector_1024, server, "Regression?present=1&step=huber")
    slider = pg.locator(CLIENT_SLIDER).first
    before = slider.input_value()
    slider.focus()
    pg.keyboard.press("ArrowRight")
    pg.wait_for_function("([sel, v]) => document.querySelector(sel).value !== v", arg=[CLIENT_SLIDER, before])
    pg.keyboard.press("PageDown")  # in a slider PageDown moves it by a page too: the step stays
    assert pg.evaluate("window.__pagerClicks") == 0  # the listener clicks synchronously: none happened
    assert new_params(pg)["step"] == "huber"
    pg.evaluate("document.activeElement.blur()")
    pg.keyboard.press("ArrowRight")  # out of the slider the same key steps
    after = STEPS[[s.id for s in STEPS].index("huber") + 1]
    _at_step(pg, after.page, after.id)


def _inside(box: dict, width: int, height: int) -> bool:
    return box["x"] >= -1 and box["y"] >= -1 and box["x"] + box["width"] <= width + 1 and \
        box["y"] + box["height"] <= height + 1


@pytest.mark.parametrize(("page_path", "step"), [("Regression", "huber"), ("Distributions", "kl"),
                                                 ("Embeddings", "triplet"), ("Sequences", "ctc")])
def test_one_step_fits_a_1024x768_screen(server, projector_1024, page_path, step, tmp_path):
    pg = _open(projector_1024, server, f"{page_path}?present=1&step={step}")
    pg.evaluate("document.fonts.ready")
    assert pg.evaluate("(document.scrollingElement || document.body).scrollTop") == 0
    parts = {
        "formula": pg.locator(".katex-display").first,
        "chart": pg.locator('[data-testid="lossappChart"]').first,
        "readout": pg.locator(READOUT).first,
        "pager": pg.locator(".st-key-lecture_next button >> visible=true"),
    }
    sliders = pg.locator(CLIENT_SLIDER)
    assert sliders.count() > 0
    boxes = {name: loc.bounding_box() for name, loc in parts.items()}
    boxes.update({f"slider {i}": sliders.nth(i).bounding_box() for i in range(sliders.count())})
    outside = {name: box for name, box in boxes.items() if box is None or not _inside(box, 1024, 768)}
    assert outside == {}
    if step == "triplet":  # the points' and distances' labels at projector size stay apart
        labels = parts["chart"].evaluate(TEXT_BOXES, ".textpoint text")
        assert len(labels) == 5 and overlaps(labels) == [], labels
    if step == "huber":
        _shot(pg, "present-1024", tmp_path)


def _shot(pg, name: str, tmp_path) -> None:
    folder = ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(folder / f"{name}.png"), animations="disabled", caret="hide")


#: Font sizes (px) of a chart's tick labels and legend texts, and stroke widths of its curves.
CHART_TEXT = """
(chart) => ({
  ticks: Array.from(chart.querySelectorAll('.xtick text, .ytick text'))
    .map((t) => parseFloat(getComputedStyle(t).fontSize)),
  legend: Array.from(chart.querySelectorAll('.legendtext')).map((t) => parseFloat(getComputedStyle(t).fontSize)),
  lines: Array.from(chart.querySelectorAll('.scatterlayer .trace path.js-line'))
    .map((p) => [parseFloat(getComputedStyle(p).strokeWidth), getComputedStyle(p).stroke]),
})
"""


def test_chart_text_and_lines_are_projector_sized_at_1920(server, projector_1920, tmp_path):
    pg = _open(projector_1920, server, "Regression?present=1&step=l1")
    chart = pg.locator('[data-testid="lossappChart"]').first
    seen = chart.evaluate(CHART_TEXT)
    assert seen["ticks"] and min(seen["ticks"]) >= 20, seen["ticks"]
    assert seen["legend"] and min(seen["legend"]) >= 20, seen["legend"]
    widths = [w for w, _ in seen["lines"]]
    assert widths and min(widths) >= 4, seen["lines"]
    assert "rgb(179, 107, 0)" in {c for _, c in seen["lines"]}  # L1's orange, darkened for a projector
    # the chart component's own slider labels are as large as Streamlit's widget labels
    label = pg.locator(".lossapp-control label").first.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
    widget = pg.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")  # 1rem, as theirs
    assert label == pytest.approx(widget, abs=1) and label >= 20
    _shot(pg, "present-1920", tmp_path)
    _open(pg, server, "?present=1")  # the title screen's count of losses stays large
    metric = pg.locator('[data-testid="stMetricValue"] p').first
    size = metric.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 60


def test_the_address_follows_the_section_in_view(server, page):
    _open(page, server, "Regression")
    length = page.evaluate("history.length")
    for anchor in ("huber", "l2"):
        page.locator(f"#{anchor}").evaluate("(e) => e.scrollIntoView({block: 'start', behavior: 'instant'})")
        page.wait_for_function("(a) => location.hash === '#' + a", arg=anchor)
    assert page.evaluate("history.length") == length  # replaced, never pushed
    assert page.evaluate("location.pathname + location.search") == "/Regression"
    # a copied link opens at its section
    page.goto(f"{server}/Regression#huber")
    wait_loaded(page)
    page.wait_for_function("() => { const r = document.getElementById('huber').getBoundingClientRect(); "
                           "return r.top >= 0 && r.top < innerHeight / 2; }")
