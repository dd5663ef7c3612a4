"""Plotly figures and text descriptions for the training lab (plain functions of lossapp.training's results).

The conventions are those of :mod:`lossapp.figures`: one fixed colour per loss (``LOSS_COLOURS``) plus a dash
pattern per loss so the lines are told apart without colour, SVG scatter traces, theme-neutral layout, and a
``meta`` dict on every trace (``role`` and, for per-loss traces, ``loss``) so tests can find what is plotted.
No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lossapp.figures import (
    CLEAR,
    LOSS_COLOURS,
    PALETTE,
    PRESENT_FONT,
    ZERO,
    _axis,
    _layout,
    figure_from_spec,
    for_projector,
    typed_array,
)
from lossapp.training import (
    BLOB_CENTRE,
    BLOB_DIRECTION,
    OUTLIER_X,
    BlobData,
    ClassifierRun,
    Fit,
    RegressionRun,
    step_at,
)
from losscore.catalog import CATALOG

__all__ = [
    "LOSS_DASHES",
    "classifier_alt",
    "classifier_figure",
    "curves_alt",
    "line_in_box",
    "lines_in_box",
    "loss_curves_figure",
    "relative_loss",
    "regression_alt",
    "regression_figure",
]

#: The catalog's dash pattern of each loss, so the lines stay distinguishable in grey scale.
LOSS_DASHES: dict[str, str] = {name: spec.dash for name, spec in CATALOG.items()}
POINT_GREY = PALETTE[6]
CLASS_STYLE = {1.0: ("#D55E00", "circle", "class +1"), -1.0: ("#009E73", "square", "class −1")}


def _g(value: float) -> str:
    """A number for alt text and hover labels: three significant digits, a real minus sign, no "-0".

    >>> _g(-0.37512), _g(-0.0), _g(12345.0)
    ('−0.375', '0', '1.23e+04')
    """
    text = f"{float(value) + 0.0:.3g}"
    return "−" + text[1:] if text.startswith("-") else text


def _plus(value: float) -> str:
    """``value`` as the next term of a sum: "+ 1.5" or "− 1.5"."""
    return f"{'−' if value < 0 else '+'} {_g(abs(value))}"


def snapped_range(arrays: Sequence[np.ndarray], *, log: bool = False, pad: float = 0.04) -> list[float]:
    """An axis range over the finite values of ``arrays`` (the positive ones, in decades, for a log axis), padded
    by ``pad`` of their span and widened out to multiples of a round step (half a power of ten near a fifth of
    the span). Nearby settings then share one range, so a slider step moves the traces and leaves the axes be
    (the browser can then redraw only the traces).

    >>> snapped_range([np.array([-13.2, 9.1])])
    [-15.0, 10.0]
    >>> snapped_range([np.array([0.02, 3.0, np.inf])], log=True)
    [-2.0, 1.0]
    """
    vals = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays]) if len(arrays) else np.empty(0)
    vals = vals[np.isfinite(vals)]
    if log:
        vals = np.log10(vals[vals > 0])
    if vals.size == 0:
        return [-1.0, 1.0]
    lo, hi = float(vals.min()), float(vals.max())
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    step = 10.0 ** np.floor(np.log10(span)) / 2
    return [float(np.floor((lo - pad * span) / step) * step), float(np.ceil((hi + pad * span) / step) * step)]


def _line_text(slope: float, intercept: float) -> str:
    return f"y = {_g(slope)}x {_plus(intercept)}"


# -- regression ---------------------------------------------------------------------------------------------------
def regression_figure(run: RegressionRun, step: int, *, present: bool = False, height: int | None = None) -> go.Figure:
    """The points (ordinary ones grey dots, outliers crosses), the true line, and each loss's line after
    ``step`` updates, on one chart. Fitted lines have ``meta = {"role": "fit", "loss", "slope", "intercept",
    "step"}`` and are drawn over the x-range of the data."""
    data_ = run.data
    x, y, out = data_.x, data_.y, data_.outlier
    x_range = _scatter_x_range(run)
    xs = np.array([x_range[0] + 0.2, x_range[1] - 0.2])
    size = 10 if present else 7
    traces: list[dict] = [
        dict(type="scatter", x=x[~out], y=y[~out], mode="markers", name="points",
             marker=dict(color=POINT_GREY, size=size, opacity=0.8), meta={"role": "points"},
             hovertemplate="(%{x:.3g}, %{y:.3g})<extra>point</extra>"),
        dict(type="scatter", x=x[out], y=y[out], mode="markers", name="outliers",
             marker=dict(color=POINT_GREY, size=size + 3, symbol="x-thin-open", line=dict(width=2.5, color=POINT_GREY)),
             meta={"role": "outliers"}, hovertemplate="(%{x:.3g}, %{y:.3g})<extra>outlier</extra>"),
        dict(type="scatter", x=xs, y=data_.slope * xs + data_.intercept, mode="lines",
             name=f"true line ({_line_text(data_.slope, data_.intercept)})",
             line=dict(color=ZERO, width=3, dash="dot"), meta={"role": "true"}, hoverinfo="skip"),
    ]
    for name, fit in run.fits.items():
        traces.append(dict(
            type="scatter", x=xs, mode="lines", name=name,
            line=dict(color=LOSS_COLOURS[name], width=3, dash=LOSS_DASHES[name]), **_fit_line(name, fit, step, xs),
        ))
    layout = _layout(height or (560 if present else 440), present, hovermode="closest",
                     xaxis=_axis("x", range=x_range, autorange=False),
                     yaxis=_axis("y", range=_scatter_y_range(run), autorange=False))
    return figure_from_spec(*(for_projector(traces, layout) if present else (traces, layout)))


def _scatter_x_range(run: RegressionRun) -> list[float]:
    """The regression chart's x range: the data and at least [-3, 3], with 0.2 to spare either side (the
    fitted lines span it without the spare)."""
    return [float(min(run.data.x.min(), -3.0)) - 0.2, float(max(run.data.x.max(), 3.0)) + 0.2]


def _scatter_y_range(run: RegressionRun) -> list[float]:
    """The regression chart's y range: the points and the true line (a fitted line that strays beyond is cut)."""
    d = run.data
    return snapped_range([d.y, d.slope * np.array([-3.0, 3.0]) + d.intercept])


