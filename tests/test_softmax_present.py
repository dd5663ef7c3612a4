"""The softmax page's two slider steps on a projector (``?present=1``): the example's losses, the class picker,
the chart and its sliders stay in view while inputs, tables and notes fold into one row of expanders; the normal
page keeps every part where it was."""

from __future__ import annotations

from apptest_charts import charts, load_page

from lossapp.figures import PRESENT_FIT
from lossapp.sections.softmax import PRESENT_CURVE_SHARE, TABLES_LABEL

PAGE = "4_Softmax_cross_entropy.py"


def _headers(at) -> list[str]:
    return [h.value for h in at.header]


def _expander(at, label: str):
    found = [e for e in at.expander if e.label == label]
    assert len(found) == 1, [e.label for e in at.expander]
    return found[0]


def test_tutorial_example_on_a_projector_folds_inputs_tables_and_notes():
    at = load_page(PAGE, present="1", step="softmax-example")
    assert [e.label for e in at.expander] == ["Notes", "Notes", "Inputs", TABLES_LABEL]  # the page's, then a row
    inputs, tables = _expander(at, "Inputs"), _expander(at, TABLES_LABEL)
    assert {w.key for w in inputs.text_input} == {"sce_pred", "sce_label", "sce_sw"}
    assert len(tables.dataframe) == 2  # softmax(pred) and dL/dpred
    assert any("9.000123" in c.value for c in tables.caption)  # the worked numbers, one click away
    # the tutorial's losses and the class picker stay in view, outside every expander
    assert [m.value for m in at.metric] == ["9.0001", "6.0025"]
    assert not any(e.metric for e in at.expander)
    assert "sce_k" not in {r.key for e in at.expander for r in e.radio}
    assert at.radio(key="sce_k").value == 0
    assert "The loss as one logit moves" not in _headers(at)  # the chart says what it sweeps
    (curve,) = charts(at)
    assert curve.key == "sce_curve_chart"
    assert curve.spec["layout"]["meta"] == {"fit": [PRESENT_CURVE_SHARE, PRESENT_FIT[1]]}
    assert PRESENT_CURVE_SHARE < PRESENT_FIT[0]


def test_tutorial_example_on_a_normal_page_is_written_out():
    at = load_page(PAGE, section="softmax-example")
    assert "The loss as one logit moves" in _headers(at)
    assert not any(e.label in ("Notes", "Inputs", TABLES_LABEL) for e in at.expander)
    assert len(at.dataframe) == 2 and any("9.000123" in c.value for c in at.caption)
    assert any(m.value.startswith("Take the first example") for m in at.markdown)
    (curve,) = charts(at)
    assert "meta" not in curve.spec["layout"]  # the figure's own height, nothing fitted


def test_logit_sliders_on_a_projector_fold_their_choices_beside_the_notes():
    at = load_page(PAGE, present="1", step="softmax-sliders")
    inputs = _expander(at, "Inputs")
    assert {r.key for r in inputs.radio} == {"sm_n", "sm_y", "sm_kind"}
    (bars,) = charts(at)
    assert bars.key == "sm_bars" and len(bars.stats) == 5
    assert len(bars.controls) == 6  # 4 logits, their factor and ε
    normal = load_page(PAGE, section="softmax-sliders")
    assert not any(e.label == "Inputs" for e in normal.expander)
    assert {r.key for r in normal.radio} == {"sm_n", "sm_y", "sm_kind"}
