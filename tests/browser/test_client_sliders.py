"""Browser-side sliders under the curve charts (lossapp.live_chart.ClientSlider): a key press redraws the chart and
the values at the marker without a script run, the page address follows at once, the server catches up once the
slider is still, and a link restores them."""

from __future__ import annotations

import numpy as np
import pytest

from losscore import L2Loss
from losscore.catalog import make_loss

from .harness import (
    CLIENT_SLIDER,
    READOUT,
    chart_signature,
    exceptions,
    runs,
    starts,
    starts_when,
    tab_to,
    wait_chart_change,
    wait_loaded,
    wait_run_after,
)


def l2_at(pred: float, weight: float, sample_weight: float) -> tuple[float, float]:
    values, grad = L2Loss(weight=weight).value_and_grad(np.array([pred]), np.array([0.0]),
                                                        np.array([sample_weight]))
    return float(values[0]), float(grad[0])


def readout(page, index: int) -> dict[str, str]:
    """The values under the ``index``-th chart with a readout, once it is mounted and filled in (on a cold
    server the components of a page mount one after another)."""
    page.wait_for_function("([sel, i]) => { const r = document.querySelectorAll(sel)[i]; "
                           "return r && r.querySelector('dd'); }", arg=[READOUT, index])
    box = page.locator(READOUT).nth(index)
    terms = box.locator("dt").all_inner_texts()
    values = box.locator("dd").all_inner_texts()
    return dict(zip(terms, values, strict=True))


def wait_readout(page, index: int, text: str) -> None:
    """Wait until the ``index``-th readout on the page shows ``text``."""
    page.wait_for_function("([sel, i, text]) => (document.querySelectorAll(sel)[i]?.innerText || '').includes(text)",
                           arg=[READOUT, index, text])


def press_and_read(page, slider, key: str, expect: tuple[float, float], *, index: int = 1,
                   presses: int = 1) -> dict[str, str]:
    """Press ``key`` ``presses`` times on a browser-side slider; wait for the chart to change and the
    ``index``-th readout (the L2 one on the Regression page) to show ``expect``'s loss; return the readout."""
    before = chart_signature(page)
    slider.focus()
    for _ in range(presses):
        page.keyboard.press(key)
    wait_chart_change(page, before, timeout=10_000)
    wait_readout(page, index, f"{expect[0]:.4f}")
    return readout(page, index)


def starts_at_change(page, index: int) -> int:
    """How many script runs had started when the ``index``-th readout took its present text (noted by the
    harness's READOUT_OBSERVER as it changed: on a busy machine a check after the wait may come after the
    sync run that follows a slider at rest, where the numbers themselves did not wait for it)."""
    return int(page.evaluate("([sel, i]) => document.querySelectorAll(sel)[i].__startsAtChange ?? -1",
                             [READOUT, index]))


