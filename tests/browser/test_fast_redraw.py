"""Charts whose slider step changes only the data of some scatter traces are redrawn by moving those traces
(Plotly.animate, no transition), not by a whole Plotly.react: the result must be exactly what a chart drawn
from scratch with the same data and layout shows, and the fast way must really be taken."""

from __future__ import annotations

import pytest

from .harness import CLIENT_SLIDER, exceptions, runs, wait_idle, wait_loaded, wait_run_after

#: Draws what a chart should now show (the data and layout it last drew) from scratch in a hidden chart of the
#: same size, and returns both charts' geometry: every trace's line paths, point positions and texts, and the
#: tick labels.
SAME_AS_FROM_SCRATCH = """async (gd) => {
  const shown = gd.__lossappShown;
  const ref = document.createElement('div');
  ref.style.cssText = `position: absolute; left: -5000px; top: 0; width: ${gd.clientWidth}px;`
    + ` height: ${gd.clientHeight}px`;
  document.body.appendChild(ref);
  await Plotly.newPlot(ref, structuredClone(shown.data), structuredClone(shown.layout), JSON.parse(shown.config));
  const geometry = (g) => Array.from(g.querySelectorAll('.scatterlayer .trace')).map((t) => ({
    lines: Array.from(t.querySelectorAll('path.js-line')).map((p) => p.getAttribute('d')),
    points: Array.from(t.querySelectorAll('path.point')).map((p) => p.getAttribute('transform')),
    texts: Array.from(t.querySelectorAll('.textpoint text')).map((p) =>
      [p.textContent, p.getAttribute('x'), p.getAttribute('y')].join(' ')),
  }));
  const ticks = (g) => Array.from(g.querySelectorAll('.xtick text, .ytick text')).map((t) => t.textContent);
  const out = {drawn: geometry(gd), scratch: geometry(ref), drawnTicks: ticks(gd), scratchTicks: ticks(ref)};
  Plotly.purge(ref);
  ref.remove();
  return out;
}"""

CHART = '.st-key-{} [data-testid="lossappChart"]'


def assert_drawn_as_from_scratch(page, key: str, label: str, need_points: bool = True) -> None:
    page.wait_for_function("(sel) => { const gd = document.querySelector(sel); "
                           "return gd.__lossappShown && !gd.__lossappBusy; }", arg=CHART.format(key))
    got = page.locator(CHART.format(key)).evaluate(SAME_AS_FROM_SCRATCH)
    assert got["drawn"] == got["scratch"], f"{label}: {key} differs from the same figure drawn from scratch"
    assert got["drawnTicks"] == got["scratchTicks"], f"{label}: {key} tick labels"
    # the comparison is not empty: there are lines (and points) to compare
    assert any(t["lines"] for t in got["drawn"]) or not need_points, key
    assert any(t["points"] for t in got["drawn"]) or not need_points, key


#: Per section: its sliders, each with whether its step must be drawn the fast way (a step that changes the
#: data may also change an axis range, and then the chart is redrawn in full), and the section's two charts.
SECTIONS = [
    ("regression", [("lab_rho", True), ("lab_rprog", True), ("lab_noise", False)],
     ["lab_reg_chart", "lab_rcurve_chart"]),
    ("classifier", [("lab_margin", True), ("lab_cprog", True), ("lab_cseed", False)],
     ["lab_clf_chart", "lab_ccurve_chart"]),
]


