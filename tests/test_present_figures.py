"""Charts on a projector (``present=True``): every builder's text at least 20 px, lines about 4 px, larger
markers, no colour that washes out on white, and a height the chart component fits to the screen."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from lossapp import ctc_lattice, deep_figures, figures
from lossapp import deep_dives as dd
from lossapp import training_figures as tfig
from lossapp.model import Curve, CurveView
from lossapp.training import run_classifier, run_regression
from losscore import L1Loss, L2Loss, LogisticLoss
from losscore.sweep import prediction_grid, sweep

GRID = prediction_grid(-5.0, 5.0, 401)


def _view() -> CurveView:
    pairs = [("L1Loss", L1Loss()), ("L2Loss", L2Loss()), ("LogisticLoss", LogisticLoss())]
    curves = tuple(Curve(n, *(lambda s: (s.x, s.values, s.grad))(sweep(loss, GRID, 1.0))) for n, loss in pairs)
    return CurveView(title="t", curves=curves, marker=1.0, label=1.0, loss_names=tuple(n for n, _ in pairs))


def _figures(present: bool) -> dict[str, go.Figure]:
    vocab = ctc_lattice.ctc_vocabulary("CAT", "")
    r = ctc_lattice.ctc_analysis(ctc_lattice.ctc_preset_scores("CAT", vocab, 8, "aligned", 3.0, 0), "CAT", vocab)
    tab = dd.stirling_table(10)
    reg = run_regression(8, 15.0, 0.5, 0, 0.1, 50, 1.0)
    cls = run_classifier(8.0, 0, 0, 0.1, 50, 1.0)
    return {
        "curve": figures.curve_figure(_view(), present=present, vlines=[(0.0, "zero")]),
        "bar": figures.bar_figure(["a", "b"], {"q": [0.3, 0.7], "p": [0.5, 0.5]}, present=present),
        "heatmap": figures.heatmap_figure(np.array([[0.1, -0.2], [0.3, 0.4]]), x_labels=["a", "b"],
                                          y_labels=["c", "d"], title="t", diverging=True, present=present),
        "vectors": figures.vectors_figure({"a": (0, 0), "b": (2, 0)}, {"s": ((0, 0), (1, 1))}, present=present),
        "embedding": deep_figures.embedding_figure(
            {"anchor A": (0, 0), "positive A": (1, 1)}, arrows={"s": ((0, 0), (0.5, 0.5))},
            segments=[("‖a − p‖²", (0, 0), (1, 1))], circles=[("c", (0, 0), 1.0, "dot")], present=present),
        "stirling": deep_figures.stirling_figure(tab["t"], tab["exact"], tab["stirling"], present=present),
        "regression": tfig.regression_figure(reg, 50, present=present),
        "loss_curves": tfig.loss_curves_figure(reg.fits, 50, present=present),
        "classifier": tfig.classifier_figure(cls, 50, present=present),
        "ctc_probs": deep_figures.ctc_probs_figure(r["probs"], vocab, r["best"], title="p", present=present),
        "ctc_lattice": deep_figures.ctc_lattice_figure(r["states"], r["valid"], r["edges"], r["state_names"],
                                                       title="lattice", present=present),
    }


@pytest.fixture(scope="module")
def shown() -> dict[str, go.Figure]:
    return _figures(True)


@pytest.fixture(scope="module")
def plain() -> dict[str, go.Figure]:
    return _figures(False)


def _texts_sizes(spec: dict) -> list[float]:
    """Every font size the figure sets (its base font, titles, traces' text)."""
    sizes = []

    def walk(obj, key=""):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k == "size" and key in ("font", "textfont", "tickfont", "title"):
                    sizes.append(v)
                walk(v, k)
        elif isinstance(obj, list):
            for v in obj:
                walk(v, key)

    walk({k: v for k, v in spec["layout"].items() if k != "template"}, "")
    walk(spec["data"])
    return sizes


def test_every_chart_text_is_projector_sized(shown, plain):
    for name, fig in shown.items():
        spec = fig.to_dict()
        go.Figure(spec)  # still a valid figure
        assert spec["layout"]["font"]["size"] >= 20, name  # ticks, legends, axis titles inherit it
        assert min(_texts_sizes(spec)) >= 18, (name, _texts_sizes(spec))
        assert plain[name].to_dict()["layout"]["font"]["size"] < 20


def test_lines_are_about_4_px_and_markers_larger(shown, plain):
    big = [t for t in shown["curve"].data if t.meta["role"] in ("loss", "grad")]
    assert big and all(t.line.width >= 4 for t in big)
    small = {(t.meta["role"], t.meta["curve"]): t for t in plain["curve"].data if t.meta["role"] == "marker"}
    for t in shown["curve"].data:
        if t.meta["role"] == "marker":
            assert t.marker.size > small[(t.meta["role"], t.meta["curve"])].marker.size
    for name in ("regression", "loss_curves", "stirling"):
        widths = [t.line.width for t in shown[name].data if t.type == "scatter" and t.line.width]
        plain_widths = [t.line.width for t in plain[name].data if t.type == "scatter" and t.line.width]
        assert widths and all(w > p for w, p in zip(widths, plain_widths, strict=True)), name


def _json(obj) -> str:
    return json.dumps(obj, default=lambda a: np.asarray(a).tolist())


def test_no_washed_out_colour_on_a_projector(shown, plain):
    washed = set(figures.PROJECTOR_COLOURS)
    for name, fig in shown.items():
        spec = fig.to_dict()
        text = _json(spec["data"]) + _json({k: v for k, v in spec["layout"].items() if k != "template"})
        assert not any(c in text.upper() for c in washed), name
    # each loss keeps its hue: L1 stays orange, Logistic sky blue, darker
    colours = {t.meta["curve"]: t.line.color for t in shown["curve"].data if t.meta["role"] == "loss"}
    assert colours == {"L1Loss": "#B36B00", "L2Loss": "#0072B2", "LogisticLoss": "#2C8AC8"}
    assert any("#E69F00" in _json(f.to_dict()["data"]) for f in plain.values())  # the normal page keeps them


def _contrast(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (lum + 0.05)


def test_projector_colours_reach_3_to_1_on_white():
    for washed, dark in figures.PROJECTOR_COLOURS.items():
        assert _contrast(washed) < 3 <= _contrast(dark), (washed, dark)


def test_present_charts_fit_the_screen(shown, plain):
    for name, fig in shown.items():
        assert fig.to_dict()["layout"]["meta"]["fit"] == list(figures.PRESENT_FIT), name
        assert "meta" not in plain[name].to_dict()["layout"], name
