"""A section's interactive HTML file, saved from the app, works opened from disk with the network cut off: the
formula shows, the chart draws, and its browser-side sliders (the marker, Huber's rho as a frame slider) move
the chart and the numbers under it with no server (lossapp.section_html)."""

from __future__ import annotations

from pathlib import Path

from .harness import CHART_SIGNATURE, exceptions, open_export, wait_loaded

#: Every chart holds its data and is not mid-draw, and the numbers under the first are there.
DRAWN = """() => { const charts = Array.from(document.querySelectorAll('[data-testid="lossappChart"]'));
  return charts.length > 0 && charts.every((gd) => gd.data && gd.data.length > 0 && !gd.__lossappBusy)
    && document.querySelector('[data-testid="lossappReadout"] dd'); }"""
READOUT = "() => Array.from(document.querySelectorAll('[data-testid=\"lossappReadout\"] dd')).map((d) => d.innerText)"


def _save_html(page, server: str, tmp_path: Path) -> Path:
    page.goto(f"{server}/Regression?section=huber&huber_rho=1")
    wait_loaded(page)
    open_export(page)
    button = page.locator('[data-testid="stDownloadButton"] button', has_text="HTML").first
    with page.expect_download() as info:
        button.click()
    d = info.value
    assert d.failure() is None
    assert d.suggested_filename.endswith(".html")
    path = tmp_path / "huber.html"
    d.save_as(path)
    assert exceptions(page) == []
    return path


def test_section_file_works_from_disk_with_no_network(browser, page, server, tmp_path):
    path = _save_html(page, server, tmp_path)

    context, offline, asked, errors = _open_offline(browser, path)
    try:
        offline.wait_for_function(DRAWN)
        assert offline.locator("h1").inner_text() == "Huber loss"
        assert offline.locator("math").first.is_visible()  # the formula, drawn by the browser from MathML
        assert offline.locator('[data-testid="lossappChart"]').get_attribute("aria-label").startswith("HuberLoss")

        # the marker: a browser-side slider, no server needed
        before = offline.evaluate(READOUT)
        marker = offline.locator('input[data-param="huber_pred"]')
        marker.focus()
        marker.press("ArrowLeft")
        assert float(marker.input_value()) == 1.95
        offline.wait_for_function(f"(b) => JSON.stringify(({READOUT})()) !== JSON.stringify(b)", arg=before)
        loss, grad = offline.evaluate(READOUT)
        assert (float(loss), float(grad)) == (1.45, 1.0)  # Huber at rho 1: |d| - rho/2, and the clipped slope

        # rho: a frame slider, patched from the frames in the file over its whole range (not a window)
        shape = offline.evaluate(CHART_SIGNATURE)
        rho = offline.locator('input[data-param="huber_rho"]')
        rho.focus()
        for _ in range(20):  # 1.0 -> 3.0, far outside the few values around 1 the app sends
            rho.press("ArrowRight")
        assert float(rho.input_value()) == 3.0
        offline.wait_for_function(f"(s) => ({CHART_SIGNATURE})() !== s", arg=shape)
        # inside rho the loss is d^2 / (2 rho) (at the grid point nearest 1.95, printed to 4 decimals)
        offline.wait_for_function(f"() => Math.abs(Number(({READOUT})()[0]) - {1.95 ** 2 / 6}) < 2e-4")
        assert not offline.locator(".lossapp-stale").count()

        assert errors == []
        assert all(u.startswith(("file:", "data:")) for u in asked), [u for u in asked if not u.startswith("file:")]
    finally:
        context.close()


def _open_offline(browser, path: Path, height: int = 900):
    """A page with every request but to the file itself refused; returns (context, page, asked, errors). (A
    chart out of view waits to be redrawn until it is seen, as in the app: tall enough to see them all.)"""
    context = browser.new_context(viewport={"width": 900, "height": height}, color_scheme="light")
    context.set_default_timeout(60_000)
    asked: list[str] = []
    errors: list[str] = []

    def route(r):
        asked.append(r.request.url)
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(path.as_uri())
    return context, pg, asked, errors


def test_a_deep_dive_with_two_charts_and_many_frame_sliders_works_offline(browser, page, server, tmp_path):
    """KL in both directions: the bars with eight frame sliders, and a second chart that follows them."""
    page.goto(f"{server}/Distributions?section=kl-directions")
    wait_loaded(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Interactive HTML").click()
    path = tmp_path / "kl.html"
    info.value.save_as(path)

    context, offline, asked, errors = _open_offline(browser, path, height=2000)
    try:
        offline.wait_for_function(DRAWN)
        assert offline.locator('[data-testid="lossappChart"]').count() == 2
        stats = offline.evaluate(READOUT)
        shape = offline.evaluate(CHART_SIGNATURE)
        q0 = offline.locator('input[data-param="klb_q0"]')
        q0.focus()
        q0.press("ArrowLeft")
        assert q0.input_value() == "0.29"
        # the numbers and both charts (the terms chart follows the bars' sliders) change with no server
        offline.wait_for_function(f"(b) => JSON.stringify(({READOUT})()) !== JSON.stringify(b)", arg=stats)
        offline.wait_for_function(f"(s) => ({CHART_SIGNATURE})().split('|').every((c, i) => c !== s.split('|')[i])",
                                  arg=shape)
        # a second frame slider: the first goes back to its saved value (each table holds the others there)
        p1 = offline.locator('input[data-param="klb_p1"]')
        p1.focus()
        p1.press("ArrowRight")
        assert q0.input_value() == "0.3" and p1.input_value() == "0.51"
        assert not offline.locator(".lossapp-stale").count()
        assert "one at a time" in offline.locator(".note").first.inner_text()
        assert errors == []
        assert all(u.startswith(("file:", "data:")) for u in asked)
    finally:
        context.close()
