"""Pastes beyond what "Your own data" takes: up to twice the limit, the page empties the box and says why (later
runs no longer carry the text); beyond that, the browser refuses it and the box keeps what it had."""

from __future__ import annotations

from lossapp import own_data

from .harness import exceptions, runs, wait_loaded, wait_run_after


def _paste(page, box, text: str) -> None:
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)  # what a paste does: one input of the whole text


def test_a_paste_over_the_limit_is_emptied_with_a_message_and_one_far_over_never_leaves_the_browser(server, page):
    page.goto(f"{server}/Your_own_data")
    wait_loaded(page)
    box = page.get_by_role("textbox", name="Predictions")
    example = box.input_value()
    _paste(page, box, "1, " * (own_data.MAX_PASTE_CHARS // 2))  # 1.5 x the limit
    assert len(box.input_value()) > own_data.MAX_PASTE_CHARS
    before = runs(page)
    page.get_by_role("textbox", name="Labels").click()  # leaving the box sends its text
    wait_run_after(page, before)
    page.get_by_text(f"what you pasted is longer than {own_data.MAX_PASTE_CHARS:,} characters").wait_for()
    assert box.input_value() == ""
    _paste(page, box, example)
    _paste(page, box, "1, " * own_data.MAX_PASTE_CHARS)  # 3 x the limit: Streamlit's text area ignores it
    assert box.input_value() == example
    assert exceptions(page) == []
