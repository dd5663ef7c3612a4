"""Sections whose sliders the browser applies from patches the server worked out in advance ("frame" sliders,
lossapp.frames): a key press redraws the bars and the numbers under the chart with no script run, and they are
losscore's numbers; two sliders moved before the server has heard of the first make the chart wait for it."""

from __future__ import annotations

import numpy as np
import pytest

from lossapp import ctc_lattice
from lossapp import deep_dives as dd

from .harness import CLIENT_SLIDER, READOUT, exceptions, starts, wait_loaded, wait_start_after

#: Whether every x in the list has a marker point on some chart (drawn as a layout shape named "marker").
MARKERS_AT = """(want) => {
  const marks = Array.from(document.querySelectorAll('[data-testid="lossappChart"]')).map((gd) =>
    ((gd._fullLayout || {}).shapes || []).filter((s) => s.name === 'marker').map((s) => s.xanchor)).flat();
  return want.every((w) => marks.some((m) => Math.abs(m - w) < 1e-6));
}"""


def stats(page, key: str) -> dict[str, str]:
    """The numbers under the chart ``key`` (its component holds one chart and, below it, one readout)."""
    box = page.locator(f'{CLIENT_SLIDER}[data-param="{key}"]').locator(
        "xpath=ancestor::*[contains(@class, 'lossapp-controls')]").locator(READOUT)
    return dict(zip(box.locator("dt").all_inner_texts(), box.locator("dd").all_inner_texts(), strict=True))


def bars_of(page, key: str) -> dict[str, list[float]]:
    """The bar heights of the chart whose sliders include ``key``, per series (as plotly drew them)."""
    return page.locator(f'{CLIENT_SLIDER}[data-param="{key}"]').locator(
        "xpath=ancestor::*[contains(@class, 'lossapp-controls')]/preceding-sibling::*[1]").evaluate(
        "(gd) => Object.fromEntries(gd._fullData.map((t) => [t.name, Array.from(t.y)]))")


def wait_stat(page, key: str, label: str, text: str) -> int:
    """Wait until the number ``label`` under the chart of slider ``key`` reads ``text``; returns how many script
    runs had started when the numbers took their present texts (noted by the harness's READOUT_OBSERVER, so a
    run that starts later is not counted, however late the check comes)."""
    return int(page.wait_for_function(
        "([key, label, text]) => { const box = document.querySelector("
        "`[data-testid=\"lossappControls\"] input[data-param=\"${key}\"]`)?.closest('.lossapp-controls');"
        "const items = box ? Array.from(box.querySelectorAll('dl div')) : [];"
        "const shown = items.some((d) => d.querySelector('dt').innerText === label"
        " && d.querySelector('dd').innerText === text);"
        "const n = box?.querySelector('.lossapp-readout')?.__startsAtChange;"
        "return shown ? {starts: n ?? window.__stStarts ?? 0} : false; }",
        arg=[key, label, text], polling="raf").json_value()["starts"])


def open_slider(page, url: str, key: str):
    """Open ``url``, wait for the page and for the browser-side slider ``key`` with the numbers under its chart,
    focus it; returns the slider and the number of script runs started so far."""
    page.goto(url)
    wait_loaded(page)
    slider = page.locator(f'{CLIENT_SLIDER}[data-param="{key}"]')
    slider.scroll_into_view_if_needed()
    page.wait_for_function("(sel) => document.querySelector(sel)?.closest('.lossapp-controls')"
                           "?.querySelector('dl dd')", arg=f'{CLIENT_SLIDER}[data-param="{key}"]')
    slider.focus()
    return slider, starts(page)


