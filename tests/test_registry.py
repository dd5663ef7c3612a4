"""The page registry: every page's script exists once, every loss has exactly one page that explains it, and no
``pages/`` folder brings back Streamlit's file-name sidebar."""

from __future__ import annotations

import pytest
from streamlit.material_icon_names import ALL_MATERIAL_ICONS
from streamlit.testing.v1 import AppTest

from lossapp.registry import GROUPS, HOME, PAGES, PAGES_DIR, ROOT, START, by_group, page_of
from losscore.catalog import CATALOG, FAMILIES


def test_every_page_is_one_script_with_its_own_address():
    assert PAGES[0] is HOME and HOME.title == "Home" and HOME.url_path == ""
    assert START.group == HOME.group == next(iter(GROUPS))
    assert sorted(p.name for p in (ROOT / PAGES_DIR).glob("*.py")) == sorted(p.file for p in PAGES)
    assert len({p.url_path for p in PAGES}) == len({p.title for p in PAGES}) == len(PAGES)
    for page in PAGES:
        assert page.title and page.blurb and page.group in GROUPS
        assert page.url_path.replace("_", "").isalnum() or page is HOME  # an address without escapes
        assert page.icon.startswith(":material/") and page.icon[10:-1] in ALL_MATERIAL_ICONS


def test_groups_keep_the_registry_order():
    assert [p for pages in by_group().values() for p in pages] == list(PAGES)
    assert all(by_group().values())


def test_every_loss_is_explained_by_exactly_one_page():
    for family in FAMILIES:
        assert len([p for p in PAGES if family in p.families]) == 1, family
    named = [name for p in PAGES for name in p.losses]
    assert len(named) == len(set(named)) and set(named) <= set(CATALOG)
    assert page_of("SoftmaxCrossEntropyLoss").url_path == "Softmax_cross_entropy"
    assert page_of("HingeLoss").url_path == "Binary_classification"
    assert {page_of(name).url_path for name in CATALOG} == {
        "Regression", "Robust_regression", "Binary_classification", "Softmax_cross_entropy", "Distributions",
        "Embeddings", "Sequences", "Segmentation"}
    assert page_of("TukeyBiweightLoss").url_path == "Robust_regression"
    with pytest.raises(ValueError, match="name must be a catalog loss"):
        page_of("NoSuchLoss")


def test_no_pages_folder_next_to_app_py():
    # Streamlit 1.67 runs a pages/ folder as a version-1 app: a cold deep link would skip app.py's navigation
    assert not (ROOT / "pages").exists()


def test_app_py_runs_the_home_page_and_any_page_by_its_script():
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not at.exception and at.title[0].value == "Loss functions, explained live"
    at.switch_page(f"{PAGES_DIR}/2_Regression.py").run()
    assert not at.exception and "Regression" in at.title[0].value


def test_home_contents_follow_the_registry_and_start_with_where_to_begin():
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    links = [(el.proto.label, el.proto.page) for el in at.get("page_link")]
    contents = [(label, page) for label, page in links if not label.startswith("Explore ")]
    assert contents[0] == (f"New here? Start with {START.title}", START.url_path)
    assert contents[1:] == [(f"{p.title}: {p.blurb}", p.url_path) for p in PAGES if p is not HOME]
    explore = {label.removeprefix("Explore "): page for label, page in links if label.startswith("Explore ")}
    assert list(explore) == list(CATALOG)
    assert explore == {name: page_of(name).url_path for name in CATALOG}
