"""A student steps through a built-in lesson in the browser: each step's section alone with its values, a locked
slider that does not move, predict first then the reveal, and Next onto another page; a hidden control is not
shown."""

from __future__ import annotations

from lossapp.lessons import Lesson, LessonStep, encode

from .harness import CLIENT_SLIDER, READOUT, exceptions, runs, wait_charts_drawn, wait_loaded, wait_run_after


def _slider(page, param: str):
    return page.locator(f'{CLIENT_SLIDER}[data-param="{param}"]')


#: The lesson's buttons (lossapp.pager, keyed "lesson"), named by the step they open.
BUTTONS = {"Next": ".st-key-lesson_next button", "Previous": ".st-key-lesson_prev button"}


def _click(page, label: str) -> None:
    """Click the button ``label`` and wait for the run it starts (and the charts it draws)."""
    before = runs(page)
    if label in BUTTONS:
        page.locator(BUTTONS[label]).first.click()
    else:
        page.get_by_role("button", name=label, exact=True).click()
    wait_run_after(page, before)
    wait_charts_drawn(page)


def _step(page, k: int, n: int) -> None:
    page.get_by_text(f"step {k} of {n}", exact=False).first.wait_for()


def test_stepping_through_the_outliers_lesson(server, page):
    page.goto(f"{server}/Regression?lesson=outliers&lstep=2")
    wait_loaded(page)
    _step(page, 2, 6)
    assert page.get_by_text("4 units away", exact=False).first.is_visible()  # the prompt
    assert page.locator('[data-testid="lossappChart"]').count() == 1  # the section alone
    # the marker starts where the step put it, and the locked label does not move
    assert _slider(page, "l2_pred").input_value() == "4"
    label = _slider(page, "l2_label")
    assert label.is_disabled() and label.input_value() == "0"
    box = label.bounding_box()
    label.click(force=True, position={"x": box["width"] - 2, "y": box["height"] / 2})  # a click at its far end
    assert label.input_value() == "0" and "l2_label" not in page.url

    # step 3 predicts first: no chart and no numbers until the guesses are in
    _click(page, "Next")
    _step(page, 3, 6)
    assert "lstep=3" in page.url and "l1_pred=4" in page.url
    assert page.locator('[data-testid="lossappChart"]').count() == 0 and page.locator(READOUT).count() == 0
    page.get_by_label("Where is the loss smallest?", exact=False).fill("0")
    page.get_by_label("What is the gradient dL/dpred at the marker", exact=False).fill("2")
    _click(page, "Reveal")
    page.get_by_text("You said 2; the answer is 1 (1 off).", exact=False).wait_for()
    page.get_by_text("You said 0; the answer is 0", exact=False).wait_for()
    assert page.locator('[data-testid="lossappChart"]').count() == 1
    assert page.locator(READOUT).first.inner_text()  # the values at the marker are back

    _click(page, "Next")
    _step(page, 4, 6)
    # a clicker's key moves on too (outside a control)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    before = runs(page)
    page.keyboard.press("PageDown")
    wait_run_after(page, before)
    _step(page, 5, 6)
    wait_charts_drawn(page)
    assert _slider(page, "huber_pred").input_value() == "0.5"
    # the last step is on another page: Compare, with its preset locked
    _click(page, "Next")
    _step(page, 6, 6)
    page.get_by_role("heading", name="Compare losses").wait_for()
    assert "/Compare?" in page.url and "cmp_pred=4" in page.url
    assert page.locator(BUTTONS["Next"]).first.is_disabled()
    assert not exceptions(page) and not page.console_errors


def test_a_hidden_control_is_not_shown_and_its_value_applies(server, page):
    lesson = Lesson("hide", (LessonStep("hinge", {"hinge_label": "-1", "hinge_margin": "2"}, "Only the marker.",
                                        hide=("hinge_label", "hinge_margin")),))
    page.goto(f"{server}/Binary_classification?lesson={encode(lesson)}&lstep=1")
    wait_loaded(page)
    _step(page, 1, 1)
    assert "section=hinge" in page.url
    radio = page.locator(".st-key-hinge_label")
    assert radio.count() == 1 and not radio.is_visible()  # a Streamlit widget, hidden by the page CSS
    margin = _slider(page, "hinge_margin")
    assert margin.count() == 1 and not margin.is_visible() and margin.input_value() == "2"
    assert _slider(page, "hinge_pred").is_visible()
    assert "label fixed at -1" in page.locator('[data-testid="lossappChart"]').first.get_attribute("aria-label")
    assert not exceptions(page) and not page.console_errors