def _fit_line(name: str, fit: Fit, step: int, xs: np.ndarray) -> dict:
    """The step-dependent part of a fitted line's trace: its y values, meta and hover text."""
    slope, intercept = (float(v) for v in fit.at(step))
    return dict(y=slope * xs + intercept,
                meta={"role": "fit", "loss": name, "slope": slope, "intercept": intercept,
                      "step": min(step, fit.steps)},
                hovertemplate=_fit_hover(name, slope, intercept))


def _fit_hover(name: str, slope: float, intercept: float) -> str:
    return f"{name}: {_line_text(slope, intercept)}<extra></extra>"


def progress_frames(fig: go.Figure, fits: dict[str, Fit], steps: int, values: Sequence[int],
                    run: ClassifierRun | None = None) -> dict:
    """The table of ``fig``'s changing parts (``fig`` a :func:`regression_figure`, :func:`classifier_figure`
    (give its ``run``) or :func:`loss_curves_figure`) at each "show training at" value in ``values`` (percent
    of ``steps``), for ``lossapp.live_chart``'s frame slider, as columns with a row per value: the fitted lines'
    y and hover text (role "fit"), the decision boundaries' and margins' end points ("boundary", "margin"; NaN
    where a line misses the panel) with the panels' accuracy titles ("title"), the points on the loss curves
    ("now") and the loss curves' step line ("step"). Only traces change, never the layout. Everything is worked
    out for all the values at once."""
    box = panel_box(run.data) if run is not None else None
    # what each trace is, read once (plotly's property access costs microseconds a time)
    metas = [t.meta or {} for t in fig.data]
    at = np.array([step_at(value, steps) for value in values])
    traces: dict[str, dict] = {}
    if run is not None:  # every panel's accuracy at every step, one product per loss
        accuracy = {}
        for name, fit in fits.items():
            right = np.sign(run.data.design @ fit.params[np.minimum(at, fit.steps)].T) == run.data.y[:, None]
            accuracy[name] = right.mean(axis=0)
    for i, meta in enumerate(metas):
        role = meta.get("role")
        if role == "step":
            traces[str(i)] = {"x": typed_array(np.repeat(at[:, None], 2, axis=1), "f8")}
            continue
        if role == "title" and run is not None:
            traces[str(i)] = {"text": {"list": [[_title(meta["loss"], a)] for a in accuracy[meta["loss"]]]}}
            continue
        if role not in ("fit", "now", "boundary", "margin") or (role in ("boundary", "margin") and box is None):
            continue
        name = meta["loss"]
        fit = fits[name]
        shown = np.minimum(at, fit.steps)  # a run that stopped early stays at its last step
        params = fit.params[shown]
        if role == "fit":
            xs = np.asarray(fig.data[i].x, dtype=float)
            traces[str(i)] = {"y": typed_array(params[:, :1] * xs + params[:, 1:2]),
                              "hovertemplate": {"list": [_fit_hover(name, a, b)
                                                         for a, b in params.tolist()]}}
        elif role == "now":
            traces[str(i)] = {"x": typed_array(shown[:, None], "f8"), "y": typed_array(fit.loss[shown][:, None], "f8")}
        else:
            assert box is not None  # boundary and margin traces without a run were skipped above
            xs_, ys_, _ = lines_in_box(params[:, :2], meta["level"] - params[:, 2], box)
            traces[str(i)] = {"x": typed_array(xs_), "y": typed_array(ys_)}
    return {"values": [float(v) for v in values], "traces": traces}