def test_marker_and_weight_move_in_the_browser_and_the_server_catches_up(server, page):
    page.goto(f"{server}/Regression?l2_pred=1.5&l2_weight=2")
    wait_loaded(page)
    marker = page.locator(f'{CLIENT_SLIDER}[data-param="l2_pred"]')
    weight = page.locator(f'{CLIENT_SLIDER}[data-param="l2_weight"]')
    assert (marker.input_value(), weight.input_value()) == ("1.5", "2")
    assert page.get_by_label("prediction marker").count() >= 3  # every slider is labelled
    value, grad = l2_at(1.5, 2.0, 1.0)
    assert readout(page, 1) == {"L2Loss: loss": f"{value:.4f}", "L2Loss: gradient": f"{grad:.4f}"}

    # a key press on the marker: chart and values change with no script run in between
    before_runs, before_starts = runs(page), starts(page)
    value, grad = l2_at(1.55, 2.0, 1.0)
    shown = press_and_read(page, marker, "ArrowRight", (value, grad))
    assert shown == {"L2Loss: loss": f"{value:.4f}", "L2Loss: gradient": f"{grad:.4f}"}
    assert starts_at_change(page, 1) == before_starts, "the marker waited for a script run"
    assert "l2_pred=1.55" in page.url
    point = page.locator('[data-testid="lossappChart"]').nth(1).evaluate(
        "(gd) => gd.layout.shapes.filter((s) => s.name === 'marker').map((s) => [s.xanchor, s.yanchor])")
    assert point == [[pytest.approx(1.55), pytest.approx(value)]]

    # the weight scales the curves in the browser too
    value, grad = l2_at(1.55, 2.1, 1.0)
    assert press_and_read(page, weight, "ArrowRight", (value, grad))["L2Loss: gradient"] == f"{grad:.4f}"
    top = page.locator('[data-testid="lossappChart"]').nth(1).evaluate(
        "(gd) => { const t = gd.data.filter((t) => t.meta.role === 'loss')[0]; "
        "return Math.max(...Array.from(t.y).filter((v, i) => t.x[i] >= -5 && t.x[i] <= 5)); }")
    assert top == pytest.approx(2.1 * 0.5 * 25)

    # the label slides the curve: L2 at prediction 1.55 against label 0.1
    label = page.locator(f'{CLIENT_SLIDER}[data-param="l2_label"]')
    value, grad = l2_at(1.45, 2.1, 1.0)
    assert press_and_read(page, label, "ArrowRight", (value, grad))["L2Loss: gradient"] == f"{grad:.4f}"
    shown = page.locator('[data-testid="lossappChart"]').nth(1).evaluate("(gd) => gd.layout.xaxis2.range")
    assert shown == [-5, 5]  # the axis stays put while the curve moves
    value, grad = l2_at(1.55, 2.1, 1.0)
    press_and_read(page, label, "ArrowLeft", (value, grad))

    # once the sliders are still, one script run tells the server: the description below the chart follows
    wait_run_after(page, before_runs)
    page.wait_for_function("() => Array.from(document.querySelectorAll('[data-testid=\"stCaptionContainer\"]'))"
                           ".some((c) => c.innerText.includes('At prediction 1.55: L2Loss = 2.523'))")
    assert "l2_weight=2.1" in page.url
    assert exceptions(page) == [] and page.console_errors == []

    # the address is the state: opening it again shows the same values
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_loaded(page)
    assert page.locator(f'{CLIENT_SLIDER}[data-param="l2_pred"]').input_value() == "1.55"
    assert readout(page, 1) == {"L2Loss: loss": f"{value:.4f}", "L2Loss: gradient": f"{grad:.4f}"}


def huber_at(pred: float, rho: float, weight: float = 1.0) -> tuple[float, float]:
    values, grad = make_loss("HuberLoss", rho=rho, weight=weight).value_and_grad(np.array([pred]), np.array([0.0]))
    return float(values[0]), float(grad[0])


def test_huber_rho_swaps_the_curve_in_the_browser_and_the_weight_still_applies(server, page):
    """rho is a "frame" slider among the marker, label and weights: its curves come from the page, and the other
    sliders apply on top of them."""
    page.goto(f"{server}/Regression")
    wait_loaded(page)
    rho = page.locator(f'{CLIENT_SLIDER}[data-param="huber_rho"]')
    weight = page.locator(f'{CLIENT_SLIDER}[data-param="huber_weight"]')
    before_runs, before_starts = runs(page), starts(page)
    value, grad = huber_at(2.0, 1.1)
    assert press_and_read(page, rho, "ArrowRight", (value, grad), index=2)["HuberLoss: loss"] == f"{value:.4f}"
    assert starts_at_change(page, 2) == before_starts, "the chart waited for a script run"
    assert "huber_rho=1.1" in page.url
    wait_run_after(page, before_runs)  # rho at rest: its one sync run (so none is pending below)
    value, grad = huber_at(2.0, 1.1, weight=1.1)  # a weight step on top of the new curve
    before_runs, before_starts = runs(page), starts(page)
    assert press_and_read(page, weight, "ArrowRight", (value, grad), index=2)["HuberLoss: loss"] == f"{value:.4f}"
    assert starts_at_change(page, 2) == before_starts, "the chart waited for a script run"
    wait_run_after(page, before_runs)
    page.wait_for_function("() => Array.from(document.querySelectorAll('[data-testid=\"stCaptionContainer\"]'))"
                           f".some((c) => c.innerText.includes('HuberLoss = {value:.4g}'))")
    value, grad = huber_at(2.0, 1.0, weight=1.1)  # back, from the frames the sync brought
    press_and_read(page, rho, "ArrowLeft", (value, grad), index=2)
    assert exceptions(page) == [] and page.console_errors == []


