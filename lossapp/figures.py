"""Plotly figure builders: plain functions from plain data (a CurveView or arrays) to a ``go.Figure``.

Nothing here imports Streamlit, so the builders are tested directly. Conventions shared by every chart:

* the Okabe-Ito palette, with one fixed colour per loss so a loss looks the same on every page, and a dash
  pattern per curve so lines stay distinguishable without colour;
* ``go.Scatter`` (SVG), never ``scattergl``;
* transparent backgrounds and grey, semi-transparent gridlines, so a chart reads in light and dark themes;
* every trace carries ``meta={"role": ...}`` ("loss", "grad", "tangent", "marker", ...) so tests and
  exporters can find what they need without relying on trace order.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import convert_to_base64
from plotly.io import json as pio_json

from lossapp.model import Curve, CurveView
from losscore.catalog import CATALOG

__all__ = [
    "CONFIG",
    "LOSS_COLOURS",
    "PALETTE",
    "SpecFigure",
    "bar_figure",
    "bar_spec",
    "colour_of",
    "curve_figure",
    "figure_from_spec",
    "for_projector",
    "heatmap_figure",
    "heatmap_spec",
    "heatmap_trace",
    "tangent_segment",
    "typed_array",
    "vectors_figure",
    "vline_parts",
]

#: Okabe & Ito's colour-blind-safe palette, without black (invisible on a dark theme); yellow comes last
#: because it is weak on a white background.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#999999",  # grey
    "#F0E442",  # yellow
)

#: The catalog's colour of each loss with a loss-vs-prediction curve (the hinge pair shares purple, told apart by dash).
LOSS_COLOURS: dict[str, str] = {name: spec.colour for name, spec in CATALOG.items() if spec.curve}

DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

#: The plotly config passed with every chart.
CONFIG: dict = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}

GRID = "rgba(128, 128, 128, 0.25)"
ZERO = "rgba(128, 128, 128, 0.6)"
CLEAR = "rgba(0, 0, 0, 0)"


def colour_of(view: CurveView, index: int) -> str:
    """The colour of curve ``index``: the loss's own colour when the view has one distinct loss per curve."""
    names = view.loss_names
    if len(names) == len(view.curves) and len(set(names)) == len(names) and names[index] in LOSS_COLOURS:
        return LOSS_COLOURS[names[index]]
    return PALETTE[index % len(PALETTE)]


def _dash_of(view: CurveView, index: int) -> str:
    names = view.loss_names
    if len(names) == len(view.curves) and len(set(names)) == len(names):
        return "dash" if names[index] == "SquaredHingeLoss" else "solid"
    return DASHES[index % len(DASHES)]


def figure_from_spec(data: list[dict], layout: dict) -> go.Figure:
    """A ``go.Figure`` from plain trace and layout dicts, skipping plotly's per-property validation.

    Validation takes longer than a whole script run should, and the specs built here are fixed by this module's
    code; tests/test_figures.py re-validates every builder's output with ``go.Figure(fig.to_dict())``.
    """
    return go.Figure({"data": data, "layout": layout}, _validate=False)


class SpecFigure(dict):
    """A chart kept as the plain ``{"data": traces, "layout": layout}`` dicts a ``*_spec`` builder returns, for
    charts shown as they are (:func:`lossapp.live_chart.plotly_chart` serialises it directly; ``st.plotly_chart``
    takes it as a dict), without building a ``go.Figure`` only to turn it back into a dict. Read-only once shown
    (its JSON is kept)."""

    def __init__(self, data: list[dict], layout: dict) -> None:
        super().__init__(data=list(data), layout=dict(layout))

    def to_dict(self) -> dict:
        return self

    def to_json(self, validate: bool = False) -> str:
        """Plotly's JSON of the figure (numeric arrays as base64 typed arrays), as ``go.Figure.to_json``."""
        def containers(obj: Any) -> Any:  # new dicts and lists, the same arrays (plotly rewrites containers)
            if isinstance(obj, dict):
                return {k: containers(v) for k, v in obj.items()}
            if isinstance(obj, (list, tuple)):
                return [containers(v) for v in obj]
            return obj

        spec = containers(dict(self))
        splice = "template" not in spec["layout"]  # go.Figure adds plotly's default template: its JSON goes in
        if splice:  # last, from a cache (it is the same for every chart)
            spec["layout"]["template"] = _TEMPLATE_MARK
        convert_to_base64(spec)
        text = pio_json.to_json_plotly(spec)
        return text.replace(f'"{_TEMPLATE_MARK}"', _default_template_json(), 1) if splice else text


