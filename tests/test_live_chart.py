"""lossapp.live_chart: plotly.js is put where the static server finds it, figures go to the redraw-in-place
component with their alt text, and the app falls back to st.plotly_chart when live charts are off."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from apptest_charts import charts  # noqa: E402

from lossapp import live_chart  # noqa: E402


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
    data = json.loads(element.proto.json)
    assert data["src"] == "/app/static/plotly.min.js"
    assert data["config"]["displaylogo"] is False and data["config"]["responsive"] is True
    (chart,) = charts(at)
    assert (chart.key, chart.alt, chart.data[0]["name"]) == ("demo_chart", "A falling line.", "demo")


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
