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


#: A chart, live (the chart component) or plain (st.plotly_chart).
CHARTS = '[data-testid="lossappChart"], [data-testid="stPlotlyChart"]'
#: Steps without a formula of their own (a worked example, a setting, a comparison, a lab, the visitor's data):
#: every other step must show its formula on the screen.
NO_FORMULA = frozenset({"values", "dense", "batch-axis", "barron-alpha", "estimate", "from-sigmoid", "focal-gamma",
                        "multiclass", "surrogates", "kl-directions", "poisson-counts", "stirling", "compare",
                        "training-regression", "training-classifier", "own-data"})
#: Steps without a chart (a table of shapes; the fused formula and its numbers).
NO_CHART = frozenset({"batch-axis", "fused"})
#: Steps whose chart has no browser-side sliders (its controls are Streamlit widgets, or it has none).
NO_SLIDERS = frozenset({"batch-axis", "estimate", "fused", "multiclass", "surrogates"})
#: Steps with no readout of the values at a marker under their chart.
NO_READOUT = NO_SLIDERS | {"compare", "training-regression", "training-classifier"}


def _off_screen(pg, step: str, width: int, height: int) -> dict[str, object]:
    """What a lecture step must show that is missing or not inside the ``width`` x ``height`` screen: its
    formula, first chart, readout, every browser-side slider and the pager's next button (present ones of the
    NO_* sets count as wrong too, so the sets stay true)."""
    parts = {"pager": pg.locator(".st-key-lecture_next button >> visible=true")}
    wanted = {"formula": (".katex-display", NO_FORMULA), "chart": (CHARTS, NO_CHART),
              "readout": (READOUT, NO_READOUT)}
    wrong: dict[str, object] = {}
    for name, (selector, without) in wanted.items():
        found = pg.locator(f"{selector} >> visible=true")
        if step in without:
            if found.count():
                wrong[name] = "shown, but the step is listed without one"
        else:
            parts[name] = found.first
    sliders = pg.locator(f"{CLIENT_SLIDER} >> visible=true")
    if (sliders.count() > 0) == (step in NO_SLIDERS):
        wrong["sliders"] = f"{sliders.count()} browser-side sliders"
    parts.update({f"slider {i}": sliders.nth(i) for i in range(sliders.count())})
    for name, loc in parts.items():
        box = loc.bounding_box() if loc.count() else None
        if box is None or not _inside(box, width, height):
            wrong[name] = box
    return wrong


def test_every_step_fits_a_1024x768_screen(server, projector_1024, tmp_path):
    """The pager walks the whole tutorial from the title screen; every step shows its formula, chart, sliders,
    readout and the next button without scrolling. (The button is clicked, as the clicker's key listener does:
    the keys themselves are tested above, where the page's charts leave the listener time to mount.)"""
    pg = _open(projector_1024, server, "?present=1")
    wrong: dict[str, dict[str, object]] = {}
    for s in STEPS:
        pg.locator(".st-key-lecture_next button >> visible=true").click()
        _at_step(pg, s.page, s.id)
        assert exceptions(pg) == [], s.id
        pg.evaluate("document.fonts.ready")
        if found := _off_screen(pg, s.id, 1024, 768):
            wrong[s.id] = found
        if s.id == "triplet":  # the points' and distances' labels at projector size stay apart
            chart = pg.locator('[data-testid="lossappChart"]').first
            labels = chart.evaluate(TEXT_BOXES, ".textpoint text")
            assert len(labels) == 5 and overlaps(labels) == [], labels
        if s.id == "huber":
            pg.mouse.move(1, 1)  # off the pager's button just clicked (no hover shade in the screenshot)
            _shot(pg, "present-1024", tmp_path)
    assert pg.get_by_text(f"{len(STEPS)} / {len(STEPS)}").count() == 1
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in wrong.items())


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