def test_softmax_logits_move_bars_and_numbers_without_a_script_run(server, page):
    z0, before = open_slider(page, f"{server}/Softmax_cross_entropy", "sm_z0")
    sparse = "cross-entropy, sparse label y"
    r = dd.softmax_view((2.0, 1.0, 0.1, -1.0), 0, 0.1)
    assert stats(page, "sm_z0")[sparse] == f"{r['sparse']:.4f}"
    for _ in range(5):
        page.keyboard.press("ArrowLeft")  # logit 0: 2.0 -> 1.5
    r = dd.softmax_view((1.5, 1.0, 0.1, -1.0), 0, 0.1)
    assert wait_stat(page, "sm_z0", sparse, f"{r['sparse']:.4f}") == before, "the logit waited for a script run"
    shown = stats(page, "sm_z0")
    assert shown["cross-entropy, dense label"] == f"{r['dense']:.4f}"
    assert shown["softmax then −log, float32"] == f"{r['naive32']:.4f}"
    bars = bars_of(page, "sm_z0")
    np.testing.assert_allclose(bars["softmax p"], r["p"], rtol=1e-6)
    np.testing.assert_allclose(bars["gradient p − q"], r["sparse_grad"], rtol=1e-6, atol=1e-7)
    assert "sm_z0=1.5" in page.url

    # at rest, the server hears of it once: the caption below follows, the other sliders' patches are redone
    wait_start_after(page, before)
    page.wait_for_function("() => document.body.innerText.includes('Bars per class for logits [1.5, 1, 0.1, -1]')")
    scale = page.locator(f'{CLIENT_SLIDER}[data-param="sm_scale"]')
    before = starts(page)
    scale.focus()
    page.keyboard.press("ArrowRight")  # every logit times 2
    r = dd.softmax_view((3.0, 2.0, 0.2, -2.0), 0, 0.1)
    assert wait_stat(page, "sm_scale", sparse, f"{r['sparse']:.4f}") == before
    assert exceptions(page) == [] and page.console_errors == []


def test_basics_weight_rescales_the_examples_losses_without_a_script_run(server, page):
    """The Basics page's weight: the bars of the examples' losses and the numbers under them follow in the
    browser; the table below (a Streamlit element) follows once the server hears of it."""
    _, before = open_slider(page, f"{server}/Basics?basics_pred=1,%204", "basics_weight")
    assert stats(page, "basics_weight") == {"loss of example 0": "0.5000", "loss of example 1": "2.0000"}
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # weight 1.0 -> 1.3
    assert wait_stat(page, "basics_weight", "loss of example 1", "2.6000") == before, "waited for a script run"
    np.testing.assert_allclose(bars_of(page, "basics_weight")["L2Loss(pred, label)"], [0.65, 2.6], rtol=1e-6)
    wait_start_after(page, before)  # at rest: one sync run, and the code line follows
    page.wait_for_function("() => document.body.innerText.includes('L2Loss(weight=1.3)([1.0, 4.0], [2.0, 2.0])')")
    assert "basics_weight=1.3" in page.url
    assert exceptions(page) == [] and page.console_errors == []


def test_basics_finite_difference_step_moves_the_gaps_without_a_script_run(server, page):
    """The Basics Dense-layer check: the step h = 10^k moves the bars of the two gradients' gaps and the numbers
    under them in the browser; the table of both gradients follows once the server hears of it."""
    _, before = open_slider(page, f"{server}/Basics?basics_seed=3", "basics_hexp")
    assert stats(page, "basics_hexp")["step h"] == "1e-04"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # k -4 -> -6
    gaps = dd_gaps(3, -6)
    assert wait_stat(page, "basics_hexp", "largest disagreement", f"{gaps.max():.2e}") == before, \
        "waited for a script run"
    assert stats(page, "basics_hexp")["step h"] == "1e-06"
    np.testing.assert_allclose(bars_of(page, "basics_hexp")["|chain rule − central difference|"],
                               np.maximum(gaps, 1e-18), rtol=1e-6)
    wait_start_after(page, before)  # at rest: one sync run
    assert "basics_hexp=-6" in page.url
    assert exceptions(page) == [] and page.console_errors == []


def dd_gaps(seed: int, exponent: int) -> np.ndarray:
    """The Basics page's gaps between the chain-rule gradient and the central difference (labels y = 2, 2)."""
    from lossapp.sections.basics import fd_disagreement

    return fd_disagreement(seed, (2.0, 2.0), 10.0 ** exponent)


