"""Barron's alpha on the Robust regression page: arrow keys on the browser-side slider morph the curve through its
named members with no script run, and the name lit above the chart follows (Charbonnier at 1, Cauchy at 0)."""

from __future__ import annotations

import numpy as np

import losscore as lc
from lossapp.robust_figures import MORPH_X

from .harness import CLIENT_SLIDER, exceptions, starts, starts_when, wait_loaded

KEY = "barron_morph_alpha"
#: The texts of the chart's annotations as drawn (status line first, then the members' labels), and which are
#: bold: plotly draws <b> as a bold tspan.
DRAWN_NOTES = """(key) => {
  const box = document.querySelector(`[data-testid="lossappControls"] input[data-param="${key}"]`)
    ?.closest('.lossapp-controls')?.previousElementSibling;
  if (!box) return null;
  return Array.from(box.querySelectorAll('.annotation-text')).map((t) => ({
    text: t.textContent,
    bold: Array.from(t.querySelectorAll('tspan')).some((s) => (s.getAttribute('style') || '').includes('bold')),
  }));
}"""
LIT_IS = f"""(want) => {{
  const notes = ({DRAWN_NOTES})('{KEY}');
  if (!notes || notes.length !== 6) return false;
  const lit = notes.slice(1).filter((n) => n.bold).map((n) => n.text);
  return notes[0].text === want.status && lit.length === 1 && lit[0] === want.lit;
}}"""


def curve_y(page) -> np.ndarray:
    return np.array(page.locator(f'{CLIENT_SLIDER}[data-param="{KEY}"]').evaluate(
        "(el) => Array.from(el.closest('.lossapp-controls').previousElementSibling._fullData[0].y)"))


def test_alpha_slider_morphs_the_curve_and_lights_each_members_name(server, page):
    page.goto(f"{server}/Robust_regression?section=barron-alpha&{KEY}=1.1")
    wait_loaded(page)
    slider = page.locator(f'{CLIENT_SLIDER}[data-param="{KEY}"]')
    slider.scroll_into_view_if_needed()
    starts_when(page, f"""() => {{ const n = ({DRAWN_NOTES})('{KEY}');
        return n && n[0].text.startsWith('α = 1.1: between') && !n.slice(1).some((x) => x.bold); }}""")
    before = starts(page)
    slider.focus()
    page.keyboard.press("ArrowLeft")  # alpha 1.1 -> 1: Charbonnier, from the patches sent in advance
    at = starts_when(page, LIT_IS, {"status": "α = 1: Charbonnier (α = 1)", "lit": "Charbonnier (1)"})
    assert at == before, "the name waited for a script run"
    for _ in range(10):  # alpha 1 -> 0, one step of 0.1 per key press
        page.keyboard.press("ArrowLeft")
    starts_when(page, LIT_IS, {"status": "α = 0: Cauchy (α = 0)", "lit": "Cauchy (0)"})
    cauchy = lc.GeneralRobustLoss(alpha=0.0)(MORPH_X, np.zeros_like(MORPH_X))
    np.testing.assert_allclose(curve_y(page), cauchy, rtol=1e-6, atol=1e-6)
    page.keyboard.press("ArrowLeft")  # between two members: no name lit
    starts_when(page, f"""() => {{ const n = ({DRAWN_NOTES})('{KEY}');
        return n && n[0].text.startsWith('α = −0.1: between') && !n.slice(1).some((x) => x.bold); }}""")
    for _ in range(19):  # down to −2
        page.keyboard.press("ArrowLeft")
    starts_when(page, LIT_IS, {"status": "α = −2: Geman-McClure (α = −2)", "lit": "Geman-McClure (−2)"})
    assert "barron_morph_alpha=-2" in page.url
    assert not exceptions(page)
