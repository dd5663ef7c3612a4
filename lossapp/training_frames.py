"""The training lab's runs at other settings as frame columns: what the browser-side settings sliders patch into
the drawn figures of :mod:`lossapp.training_figures` (one row per run, only the parts that differ from what is
drawn). No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lossapp.training import ClassifierRun, RegressionRun, step_at
from lossapp.training_figures import (
    PANEL_DOMAINS,
    _fit_hover,
    _scatter_x_range,
    _scatter_y_range,
    _step_line_y,
    _title,
    curves_ranges,
    lines_in_box,
    panel_box,
    relative_loss,
)

__all__ = ["classifier_setting_columns", "regression_setting_columns"]


def _rows_differ(rows: np.ndarray | list, shown: np.ndarray | list) -> bool:
    """Whether some row of a column differs from the shown one (NaN equal to NaN)."""
    if isinstance(rows, list):
        return any(r != shown for r in rows)
    a = np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)
    b = np.asarray(shown, dtype=np.float64).reshape(-1)
    if b.size > a.shape[1]:
        return True
    b = np.broadcast_to(np.concatenate([b, np.full(a.shape[1] - b.size, np.nan)]), a.shape)  # rows may be padded
    return bool(((a != b) & ~(np.isnan(a) & np.isnan(b))).any())


def _changed_only(columns: dict, shown: dict) -> dict:
    """``columns`` without the entries whose every row equals ``shown``'s (the value as drawn)."""
    out: dict = {}
    for part, items in columns.items():
        for index, attrs in items.items():
            for attr, rows in attrs.items():
                if _rows_differ(rows, shown[part][index][attr]):
                    out.setdefault(part, {}).setdefault(index, {})[attr] = rows
    return out


