"""lossapp.controls: parsing of typed-in numbers, and the catalog-driven widgets (through AppTest)."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lossapp.controls import (
    _MAX_SLIDER_STEPS,
    SAMPLE_WEIGHT,
    control_key,
    format_array,
    label_param,
    parse_array,
)
from losscore.catalog import CATALOG


# -- parse_array ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("1, 2, 3", [1.0, 2.0, 3.0]),
        ("1 2 3", [1.0, 2.0, 3.0]),
        ("[0.5, -2e-3]", [0.5, -0.002]),
        ("  7  ", [7.0]),
        ("1,,2", [1.0, 2.0]),
    ],
)
def test_parse_vector(text, expected):
    out = parse_array(text, "v")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, expected)


def test_parse_matrix_rows_and_newlines():
    np.testing.assert_array_equal(parse_array("1, 10; 8, 2", "m", ndim=2), [[1, 10], [8, 2]])
    np.testing.assert_array_equal(parse_array("1 10\n8 2", "m", ndim=2), [[1, 10], [8, 2]])
    assert parse_array("1, 2, 3", "m", ndim=2).shape == (1, 3)


@pytest.mark.parametrize(
    "text, kwargs, message",
    [
        ("1, x", {}, "'x' is not a number"),
        ("", {}, "nothing entered"),
        ("1, nan", {}, "not a finite number"),
        ("1, inf", {}, "not a finite number"),
        ("1, 2", {"length": 3}, "expected 3 numbers; got 2"),
        ("1, 2; 3", {"ndim": 2}, "same number of entries; got rows of 2, 1"),
        ("1, 2; ", {"ndim": 2}, "an empty row"),
        ("1, 2; 3, 4", {"ndim": 2, "shape": (None, 3)}, "expected 3 columns; got 2"),
    ],
)
def test_parse_errors_say_what_is_wrong_and_what_is_expected(text, kwargs, message):
    with pytest.raises(ValueError) as info:
        parse_array(text, "weights", **kwargs)
    text_of = str(info.value)
    assert text_of.startswith("weights: ")
    assert message in text_of


def test_format_array_round_trips():
    for arr in (np.array([1.0, -2.5, 1e-3]), np.array([[1.0, 10.0], [8.0, 2.0]])):
        np.testing.assert_array_equal(parse_array(format_array(arr), "x", ndim=arr.ndim), arr)


# -- keys and label parameters -----------------------------------------------------------------------------------
def test_control_keys_are_short_and_stable():
    assert control_key("huber", "rho") == "huber_rho"
    assert control_key("bce", "from_sigmoid") == "bce_fromsig"
    assert control_key("bce", "pos_weight") == "bce_posw"
    assert control_key("sdml", "smoothing_parameter") == "sdml_smooth"
    assert control_key("l2", "sample_weight") == "l2_sw"


def test_label_param_follows_the_label_convention():
    hinge = label_param(CATALOG["HingeLoss"])
    assert hinge.kind == "choice" and hinge.choices == (-1.0, 1.0) and hinge.default == 1.0
    assert label_param(CATALOG["LogisticLoss"], {"label_format": "signed"}).choices == (-1.0, 1.0)
    assert label_param(CATALOG["LogisticLoss"], {"label_format": "binary"}).choices == (0.0, 1.0)
    l2 = label_param(CATALOG["L2Loss"])
    assert (l2.kind, l2.default, l2.low, l2.high) == ("float", 0.0, -5.0, 5.0)
    bce = label_param(CATALOG["SigmoidBinaryCrossEntropyLoss"])
    assert (bce.kind, bce.default, bce.low, bce.high) == ("float", 1.0, 0.0, 1.0)
    poisson = label_param(CATALOG["PoissonNLLLoss"])
    assert (poisson.low, poisson.high, poisson.default) == (0.0, 10.0, 1.0)


# -- widgets, through AppTest -----------------------------------------------------------------------------------
def _all_params_script():
    import streamlit as st

    from lossapp.controls import SAMPLE_WEIGHT, control_key, param_control
    from losscore.catalog import CATALOG

    for spec in CATALOG.values():
        for p in spec.params:
            value = param_control(p, control_key(spec.name.lower(), p.name))
            st.text(f"{spec.name}.{p.name}={value!r}")
    st.text(f"sw={param_control(SAMPLE_WEIGHT, 'x_sw')!r}")


def _script_source(func) -> str:
    import inspect
    import textwrap

    body = textwrap.dedent(inspect.getsource(func)).split("\n", 1)[1]
    return textwrap.dedent(body)


def _widget_by_key(at: AppTest, key: str):
    for kind in ("slider", "toggle", "radio", "number_input"):
        for w in getattr(at, kind):
            if w.key == key:
                return kind, w
    raise KeyError(key)


def test_every_catalog_parameter_gets_a_labelled_widget_with_help_and_range():
    at = AppTest.from_string(_script_source(_all_params_script), default_timeout=30).run()
    assert not at.exception
    expected_kind = {"bool": "toggle", "choice": "radio"}
    for spec in CATALOG.values():
        for p in spec.params:
            kind, w = _widget_by_key(at, control_key(spec.name.lower(), p.name))
            assert w.label == p.name
            assert w.help == p.help
            assert w.value == p.default
            if p.kind in expected_kind:
                assert kind == expected_kind[p.kind], p
            elif p.kind == "int":
                assert kind == "radio" and list(w.options) == [str(v) for v in range(int(p.low), int(p.high) + 1)]
            elif (p.high - p.low) / p.step > _MAX_SLIDER_STEPS:  # PoissonNLL's epsilon: 100,000 steps
                assert kind == "number_input"
                assert (w.min, w.max, w.step) == (p.low, p.high, p.step)
            else:
                assert kind == "slider", p
                assert (w.min, w.max, w.step) == (p.low, p.high, p.step)
    texts = [t.value for t in at.text]
    assert "HuberLoss.rho=1.0" in texts
    assert "LogisticLoss.label_format='signed'" in texts
    assert "sw=1.0" in texts
    assert SAMPLE_WEIGHT.default == 1.0


def test_widgets_read_their_value_from_the_url():
    at = AppTest.from_string(_script_source(_all_params_script), default_timeout=30)
    at.query_params.update({
        "huberloss_rho": "2.5", "sigmoidbinarycrossentropyloss_fromsig": "true",
        "logisticloss_format": "binary", "softmaxcrossentropyloss_axis": "0",
    })
    at.run()
    assert not at.exception
    texts = [t.value for t in at.text]
    assert "HuberLoss.rho=2.5" in texts
    assert "SigmoidBinaryCrossEntropyLoss.from_sigmoid=True" in texts
    assert "LogisticLoss.label_format='binary'" in texts
    assert "SoftmaxCrossEntropyLoss.axis=0" in texts


def test_widget_changes_reach_the_returned_values():
    at = AppTest.from_string(_script_source(_all_params_script), default_timeout=30).run()
    at.slider(key="huberloss_rho").set_value(3.5)
    at.toggle(key="poissonnllloss_full").set_value(True)
    at.radio(key="logisticloss_format").set_value("binary")
    at.run()
    texts = [t.value for t in at.text]
    assert "HuberLoss.rho=3.5" in texts
    assert "PoissonNLLLoss.compute_full=True" in texts
    assert "LogisticLoss.label_format='binary'" in texts


def _array_input_script():
    import streamlit as st

    from lossapp.controls import array_input

    v = array_input("weights", "1, 2", "w", help="Per-example weights.", length=2)
    st.text("none" if v is None else f"sum={v.sum():g}")


def test_array_input_shows_an_error_instead_of_a_traceback():
    at = AppTest.from_string(_script_source(_array_input_script), default_timeout=30).run()
    assert [t.value for t in at.text] == ["sum=3"]
    assert at.text_input(key="w").help == "Per-example weights."
    at.text_input(key="w").input("1, two").run()
    assert not at.exception
    assert [t.value for t in at.text] == ["none"]
    assert at.error[0].value == "weights: 'two' is not a number. Expected numbers separated by commas, e.g. 1, 2."
    at.text_input(key="w").input("1, 2, 3").run()
    assert at.error[0].value == "weights: expected 2 numbers; got 3."
    at.text_input(key="w").input("4; 5").run()
    assert not at.error and [t.value for t in at.text] == ["sum=9"]
