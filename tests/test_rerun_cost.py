"""A rerun at the same values serialises no figure again: a page's charts are kept per setting (their sliders
move in the browser, so most reruns come back with the values of the last one), and their JSON is kept on the
kept object. A chart built afresh on every run costs tens of milliseconds of server time per rerun."""

from __future__ import annotations

from collections import Counter

import pytest
from apptest_charts import load_page
from plotly.basedatatypes import BaseFigure

from lossapp import registry
from lossapp.figures import SpecFigure

#: Home only links to the others (and AppTest cannot run a page link outside the router).
PAGES = [page.script.split("/")[-1] for page in registry.PAGES if page is not registry.HOME]


@pytest.mark.parametrize("page", PAGES)
def test_a_rerun_at_the_same_values_serialises_no_figure(page, monkeypatch):
    at = load_page(page)
    calls: Counter[str] = Counter()
    for cls in (BaseFigure, SpecFigure):
        original = cls.to_json

        def counted(self, *args, _original=original, _name=cls.__name__, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "to_json", counted)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert calls == Counter(), f"{page} serialised {dict(calls)} figures again on a rerun"