def test_keyboard_alone_reaches_a_browser_side_slider(server, page):
    page.goto(f"{server}/Regression")
    wait_loaded(page)
    assert tab_to(page, CLIENT_SLIDER), "80 presses of Tab never focused a slider under a chart"
    focused = page.locator(f"{CLIENT_SLIDER}:focus")
    before, before_chart = focused.input_value(), chart_signature(page)
    page.keyboard.press("ArrowLeft")
    assert focused.input_value() != before
    wait_chart_change(page, before_chart, timeout=10_000)
    # the focus ring is visible (outline drawn by our CSS on :focus-visible)
    assert focused.evaluate("(el) => getComputedStyle(el).outlineStyle") != "none"


def test_a_marker_the_server_moves_is_taken_over_and_one_the_visitor_moved_is_kept(server, page):
    """Softmax page: the marker starts at the moving logit's value. Switching the class moves it to that class's
    logit (the server changed it); once the visitor has moved it, switching keeps their value."""
    page.goto(f"{server}/Softmax_cross_entropy")
    wait_loaded(page)
    z = page.locator(f'{CLIENT_SLIDER}[data-param="sce_z"]')
    values = z.locator("xpath=ancestor::*[contains(@class, 'lossapp-controls')]").locator(READOUT)
    assert z.input_value() == "1" and values.locator("dd").first.inner_text() == "9.0001"
    before = runs(page)
    page.locator('[data-testid="stRadio"]', has_text="class whose logit moves").get_by_text("1", exact=True).click()
    wait_run_after(page, before)
    page.wait_for_function(f"() => document.querySelector('{CLIENT_SLIDER}[data-param=\"sce_z\"]')?.value === '10'")
    page.wait_for_function(f"() => (document.querySelector('{CLIENT_SLIDER}[data-param=\"sce_z\"]')"
                           f"?.closest('.lossapp-controls')?.querySelector('{READOUT}')?.innerText || '')"
                           ".includes('0.9999')")
    # the visitor moves it; after the sync, switching the class back keeps their value
    before = runs(page)
    z.focus()
    page.keyboard.press("ArrowLeft")
    wait_run_after(page, before)
    before = runs(page)
    page.locator('[data-testid="stRadio"]', has_text="class whose logit moves").get_by_text("0", exact=True).click()
    wait_run_after(page, before)
    assert z.input_value() == "9.9"
    assert exceptions(page) == [] and page.console_errors == []


#: Where the step line of the ``{}``-th chart (a Training lab loss-curve chart) is drawn: its x.
STEP_LINE = ("document.querySelectorAll('[data-testid=\"lossappChart\"]')[{}]?._fullData"
             "?.find((t) => t.meta && t.meta.role === 'step')?.x?.[0]")


def test_scrubbing_training_moves_both_charts_without_a_script_run(server, page):
    page.goto(f"{server}/Training_lab")
    wait_loaded(page)
    scrub = page.locator(f'{CLIENT_SLIDER}[data-param="lab_rprog"]')
    charts = page.locator('[data-testid="lossappChart"]')
    # the regression loss curves, under the scatter, drawn at the end of training (the page's charts mount one
    # after another on a cold server)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"lossappChart\"]')[3]?.data "
                           f"&& {STEP_LINE.format(1)} === 300")
    lines = "(gd) => JSON.stringify(gd.data.filter((t) => t.meta && t.meta.role === 'fit').map((t) => t.y))"
    before_lines, before_runs, before_starts = charts.first.evaluate(lines), runs(page), starts(page)
    scrub.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")  # 90 % of 300 steps
    assert starts_when(page, f"() => {STEP_LINE.format(1)} === 270") == before_starts, \
        "the charts waited for a script run"
    assert charts.first.evaluate(lines) != before_lines
    assert "lab_rprog=90" in page.url
    wait_run_after(page, before_runs)  # the server hears it once the slider is still: the table follows
    page.wait_for_function("() => document.body.innerText.includes('After 270 of 300 steps')")

    # the classifier section: its panels (boundaries, accuracy titles) and loss curves rewind together
    scrub = page.locator(f'{CLIENT_SLIDER}[data-param="lab_cprog"]')
    before_starts = starts(page)
    scrub.focus()
    page.keyboard.press("Home")  # step 0: zero weights, no boundary yet
    assert starts_when(page, f"() => {STEP_LINE.format(3)} === 0") == before_starts
    boundaries = charts.nth(2).evaluate(  # how many drawn (finite) end points each boundary has
        "(gd) => gd.data.filter((t) => t.meta && t.meta.role === 'boundary')"
        ".map((t) => Array.from(t.x).filter(Number.isFinite).length)")
    assert boundaries == [0, 0, 0]
    titles = charts.nth(2).evaluate("(gd) => gd._fullData.filter((t) => t.meta && t.meta.role === 'title')"
                                    ".map((t) => t.text[0])")
    assert all("accuracy" in t for t in titles) and len(titles) == 3
    assert exceptions(page) == [] and page.console_errors == []


