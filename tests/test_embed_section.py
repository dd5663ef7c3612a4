"""One section anywhere: ``?section=<id>`` of another page goes to that page, an unknown id says so, and the
sidebar gives every section of a page its iframe code (tests/browser/test_embed_section.py embeds one)."""

from __future__ import annotations

import re

import pytest
from apptest_charts import load_page
from streamlit.testing.v1 import AppTest

from lossapp.page import EMBED_SIZE, embed_code, section_url
from lossapp.registry import PAGES
from lossapp.steps import STEPS, steps_of


def _titles(at) -> list[str]:
    return [h.value for h in at.title] + [h.value for h in at.header] + [h.value for h in at.subheader]


def _app(**query: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(("start", "picked", "title", "dropped"), [
    (None, "kl", "Losses between distributions", "Counts: Poisson negative log-likelihood"),
    ("app_pages/2_Regression.py", "kl", "Losses between distributions", "Counts: Poisson negative log-likelihood"),
    ("app_pages/5_Distributions.py", "huber", "Regression losses", "L1 loss (mean absolute error)"),
])
def test_a_section_of_another_page_opens_that_page_with_the_same_address(start, picked, title, dropped):
    at = AppTest.from_file("../app.py", default_timeout=60)
    if start is not None:  # on that page first, as a visitor who edits the address there would be
        at.switch_page(start)
    at.query_params.update({"section": picked, "huber_rho": "2"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    titles = _titles(at)
    assert title in titles and dropped not in titles, titles
    assert at.query_params["section"] == [picked] or at.query_params["section"] == picked
    assert "huber_rho" in at.query_params  # the rest of the address goes along


def test_an_unknown_section_says_so_and_shows_the_whole_page():
    at = load_page("2_Regression.py", section="[x](http://evil.example)")
    notices = [w.value for w in at.warning]
    assert any("`section`" in n and "no section is called" in n and "huber" in n for n in notices), notices
    assert {"L1 loss (mean absolute error)", "Huber loss"} <= set(_titles(at))


def _embed_code_block(at) -> str:
    blocks = [c.value for c in at.sidebar.code if "<iframe" in c.value]
    assert len(blocks) == 1, blocks
    return blocks[0]


def test_the_sidebar_gives_the_iframe_code_of_each_section_of_the_page():
    at = load_page("2_Regression.py")
    code = _embed_code_block(at)
    assert re.fullmatch(r'<iframe src="/Regression\?section=l1&embed=true" title="L1 loss · Loss functions '
                        rf'explained" width="{EMBED_SIZE[0]}" height="{EMBED_SIZE[1]}" style="border: 0" '
                        r'loading="lazy"></iframe>', code), code
    pick = at.sidebar.selectbox(key="_lossapp_embed_pick_Regression")
    assert pick.options == ["L1 loss", "L2 loss", "Huber loss"]
    pick.set_value("huber").run()
    assert 'src="/Regression?section=huber&embed=true"' in _embed_code_block(at)
    # a page of one section has no choice to make
    assert "section=compare&" in _embed_code_block(load_page("8_Compare.py"))


@pytest.mark.parametrize("query", [{"section": "huber"}, {"present": "1"}])
def test_no_embed_code_when_the_page_shows_one_section_or_a_projector(query):
    at = load_page("2_Regression.py", **query)
    assert not [c for c in at.sidebar.code if "<iframe" in c.value]


def test_every_section_has_an_address_and_embed_code_of_its_own_page():
    for s in STEPS:
        assert section_url(s.id) == f"/{s.page}?section={s.id}"
        assert f'src="/{s.page}?section={s.id}&embed=true"' in embed_code(s.id)
    assert all(steps_of(p.url_path) for p in PAGES[1:])  # every page but Home has a section to offer
