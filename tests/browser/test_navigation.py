"""The sidebar comes from lossapp.registry: "Home" first, the pages in the tutorial's groups, on a cold deep link
(the first request a fresh server serves is a page's address) exactly as when the visitor starts at the home
page; the page addresses links use stay what they were."""

from __future__ import annotations

from lossapp.registry import GROUPS, HOME, PAGES

from .harness import SIDEBAR_LINK, exceptions, wait_loaded

SECTION = '[data-testid="stSidebarNav"] [data-testid="stNavSectionHeader"] p'
#: The addresses links and tests used before the registry (Streamlit derived them from the pages' file names).
OLD_ADDRESSES = ["Basics", "Regression", "Binary_classification", "Softmax_cross_entropy", "Distributions",
                 "Embeddings", "Sequences", "Compare", "Training_lab", "Your_own_data"]


def sidebar(page) -> tuple[list[str], list[str], list[str]]:
    """The sidebar's link labels, their addresses (path after the server's root) and its group headers."""
    links = page.locator(SIDEBAR_LINK)
    labels = [t.strip() for t in links.all_inner_texts()]
    paths = [href.split("/", 3)[3] if href.count("/") >= 3 else "" for href in
             (links.nth(i).get_attribute("href") for i in range(links.count()))]
    return labels, paths, [t.strip() for t in page.locator(SECTION).all_inner_texts()]


def test_cold_deep_link_shows_the_registry_sidebar_home_first(cold_server, page):
    page.goto(f"{cold_server}/Regression")  # the first request this server ever serves
    wait_loaded(page)
    assert exceptions(page) == []
    labels, paths, groups = sidebar(page)
    assert labels[0] == "Home"
    assert labels == [p.title for p in PAGES]
    assert paths == [p.url_path for p in PAGES]
    assert groups == list(GROUPS)
    assert page.locator(f'{SIDEBAR_LINK}[aria-current="page"]').inner_text().strip() == "Regression"
    assert "Regression" in page.locator("h1").first.inner_text()

    # the same sidebar when the visit starts at the home page, now on a warm server
    page.goto(f"{cold_server}/")
    wait_loaded(page)
    assert sidebar(page) == (labels, paths, groups)
    assert page.locator(f'{SIDEBAR_LINK}[aria-current="page"]').inner_text().strip() == HOME.title
    assert page.console_errors == []


def test_old_addresses_still_open_their_pages(server, page):
    # pages may be added; the addresses people have shared all stay, in their order
    assert [p.url_path for p in PAGES if p.url_path in OLD_ADDRESSES] == OLD_ADDRESSES
    for address in ("Training_lab", "Your_own_data"):
        page.goto(f"{server}/{address}")
        wait_loaded(page)
        assert exceptions(page) == []
        current = page.locator(f'{SIDEBAR_LINK}[aria-current="page"]').inner_text().strip()
        assert current == next(p.title for p in PAGES if p.url_path == address)


def test_present_mode_hides_the_sidebar_on_a_cold_deep_link(cold_server, page):
    page.goto(f"{cold_server}/Regression?present=1")
    wait_loaded(page)
    assert exceptions(page) == []
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    assert "Regression" in page.locator("h1").first.inner_text()
