"""Labels that overlapped or were cut (issue 17), checked in the browser at the widths where they were: the text
boxes of a chart's labels must not intersect, and wide formulas must stay inside the screen (scrolling
sideways in their own block). Screenshots go to test-artifacts/ (ignored by git) for a person to look at."""

from __future__ import annotations

import pytest

from .harness import CHART, ROOT, exceptions, wait_loaded

ARTIFACTS = ROOT / "test-artifacts"

#: Boxes of an SVG's text elements that match a selector: [text, left, top, right, bottom] each.
TEXT_BOXES = """
(chart, selector) => Array.from(chart.querySelectorAll(selector))
  .filter((el) => el.textContent.trim() && el.getBoundingClientRect().width > 0)
  .map((el) => { const r = el.getBoundingClientRect(); return [el.textContent, r.left, r.top, r.right, r.bottom]; })
"""


def overlaps(boxes: list[list]) -> list[tuple[str, str]]:
    """Pairs of text boxes that intersect (by more than a pixel either way)."""
    found = []
    for i, (ta, l1, t1, r1, b1) in enumerate(boxes):
        for tb, l2, t2, r2, b2 in boxes[i + 1:]:
            if min(r1, r2) - max(l1, l2) > 1 and min(b1, b2) - max(t1, t2) > 1:
                found.append((ta, tb))
    return found


def chart_with(page, text: str):
    charts = page.locator(CHART)
    for i in range(charts.count()):
        chart = charts.nth(i)
        if text in chart.evaluate("(c) => (c.data || []).map((t) => [].concat(t.text || []).join(' ')).join(' ')"):
            return chart
    raise AssertionError(f"no chart labelled {text!r}")


def load(page, server: str, path: str):
    """Open a page, wait for its run and charts, and check it ran cleanly."""
    page.goto(f"{server}/{path}")
    wait_loaded(page)
    assert exceptions(page) == []
    return page


def shoot(element, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    element.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture
def laptop_page(browser):
    from .conftest import _new_page

    context, pg = _new_page(browser, viewport={"width": 1024, "height": 768})
    yield pg
    context.close()


def test_triplet_labels_do_not_overlap_at_1024(server, laptop_page):
    page = load(laptop_page, server, "Embeddings")
    chart = chart_with(page, "anchor A")
    chart.scroll_into_view_if_needed()
    shoot(chart, "triplet-1024")
    boxes = chart.evaluate(TEXT_BOXES, ".textpoint text")
    texts = [b[0] for b in boxes]
    assert {"anchor A", "positive A", "negative Z"} <= set(texts) and sum("‖" in t for t in texts) == 2, texts
    assert overlaps(boxes) == []


def test_classifier_panel_titles_do_not_overlap_on_a_phone(server, phone_page):
    page = load(phone_page, server, "Training_lab")
    chart = chart_with(page, "accuracy")
    chart.scroll_into_view_if_needed()
    shoot(chart, "training-panels-390")
    # each panel's title is one text element (two lines since the fix, one long line before it)
    titles = [b for b in chart.evaluate(TEXT_BOXES, ".textpoint text") if "accuracy" in b[0]]
    assert len(titles) == 3, titles
    assert overlaps(titles) == []


@pytest.mark.parametrize("path", ["Regression", "Binary_classification", "Softmax_cross_entropy"])
def test_formulas_fit_a_phone_screen(server, phone_page, path):
    """Huber's d_i, SoftmaxCE's and SigmoidBCE's formulas ran past the right edge at 390 px (a phone shows no
    scrollbar, so they read as cut): every formula block now ends inside the screen and holds all its width."""
    page = load(phone_page, server, path)
    blocks = page.locator('[data-testid="stMarkdownContainer"] .katex-display')
    assert blocks.count() >= 1
    for i in range(blocks.count()):
        block = blocks.nth(i)
        box = block.evaluate("(e) => ({right: e.getBoundingClientRect().right, scroll: e.scrollWidth, "
                             "client: e.clientWidth})")
        if i == 0:
            block.scroll_into_view_if_needed()
            shoot(block, f"formula-{path}-390")
        assert box["right"] <= 390, (path, i, box)  # the block ends inside the screen
        # and nothing of it is hidden (KaTeX leaves 2 px of spacing past the last glyph; before: 140-190 px)
        assert box["scroll"] <= box["client"] + 4, (path, i, box)


def test_own_data_metric_and_table_are_not_cut_at_1024(server, laptop_page):
    """'Top 10% of sa...' was cut with an ellipsis, and the top-samples table's last column hid behind a
    horizontal scroll."""
    page = load(laptop_page, server, "Your_own_data")
    labels = page.locator('[data-testid="stMetricLabel"]')
    assert labels.count() >= 4
    for i in range(labels.count()):
        cut = labels.nth(i).evaluate("(e) => Array.from(e.querySelectorAll('*')).concat([e])"
                                     ".some((n) => n.scrollWidth > n.clientWidth + 1)")
        assert not cut, labels.nth(i).inner_text()
    tables = page.locator('[data-testid="stDataFrame"]')
    assert tables.count() >= 2
    for i in range(2):  # the top samples' losses and their gradients
        table = tables.nth(i)
        table.scroll_into_view_if_needed()
        shoot(table, f"own-data-table-{i}-1024")
        # the glide grid's scroller: no horizontal overflow means every column is in view
        overflow = table.evaluate("(t) => { const s = t.querySelector('.dvn-scroller'); "
                                  "return s ? s.scrollWidth - s.clientWidth : null; }")
        assert overflow is not None and overflow <= 1, (i, overflow)
