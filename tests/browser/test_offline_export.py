"""A section's interactive HTML file, saved from the app, works opened from disk with the network cut off: the
formula shows, the chart draws, and its browser-side sliders (the marker, Huber's rho as a frame slider) move
the chart and the numbers under it with no server (lossapp.section_html)."""

from __future__ import annotations

from pathlib import Path

from .harness import CHART_SIGNATURE, exceptions, open_export, wait_loaded

DRAWN = """() => { const gd = document.querySelector('[data-testid="lossappChart"]');
  return gd && gd.data && gd.data.length > 0 && !gd.__lossappBusy
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

    context = browser.new_context(viewport={"width": 900, "height": 900}, color_scheme="light",
                                  service_workers="block")
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
    offline = context.new_page()
    offline.on("request", lambda req: asked.append(req.url))
    offline.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    offline.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        offline.goto(path.as_uri())
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