@pytest.mark.parametrize(("section", "keys", "charts"), SECTIONS)
def test_training_lab_steps_move_traces_and_draw_what_a_full_redraw_draws(server, page, section, keys, charts):
    page.goto(f"{server}/Training_lab")
    wait_loaded(page)
    main = CHART.format(charts[0])
    for key in charts:
        page.wait_for_function("(sel) => document.querySelector(sel)?.__lossappShown", arg=CHART.format(key))
    for key, fast in keys:
        slider = page.locator(f'{CLIENT_SLIDER}[data-param="{key}"]')
        slider.focus()
        runs_before = runs(page)
        page.locator(main).evaluate("(gd) => { gd.__lossappShown.before = true; }")
        at_low = float(slider.input_value()) <= float(slider.get_attribute("min"))
        page.keyboard.press("ArrowRight" if at_low else "ArrowLeft")
        # the first drawing after the press (the sync run's comes 350 ms after the slider stops at the earliest)
        drawn = page.wait_for_function("(sel) => { const s = document.querySelector(sel).__lossappShown; "
                                       "return s && !s.before && {fast: s.fast}; }", arg=main, polling="raf")
        if fast:  # the section's main chart was moved, not redrawn
            assert drawn.json_value()["fast"] is True, f"{key}: drawn in full"
        for c in charts:
            assert_drawn_as_from_scratch(page, c, f"{section} {key}")
        wait_run_after(page, runs_before)  # the server hears of it; its figure is drawn over the same way
        wait_idle(page)
    for c in charts:
        assert_drawn_as_from_scratch(page, c, f"{section} after the server caught up")
    assert exceptions(page) == [] and page.console_errors == []


#: For every trace of every chart on the page: plotly's own list of the trace's attributes that hold arrays, and
#: the one the app's faster lookup gives (lossapp.live_chart's speedUpArrayAttributes).
ARRAY_ATTRIBUTES = """() => {
  const schema = Plotly.PlotSchema;
  const rows = [];
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    for (const t of gd._fullData || []) {
      rows.push([t.type, JSON.stringify(schema.findArrayAttributes(t)), JSON.stringify(schema.__lossappOriginal(t))]);
    }
  }
  return rows;
}"""


@pytest.mark.parametrize("path", ["Training_lab", "Sequences", "Embeddings", "Compare", "Distributions"])
def test_the_faster_array_attribute_lookup_finds_what_plotly_finds(server, page, path):
    page.goto(f"{server}/{path}")
    wait_loaded(page)
    page.wait_for_function("() => window.Plotly?.PlotSchema?.__lossappOriginal "
                           "&& document.querySelector('.js-plotly-plot')?._fullData")
    rows = page.evaluate(ARRAY_ATTRIBUTES)
    assert rows and all(fast == own for _, fast, own in rows), [r for r in rows if r[1] != r[2]]
    assert any(fast != "[]" for _, fast, _ in rows)  # traces with data arrays were compared


@pytest.mark.parametrize("path", ["Regression", "Compare", "Embeddings", "Distributions"])
def test_every_chart_after_a_browser_side_step_is_what_a_full_redraw_draws(server, page, path):
    """Whichever way each chart was redrawn (moved or in full), after a step of each browser-side slider on
    the page it shows what the same figure drawn from scratch shows."""
    page.goto(f"{server}/{path}")
    wait_loaded(page)
    sliders = page.locator(CLIENT_SLIDER)
    page.wait_for_function("(n) => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]'))"
                           ".filter((gd) => gd.__lossappShown).length >= n", arg=1)
    for k in range(min(sliders.count(), 6)):
        slider = sliders.nth(k)
        slider.focus()
        runs_before = runs(page)
        at_low = float(slider.input_value()) <= float(slider.get_attribute("min"))
        page.keyboard.press("ArrowRight" if at_low else "ArrowLeft")
        wait_run_after(page, runs_before)  # the sync run, and every chart drawn after it
        wait_idle(page)
        keys = page.evaluate("() => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]'))"
                             ".filter((gd) => gd.__lossappShown).map((gd) => gd.closest('[class*=\"st-key-\"]')"
                             ".className.match(/st-key-(\\S+)/)[1])")
        for key in keys:
            assert_drawn_as_from_scratch(page, key, f"{path} slider {k}", need_points=False)
    assert exceptions(page) == [] and page.console_errors == []
