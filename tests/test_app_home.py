"""AppTest of the home page: it renders every catalog loss without an exception."""

from streamlit.testing.v1 import AppTest

from losscore.catalog import CATALOG


def test_home_lists_every_loss_with_its_formula():
    at = AppTest.from_file("../app.py", default_timeout=30).run()
    assert not at.exception
    subheaders = [s.value for s in at.subheader]
    assert subheaders == [spec.title for spec in CATALOG.values()]
    formulas = [el.value.strip("$\n") for el in at.latex]
    assert formulas == [spec.formula for spec in CATALOG.values()]
    assert at.metric[0].value == str(len(CATALOG))
