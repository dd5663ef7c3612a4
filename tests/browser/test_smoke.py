"""The app in a real browser: it renders, with no exception and no console error."""

from .conftest import wait_idle


def test_home_renders_every_loss(server, page):
    from losscore.catalog import CATALOG

    page.goto(server + "/")
    wait_idle(page)
    page.get_by_role("heading", name="Loss functions, explained live").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    headings = page.locator("h3").all_inner_texts()
    for spec in CATALOG.values():
        assert any(spec.title in h for h in headings), spec.title
    assert page.console_errors == []
