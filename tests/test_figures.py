"""lossapp.figures: what the charts plot is what losscore computes, on a shared axis, with a correct tangent."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from lossapp import figures
from lossapp.model import Curve, CurveView
from losscore import (
    HingeLoss,
    HuberLoss,
    L1Loss,
    L2Loss,
    LogisticLoss,
    SigmoidBinaryCrossEntropyLoss,
    SquaredHingeLoss,
)
from losscore.catalog import CATALOG, make_loss
from losscore.sweep import prediction_grid, sweep

GRID = prediction_grid(-5.0, 5.0, 1001)


def make_view(names_losses, label, marker=None):
    curves = []
    for name, loss in names_losses:
        s = sweep(loss, GRID, label)
        curves.append(Curve(name, s.x, s.values, s.grad))
    return CurveView(title="test", curves=tuple(curves), marker=marker, label=label,
                     loss_names=tuple(n for n, _ in names_losses))


def traces(fig, role):
    return [t for t in fig.data if t.meta and t.meta.get("role") == role]


@pytest.mark.parametrize(
    "name, loss, label",
    [
        ("L1Loss", L1Loss(), 0.0),
        ("L2Loss", L2Loss(), 0.0),
        ("HuberLoss", HuberLoss(rho=0.7), 0.0),
        ("HingeLoss", HingeLoss(margin=1.5), 1.0),
        ("SquaredHingeLoss", SquaredHingeLoss(), -1.0),
        ("LogisticLoss", LogisticLoss(), 1.0),
        ("SigmoidBinaryCrossEntropyLoss", SigmoidBinaryCrossEntropyLoss(), 0.3),
    ],
)
def test_plotted_values_are_losscores(name, loss, label):
    fig = figures.curve_figure(make_view([(name, loss)], label))
    (loss_trace,) = traces(fig, "loss")
    (grad_trace,) = traces(fig, "grad")
    x = np.asarray(loss_trace.x)
    assert x.size == 1001 and x[0] == -5.0 and x[-1] == 5.0
    np.testing.assert_array_equal(np.asarray(grad_trace.x), x)
    # independent evaluation: losscore's forward call on each point, and its own gradient
    values, grad = loss.value_and_grad(x, np.full_like(x, label))
    np.testing.assert_allclose(np.asarray(loss_trace.y), values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.asarray(grad_trace.y), grad, rtol=0, atol=1e-12)
    assert loss_trace.xaxis == "x" and loss_trace.yaxis == "y"
    assert grad_trace.xaxis == "x2" and grad_trace.yaxis == "y2"


def test_known_points_of_the_tutorial_curves():
    view = make_view([("L1Loss", L1Loss()), ("L2Loss", L2Loss()), ("HuberLoss", HuberLoss())], 0.0)
    fig = figures.curve_figure(view)
    by_name = {t.name: t for t in traces(fig, "loss")}
    x = np.asarray(by_name["L1Loss"].x)
    at3 = int(np.argmin(np.abs(x - 3.0)))
    assert by_name["L1Loss"].y[at3] == pytest.approx(3.0)
    assert by_name["L2Loss"].y[at3] == pytest.approx(4.5)
    assert by_name["HuberLoss"].y[at3] == pytest.approx(2.5)
    grads = {t.meta["curve"]: t for t in traces(fig, "grad")}
    assert grads["L2Loss"].y[at3] == pytest.approx(3.0)
    assert grads["HuberLoss"].y[at3] == pytest.approx(1.0)
    assert grads["L1Loss"].y[at3] == pytest.approx(1.0)


def test_two_panels_share_the_x_axis():
    fig = figures.curve_figure(make_view([("L2Loss", L2Loss())], 0.0, marker=1.0))
    layout = fig.layout
    assert layout.xaxis.matches == "x2"  # zooming one panel zooms the other
    assert layout.xaxis.showticklabels is False
    assert layout.yaxis.anchor == "x" and layout.yaxis2.anchor == "x2"
    top, bottom = layout.yaxis.domain, layout.yaxis2.domain
    assert bottom[1] < top[0]  # gradient panel directly below the loss panel
    assert layout.xaxis2.title.text == "prediction"
    assert layout.yaxis.title.text == "loss" and layout.yaxis2.title.text == "dL/dpred"
    assert tuple(layout.xaxis2.range) == (-5.0, 5.0)


@pytest.mark.parametrize("marker", [-2.5, 0.35, 4.0])
def test_marker_and_tangent(marker):
    rho = 1.3
    view = make_view([("HuberLoss", HuberLoss(rho=rho))], 0.0, marker=marker)
    fig = figures.curve_figure(view)
    value, slope = HuberLoss(rho=rho).value_and_grad(np.array([marker]), np.array([0.0]))
    (point,) = traces(fig, "marker")
    (gpoint,) = traces(fig, "marker-grad")
    (tangent,) = traces(fig, "tangent")
    assert point.x == (marker,) and point.y[0] == pytest.approx(value[0], abs=1e-9)
    assert gpoint.x == (marker,) and gpoint.y[0] == pytest.approx(slope[0], abs=1e-9)
    assert gpoint.yaxis == "y2" and point.yaxis == "y" and tangent.yaxis == "y"
    tx, ty = np.asarray(tangent.x), np.asarray(tangent.y)
    assert tx[0] < marker < tx[1] or marker in (tx[0], tx[1])
    measured = (ty[1] - ty[0]) / (tx[1] - tx[0])
    assert measured == pytest.approx(slope[0], abs=1e-9)
    # the line passes through the marker point
    assert ty[0] + slope[0] * (marker - tx[0]) == pytest.approx(value[0], abs=1e-9)
    # a dashed vertical line through both panels
    xrefs = sorted(s.xref for s in fig.layout.shapes)
    assert xrefs == ["x", "x2"] and all(s.x0 == marker == s.x1 for s in fig.layout.shapes)


def test_tangent_of_the_quadratic_l2_is_exact_on_the_grid():
    view = make_view([("L2Loss", L2Loss())], 0.0, marker=2.0)
    (tangent,) = traces(figures.curve_figure(view), "tangent")
    tx, ty = np.asarray(tangent.x), np.asarray(tangent.y)
    np.testing.assert_allclose(ty, 2.0 + 2.0 * (tx - 2.0))  # L = x^2/2: value 2, slope 2 at x = 2


def test_no_marker_no_tangent():
    fig = figures.curve_figure(make_view([("L1Loss", L1Loss())], 0.0))
    assert not traces(fig, "tangent") and not traces(fig, "marker") and not fig.layout.shapes


def test_alt_text_states_the_numbers():
    view = make_view([("L1Loss", L1Loss()), ("L2Loss", L2Loss())], 0.0, marker=2.0)
    text = view.alt_text()
    assert "L1Loss = 2 (gradient 1)" in text
    assert "L2Loss = 2 (gradient 2)" in text
    assert "from -5 to 5" in text and "label fixed at 0" in text


def test_svg_traces_palette_and_theme_neutral_layout():
    view = make_view([("L1Loss", L1Loss()), ("L2Loss", L2Loss()), ("HingeLoss", HingeLoss()),
                      ("SquaredHingeLoss", SquaredHingeLoss())], 1.0, marker=0.5)
    fig = figures.curve_figure(view)
    assert {t.type for t in fig.data} == {"scatter"}  # SVG, never scattergl
    colours = {t.name: t.line.color for t in traces(fig, "loss")}
    assert colours["L1Loss"] == figures.LOSS_COLOURS["L1Loss"] == "#E69F00"
    assert colours["L2Loss"] == "#0072B2"
    assert set(colours.values()) <= set(figures.PALETTE)
    dashes = {t.name: t.line.dash for t in traces(fig, "loss")}
    assert dashes["HingeLoss"] != dashes["SquaredHingeLoss"]  # same family colour, told apart by dash
    assert fig.layout.paper_bgcolor == fig.layout.plot_bgcolor == "rgba(0, 0, 0, 0)"
    assert "128, 128, 128" in fig.layout.xaxis.gridcolor
    assert figures.CONFIG["displaylogo"] is False


def test_curves_without_a_catalog_name_use_the_palette_in_order():
    x = np.linspace(0, 1, 11)
    view = CurveView("demo", tuple(Curve(f"c{i}", x, x * i, x * 0 + i) for i in range(3)))
    colours = [t.line.color for t in traces(figures.curve_figure(view), "loss")]
    assert colours == list(figures.PALETTE[:3])


def test_every_builder_produces_a_valid_plotly_figure():
    """The builders skip plotly's validation for speed; full validation must still accept their output."""
    view = make_view([("L2Loss", L2Loss()), ("HuberLoss", HuberLoss())], 0.0, marker=1.0)
    built = [
        figures.curve_figure(view),
        figures.curve_figure(view, present=True),
        figures.bar_figure(["a", "b"], {"q": [0.3, 0.7], "p": [0.5, 0.5]}, y_title="probability"),
        figures.heatmap_figure(np.array([[0.1, -0.2], [0.3, 0.4]]), x_labels=["a", "b"], y_labels=["c", "d"],
                               title="t", diverging=True),
        figures.heatmap_figure(np.eye(2), x_labels=["a", "b"], y_labels=["c", "d"], zmin=0, zmax=1),
        figures.vectors_figure({"anchor": (0, 0), "positive": (2, 0)}, {"step": ((0, 0), (1, 1))}),
    ]
    for fig in built:
        go.Figure(fig.to_dict())  # raises on any invalid property


