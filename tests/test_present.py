"""Lecture mode (``?present=1``): which step a page draws, the pager's targets at both ends and across pages, and
stepping on one page with the buttons."""

from __future__ import annotations

import pytest
from apptest_charts import load_page

from lossapp.pager import HOME_TARGET, step_target, step_targets
from lossapp.steps import STEPS


def _titles(at) -> str:
    return "\n".join([h.value for h in at.header] + [h.value for h in at.subheader])


def _q(at, name: str) -> str | None:
    """A query parameter of the app's address after the run (AppTest keeps one value or a list)."""
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


def _pager(at) -> tuple:
    prev, nxt = at.button(key="lecture_prev"), at.button(key="lecture_next")
    return prev, nxt


def test_targets_walk_the_whole_tutorial_across_pages():
    assert step_targets("l2") == (step_target("l1"), step_target("huber"), f"5 / {len(STEPS)}")
    prev, nxt, pos = step_targets("huber")  # the next step is on the next page
    after = STEPS[[s.id for s in STEPS].index("huber") + 1]
    assert nxt.page == after.page != "Regression" and dict(nxt.params) == {"present": "1", "step": after.id}
    assert nxt.label == after.title and pos == f"6 / {len(STEPS)}"
    assert step_targets(STEPS[0].id)[0] == HOME_TARGET  # back from the first step: the title screen
    assert step_targets(STEPS[-1].id)[1] is None and step_targets(STEPS[-1].id)[2] == f"{len(STEPS)} / {len(STEPS)}"
    assert step_targets(None) == (None, step_target(STEPS[0].id), f"0 / {len(STEPS)}")
    assert step_targets("nope") == step_targets(None)
    # every step's next is the following step, so the pager visits each once
    seen, target = [], step_targets(None)[1]
    while target is not None:
        seen.append(target.params["step"])
        target = step_targets(target.params["step"])[1]
    assert seen == [s.id for s in STEPS]


def test_present_page_without_a_step_shows_its_first_step_and_says_so_in_the_address():
    at = load_page("2_Regression.py", present="1")
    titles = _titles(at)
    assert "L1 loss" in titles and "L2 loss" not in titles and "Huber loss" not in titles
    assert _q(at, "step") == "l1"
    prev, nxt = _pager(at)
    assert prev.label == "← Which axis holds the examples?" and not prev.disabled
    assert nxt.label == "L2 loss →"
    assert f"**4 / {len(STEPS)}**" in [m.value for m in at.markdown]


def test_next_button_steps_on_the_same_page():
    at = load_page("2_Regression.py", present="1", step="l1")
    at.button(key="lecture_next").click().run()
    assert not at.exception
    assert _q(at, "step") == "l2" and _q(at, "present") == "1"
    titles = _titles(at)
    assert "L2 loss" in titles and "L1 loss" not in titles
    at.button(key="lecture_prev").click().run()
    assert _q(at, "step") == "l1" and "L1 loss" in _titles(at)


@pytest.mark.parametrize("asked", ["nope", "kl", "", "L1", "l1#x"])
def test_unknown_or_foreign_step_ids_fall_back_to_the_first_step(asked):
    at = load_page("2_Regression.py", present="1", step=asked)  # load_page fails on any exception
    assert "L1 loss" in _titles(at) and "L2 loss" not in _titles(at)
    assert _q(at, "step") == "l1"


def test_home_is_the_title_screen_and_the_last_step_ends_the_tour():
    home = load_page("0_Home.py", present="1")
    prev, nxt = _pager(home)
    assert prev.disabled and nxt.label == f"{STEPS[0].title} →"
    assert home.metric[0].value  # the count of losses stays
    last = load_page("10_Your_own_data.py", present="1")
    prev, nxt = _pager(last)
    assert nxt.disabled and prev.label == f"← {STEPS[-2].title}"


def test_no_pager_outside_present_mode_or_in_a_section_embed():
    for at in (load_page("2_Regression.py"), load_page("2_Regression.py", section="huber", present="1")):
        assert "lecture_next" not in [b.key for b in at.button]