def test_your_own_data_weight_moves_the_numbers_without_a_script_run(server, page):
    """Your own data: the loss's weight sits under the loss-share chart and scales the mean and largest loss under
    it in the browser; the metrics and the table follow once the server hears of it."""
    _, before = open_slider(page, f"{server}/Your_own_data", "od_l2_weight")
    shown = stats(page, "od_l2_weight")
    mean, largest = (float(shown[k]) for k in ("mean loss at this weight", "largest loss at this weight"))
    for _ in range(3):
        page.keyboard.press("ArrowLeft")  # weight 1.0 -> 0.7
    assert wait_stat(page, "od_l2_weight", "largest loss at this weight", f"{0.7 * largest:.4f}") == before, \
        "waited for a script run"
    assert float(stats(page, "od_l2_weight")["mean loss at this weight"]) == pytest.approx(0.7 * mean, abs=1e-4)
    wait_start_after(page, before)  # at rest: one sync run, and the metrics above follow
    page.wait_for_function("(t) => Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]'))"
                           ".some((m) => m.innerText === t)", arg=f"{0.7 * largest:.4f}")
    assert "od_l2_weight=0.7" in page.url
    assert exceptions(page) == [] and page.console_errors == []


def test_two_sliders_moved_at_once_wait_for_the_server(server, page):
    """Patches hold the other sliders where the server last saw them: after two quick moves none fits, so the
    chart asks the server at once and shows its answer."""
    page.goto(f"{server}/Softmax_cross_entropy")
    wait_loaded(page)
    before = starts(page)
    page.locator(f'{CLIENT_SLIDER}[data-param="sm_z1"]').focus()
    page.keyboard.press("End")  # logit 1: 10
    page.locator(f'{CLIENT_SLIDER}[data-param="sm_z2"]').focus()
    page.keyboard.press("End")  # logit 2: 10, before the server has heard of logit 1
    r = dd.softmax_view((2.0, 10.0, 10.0, -1.0), 0, 0.1)
    assert wait_stat(page, "sm_z1", "cross-entropy, sparse label y", f"{r['sparse']:.4f}") > before
    np.testing.assert_allclose(bars_of(page, "sm_z1")["softmax p"], r["p"], rtol=1e-6)
    assert "lossapp-stale" not in (page.locator(f'{CLIENT_SLIDER}[data-param="sm_z1"]').locator(
        "xpath=ancestor::*[contains(@class, 'lossapp-controls')]/..").get_attribute("class") or "")
    assert page.console_errors == []


@pytest.mark.parametrize("key", ["sm_eps"])
def test_every_frame_slider_is_labelled(server, page, key):
    page.goto(f"{server}/Softmax_cross_entropy")
    wait_loaded(page)
    assert page.get_by_label("label smoothing ε (dense label)").count() == 1


def test_poisson_rate_moves_the_bars_and_both_markers_without_a_script_run(server, page):
    _, before = open_slider(page, f"{server}/Distributions?pn_rate=2", "pn_rate")
    counts = (2.0, 0.0, 3.0, 1.0, 4.0, 2.0)
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # 2.15
    at = dd.poisson_at(counts, np.array([2.15]), False)
    shown_at = wait_stat(page, "pn_rate", "PoissonNLLLoss of the batch at μ", f"{at['rate']['at'][0]:.4f}")
    assert shown_at == before, "the rate waited for a script run"
    assert stats(page, "pn_rate")["dL/dlog μ (from_logits=True)"] == f"{at['logits']['slope'][0]:.4f}"
    # the two curve charts follow: their markers sit at μ = 2.15 and log μ
    page.wait_for_function(MARKERS_AT, arg=[2.15, float(np.log(2.15))])
    assert exceptions(page) == [] and page.console_errors == []


