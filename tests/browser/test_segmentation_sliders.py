"""The Segmentation page's Tversky section in Chromium: alpha's browser-side slider redraws the loss curve and the
numbers under the chart with no script run, and they are losscore's numbers."""

from __future__ import annotations

import numpy as np

from lossapp.formatting import fmt
from lossapp.sections import segmentation
from losscore import TverskyLoss

from .harness import exceptions, wait_start_after
from .test_frame_sliders import bars_of as lines_of  # the y of every trace of the slider's chart, by name
from .test_frame_sliders import open_slider, stats, wait_stat


def test_tversky_alpha_moves_curve_bars_and_numbers_without_a_script_run(server, page):
    _, before = open_slider(page, f"{server}/Segmentation?section=tversky&tv_w=4", "tv_alpha")
    x = segmentation.logits(segmentation.TV_CENTRE, 4.0, segmentation.TV_SHARP)[None]
    t = segmentation.mask_of(segmentation.TV_MASK)[None]
    assert stats(page, "tv_alpha")["Tversky loss"] == fmt(TverskyLoss(alpha=0.5, beta=0.5)(x, t)[0])
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # alpha 0.5 -> 0.7: false alarms (the prediction is too large) cost more
    value = TverskyLoss(alpha=0.7, beta=0.5)(x, t)
    assert wait_stat(page, "tv_alpha", "Tversky loss", fmt(value[0])) == before, "waited for a script run"
    curve = segmentation.tversky_curves(0.7, 0.5)["tversky"]  # the whole curve against the half-width
    np.testing.assert_allclose(lines_of(page, "tv_alpha")["Tversky (α, β)"], curve, rtol=1e-6)
    wait_start_after(page, before)  # at rest: one sync run, and the address follows
    assert "tv_alpha=0.7" in page.url
    assert exceptions(page) == [] and page.console_errors == []
