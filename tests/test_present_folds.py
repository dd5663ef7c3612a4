"""Lecture mode's layouts of the steps with two views (cosine, SDML, your own data): on a projector the first
chart stays in view and the second views, the example and the tables fold into expanders one click away; the
normal page keeps every chart, number and widget where it was, and lecture mode drops none of them."""

from __future__ import annotations

import pytest
from apptest_charts import charts, load_page

#: (page, step, the chart in view, the charts folded into an expander, the expander labels on the projector).
CASES = [
    ("6_Embeddings.py", "cosine", "cos_vectors", {"cos_curve_chart"},
     ["Notes", "Tutorial example", "The loss against the angle, both labels"]),
    ("6_Embeddings.py", "sdml", "sdml_pairs", {"sdml_d", "sdml_p", "sdml_q"},
     ["Notes", "Inputs", "The matrices: distances D, probabilities P, targets Q"]),
    ("10_Your_own_data.py", "own-data", "od_chart", set(), ["Data and settings", "The samples that dominate"]),
]


def _folded(at) -> set[str]:
    return {c.key for e in at.expander for c in charts(e)}


def _widgets(at) -> list[str]:
    return sorted(w.key for kind in ("slider", "radio", "text_area", "text_input", "selectbox", "button")
                  for w in at.get(kind) if w.key and not w.key.startswith(("lecture_", "reset_", "lesson")))


@pytest.mark.parametrize(("page", "step", "shown", "folded", "labels"), CASES, ids=[c[1] for c in CASES])
def test_a_projector_folds_the_second_views_and_drops_nothing(page, step, shown, folded, labels):
    normal, present = load_page(page, section=step), load_page(page, present="1", step=step)
    assert {c.key for c in charts(present)} == {c.key for c in charts(normal)}
    assert _folded(present) == folded and _folded(normal) == set()
    assert [e.label for e in present.expander] == labels
    first, plain = (next(c for c in charts(at) if c.key == shown) for at in (present, normal))
    assert first.spec["layout"]["meta"]["fit"] and "meta" not in plain.spec["layout"]  # fitted to the screen
    assert [s["id"] for s in first.controls] == [s["id"] for s in plain.controls] != []  # its sliders with it
    assert _widgets(present) == _widgets(normal)
    assert [m.label for m in present.metric] == [m.label for m in normal.metric]
    assert {m.value for e in present.expander for m in e.metric} == {m.value for m in present.metric}