def test_kl_logits_beyond_their_window_ask_the_server(server, page):
    """A logit slider's patches cover 50 steps either side of its value; End jumps beyond them, so the chart
    waits for the server, whose answer shows the new value's numbers."""
    _, before = open_slider(page, f"{server}/Distributions?klb_in=logits", "klb_z1")
    q = np.array([0.3, 0.4, 0.1, 0.2])
    kl = "KL(q ‖ p): what KLDivLoss returns"
    page.keyboard.press("ArrowRight")  # 1.32: inside the window, no script run
    z = np.array([0.39, 1.32, 0.39, -0.3])
    assert wait_stat(page, "klb_z1", kl, f"{dd.kl_both_ways(q, logits=z)['kl_qp']:.4f}") == before
    terms = page.locator('[data-testid="lossappChart"][aria-label^="Bars of the per-class terms"]')
    page.keyboard.press("End")  # 5.0: far beyond the window
    z[1] = 5.0
    r = dd.kl_both_ways(q, logits=z)
    assert wait_stat(page, "klb_z1", kl, f"{r['kl_qp']:.4f}") > before
    page.wait_for_function(
        "([gd, want]) => gd._fullData && Math.abs(gd._fullData[0].y[1] - want) < 1e-6",
        arg=[terms.element_handle(), float(r["terms_qp"][1])])
    assert exceptions(page) == [] and page.console_errors == []


def test_cosine_angle_turns_the_vector_and_moves_the_curve_marker(server, page):
    theta, before = open_slider(page, f"{server}/Embeddings?cos_theta=1", "cos_theta")
    page.keyboard.press("PageUp")  # a tenth of the range further, snapped to the step: 1.31
    value = float(theta.input_value())
    assert value == pytest.approx(1.31)
    rows = dd.cosine_at(np.array([value]), 0.0, 1.0, 1.0)
    shown_at = wait_stat(page, "cos_theta", "loss at θ", f"{rows[1.0]['loss'][0]:.4f}")
    assert shown_at == before, "the angle waited for a script run"
    assert stats(page, "cos_theta")["dL/dθ"] == f"{rows[1.0]['dtheta'][0]:.4f}"
    page.wait_for_function(
        "(want) => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).some((gd) => "
        "(gd._fullData || []).some((t) => t.meta && t.meta.role === 'point' && t.name === 'input1' "
        "&& Math.abs(t.x[0] - want[0]) < 1e-6 && Math.abs(t.y[0] - want[1]) < 1e-6))",
        arg=[float(np.cos(value)), float(np.sin(value))])
    page.wait_for_function(MARKERS_AT, arg=[value])
    assert exceptions(page) == [] and page.console_errors == []


def test_cosine_margin_moves_the_numbers_the_curve_and_its_margin_line_without_a_script_run(server, page):
    _, before = open_slider(page, f"{server}/Embeddings?cos_label=-1&cos_theta=1", "cos_margin")
    page.keyboard.press("ArrowRight")  # margin 0 -> 0.05: a dissimilar pair at θ = 1 pays cos 1 − 0.05
    rows = dd.cosine_at(np.array([1.0]), 0.05, 1.0, 1.0)
    assert wait_stat(page, "cos_margin", "loss at θ", f"{rows[-1.0]['loss'][0]:.4f}") == before
    page.wait_for_function(  # the arccos(margin) line of the loss-against-angle chart moved with it
        "(want) => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).some((gd) => "
        "(gd.layout?.annotations || []).some((a) => a.text === 'arccos(margin)' && Math.abs(a.x - want) < 1e-9))",
        arg=float(np.arccos(0.05)))
    wait_start_after(page, before)  # the server hears of the margin once the slider is still
    # the weight: the curves are the drawn ones times the weight (sent as one number per value)
    weight = page.locator(f'{CLIENT_SLIDER}[data-param="cos_weight"]')
    weight.focus()
    before = starts(page)
    page.keyboard.press("ArrowRight")  # 1.0 -> 1.1
    rows = dd.cosine_at(np.array([1.0, np.pi]), 0.05, 1.1, 1.0)
    assert wait_stat(page, "cos_weight", "loss at θ", f"{rows[-1.0]['loss'][0]:.4f}") == before
    page.wait_for_function(  # the label 1 curve peaks at 1.1 · (1 − cos π) = 2.2
        "(want) => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).some((gd) => "
        "(gd._fullData || []).some((t) => t.meta && t.meta.role === 'loss' && t.meta.curve === 'label 1' "
        "&& Math.abs(Math.max(...t.y) - want) < 1e-6))", arg=float(rows[1.0]["loss"][1]))
    assert exceptions(page) == [] and page.console_errors == []


