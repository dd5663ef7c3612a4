"""Sections whose sliders the browser applies from numbers worked out in advance ("frame" sliders).

A section with a handful of sliders and small charts (bars, a few points) needs no script run per slider step:
for each of its sliders the server works out what the charts and the numbers under them would be at every value
of that slider, the others held where they are, and :func:`lossapp.live_chart.plotly_chart` sends those patches
along. The browser lays the patch for the slider's value over the chart as the slider moves; when the slider
comes to rest, one script run brings the section (captions, tables, the patches of the other sliders) up to date.

With live charts off (``LOSSAPP_PLAIN_CHARTS=1``) the same sliders are Streamlit sliders and the numbers are
``st.metric``\\ s, as in any Streamlit page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lossapp.controls import bound_slider
from lossapp.figures import tangent_segment, typed_array
from lossapp.live_chart import ClientSlider, Stat, client_slider, live_charts_enabled, slider_values
from lossapp.model import Curve
from losscore.catalog import Param

__all__ = ["PARAM_WINDOW", "Listed", "SliderDef", "as_scales", "curve_frames", "figure_columns", "frame_table",
           "marker_columns", "section_sliders", "show_stats", "traces_columns", "typed_array", "window_values"]


@dataclass(frozen=True)
class SliderDef:
    """One slider of a section: its address key, label, range, default, step and help text. Integer sliders
    (every number an int) give ints."""

    key: str
    label: str
    low: float
    high: float
    default: float
    step: float
    help: str

    @property
    def integer(self) -> bool:
        return all(isinstance(v, int) for v in (self.low, self.high, self.default, self.step))

    @classmethod
    def of(cls, param: Param, key: str) -> SliderDef:
        """The slider of a numeric catalog parameter (its name, range, default and help) under ``key``."""
        if param.low is None or param.high is None or param.step is None:
            raise ValueError(f"param: {param.name} has no slider range (low, high, step)")
        return cls(key, param.name, param.low, param.high, param.default, param.step, param.help)

    def at(self, value: float | None = None) -> ClientSlider:
        """This slider as a browser-side "frame" slider at ``value`` (its default when None): what
        :func:`frame_table` needs to know of it."""
        return ClientSlider(self.key, self.label, float(self.low), float(self.high), float(self.step),
                            float(self.default if value is None else value), "frame", self.help)


def section_sliders(box, defs: Sequence[SliderDef], disabled: Collection[str] = ()
                    ) -> tuple[list[Any], tuple[ClientSlider, ...]]:
    """The values of a section's sliders and, with live charts, the browser-side ("frame") sliders to hand to
    the section's chart; without, Streamlit sliders drawn in ``box`` and no browser-side ones. The sliders
    named in ``disabled`` (keys) do nothing at the moment: a greyed-out Streamlit slider, or no browser-side
    one (their values are still read from the address)."""
    if not live_charts_enabled():
        return [bound_slider(box, d.label, d.low, d.high, d.default, d.step, key=d.key, help=d.help,
                             disabled=d.key in disabled) for d in defs], ()
    sliders = tuple(client_slider(d.key, d.label, low=float(d.low), high=float(d.high), step=float(d.step),
                                  default=float(d.default), role="frame", help=d.help) for d in defs)
    values = [int(round(s.value)) if d.integer else s.value for d, s in zip(defs, sliders, strict=True)]
    return values, tuple(s for s in sliders if s.id not in disabled)


def show_stats(stats: Sequence[Stat], per_row: int = 3) -> None:
    """The numbers of a section as ``st.metric``\\ s, ``per_row`` to a row (live charts show them under the chart
    instead: pass them to ``plotly_chart``)."""
    for start in range(0, len(stats), per_row):
        row = stats[start:start + per_row]
        for col, s in zip(st.columns(per_row), row, strict=False):
            col.metric(s.label, s.text, help=s.help or None)


def marker_columns(fig: go.Figure, curves: Sequence[Curve], markers: np.ndarray) -> dict[str, Any]:
    """The marker of a ``lossapp.figures.curve_figure`` chart at each of ``markers``: its points on both rows,
    its tangent and its dashed guides, as :func:`frame_table` columns. Where a curve is not finite at a marker
    its point and tangent are left out (NaN, a gap)."""
    by_name: dict[object, Curve] = {c.name: c for c in curves}  # looked up by what a trace's meta holds
    lo = min(float(c.x[0]) for c in curves)
    hi = max(float(c.x[-1]) for c in curves)
    traces: dict[int, dict[str, np.ndarray]] = {}
    for index, trace in enumerate(fig.data):
        meta = trace.meta or {}
        role, curve = meta.get("role"), by_name.get(meta.get("curve"))
        if curve is None or role not in ("marker", "marker-grad", "tangent"):
            continue
        # Curve.at for every marker at once
        at = np.stack([np.interp(markers, curve.x, curve.loss), np.interp(markers, curve.x, curve.grad)], axis=1)
        if role == "tangent":
            xs, ys = tangent_segment(markers, at[:, 0], at[:, 1], lo, hi)
            gap = ~np.isfinite(at).all(axis=1)
            xs[gap], ys[gap] = np.nan, np.nan
            traces[index] = {"x": xs, "y": ys}
        else:
            traces[index] = {"x": markers[:, None], "y": at[:, 0 if role == "marker" else 1, None]}
    guides = {k: {"x0": markers, "x1": markers} for k, shape in enumerate(fig.layout.shapes or ())
              if shape.name == "marker guide"}
    return {"traces": traces, "shapes": guides}


def _is_text(arr: Any) -> bool:
    """Whether a column (one row per slider value) holds labels or flags rather than numbers (its first entry
    tells: every row comes from the same builder)."""
    if isinstance(arr, np.ndarray):
        return arr.dtype.kind in "OUSb"
    first: Any = arr
    while isinstance(first, (list, tuple, np.ndarray)):
        if isinstance(first, np.ndarray) and first.dtype.kind not in "OUSb":
            return False
        first = first[0] if len(first) else 0.0
    return isinstance(first, (str, bool, np.bool_))


def _plain(row: Any) -> Any:
    """A row as plain JSON: strings and flags as they are, numbers as floats (None where not finite), lists and
    arrays as (nested) lists."""
    if isinstance(row, (str, bool)):
        return row
    if isinstance(row, np.bool_):
        return bool(row)
    if row is None:  # a gap in a line (plotly's None between segments)
        return None
    if isinstance(row, list) and all(type(v) is str for v in row):  # a row of labels: as it is (fast path)
        return row
    if isinstance(row, list) and all(v is None or type(v) in (int, float) for v in row):  # numbers and gaps
        return [None if v is None or not math.isfinite(v) else v + 0.0 for v in row]
    if isinstance(row, np.ndarray) and row.dtype.kind in "fiu":  # numbers, a matrix too (fast path)
        a = row.astype(np.float64) + 0.0
        return np.where(np.isfinite(a), a, None).tolist()  # type: ignore[call-overload]  # stubs refuse None
    if isinstance(row, (list, tuple, np.ndarray)):
        return [_plain(v) for v in row]
    v = float(row)
    return v + 0.0 if np.isfinite(v) else None


class Listed(list):
    """A :func:`frame_table` column sent as plain JSON rows (``{"list": rows}``) rather than one typed array:
    rows of different lengths (a trace with another number of points at some values) or single numbers (a
    heatmap's ``zmin``)."""


def traces_columns(base: Sequence[dict], rows: Sequence[Sequence[dict]],
                   attrs: Sequence[str] = ("x", "y", "text", "visible"), *, ragged: bool = False) -> dict[str, Any]:
    """:func:`frame_table` columns from a figure's trace dicts (``base``, as shown) and the same builder's trace
    dicts at every slider value (``rows``): the ``attrs`` of every trace that differ at some value. A value
    whose traces do not line up with the shown ones (another number of traces, or with ``ragged=False``
    another number of points) is ``missing``: the chart asks the server there. With ``ragged``, a trace may
    have another number of points at some values (bars for the valid steps only): its changed attributes are
    sent whole, as :class:`Listed` rows."""
    def signature(traces: Sequence[dict]) -> tuple:
        return tuple(tuple(-2 if ragged else _size(t.get(attr)) for attr in attrs) for t in traces)

    shape = signature(base)
    missing = [k for k, traces in enumerate(rows) if len(traces) != len(base) or signature(traces) != shape]
    columns: dict[int, dict[str, Any]] = {}
    for i, trace in enumerate(base):
        for attr in attrs:
            if attr not in trace:
                continue
            col: list[Any] | np.ndarray  # the values' rows, then maybe one stacked array
            col = [trace[attr] if k in missing else traces[i][attr] for k, traces in enumerate(rows)]
            sizes = {_dims(c) for c in col} | {_dims(trace[attr])}
            if _is_text(col) or sizes == {-1} or len(sizes) > 1:  # texts, single values, rows of other sizes
                base = trace[attr]
                plain = _plain(base)
                changed = any(c is not base and _plain(c) != plain for c in col)  # the same object: unchanged
                if not _is_text(col):
                    col = Listed(col)
            else:
                shown = np.asarray(trace[attr], dtype=np.float64)
                shown = shown.reshape(1, -1) if shown.ndim < 2 else shown[None]  # a matrix (heatmap) stays one
                stacked = np.asarray(col, dtype=np.float64).reshape(len(col), *shown.shape[1:])
                changed = bool(((stacked != shown) & ~(np.isnan(stacked) & np.isnan(shown))).any())
                col = stacked
            if changed:
                columns.setdefault(i, {})[attr] = col
    return {"traces": columns, "missing": missing}


def figure_columns(shown: tuple[list[dict], dict], figs: Sequence[tuple[list[dict], dict]],
                   attrs: Sequence[str] = ("x", "y", "visible"), *, ragged: bool = False) -> dict[str, Any]:
    """:func:`frame_table` columns from whole figures given as ``(traces, layout)`` dicts (what a builder such as
    ``lossapp.figures.curve_spec`` returns): ``shown`` as drawn and the same builder's figure at every slider
    value (``figs``), with the same traces, shapes and annotations. Kept: the trace ``attrs``
    (:func:`traces_columns`), shape positions, annotation positions and texts, and explicit axis ranges and tick
    positions and labels that differ from ``shown``'s at some value. A value whose figure has other shapes or
    annotations is ``missing`` (``ragged``: see :func:`traces_columns`)."""
    cols = traces_columns(shown[0], [f[0] for f in figs], attrs, ragged=ragged)
    missing = set(cols["missing"])
    layouts = [f[1] for f in figs]
    parts = {"shapes": ("x0", "x1", "y0", "y1"), "annotations": ("x", "y", "text")}
    for part, names in parts.items():
        drawn = shown[1].get(part) or ()
        missing |= {k for k, lay in enumerate(layouts) if len(lay.get(part) or ()) != len(drawn)}
        for index, item in enumerate(drawn):
            for name in names:
                if item.get(name) is None:
                    continue
                rows = [item[name] if k in missing else lay[part][index][name] for k, lay in enumerate(layouts)]
                if any(r != item[name] for r in rows):
                    cols.setdefault(part, {}).setdefault(index, {})[name] = rows
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        for attr in ("range", "tickvals", "ticktext"):  # a fitted range; an index axis's ticks (another size)
            drawn = (shown[1].get(axis) or {}).get(attr)
            if drawn is None:
                continue
            rows = [tuple(drawn) if k in missing or (lay.get(axis) or {}).get(attr) is None else
                    tuple(lay[axis][attr]) for k, lay in enumerate(layouts)]
            if any(r != tuple(drawn) for r in rows):
                cols.setdefault("layout", {}).setdefault(axis, {})[attr] = (
                    np.array(rows, dtype=np.float64) if attr == "range" else Listed(list(r) for r in rows))
    cols["missing"] = sorted(missing)
    return cols


def as_scales(cols: dict[str, Any], shown: Sequence[dict]) -> dict[str, Any]:
    """``cols`` with every trace whose ``y`` rows are each the drawn ``y`` (``shown``, the drawn traces) times one
    number moved to ``cols["scale"]`` as those numbers (a weight's frames: one number per row instead of a whole
    curve; the browser multiplies the drawn trace)."""
    for index, attrs in list(cols.get("traces", {}).items()):
        rows = attrs.get("y")
        if rows is None or _is_text(rows) or set(attrs) != {"y"}:
            continue
        drawn = np.asarray(shown[index]["y"], dtype=np.float64).ravel()
        rows = np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)
        pivot = int(np.argmax(np.abs(drawn))) if drawn.size else 0
        if rows.shape[1] != drawn.size or not drawn.size or drawn[pivot] == 0 or not np.isfinite(drawn).all():
            continue
        factors = rows[:, pivot] / drawn[pivot]
        if np.allclose(rows, factors[:, None] * drawn, rtol=1e-9, atol=0):
            cols.setdefault("scale", {})[index] = factors
            del cols["traces"][index]
    return cols