CHART_N = "document.querySelectorAll('[data-testid=\"lossappChart\"]')[{}]"


def test_training_settings_move_the_charts_without_a_script_run(server, page):
    """The Training lab's settings are browser-side sliders: a key press shows the runs the page trained at the
    neighbouring values (points, lines, loss curves, the panels' ranges and rings) with no script run; the
    server catches up once the slider is still."""
    page.goto(f"{server}/Training_lab")
    wait_loaded(page)
    page.wait_for_function(f"() => {CHART_N.format(3)}?.data && {CHART_N.format(0)}?.data")
    charts = page.locator('[data-testid="lossappChart"]')
    # (plotly keeps typed arrays as sent in gd.data; gd._fullData holds them decoded)
    outliers = ("(gd) => Array.from(gd._fullData.find((t) => t.meta && t.meta.role === 'outliers').x)"
                ".filter(Number.isFinite).length")
    assert charts.first.evaluate(outliers) == 8
    curves = "(gd) => JSON.stringify(gd.data.filter((t) => t.meta && t.meta.role === 'curve').map((t) => t.y))"
    before_curves, before_runs, before_starts = charts.nth(1).evaluate(curves), runs(page), starts(page)
    page.locator(f'{CLIENT_SLIDER}[data-param="lab_out"]').focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert starts_when(page, f"() => Array.from({CHART_N.format(0)}._fullData.find((t) => t.meta && t.meta.role "
                             "=== 'outliers').x).filter(Number.isFinite).length === 10") == before_starts, \
        "the charts waited for a script run"
    assert charts.nth(1).evaluate(curves) != before_curves  # the loss curves follow
    assert "lab_out=10" in page.url
    wait_run_after(page, before_runs)  # once still, the server hears it: the caption follows
    page.wait_for_function("() => document.body.innerText.includes('Scatter of 70 training points')")

    # the classifier: no flipped labels hides the rings; another separation moves the points
    rings = "(gd) => gd.data.filter((t) => t.meta && t.meta.role === 'flipped').map((t) => t.visible)"
    assert charts.nth(2).evaluate(rings) == [True, True, True]
    before_runs, before_starts = runs(page), starts(page)
    page.locator(f'{CLIENT_SLIDER}[data-param="lab_flip"]').focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert starts_when(page, f"() => {CHART_N.format(2)}.data.filter((t) => t.meta && t.meta.role === 'flipped')"
                             ".every((t) => t.visible === false)") == before_starts
    wait_run_after(page, before_runs)
    page.wait_for_function("() => document.body.innerText.includes('0 labels flipped')")
    # (the panels' ranges are whole numbers around the points: a step of the separation moves the points and
    # keeps the ranges, or moves both)
    drawn = (f"() => JSON.stringify([{CHART_N.format(2)}.layout.xaxis.range, Array.from({CHART_N.format(2)}"
             "._fullData.find((t) => t.meta && t.meta.role === 'points').x)])")
    before_drawn, before_starts = page.evaluate(drawn), starts(page)
    page.locator(f'{CLIENT_SLIDER}[data-param="lab_sep"]').focus()
    page.keyboard.press("ArrowRight")
    assert starts_when(page, f"(before) => ({drawn})() !== before", before_drawn) == before_starts
    assert exceptions(page) == [] and page.console_errors == []