def _padded_rows(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of different lengths as one array, NaN after each row's end (at least one entry per row)."""
    width = max(1, *(len(r) for r in rows))
    out = np.full((len(rows), width), np.nan)
    for k, r in enumerate(rows):
        out[k, :len(r)] = r
    return out


def _curve_columns(fig: go.Figure, runs: Sequence, progress: float, log_y: bool) -> tuple[dict, dict]:
    """Columns of a :func:`loss_curves_figure` for ``runs`` (one row each, each at ``progress`` percent of its own
    steps): every loss curve (NaN after its last step), the "now" points, the step line and the axis ranges.
    Also the same columns' values as drawn in ``fig``."""
    steps = np.array([step_at(progress, run.steps) for run in runs])
    ranges = [curves_ranges(run.fits, log_y) for run in runs]
    traces: dict = {}
    shown: dict = {}
    for i, t in enumerate(fig.data):
        meta = t.meta or {}
        name = meta.get("loss")
        if meta.get("role") == "curve":
            losses = [relative_loss(run.fits[name].loss) for run in runs]
            traces[i] = {"x": _padded_rows([np.arange(len(v), dtype=np.float64) for v in losses]),
                         "y": _padded_rows(losses)}
        elif meta.get("role") == "now":
            at = np.array([min(s, run.fits[name].steps) for s, run in zip(steps, runs, strict=True)])
            value = np.array([relative_loss(run.fits[name].loss)[a] for a, run in zip(at, runs, strict=True)])
            if log_y:
                value = np.where(value > 0, value, np.nan)
            traces[i] = {"x": at[:, None].astype(np.float64), "y": value[:, None]}
        elif meta.get("role") == "step":
            traces[i] = {"x": np.repeat(steps[:, None].astype(np.float64), 2, axis=1),
                         "y": np.array([_step_line_y(y_range, log_y) for _, y_range in ranges])}
        else:
            continue
        shown[i] = {attr: np.asarray(getattr(t, attr), dtype=np.float64) for attr in traces[i]}
    axes = {"xaxis": {"range": np.array([x_range for x_range, _ in ranges])},
            "yaxis": {"range": np.array([y_range for _, y_range in ranges])}}
    shown_axes = {axis: {"range": np.asarray(fig.layout[axis].range, dtype=np.float64)} for axis in axes}
    return {"traces": traces, "layout": axes}, {"traces": shown, "layout": shown_axes}


def regression_setting_columns(scatter: go.Figure, curves: go.Figure, runs: Sequence[RegressionRun],
                               progress: float) -> tuple[dict, dict]:
    """``lossapp.frames.frame_table`` columns of the regression section's two charts (``scatter`` a
    :func:`regression_figure`, ``curves`` its :func:`loss_curves_figure` with ``log_y``) for ``runs``, one row
    per run, each shown at ``progress`` percent of its own steps: the points, the outliers (padded), the fitted
    lines with their hover texts; the loss curves, the "now" points and the step line. Only the parts that
    differ from the drawn figures in some row are kept."""
    steps = [step_at(progress, run.steps) for run in runs]
    traces: dict = {}
    shown: dict = {}
    for i, t in enumerate(scatter.data):
        meta = t.meta or {}
        role = meta.get("role")
        if role == "points":
            traces[i] = {"x": np.stack([r.data.x[~r.data.outlier] for r in runs]),
                         "y": np.stack([r.data.y[~r.data.outlier] for r in runs])}
        elif role == "outliers":  # as many as the run with the most, NaN (not drawn) after each run's own
            traces[i] = {"x": _padded_rows([r.data.x[r.data.outlier] for r in runs]),
                         "y": _padded_rows([r.data.y[r.data.outlier] for r in runs])}
        elif role == "fit":
            name = meta["loss"]
            xs = np.asarray(t.x, dtype=np.float64)
            params = np.stack([r.fits[name].at(s) for r, s in zip(runs, steps, strict=True)])
            traces[i] = {"y": params[:, :1] * xs + params[:, 1:2],
                         "hovertemplate": [_fit_hover(name, a, b) for a, b in params.tolist()]}
        else:
            continue
        shown[i] = {attr: (t.hovertemplate if attr == "hovertemplate" else np.asarray(getattr(t, attr), dtype=float))
                    for attr in traces[i]}
    axes = {"xaxis": {"range": np.array([_scatter_x_range(r) for r in runs])},
            "yaxis": {"range": np.array([_scatter_y_range(r) for r in runs])}}
    shown_axes = {axis: {"range": np.asarray(scatter.layout[axis].range, dtype=np.float64)} for axis in axes}
    scatter_cols = _changed_only({"traces": traces, "layout": axes}, {"traces": shown, "layout": shown_axes})
    curve_cols, curve_shown = _curve_columns(curves, runs, progress, log_y=True)
    return scatter_cols, _changed_only(curve_cols, curve_shown)


def classifier_setting_columns(panels: go.Figure, curves: go.Figure, runs: Sequence[ClassifierRun],
                               progress: float) -> tuple[dict, dict]:
    """As :func:`regression_setting_columns`, for the classifier section (``panels`` a
    :func:`classifier_figure`): each panel's points, flipped rings (and whether they show), decision boundary
    and margin lines, accuracy title and axis ranges; the loss curves as above."""
    steps = np.array([step_at(progress, run.steps) for run in runs])
    boxes = np.array([panel_box(r.data) for r in runs])
    traces: dict = {}
    shown: dict = {}
    for i, t in enumerate(panels.data):
        meta = t.meta or {}
        role, name = meta.get("role"), meta.get("loss")
        if role == "title":  # the panel's title over its middle, with the loss's accuracy in that run
            assert name is not None  # classifier_figure names the loss of its titles, boundaries and margins
            traces[i] = {"x": ((boxes[:, 0] + boxes[:, 1]) / 2)[:, None], "y": boxes[:, 3:4],
                         "text": [[_title(name, r.accuracy(name, s))] for r, s in zip(runs, steps, strict=True)]}
        elif role in ("points", "flipped"):  # rows as long as the longest, NaN (not drawn) after each run's own
            chosen = [r.data.y == meta["label"] if role == "points" else r.data.flipped for r in runs]
            traces[i] = {"x": _padded_rows([r.data.points[c, 0] for r, c in zip(runs, chosen, strict=True)]),
                         "y": _padded_rows([r.data.points[c, 1] for r, c in zip(runs, chosen, strict=True)])}
            if role == "flipped":
                traces[i]["visible"] = [bool(c.any()) for c in chosen]
        elif role in ("boundary", "margin"):
            assert name is not None
            params = np.stack([r.fits[name].at(s) for r, s in zip(runs, steps, strict=True)])
            # the margin lines sit at ±margin of each run (the level's sign is the trace's)
            level = np.array([np.sign(meta["level"]) * r.margin for r in runs]) if role == "margin" \
                else np.zeros(len(runs))
            xs = np.full((len(runs), 2), np.nan)
            ys = np.full((len(runs), 2), np.nan)
            for b in {tuple(bx) for bx in boxes.tolist()}:
                rows = (boxes == b).all(axis=1)
                xs[rows], ys[rows], _ = lines_in_box(params[rows, :2], level[rows] - params[rows, 2], b)
            traces[i] = {"x": xs, "y": ys}
        else:
            continue
        shown[i] = {}
        for attr in traces[i]:
            if attr == "visible":
                shown[i][attr] = t.visible if t.visible is not None else True
                continue
            if attr == "text":
                shown[i][attr] = list(t.text)
                continue
            drawn = np.asarray(getattr(t, attr), dtype=np.float64)
            shown[i][attr] = drawn if drawn.size else np.full(2, np.nan)
    axes = {}
    shown_axes = {}
    for k in range(len(PANEL_DOMAINS)):
        suffix = "" if k == 0 else str(k + 1)
        axes[f"xaxis{suffix}"] = {"range": boxes[:, :2]}
        axes[f"yaxis{suffix}"] = {"range": boxes[:, 2:]}
        shown_axes[f"xaxis{suffix}"] = {"range": np.asarray(panels.layout[f"xaxis{suffix}"].range, dtype=float)}
        shown_axes[f"yaxis{suffix}"] = {"range": np.asarray(panels.layout[f"yaxis{suffix}"].range, dtype=float)}
    panel_cols = _changed_only({"traces": traces, "layout": axes}, {"traces": shown, "layout": shown_axes})
    curve_cols, curve_shown = _curve_columns(curves, runs, progress, log_y=False)
    return panel_cols, _changed_only(curve_cols, curve_shown)