def _dims(value: Any) -> tuple[int, ...] | int:
    """:func:`_size`, or a matrix's whole shape (a heatmap's cells: another number of columns is another size)."""
    if isinstance(value, np.ndarray) and value.ndim > 1:
        return value.shape
    return _size(value)


def _size(value: Any) -> int:
    """How many entries a trace attribute has (-1 for a single value such as ``visible``)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return -1
    return len(value)


def window_values(slider: ClientSlider, window: int | None = None) -> list[float]:
    """The values :func:`frame_table` works out for ``slider``: every value it can take, or with ``window`` only
    those up to that many steps either side of its current one."""
    if window is None:
        return slider_values(slider)
    # only the steps near the value (a fine slider has thousands): those of slider_values within reach
    count = int(math.floor((slider.high - slider.low) / slider.step + 1e-9)) + 1
    near = int(round((slider.value - slider.low) / slider.step))
    steps = range(max(0, near - window - 1), min(count, near + window + 2))
    values = [slider.snap(slider.low + k * slider.step) for k in steps]
    if steps and steps[-1] == count - 1 and values[-1] < slider.high:
        values.append(slider.snap(slider.high))
    reach = (window + 0.5) * slider.step
    return [v for v in values if abs(v - slider.value) <= reach]


def frame_table(slider: ClientSlider, columns_at: Callable[[np.ndarray], dict[str, Any]],
                window: int | None = None) -> dict[str, Any]:
    """``slider``'s entry of ``plotly_chart``'s ``frames``, from ``columns_at(values)`` for every value the slider
    can take. ``columns_at`` returns ``{"traces": {trace index: {attribute: array}}, "shapes": {shape index:
    {attribute: array}}, "annotations": {index: {attribute: texts}}, "layout": {axis name: {"range": array}},
    "scale": {trace index: factors}, "stats": array}``, each with one row per value (a "scale" factor multiplies
    the drawn trace's y, see :func:`as_scales`): a trace attribute's row is what the trace shows at that value
    (only the traces and attributes that change), a shape attribute's one number, an annotation's one text, an
    axis range's row its two ends, a row of ``stats`` the numbers under the chart, in the order of the chart's
    ``stats`` (printed as the pages print numbers; or the texts themselves, a list of strings per row). With
    ``window``, only the values up to that many steps either side of the slider's current one are worked out (a
    fine slider's full range would be too much to send); beyond them the chart waits for the server, which
    works out the window around the new value."""
    values = window_values(slider, window)
    cols = columns_at(np.array(values, dtype=np.float64))
    table: dict[str, Any] = {"values": values, "traces": {}}
    for index, attrs in cols.get("traces", {}).items():
        table["traces"][str(index)] = {}
        for attr, arr in attrs.items():
            if len(arr) != len(values):
                raise ValueError(f"{slider.id}: trace {index} {attr} needs one row per slider value "
                                 f"({len(values)}); got {len(arr)}")
            if isinstance(arr, Listed) or _is_text(arr):  # labels, flags, ragged rows, single numbers: plain lists
                table["traces"][str(index)][attr] = {"list": [_plain(row) for row in arr]}
            elif np.ndim(arr[0]) > 1:  # a matrix per row (a heatmap's cells): its shape goes along
                table["traces"][str(index)][attr] = typed_array(np.asarray(arr, dtype=np.float64), "f8")
            else:
                table["traces"][str(index)][attr] = typed_array(
                    np.asarray(arr, dtype=np.float64).reshape(len(values), -1))
    if cols.get("missing"):
        table["missing"] = [int(k) for k in cols["missing"]]
    for index, attrs in cols.get("shapes", {}).items():
        table.setdefault("shapes", {})[str(index)] = {
            attr: typed_array(np.asarray(arr, dtype=np.float64).reshape(len(values)), "f8")
            for attr, arr in attrs.items()}
    for index, attrs in cols.get("annotations", {}).items():  # a text, or one number (a position), per row
        table.setdefault("annotations", {})[str(index)] = {
            attr: {"list": [str(v) for v in arr]} if _is_text(list(arr)) else
            typed_array(np.asarray(arr, dtype=np.float64).reshape(len(values)), "f8") for attr, arr in attrs.items()}
    for index, factors in cols.get("scale", {}).items():
        table.setdefault("scale", {})[str(index)] = typed_array(
            np.asarray(factors, dtype=np.float64).reshape(len(values)), "f8")
    for axis, attrs in cols.get("layout", {}).items():  # ranges as numbers; ticks (a list per row) as they are
        table.setdefault("layout", {})[axis] = {
            attr: {"list": [_plain(row) for row in arr]} if isinstance(arr, Listed) else
            typed_array(np.asarray(arr, dtype=np.float64).reshape(len(values), -1), "f8")
            for attr, arr in attrs.items()}
    if cols.get("stats") is not None and _is_text(cols["stats"]):  # the texts as shown, a list per row
        if len(cols["stats"]) != len(values):
            raise ValueError(f"{slider.id}: stats need one row per slider value ({len(values)}); got "
                             f"{len(cols['stats'])}")
        table["stats"] = {"list": [[str(t) for t in row] for row in cols["stats"]]}
    elif cols.get("stats") is not None:
        stats = np.asarray(cols["stats"], dtype=np.float64)
        if stats.ndim != 2 or stats.shape[0] != len(values):
            raise ValueError(f"{slider.id}: stats need shape ({len(values)}, number of stats); got {stats.shape}")
        table["stats"] = typed_array(stats, "f8")
    return table


#: A curve parameter's browser-side slider gets the curves this many steps either side of its value (a Huber
#: curve of 2,001 points is ~16 kB a value); beyond, the chart waits for the server.
PARAM_WINDOW = 3


def curve_frames(fig, slider: ClientSlider, curves_at: Callable[[float], tuple[Curve, ...]],
                 window: int | None = PARAM_WINDOW) -> dict:
    """The frame table of a curve chart's parameter ``slider``: the loss and gradient traces of ``fig`` (a
    :func:`lossapp.figures.curve_figure`) at each value around the slider's (``window`` steps either side; every
    value when None, as a file with no server needs), from ``curves_at(value)`` (the curves the slider moves; a
    value where one of them cannot be computed is ``missing``)."""
    changed = {c.name for c in curves_at(slider.value)}  # the curves this slider moves
    roles = [(i, t.meta["role"], t.meta["curve"], np.asarray(t.y, dtype=np.float64)) for i, t in enumerate(fig.data)
             if t.meta and t.meta.get("role") in ("loss", "grad") and t.meta.get("curve") in changed]

    def columns(values: np.ndarray) -> dict:
        rows, missing = [], []
        for k, v in enumerate(values):
            try:
                row = {c.name: c for c in curves_at(float(v))}
            except (ValueError, TypeError):  # a loss that cannot take this value: the chart asks the server
                row = {}
            if not changed <= set(row):
                missing.append(k)
            rows.append(row)
        return {"traces": {i: {"y": np.stack([drawn if name not in r else r[name].loss if role == "loss"
                                              else r[name].grad for r in rows])}
                           for i, role, name, drawn in roles}, "missing": missing}

    return frame_table(slider, columns, window)