def test_a_soft_label_mixes_the_curves_in_the_browser(server, page):
    from losscore import SigmoidBCELoss

    page.goto(f"{server}/Binary_classification")
    wait_loaded(page)
    label = page.locator(f'{CLIENT_SLIDER}[data-param="bce_label"]')
    before_runs, before_starts = runs(page), starts(page)
    values, grad = SigmoidBCELoss().value_and_grad(np.array([0.5]), np.array([0.7]))
    shown = press_and_read(page, label, "ArrowLeft", (values[0], grad[0]), index=0, presses=6)  # 1 -> 0.7
    assert shown == {"SigmoidBCELoss: loss": f"{values[0]:.4f}", "SigmoidBCELoss: gradient": f"{grad[0]:.4f}"}
    assert starts_at_change(page, 0) == before_starts
    wait_run_after(page, before_runs)  # the label at rest: its sync (so none is pending below)
    # pos_weight scales the label-1 part: 1 -> 1.5
    posw = page.locator(f'{CLIENT_SLIDER}[data-param="bce_posw"]')
    values, grad = SigmoidBCELoss().value_and_grad(np.array([0.5]), np.array([0.7]), pos_weight=np.array([1.5]))
    before_starts = starts(page)
    shown = press_and_read(page, posw, "ArrowRight", (values[0], grad[0]), index=0, presses=5)
    assert shown["SigmoidBCELoss: gradient"] == f"{grad[0]:.4f}"
    assert starts_at_change(page, 0) == before_starts
    assert exceptions(page) == [] and page.console_errors == []


def test_a_hinge_margin_slides_the_curve_by_the_label(server, page):
    page.goto(f"{server}/Binary_classification")
    wait_loaded(page)
    margin = page.locator(f'{CLIENT_SLIDER}[data-param="hinge_margin"]')
    hinge = 3  # the readouts on this page: SigmoidBCE, the from_sigmoid demo, Logistic, Hinge, SquaredHinge
    assert readout(page, hinge)["HingeLoss: loss"] == "0.5000"  # margin 1, label 1, prediction 0.5
    press_and_read(page, margin, "ArrowRight", (0.55, -1.0), index=hinge)  # margin 1.05: max(0, 1.05 - 0.5)
    before = runs(page)
    page.locator(".st-key-hinge_label").get_by_text("-1", exact=True).click()  # the hinge section's label
    wait_run_after(page, before)
    # label -1: max(0, 1.05 + 0.5), gradient +1; the margin the visitor set is kept
    wait_readout(page, hinge, "1.5500")
    assert readout(page, hinge) == {"HingeLoss: loss": "1.5500", "HingeLoss: gradient": "1.0000"}
    assert margin.input_value() == "1.05"
    assert exceptions(page) == [] and page.console_errors == []


#: The drawn loss curve of a loss on the Compare page (plotly's decoded copy), by name.
curve_y = ("(name) => { const gd = document.querySelector('[data-testid=\"lossappChart\"]');"
           "const t = gd._fullData.find((d) => d.meta && d.meta.role === 'loss' && d.meta.curve === name);"
           "return t ? Array.from(t.y) : null; }")


def open_compare(page, url: str) -> np.ndarray:
    """Open the Compare page at ``url``; once its chart is drawn, return the predictions of its curves."""
    page.goto(url)
    wait_loaded(page)
    page.wait_for_function(curve_y, arg="L2Loss")
    return np.array(page.evaluate("() => Array.from(document.querySelector('[data-testid=\"lossappChart\"]')"
                                  "._fullData.find((d) => d.meta && d.meta.curve === 'L2Loss').x)"))