def test_presentation_mode_enlarges_the_chart():
    view = make_view([("L2Loss", L2Loss())], 0.0, marker=1.0)
    normal, big = figures.curve_figure(view), figures.curve_figure(view, present=True)
    assert big.layout.font.size > normal.layout.font.size
    assert big.layout.height > normal.layout.height


def test_loss_axis_range_ignores_a_steep_tangent():
    grid = np.linspace(0.01, 0.99, 981)
    loss = make_loss("SigmoidBinaryCrossEntropyLoss", from_sigmoid=True)
    s = sweep(loss, grid, 1.0)
    view = CurveView("bce", (Curve("SigmoidBinaryCrossEntropyLoss", s.x, s.values, s.grad),), marker=0.02,
                     loss_names=("SigmoidBinaryCrossEntropyLoss",))
    fig = figures.curve_figure(view)
    lo, hi = fig.layout.yaxis.range
    assert lo <= s.values.min() and hi >= s.values.max()
    assert hi < s.values.max() * 1.2  # the tangent (slope -50 at 0.02) does not stretch the axis


def test_bar_heatmap_and_vectors_carry_their_numbers():
    bars = figures.bar_figure(["c0", "c1"], {"target": [0.3, 0.7], "pred": [0.5, 0.5]})
    assert [list(t.y) for t in bars.data] == [[0.3, 0.7], [0.5, 0.5]]
    heat = figures.heatmap_figure(np.array([[1.0, 2.0], [3.0, 4.0]]), x_labels=["a", "b"], y_labels=["c", "d"])
    assert np.asarray(heat.data[0].z).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert heat.data[0].texttemplate == "%{z:.2f}" and heat.data[0].text is None  # plotly writes the cells
    big = figures.heatmap_trace(np.zeros((21, 20)), x=[], y=[])
    assert "texttemplate" not in big  # more than 400 cells: no numbers in them
    vec = figures.vectors_figure({"a": (0, 0)}, {"-grad a": ((0, 0), (1.5, -2.0))})
    (arrow,) = traces(vec, "arrow")
    assert list(arrow.x) == [0.0, 1.5] and list(arrow.y) == [0.0, -2.0]
    assert arrow.line.color == traces(vec, "point")[0].marker.color
    assert vec.layout.yaxis.scaleanchor == "x"