def test_triplet_points_move_in_the_browser_and_the_example_radio_moves_the_sliders(server, page):
    _, before = open_slider(page, f"{server}/Embeddings", "tri_nx")
    page.keyboard.press("ArrowLeft")  # the Z from (1, 1) to (0.9, 1): d− = 1.81, loss 4 − 1.81 + 1
    t = dd.triplet_view((0.0, 0.0), (2.0, 0.0), (0.9, 1.0), 1.0, 1.0, 0.25)
    assert wait_stat(page, "tri_nx", "triplet loss", f"{t['loss']:.4f}") == before
    assert stats(page, "tri_nx")["‖negative − anchor‖²"] == f"{t['d_neg']:.4f}"
    # the example radio (a Streamlit widget) puts the points where the example has them, sliders included
    wait_start_after(page, before)
    page.locator("[data-testid=stRadio]").filter(has_text="the Z is far enough").locator("label").filter(
        has_text="easy").click()
    page.wait_for_function("(sel) => document.querySelector(sel)?.value === '-2.5'",
                           arg=f'{CLIENT_SLIDER}[data-param="tri_nx"]')
    wait_stat(page, "tri_nx", "triplet loss", "0.0000")
    assert exceptions(page) == [] and page.console_errors == []


def test_stirling_largest_count_redraws_a_shorter_or_longer_chart(server, page):
    tmax, before = open_slider(page, f"{server}/Distributions", "pn_tmax")
    for _ in range(5):
        page.keyboard.press("ArrowLeft")  # 15 -> 10
    tab = dd.stirling_table(10)
    assert wait_stat(page, "pn_tmax", "error at the largest count shown", f"{tab['error'][10]:.4f}") == before
    # the counts past 10 are gaps: the axis fits counts 0 to 10
    chart = tmax.locator("xpath=ancestor::*[contains(@class, 'lossapp-controls')]/preceding-sibling::*[1]")
    page.wait_for_function("(gd) => gd._fullLayout && gd._fullLayout.xaxis2.range[1] < 11",
                           arg=chart.element_handle())
    assert exceptions(page) == [] and page.console_errors == []


def test_sdml_smoothing_moves_the_arrows_the_loss_and_the_target_heatmap(server, page):
    _, before = open_slider(page, f"{server}/Embeddings", "sdml_smooth")
    page.keyboard.press("ArrowRight")  # α 0.3 -> 0.35
    x1, x2 = ((0.0, 0.0), (3.0, 0.0), (0.0, 3.0)), ((0.5, 0.0), (3.0, 1.0), (2.0, 2.0))
    r = dd.sdml_view(x1, x2, 0.35)
    assert wait_stat(page, "sdml_smooth", "SDML loss, mean over the batch", f"{r['mean']:.4f}") == before
    page.wait_for_function(  # Q follows: 1 − α on the diagonal
        "() => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).some((gd) => "
        "(gd._fullData || []).some((t) => t.type === 'heatmap' && t.z && Math.abs(t.z[0][0] - 0.65) < 1e-9))")
    assert exceptions(page) == [] and page.console_errors == []


def _chart_z(page, prefix: str) -> np.ndarray:
    """The heatmap cells of the chart whose accessible name starts with ``prefix`` (as plotly drew them)."""
    return np.array(page.evaluate(
        "(prefix) => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).find((gd) =>"
        " gd.getAttribute('aria-label').startsWith(prefix))._fullData[0].z.map((row) => Array.from(row,"
        " (v) => (v === null ? NaN : v)))", prefix), dtype=float)


