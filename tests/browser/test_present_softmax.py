"""Softmax's logits-as-sliders step with its most sliders (five classes) still fits a 1024x768 projector; the
fit test walks the tutorial at its defaults (four)."""

from __future__ import annotations

from .test_present import _off_screen, _open, _viewport_page


def test_five_logits_and_every_number_fit_1024x768(server, browser):
    context, pg = _viewport_page(browser, 1024, 768)
    try:
        _open(pg, server, "Softmax_cross_entropy?present=1&step=softmax-sliders&sm_n=5")
        pg.evaluate("document.fonts.ready")
        assert pg.locator('[data-testid="lossappControls"] input[type="range"] >> visible=true').count() == 7
        assert _off_screen(pg, "softmax-sliders", 1024, 768) == {}
    finally:
        context.close()