def regression_alt(run: RegressionRun, step: int) -> str:
    """What the regression chart shows, with the fitted numbers."""
    d = run.data
    k = d.n_outliers
    below = float(np.mean(d.slope * d.x[d.outlier] + d.intercept - d.y[d.outlier])) if k else 0.0
    where = (f"{k} of them outliers sitting on average {_g(below)} below the "
             f"true line at x between {OUTLIER_X[0]:g} and {OUTLIER_X[1]:g}") if k else "no outliers"
    fits = "; ".join(f"{name} {_line_text(*fit.at(step))}" for name, fit in run.fits.items())
    return (f"Scatter of {len(d.x)} training points ({where}) with the true line {_line_text(d.slope, d.intercept)} "
            f"and the lines fitted after {step} of {run.steps} gradient-descent steps: {fits}.")


# -- loss curves --------------------------------------------------------------------------------------------------
def relative_loss(loss: np.ndarray) -> np.ndarray:
    """A run's mean training loss divided by its value at step 0. L1, L2 and Huber (or hinge and logistic)
    measure errors on different scales, so their raw values on one axis invite a comparison that means
    nothing; as fractions of where each started, the curves compare what can be compared: how fast and how
    far each loss falls. A run starting at 0 (nothing to fall) is left as it is."""
    loss = np.asarray(loss, dtype=np.float64)
    start = float(loss[0]) if loss.size else 0.0
    return loss / start if np.isfinite(start) and start > 0 else loss


def loss_curves_figure(fits: dict[str, Fit], step: int, *, log_y: bool = False, present: bool = False,
                       height: int | None = None) -> go.Figure:
    """Mean training loss against the step as a fraction of its value at step 0 (:func:`relative_loss`), one
    line per loss (``meta.role == "curve"``), with a marker (``"now"``) at ``step`` and a dashed vertical line
    there (``"step"``, a trace across the y range). The axes have fixed ranges (:func:`curves_ranges`)."""
    x_range, y_range = curves_ranges(fits, log_y)
    traces: list[dict] = []
    for name, fit in fits.items():
        steps = np.arange(fit.steps + 1)
        line = dict(color=LOSS_COLOURS[name], width=2.5, dash=LOSS_DASHES[name])
        traces.append(dict(type="scatter", x=steps, y=relative_loss(fit.loss), mode="lines", name=name,
                           legendgroup=name, line=line, meta={"role": "curve", "loss": name},
                           hovertemplate=f"{name}: %{{y:.3g}} × its start<extra></extra>"))
        s, value = _now_point(fit, step)
        if not log_y or value > 0:
            traces.append(dict(type="scatter", x=[s], y=[value], mode="markers", showlegend=False, legendgroup=name,
                               marker=dict(color=LOSS_COLOURS[name], size=11 if present else 9,
                                           line=dict(color="white", width=1.5)),
                               meta={"role": "now", "loss": name}, hoverinfo="skip"))
    traces.append(dict(type="scatter", x=[step, step], y=_step_line_y(y_range, log_y), mode="lines",
                       showlegend=False, line=dict(color=ZERO, width=1, dash="dash"), meta={"role": "step"},
                       hoverinfo="skip"))
    y_title = "training loss ÷ its value at step 0" + (" (log scale)" if log_y else "")
    layout = _layout(height or (420 if present else 320), present,
                     xaxis=_axis("gradient-descent step", range=x_range, autorange=False),
                     yaxis=_axis(y_title, type="log" if log_y else "linear", range=y_range, autorange=False))
    return figure_from_spec(*(for_projector(traces, layout) if present else (traces, layout)))