#: A window tall enough to show every chart of the CTC view at once (charts out of view wait until they are
#: scrolled to: test_a_chart_out_of_view_is_redrawn_when_it_comes_into_view).
TALL = {"width": 1280, "height": 3600}


def test_ctc_steps_redraw_every_chart_at_its_new_size_without_a_script_run(server, page):
    """T 8 -> 10 from frames: the class probabilities get two more columns (and their tick labels), the lattice
    and the gradient too, and the numbers follow; pred_lengths, all of the steps before, follows T."""
    page.set_viewport_size(TALL)
    _, before = open_slider(page, f"{server}/Sequences", "ctc_t")
    vocab = ctc_lattice.ctc_vocabulary("CAT", "")
    for _ in range(2):
        page.keyboard.press("ArrowRight")  # T 8 -> 10
    r = ctc_lattice.ctc_analysis(ctc_lattice.ctc_preset_scores("CAT", vocab, 10, "aligned", 3.0, 0), "CAT", vocab)
    assert wait_stat(page, "ctc_t", "CTC loss", f"{r['value']:.4f}") == before, "waited for a script run"
    page.wait_for_function("() => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).find((gd) =>"
                           " gd.getAttribute('aria-label').startsWith('Heatmap of the class probabilities'))"
                           "._fullData[0].z[0].length === 10")
    np.testing.assert_allclose(_chart_z(page, "Heatmap of the class probabilities"), r["probs"].T, rtol=1e-6)
    np.testing.assert_allclose(_chart_z(page, "Heatmap of the gradient"), r["grad"].T, rtol=1e-6, atol=1e-9)
    ticks = page.evaluate("() => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).find((gd) =>"
                          " gd.getAttribute('aria-label').startsWith('Heatmap of the alignment lattice'))"
                          "._fullLayout.xaxis.ticktext")
    assert ticks == [f"t{t}" for t in range(10)]
    wait_start_after(page, before)  # at rest: one sync run; the address holds the new T
    page.wait_for_function("() => location.search.includes('ctc_t=10')")
    assert exceptions(page) == [] and page.console_errors == []


def test_ctc_temperature_and_lengths_move_every_chart_without_a_script_run(server, page):
    """The CTC view's temperature redraws the class probabilities, the lattice and the gradient, and the loss
    over them, from frames; fewer valid steps (pred_lengths) drop bars of the loss per step."""
    page.set_viewport_size(TALL)
    _, before = open_slider(page, f"{server}/Sequences", "ctc_temp")
    vocab = ctc_lattice.ctc_vocabulary("CAT", "")
    scores = ctc_lattice.ctc_preset_scores("CAT", vocab, 8, "aligned", 3.0, 0)
    for _ in range(2):
        page.keyboard.press("ArrowRight")  # temperature 1.0 -> 1.2
    r = ctc_lattice.ctc_analysis(scores / 1.2, "CAT", vocab)
    assert wait_stat(page, "ctc_temp", "CTC loss", f"{r['value']:.4f}") == before, "waited for a script run"
    page.wait_for_function("(p) => Math.abs(Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]'))"
                           ".find((gd) => gd.getAttribute('aria-label').startsWith(p))._fullData[0].z[0][0] - "
                           f"{float(r['probs'][0, 0])!r}) < 1e-6", arg="Heatmap of the class probabilities")
    np.testing.assert_allclose(_chart_z(page, "Heatmap of the class probabilities"), r["probs"].T, rtol=1e-6)
    np.testing.assert_allclose(_chart_z(page, "Heatmap of the gradient"), r["grad"].T, rtol=1e-6, atol=1e-9)
    lattice = _chart_z(page, "Heatmap of the alignment lattice")
    np.testing.assert_allclose(lattice, np.where(r["valid"], r["states"], np.nan).T, rtol=1e-6)
    # plotly writes each cell's number from z (two decimals; empty lattice cells get none)
    cells = page.evaluate(
        "(prefix) => Array.from(Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).find((gd) =>"
        " gd.getAttribute('aria-label').startsWith(prefix)).querySelectorAll('.heatmaplayer text'), (t) =>"
        " t.textContent)", "Heatmap of the alignment lattice")
    assert sorted(cells) == sorted(f"{v:.2f}" for v in r["states"][r["valid"]])

    wait_start_after(page, before)  # at rest: one sync run; then the valid steps
    page.wait_for_function("() => location.search.includes('ctc_temp=1.2')")
    length = page.locator(f'{CLIENT_SLIDER}[data-param="ctc_plen"]')
    length.scroll_into_view_if_needed()
    before = starts(page)
    length.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # pred_lengths 8 -> 6
    r = ctc_lattice.ctc_analysis(scores / 1.2, "CAT", vocab, pred_length=6)
    assert wait_stat(page, "ctc_plen", "CTC loss", f"{r['value']:.4f}") == before, "waited for a script run"
    page.wait_for_function("() => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).find((gd) =>"
                           " gd.getAttribute('aria-label').startsWith('Bars of the loss per time step'))"
                           "._fullData[0].x.length === 6")
    assert exceptions(page) == [] and page.console_errors == []


