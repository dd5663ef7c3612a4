"""The sidebar's tools rerun on their own: picking a section to embed or working in the lesson builder reruns
that panel (a fragment), not the page with all its charts. Read from the protocol, as a browser receives it."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.load import Session
from lossapp.registry import HOME, PAGES
from lossapp.steps import steps_of

pytestmark = pytest.mark.browser


async def _read_widgets(server: str, page: str) -> dict[str, str]:
    session = Session(server, page, seed=0, timeout=60)
    await session.connect()
    try:
        await session.first_run()
    finally:
        await session.close()
    return {w.label: w.fragment_id for w in session.widgets.values()}


def _widgets(server: str, page: str) -> dict[str, str]:
    """Label -> fragment id ("" outside any fragment) of the page's Streamlit widgets, read in a thread of its own
    (Playwright's tests leave an event loop running in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _read_widgets(server, page)).result()


def test_the_embed_picker_and_the_lesson_builder_are_fragments(server):
    widgets = _widgets(server, "Regression")
    assert widgets["Section"] and widgets["Lesson builder"], widgets
    assert widgets["Section"] != widgets["Lesson builder"]


def test_a_teacher_builds_a_lesson_link_in_the_sidebar(server, page):
    from .harness import exceptions, runs, wait_loaded, wait_run_after

    page.goto(f"{server}/Regression")
    wait_loaded(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    before = runs(page)
    sidebar.get_by_text("Lesson builder", exact=True).click()
    wait_run_after(page, before)
    before = runs(page)
    sidebar.get_by_role("button", name="Add this view as a step").click()
    wait_run_after(page, before)
    link = sidebar.locator('[data-testid="stCode"]').last
    link.wait_for()
    assert "lesson=" in link.inner_text()
    listed = sidebar.locator('[data-testid="stMarkdownContainer"] li').all_inner_texts()
    assert len(listed) == 1 and listed[0] in {s.title for s in steps_of("Regression")}, listed  # step 1
    assert exceptions(page) == []


@pytest.mark.parametrize("page", [p.url_path for p in PAGES if p is not HOME])
def test_every_widget_of_a_page_reruns_only_its_part(server, page):
    """Sliders move in the browser; what is left (the sidebar's tools, each section's "predict first" switch and
    reset button, its discrete controls) reruns a fragment: the sidebar panel or the one section."""
    widgets = _widgets(server, page)
    assert all(widgets.values()), {label: "outside any fragment" for label, f in widgets.items() if not f}