#: Stands for the default template in :meth:`SpecFigure.to_json` until its cached JSON replaces it.
_TEMPLATE_MARK = "@@lossapp-default-template@@"


@functools.cache
def _default_template() -> dict:
    """Plotly's default template as the plain dict a new ``go.Figure`` puts in its layout."""
    return go.Figure().to_dict()["layout"]["template"]


@functools.cache
def _default_template_json() -> str:
    return pio_json.to_json_plotly(_default_template())


def typed_array(values: Any, dtype: str = "f4") -> dict[str, str]:
    """``values`` as plotly's base64 typed array ``{"dtype", "bdata", "shape"}`` (what the chart script decodes):
    float32 for what is only drawn, float64 for numbers that are printed."""
    arr = np.ascontiguousarray(np.asarray(values, dtype=np.dtype(dtype).newbyteorder("<")))
    return {"dtype": dtype, "bdata": base64.b64encode(arr.tobytes()).decode("ascii"),
            "shape": ",".join(str(n) for n in arr.shape)}


def _axis(title: str = "", **extra) -> dict:
    axis = dict(gridcolor=GRID, zerolinecolor=ZERO, linecolor=GRID, showline=True)
    if title:
        axis["title"] = {"text": title}
    axis.update(extra)
    return axis


#: Chart text in presentation mode (px): ticks, legends and axis titles read from the back of a lecture hall
#: (at 1920 px the page's body text is 22 px).
PRESENT_FONT = 22
#: The Okabe-Ito colours that wash out on a projector (under 3:1 against white), and the darker ones of the same
#: hue that presentation mode draws instead.
PROJECTOR_COLOURS: dict[str, str] = {
    "#E69F00": "#B36B00",  # orange (L1, CTC)
    "#56B4E9": "#2C8AC8",  # sky blue (Logistic)
    "#F0E442": "#8A7F00",  # yellow
    "#999999": "#707070",  # grey
}
#: In presentation mode lines are this much wider (a curve's 2.5 px becomes 4 px) and markers this much larger.
PRESENT_LINE = 1.6
#: In presentation mode a chart is at most this share of the window's height, and at least this many px, so a
#: step (formula, chart, sliders, readout) fits one screen from 1024x768 up.
PRESENT_FIT = (0.5, 220)
PRESENT_MARKER = 1.35


def _scaled(value: Any, factor: float) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(value * factor, 2)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        return [round(v * factor, 2) for v in value]
    return value


