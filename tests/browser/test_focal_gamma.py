"""Focal loss beside cross-entropy in Chromium: the gamma slider redraws the focal curve, the easy examples' shares
under the chart and the bars of the chart below it from the patches the page sent, with no script run."""

from __future__ import annotations

import numpy as np

from lossapp.sections import focal

from .harness import exceptions
from .test_frame_sliders import open_slider, stats, wait_stat

#: The y of every trace of the charts on the page, by trace name (as plotly drew them).
TRACES = """() => Object.fromEntries(Array.from(document.querySelectorAll('[data-testid="lossappChart"]'))
  .flatMap((gd) => (gd._fullData || []).map((t) => [t.name, Array.from(t.y || [])])))"""


def test_moving_gamma_to_zero_turns_focal_loss_into_cross_entropy_in_the_browser(server, page):
    slider, before = open_slider(page, f"{server}/Modern_classification?section=focal-gamma", "fg_gamma")
    texts = focal.share_texts(focal.gradient_shares(np.array([1.75, 0.0])))
    page.keyboard.press("ArrowLeft")  # gamma 2.0 -> 1.75: the patch the page sent, no script run
    assert wait_stat(page, "fg_gamma", "focal: share from p_t > 0.9", texts[0][3]) == before, \
        "gamma waited for a script run"
    for _ in range(7):
        page.keyboard.press("ArrowLeft")  # on to 0 (a script run may follow once the slider rests)
    wait_stat(page, "fg_gamma", "focal: share from p_t > 0.9", texts[1][3])
    shown = stats(page, "fg_gamma")
    assert shown["focal: share from p_t > 0.9"] == shown["BCE: share from p_t > 0.9"] == texts[1][2]
    assert shown["focal's total gradient ÷ BCE's"] == "1.000×"
    # the bar chart redraws once in view (charts out of view wait for it)
    page.evaluate("() => Array.from(document.querySelectorAll('[data-testid=\"lossappChart\"]'))"
                  ".find((gd) => (gd._fullData || []).some((t) => t.type === 'bar')).scrollIntoView()")
    page.wait_for_function(
        "() => { const t = (" + TRACES + ")(); const f = t[\"share of focal loss's gradient\"], "
        "b = t[\"share of BCE's gradient\"]; return f && b && f.every((v, i) => Math.abs(v - b[i]) < 1e-6); }")
    traces = page.evaluate(TRACES)
    np.testing.assert_allclose(traces["focal loss"], traces["cross-entropy"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(traces["focal loss: gradient"], traces["cross-entropy: gradient"], rtol=1e-5,
                               atol=1e-7)
    assert "fg_gamma=0" in page.url
    assert not exceptions(page)