def test_catalog_curve_losses_all_have_a_colour():
    assert {n for n, s in CATALOG.items() if s.curve} == set(figures.LOSS_COLOURS)


def test_curve_figure_draws_labelled_vertical_lines_after_the_marker_guides():
    """``vlines`` puts a dash-dotted line across both panels per (x, text), labelled at the top, after the marker's
    guides (whose indices the browser-side marker patches use); the figure validates."""
    x = np.linspace(-2.0, 2.0, 41)
    view = CurveView(title="", curves=(Curve("c", x, x**2, 2 * x),), marker=0.5)
    plain = figures.curve_figure(view)
    fig = figures.curve_figure(view, vlines=((1.25, "arccos(margin)"), (-1.0, "edge")))
    go.Figure(fig.to_dict())
    guides = len(plain.layout.shapes)
    assert [s.name for s in fig.layout.shapes[:guides]] == ["marker guide"] * guides
    lines = fig.layout.shapes[guides:]
    assert [(s.x0, s.x1, s.yref) for s in lines] == [(1.25, 1.25, "y domain"), (1.25, 1.25, "y2 domain"),
                                                     (-1.0, -1.0, "y domain"), (-1.0, -1.0, "y2 domain")]
    assert all(s.line.dash == "dashdot" for s in lines)
    assert [(a.x, a.text) for a in fig.layout.annotations] == [(1.25, "arccos(margin)"), (-1.0, "edge")]
    assert fig.data == plain.data


def test_a_spec_figure_sends_what_the_same_go_figure_sends():
    """SpecFigure skips building a go.Figure; the chart the browser gets must not change: same JSON (arrays as
    base64, plotly's default template), and the spec itself is left as it was."""
    import json

    from lossapp import deep_figures

    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    specs = [
        figures.bar_spec(["t0", "t1"], {"loss": np.array([0.5, 1.5])}, y_title="loss", height=240),
        figures.heatmap_spec(np.array([[0.1, -0.2], [np.nan, 0.3]]), x_labels=["a", "b"], y_labels=["c", "d"],
                             diverging=True, title="gradient"),
        deep_figures.ctc_probs_spec(probs, ["A", "B", "·"], [0, 2], title="probabilities", present=True),
    ]
    for data, layout in specs:
        spec = figures.SpecFigure(data, layout)
        assert json.loads(spec.to_json()) == json.loads(figures.figure_from_spec(data, layout).to_json())
        assert isinstance(spec["data"][0]["y" if data[0]["type"] == "bar" else "z"], np.ndarray)  # untouched
        assert "template" not in spec["layout"]