def test_a_compare_weight_scales_only_its_own_curve(server, page):
    x = open_compare(page, f"{server}/Compare?cmp_pred=3")
    l1_before = page.evaluate(curve_y, "L1Loss")
    before, before_starts = runs(page), starts(page)
    weight = page.locator(f'{CLIENT_SLIDER}[data-param="cmp_l2_weight"]')
    weight.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")  # 1.0 -> 0.5
    want = L2Loss(weight=0.5)(x, np.zeros_like(x))
    assert starts_when(page, f"(name) => {{ const y = ({curve_y})(name); return Math.abs(y[0] - {want[0]}) < 1e-9; }}",
                       "L2Loss") == before_starts, "the weight waited for a script run"
    np.testing.assert_allclose(page.evaluate(curve_y, "L2Loss"), want, rtol=1e-9)
    assert page.evaluate(curve_y, "L1Loss") == l1_before  # the other curves stay
    assert "cmp_l2_weight=0.5" in page.url
    wait_run_after(page, before)  # once still, the server hears of it: the table and the description follow
    page.wait_for_function("() => document.body.innerText.includes('L2Loss = 2.25 (gradient 1.5)')")
    assert exceptions(page) == [] and page.console_errors == []


def test_the_compare_label_swaps_every_curve_and_the_weights_still_apply(server, page):
    x = open_compare(page, f"{server}/Compare?cmp_pred=3&cmp_l2_weight=0.5")
    before, before_starts = runs(page), starts(page)
    page.locator(f'{CLIENT_SLIDER}[data-param="cmp_label"]').focus()
    page.keyboard.press("ArrowRight")  # label 0 -> 0.5
    want = L2Loss(weight=0.5)(x, np.full_like(x, 0.5))  # the new curve, scaled by its weight slider
    assert starts_when(page, f"(name) => {{ const y = ({curve_y})(name); return Math.abs(y[0] - {want[0]}) < 1e-4; }}",
                       "L2Loss") == before_starts, "the label waited for a script run"
    np.testing.assert_allclose(page.evaluate(curve_y, "L2Loss"), want, rtol=1e-6)  # float32 frames
    l1 = make_loss("L1Loss")(x, np.full_like(x, 0.5))
    np.testing.assert_allclose(page.evaluate(curve_y, "L1Loss"), l1, rtol=1e-6)
    assert "cmp_label=0.5" in page.url
    wait_run_after(page, before)  # the table follows once the slider is still
    page.wait_for_function("() => document.body.innerText.includes('At prediction 3, label 0.5')")
    assert exceptions(page) == [] and page.console_errors == []


def test_the_compare_range_is_shown_by_the_browser_and_the_marker_keeps_inside(server, page):
    """The prediction range is two browser-side sliders: the chart holds the whole axis and shows the part
    between them (both panels, the loss panel's y-axis fitted to it); the marker slider keeps inside."""
    open_compare(page, f"{server}/Compare?cmp_pred=4")
    x_range = ("() => { const gd = document.querySelector('[data-testid=\"lossappChart\"]');"
               " return [gd._fullLayout.xaxis2.range, gd._fullLayout.yaxis.range]; }")
    (x2, y_wide) = page.evaluate(x_range)
    assert x2 == [-5, 5]
    before, before_starts = runs(page), starts(page)
    page.locator(f'{CLIENT_SLIDER}[data-param="cmp_hi"]').focus()
    for _ in range(4):
        page.keyboard.press("ArrowLeft")  # end 5 -> 3
    page.locator(f'{CLIENT_SLIDER}[data-param="cmp_lo"]').focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")  # start -5 -> -1
    # checked in the frame it is drawn: how many script runs had started by then (none: the browser drew it)
    assert starts_when(page, f"() => {{ const x = ({x_range})()[0]; return x[0] === -1 && x[1] === 3; }}") == \
        before_starts, "the range waited for a script run"
    (x2, y_narrow) = page.evaluate(x_range)
    assert x2 == [-1, 3] and y_narrow[1] < 5 < y_wide[1]  # fitted: L2 reaches 4.5 at 3 (12.5 at ±5)
    marker = page.locator(f'{CLIENT_SLIDER}[data-param="cmp_pred"]')
    assert (marker.get_attribute("max"), marker.input_value()) == ("3", "3")  # moved inside the range
    assert "cmp_lo=-1" in page.url and "cmp_hi=3" in page.url and "cmp_pred=3" in page.url
    wait_run_after(page, before)  # once still, the server hears of it: the table follows
    page.wait_for_function("() => document.body.innerText.includes('At prediction 3, label 0')")
    assert exceptions(page) == [] and page.console_errors == []