def _projected(obj: Any, parent: str = "") -> Any:
    """``obj`` (a trace, layout or part of one) with projector colours, lines and markers; arrays kept as they are."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "width" and parent == "line":
                out[k] = _scaled(v, PRESENT_LINE)
            elif k == "size" and parent == "marker":
                out[k] = _scaled(v, PRESENT_MARKER)
            else:
                out[k] = _projected(v, k)
        return out
    if isinstance(obj, list):
        return [_projected(v, parent) for v in obj]
    if isinstance(obj, str):
        return PROJECTOR_COLOURS.get(obj.upper(), obj)
    return obj


def for_projector(data: list[dict], layout: dict) -> tuple[list[dict], dict]:
    """A figure's traces and layout as presentation mode draws them: washed-out colours darkened
    (:data:`PROJECTOR_COLOURS`, colour scales included), lines :data:`PRESENT_LINE` times wider, markers
    :data:`PRESENT_MARKER` times larger. Text sizes are set by the builders (:data:`PRESENT_FONT`).

    >>> data, _ = for_projector([dict(line=dict(color="#E69F00", width=2.5), marker=dict(size=[4, 10]))], {})
    >>> data[0]["line"], data[0]["marker"]["size"]
    ({'color': '#B36B00', 'width': 4.0}, [5.4, 13.5])
    """
    return [_projected(t) for t in data], _projected(layout)


def _layout(height: int, present: bool, **extra) -> dict:
    layout: dict[str, Any] = dict(
        height=height,
        margin=dict(l=60, r=12, t=36, b=48),
        paper_bgcolor=CLEAR,
        plot_bgcolor=CLEAR,
        font=dict(size=PRESENT_FONT if present else 13),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, bgcolor=CLEAR),
        hovermode="x unified",
    )
    if present:  # the chart component fits it to the screen (frontend/draw.js, fittedHeight)
        layout["meta"] = {"fit": list(PRESENT_FIT)}
    layout.update(extra)
    if present:  # room for 22 px tick labels beside the axis titles
        margin = layout["margin"]
        layout["margin"] = {**margin, "l": max(margin.get("l", 0), 96), "b": max(margin.get("b", 0), 72)}
    return layout


def tangent_segment(x0, y0, slope, lo: float, hi: float,
                    half_width: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two points of the tangent ``y = y0 + slope (x - x0)`` on a window around ``x0`` clipped to [lo, hi]; with
    arrays of ``x0``, ``y0`` and ``slope`` (one tangent each), arrays of shape (n, 2).

    >>> xs, ys = tangent_segment(1.0, 2.0, 3.0, -5.0, 5.0, half_width=1.0)
    >>> xs.tolist(), ys.tolist()
    ([0.0, 2.0], [-1.0, 5.0])
    >>> tangent_segment(np.array([1.0, 4.5]), np.array([2.0, 0.0]), np.array([3.0, 1.0]), -5.0, 5.0, 1.0)[0].tolist()
    [[0.0, 2.0], [3.5, 5.0]]
    """
    w = (hi - lo) * 0.12 if half_width is None else half_width
    x0 = np.asarray(x0, dtype=float)[..., None]
    xs = np.concatenate([np.maximum(lo, x0 - w), np.minimum(hi, x0 + w)], axis=-1)
    return xs, np.asarray(y0, dtype=float)[..., None] + np.asarray(slope, dtype=float)[..., None] * (xs - x0)


def _finite_range(arrays: Sequence[np.ndarray], pad: float = 0.06) -> list[float] | None:
    finite = [a[np.isfinite(a)] for a in arrays]
    vals = np.concatenate(finite) if finite else np.empty(0)
    if vals.size == 0:
        return None
    lo, hi = float(vals.min()), float(vals.max())
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    return [lo - pad * span, hi + pad * span]


def coinciding_curves(curves: Sequence[Curve]) -> dict[int, int]:
    """Curves equal to an earlier one on the same grid (LogisticLoss and SigmoidBCE at label 1): index -> the
    earlier one's index."""
    twins: dict[int, int] = {}
    for i, c in enumerate(curves):
        for j in range(i):
            d = curves[j]
            if (j not in twins and c.x.shape == d.x.shape and np.array_equal(c.x, d.x)
                    and np.allclose(c.loss, d.loss, rtol=1e-6, atol=1e-9, equal_nan=True)):
                twins[i] = j
                break
    return twins


def _clipped(limits: tuple[float, float]) -> dict:
    """An autoranged axis that never passes ``limits``: it still fits curves scaled in the browser (a weight
    slider) below the bounds, where a fixed range would be refitted to every curve by the chart component."""
    return {"autorange": True, "autorangeoptions": {"minallowed": float(limits[0]), "maxallowed": float(limits[1])}}


#: Vertical layout of the two panels (what ``make_subplots(rows=2, shared_xaxes=True, row_heights=[0.6, 0.4],
#: vertical_spacing=0.07)`` produces).
LOSS_DOMAIN = (0.442, 1.0)
GRAD_DOMAIN = (0.0, 0.372)