def _chart_columns(prefix: str) -> str:
    """JavaScript: the number of columns of the heatmap whose chart's accessible name starts with ``prefix``."""
    return ("() => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]')).find((gd) =>"
            f" gd.getAttribute('aria-label').startsWith('{prefix}'))._fullData[0].z[0].length")


def _step_t_with_the_gradient_out_of_view(page, server: str):
    """Open the CTC view in a 1280x900 window and move T 8 -> 9: the class probabilities, above the slider, show
    9 steps at once; the gradient chart, far below, still shows 8 after the sync run (the server sends T 9's
    figures then). Returns the gradient chart."""
    _, before = open_slider(page, f"{server}/Sequences", "ctc_t")
    grad = page.locator('[data-testid="lossappChart"][aria-label^="Heatmap of the gradient"]')
    assert grad.evaluate("(gd) => gd.getBoundingClientRect().top > window.innerHeight")  # out of view
    page.keyboard.press("ArrowRight")  # T 8 -> 9
    page.wait_for_function(f"() => ({_chart_columns('Heatmap of the class probabilities')})() === 9")
    wait_start_after(page, before)
    assert page.evaluate(_chart_columns("Heatmap of the gradient")) == 8
    return grad


def test_a_chart_out_of_view_is_redrawn_when_it_comes_into_view(server, page):
    """In a 1280x900 window, T 8 -> 9 redraws the class probabilities above the slider at once; the gradient,
    far below, keeps its drawing (a slider step redraws the charts one can see) through the key press and the
    sync run after it, and shows the new frame as soon as it is scrolled into view."""
    grad = _step_t_with_the_gradient_out_of_view(page, server)
    grad.scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({_chart_columns('Heatmap of the gradient')})() === 9")
    vocab = ctc_lattice.ctc_vocabulary("CAT", "")
    r = ctc_lattice.ctc_analysis(ctc_lattice.ctc_preset_scores("CAT", vocab, 9, "aligned", 3.0, 0), "CAT", vocab)
    np.testing.assert_allclose(_chart_z(page, "Heatmap of the gradient"), r["grad"].T, rtol=1e-6, atol=1e-9)
    assert exceptions(page) == [] and page.console_errors == []


def test_printing_draws_the_charts_out_of_view(server, page):
    """A page printed after a slider step shows every chart at that step, including those that waited out of
    view (the browser's beforeprint event draws them)."""
    _step_t_with_the_gradient_out_of_view(page, server)
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_function(f"() => ({_chart_columns('Heatmap of the gradient')})() === 9")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert exceptions(page) == [] and page.console_errors == []