def curves_ranges(fits: dict[str, Fit], log_y: bool) -> tuple[list[float], list[float]]:
    """The x and y ranges of a :func:`loss_curves_figure`: every step of the longest run, with room for the
    marker at either end, and the losses (:func:`snapped_range`; in decades on a log axis)."""
    last = max(fit.steps for fit in fits.values())
    pad = max(1.0, 0.02 * last)
    return [-pad, last + pad], snapped_range([relative_loss(fit.loss) for fit in fits.values()], log=log_y)


def _step_line_y(y_range: Sequence[float], log_y: bool) -> list[float]:
    """The step line's two ends: the bottom and top of the y range (in data units on a log axis)."""
    return [10.0 ** y_range[0], 10.0 ** y_range[1]] if log_y else [float(y_range[0]), float(y_range[1])]


def _now_point(fit: Fit, step: int) -> tuple[int, float]:
    """Where a run's loss curve is at ``step`` (its last step if it stopped earlier)."""
    s = min(step, fit.steps)
    return s, float(relative_loss(fit.loss)[s])


def curves_alt(fits: dict[str, Fit], step: int, *, log_y: bool = False) -> str:
    """What the loss-curve chart shows: each loss's value at the start, at ``step`` and at the end."""
    parts = []
    for name, fit in fits.items():
        s = min(step, fit.steps)
        text = f"{name} from {_g(fit.loss[0])} to {_g(fit.final_loss)} after {fit.steps} steps"
        if s != fit.steps:
            text += f" ({_g(fit.loss[s])} at step {s})"
        if fit.diverged:
            text += ", stopped because it diverged"
        parts.append(text)
    scale = " on a log scale" if log_y else ""
    return (f"Mean training loss against the gradient-descent step{scale}, each drawn as a fraction of its value "
            "at step 0 (the losses measure error on different scales, so their raw values are not comparable): "
            + "; ".join(parts) + ".")


# -- classifier ---------------------------------------------------------------------------------------------------
def line_in_box(w: Sequence[float], c: float, box: Sequence[float]) -> tuple[np.ndarray, np.ndarray] | None:
    """The part of the line ``w[0] x + w[1] y = c`` inside ``box = (x0, x1, y0, y1)``, as two end points
    ``(xs, ys)``, or None when the line misses the box (or w is zero).

    >>> xs, ys = line_in_box((1.0, 1.0), 0.0, (-1.0, 1.0, -1.0, 1.0))
    >>> sorted(zip(xs.tolist(), ys.tolist()))
    [(-1.0, 1.0), (1.0, -1.0)]
    >>> line_in_box((1.0, 0.0), 5.0, (-1.0, 1.0, -1.0, 1.0)) is None
    True
    """
    xs, ys, ok = lines_in_box(np.array([w], dtype=float), np.array([c], dtype=float), box)
    return (xs[0], ys[0]) if ok[0] else None


