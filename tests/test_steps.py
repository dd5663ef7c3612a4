"""The tutorial's steps: every section of every page once, and an address that picks one section draws it alone."""

from __future__ import annotations

import re

import pytest
from apptest_charts import load_page

from lossapp.registry import PAGES
from lossapp.steps import STEPS, neighbours, step, steps_of


def test_steps_cover_every_page_but_home_in_registry_order():
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s.id) for s in STEPS)
    pages = [p.url_path for p in PAGES[1:]]
    assert list(dict.fromkeys(s.page for s in STEPS)) == pages  # each page's steps together, pages in order
    assert neighbours(STEPS[0].id)[0] is None and neighbours(STEPS[-1].id)[1] is None
    assert neighbours("l2") == ("l1", "huber")
    assert neighbours("huber") == ("l2", "logcosh")  # the Robust regression page follows Regression
    with pytest.raises(ValueError, match="step_id must be one of"):
        step("nope")


def test_every_step_is_guarded_in_its_page_script():
    for page in PAGES[1:]:
        text = page.path.read_text()
        for s in steps_of(page.url_path):
            guarded = (f'shown("{s.id}")' in text or f'fragment_section("{s.id}"' in text
                       or re.search(rf'curve_section\(\s*"\w+", "{s.id}"', text))
            assert guarded or len(steps_of(page.url_path)) == 1, (page.file, s.id)


def _titles(at) -> str:
    return "\n".join([h.value for h in at.header] + [h.value for h in at.subheader])


@pytest.mark.parametrize(("file", "picked", "kept", "dropped"), [
    ("2_Regression.py", "huber", "Huber loss", "L1 loss"),
    ("5_Distributions.py", "kl-directions", "Both directions: KL(q ‖ p) and KL(p ‖ q)", "Kullback-Leibler"),
    ("1_Basics.py", "dense", "3. Gradients through a Dense layer", "1. One value per example"),
])
def test_section_in_the_address_draws_that_section_alone(file, picked, kept, dropped):
    full = _titles(load_page(file))
    assert kept in full and dropped in full
    alone = load_page(file, section=picked)
    assert kept in _titles(alone) and dropped not in _titles(alone)
    assert len(alone.markdown) < len(load_page(file).markdown)  # the page's introduction goes too
    # presentation mode picks with ?step=; without it, ?step= means nothing
    assert dropped not in _titles(load_page(file, present="1", step=picked))
    assert dropped in _titles(load_page(file, step=picked))


def test_a_section_of_another_page_leaves_the_whole_page():
    assert "L1 loss" in _titles(load_page("2_Regression.py", section="kl"))


@pytest.mark.parametrize("page", [p for p in PAGES[1:]], ids=lambda p: p.url_path)
def test_every_step_has_a_heading_anchored_at_its_id(page):
    """A link to ``/<page>#<id>`` opens at the section, and the address follows the section in view, only when
    the section's heading carries its step id as its anchor."""
    at = load_page(page.file)
    anchors = {h.proto.anchor for kind in ("title", "header", "subheader") for h in getattr(at, kind)}
    assert {s.id for s in steps_of(page.url_path)} - anchors == set()