def vline_parts(lines: Sequence[tuple[float, str]],
                xrange: tuple[float, float] | None = None) -> tuple[list[dict], list[dict]]:
    """Layout shapes and annotations for labelled dash-dotted vertical lines ``(x, text)`` across both panels of
    a two-row chart (a :func:`curve_figure`, or any chart with axes y and y2). Given the x-axis ``xrange``, a
    label in the right 40% of it reads leftwards from its line, so the chart's edge does not cut it."""
    shapes, notes = [], []
    for x, text in lines:
        right = xrange is not None and x > xrange[0] + 0.6 * (xrange[1] - xrange[0])
        for xref, yref in (("x", "y domain"), ("x2", "y2 domain")):
            shapes.append(dict(type="line", xref=xref, yref=yref, x0=x, x1=x, y0=0, y1=1,
                               line=dict(color=PALETTE[4], width=2, dash="dashdot")))
        notes.append(dict(x=x, xref="x", y=1, yref="y domain", text=text, showarrow=False,
                          xanchor="right" if right else "left",
                          yanchor="top", font=dict(color=PALETTE[4])))
    return shapes, notes


def curve_figure(view: CurveView, *, present: bool = False, height: int | None = None,
                 vlines: Sequence[tuple[float, str]] = ()) -> go.Figure:
    """See :func:`curve_spec`: the same chart as a figure."""
    return figure_from_spec(*curve_spec(view, present=present, height=height, vlines=vlines))


def curve_spec(view: CurveView, *, present: bool = False, height: int | None = None,
               vlines: Sequence[tuple[float, str]] = ()) -> tuple[list[dict], dict]:
    """Loss curves on top and their gradients below, on one shared x-axis; marker and tangent if set.

    Row 1 (axes x/y) holds one scatter line per curve (``meta.role == "loss"``), row 2 (axes x2/y2) its
    gradient ("grad"); the top x-axis ``matches`` the bottom one, so zooming or panning moves both. With a
    marker, each curve gets a point on both rows ("marker", "marker-grad") and its tangent on the loss row
    ("tangent"): the line through (marker, loss) whose slope is the gradient there, and a dashed vertical
    line crosses both panels. The loss row's y-range is fitted to the curves, so a steep tangent does not
    squash them. ``vlines`` adds labelled vertical lines (:func:`vline_parts`) after the marker's. Returns the
    plain trace and layout dicts (cheap to compare, as :func:`lossapp.frames.figure_columns` does).
    """
    lo = min(float(c.x[0]) for c in view.curves)
    hi = max(float(c.x[-1]) for c in view.curves)
    data: list[dict] = []
    twins = coinciding_curves(view.curves)
    for i, c in enumerate(view.curves):
        # a curve drawn over an equal one is dotted and the one under it wide, so both stay visible
        line = dict(color=colour_of(view, i), width=6.0 if i in twins.values() else 2.5,
                    dash="dot" if i in twins else _dash_of(view, i))
        data.append(dict(type="scatter", x=c.x, y=c.loss, name=c.name, legendgroup=c.name, mode="lines",
                         line=line, xaxis="x", yaxis="y", meta={"role": "loss", "curve": c.name},
                         hovertemplate="%{y:.4g}"))
        data.append(dict(type="scatter", x=c.x, y=c.grad, name=f"{c.name}: gradient", legendgroup=c.name,
                         showlegend=False, mode="lines", line=line, xaxis="x2", yaxis="y2",
                         meta={"role": "grad", "curve": c.name}, hovertemplate="%{y:.4g}"))
    shapes = []
    if view.marker is not None:
        m = float(view.marker)
        for i, c in enumerate(view.curves):
            value, slope = c.at(m)
            colour = colour_of(view, i)
            point = dict(color=colour, size=11 if present else 9, line=dict(color="white", width=1.5))
            if np.isfinite(value) and np.isfinite(slope):
                tx, ty = tangent_segment(m, value, slope, lo, hi)
                data.append(dict(type="scatter", x=tx, y=ty, mode="lines", showlegend=False, legendgroup=c.name,
                                 line=dict(color=colour, width=1.5, dash="dot"), hoverinfo="skip",
                                 xaxis="x", yaxis="y", meta={"role": "tangent", "curve": c.name, "slope": slope}))
            data.append(dict(type="scatter", x=[m], y=[value], mode="markers", marker=point, showlegend=False,
                             legendgroup=c.name, xaxis="x", yaxis="y", meta={"role": "marker", "curve": c.name},
                             hovertemplate=f"{c.name} loss: %{{y:.4g}}<extra></extra>"))
            data.append(dict(type="scatter", x=[m], y=[slope], mode="markers", marker=point, showlegend=False,
                             legendgroup=c.name, xaxis="x2", yaxis="y2",
                             meta={"role": "marker-grad", "curve": c.name},
                             hovertemplate=f"{c.name} gradient: %{{y:.4g}}<extra></extra>"))
        for xref, yref in (("x", "y domain"), ("x2", "y2 domain")):
            shapes.append(dict(type="line", xref=xref, yref=yref, x0=m, x1=m, y0=0, y1=1, name="marker guide",
                               line=dict(color=ZERO, width=1, dash="dash")))
    layout = _layout(
        height or (600 if present else 470), present,
        xaxis=_axis(anchor="y", domain=[0.0, 1.0], matches="x2", showticklabels=False),
        yaxis=_axis(view.y_title, anchor="x", domain=list(LOSS_DOMAIN), **(
            _clipped(view.y_limits) if view.y_limits else {"range": _finite_range([c.loss for c in view.curves])})),
        xaxis2=_axis(view.x_title, anchor="y2", domain=[0.0, 1.0], range=[lo, hi]),
        yaxis2=_axis(view.grad_title, anchor="x2", domain=list(GRAD_DOMAIN),
                     **(_clipped(view.grad_limits) if view.grad_limits else {}), **({"nticks": 4} if present else {})),
        shapes=shapes,
    )
    if vlines:
        more, layout["annotations"] = vline_parts(vlines, (lo, hi))
        shapes.extend(more)
    return for_projector(data, layout) if present else (data, layout)