def lines_in_box(w: np.ndarray, c: np.ndarray, box: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`line_in_box` for many lines at once: ``w`` of shape (n, 2), ``c`` of shape (n,); returns the end
    points ``xs``, ``ys`` (each (n, 2)) and ``ok`` (n,), False where a line misses the box (its points are NaN).

    The candidates are where the line crosses the box's left and right edges, then its bottom and top ones
    (clamped into the box); the two farthest apart are the segment.
    """
    a, b = w[:, 0:1], w[:, 1:2]
    x0, x1, y0, y1 = (float(v) for v in box)
    tol = 1e-9 * max(1.0, x1 - x0, y1 - y0)
    edges_x, edges_y = np.array([[x0, x1]]), np.array([[y0, y1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        y_at = (c[:, None] - a * edges_x) / b  # where the line meets x = x0 and x = x1
        x_at = (c[:, None] - b * edges_y) / a  # where it meets y = y0 and y = y1
    ok_y = (b != 0.0) & (y_at >= y0 - tol) & (y_at <= y1 + tol)
    ok_x = (a != 0.0) & (x_at >= x0 - tol) & (x_at <= x1 + tol)
    px = np.concatenate([np.broadcast_to(edges_x, y_at.shape), np.clip(x_at, x0, x1)], axis=1)
    py = np.concatenate([np.clip(y_at, y0, y1), np.broadcast_to(edges_y, x_at.shape)], axis=1)
    valid = np.concatenate([ok_y, ok_x], axis=1)
    d = (px[:, :, None] - px[:, None, :]) ** 2 + (py[:, :, None] - py[:, None, :]) ** 2
    d = np.where(valid[:, :, None] & valid[:, None, :], d, -np.inf).reshape(len(c), 16)
    best = np.argmax(d, axis=1)
    ok = d[np.arange(len(c)), best] > 0.0
    i, j = best // 4, best % 4
    rows = np.arange(len(c))
    xs = np.where(ok[:, None], np.stack([px[rows, i], px[rows, j]], axis=1), np.nan)
    ys = np.where(ok[:, None], np.stack([py[rows, i], py[rows, j]], axis=1), np.nan)
    return xs, ys, ok


#: The classifier panels always reach this many standard deviations around both blob centres.
BLOB_REACH = 3.5


def panel_box(data: BlobData, pad: float = 0.5) -> tuple[float, float, float, float]:
    """The classifier panels' ranges (x0, x1, y0, y1): the square of :data:`BLOB_REACH` around each blob centre
    (where nearly every point falls, whatever the seed), widened to take in any point beyond it with ``pad``
    around, out to whole numbers. A chart whose ranges stay put only moves its traces, much faster than a full
    redraw (``lossapp.live_chart``); the points' own extent would change the ranges on nearly every seed step.

    >>> from lossapp.training import blob_data
    >>> panel_box(blob_data(3.0, 2, seed=0))
    (-4.0, 6.0, -4.0, 5.0)
    """
    offset = np.asarray(BLOB_DIRECTION) * data.separation / 2
    centres = np.asarray(BLOB_CENTRE) + np.stack([offset, -offset])
    lo = np.minimum(centres.min(axis=0) - BLOB_REACH, data.points.min(axis=0) - pad)
    hi = np.maximum(centres.max(axis=0) + BLOB_REACH, data.points.max(axis=0) + pad)
    lo, hi = np.floor(lo), np.ceil(hi)
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


#: Horizontal extent of the three panels of the classifier figure.
PANEL_DOMAINS = ((0.0, 0.31), (0.345, 0.655), (0.69, 1.0))


def _level_line(name: str, fit: Fit, step: int, level: float, role: str, box: Sequence[float]) -> dict:
    """The step-dependent part of the line w·x + b = level of a classifier: its end points in the box (none when
    it misses the box) and meta."""
    w1, w2, b = (float(v) for v in fit.at(step))
    seg = line_in_box((w1, w2), level - b, box)
    xs, ys = (seg[0].tolist(), seg[1].tolist()) if seg is not None else ([], [])
    return dict(x=xs, y=ys, meta={"role": role, "loss": name, "level": level, "w": [w1, w2], "b": b})


def _panel_title(run: ClassifierRun, name: str, step: int) -> str:
    return _title(name, run.accuracy(name, step))


def _title(name: str, accuracy: float) -> str:
    """A panel's title in two short lines: on a phone each of the three panels is about 110 px wide, and
    "SquaredHingeLoss · accuracy 95%" on one line ran into its neighbours."""
    return f"<b>{name.removesuffix('Loss')}</b><br>accuracy {accuracy:.0%}"


def classifier_figure(run: ClassifierRun, step: int, *, present: bool = False, height: int | None = None) -> go.Figure:
    """One panel per loss: the points (coloured by the label used in training, flipped labels ringed), the
    decision boundary ``w · x + b = 0`` after ``step`` updates (``meta.role == "boundary"``) and, for the
    hinge losses, the margin lines ``w · x + b = ±margin`` (``"margin"``). Panels share their axes. The flipped
    labels' rings are hidden when there are none."""
    d = run.data
    box = panel_box(d)
    traces: list[dict] = []
    size = 9 if present else 6
    for k, (name, fit) in enumerate(run.fits.items()):
        sx = "x" if k == 0 else f"x{k + 1}"
        sy = "y" if k == 0 else f"y{k + 1}"
        first = k == 0
        for label, (colour, symbol, text) in CLASS_STYLE.items():
            mask = d.y == label
            traces.append(dict(type="scatter", x=d.points[mask, 0], y=d.points[mask, 1], mode="markers",
                               name=text, legendgroup=text, showlegend=first, xaxis=sx, yaxis=sy,
                               marker=dict(color=colour, symbol=symbol, size=size, opacity=0.85),
                               meta={"role": "points", "label": label, "loss": name},
                               hovertemplate=f"{text}: (%{{x:.3g}}, %{{y:.3g}})<extra></extra>"))
        # the rings are a trace even with no flipped label (hidden then), so a frame with some can fill it in
        traces.append(dict(type="scatter", x=d.points[d.flipped, 0], y=d.points[d.flipped, 1], mode="markers",
                           visible=bool(d.flipped.any()),
                           name="flipped label", legendgroup="flipped", showlegend=first, xaxis=sx, yaxis=sy,
                           marker=dict(symbol="circle-open", size=size + 9, color=POINT_GREY,
                                       line=dict(width=2, color=POINT_GREY)),
                           meta={"role": "flipped", "loss": name}, hoverinfo="skip"))
        colour = LOSS_COLOURS[name]
        levels = [(0.0, "boundary")]
        if name != "LogisticLoss":
            levels += [(run.margin, "margin"), (-run.margin, "margin")]
        for level, role in levels:
            # every line is a trace, empty while it misses the box (w = 0 at step 0), so a frame can fill it in
            traces.append(dict(type="scatter", mode="lines", showlegend=False, xaxis=sx,
                               yaxis=sy, name=f"{name}: w·x + b = {level:g}",
                               line=dict(color=colour, width=3 if role == "boundary" else 2,
                                         dash="solid" if role == "boundary" else "dash"),
                               hovertemplate=f"{name}: w·x + b = {level:g}<extra></extra>",
                               **_level_line(name, fit, step, level, role, box)))
        # the panel's title (its loss and accuracy) is a text trace over the panel, not an annotation: a frame
        # that changes a trace's text redraws only the traces, one that changes an annotation the whole chart
        traces.append(dict(type="scatter", mode="text", x=[(box[0] + box[1]) / 2], y=[box[3]],
                           text=[_panel_title(run, name, step)], textposition="top center", cliponaxis=False,
                           textfont=dict(size=PRESENT_FONT - 2 if present else 13), showlegend=False, hoverinfo="skip",
                           xaxis=sx, yaxis=sy, meta={"role": "title", "loss": name}))
    layout = _layout(height or (520 if present else 400), present, hovermode="closest",
                     margin=dict(l=48, r=12, t=80, b=48),
                     legend=dict(orientation="h", yanchor="bottom", y=1.12, xanchor="left", x=0, bgcolor=CLEAR))
    for k, (lo, hi) in enumerate(PANEL_DOMAINS):
        suffix = "" if k == 0 else str(k + 1)
        layout[f"xaxis{suffix}"] = _axis("x₁", domain=[lo, hi], range=[box[0], box[1]], anchor=f"y{suffix}",
                                         autorange=False, **({} if k == 0 else {"matches": "x"}))
        layout[f"yaxis{suffix}"] = _axis("x₂" if k == 0 else "", range=[box[2], box[3]], anchor=f"x{suffix}",
                                         autorange=False,
                                         **({} if k == 0 else {"matches": "y", "showticklabels": False}))
    return figure_from_spec(*(for_projector(traces, layout) if present else (traces, layout)))


def classifier_alt(run: ClassifierRun, step: int) -> str:
    """What the classifier panels show, with each loss's boundary and accuracy."""
    d = run.data
    parts = []
    for name, fit in run.fits.items():
        w1, w2, b = fit.at(step)
        text = (f"{name}: boundary {_g(w1)}·x₁ {_plus(w2)}·x₂ {_plus(b)} = 0, "
                f"training accuracy {run.accuracy(name, step):.0%}")
        if name != "LogisticLoss":
            text += f", margin lines at ±{run.margin:g}"
        parts.append(text)
    return (f"Three panels, one per loss, each a scatter of {len(d.y)} points in two classes "
            f"(separation {d.separation:g}, {int(d.flipped.sum())} labels flipped) with the decision boundary "
            f"after {step} of {run.steps} steps. " + "; ".join(parts) + ".")
