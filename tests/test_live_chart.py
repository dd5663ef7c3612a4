"""lossapp.live_chart: plotly.js is put where the static server finds it, figures go to the redraw-in-place
component with their alt text, and the app falls back to st.plotly_chart when live charts are off."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from apptest_charts import charts, payload
from streamlit.testing.v1 import AppTest

from lossapp import live_chart

ROOT = Path(__file__).resolve().parents[1]


def test_plotly_js_is_copied_once_and_refreshed_when_it_differs(tmp_path):
    source = tmp_path / "pkg" / "plotly.min.js"
    source.parent.mkdir()
    source.write_text("window.Plotly = {version: 'test'};")
    target = tmp_path / "static" / "plotly.min.js"
    assert live_chart.ensure_plotly_js(target, source)
    assert target.read_text() == source.read_text()
    stamp = target.stat().st_mtime_ns
    assert live_chart.ensure_plotly_js(target, source)
    assert target.stat().st_mtime_ns == stamp  # same size: left alone
    source.write_text("window.Plotly = {version: 'a newer release'};")
    assert live_chart.ensure_plotly_js(target, source)
    assert target.read_text() == source.read_text()
    assert [p.name for p in target.parent.iterdir()] == ["plotly.min.js"]  # no temporary file left behind


def test_plotly_js_that_cannot_be_written_is_reported_not_raised(tmp_path):
    blocker = tmp_path / "static"
    blocker.write_text("a file where the folder should be")
    assert live_chart.ensure_plotly_js(blocker / "plotly.min.js", live_chart.PACKAGE_PLOTLY) is False


def test_the_package_ships_the_plotly_js_we_serve():
    assert live_chart.PACKAGE_PLOTLY.stat().st_size > 1_000_000
    assert live_chart.STATIC_PLOTLY == ROOT / "static" / "plotly.min.js"


def test_chart_json_is_the_figure_and_is_computed_once():
    fig = go.Figure(go.Scatter(x=[0.0, 1.0], y=[2.0, 3.0], name="line"), layout={"height": 300})
    text = live_chart.chart_json(fig)
    spec = json.loads(text)
    assert spec["data"][0]["name"] == "line" and spec["layout"]["height"] == 300
    assert live_chart.chart_json(fig) is text


def test_the_payload_is_json_bytes_of_the_figure_text_and_the_rest(monkeypatch):
    """The component gets UTF-8 JSON: the figure's JSON as a string, then the other fields as given; the figure's
    part is serialised once per figure object."""
    fig = go.Figure(go.Scatter(x=[0.0, 1.0], y=[2.0, 3.0], name="ünïcode"))
    data = {"alt": "A line “quoted”.", "frames": {"w": {"values": [0.5, 1.0], "patches": [{}, {}]}}}
    sent = live_chart.payload_bytes(fig, data)
    assert isinstance(sent, bytes)
    assert json.loads(sent.decode("utf-8")) == {"figure": live_chart.chart_json(fig), **data}
    monkeypatch.setattr(live_chart, "chart_json", lambda _fig: pytest.fail("the figure was serialised again"))
    assert json.loads(live_chart.payload_bytes(fig, {"alt": "again"})) == {
        "figure": json.loads(sent)["figure"], "alt": "again"}


def _script():
    import plotly.graph_objects as go

    from lossapp.live_chart import plotly_chart

    plotly_chart(go.Figure(go.Scatter(x=[0, 1], y=[1, 0], name="demo")), key="demo_chart", alt="A falling line.")


def test_live_charts_go_to_the_component_with_figure_alt_and_script_address(monkeypatch):
    monkeypatch.delenv("LOSSAPP_PLAIN_CHARTS", raising=False)
    monkeypatch.setattr(live_chart, "_READY", True)
    at = AppTest.from_function(_script, default_timeout=30).run()
    assert not at.exception
    assert not at.get("plotly_chart")
    (element,) = at.get("bidi_component")
    data = payload(element.proto)
    assert data["src"] == "/app/static/plotly.min.js"
    assert data["config"]["displaylogo"] is False and data["config"]["responsive"] is True
    assert data["config"]["showSendToCloud"] is False
    (chart,) = charts(at)
    assert (chart.key, chart.alt, chart.data[0]["name"]) == ("demo_chart", "A falling line.", "demo")


@pytest.mark.parametrize("switch", ["", "0"])
def test_the_plotly_patch_is_switched_off_by_the_environment(monkeypatch, switch):
    """LOSSAPP_PLOTLY_PATCH=0 tells the browser to draw without frontend/plotly_patch.js."""
    monkeypatch.delenv("LOSSAPP_PLAIN_CHARTS", raising=False)
    monkeypatch.setenv(live_chart.PATCH_ENV, switch)
    monkeypatch.setattr(live_chart, "_READY", True)
    at = AppTest.from_function(_script, default_timeout=30).run()
    (element,) = at.get("bidi_component")
    assert payload(element.proto).get("patch", True) is (switch != "0")


def test_plain_charts_when_asked(monkeypatch):
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    at = AppTest.from_function(_script, default_timeout=30).run()
    assert not at.exception
    assert not at.get("bidi_component")
    (chart,) = charts(at)
    assert (chart.key, chart.alt, chart.data[0]["name"]) == ("demo_chart", "A falling line.", "demo")


@pytest.mark.parametrize("base, expected", [("", "/app/static/plotly.min.js"),
                                            ("/docs/losses/", "/docs/losses/app/static/plotly.min.js")])
def test_the_script_address_follows_the_base_url_path(monkeypatch, base, expected):
    monkeypatch.setattr(live_chart.st, "get_option", lambda name: base)
    assert live_chart._static_url() == expected


# -- browser-side sliders ----------------------------------------------------------------------------------------
def test_client_slider_snaps_like_the_browser_slider():
    s = live_chart.ClientSlider("x_pred", "prediction marker", -5.0, 5.0, 0.05, 2.0, "marker")
    assert s.snap(2.03) == 2.05 and s.snap(2.02) == 2.0
    assert s.snap(99) == 5.0 and s.snap(-99) == -5.0
    rate = live_chart.ClientSlider("x_rate", "prediction marker", 0.05, 10.0, 0.05, 1.0, "marker")
    assert rate.snap(1.0) == 1.0 and rate.snap(0.01) == 0.05
    assert s.to_json() == {"id": "x_pred", "label": "prediction marker", "min": -5.0, "max": 5.0, "step": 0.05,
                           "value": 2.0, "role": "marker", "help": "", "factor": 1.0}


@pytest.mark.parametrize("args, message", [
    (dict(role="slide"), "role must be one of 'scale', 'shift', 'mix', 'pscale', 'marker', 'frame', 'xlo', 'xhi'"),
    (dict(low=1.0, high=1.0), "need low < high and step > 0"),
    (dict(step=0.0), "need low < high and step > 0"),
])
def test_client_slider_rejects_a_bad_definition(args, message):
    base = dict(id="w", label="weight", low=0.0, high=5.0, step=0.1, value=1.0, role="scale")
    with pytest.raises(ValueError, match=message):
        live_chart.ClientSlider(**{**base, **args})


def test_sync_messages_are_checked_against_each_slider():
    sliders = (live_chart.ClientSlider("a_pred", "marker", -5.0, 5.0, 0.05, 2.0, "marker"),
               live_chart.ClientSlider("a_weight", "weight", 0.0, 5.0, 0.1, 1.0, "scale"))
    assert live_chart.apply_sync({"a_pred": 1.25, "a_weight": "2.5"}, sliders) == {"a_pred": "1.25", "a_weight": "2.5"}
    # clamped and snapped; unknown keys, non-numbers, booleans, NaN and infinities ignored
    assert live_chart.apply_sync({"a_pred": 7.0, "a_weight": -1, "evil": 3}, sliders) == {"a_pred": "5",
                                                                                          "a_weight": "0"}
    assert live_chart.apply_sync({"a_pred": "x", "a_weight": True}, sliders) == {}
    assert live_chart.apply_sync({"a_pred": float("nan"), "a_weight": "inf"}, sliders) == {}
    assert live_chart.apply_sync(["a_pred", 1.0], sliders) == {}
    assert live_chart.apply_sync(None, sliders) == {}


def test_hostile_sync_messages_are_refused_by_shape_and_size_before_reading():
    """Sent from the browser console: a 400-digit integer (float() would raise OverflowError), a deeply nested
    array, a long number text, a message with thousands of entries; none changes the address, none raises."""
    sliders = (live_chart.ClientSlider("a_pred", "marker", -5.0, 5.0, 0.05, 2.0, "marker"),)
    nested: list = []
    for _ in range(50_000):
        nested = [nested]
    for message in ({"a_pred": 10**400}, {"a_pred": -(10**400)}, {"a_pred": nested}, {"a_pred": "1" * 5000},
                    {"a_pred": {"a_pred": 1.0}}, {f"k{i}": 1 for i in range(10_000)} | {"a_pred": 1.0}, nested):
        assert live_chart.apply_sync(message, sliders) == {}
        assert live_chart.sync_seq(message) is None
    assert live_chart.apply_sync({"a_pred": 2**62, "_seq": 3}, sliders) == {"a_pred": "5"}
    assert live_chart.apply_sync({"a_pred": " 1.5 "}, sliders) == {"a_pred": "1.5"}


def test_sync_message_numbers():
    assert live_chart.sync_seq({"_seq": 7, "a": 1}) == 7
    for bad in ({"_seq": 0}, {"_seq": -1}, {"_seq": True}, {"_seq": 1.5}, {"_seq": 2**60}, {"_seq": "3"}, {}, None):
        assert live_chart.sync_seq(bad) is None


def test_streamlit_reads_an_unreadable_component_message_as_none():
    """Streamlit's own parser of component messages raised RecursionError (100,000 nested arrays) or ValueError
    (a 5,000-digit integer) before any callback; guarded, such a message is no message."""
    from streamlit.components.v2.bidi_component import main as bidi_main

    live_chart.guard_trigger_parsing()
    live_chart.guard_trigger_parsing()  # once only
    parse = bidi_main.deserialize_trigger_list
    assert parse.lossapp_guarded
    assert parse('[{"event": "sync", "value": {"a": 1}}]') == [{"event": "sync", "value": {"a": 1}}]
    assert parse("[" * 100_000 + "]" * 100_000) is None
    assert parse('[{"event": "sync", "value": {"a": ' + "9" * 5000 + "}}]") is None
    assert parse('"' + "x" * 100_000 + '"') is None
    assert parse(None) is None


def test_charts_offer_no_upload():
    config = live_chart.private_config({"displaylogo": True, "showSendToCloud": True})
    assert config["displaylogo"] is False and config["showSendToCloud"] is False
    assert config["showEditInChartStudio"] is False and config["showLink"] is False
    assert set(live_chart.UPLOAD_BUTTONS) <= set(config["modeBarButtonsToRemove"])


def _client_script():
    import streamlit as st

    from lossapp import urlstate
    from lossapp.live_chart import client_slider

    urlstate.start_page()
    s = client_slider("demo_w", "weight", low=0.0, high=5.0, step=0.1, default=1.0, role="scale")
    st.text(f"value={s.value!r}")


@pytest.mark.parametrize("query, value, notice", [
    ({}, 1.0, None),
    ({"demo_w": "2.5"}, 2.5, None),
    ({"demo_w": "2.53"}, 2.5, None),  # snapped to the slider's steps
    ({"demo_w": "9"}, 5.0, "`demo_w` = 9 in the link is above the largest value 5; using 5."),
    ({"demo_w": "<script>"}, 1.0, "`demo_w` in the link is not a finite number; using the default 1."),
    ({"demo_w": ["1", "2"]}, 1.0, "`demo_w` appears 2 times in the link; using the default 1."),
])
def test_client_slider_values_come_from_the_link_checked(query, value, notice):
    at = AppTest.from_function(_client_script, default_timeout=30)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    assert at.text[0].value == f"value={value!r}"
    warnings = [w.value for w in at.warning]
    if notice is None:
        assert warnings == []
    else:
        assert any(notice in w for w in warnings), warnings
        at.run()  # the link was corrected: the notice is not repeated
        assert [w.value for w in at.warning] == [] and at.text[0].value == f"value={value!r}"


@pytest.mark.parametrize("live", [True, False])
def test_curve_sections_move_marker_and_weights_in_the_browser_only_with_live_charts(monkeypatch, live):
    """Live charts: marker, weight and sample_weight are browser-side sliders sent with the chart, and no
    Streamlit widget; plain charts: the same controls as Streamlit sliders and metrics."""
    if live:
        monkeypatch.delenv("LOSSAPP_PLAIN_CHARTS", raising=False)
        monkeypatch.setattr(live_chart, "_READY", True)
    else:
        monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    at = AppTest.from_file("../app_pages/2_Regression.py", default_timeout=30)
    at.query_params.update({"huber_pred": "1.5", "huber_weight": "2", "huber_sw": "0.5"})
    at.run()
    assert not at.exception
    keys = {s.key for s in at.slider}
    huber = next(c for c in charts(at) if c.key == "huber_chart")
    if live:
        assert not {"huber_pred", "huber_weight", "huber_sw", "huber_rho"} & keys
        assert [(s["id"], s["role"], s["value"]) for s in huber.controls] == [
            ("huber_pred", "marker", 1.5), ("huber_label", "shift", 0.0), ("huber_rho", "frame", 1.0),
            ("huber_weight", "scale", 2.0), ("huber_sw", "scale", 0.5)]
        assert huber.names == {"HuberLoss": "HuberLoss"}
        loss = next(t for t in huber.data if t["meta"]["role"] == "loss")
        x = np.frombuffer(base64.b64decode(loss["x"]["bdata"]), dtype=loss["x"]["dtype"])
        y = np.frombuffer(base64.b64decode(loss["y"]["bdata"]), dtype=loss["y"]["dtype"])
        # drawn at scale 1 and label 0 over every prediction - label the sliders reach (-5 - 5 to 5 + 5)
        assert (x[0], x[-1], x.size) == (-10.0, 10.0, 2001)
        assert y.max() == pytest.approx(9.5)  # the browser multiplies by 2 * 0.5 and slides by the label
        assert not {"huber_label"} & keys
        assert not [m for m in at.metric if m.label.startswith("HuberLoss")]
    else:
        assert {"huber_pred", "huber_weight", "huber_sw"} <= keys and not huber.controls
        values = {m.label: m.value for m in at.metric}
        assert values["HuberLoss: loss"] == "1.0000"  # weight 2 x sw 0.5 x (1.5 - 0.5)
    assert "At prediction 1.5: HuberLoss = 1 (gradient 1)" in huber.alt  # the description has the real numbers


@pytest.mark.parametrize("name", sorted(__import__("lossapp.sections.compare", fromlist=["SHORT_IDS"]).SHORT_IDS))
@pytest.mark.parametrize("weight, sample_weight", [(2.0, 0.5), (0.0, 3.0), (4.9, 0.1)])
def test_every_curve_loss_is_linear_in_its_weights(name, weight, sample_weight):
    """What the browser relies on when it scales a curve drawn at weight 1 and sample_weight 1."""
    from lossapp.curve_views import curve_range, sweep_arrays
    from losscore.catalog import CATALOG

    params = tuple(sorted((p.name, p.default) for p in CATALOG[name].params if p.name != "weight"))
    rng = curve_range(name, dict(params))
    label = CATALOG[name].default_label
    x1, base, gbase = sweep_arrays(name, params + (("weight", 1.0),), label, 1.0, rng.lo, rng.hi, rng.num)
    x2, scaled, gscaled = sweep_arrays(name, tuple(sorted(params + (("weight", weight),))), label, sample_weight,
                                       rng.lo, rng.hi, rng.num)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_allclose(scaled, weight * sample_weight * base, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gscaled, weight * sample_weight * gbase, rtol=1e-12, atol=1e-12)


def test_labels_a_loss_is_linear_in_are_mixed_in_the_browser(monkeypatch):
    """SigmoidBCE's label (and PoissonNLL's without compute_full) is a browser-side "mix" slider: the chart is
    drawn at label 0 and carries the curves at label 1; with compute_full the Poisson label is a Streamlit slider."""
    monkeypatch.delenv("LOSSAPP_PLAIN_CHARTS", raising=False)
    monkeypatch.setattr(live_chart, "_READY", True)
    at = AppTest.from_file("../app_pages/3_Binary_classification.py", default_timeout=30)
    at.query_params.update({"bce_label": "0.3"})
    at.run()
    bce = next(c for c in charts(at) if c.key == "bce_chart")
    assert ("bce_label", "mix", 0.3) in [(s["id"], s["role"], s["value"]) for s in bce.controls]
    assert ("bce_posw", "pscale", 1.0) in [(s["id"], s["role"], s["value"]) for s in bce.controls]
    assert not {"bce_label", "bce_posw"} & {s.key for s in at.slider}
    loss0 = next(i for i, t in enumerate(bce.data) if t["meta"]["role"] == "loss")
    x = np.frombuffer(base64.b64decode(bce.data[loss0]["x"]["bdata"]), dtype=bce.data[loss0]["x"]["dtype"])
    y0 = np.frombuffer(base64.b64decode(bce.data[loss0]["y"]["bdata"]), dtype=bce.data[loss0]["y"]["dtype"])
    y1 = np.frombuffer(base64.b64decode(bce.mix[str(loss0)]["bdata"]), dtype=bce.mix[str(loss0)]["dtype"])
    np.testing.assert_allclose(y0, np.logaddexp(0, x), rtol=1e-12)  # label 0: softplus(x)
    np.testing.assert_allclose(y1, np.logaddexp(0, -x), rtol=1e-12)  # label 1: softplus(-x)
    assert "label fixed at 0.3" in bce.alt

    for full, browser_side in (("false", True), ("true", False)):
        at = AppTest.from_file("../app_pages/5_Distributions.py", default_timeout=30)
        at.query_params.update({"poisson_full": full})
        at.run()
        poisson = next(c for c in charts(at) if c.key == "poisson_chart")
        assert any(s["role"] == "mix" for s in poisson.controls) is browser_side
        assert ("poisson_label" in {s.key for s in at.slider}) is not browser_side