def bar_figure(categories: Sequence[str], series: Mapping[str, Sequence[float] | np.ndarray], *, y_title: str = "",
               x_title: str = "", present: bool = False, height: int = 320) -> go.Figure:
    """Grouped bars, one colour per series (for distributions: target vs prediction)."""
    return figure_from_spec(*bar_spec(categories, series, y_title=y_title, x_title=x_title, present=present,
                                      height=height))


def bar_spec(categories: Sequence[str], series: Mapping[str, Sequence[float] | np.ndarray], *, y_title: str = "",
             x_title: str = "", present: bool = False, height: int = 320) -> tuple[list[dict], dict]:
    """:func:`bar_figure` as plain trace and layout dicts."""
    data = [
        dict(type="bar", x=list(categories), y=np.asarray(values, dtype=float), name=name,
             marker=dict(color=PALETTE[i % len(PALETTE)]), meta={"role": "bar", "series": name},
             hovertemplate="%{y:.4g}")
        for i, (name, values) in enumerate(series.items())
    ]
    layout = _layout(height, present, barmode="group", hovermode="x",
                     # categories, even when they read as numbers ("0", "1", ..., "7+"): every bar labelled
                     xaxis=_axis(x_title, showgrid=False, type="category"), yaxis=_axis(y_title))
    return for_projector(data, layout) if present else (data, layout)


DIVERGING_SCALE = [[0, "#0072B2"], [0.5, "#F7F7F7"], [1, "#E69F00"]]


def heatmap_trace(z: np.ndarray, *, x: Sequence, y: Sequence, zmin: float | None = None,
                  zmax: float | None = None, diverging: bool = False, text_format: str = ".2f",
                  hover_x: str = "%{x}", hover_y: str = "%{y}") -> dict:
    """The heatmap trace of :func:`heatmap_figure` (``meta.role == "heatmap"``), for builders that add more.

    NaN cells are left empty and get no text. Cells show their value in ``text_format`` (a d3 format, written
    by plotly in the browser: nothing to compute or send per cell) when there are at most 400 of them.
    """
    z = np.asarray(z, dtype=float)
    scale = DIVERGING_SCALE if diverging else "Cividis"
    if diverging and zmin is None and zmax is None:
        finite = z[np.isfinite(z)]
        bound = float(np.max(np.abs(finite))) if finite.size else 1.0
        zmin, zmax = -(bound or 1.0), bound or 1.0
    trace: dict[str, Any] = dict(type="heatmap", z=z, x=list(x), y=list(y), colorscale=scale,
                 meta={"role": "heatmap"}, hovertemplate=f"{hover_y}, {hover_x}: %{{z:.4g}}<extra></extra>")
    if zmin is not None:
        trace["zmin"] = zmin
    if zmax is not None:
        trace["zmax"] = zmax
    if z.size <= 400:  # plotly writes the numbers (d3 format; no text on NaN cells, no "-0.00")
        trace["texttemplate"] = f"%{{z:{text_format}}}"
    return trace


def heatmap_figure(z: np.ndarray, *, x_labels: Sequence[str], y_labels: Sequence[str], title: str = "",
                   x_title: str = "", y_title: str = "", zmin: float | None = None, zmax: float | None = None,
                   diverging: bool = False, present: bool = False, height: int = 300,
                   text_format: str = ".2f") -> go.Figure:
    """A labelled matrix (distances, probabilities, gradients) with the values written in the cells.

    Sequential data use cividis (designed for colour-vision deficiencies); signed data (``diverging``) a
    blue-white-orange scale centred on zero.
    """
    return figure_from_spec(*heatmap_spec(z, x_labels=x_labels, y_labels=y_labels, title=title, x_title=x_title,
                                          y_title=y_title, zmin=zmin, zmax=zmax, diverging=diverging,
                                          present=present, height=height, text_format=text_format))


def heatmap_spec(z: np.ndarray, *, x_labels: Sequence[str], y_labels: Sequence[str], title: str = "",
                 x_title: str = "", y_title: str = "", zmin: float | None = None, zmax: float | None = None,
                 diverging: bool = False, present: bool = False, height: int = 300,
                 text_format: str = ".2f") -> tuple[list[dict], dict]:
    """:func:`heatmap_figure` as plain trace and layout dicts."""
    trace = heatmap_trace(z, x=x_labels, y=y_labels, zmin=zmin, zmax=zmax, diverging=diverging,
                          text_format=text_format)
    layout = _layout(height, present, hovermode="closest", margin=dict(l=60, r=12, t=40 if title else 16, b=48),
                     xaxis=_axis(x_title, showgrid=False, side="bottom"),
                     yaxis=_axis(y_title, showgrid=False, autorange="reversed"))
    if title:
        layout["title"] = dict(text=title, x=0, font=dict(size=PRESENT_FONT + 2 if present else 15))
    return for_projector([trace], layout) if present else ([trace], layout)


def vectors_figure(points: Mapping[str, Sequence[float]],
                   arrows: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None, *,
                   present: bool = False, height: int = 420, x_title: str = "dimension 1",
                   y_title: str = "dimension 2") -> go.Figure:
    """2-D points (name → (x, y)) and arrows (name → (start, vector)) on equal axes.

    Points are ``meta.role == "point"``; each arrow is a dotted line ending in an arrow-head marker
    oriented along it (``meta.role == "arrow"``), in the colour of the point with the same position.
    """
    data = []
    colours = {}
    for i, (name, xy) in enumerate(points.items()):
        colour = PALETTE[i % len(PALETTE)]
        colours[(float(xy[0]), float(xy[1]))] = colour
        data.append(dict(type="scatter", x=[float(xy[0])], y=[float(xy[1])], mode="markers+text", text=[name],
                         textposition="top center", name=name, marker=dict(size=14 if present else 11, color=colour),
                         meta={"role": "point", "name": name}, hovertemplate="(%{x:.3g}, %{y:.3g})"))
    for j, (name, (start, vec)) in enumerate((arrows or {}).items()):
        x0, y0 = float(start[0]), float(start[1])
        colour = colours.get((x0, y0), PALETTE[j % len(PALETTE)])
        x1, y1 = x0 + float(vec[0]), y0 + float(vec[1])
        data.append(dict(type="scatter", x=[x0, x1], y=[y0, y1], mode="lines+markers", name=name,
                         line=dict(color=colour, width=2, dash="dot"),
                         marker=dict(symbol=["circle", "arrow"], size=[4, 15], angleref="previous", color=colour),
                         meta={"role": "arrow", "name": name}, hovertemplate="(%{x:.3g}, %{y:.3g})"))
    layout = _layout(height, present, hovermode="closest", xaxis=_axis(x_title),
                     yaxis=_axis(y_title, scaleanchor="x", scaleratio=1))
    return figure_from_spec(*(for_projector(data, layout) if present else (data, layout)))
