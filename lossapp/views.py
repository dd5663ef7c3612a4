"""Reusable page sections: a loss-vs-prediction explainer for one loss, and the small helpers pages share.

Data flow of a section: widgets → plain values → cached losscore computations on plain tuples →
:class:`~lossapp.model.CurveView` → ``lossapp.figures.curve_figure`` → ``live_chart.plotly_chart``, with the same view
handed to the accessible description (``st.caption(view.alt_text())``) and to the export panel.

The deep-dive sections (softmax, KL, Poisson, triplet, cosine, SDML, CTC; the ``*_section`` functions) follow
the same flow with :mod:`lossapp.deep_dives` for the numbers and :mod:`lossapp.deep_figures` for the charts;
each is a fragment, so moving one of its widgets reruns only that section.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import deep_dives as dd
from lossapp import deep_figures, figures, input_checks, urlstate
from lossapp.caching import cache_data, cache_resource
from lossapp.controls import (
    BIND,
    SAMPLE_WEIGHT,
    array_input,
    bound_slider,
    control_key,
    format_array,
    label_param,
    param_control,
    param_controls,
    parse_array,
)
from lossapp.frames import (
    SliderDef,
    as_scales,
    figure_columns,
    frame_table,
    marker_columns,
    section_sliders,
    show_stats,
    traces_columns,
    window_values,
)
from lossapp.live_chart import ClientSlider, Stat, client_slider, live_charts_enabled, plotly_chart
from lossapp.model import Curve, CurveView
from losscore import (
    CosineEmbeddingLoss,
    KLDivLoss,
    L2Loss,
    SigmoidBinaryCrossEntropyLoss,
    SoftmaxCrossEntropyLoss,
)
from losscore.catalog import CATALOG, LossSpec, make_loss
from losscore.sweep import prediction_grid, sweep

try:  # written by another engineer; the charts work without it
    from lossapp.export import export_panel
except ImportError:  # pragma: no cover - depends on the tree
    export_panel = None

__all__ = [
    "SHORT_IDS",
    "CurveRange",
    "chart",
    "clean",
    "cosine_section",
    "ctc_section",
    "fused_section",
    "kl_bars_section",
    "kl_tutorial_section",
    "poisson_counts_section",
    "sdml_section",
    "softmax_sliders_section",
    "softmax_tutorial_section",
    "stirling_section",
    "triplet_section",
    "view_fingerprint",
    "curve_range",
    "curve_section",
    "curve_view",
    "fmt",
    "point_value",
    "short_name",
    "show_counterparts",
    "sweep_arrays",
]


#: Below this size a displayed number is noise and shows as 0: rounding (1 - cos of identical vectors is
#: -2.2e-16) or the 1e-12 that KLDivLoss adds inside its log (KL of a distribution from itself is 4e-12).
TINY = 1e-9


def clean(values: Any) -> np.ndarray:
    """``values`` as floats with rounding noise (|v| < TINY) set to 0, for tables.

    >>> clean([1.0, -2.2e-16, 1e-8]).tolist()
    [1.0, 0.0, 1e-08]
    """
    arr = np.asarray(values, dtype=np.float64)
    return np.where(np.abs(arr) < TINY, 0.0, arr)


def fmt(value: float, digits: int = 4) -> str:
    """A number as the pages print it: fixed decimals for ordinary sizes, 'inf'/'nan' spelled out.

    >>> fmt(9.000123), fmt(float("inf")), fmt(float("nan")), fmt(123456.0), fmt(-0.0), fmt(-2.2e-16), fmt(1e-8)
    ('9.0001', 'inf', 'nan', '1.235e+05', '0.0000', '0.0000', '1e-08')
    """
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v) < TINY:
        return f"{0.0:.{digits}f}"
    if abs(v) >= 1e5 or abs(v) < 10 ** (-digits):
        return f"{v:.{digits}g}"
    return f"{v:.{digits}f}"


@dataclass(frozen=True)
class CurveRange:
    """The prediction axis of a chart: grid ends, grid spacing, marker step, axis title, marker key suffix."""

    lo: float
    hi: float
    dx: float
    step: float
    title: str
    suffix: str

    @property
    def num(self) -> int:
        return int(round((self.hi - self.lo) / self.dx)) + 1


def curve_range(name: str, params: dict[str, Any]) -> CurveRange:
    """The x-axis a loss needs with these parameters.

    Scores and logits use the tutorial's [-5, 5]. A probability input (SigmoidBCE with from_sigmoid) lives
    in (0, 1), kept away from the ends where -log(0) is about 27.6 and the gradient about 10^12. PoissonNLL
    plots either the log-rate or the rate itself. Grid spacing divides the marker step, so the marker always
    sits on a plotted point.
    """
    if name == "SigmoidBinaryCrossEntropyLoss" and params.get("from_sigmoid"):
        return CurveRange(0.01, 0.99, 0.001, 0.01, "prediction (a probability: the net ends in a sigmoid)", "prob")
    if name == "PoissonNLLLoss":
        if params.get("from_logits", True):
            return CurveRange(-2.5, 2.5, 0.005, 0.05, "prediction = log of the rate", "pred")
        return CurveRange(0.01, 10.0, 0.01, 0.05, "prediction = the rate itself", "rate")
    return CurveRange(-5.0, 5.0, 0.01, 0.05, "prediction", "pred")


#: Where the marker starts when the x-axis is a probability or a rate.
_MARKER_START = {"prob": 0.5, "rate": 1.0}


def _split(name: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = CATALOG[name]
    init = {p.name: params[p.name] for p in spec.params if p.where == "init" and p.name in params}
    forward = {p.name: params[p.name] for p in spec.params if p.where == "forward" and p.name in params}
    return init, forward


@cache_data(max_entries=512, show_spinner=False)
def sweep_arrays(name: str, params: tuple[tuple[str, Any], ...], label: float, sample_weight: float,
                 lo: float, hi: float, num: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, loss, dL/dpred) of ``name`` over ``num`` predictions from lo to hi, label fixed (cached)."""
    init, forward = _split(name, dict(params))
    loss = make_loss(name, **init)
    s = sweep(loss, prediction_grid(lo, hi, num), label, sample_weight=sample_weight, **forward)
    return s.x, s.values + 0.0, s.grad + 0.0  # + 0.0 turns -0.0 (e.g. a flat hinge times -label) into 0.0


@cache_data(max_entries=2048, show_spinner=False)
def point_value(name: str, params: tuple[tuple[str, Any], ...], label: float, sample_weight: float,
                pred: float) -> tuple[float, float]:
    """The exact loss and dL/dpred at one prediction, from losscore's own forward call (cached)."""
    init, forward = _split(name, dict(params))
    loss = make_loss(name, **init)
    arrays = {k: (np.array([v], dtype=np.float64) if k != "epsilon" else v) for k, v in forward.items()}
    values, grad = loss.value_and_grad(np.array([pred], dtype=np.float64), np.array([label], dtype=np.float64),
                                       np.array([sample_weight], dtype=np.float64), **arrays)
    return float(values[0]) + 0.0, float(grad[0]) + 0.0


def curve_view(name: str, params: dict[str, Any], label: float, sample_weight: float = 1.0,
               marker: float | None = None, rng: CurveRange | None = None, title: str | None = None) -> CurveView:
    """The CurveView of one loss with these parameters (what the chart, alt text and export all use)."""
    rng = rng or curve_range(name, params)
    x, values, grad = sweep_arrays(name, tuple(sorted(params.items())), float(label), float(sample_weight),
                                   rng.lo, rng.hi, rng.num)
    spec = CATALOG[name]
    shown = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())
    return CurveView(
        title=title or (f"{spec.name} ({shown})" if shown else spec.name),
        curves=(Curve(spec.name, x, values, grad),),
        marker=marker,
        x_title=rng.title,
        label=float(label),
        loss_names=(spec.name,),
        params={**params, "sample_weight": float(sample_weight)},
    )


def view_fingerprint(view: CurveView) -> tuple:
    """A hashable summary of everything a CurveView's figure depends on (the arrays by content digest)."""
    digest = hashlib.blake2b(digest_size=16)
    for c in view.curves:
        for arr in (c.x, c.loss, c.grad):
            digest.update(np.ascontiguousarray(arr).tobytes())
    return (view.title, view.x_title, view.y_title, view.grad_title, view.marker, view.label, view.loss_names,
            tuple(c.name for c in view.curves), digest.hexdigest())


@cache_resource(max_entries=128, show_spinner=False)
def _cached_figure(fingerprint: tuple, present: bool, _view: CurveView):
    # Keyed on the fingerprint only; charts serialise the figure without mutating it, so one object
    # can be shared between reruns and sessions.
    return figures.curve_figure(_view, present=present)


#: A numeric loss parameter with at most this many slider steps can move in the browser as a "frame" slider (one
#: with finer steps, such as PoissonNLL's epsilon, stays a Streamlit number input).
FRAME_MAX_STEPS = 200


def frame_param(p) -> bool:
    """Whether catalog parameter ``p`` can be a browser-side "frame" slider of a curve chart: a number with a
    slider's range, other than the weight (which scales the curve instead)."""
    return p.kind == "float" and p.name != "weight" and (p.high - p.low) / p.step <= FRAME_MAX_STEPS


#: A curve parameter's browser-side slider gets the curves this many steps either side of its value (a Huber
#: curve of 2,001 points is ~16 kB a value); beyond, the chart waits for the server.
PARAM_WINDOW = 3


def curve_frames(fig, slider: ClientSlider, curves_at: Callable[[float], tuple[Curve, ...]]) -> dict:
    """The frame table of a curve chart's parameter ``slider``: the loss and gradient traces of ``fig`` (a
    :func:`lossapp.figures.curve_figure`) at each value around the slider's, from ``curves_at(value)`` (the
    curves the slider moves; a value where one of them cannot be computed is ``missing``)."""
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

    return frame_table(slider, columns, PARAM_WINDOW)


def chart(view: CurveView, key: str, *, present: bool = False, export: bool = True, base: CurveView | None = None,
          sliders: tuple[ClientSlider, ...] = (), names: dict[str, str] | None = None,
          xrange: tuple[float, float] | None = None, readout: bool = True,
          labels: dict[str, tuple[str, str]] | None = None, mix: CurveView | None = None,
          curves_at: dict[str, Callable[[float], tuple[Curve, ...]]] | None = None) -> None:
    """Plot a CurveView with its text description, then the export panel (when lossapp.export provides it).

    With browser-side ``sliders`` (:class:`lossapp.live_chart.ClientSlider`), the chart is drawn from ``base``
    (``view`` itself unless given): the same curves at scale 1, which the browser scales and marks itself. A
    "frame" slider among them (a loss parameter such as Huber's rho) needs ``curves_at[slider id](value)``: the
    base's curves at that value of the parameter (same grid), which the browser swaps in for the values
    around the slider's own (:data:`PARAM_WINDOW` steps either side) before the other sliders apply. The
    description and the export are always of ``view``. Presentation mode leaves the export panel out: downloads
    and code are clutter on a projector.
    """
    alt = view.alt_text()
    shown = base if sliders and base is not None else view  # without sliders there is nothing to apply
    fig = _cached_figure(view_fingerprint(shown), present, shown)
    mixed = None if mix is None else _cached_figure(view_fingerprint(mix), present, mix)
    frames = {s.id: curve_frames(fig, s, curves_at[s.id]) for s in sliders if s.role == "frame"} or None
    plotly_chart(fig, key=f"{key}_chart", alt=alt, sliders=sliders, names=names, xrange=xrange, readout=readout,
                 labels=labels, mix=mixed, frames=frames)
    st.caption(alt)
    if export and export_panel is not None and not present:
        export_panel(view, key)


def short_name(spec: LossSpec) -> str:
    """The shortest Gluon name of a loss (its alias, when it has one): SigmoidBCELoss, SoftmaxCELoss.

    >>> short_name(CATALOG["SigmoidBinaryCrossEntropyLoss"]), short_name(CATALOG["HuberLoss"])
    ('SigmoidBCELoss', 'HuberLoss')
    """
    return min((spec.name, *spec.aliases), key=len)


def show_counterparts(spec: LossSpec) -> None:
    """The catalog's notes on PyTorch/Keras equivalents and where losscore differs from MXNet, in an expander."""
    with st.expander("Equivalents in PyTorch and Keras, and differences from MXNet"):
        st.markdown("\n".join(f"- {c}" for c in spec.counterparts))
        if spec.differences:
            st.markdown("**Where losscore differs from MXNet 1.9.1**")
            st.markdown("\n".join(f"- {d}" for d in spec.differences))


#: Short ids of the losses with a loss-vs-prediction curve, used in widget keys (``cmp_huber_rho``).
SHORT_IDS: dict[str, str] = {
    "L1Loss": "l1",
    "L2Loss": "l2",
    "HuberLoss": "huber",
    "SigmoidBinaryCrossEntropyLoss": "bce",
    "LogisticLoss": "logistic",
    "HingeLoss": "hinge",
    "SquaredHingeLoss": "sqhinge",
    "PoissonNLLLoss": "poisson",
}


def curve_section(name: str, key: str, *, present: bool = False, notes: str = "",
                  defaults: dict[str, Any] | None = None, header: bool = True) -> None:
    """A whole explainer for one loss: formula, text, every parameter, label, chart with marker and tangent.

    Widget keys are ``{key}_{param}`` (``huber_rho``), ``{key}_label`` (``{key}_label01`` for 0/1 labels),
    ``{key}_sw`` (sample weight) and
    ``{key}_pred`` for the marker (``{key}_prob`` / ``{key}_rate`` when the x-axis is a probability or a rate).
    The text around the controls is written once per page run; the controls and the chart are a fragment
    (:func:`curve_explorer`), so moving one of its widgets reruns and redraws only that part.
    """
    spec = CATALOG[name]
    if header:
        st.subheader(spec.title, anchor=key)
    st.latex(spec.formula)
    st.markdown(spec.summary)
    if notes and not present:
        st.markdown(notes)
    curve_explorer(name, key, present=present, defaults=defaults)
    if not present:
        show_counterparts(spec)


def _marker_start(spec: LossSpec, rng: CurveRange) -> float:
    if rng.suffix != "pred":
        return _MARKER_START.get(rng.suffix, 1.0)
    return 2.0 if spec.curve == "regression" and spec.name != "PoissonNLLLoss" else 0.5


_MARKER_HELP = "Where to read off the loss and its gradient; the dotted line is the tangent there."


@st.fragment
def curve_explorer(name: str, key: str, *, present: bool = False,
                   defaults: dict[str, Any] | None = None) -> CurveView:
    """The live part of :func:`curve_section`: the loss's parameters, label, sample weight and marker, and the
    loss and gradient chart (with its export panel). Returns the CurveView it plotted.

    With live charts (:mod:`lossapp.live_chart`), the prediction marker, ``weight`` and ``sample_weight`` (and the
    label of a loss of pred − label, ``LossSpec.label_shift``, or of a loss linear in its label, ``label_linear``)
    are sliders under the chart that the browser applies by itself (a loss is linear in both weights, such a
    label slides the curve or mixes the curves at labels 0 and 1, and the marker only picks a point of the
    plotted grid), so moving them costs no script run; the values at the marker are shown under the chart.
    Otherwise every control is a Streamlit widget and the values are metrics.
    """
    spec = CATALOG[name]
    live = live_charts_enabled()
    # with live charts, a label that only slides the curve is a browser-side slider too
    lparam = label_param(spec, spec.defaults())
    shift = live and spec.label_shift and lparam.kind == "float"
    # the parameter that scales a mixed label's label-1 part (SigmoidBCE's pos_weight) moves in the browser too,
    # and so does a margin that slides the curve by the label (the hinges)
    pscale = spec.positive_scale if live and spec.label_linear and lparam.kind == "float" else None
    mshift = spec.margin_shift if live and lparam.kind == "choice" else None
    # and so does a curve parameter with a slider of its own (Huber's rho): the page sends the curves at the
    # values around it (not for a mixed label, whose label-1 curves would not follow)
    framed = tuple(p.name for p in spec.params if live and frame_param(p) and p.where == "init"
                   and p.name not in (pscale, mshift) and not (spec.label_linear and lparam.kind == "float"))
    if live and shift and not [p for p in spec.params if p.name not in ("weight", *framed)]:
        left = right = st.container()  # every control sits under the chart: the chart takes the whole width
    else:
        left, right = st.columns([1, 2.4], gap="medium")
    with left:
        params = param_controls(spec, key, defaults=defaults,
                                skip=("weight", *(p for p in (pscale, mshift) if p), *framed) if live else ())
        lparam = label_param(spec, params)
        # a different key when the label convention changes, so a stored -1 never meets the {0, 1} choice
        lkey = control_key(key, "label") + ("01" if lparam.choices == (0.0, 1.0) else "")
        # a label the loss is linear in is mixed in the browser from the curves at 0 and 1 (not PoissonNLL's
        # compute_full, whose Stirling term is not linear in the label)
        mix = (live and spec.label_linear and lparam.kind == "float" and not params.get("compute_full"))
        if not shift and not mix:
            label = param_control(lparam, lkey)
        rng = curve_range(name, params)
        start = _marker_start(spec, rng)
        if not live:
            sample_weight = param_control(SAMPLE_WEIGHT, control_key(key, "sample_weight"))
            marker = float(_slider(st, "prediction marker", rng.lo, rng.hi, float(start), rng.step,
                                   key=f"{key}_{rng.suffix}", help=_MARKER_HELP, format="%.2f"))
    short = short_name(spec)
    if live:
        weight_param = next(p for p in spec.params if p.name == "weight")
        sliders = (
            # the marker's steps start at a multiple of the step (0.05 on the rate axis, not its end 0.01), so round
            # rates such as 1 and 2 are among them
            client_slider(f"{key}_{rng.suffix}", "prediction marker",
                          low=math.ceil(rng.lo / rng.step - 1e-9) * rng.step, high=rng.hi, step=rng.step,
                          default=float(start), role="marker", help=_MARKER_HELP),
            *((client_slider(lkey, "label", low=float(lparam.low), high=float(lparam.high), step=float(lparam.step),
                             default=float(lparam.default), role="shift" if shift else "mix", help=lparam.help),)
              if shift or mix else ()),
            *((client_param(spec.param(pscale), control_key(key, pscale), (defaults or {}).get(pscale),
                             role="pscale"),) if pscale and mix else ()),
            *((client_param(spec.param(mshift), control_key(key, mshift), (defaults or {}).get(mshift),
                             role="shift", factor=float(label)),) if mshift else ()),
            *(client_param(spec.param(p), control_key(key, p), (defaults or {}).get(p), role="frame") for p in framed),
            client_param(weight_param, control_key(key, "weight"), (defaults or {}).get("weight")),
            client_param(SAMPLE_WEIGHT, control_key(key, "sample_weight"), None),
        )
        values = {s.role if s.role not in ("scale", "frame") else s.id: s.value for s in sliders}
        params = {**params, **{p: values[control_key(key, p)] for p in framed}}
        if mshift:
            params = {**params, mshift: values["shift"]}
        marker = values["marker"]
        weight = values[control_key(key, "weight")]
        sample_weight = values[control_key(key, "sample_weight")]
        if shift or mix:
            label = values["shift" if shift else "mix"]
        if pscale and mix:
            params = {**params, pscale: values["pscale"]}
        elif pscale:  # not mixed after all: the scale was left out of the widgets, so it keeps its default
            params = {**params, pscale: spec.param(pscale).default}
        params = {**params, "weight": weight}
        with right:
            view = curve_view(name, params, label, sample_weight, marker, rng)
            unit = {**params, "weight": 1.0, **({pscale: 1.0} if pscale and mix else {})}
            # what the chart is drawn from: the curves at scale 1, with what the browser applies taken out
            if shift:  # drawn at label 0 over every prediction minus label the sliders can reach
                base_rng = CurveRange(rng.lo - float(lparam.high), rng.hi - float(lparam.low), rng.dx, rng.step,
                                      rng.title, rng.suffix)
                base_params, base_label = {**params, "weight": 1.0}, 0.0
            elif mshift:  # drawn at margin 0 over every prediction the margin can slide into view
                reach = max(abs(float(spec.param(mshift).low)), abs(float(spec.param(mshift).high)))
                base_rng = CurveRange(rng.lo - reach, rng.hi + reach, rng.dx, rng.step, rng.title, rng.suffix)
                base_params, base_label = {**params, "weight": 1.0, mshift: 0.0}, label
            elif mix:  # drawn at label 0, and at label 1 for the browser to mix
                base_rng, base_params, base_label = rng, unit, 0.0
            else:
                base_rng, base_params, base_label = rng, unit, label
            base = curve_view(name, base_params, base_label, 1.0, marker, base_rng)
            at_one = curve_view(name, unit, 1.0, 1.0, marker, rng) if mix else None

            def curves_at(value: float, p: str) -> tuple[Curve, ...]:
                """The base's curves with parameter ``p`` at ``value``."""
                return curve_view(name, {**base_params, p: value}, base_label, 1.0, marker, base_rng).curves

            chart(view, key, present=present, base=base, sliders=sliders, names={spec.name: short},
                  xrange=(rng.lo, rng.hi) if shift or mshift else None, mix=at_one,
                  curves_at={control_key(key, p): (lambda v, p=p: curves_at(v, p)) for p in framed})
        return view
    with left:
        value, grad = point_value(name, tuple(sorted(params.items())), float(label), float(sample_weight), marker)
        st.metric(f"{short}: loss", fmt(value), help=f"{spec.name} at prediction {marker:g}, label {label:g}")
        st.metric(f"{short}: gradient", fmt(grad), help=f"dL/dpred of {spec.name} at prediction {marker:g}")
    with right:
        view = curve_view(name, params, label, sample_weight, marker, rng)
        chart(view, key, present=present)
    return view


def client_param(param, key: str, default: Any = None, *, role: str = "scale", factor: float = 1.0,
                 label: str | None = None, curve: str = "") -> ClientSlider:
    """A catalog parameter (a weight, pos_weight, a margin) as a browser-side slider with its range and help
    (labelled with the parameter's name unless ``label`` is given; ``curve``: see ClientSlider)."""
    return client_slider(key, label or param.name, low=float(param.low), high=float(param.high),
                         step=float(param.step), default=float(param.default if default is None else default),
                         role=role, help=param.help, factor=factor, curve=curve)


# -- cached computations behind the pages ------------------------------------------------------------------------
# They live here rather than in the page scripts so that each cached function is created once per process
# (a decorator inside a page would be re-created, and its source re-hashed, on every script run).


@cache_data(max_entries=256, show_spinner=False)
def l2_values(pred: tuple, label: tuple, weight: float, sample_weight: tuple | None = None) -> list[float]:
    sw = None if sample_weight is None else np.array(sample_weight)
    return L2Loss(weight=weight)(np.array(pred), np.array(label), sw).tolist()


#: How many examples' losses the Basics chart prints under itself (every bar is drawn).
EXAMPLE_STATS = 4


def example_losses_chart(at_one: Sequence[float], weight: float, slider: ClientSlider, *, key: str,
                         present: bool = False) -> None:
    """The Basics chart: one bar per example, its L2 loss at ``weight`` (``at_one``: the losses at weight 1),
    with the weight as a browser-side slider under it that rescales the bars and the numbers below them."""
    at_one = np.asarray(at_one, dtype=float)
    names = [f"example {i}" for i in range(at_one.size)]
    shown = min(at_one.size, EXAMPLE_STATS)

    def columns(weights: np.ndarray) -> dict[str, Any]:
        rows = weights[:, None] * at_one[None, :]
        return {"traces": {0: {"y": rows}}, "stats": rows[:, :shown]}

    values = weight * at_one
    fig = figures.SpecFigure(*figures.bar_spec(names, {"L2Loss(pred, label)": values}, y_title="loss",
                                               present=present, height=260))
    plotly_chart(fig, key=key, alt=f"Bars of the L2 loss of each example at weight {weight:g}: "
                                   f"{', '.join(fmt(v) for v in values)}.",
                 sliders=[slider], stats=[Stat(f"loss of {n}", fmt(v)) for n, v in zip(names, values[:shown],
                                                                                     strict=False)],
                 frames={slider.id: frame_table(slider, columns)})


@cache_data(max_entries=256, show_spinner=False)
def l2_batch(pred: tuple, label: tuple, batch_axis: int) -> list[float]:
    """L2Loss on a matrix with the examples along ``batch_axis``: one value per example."""
    return L2Loss(batch_axis=batch_axis)(np.array(pred), np.array(label)).tolist()


@cache_data(max_entries=256, show_spinner=False)
def dense_gradients(seed: int, y: tuple, h: float) -> dict:
    """Forward and backward of L2Loss(Dense(1)(X), y): chain rule with losscore's gradient vs finite differences."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, size=(2, 4))
    w = rng.uniform(-0.07, 0.07, size=(1, 4))  # the range of MXNet's default initializer for Dense weights
    b = np.zeros(1)
    labels = np.array(y, dtype=np.float64)
    loss = L2Loss()

    def total(w_, b_):
        return float(loss(x @ w_.T + b_, labels).sum())

    out = x @ w.T + b
    values, dout = loss.value_and_grad(out, labels)  # dout: dL/dout, shape (2, 1)
    dw = dout.T @ x
    db = dout.sum(axis=0)
    fd_w = np.zeros_like(w)
    for j in range(w.shape[1]):
        step = np.zeros_like(w)
        step[0, j] = h
        fd_w[0, j] = (total(w + step, b) - total(w - step, b)) / (2 * h)
    fd_b = np.array([(total(w, b + h) - total(w, b - h)) / (2 * h)])
    return dict(x=x, w=w, b=b, out=out, values=values, dout=dout, dw=dw, db=db, fd_w=fd_w, fd_b=fd_b)


#: A log axis has no zero: a parameter where the two gradients agree exactly is drawn at this height.
FD_FLOOR = 1e-18
FD_GAP_HELP = ("Between the chain-rule gradient and the finite difference. L2 is quadratic in W, so the central "
               "difference is exact up to rounding for any h.")


def fd_disagreement(seed: int, y: tuple, h: float) -> np.ndarray:
    """|chain rule − central difference| for W[0..3] and b of :func:`dense_gradients` at step ``h``."""
    g = dense_gradients(seed, y, h)
    return np.abs(np.concatenate([g["dw"][0], g["db"]]) - np.concatenate([g["fd_w"][0], g["fd_b"]]))


def fd_check_chart(seed: int, y: tuple, exponent: float, slider: ClientSlider, *, key: str,
                   present: bool = False) -> None:
    """The Basics Dense-layer check as a chart: for each parameter, how far the central difference at
    h = 10^exponent lands from the chain-rule gradient (log scale), with the exponent as a browser-side slider
    under it (every step worked out in advance; the step and the largest disagreement are the numbers below)."""
    names = [f"W[{j}]" for j in range(4)] + ["b"]
    gaps = {float(e): fd_disagreement(seed, y, 10.0 ** e) for e in window_values(slider)}

    def numbers(e: float) -> list[str]:
        return [f"{10.0 ** e:.0e}", f"{gaps[float(e)].max():.2e}"]

    def columns(exponents: np.ndarray) -> dict[str, Any]:
        rows = np.array([gaps[float(e)] for e in exponents])
        return {"traces": {0: {"y": np.maximum(rows, FD_FLOOR)}}, "stats": [numbers(e) for e in exponents]}

    shown = gaps[float(exponent)]
    top = float(np.log10(max(max(g.max() for g in gaps.values()), FD_FLOOR)))
    data, layout = figures.bar_spec(names, {"|chain rule − central difference|": np.maximum(shown, FD_FLOOR)},
                                    y_title="|difference| (log scale)", present=present, height=260)
    layout["yaxis"].update(type="log", range=[np.log10(FD_FLOOR), np.ceil(top) + 0.5], autorange=False, dtick=2,
                           exponentformat="power")
    step_text, worst = numbers(exponent)
    plotly_chart(figures.SpecFigure(data, layout), key=key,
                 alt=(f"Bars of the gap between the chain-rule gradient and the central difference at h = "
                      f"{step_text}, per parameter, on a log scale: "
                      + ", ".join(f"{n} {v:.1e}" for n, v in zip(names, shown, strict=True))
                      + f" (an exact match is drawn at {FD_FLOOR:.0e})."),
                 sliders=[slider],
                 stats=[Stat("step h", step_text, "h = 10^k, the slider's value k."),
                        Stat("largest disagreement", worst, FD_GAP_HELP)],
                 frames={slider.id: frame_table(slider, columns)})


@cache_data(max_entries=256, show_spinner=False)
def double_sigmoid_demo(q: float, label: float) -> dict:
    """The same network output q (already a probability) fed to the loss with both from_sigmoid settings."""
    grid = np.linspace(0.01, 0.99, 981)
    out = {}
    for flag in (True, False):
        loss = SigmoidBinaryCrossEntropyLoss(from_sigmoid=flag)
        values, grad = loss.value_and_grad(grid, np.full_like(grid, label))
        at, at_grad = loss.value_and_grad(np.array([q]), np.array([label]))
        out[flag] = (grid, values, grad, float(at[0]), float(at_grad[0]))
    return out



# -- deep dives: cached computations ------------------------------------------------------------------------------
# Plain parameter tuples in, lossapp.deep_dives (losscore underneath) does the work.


@cache_data(max_entries=256, show_spinner=False)
def softmax_ce(logits: tuple, label: tuple, label_shape: tuple, sample_weight: tuple, axis: int,
               sparse_label: bool, from_logits: bool, weight: float) -> tuple[np.ndarray, np.ndarray]:
    loss = SoftmaxCrossEntropyLoss(axis=axis, sparse_label=sparse_label, from_logits=from_logits, weight=weight)
    x = np.array(logits, dtype=np.float64)
    lab = np.array(label, dtype=np.float64).reshape(label_shape)
    return loss.value_and_grad(x, lab, np.array(sample_weight, dtype=np.float64))


@cache_data(max_entries=256, show_spinner=False)
def softmax_along_logit(row: tuple, k: int, true_class: int, from_logits: bool, weight: float):
    grid = np.linspace(-20.0, 20.0, 2001)
    x = np.tile(np.array(row, dtype=np.float64), (grid.size, 1))
    x[:, k] = grid
    loss = SoftmaxCrossEntropyLoss(from_logits=from_logits, weight=weight)
    values, grad = loss.value_and_grad(x, np.full(grid.size, true_class))
    return grid, values, grad[:, k]


@cache_data(max_entries=256, show_spinner=False)
def naive_vs_fused(row: tuple, y: int, dtype: str) -> dict:
    x = np.array(row, dtype=dtype)
    with np.errstate(all="ignore"):  # the point of the demo: overflow, inf / inf and log(0) happen here
        e = np.exp(x)
        p = e / e.sum()
        naive = -np.log(p[y])
    fused = SoftmaxCrossEntropyLoss()(x[None, :], np.array([y]))[0]
    return {"exp": e, "p": p, "naive": float(naive), "fused": float(fused)}


@cache_data(max_entries=256, show_spinner=False)
def softmax_sliders(logits: tuple, y: int, smoothing: float) -> dict:
    return dd.softmax_view(logits, y, smoothing)


@cache_data(max_entries=256, show_spinner=False)
def kl_terms(pred: tuple, target: tuple, sample_weight: tuple, from_logits: bool, axis: int, weight: float):
    x, q = np.array(pred, dtype=np.float64), np.array(target, dtype=np.float64)
    loss = KLDivLoss(from_logits=from_logits, axis=axis, weight=weight)
    values, grad = loss.value_and_grad(x, q, np.array(sample_weight, dtype=np.float64))
    if from_logits:
        log_p = x
    else:
        shifted = x - x.max(axis=axis, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    with np.errstate(divide="ignore"):
        terms = q * (np.log(q + 1e-12) - log_p)
    return values, grad, np.exp(log_p), terms


@cache_data(max_entries=256, show_spinner=False)
def kl_bars(q_weights: tuple, pred: tuple, as_logits: bool) -> dict:
    """Both KL directions for the section's weights (NaN throughout where a distribution's weights are all 0)."""
    q = dd.normalise_rows(np.array([q_weights], dtype=np.float64))[0]
    if as_logits:
        return dd.kl_both_ways(q, logits=np.array(pred))
    return dd.kl_both_ways(q, p=dd.normalise_rows(np.array([pred], dtype=np.float64))[0])


@cache_data(max_entries=256, show_spinner=False)
def poisson_counts(counts: tuple, rate: float, compute_full: bool) -> dict:
    return dd.poisson_counts_view(counts, rate, compute_full, lo=0.05, hi=10.0, num=399)


@cache_data(max_entries=64, show_spinner=False)
def stirling(tmax: int) -> dict:
    return dd.stirling_table(tmax)


@cache_data(max_entries=256, show_spinner=False)
def triplet_terms(a: tuple, p: tuple, n: tuple, margin: float, weight: float, lr: float = 0.25) -> dict:
    return dd.triplet_view(a, p, n, margin, weight, lr)


@cache_data(max_entries=256, show_spinner=False)
def cosine_terms(x: tuple, y: tuple, label: float, margin: float, weight: float, sample_weight: float) -> dict:
    loss = CosineEmbeddingLoss(margin=margin, weight=weight)
    a, b = np.array([x], dtype=np.float64), np.array([y], dtype=np.float64)
    values, (ga, gb) = loss.value_and_grad(a, b, np.array([label]), np.array([sample_weight]),
                                           wrt=("input1", "input2"))
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    cos = float((a * b).sum() / norm) if norm > 0 else 0.0
    return {"loss": float(values[0]), "cos": cos, "ga": ga[0], "gb": gb[0]}


@cache_data(max_entries=256, show_spinner=False)
def cosine_angle(theta: float, margin: float, weight: float, sample_weight: float) -> dict:
    return dd.cosine_angle_view(theta, margin, weight, sample_weight)


@cache_data(max_entries=256, show_spinner=False)
def sdml_terms(x1: tuple, x2: tuple, alpha: float, lr: float = 0.25) -> dict:
    return dd.sdml_view(x1, x2, alpha, lr)


ctc_path = dd.ctc_path  # kept importable from here


def ctc_numbers(word: str, extra: str, steps: int, preset: str, strength: float, temperature: float, seed: int,
                edited: tuple | None, layout: str, label_layout: str, weight: float, sample_weight: float,
                pred_length: int, label_length: int) -> dict:
    """The CTC view's numbers: preset (or typed) activations divided by the temperature, through
    :func:`lossapp.deep_dives.ctc_analysis`; also the activations before the temperature (``scores``) and the
    valid steps used (``pred_length``).
    :func:`ctc_view` is the same, cached."""
    return ctc_numbers_along(dict(zip(CTC_VIEW_ARGS, (
        word, extra, steps, preset, strength, temperature, seed, edited, layout, label_layout, weight, sample_weight,
        pred_length, label_length), strict=True)))[0]


#: The CTC view's arguments that :func:`ctc_numbers_along` can vary within one batch.
CTC_BATCH_ARGS = ("steps", "strength", "temperature", "pred_length")


def ctc_numbers_along(kw: dict[str, Any], arg: str | None = None, values: Sequence = ()) -> list[dict]:
    """:func:`ctc_numbers` of the view ``kw`` (``CTC_VIEW_ARGS`` by name), or, given ``arg`` (one of
    :data:`CTC_BATCH_ARGS`), of ``kw`` with ``arg`` set to each of ``values``: one batched analysis
    (:func:`lossapp.deep_dives.ctc_analyses`) for all of them. Another number of steps also moves
    pred_length as the page's slider does: with T while it is all of them, else at most T."""
    if arg is not None and arg not in CTC_BATCH_ARGS:
        raise ValueError(f"arg must be one of {CTC_BATCH_ARGS}; got {arg!r}")
    if arg == "steps":
        follows = kw["pred_length"] == kw["steps"]
        settings = [{**kw, "steps": v, "pred_length": v if follows else min(kw["pred_length"], v)} for v in values]
    else:
        settings = [kw] if arg is None else [{**kw, arg: v} for v in values]
    vocab = dd.ctc_vocabulary(kw["word"], kw["extra"])
    if kw["preset"] == "edit" and kw["edited"] is not None:
        typed = np.array(kw["edited"], dtype=np.float64)
        scores = [typed] * len(settings)
    elif arg in ("strength", "steps"):
        scores = [dd.ctc_preset_scores(kw["word"], vocab, s["steps"], kw["preset"], s["strength"], kw["seed"])
                  for s in settings]
    else:
        scores = [dd.ctc_preset_scores(kw["word"], vocab, kw["steps"], kw["preset"], kw["strength"],
                                       kw["seed"])] * len(settings)
    longest = max(sc.shape[0] for sc in scores)  # fewer steps: padded with zeros past them (never read)
    x = np.zeros((len(settings), longest, len(vocab)))
    for i, (sc, s) in enumerate(zip(scores, settings, strict=True)):
        x[i, :sc.shape[0]] = sc / s["temperature"]
    results = dd.ctc_analyses(x, kw["word"], vocab, layout=kw["layout"], label_layout=kw["label_layout"],
                              weight=kw["weight"], sample_weight=kw["sample_weight"],
                              pred_lengths=[s["pred_length"] for s in settings], label_length=kw["label_length"],
                              steps=[sc.shape[0] for sc in scores])
    for r, sc, s in zip(results, scores, settings, strict=True):
        r["scores"], r["pred_length"] = sc, s["pred_length"]
    return results


ctc_view = cache_data(max_entries=256, show_spinner=False)(ctc_numbers)


# -- deep dives: page sections --------------------------------------------------------------------------------------
# Each section is a fragment: moving one of its widgets reruns only that section. Widget keys are short and
# bound to the URL; long explanations are left out in presentation mode.


_slider = bound_slider


def marker_control(box, label: str, low: float, high: float, value: float, step: float, *, key: str,
                   help: str) -> tuple[float, ClientSlider | None]:
    """A marker slider: browser-side under the chart with live charts (returned, for :func:`chart`), else a
    Streamlit slider in ``box``. Returns the value and the browser-side slider (None for a Streamlit one)."""
    if live_charts_enabled():
        s = client_slider(key, label, low=low, high=high, step=step, default=value, role="marker", help=help)
        return s.value, s
    return float(_slider(box, label, low, high, value, step, key=key, help=help)), None


def _number(box, label: str, low, high, value, step, **kw):
    """``box.number_input`` bound to the URL, the link's value checked first."""
    urlstate.guard_number(kw["key"], low=low, high=high, default=value, integer=isinstance(value, int))
    kw.setdefault("bind", BIND)
    return box.number_input(label, low, high, value, step, **kw)


def _radio(box, label: str, options, **kw):
    """``box.radio`` bound to the URL, the link's value checked first (an unknown option falls back with a notice)."""
    options = list(options)
    shown = kw.get("format_func", str)
    urlstate.guard_choice(kw["key"], options=options, default=options[kw.get("index", 0)],
                          labels=[shown(o) for o in options])
    kw.setdefault("bind", BIND)
    return box.radio(label, options, **kw)


def _toggle(box, label: str, value: bool, **kw):
    """``box.toggle`` bound to the URL, the link's value checked first."""
    urlstate.guard_bool(kw["key"], default=value)
    kw.setdefault("bind", BIND)
    return box.toggle(label, value, **kw)



@cache_resource(max_entries=512, show_spinner=False)
def _memo_figure(kind: str, key: tuple, _build: Callable[[], Any]):
    """A figure built once per (kind, key): ``key`` must hold every value the figure depends on (plain values:
    the input parameters, not result arrays, which are slow to hash). Frozen: treat it as read-only."""
    return deep_figures.freeze(_build())


def _plot(fig, key: str, alt: str, *, caption: bool = True) -> None:
    """A chart with its text description as the accessible name and, visibly, as a caption."""
    plotly_chart(fig, key=key, alt=alt)
    if caption:
        st.caption(alt)


def _nums(values: Any, digits: int = 4) -> str:
    """A short list of numbers for captions: [0.2, 0.5, 0.3] (rounded, no -0)."""
    return "[" + ", ".join(fmt(v, digits) if not np.isfinite(v) else f"{round(float(v), digits) + 0.0:g}"
                           for v in np.ravel(values)) + "]"


def _curve_figure(view: CurveView, present: bool, vlines: tuple = ()):
    """The (memoised) curve chart of ``view`` with optional labelled vertical lines."""
    return _memo_figure("curve", (view_fingerprint(view), present, vlines),
                        lambda: figures.curve_figure(view, present=present, vlines=vlines))


def _curve_chart(view: CurveView, key: str, present: bool, vlines: tuple = ()) -> None:
    """Like :func:`chart` without the export panel, with optional labelled vertical lines."""
    _plot(_curve_figure(view, present, vlines), f"{key}_chart", view.alt_text())


# -- 4: softmax cross-entropy -------------------------------------------------------------------------------------


@st.fragment
def softmax_tutorial_section(present: bool) -> None:
    """The tutorial's example with every parameter, then the loss of its first row as one logit moves."""
    spec = CATALOG["SoftmaxCrossEntropyLoss"]
    st.header("The tutorial's example")
    left, right = st.columns([1, 1.6], gap="medium")
    with left:
        params = param_controls(spec, "sce", skip=("weight",))
        logits = array_input("pred (logits)", "1, 10; 8, 2", "sce_pred", ndim=2,
                             help="One row per example, one column per class; rows separated by ';'.")
        if params["sparse_label"]:
            label = array_input("label (class indices)", "0, 1", "sce_label",
                                help="The true class of each row, counting from 0 (one index per position along "
                                     "the non-class axes).")
        else:
            label = array_input("label (a distribution per row)", "1, 0; 0, 1", "sce_dense", ndim=2,
                                help="Dense labels: target probabilities, the same shape as pred.")
        sample_weight = array_input("sample_weight", "1, 1", "sce_sw",
                                    help="One weight per example (row), or a single number.")
        # with live charts the weight scales the chart of the loss along one logit in the browser (the numbers
        # of the example follow once it is still); a Streamlit slider when that chart is not shown
        first = label.ravel()[0] if label is not None and label.size else 0.0
        true_class = int(first) if float(first).is_integer() else 0  # the class of example 0, for the chart
        curve_shown = (logits is not None and label is not None and params["sparse_label"]
                       and 0 <= true_class < logits.shape[1])
        weight_slider = None
        if live_charts_enabled() and curve_shown:
            weight_slider = client_param(spec.param("weight"), control_key("sce", "weight"))
            params["weight"] = weight_slider.value
        else:
            params["weight"] = param_control(spec.param("weight"), control_key("sce", "weight"))
    result = None
    if logits is not None and label is not None and sample_weight is not None:
        try:
            result = softmax_ce(tuple(map(tuple, logits)), tuple(label.ravel()), label.shape, tuple(sample_weight),
                                params["axis"], params["sparse_label"], params["from_logits"], params["weight"])
        except (ValueError, TypeError) as exc:
            left.error(f"{exc}")
    with right:
        if result is not None:
            values, grad = result
            if not params["sparse_label"] and (note := input_checks.distribution_warning(
                    label, "label", "cross-entropy", axis=params["axis"])):
                st.warning(note)
            cols = st.columns(min(len(values), 4))
            for i, v in enumerate(values[:4]):
                cols[i].metric(f"loss of example {i}", fmt(v))
            axis = params["axis"] % logits.ndim
            probs = np.exp(logits - logits.max(axis=axis, keepdims=True))
            probs /= probs.sum(axis=axis, keepdims=True)
            if axis == 1:
                rows, columns = None, [f"class {j}" for j in range(logits.shape[1])]
            else:  # classes run down the columns
                rows = [f"class {i}" for i in range(logits.shape[0])]
                columns = [f"position {j}" for j in range(logits.shape[1])]
            if axis == 0:
                st.caption(
                    "axis=0: the classes run down each column, so every column is one softmax. The batch axis "
                    "is also axis 0 and has only one entry left after the softmax, so the loss is a single "
                    "value: the mean of the per-column losses."
                )
            if params["from_logits"]:
                st.caption("from_logits=True: pred is read as log-probabilities as they stand, so no softmax is "
                           "applied and the loss is simply −pred at the true class.")
            else:
                st.markdown(f"**softmax(pred)** along axis {params['axis']}")
                st.dataframe(pd.DataFrame(probs, index=rows, columns=columns), width="content")
            st.markdown("**dL/dpred** (softmax minus the one-hot label, times the weights)")
            st.dataframe(pd.DataFrame(grad, index=rows, columns=columns), width="content")
            if not present:
                st.caption(
                    "With the defaults the first row puts almost all its probability on class 1 while the label "
                    "says class 0: loss ≈ 10 − 1 = 9.0001. The second row's label is class 1, which is 6 below "
                    "the winner: loss ≈ 6.0025."
                )
    if not present:
        show_counterparts(spec)

    st.header("The loss as one logit moves")
    if not present:
        st.markdown(
            "Take the first example, keep the other logits where they are and slide one of them. For the true "
            "class the loss falls towards zero, shaped like a softplus; for any other class it rises and becomes "
            "a straight line of slope 1 once that class dominates. The gradient panel is the familiar "
            "p − onehot: between −1 and 0 for the true class, between 0 and 1 for the others."
        )
    if logits is not None and label is not None and params["sparse_label"]:
        n_classes = logits.shape[1]
        c1, c2 = st.columns([1, 2.4], gap="medium")
        with c1:
            k = int(_radio(st, "class whose logit moves", list(range(n_classes)), index=0, key="sce_k",
                           horizontal=True, bind=BIND,
                           help="Which class's logit of the first example the chart sweeps."))
            z, z_slider = marker_control(st, "its value (marker)", -20.0, 20.0, float(np.clip(logits[0, k], -20, 20)),
                                         0.1, key="sce_z", help="Where to read off the loss and gradient.")
        if curve_shown:
            others = ", ".join(f"{v:g}" for j, v in enumerate(logits[0]) if j != k)

            def view_at(weight: float) -> CurveView:
                grid, values, grad = softmax_along_logit(tuple(logits[0]), k, true_class, params["from_logits"],
                                                         weight)
                return CurveView(
                    title=f"Softmax cross-entropy of example 0 (true class {true_class}) as logit {k} moves",
                    curves=(Curve(f"loss vs logit {k}", grid, values, grad),), marker=z,
                    x_title=f"logit of class {k} (others fixed at {others})",
                    label=float(true_class), loss_names=("SoftmaxCrossEntropyLoss",),
                    params={"from_logits": params["from_logits"], "weight": weight},
                )

            view = view_at(params["weight"])
            sliders = tuple(s for s in (z_slider, weight_slider) if s is not None)
            with c2:
                chart(view, "sce_curve", present=present, sliders=sliders,
                      base=view_at(1.0) if weight_slider is not None else None,
                      labels={view.curves[0].name: ("loss there", "dL/dlogit there")})
            if z_slider is None:
                with c1:
                    value, slope = view.curves[0].at(z)
                    st.metric("loss there", fmt(value))
                    st.metric("dL/dlogit there", fmt(slope))
    elif not params["sparse_label"]:
        st.info("This chart follows the sparse label of the first example; switch sparse_label back on to see it.")


#: Starting logits of the slider view (the first K are used).
SM_LOGITS = (2.0, 1.0, 0.1, -1.0, 0.5)


@st.fragment
def softmax_sliders_section(present: bool) -> None:
    """3 to 5 logits as sliders: softmax bars, the loss for a sparse and a smoothed dense label, the gradient
    softmax − target, and the naive two-step loss next to the fused one as the logits are scaled up."""
    st.header("Logits as sliders: softmax, loss and gradient")
    if not present:
        st.markdown(
            "Move the logits of a single example and watch three things per class: the softmax probability p, "
            "the target q and the gradient p − q that the loss sends back to each logit. The gradient sums to "
            "zero across the classes, is negative only where the target asks for more probability than the "
            "softmax gives, and vanishes only when p equals q. A dense label smoothed by ε keeps a little "
            "target on every class, so even a perfect one-hot prediction keeps a non-zero loss and gradient. "
            "Multiply the logits to see the softmax sharpen and, past about 88 in float32 or 709 in float64, "
            "the step-by-step formula break while the fused loss carries on."
        )
    left, right = st.columns([1, 1.6], gap="medium")
    with left:
        n = int(_radio(st, "number of classes K", [3, 4, 5], index=1, key="sm_n", horizontal=True, bind=BIND,
                       help="How many logits (classes) the example has."))
        y = int(_radio(st, "true class y", list(range(n)), key="sm_y", horizontal=True, bind=BIND,
                       help="The class the label names."))
        kind = _radio(st, "label given as", ["sparse", "dense"], key="sm_kind", horizontal=True, bind=BIND,
                      captions=["the class index y", "a distribution over classes"],
                      help="Sparse: sparse_label=True and the label is y. Dense: sparse_label=False and the label "
                             "is (1 − ε)·onehot(y) + ε/K.")
        values, sliders = section_sliders(st, softmax_slider_defs(n))
    z, scale, eps = tuple(values[:n]), int(values[n]), float(values[n + 1])
    logits = tuple(v * scale for v in z)
    r = softmax_sliders(logits, y, eps)
    target = r["onehot"] if kind == "sparse" else r["soft"]
    grad = r["sparse_grad"] if kind == "sparse" else r["dense_grad"]
    classes = [f"class {j}" for j in range(n)]
    stats = softmax_stats(r)
    with right:
        fig = _memo_figure("sm_bars", (logits, y, eps, kind, present), lambda: figures.bar_figure(
            classes, {"softmax p": r["p"], f"label q ({kind})": target, "gradient p − q": grad},
            y_title="probability / gradient", present=present))
        alt = (f"Bars per class for logits {_nums(logits, 3)} and true class {y}: softmax p = {_nums(r['p'])}, "
               f"{kind} label q = {_nums(target)}, gradient dL/dlogit = p − q = {_nums(grad)}.")
        if sliders:
            plotly_chart(fig, key="sm_bars", alt=alt, sliders=sliders, stats=stats,
                         frames=softmax_frames(z, scale, y, eps, kind))
            st.caption(alt)
        else:
            show_stats(stats[:2], per_row=2)
            _plot(fig, "sm_bars", alt)
            show_stats(stats[2:])
        top = r["max_logit"]
        state = ("exp(largest logit) overflows float32 (limit 88.7) and float64 (limit 709.8)" if top > 709.78
                 else "exp(largest logit) overflows float32 (limit 88.7) but not float64" if top > 88.72
                 else "no exponential overflows yet")
        st.caption(f"Largest logit {top:g}: {state}. Step by step gives {fmt(r['naive32'])} in float32 and "
                   f"{fmt(r['naive64'])} in float64; the fused loss gives {fmt(r['sparse'])}.")


def softmax_slider_defs(n: int) -> list[SliderDef]:
    """The sliders of the softmax section: n logits, the common factor and the label smoothing ε."""
    return [SliderDef(f"sm_z{j}", f"logit of class {j}", -10.0, 10.0, SM_LOGITS[j], 0.1,
                      f"The raw score of class {j}, before the softmax.") for j in range(n)] + [
        SliderDef("sm_scale", "multiply every logit by", 1, 100, 1, 1,
                  "Scales all logits at once (up to ±1000) without changing their order."),
        SliderDef("sm_eps", "label smoothing ε (dense label)", 0.0, 1.0, 0.1, 0.05,
                  "How much of the dense label's probability is spread evenly over all classes."),
    ]


#: The numbers of the softmax section: (label, entry of the softmax view, help).
SM_STATS = (
    ("cross-entropy, sparse label y", "sparse", "−log p_y, SoftmaxCrossEntropyLoss()"),
    ("cross-entropy, dense label", "dense",
     "−Σ q_c log p_c with q = (1 − ε)·onehot(y) + ε/K, SoftmaxCrossEntropyLoss(sparse_label=False)"),
    ("softmax then −log, float32", "naive32", "exp, divide, log, all in float32"),
    ("softmax then −log, float64", "naive64", "exp, divide, log, all in float64"),
    ("fused (log-sum-exp)", "sparse", "SoftmaxCrossEntropyLoss: the largest logit is taken out before exp, so "
                                      "nothing overflows"),
)


def softmax_stats(r: dict) -> list[Stat]:
    return [Stat(label, fmt(r[entry]), help) for label, entry, help in SM_STATS]


@cache_data(max_entries=64, show_spinner=False)
def softmax_frames(z: tuple, scale: int, y: int, eps: float, kind: str) -> dict:
    """The softmax section's bars and numbers for every value of each of its sliders, the others held."""
    n = len(z)
    defs = softmax_slider_defs(n)
    base = np.array(z, dtype=np.float64)
    frames = {}
    for j, d in enumerate(defs):
        s = d.at()

        def columns(values: np.ndarray, j: int = j) -> dict:
            rows = np.tile(base, (values.size, 1))
            smoothing: float | np.ndarray = eps
            if j < n:
                rows[:, j] = values
                rows *= scale
            elif j == n:
                rows *= values[:, None]
            else:
                rows *= scale
                smoothing = values
            r = dd.softmax_rows(rows, y, smoothing)
            target = r["onehot"] if kind == "sparse" else r["soft"]
            grad = r["sparse_grad"] if kind == "sparse" else r["dense_grad"]
            traces = {0: {"y": r["p"]}, 2: {"y": grad}}
            if j > n and kind == "dense":  # ε moves the dense label
                traces[1] = {"y": target}
            return {"traces": traces, "stats": np.stack([r[entry] for _, entry, _ in SM_STATS], axis=1)}

        frames[d.key] = frame_table(s, columns)
    return frames


@st.fragment
def fused_section(present: bool) -> None:
    """Typed logits through the naive softmax-then-log route and through the fused loss, in float32 or 64."""
    st.header("Why softmax and log are fused")
    if not present:
        st.markdown(
            "Written out step by step, the loss is p = exp(x) / Σ exp(x), then −log p[y]. With large logits the "
            "first step breaks: exp(1000) is beyond the largest float64, so it becomes inf, and inf / inf is nan. "
            "With one large and one ordinary logit the small class gets probability exactly 0, and −log 0 = inf. "
            "The fused operator never forms exp(x): it computes log Σ exp(x) as m + log Σ exp(x − m) with m the "
            "largest logit, so every exponent is at most 0, and subtracts x[y]. The answer is the same number "
            "wherever the naive route works, and stays finite where it does not. In float32 (MXNet's default) "
            "the naive route already overflows a little above 88."
        )
    s1, s2 = st.columns([1, 1.6], gap="medium")
    with s1:
        big = array_input("logits", "1000, 0", "sce_big", help="One example's logits; try large values.",
                          max_size=20)
        dtype = _radio(st, "float type", ["float64", "float32"], key="sce_dtype", horizontal=True, bind=BIND,
                       help="float32 is MXNet's default; it overflows from exp(88.8) on.")
        true_big = None
        if big is not None:
            true_big = int(_radio(st, "true class", list(range(big.size)), key="sce_bigy", horizontal=True,
                                  bind=BIND, help="The label of this example (a class index)."))
    if big is not None and true_big is not None:
        r = naive_vs_fused(tuple(big), true_big, dtype)
        with s2:
            m1, m2 = st.columns(2)
            m1.metric("step by step: −log(softmax(x)[y])", fmt(r["naive"]),
                      help="exp, divide, then log, in the chosen float type")
            m2.metric("fused SoftmaxCrossEntropyLoss", fmt(r["fused"]),
                      help="log-sum-exp with the maximum taken out")
            st.dataframe(pd.DataFrame({"logit": big, "exp(logit)": [fmt(v) for v in r["exp"]],
                                       "softmax, step by step": [fmt(v) for v in r["p"]]},
                                      index=[f"class {j}" for j in range(big.size)]), width="content")
            if not np.isfinite(r["naive"]):
                st.caption(f"The step-by-step route gives {fmt(r['naive'])}; the fused loss gives "
                           f"{fmt(r['fused'])}.")


# -- 5: distributions ------------------------------------------------------------------------------------------------


@st.fragment
def kl_tutorial_section(present: bool) -> None:
    """The tutorial's KL example with every parameter, both directions and the sum-vs-mean point."""
    spec = CATALOG["KLDivLoss"]
    left, right = st.columns([1, 1.6], gap="medium")
    with left:
        params = param_controls(spec, "kl", defaults={"from_logits": False}, skip=("weight",))
        (params["weight"],), sliders = section_sliders(st, [KL_WEIGHT])
        pred = array_input("pred (network output)", "0.39056206, 1.3068528, 0.39056206, -0.30258512", "kl_pred",
                           ndim=2, help="One row per example; rows separated by ';'. Log-probabilities when "
                                        "from_logits is on, raw scores when it is off.")
        target = array_input("label (target distribution)", "0.3, 0.4, 0.1, 0.2", "kl_label", ndim=2,
                             help="Target probabilities, the same shape as pred (entries >= 0).")
        sample_weight = array_input("sample_weight", "1", "kl_sw", help="One weight per example, or a single number.")
    result = None
    if pred is not None and target is not None and sample_weight is not None:
        if pred.shape != target.shape:
            left.error(f"label: expected the shape of pred, {pred.shape[0]} row(s) of {pred.shape[1]}; got "
                       f"{target.shape[0]} row(s) of {target.shape[1]}.")
        else:
            try:
                result = kl_terms(tuple(map(tuple, pred)), tuple(map(tuple, target)), tuple(sample_weight),
                                  params["from_logits"], params["axis"], params["weight"])
            except (ValueError, TypeError) as exc:
                left.error(str(exc))
    with right:
        if result is not None:
            values, grad, probs, terms = result
            if note := input_checks.distribution_warning(target, "label", "KL divergence", axis=params["axis"]):
                st.warning(note)
            q0, p0 = target[0], probs[0]
            reverse = _reverse_kl(tuple(q0), tuple(p0)) if q0.sum() > 0 and p0.sum() > 0 else math.nan
            stats = kl_tutorial_stats(values[0], pred[0].size, reverse)
            if not sliders:
                show_stats(stats)
            if len(values) > 1:
                st.caption("Every example: " + ", ".join(fmt(v) for v in values))
            what = "exp(pred)" if params["from_logits"] else "softmax(pred)"
            bars_key = (tuple(map(tuple, pred)), tuple(map(tuple, target)), params["from_logits"], params["axis"],
                        present)
            frames = None
            if sliders:  # the weight scales the divergence (and leaves the bars as they are)
                at_one = values[0] / params["weight"] if params["weight"] else kl_terms(
                    tuple(map(tuple, pred)), tuple(map(tuple, target)), tuple(sample_weight), params["from_logits"],
                    params["axis"], 1.0)[0][0]
                frames = {KL_WEIGHT.key: frame_table(sliders[0], lambda w: {"stats": np.stack(
                    [w * at_one, w * at_one / pred[0].size, np.full(w.size, reverse)], axis=1)})}
            plotly_chart(
                _memo_figure("kl_bars", bars_key, lambda: figures.bar_figure(
                    [f"class {j}" for j in range(pred.shape[1])],
                    {"target q": target[0], f"prediction p = {what}": probs[0]}, y_title="probability",
                    present=present)),
                key="kl_bars",
                alt=f"Bars of the target distribution {target[0].round(4).tolist()} and the prediction "
                    f"{probs[0].round(4).tolist()} for example 0.",
                sliders=sliders, stats=stats if sliders else (), frames=frames,
            )
            st.caption(f"Example 0: target q = {target[0].round(4).tolist()}; prediction p = {what} = "
                       f"{probs[0].round(4).tolist()}.")
            st.dataframe(pd.DataFrame({"q": target[0], f"p = {what}": probs[0], "q·(log q − log p)": terms[0],
                                       "dL/dpred": grad[0]}, index=[f"class {j}" for j in range(pred.shape[1])]),
                         width="content")
            total = probs.sum(axis=params["axis"])
            if params["from_logits"] and not np.allclose(total, 1.0, atol=1e-3):
                st.warning(f"With from_logits=True, pred should hold log-probabilities, but exp(pred) sums to "
                           f"{', '.join(fmt(t) for t in np.atleast_1d(total))} instead of 1. Either pass "
                           "log-softmax outputs or turn from_logits off.")
            if not present:
                st.caption(
                    "Terms where q is larger than p are positive, the others negative; only their sum is a "
                    "divergence, and it is zero only when p equals q. KLDivLoss measures KL(q ‖ p) with the "
                    "label q first; the third number swaps the roles and is in general a different number."
                )
    if not present:
        show_counterparts(spec)


KL_WEIGHT = SliderDef.of(CATALOG["KLDivLoss"].param("weight"), control_key("kl", "weight"))


def kl_tutorial_stats(value: float, entries: int, reverse: float) -> list[Stat]:
    """The numbers of the tutorial's KL example: example 0's divergence (summed over classes, as MXNet 1.9.1),
    the per-class mean older MXNet returned, and the reverse direction."""
    return [
        Stat("KL divergence, example 0 (MXNet 1.9.1: sum over classes)", fmt(value)),
        Stat("per-class mean (older MXNet; the tutorial's \"0.02\")", fmt(value / entries),
             f"The same terms averaged over the {entries} entries of the example instead of summed."),
        Stat("the other direction, KL(p ‖ q), example 0", fmt(reverse),
             "Σ p (log p − log q): the same two distributions with the roles swapped (before weights)"),
    ]


@cache_data(max_entries=256, show_spinner=False)
def _reverse_kl(q: tuple, p: tuple) -> float:
    return dd.kl_both_ways(dd.normalise(q), p=dd.normalise(p))["kl_pq"]


#: Starting values of the editable bars (the first K are used): the tutorial's target and prediction.
KLB_Q = (0.3, 0.4, 0.1, 0.2, 0.1, 0.1)
KLB_P = (0.2, 0.5, 0.2, 0.1, 0.1, 0.1)
KLB_Z = (0.39, 1.31, 0.39, -0.3, 0.0, 0.0)


@st.fragment
def kl_bars_section(present: bool) -> None:
    """Target and prediction as sliders (probabilities, or logits through softmax) and KL in both directions."""
    st.subheader("Both directions: KL(q ‖ p) and KL(p ‖ q)")
    if not present:
        st.markdown(
            "KL divergence is not a distance: swapping the two distributions changes the number. KL(q ‖ p), "
            "what KLDivLoss computes with the label q as the first argument, weighs every class by the target "
            "q, so it punishes hard a prediction that leaves out a class the target uses (p near 0 where q is "
            "not: the term q·log(q/p) blows up), while it barely notices probability that p spends on classes q "
            "does not use. The reverse, KL(p ‖ q), does the opposite. Set a target weight to 0 to see the "
            "reverse become infinite, or a predicted probability to 0 to see KLDivLoss do so. The sliders give "
            "weights that are rescaled to sum to 1; with logits, the prediction is their softmax and goes to "
            "the loss raw with from_logits=False."
        )
    left, right = st.columns([1, 1.6], gap="medium")
    with left:
        k = int(_radio(st, "number of classes K", [2, 3, 4, 5, 6], index=2, key="klb_n", horizontal=True, bind=BIND,
                       help="How many classes the two distributions have."))
        mode = _radio(st, "prediction given as", ["probabilities", "logits"], key="klb_in", horizontal=True,
                      bind=BIND, captions=["from_logits=True: the loss gets log p", "from_logits=False: the loss "
                                                                                     "applies log-softmax"],
                      help="How the prediction reaches KLDivLoss. from_logits=True means pred already holds "
                             "log-probabilities.")
        q_w, pred, sliders = kl_sliders(k, mode)
    checks = [("target q", q_w)] + ([("prediction p", pred)] if mode == "probabilities" else [])
    problems = [f"{name}: every weight is 0. Expected at least one class with a weight above 0."
                for name, w in checks if sum(w) <= 0]
    for msg in problems:
        left.error(msg)
    if problems and not sliders:  # with browser-side sliders the chart stays, to move them back
        return
    r = kl_bars(tuple(q_w), tuple(pred), mode == "logits")
    classes = [f"class {j}" for j in range(k)]
    stats = [Stat(label, fmt(r[entry]), help.format(k=k)) for label, entry, help in KL_STATS]
    with right:
        if not sliders:
            show_stats(stats)
        key = (tuple(q_w), tuple(pred), mode, present)
        dist = _memo_figure("klb_dist", key, lambda: figures.bar_figure(
            classes, {"target q": r["q"], "prediction p": r["p"]}, y_title="probability", present=present,
            height=280))
        dist_alt = f"Bars of the target q = {_nums(r['q'])} and the prediction p = {_nums(r['p'])}."
        shown_qp = np.where(np.isfinite(r["terms_qp"]), r["terms_qp"], np.nan)
        shown_pq = np.where(np.isfinite(r["terms_pq"]), r["terms_pq"], np.nan)
        terms = _memo_figure("klb_terms", key, lambda: figures.bar_figure(
            classes, {"q·log(q/p), adds up to KL(q ‖ p)": shown_qp, "p·log(p/q), adds up to KL(p ‖ q)": shown_pq},
            y_title="term", present=present, height=280))
        note = " Infinite terms are left out of the chart." if not (np.isfinite(r["terms_qp"]).all()
                                                                    and np.isfinite(r["terms_pq"]).all()) else ""
        terms_alt = (f"Bars of the per-class terms: q·log(q/p) = {_nums(r['terms_qp'])} (sum {fmt(r['kl_qp'])}); "
                     f"p·log(p/q) = {_nums(r['terms_pq'])} (sum {fmt(r['kl_pq'])})." + note)
        if sliders:
            dist_frames, terms_frames = kl_frames(tuple(q_w), tuple(pred), mode)
            plotly_chart(dist, key="klb_dist", alt=dist_alt, sliders=sliders, stats=stats, frames=dist_frames)
            st.caption(dist_alt)
            plotly_chart(terms, key="klb_terms", alt=terms_alt, follow=sliders, frames=terms_frames)
            st.caption(terms_alt)
        else:
            _plot(dist, "klb_dist", dist_alt)
            _plot(terms, "klb_terms", terms_alt)
        if mode == "logits" and not problems:
            st.caption(f"KLDivLoss(from_logits=False) on the logits {_nums(pred, 2)} returns {fmt(r['loss'])}, the "
                       f"same KL(q ‖ p) as the log of their softmax with from_logits=True.")


#: The numbers of the KL section: (label, entry of the KL view, help).
KL_STATS = (
    ("KL(q ‖ p): what KLDivLoss returns", "kl_qp", "Σ q (log q − log p), summed over the classes as MXNet 1.9.1 does"),
    ("KL(p ‖ q): the reverse", "kl_pq", "Σ p (log p − log q)"),
    ("KL(q ‖ p) ÷ K: older MXNet's mean", "mean_qp", "The same terms averaged over the {k} classes instead of summed"),
)
#: Logit sliders move in 0.01 steps (the tutorial's outputs are 0.39 and 1.31): the browser gets the patches
#: for this many steps either side of each one's value, and asks the server beyond.
KL_LOGIT_WINDOW = 50


def kl_slider_defs(k: int, mode: str) -> tuple[list[SliderDef], list[SliderDef]]:
    """The KL section's sliders: the target's k weights, and the prediction's k weights or logits."""
    q = [SliderDef(f"klb_q{j}", f"q, class {j}", 0.0, 1.0, KLB_Q[j], 0.01,
                   f"Target weight of class {j} (rescaled so the weights sum to 1).") for j in range(k)]
    if mode == "logits":
        p = [SliderDef(f"klb_z{j}", f"logit, class {j}", -5.0, 5.0, KLB_Z[j], 0.01,
                       f"Network output for class {j}; the prediction is the softmax.") for j in range(k)]
    else:
        p = [SliderDef(f"klb_p{j}", f"p, class {j}", 0.0, 1.0, KLB_P[j], 0.01,
                       f"Predicted weight of class {j} (rescaled so the weights sum to 1).") for j in range(k)]
    return q, p


def kl_sliders(k: int, mode: str) -> tuple[list[float], list[float], tuple[ClientSlider, ...]]:
    """The target's and the prediction's slider values, and the browser-side sliders (with live charts; else
    Streamlit sliders in two columns here)."""
    q_defs, p_defs = kl_slider_defs(k, mode)
    if live_charts_enabled():
        values, sliders = section_sliders(st, q_defs + p_defs)
        return values[:k], values[k:], sliders
    cq, cp = st.columns(2)
    q_w, _ = section_sliders(cq, q_defs)
    pred, _ = section_sliders(cp, p_defs)
    return q_w, pred, ()


@cache_data(max_entries=64, show_spinner=False)
def kl_frames(q_w: tuple, pred: tuple, mode: str) -> tuple[dict, dict]:
    """The KL section's bars and numbers for every value of each slider, the others held: frames of the
    distributions chart (with the numbers) and of the terms chart."""
    k = len(q_w)
    q_defs, p_defs = kl_slider_defs(k, mode)
    base = np.array(q_w + pred, dtype=np.float64)
    dist_frames, terms_frames = {}, {}
    for j, d in enumerate(q_defs + p_defs):
        value = base[j]
        s = d.at(value)
        rows: dict[str, dict] = {}

        def columns(values: np.ndarray, j: int = j, rows: dict = rows) -> dict:
            grid = np.tile(base, (values.size, 1))
            grid[:, j] = values
            q = dd.normalise_rows(grid[:, :k])
            r = (dd.kl_rows(q, logits=grid[:, k:]) if mode == "logits"
                 else dd.kl_rows(q, p=dd.normalise_rows(grid[:, k:])))
            rows["terms"] = {0: {"y": np.where(np.isfinite(r["terms_qp"]), r["terms_qp"], np.nan)},
                             1: {"y": np.where(np.isfinite(r["terms_pq"]), r["terms_pq"], np.nan)}}
            return {"traces": {0: {"y": r["q"]}, 1: {"y": r["p"]}},
                    "stats": np.stack([r[entry] for _, entry, _ in KL_STATS], axis=1)}

        window = KL_LOGIT_WINDOW if d.key.startswith("klb_z") else None
        dist_frames[d.key] = frame_table(s, columns, window)
        terms_frames[d.key] = frame_table(s, lambda values, rows=rows: {"traces": rows["terms"]}, window)
    return dist_frames, terms_frames


#: Largest count the Poisson batch takes: the histogram has a bar per count up to the largest.
MAX_COUNT = 1000


@st.fragment
def poisson_counts_section(present: bool) -> None:
    """A batch of counts and one predicted rate: the loss against the rate passed as μ and as log μ."""
    st.subheader("A batch of counts and one predicted rate")
    if not present:
        st.markdown(
            "Here the label is real data: a handful of observed counts, all predicted by the same rate μ. The "
            "loss is their average negative log-likelihood, lowest where μ equals the mean count. The same "
            "prediction can reach the loss in two ways. With from_logits=False the network outputs μ itself "
            "(it must stay positive), and the gradient is mean(1 − t/μ): huge and negative for small rates. "
            "With from_logits=True (the default) it outputs log μ, any real number, and the gradient is "
            "mean(μ − t): gentle for small rates, growing with the rate. Same loss values at the same rate, "
            "different landscapes for gradient descent."
        )
    left, right = st.columns([1, 1.6], gap="medium")
    with left:
        counts = array_input("observed counts t", "2, 0, 3, 1, 4, 2", "pn_counts",
                             help="Counts of one batch, whole numbers >= 0 (e.g. events per hour), up to 50 values.")
        (rate,), sliders = section_sliders(st, [PN_RATE])
        full = bool(_toggle(st, "compute_full", False, key="pn_full", bind=BIND,
                            help="Add Stirling's approximation of log(t!), turning the loss into a true negative "
                                   "log-likelihood; a constant, so no gradient changes."))
    if counts is None:
        return
    if (counts < 0).any() or (counts != np.round(counts)).any() or counts.size > 50 or (counts > MAX_COUNT).any():
        what = (f"{counts.size} values, more than the 50 that fit on the chart" if counts.size > 50
                else f"{format_array(counts)}, which has a count below 0" if (counts < 0).any()
                else f"{format_array(counts)}, which has a count above {MAX_COUNT}" if (counts > MAX_COUNT).any()
                else f"{format_array(counts)}, which is not all whole numbers")
        left.error(f"observed counts t: got {what}. Expected up to 50 whole numbers from 0 to {MAX_COUNT}, "
                   f"e.g. 2, 0, 3.")
        return
    r = poisson_counts(tuple(counts), rate, full)
    stats = [Stat(label, fmt(value), help) for label, value, help in (
        ("PoissonNLLLoss of the batch at μ", r["rate"]["at"],
         "Averaged over the counts, as Gluon does; the same value either way of passing μ"),
        ("dL/dμ (from_logits=False)", r["rate"]["slope"], "mean(1 − t/μ)"),
        ("dL/dlog μ (from_logits=True)", r["logits"]["slope"], "mean(μ − t)"),
        ("best rate: the mean count", r["mean"], "where both gradients are zero"),
    )]
    with right:
        if not sliders:
            show_stats(stats, per_row=2)
        hist = _memo_figure("pn_hist", (tuple(counts), rate, present), lambda: figures.bar_figure(
            [f"{int(k)}" for k in r["hist_k"]], {"observed share of the counts": r["hist_freq"],
                                                 "Poisson P(t | μ)": r["pmf"]},
            x_title="count t", y_title="probability", present=present, height=260))
        hist_alt = (f"Bars of how often each count occurs in the data, {_nums(r['hist_freq'], 3)}, next to the "
                    f"Poisson probabilities at μ = {rate:g}, {_nums(r['pmf'], 3)}, for counts 0 to "
                    f"{int(r['hist_k'][-1])}.")
        views = {}
        for name, x_title, x, marker in (
            ("rate", "prediction = the rate μ (from_logits=False)", r["rates"], rate),
            ("logits", "prediction = log μ (from_logits=True)", r["log_rates"], math.log(rate)),
        ):
            d = r[name]
            view = CurveView(
                title="PoissonNLLLoss of the counts", x_title=x_title,
                curves=(Curve(f"from_logits={name == 'logits'}", x, d["loss"], d["grad"]),), marker=marker,
                loss_names=("PoissonNLLLoss",), grad_title="dL/d" + ("μ" if name == "rate" else "log μ"),
                params={"from_logits": name == "logits", "compute_full": full},
            )
            best = r["mean"] if name == "rate" else math.log(r["mean"]) if r["mean"] > 0 else None
            views[name] = (view, ((best, "mean count"),) if best is not None and x[0] <= best <= x[-1] else ())
        if sliders:  # the rate moves the bars and both markers in the browser
            plotly_chart(hist, key="pn_hist", alt=hist_alt, sliders=sliders, stats=stats,
                         frames=poisson_frames(tuple(counts), full, present, "pn_hist"))
            st.caption(hist_alt)
        c1, c2 = st.columns(2)
        for (name, (view, lines)), col in zip(views.items(), (c1, c2), strict=True):
            with col:
                if sliders:
                    plotly_chart(_curve_figure(view, present, lines), key=f"pn_{name}_chart", alt=view.alt_text(),
                                 follow=sliders, frames=poisson_frames(tuple(counts), full, present, name))
                    st.caption(view.alt_text())
                else:
                    _curve_chart(view, f"pn_{name}", present, lines)
        if not sliders:
            _plot(hist, "pn_hist", hist_alt)
        exact = r["exact"]
        st.caption(
            f"compute_full={full}: the loss is {fmt(r['rate']['at'])}. The exact average negative "
            f"log-likelihood, μ − t·log μ + log(t!) with log(t!) from lgamma, is {fmt(exact)}; compute_full adds "
            f"the Stirling term (average {fmt(r['stirling_mean'])}) where the exact log(t!) averages "
            f"{fmt(r['lgamma_mean'])}."
        )


PN_RATE = SliderDef("pn_rate", "predicted rate μ (shared by every count)", 0.05, 10.0, 1.0, 0.05,
                    "The Poisson rate the model predicts; the charts mark it.")


@cache_data(max_entries=64, show_spinner=False)
def poisson_frames(counts: tuple, full: bool, present: bool, chart: str) -> dict:
    """The Poisson section's charts for every rate of its slider: the model's bars and the numbers under them
    (``chart="pn_hist"``), or the marker of the rate / log-rate curve chart (``"rate"``, ``"logits"``)."""
    s = PN_RATE.at()

    def columns(rates: np.ndarray) -> dict:
        base = poisson_counts(counts, PN_RATE.default, full)
        if chart == "pn_hist":
            at = dd.poisson_at(counts, rates, full)
            mean = np.full(rates.size, base["mean"])
            return {"traces": {1: {"y": dd.poisson_pmf(base["hist_k"], rates)}},
                    "stats": np.stack([at["rate"]["at"], at["rate"]["slope"], at["logits"]["slope"], mean], axis=1)}
        d = base[chart]
        x = base["rates"] if chart == "rate" else base["log_rates"]
        curve = Curve(f"from_logits={chart == 'logits'}", x, d["loss"], d["grad"])
        view = CurveView(title="", x_title="", curves=(curve,), marker=float(x[0]))
        return marker_columns(figures.curve_figure(view, present=present), (curve,),
                              rates if chart == "rate" else np.log(rates))

    return {s.id: frame_table(s, columns)}


@st.fragment
def stirling_section(present: bool) -> None:
    """compute_full's Stirling term next to the exact log(t!) it approximates, with the error per count."""
    st.subheader("compute_full: Stirling's formula against the exact log(t!)")
    if not present:
        st.markdown(
            "The full Poisson negative log-likelihood includes log(t!). compute_full adds it by Stirling's "
            "formula, t·log t − t + ½·log(2πt), and only for t > 1 (for t = 0 and 1, log(t!) is exactly 0). "
            "The exact value is lgamma(t + 1). The formula undershoots by roughly 1/(12t): 0.04 at t = 2, "
            "under 0.01 from t = 9 on, so the absolute error shrinks as counts grow while log(t!) itself grows. "
            "None of this reaches the gradient: log(t!) does not depend on the prediction."
        )
    left, right = st.columns([1, 2.4], gap="medium")
    with left:
        (tmax,), sliders = section_sliders(st, [PN_TMAX])
    tab = stirling(tmax)
    err = tab["error"]
    stats = [Stat("error at t = 2", fmt(err[2]), "lgamma(3) − Stirling(2) = log 2 − (2 log 2 − 2 + ½ log 4π)"),
             Stat("error at the largest count shown", fmt(err[tmax]), "lgamma(t + 1) − Stirling(t) at that count")]
    with left:
        if not sliders:
            show_stats(stats, per_row=1)
    with right:
        fig = _memo_figure("stirling", (tmax, present), lambda: deep_figures.stirling_figure(
            tab["t"], tab["exact"], tab["stirling"], present=present))
        first = ", ".join(f"t={int(t)}: {err[int(t)]:.4f}" for t in tab["t"][2:min(tmax, 8) + 1])
        alt = (f"log(t!) for counts 0 to {tmax}: exact (lgamma) and Stirling's approximation, with the error "
               f"exact − Stirling below: {first}" + (f"; t={tmax}: {err[tmax]:.4f}" if tmax > 8 else "")
               + ". Zero for t = 0 and 1.")
        if sliders:
            plotly_chart(fig, key="pn_stirling", alt=alt, sliders=sliders, stats=stats,
                         frames=stirling_frames(tmax))
            st.caption(alt)
        else:
            _plot(fig, "pn_stirling", alt)
    if not present:
        st.dataframe(pd.DataFrame({"exact log(t!) = lgamma(t + 1)": tab["exact"], "Stirling (compute_full)":
                                   tab["stirling"], "exact − Stirling": err, "relative error": tab["relative"]},
                                  index=pd.Index(tab["t"].astype(int), name="count t")), width="content")


PN_TMAX = SliderDef("pn_tmax", "largest count shown", 2, 60, 15, 1, "Counts 0 up to this value are compared.")


@cache_data(max_entries=64, show_spinner=False)
def stirling_frames(tmax: int) -> dict:
    """The Stirling chart for every largest count of its slider: counts past it are left out (NaN, not drawn),
    so every value's traces have the same length."""
    s = PN_TMAX.at(tmax)
    full = stirling(int(PN_TMAX.high))

    def columns(tops: np.ndarray) -> dict:
        shown = full["t"][None, :] <= tops[:, None]
        def cut(values: np.ndarray) -> np.ndarray:
            return np.where(shown, values[None, :], np.nan)

        return {"traces": {0: {"x": cut(full["t"]), "y": cut(full["exact"])},
                           1: {"x": cut(full["t"]), "y": cut(full["stirling"])},
                           2: {"x": cut(full["t"]), "y": cut(full["error"])}},
                "stats": np.stack([np.full(tops.size, full["error"][2]), full["error"][tops.astype(int)]], axis=1)}

    return {s.id: frame_table(s, columns)}


# -- 6: embeddings ---------------------------------------------------------------------------------------------------

#: Examples of the triplet view: (anchor, positive, negative) and what they show.
TRIPLET_EXAMPLES: dict[str, tuple[tuple[tuple[float, float], ...], str]] = {
    "AAZ": (((0.0, 0.0), (2.0, 0.0), (1.0, 1.0)), "the tutorial's A, A, Z: the Z is nearer than the other A"),
    "semi-hard": (((0.0, 0.0), (1.0, 0.0), (0.0, 1.2)), "the Z is farther, but not by the margin"),
    "easy": (((0.0, 0.0), (1.0, 0.0), (-2.5, 1.5)), "the Z is far enough: nothing to learn"),
}
_TRI_AXES = ("ax", "ay", "px", "py", "nx", "ny")


def _load_triplet() -> None:
    pts, _ = TRIPLET_EXAMPLES[st.session_state["tri_ex"]]
    flat = [v for pt in pts for v in pt]
    for name, v in zip(_TRI_AXES, flat, strict=True):
        if live_charts_enabled():  # browser-side sliders read the address
            st.query_params[f"tri_{name}"] = f"{v:g}"
        else:
            st.session_state[f"tri_{name}"] = v
    for name, pt in zip(("tri_a", "tri_p", "tri_n"), pts, strict=True):
        st.session_state[name] = format_array(np.array(pt))


@st.fragment
def triplet_section(present: bool) -> None:
    """Anchor, positive and negative in 2-D (sliders) or typed vectors; distances, margin circle, loss, arrows."""
    spec = CATALOG["TripletLoss"]
    st.header(spec.title)
    st.latex(spec.formula)
    st.markdown(spec.summary)
    if not present:
        st.markdown(
            "In the tutorial's picture the anchor is a handwritten A, the positive another A and the negative a "
            "Z. The loss is zero as soon as the Z is farther from the anchor than the other A by the margin (in "
            "squared distance): outside the dashed circle around the anchor, of radius √(‖p − a‖² + margin). "
            "Until then it pulls the anchor and the positive together and pushes the negative away; the arrows "
            "show one gradient-descent step, −η × losscore's gradient: 2(n − p) for the anchor, 2(p − a) for "
            "the positive, −2(n − a) for the negative. Gluon uses squared distances, unlike PyTorch's "
            "TripletMarginLoss."
        )
    left, right = st.columns([1, 1.6], gap="medium")
    with left:
        example = _radio(st, "Example", list(TRIPLET_EXAMPLES), key="tri_ex", on_change=_load_triplet, bind=BIND,
                         captions=[c for _, c in TRIPLET_EXAMPLES.values()],
                         help="Places the three points; move them afterwards.")
        pts, _ = TRIPLET_EXAMPLES[example]
        mode = _radio(st, "points", ["2-D", "vectors"], key="tri_mode", horizontal=True, bind=BIND,
                      captions=["move them with sliders", "type vectors of any length"],
                      help="2-D points you can drag with sliders, or typed embeddings of any dimension.")
        sliders: tuple[ClientSlider, ...] = ()
        if mode == "2-D" and live_charts_enabled():  # every slider under the chart, moved in the browser
            values, sliders = section_sliders(st, triplet_slider_defs(spec, pts))
            params = {"margin": values[0], "weight": values[1]}
            anchor, positive, negative = (np.array(values[i:i + 2]) for i in (2, 4, 6))
            lr = float(values[8])
        elif mode == "2-D":
            params = param_controls(spec, "tri")
            defs = triplet_slider_defs(spec, pts)[2:8]
            values = []
            for i in range(3):  # x and y of each point side by side
                cx, cy = st.columns(2)
                values += section_sliders(cx, defs[2 * i:2 * i + 1])[0]
                values += section_sliders(cy, defs[2 * i + 1:2 * i + 2])[0]
            anchor, positive, negative = (np.array(values[i:i + 2], dtype=np.float64) for i in (0, 2, 4))
        else:
            params = param_controls(spec, "tri")
            anchor = array_input("anchor (pred)", format_array(np.array(pts[0])), "tri_a",
                                 help="The anchor embedding, e.g. an image of an A.")
            positive = array_input("positive", format_array(np.array(pts[1])), "tri_p",
                                   help="An embedding of the same kind (another A).")
            negative = array_input("negative", format_array(np.array(pts[2])), "tri_n",
                                   help="An embedding of a different kind (a Z).")
        if not sliders:
            lr = float(_slider(st, TRI_LR.label, TRI_LR.low, TRI_LR.high, TRI_LR.default, TRI_LR.step, key=TRI_LR.key,
                               bind=BIND, help=TRI_LR.help))
    vectors = (anchor, positive, negative)
    if any(v is None for v in vectors):
        return
    if len({v.size for v in vectors}) != 1:
        left.error(f"positive and negative need as many numbers as the anchor ({anchor.size}); got "
                   f"{positive.size} and {negative.size}.")
        return
    t = triplet_terms(tuple(anchor), tuple(positive), tuple(negative), params["margin"], params["weight"], lr)
    names = ("anchor", "positive", "negative")
    stats = triplet_stats(t)
    with right:
        if not sliders:
            show_stats(stats, per_row=4)
        if anchor.size == 2:
            steps = [(np.round(-lr * g, 3) + 0.0).tolist() for g in t["grads"]]  # + 0.0: no "-0.0"
            key = (tuple(anchor), tuple(positive), tuple(negative), params["margin"], params["weight"], lr, present)
            fig = _memo_figure("triplet", key, lambda: _triplet_figure(vectors, t, lr, present))
            alt = (f"Anchor at {anchor.tolist()}, positive at {positive.tolist()}, negative at {negative.tolist()}; "
                   f"squared distances {fmt(t['d_pos'])} and {fmt(t['d_neg'])}, margin {params['margin']:g}, loss "
                   f"{fmt(t['loss'])}; margin circle of radius {t['r_margin']:.3g} around the anchor; step arrows "
                   "(−η·gradient) " + "; ".join(f"{n} {s}" for n, s in zip(names, steps, strict=True)) + ".")
            if sliders:
                plotly_chart(fig, key="tri_plot", alt=alt, sliders=sliders, stats=stats,
                             frames=triplet_frames(tuple(values), present))
                st.caption(alt)
            else:
                _plot(fig, "tri_plot", alt)
        st.dataframe(pd.DataFrame(clean(t["grads"]), index=[f"dL/d{n}" for n in names],
                                  columns=[f"dim {j}" for j in range(anchor.size)]), width="content")
        if not present:
            st.caption("The gradients are losscore's (value_and_grad with wrt=('pred', 'positive', 'negative')). "
                       "They are all zero once the negative is outside the margin circle: an easy triplet "
                       "teaches nothing, which is why training mines hard and semi-hard ones.")
    if not present:
        show_counterparts(spec)


TRI_LR = SliderDef("tri_lr", "step size η of the arrows", 0.0, 0.5, 0.25, 0.05,
                   "Each arrow is one gradient-descent step: −η × the gradient for that point.")


def triplet_slider_defs(spec: LossSpec, pts: tuple) -> list[SliderDef]:
    """The triplet section's sliders in 2-D: margin, weight, x and y of the anchor, positive and negative (from
    the example ``pts``), and the arrows' step size."""
    params = [SliderDef(control_key("tri", p.name), p.name, p.low, p.high, p.default, p.step, p.help)
              for p in spec.params]
    names = ("anchor (an A)", "positive (another A)", "negative (a Z)")
    coords = [SliderDef(f"tri_{_TRI_AXES[2 * i + j]}", f"{name}: {axis}", -3.0, 3.0, float(pts[i][j]), 0.1,
                        f"{'Horizontal' if j == 0 else 'Vertical'} position of the {name.split()[0]}.")
              for i, name in enumerate(names) for j, axis in enumerate("xy")]
    return params + coords + [TRI_LR]


#: The numbers of the triplet section: (label, entry of the triplet view, help).
TRI_STATS = (
    ("triplet loss", "loss", "weight × max(0, ‖p − a‖² − ‖n − a‖² + margin)"),
    ("‖positive − anchor‖²", "d_pos", ""),
    ("‖negative − anchor‖²", "d_neg", ""),
    ("loss after one step", "loss_after", "The loss once every point has moved along its arrow (η × minus its "
                                          "gradient)"),
)


def triplet_stats(t: dict) -> list[Stat]:
    return [Stat(label, fmt(t[entry]), help) for label, entry, help in TRI_STATS]


_TRI_LABELS = {"anchor": "anchor A", "positive": "positive A", "negative": "negative Z"}
_TRI_COLOURS = {"anchor A": figures.PALETTE[0], "positive A": figures.PALETTE[2], "negative Z": figures.PALETTE[1]}


def _triplet_parts(vectors: tuple, t: dict, lr: float) -> tuple[dict, list]:
    """What the triplet chart draws (keywords of deep_figures.embedding_traces) and its circles. Every point
    has its arrow, hidden where its step is zero (see :func:`_triplet_arrows_shown`)."""
    anchor, positive, negative = vectors
    parts = dict(
        points={_TRI_LABELS[n]: v for n, v in zip(_TRI_LABELS, vectors, strict=True)},
        arrows={f"−η·grad {_TRI_LABELS[n]}": (v, -lr * g) for n, v, g in zip(_TRI_LABELS, vectors, t["grads"],
                                                                             strict=True)},
        segments=[(f"‖p − a‖² = {t['d_pos']:.3g}", anchor, positive),
                  (f"‖n − a‖² = {t['d_neg']:.3g}", anchor, negative)],
        colours=_TRI_COLOURS)
    circles = [("margin: the Z must be outside", anchor, t["r_margin"], "dash"),
               ("the positive's distance", anchor, t["r_pos"], "dot")]
    return parts, circles


def _triplet_arrows_shown(traces, t: dict, lr: float) -> None:
    """Hide the arrows of points that do not move (zero gradient or step size)."""
    moving = iter([bool(np.any(g != 0) and lr > 0) for g in t["grads"]])
    for trace in traces:
        meta = trace["meta"] if isinstance(trace, dict) else trace.meta
        if meta and meta.get("role") == "arrow":
            visible = next(moving)
            if isinstance(trace, dict):
                trace["visible"] = visible
            else:
                trace.visible = visible


def _triplet_figure(vectors: tuple, t: dict, lr: float, present: bool):
    parts, circles = _triplet_parts(vectors, t, lr)
    fig = deep_figures.embedding_figure(**parts, circles=circles, present=present)
    _triplet_arrows_shown(fig.data, t, lr)
    return fig


@cache_data(max_entries=64, show_spinner=False)
def triplet_frames(values: tuple, present: bool) -> dict:
    """The triplet chart and its numbers for every value of each of the section's sliders, the others held
    (``values``: margin, weight, the six coordinates, the step size)."""
    spec = CATALOG["TripletLoss"]
    defs = triplet_slider_defs(spec, TRIPLET_EXAMPLES["AAZ"][0])
    base = np.array(values, dtype=np.float64)

    def picture(row: np.ndarray) -> tuple[list[dict], list[dict], dict]:
        vectors = tuple(row[i:i + 2] for i in (2, 4, 6))
        t = dd.triplet_view(*(tuple(v) for v in vectors), row[0], row[1], row[8])
        parts, circles = _triplet_parts(vectors, t, row[8])
        traces = deep_figures.embedding_traces(**parts, present=present)
        _triplet_arrows_shown(traces, t, row[8])
        return traces, deep_figures.circle_shapes(circles), t

    shown, _, _ = picture(base)
    frames = {}
    for j, d in enumerate(defs):
        def columns(grid: np.ndarray, j: int = j) -> dict:
            rows = np.tile(base, (grid.size, 1))
            rows[:, j] = grid
            pictures = [picture(row) for row in rows]
            cols = traces_columns(shown, [p[0] for p in pictures])
            cols["shapes"] = {k: {attr: np.array([p[1][k][attr] for p in pictures])
                                  for attr in ("x0", "y0", "x1", "y1")} for k in range(2)}
            cols["stats"] = np.array([[p[2][entry] for _, entry, _ in TRI_STATS] for p in pictures])
            return cols

        s = d.at(base[j])
        frames[d.key] = frame_table(s, columns)
    return frames


COS_EXAMPLES = {
    "same": ("1, 0, 1, 0, 1, 0", "1, 0, 1, 0, 1, 0", 1.0),
    "orthogonal": ("1, 0, 1, 0, 1, 0", "0, 1, 0, 1, 0, 1", -1.0),
}
COS_EXAMPLE_NAMES = {"same": "identical vectors, label 1", "orthogonal": "orthogonal vectors, label −1"}


def _load_cos_example() -> None:
    x, y, label = COS_EXAMPLES[st.session_state["cos_example"]]
    st.session_state["cos_x"], st.session_state["cos_y"], st.session_state["cos_label"] = x, y, label


@st.fragment
def cosine_section(present: bool) -> None:
    """The tutorial's two examples, then two vectors in 2-D with an angle control and the loss for both labels."""
    spec = CATALOG["CosineEmbeddingLoss"]
    st.header(spec.title)
    st.latex(spec.formula)
    st.markdown(spec.summary)
    if not present:
        st.markdown(
            "The tutorial's two examples both come out at 0, for different reasons. Identical vectors have "
            "cosine 1, so a similar pair (label 1) costs 1 − 1 = 0. The second pair is described as opposite, "
            "but [1, 0, 1, 0, 1, 0] and [0, 1, 0, 1, 0, 1] are orthogonal: their cosine is 0, and a dissimilar "
            "pair (label −1) only pays for the part of the cosine above the margin, max(0, 0 − 0) = 0. Truly "
            "opposite vectors would have cosine −1. The tutorial's formula also leaves out that margin; raise it "
            "and a dissimilar pair is let off more easily, lower it below zero and orthogonal pairs start to cost."
        )
    c_left, c_right = st.columns([1, 1.6], gap="medium")
    with c_left:
        example = _radio(
            st, "Tutorial example", list(COS_EXAMPLES), key="cos_example", on_change=_load_cos_example, bind=BIND,
            horizontal=True, captions=[COS_EXAMPLE_NAMES[k] for k in COS_EXAMPLES],
            help="Fills in the vectors and label of one of the tutorial's examples; edit them afterwards.",
        )
        x_default, y_default, label_default = COS_EXAMPLES[example]
        x = array_input("input1", x_default, "cos_x", help="The first embedding.")
        y = array_input("input2", y_default, "cos_y", help="The second embedding, as many numbers as input1.")
        label = float(_radio(st, "label", [1.0, -1.0], index=[1.0, -1.0].index(label_default), key="cos_label",
                             horizontal=True, bind=BIND, format_func=lambda v: f"{v:g}",
                             captions=["similar pair", "dissimilar pair"],
                             help="1: the pair should point the same way; −1: it should not."))
        if live_charts_enabled():  # margin and weights are browser-side sliders under the vectors chart below
            (theta, margin, weight, sample_weight), sliders = section_sliders(st, [COS_THETA, *COS_PARAMS])
            params = {**param_controls(spec, "cos", skip=("margin", "weight")), "margin": margin, "weight": weight}
        else:
            params = param_controls(spec, "cos")
            sample_weight = param_control(SAMPLE_WEIGHT, "cos_sw")
            sliders = ()
    if x is not None and y is not None:
        if x.size != y.size:
            c_left.error(f"input2: expected {x.size} numbers, like input1; got {y.size}.")
        else:
            r = cosine_terms(tuple(x), tuple(y), label, params["margin"], params["weight"], sample_weight)
            with c_right:
                m1, m2 = st.columns(2)
                m1.metric("cosine similarity", fmt(r["cos"]))
                m2.metric("cosine embedding loss", fmt(r["loss"]))
                st.dataframe(pd.DataFrame(clean([x, y, r["ga"], r["gb"]]),
                                          index=["input1", "input2", "dL/dinput1", "dL/dinput2"],
                                          columns=[f"dim {j}" for j in range(x.size)]), width="content")

    st.subheader("Two vectors in the plane: the loss against the angle")
    if not present:
        st.markdown(
            "Only the angle θ between the vectors matters: the cosine ignores their lengths. input2 stays at "
            "(1, 0) and input1 turns by θ. Both labels are plotted. A similar pair (label 1) pays 1 − cos θ from "
            "any angle above 0. A dissimilar pair (label −1) pays cos θ − margin, but only while θ is smaller "
            "than arccos(margin) (the dash-dotted line): push the pair past that angle and it is left alone. The "
            "arrows on the vectors are −½ × losscore's gradient for the chosen label; they are perpendicular to "
            "the vectors, so gradient descent turns them and never stretches them."
        )
    a_left, a_right = st.columns([1, 1.6], gap="medium")
    if not sliders:
        with a_left:
            (theta,), _ = section_sliders(st, [COS_THETA])
    margin, weight = params["margin"], params["weight"]
    r = cosine_angle(theta, margin, weight, sample_weight)
    at = r["at"][label]
    stats = [Stat("loss at θ", fmt(at["loss"]), f"label {label:g}, the label chosen above"),
             Stat("dL/dθ", fmt(at["dtheta"]), f"label {label:g}, through the chain rule"),
             Stat(f"loss at θ for the other label ({-label:g})", fmt(r["at"][-label]["loss"]))]
    with a_left:
        if not sliders:
            show_stats(stats, per_row=2)
        key = (theta, margin, weight, sample_weight, label, present)
        fig = _memo_figure("cos_vectors", key, lambda: deep_figures.embedding_figure(
            **_cos_vector_parts(r["x1"], at, r["margin_angle"], present), circles=[("unit circle", (0.0, 0.0), 1.0,
                                                                                     "dot")],
            present=present, height=340, legend=False))
        alt2 = (f"input1 = ({r['x1'][0]:.3f}, {r['x1'][1]:.3f}) at angle {theta:g} from input2 = (1, 0), cosine "
                f"{r['cos']:.4f}; margin angle arccos({margin:g}) = {r['margin_angle']:.3f}; loss for "
                f"label {label:g}: {fmt(at['loss'])}; descent arrows −½·gradient: input1 "
                f"{_nums(-0.5 * at['g1'], 3)}, input2 {_nums(-0.5 * at['g2'], 3)}.")
        if sliders:
            param_frames = cosine_param_frames(theta, margin, weight, sample_weight, label, present)
            plotly_chart(fig, key="cos_vectors", alt=alt2, sliders=sliders, stats=stats,
                         frames={**cosine_frames(theta, margin, weight, sample_weight, label, present, "vectors"),
                                 **param_frames[0]})
            st.caption(alt2)
        else:
            _plot(fig, "cos_vectors", alt2)
    view = _cos_curve_view(r, theta, margin, {**params, "sample_weight": sample_weight})
    lines = ((r["margin_angle"], "arccos(margin)"),)
    with a_right:
        if sliders:
            plotly_chart(_curve_figure(view, present, lines), key="cos_curve_chart", alt=view.alt_text(),
                         follow=sliders, frames={
                             **cosine_frames(theta, margin, weight, sample_weight, label, present, "curve"),
                             **param_frames[1]})
            st.caption(view.alt_text())
        else:
            _curve_chart(view, "cos_curve", present, lines)
    if not present:
        show_counterparts(spec)


COS_THETA = SliderDef("cos_theta", "angle θ (radians)", 0.0, 3.14, 1.57, 0.01,
                      "The angle between input1 and input2; where to read off the loss.")
#: The angle's patches cover this many steps either side of its value (a third of the range; beyond, the
#: server answers).
COS_WINDOW = 50
#: With live charts the margin and the weights are browser-side sliders too (under the vectors chart; the
#: tutorial's example above follows once they are still), their patches this many steps either side.
COS_PARAMS = [SliderDef("cos_margin", "margin", -1.0, 1.0, 0.0, 0.05,
                        "CosineEmbeddingLoss's margin: a dissimilar pair pays for the part of its cosine above it."),
              SliderDef.of(CATALOG["CosineEmbeddingLoss"].param("weight"), "cos_weight"),
              SliderDef.of(SAMPLE_WEIGHT, "cos_sw")]
COS_PARAM_WINDOW = 3
#: Which argument of :func:`cosine_angle` each of them sets.
COS_PARAM_ARGS = {"cos_margin": "margin", "cos_weight": "weight", "cos_sw": "sample_weight"}


def _cos_vector_parts(x1: np.ndarray, at: dict, margin_angle: float, present: bool) -> dict:
    """What the vectors chart of the cosine section draws besides the unit circle: both unit vectors, their
    descent arrows and the margin angle (keywords of deep_figures.embedding_figure / embedding_traces)."""
    x2 = np.array([1.0, 0.0])
    return dict(points={"input1": x1, "input2": x2},
                rays={"input1 ": ((0.0, 0.0), x1), "input2 ": ((0.0, 0.0), x2)},
                arrows={"−½·grad input1": (x1, -0.5 * at["g1"]), "−½·grad input2": (x2, -0.5 * at["g2"])},
                segments=[(f"margin angle {margin_angle:.2f}", (0.0, 0.0),
                           (1.25 * math.cos(margin_angle), 1.25 * math.sin(margin_angle)))])


@cache_data(max_entries=64, show_spinner=False)
def cosine_frames(theta: float, margin: float, weight: float, sample_weight: float, label: float, present: bool,
                  chart: str) -> dict:
    """The cosine section's charts at the angles of its slider within COS_WINDOW steps of ``theta``: the vectors
    chart with the numbers under it (``chart="vectors"``) or the marker of the loss-against-angle chart
    (``"curve"``)."""
    s = COS_THETA.at(theta)

    def columns(thetas: np.ndarray) -> dict:
        base = cosine_angle(theta, margin, weight, sample_weight)
        if chart == "curve":
            curves = (Curve("label 1", base["theta"], *base["curves"][1.0]),
                      Curve("label −1", base["theta"], *base["curves"][-1.0]))
            view = CurveView(title="", x_title="", curves=curves, marker=theta)
            return marker_columns(figures.curve_figure(view, present=present), curves, thetas)
        rows = dd.cosine_at(thetas, margin, weight, sample_weight)
        mine, other = rows[label], rows[-label]

        def traces(k: int) -> list[dict]:
            at = {"g1": mine["g1"][k], "g2": mine["g2"][k]}
            x1 = np.array([math.cos(thetas[k]), math.sin(thetas[k])])
            return deep_figures.embedding_traces(**_cos_vector_parts(x1, at, base["margin_angle"], present),
                                                 present=present)

        x1 = np.array([math.cos(theta), math.sin(theta)])
        shown = deep_figures.embedding_traces(**_cos_vector_parts(x1, base["at"][label], base["margin_angle"],
                                                                  present), present=present)
        cols = traces_columns(shown, [traces(k) for k in range(thetas.size)])
        cols["stats"] = np.stack([mine["loss"], mine["dtheta"], other["loss"]], axis=1)
        return cols

    return {s.id: frame_table(s, columns, COS_WINDOW)}


def _cos_curve_view(r: dict, theta: float, margin: float, params: dict | None = None) -> CurveView:
    """The loss-against-angle view of :func:`cosine_section` from a :func:`cosine_angle` result (``params``: the
    loss's parameters, for the description)."""
    return CurveView(
        title=f"CosineEmbeddingLoss against the angle between the vectors (margin {margin:g})",
        curves=(Curve("label 1", r["theta"], *r["curves"][1.0]), Curve("label −1", r["theta"], *r["curves"][-1.0])),
        marker=theta, x_title="angle θ between input1 and input2 (radians)", grad_title="dL/dθ",
        loss_names=("CosineEmbeddingLoss",), params=params or {"margin": margin},
    )


@cache_resource(max_entries=32, show_spinner=False)
def cosine_param_frames(theta: float, margin: float, weight: float, sample_weight: float, label: float,
                        present: bool) -> tuple[dict, dict]:
    """The cosine section's two charts at the values of its margin, weight and sample_weight sliders within
    COS_PARAM_WINDOW steps of each (the angle held): (the vectors chart's frames with the numbers under it, the
    loss-against-angle chart's), by slider id. Shared, never mutated."""
    held = {"margin": margin, "weight": weight, "sample_weight": sample_weight}
    base = cosine_angle(theta, margin, weight, sample_weight)
    x1 = np.array([math.cos(theta), math.sin(theta)])
    shown = deep_figures.embedding_traces(**_cos_vector_parts(x1, base["at"][label], base["margin_angle"], present),
                                          present=present)
    curve = figures.curve_spec(_cos_curve_view(base, theta, margin), present=present,
                               vlines=((base["margin_angle"], "arccos(margin)"),))
    vectors, curves = {}, {}
    for d in COS_PARAMS:
        arg = COS_PARAM_ARGS[d.key]
        s = d.at(held[arg])
        runs = {v: cosine_angle(theta, **{**held, arg: v}) for v in window_values(s, COS_PARAM_WINDOW)}

        def vector_columns(values: np.ndarray, runs: dict = runs) -> dict:
            rows = [runs[float(v)] for v in values]
            cols = traces_columns(shown, [deep_figures.embedding_traces(
                **_cos_vector_parts(x1, r["at"][label], r["margin_angle"], present), present=present) for r in rows])
            cols["stats"] = np.array([[r["at"][label]["loss"], r["at"][label]["dtheta"], r["at"][-label]["loss"]]
                                      for r in rows])
            return cols

        def curve_columns(values: np.ndarray, runs: dict = runs, arg: str = arg) -> dict:
            figs = [figures.curve_spec(_cos_curve_view(runs[float(v)], theta, float(v) if arg == "margin" else margin),
                                       present=present, vlines=((runs[float(v)]["margin_angle"], "arccos(margin)"),))
                    for v in values]
            return as_scales(figure_columns(curve, figs), curve[0])

        vectors[d.key] = frame_table(s, vector_columns, COS_PARAM_WINDOW)
        curves[d.key] = frame_table(s, curve_columns, COS_PARAM_WINDOW)
    return vectors, curves


@st.fragment
def sdml_section(present: bool) -> None:
    """A batch of paired embeddings: the pairs with their gradient steps, distances, P and the smoothed Q."""
    spec = CATALOG["SDMLLoss"]
    st.header(spec.title)
    st.latex(spec.formula)
    st.markdown(spec.summary)
    if not present:
        st.markdown(
            "Row i of x1 and row i of x2 are a matching pair, for example two views of the same object. Each x1 "
            "row turns its squared distances to all x2 rows into a softmax over −distance (P) and is scored "
            "against targets Q that put 1 − α on its partner and spread α over the others. There are no labels "
            "to type: the other pairs in the batch serve as negatives. Smoothing (α > 0) stops the loss from "
            "demanding that partners coincide and others be infinitely far. Like MXNet, the loss ignores "
            "`weight`."
        )
    left, right = st.columns([1, 1.6], gap="medium")
    with left:
        x1 = array_input("x1", "0, 0; 3, 0; 0, 3", "sdml_x1", ndim=2, help="One embedding per row (B rows, B >= 2).")
        x2 = array_input("x2", "0.5, 0; 3, 1; 2, 2", "sdml_x2", ndim=2, help="The partner of each x1 row, same shape.")
        plane = x1 is not None and x2 is not None and x1.shape == x2.shape and x1.shape[1] == 2
        if plane and live_charts_enabled():  # under the pairs chart, moved in the browser
            (alpha, lr), sliders = section_sliders(st, sdml_slider_defs(spec))
        else:
            sliders = ()
            alpha = param_controls(spec, "sdml")["smoothing_parameter"]
            lr = float(_slider(st, SDML_LR.label, SDML_LR.low, SDML_LR.high, SDML_LR.default, SDML_LR.step,
                               key=SDML_LR.key, help=SDML_LR.help))
    if x1 is None or x2 is None:
        return
    try:
        r = sdml_terms(tuple(map(tuple, x1)), tuple(map(tuple, x2)), alpha, lr)
    except (ValueError, TypeError) as exc:
        left.error(str(exc))
        return
    rows = [f"x1[{i}]" for i in range(len(x1))]
    cols = [f"x2[{j}]" for j in range(len(x2))]
    stats = [Stat("SDML loss, mean over the batch", fmt(r["mean"]),
                  "Gluon returns one value per row: " + ", ".join(fmt(v) for v in r["values"]))]
    with right:
        if not sliders:
            show_stats(stats, per_row=1)
        st.caption("Per row: " + ", ".join(f"{name} {fmt(v)}" for name, v in zip(rows, r["values"], strict=True)))
        key = (tuple(map(tuple, x1)), tuple(map(tuple, x2)), alpha, lr, present)
        q_fig = _memo_figure("sdml_q", (len(x1), alpha, present), lambda: figures.heatmap_figure(
            r["q"], x_labels=cols, y_labels=rows, title="Q: smoothed targets", zmin=0, zmax=1, present=present))
        q_alt = (f"Heatmap of the smoothed target matrix Q for α = {alpha:g}: {1 - alpha:.3g} on the diagonal, "
                 f"α/(B − 1) = {alpha / (len(x1) - 1):.3g} elsewhere.")
        h0, h1 = st.columns(2)
        with h0:
            if x1.shape[1] == 2:
                fig = _memo_figure("sdml_pairs", key, lambda: _sdml_pairs_figure(x1, x2, r, lr, present))
                steps = [f"{n}[{i}] ({v[0]:.3g}, {v[1]:.3g})" for n, g in (("x1", r["g1"]), ("x2", r["g2"]))
                         for i, v in enumerate(-lr * g + 0.0)]
                alt = ("The pairs in the plane, x1 rows (circles) joined to their x2 partners (diamonds); step "
                       "arrows −η·gradient: " + ", ".join(steps) + ".")
                if sliders:
                    pairs_frames, q_frames = sdml_frames(tuple(map(tuple, x1)), tuple(map(tuple, x2)), alpha, lr,
                                                         present)
                    plotly_chart(fig, key="sdml_pairs", alt=alt, sliders=sliders, stats=stats, frames=pairs_frames)
                    st.caption(alt)
                else:
                    _plot(fig, "sdml_pairs", alt)
            else:
                st.caption("The picture of the pairs needs 2-D embeddings; the matrices below work for any size.")
        with h1:
            fig = _memo_figure("sdml_d", key, lambda: figures.heatmap_figure(
                r["dist"], x_labels=cols, y_labels=rows, title="D: squared distances", present=present,
                height=320))
            nearest = ", ".join(f"{rows[i]} → {cols[j]}" for i, j in enumerate(r["nearest"]))
            _plot(fig, "sdml_d", f"Heatmap of the squared distances D between x1 rows and x2 columns: "
                                 f"{_nums(r['dist'], 3)} row by row; nearest partner per row: {nearest}.")
        p1, p2 = st.columns(2)
        with p1:
            fig = _memo_figure("sdml_p", key, lambda: figures.heatmap_figure(
                r["p"], x_labels=cols, y_labels=rows, title="P: softmax(−D) per row", zmin=0, zmax=1,
                present=present))
            _plot(fig, "sdml_p", f"Heatmap of the predicted matching probabilities P, row by row: "
                                 f"{_nums(r['p'], 3)}.")
        with p2:
            if sliders:
                plotly_chart(q_fig, key="sdml_q", alt=q_alt, follow=sliders, frames=q_frames)
                st.caption(q_alt)
            else:
                _plot(q_fig, "sdml_q", q_alt)
        if not present:
            st.caption("The loss of row i is the KL divergence of P's row i from Q's row i; it is smallest when "
                       "each x1 row is nearest to its own partner by a clear but finite gap.")
    if not present:
        show_counterparts(spec)


SDML_LR = SliderDef("sdml_lr", "step size η of the arrows", 0.0, 0.5, 0.25, 0.05,
                    "Each arrow is one gradient-descent step: −η × the gradient for that point.")


def sdml_slider_defs(spec: LossSpec) -> list[SliderDef]:
    """The SDML section's sliders: the smoothing parameter α and the arrows' step size."""
    (alpha,) = spec.params
    return [SliderDef(control_key("sdml", alpha.name), alpha.name, alpha.low, alpha.high, alpha.default, alpha.step,
                      alpha.help), SDML_LR]


def _sdml_pairs_traces(x1: np.ndarray, x2: np.ndarray, r: dict, lr: float, present: bool) -> list[dict]:
    """The pairs chart's traces: the x1 rows (circles) joined to their partners (diamonds), every point with its
    step arrow (hidden where the point does not move)."""
    pts = {**{f"x1[{i}]": v for i, v in enumerate(x1)}, **{f"x2[{i}]": v for i, v in enumerate(x2)}}
    moves = [*((f"x1[{i}]", x1[i], r["g1"][i]) for i in range(len(x1))),
             *((f"x2[{i}]", x2[i], r["g2"][i]) for i in range(len(x2)))]
    colours = {f"x1[{i}]": figures.PALETTE[0] for i in range(len(x1))}
    colours.update({f"x2[{i}]": figures.PALETTE[1] for i in range(len(x2))})
    traces = deep_figures.embedding_traces(
        pts, arrows={f"−η·grad {n}": (v, -lr * g) for n, v, g in moves},
        segments=[("", x1[i], x2[i]) for i in range(len(x1))], colours=colours,
        symbols={f"x2[{i}]": "diamond" for i in range(len(x2))}, present=present)
    shown = iter([bool(np.any(g != 0) and lr > 0) for _, _, g in moves])
    for trace in traces:
        if trace["meta"]["role"] == "arrow":
            trace["visible"] = next(shown)
    return traces


def _sdml_pairs_figure(x1: np.ndarray, x2: np.ndarray, r: dict, lr: float, present: bool):
    return deep_figures.embedding_figure_from(_sdml_pairs_traces(x1, x2, r, lr, present), present=present,
                                              height=360, legend=False)


@cache_data(max_entries=64, show_spinner=False)
def sdml_frames(x1: tuple, x2: tuple, alpha: float, lr: float, present: bool) -> tuple[dict, dict]:
    """The SDML section at every value of its two sliders, the other held: frames of the pairs chart (arrows
    and the mean loss under it) and of the Q heatmap (which α alone moves)."""
    a, b = np.array(x1, dtype=np.float64), np.array(x2, dtype=np.float64)
    defs = sdml_slider_defs(CATALOG["SDMLLoss"])
    base = (alpha, lr)
    shown = _sdml_pairs_traces(a, b, sdml_terms(x1, x2, alpha, lr), lr, present)
    pairs, targets = {}, {}
    for j, d in enumerate(defs):
        def columns(values: np.ndarray, j: int = j) -> dict:
            settings = [(v, base[1]) if j == 0 else (base[0], v) for v in values]
            views = [sdml_terms(x1, x2, float(al), float(step)) for al, step in settings]
            drawn = [_sdml_pairs_traces(a, b, r, float(step), present) for r, (_, step) in zip(views, settings,
                                                                                               strict=True)]
            cols = traces_columns(shown, drawn)
            cols["stats"] = np.array([[r["mean"]] for r in views])
            return cols

        pairs[d.key] = frame_table(d.at(base[j]), columns)
        if j == 0:  # α moves the targets: the heatmap's cells and their numbers
            def q_columns(values: np.ndarray) -> dict:
                qs = [figures.heatmap_trace(sdml_terms(x1, x2, float(v), lr)["q"], x=[], y=[]) for v in values]
                return {"traces": {0: {attr: [q[attr] for q in qs] for attr in ("z", "text") if attr in qs[0]}}}

            targets[d.key] = frame_table(d.at(base[j]), q_columns)
    return pairs, targets


# -- 7: sequences (CTC) ----------------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Z]{1,12}")
_EXTRA = re.compile(r"[A-Z]{0,8}")


def _matrix_text(x: np.ndarray) -> str:
    """Activations as the CTC text area shows them: one line per step, rounded to 2 decimals."""
    return "\n".join(", ".join(f"{round(float(v), 2) + 0.0:g}" for v in row) for row in x)


def _ctc_start_editing() -> None:
    """Switching to "edit" starts from the activations on screen."""
    if st.session_state.get("ctc_scores") == "edit" and "_ctc_shown" in st.session_state:
        st.session_state["ctc_x"] = st.session_state["_ctc_shown"]


def _ctc_vocab_changed() -> None:
    """A new word or vocabulary in edit mode: restart from an aligned path of the right width."""
    if st.session_state.get("ctc_scores") != "edit":
        return
    word = str(st.session_state.get("ctc_word", "CAT")).strip().upper()
    extra = str(st.session_state.get("ctc_extra", "")).strip().upper()
    if _WORD.fullmatch(word) and _EXTRA.fullmatch(extra):
        vocab = dd.ctc_vocabulary(word, extra)
        steps = max(int(st.session_state.get("ctc_t", 8)), dd.ctc_min_steps(word))
        st.session_state["ctc_x"] = _matrix_text(dd.ctc_preset_scores(word, vocab, steps, "aligned", 3.0, 0))


def _follow(key: str, high: int, memo: str, *, in_address: bool = False) -> None:
    """Keep the slider value ``key`` within [0, high] when ``high`` changes; a value at the old maximum (the
    default, "everything") moves with it. ``memo`` remembers the maximum between runs. A Streamlit slider's
    value is in the session state; a browser-side slider's (``in_address``) in the page address."""
    value: Any = st.session_state.get(key)
    if in_address:
        try:
            value = float(st.query_params[key]) if key in st.query_params else None
        except ValueError:  # not a number: client_slider reports it
            value = None
    before = st.session_state.get(memo)
    if value is not None and (value > high or (before is not None and value == before != high)):
        if in_address:
            st.query_params[key] = str(high)
        else:
            st.session_state[key] = high
    st.session_state[memo] = high


#: The CTC view's sliders that keep the charts' shapes (the number of steps and of lattice rows); T and
#: label_lengths are frame sliders too (:data:`CTC_STEPS`, :func:`ctc_label_length`).
CTC_STRENGTH = SliderDef("ctc_sharp", "score strength", 0.0, 10.0, 3.0, 0.5,
                         "Activation of the chosen class per step (aligned, peaky) or noise scale (random).")
CTC_TEMPERATURE = SliderDef("ctc_temp", "temperature", 0.1, 5.0, 1.0, 0.1,
                            "The activations are divided by it before the softmax: below 1 sharpens the "
                            "probabilities, above 1 flattens them.")
CTC_WEIGHT = SliderDef.of(CATALOG["CTCLoss"].param("weight"), control_key("ctc", "weight"))
CTC_SAMPLE_WEIGHT = SliderDef.of(SAMPLE_WEIGHT, "ctc_sw")
#: The argument of :func:`ctc_view` each slider sets (the order of its arguments, by name).
CTC_VIEW_ARGS = ("word", "extra", "steps", "preset", "strength", "temperature", "seed", "edited", "layout",
                 "label_layout", "weight", "sample_weight", "pred_length", "label_length")
CTC_SLIDER_ARGS = {"ctc_t": "steps", "ctc_llen": "label_length", "ctc_sharp": "strength", "ctc_temp": "temperature",
                   "ctc_weight": "weight", "ctc_sw": "sample_weight", "ctc_plen": "pred_length"}
#: Each CTC slider's frames cover this many steps either side of its value (a CTC analysis per value, batched
#: per slider, and the four charts: the section's largest cost); beyond them the charts wait for the server.
CTC_WINDOW = 2
#: The trace attributes of the CTC charts that frames carry (heatmap cells and their texts, colour range).
CTC_FRAME_ATTRS = ("x", "y", "z", "text", "customdata", "zmin", "zmax", "visible")
#: The number of time steps: a frame slider too (with live charts, unless the scores are typed in); its frames
#: hold whole charts of other sizes (rows of another length, and the step axis's ticks).
CTC_STEPS = SliderDef("ctc_t", "time steps T", 1, 30, 8, 1,
                      "How many score vectors the network produced for this input (with 'edit', the number of rows "
                      "typed).")


def ctc_label_length(letters: int) -> SliderDef:
    """The label_lengths slider of a word of ``letters`` letters (a frame slider with live charts: its frames
    hold the lattice with other rows, in a chart as tall as the whole word's)."""
    return SliderDef("ctc_llen", "label_lengths", 0, letters, letters, 1,
                     "How many letters of the label count (the rest is padding).")


def ctc_slider_defs(steps: int) -> list[SliderDef]:
    """The CTC view's frame sliders for ``steps`` time steps, in the order of their values."""
    return [CTC_STRENGTH, CTC_TEMPERATURE, CTC_WEIGHT, CTC_SAMPLE_WEIGHT,
            SliderDef("ctc_plen", "pred_lengths", 0, steps, steps, 1,
                      "How many of the T steps are real (the rest is padding the loss ignores).")]


def ctc_stats(r: dict) -> list[Stat]:
    """The numbers over the CTC charts: the loss, the probability of the word and what the best path spells."""
    prob = math.exp(r["log_likelihood"]) if r["feasible"] else 0.0
    return [
        Stat("CTC loss", fmt(r["value"]) if r["feasible"] else "infeasible",
             "weight × sample_weight × (−log p(label)); 'infeasible' when the label cannot fit in the valid steps "
             "(CTCLoss then returns +inf)"),
        Stat("p(word | scores)", f"{prob:.4g}",
             "Total probability of every path that spells the label (its first label_lengths letters)."),
        Stat("best path decodes to", r["decoded"] or "(nothing)",
             "The most likely class at each step, repeats merged, blanks dropped."),
    ]


def ctc_specs(r: dict, vocab: list[str], pred_length: int, present: bool, only: Collection[str] | None = None,
              word_length: int | None = None) -> dict[str, tuple[list[dict], dict]]:
    """The CTC view's charts as plain trace and layout dicts, by chart key: class probabilities, lattice, the
    loss per step (a feasible label only) and the gradient; with ``only``, just those charts. The lattice is as
    tall as the whole word's (``word_length`` letters) needs, whatever label_lengths uses of it (its frames then
    keep the chart's height)."""
    step_names = [f"t{t}" for t in range(r["probs"].shape[0])]
    specs = {}
    if only is None or "ctc_softmax" in only:
        specs["ctc_softmax"] = deep_figures.ctc_probs_spec(
            r["probs"], vocab, r["best"], present=present,
            title="softmax(scores / temperature): class probability per time step; boxes: best class")
    if only is None or "ctc_states" in only:
        specs["ctc_states"] = deep_figures.ctc_lattice_spec(
            r["states"], r["valid"], r["edges"], r["state_names"], from_start=r["from_start"], to_end=r["to_end"],
            present=present, title="alignment lattice: posterior of each label position per step" if r["feasible"]
            else "alignment lattice: no complete path",
            height=None if word_length is None else 110 + 30 * (2 * word_length + 1))
    if r["feasible"] and (only is None or "ctc_steps" in only):
        specs["ctc_steps"] = figures.bar_spec(step_names[:pred_length],
                                              {"−log(share of probability kept)": r["step_loss"][:pred_length]},
                                              y_title="loss", present=present, height=240)
    if only is None or "ctc_grad" in only:
        specs["ctc_grad"] = figures.heatmap_spec(
            r["grad"].T, x_labels=step_names, y_labels=vocab, diverging=True,
            title="dL/dscores per step and class (orange pushes a score down, blue up)", present=present,
            height=110 + 34 * len(vocab))
    return specs


@cache_resource(max_entries=64, show_spinner=False)
def ctc_figures(args: tuple, present: bool) -> dict[str, figures.SpecFigure]:
    """The CTC view's charts (by chart key) for :func:`ctc_view`'s ``args``; read-only."""
    r = ctc_view(*args)
    kw = dict(zip(CTC_VIEW_ARGS, args, strict=True))
    vocab = dd.ctc_vocabulary(kw["word"], kw["extra"])
    return {name: figures.SpecFigure(*spec) for name, spec in ctc_specs(
        r, vocab, kw["pred_length"], present, word_length=len(kw["word"])).items()}


@cache_data(max_entries=32, show_spinner=False)
def ctc_frames(args: tuple, present: bool, keys: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The CTC view's frames, by chart key and then slider: for each slider in ``keys``, every chart at each
    value up to :data:`CTC_WINDOW` steps either side of its current one (the others held at ``args``), and the
    numbers over the charts. A value where the label becomes feasible or infeasible (charts come or go) is
    ``missing``: the page asks the server there."""
    kw = dict(zip(CTC_VIEW_ARGS, args, strict=True))
    vocab = dd.ctc_vocabulary(kw["word"], kw["extra"])
    shown_r = ctc_view(**kw)
    shown = {name: (fig["data"], fig["layout"]) for name, fig in ctc_figures(args, present).items()}
    letters = len(kw["word"])
    defs = {d.key: d for d in (CTC_STEPS, ctc_label_length(letters), *ctc_slider_defs(kw["steps"]))}
    out: dict[str, dict[str, Any]] = {name: {} for name in shown}
    for key in keys:
        d, arg = defs[key], CTC_SLIDER_ARGS[key]
        slider = d.at(kw[arg])
        values = window_values(slider, CTC_WINDOW)
        rows = []
        scale = kw["weight"] * kw["sample_weight"]
        weights = arg in ("weight", "sample_weight") and shown_r["feasible"] and scale != 0
        if weights:  # the loss and its gradient are linear in both: the shown numbers times the ratio, and
            # only the gradient's chart changes
            for v in values:
                factor = v * (kw["sample_weight"] if arg == "weight" else kw["weight"]) / scale
                r = {**shown_r, "value": shown_r["value"] * factor, "grad": shown_r["grad"] * factor}
                rows.append((r, ctc_specs(r, vocab, kw["pred_length"], present, only=("ctc_grad",),
                                          word_length=letters)))
        elif arg in CTC_BATCH_ARGS:  # one batched analysis for the whole window (not through ctc_view's cache)
            typed = [int(round(v)) if d.integer else float(v) for v in values]  # T too: its charts are of other
            for r in ctc_numbers_along(kw, arg, typed):  # sizes, pred_lengths following (see ctc_numbers_along)
                rows.append((r, ctc_specs(r, vocab, r["pred_length"], present, word_length=letters)))
        else:
            for v in values:  # a weight from an infeasible label or a zero weight; another label_lengths
                r = ctc_numbers(**{**kw, arg: int(round(v)) if d.integer else float(v)})
                rows.append((r, ctc_specs(r, vocab, kw["pred_length"], present, word_length=letters)))
        flips = {k for k, (r, _) in enumerate(rows) if r["feasible"] != shown_r["feasible"]}
        for name, spec in shown.items():
            figs = [specs.get(name, spec) for _, specs in rows]
            cols = ({"traces": {}, "missing": []} if all(f is spec for f in figs)  # a chart this slider leaves be
                    else figure_columns(spec, figs, CTC_FRAME_ATTRS, ragged=True))
            cols["missing"] = sorted(set(cols["missing"]) | flips)
            if name == "ctc_softmax":  # the numbers over the charts
                cols["stats"] = [[s.text for s in ctc_stats(r)] for r, _ in rows]
            out[name][key] = frame_table(slider, lambda _values, cols=cols: cols, CTC_WINDOW)
    return out


@st.fragment
def ctc_section(present: bool) -> None:
    """CTC on one word: editable activations, the lattice with its posteriors, the best path, loss and gradient.

    With live charts, every slider of the view is browser-side, under the class probabilities
    (:func:`ctc_frames`): the number of steps T (its frames are whole charts of other sizes), label_lengths (the
    lattice's rows), score strength, temperature, weight, sample_weight and pred_lengths. T stays a Streamlit
    slider while the scores are typed in (their rows are the steps)."""
    spec = CATALOG["CTCLoss"]
    left, right = st.columns([1, 1.8], gap="medium")
    with left:
        urlstate.guard_text("ctc_word", max_chars=12)
        word_text = st.text_input("label word", "CAT", key="ctc_word", bind=BIND, max_chars=12,
                                  on_change=_ctc_vocab_changed,
                                  help="Letters A to Z, at most 12. Repeated letters need a blank between them.")
        urlstate.guard_text("ctc_extra", max_chars=8)
        extra_text = st.text_input("extra letters in the vocabulary", "", key="ctc_extra", bind=BIND, max_chars=8,
                                   on_change=_ctc_vocab_changed,
                                   help="Letters the network may also output besides the word's own (up to 8, "
                                        "A to Z); the classes are the word's letters, these, and the blank.")
        word, extra = word_text.strip().upper(), extra_text.strip().upper()
        preset = _radio(st, "network scores", list(dd.CTC_PRESETS), captions=list(dd.CTC_PRESETS.values()),
                        key="ctc_scores", bind=BIND, on_change=_ctc_start_editing,
                        help="What the per-step activations look like before the softmax. 'edit' starts from "
                               "the scores on screen and lets you type each one.")
        editing = preset == "edit"
        if live_charts_enabled() and not editing:  # under the class probabilities, with the other sliders
            (steps,), steps_slider = section_sliders(st, [CTC_STEPS])
        else:
            steps_slider = ()
            steps = int(_slider(st, CTC_STEPS.label, CTC_STEPS.low, CTC_STEPS.high, CTC_STEPS.default,
                                CTC_STEPS.step, key=CTC_STEPS.key, bind=BIND, disabled=editing, help=CTC_STEPS.help))
        seed = int(_number(st, "random seed", 0, 10_000, 0, 1, key="ctc_seed", bind=BIND,
                           disabled=preset != "random", help="Seed of the random scores."))
    errors = []
    if _WORD.fullmatch(word) is None:
        errors.append(f"label word: {urlstate.quote_token(word_text)} is not a word of 1 to 12 letters A-Z. "
                      "Expected something like "
                      "CAT.")
    if _EXTRA.fullmatch(extra) is None:
        errors.append(f"extra letters in the vocabulary: {urlstate.quote_token(extra_text)} has characters other "
                      "than the letters A-Z. "
                      "Expected up to 8 letters, e.g. OG, or nothing.")
    if errors:
        for msg in errors:
            left.error(msg)
        return
    vocab = dd.ctc_vocabulary(word, extra)
    edited = None
    if editing:
        default = _matrix_text(dd.ctc_preset_scores(word, vocab, steps, "aligned", 3.0, 0))
        with left:
            urlstate.guard_text("ctc_x")
            text = st.text_area(
                "activations: one line per time step", default, key="ctc_x", bind=BIND, height=200,
                help=f"One line per time step (1 to 30 lines), one number per class in the order "
                     f"{', '.join(vocab)}; higher means more likely after the softmax.")
        try:
            mat = parse_array(text, "activations", ndim=2, shape=(None, len(vocab)))
            if mat.shape[0] > 30:
                raise ValueError(f"activations: {mat.shape[0]} lines; at most 30 time steps fit. Expected 1 to 30 "
                                 "lines.")
        except ValueError as exc:
            left.error(f"{exc} One column per class: {', '.join(vocab)}.")
            return
        edited = tuple(map(tuple, mat))
        steps = mat.shape[0]
    # the length sliders' ranges follow T and the word: keep their values inside, and "all of them" stays all
    _follow("ctc_plen", steps, "_ctc_prev_t", in_address=live_charts_enabled())
    _follow("ctc_llen", len(word), "_ctc_prev_w", in_address=live_charts_enabled())
    with left:
        params = param_controls(spec, "ctc", skip=("weight",))
        (label_length,), length_slider = section_sliders(st, [ctc_label_length(len(word))])
        idle = ("ctc_sharp",) if preset in ("uniform", "edit") else ()
        (sharpness, temperature, weight, sample_weight, pred_length), sliders = section_sliders(
            st, ctc_slider_defs(steps), disabled=idle)
        sliders = (*steps_slider, *length_slider, *sliders)
    args = (word, extra, steps, preset, sharpness, temperature, seed, edited, params["layout"], params["label_layout"],
            weight, sample_weight, pred_length, label_length)
    r = ctc_view(*args)
    if not editing:
        st.session_state["_ctc_shown"] = _matrix_text(r["scores"])
    target = r["target"]
    figs = ctc_figures(args, present)
    frames = ctc_frames(args, present, tuple(s.id for s in sliders)) if sliders else {}
    stats = ctc_stats(r)
    with right:
        if not sliders:
            show_stats(stats)
        if not r["feasible"]:
            st.warning(f"{target} needs at least {r['need']} time steps (one per letter plus a blank between each "
                       f"pair of repeated letters); with {pred_length} valid steps no path spells it. The label is "
                       "infeasible: CTCLoss returns +inf with a zero gradient, and the lattice below has no complete "
                       "path.")

        def show(name: str, alt: str, lead: bool = False) -> None:
            if not sliders:
                _plot(figs[name], name, alt)
            elif lead:  # the sliders and the numbers go with the first chart; the others follow
                plotly_chart(figs[name], key=name, alt=alt, sliders=sliders, stats=stats, frames=frames[name])
                st.caption(alt)
            else:
                plotly_chart(figs[name], key=name, alt=alt, follow=sliders, frames=frames[name])
                st.caption(alt)

        greedy = ", ".join(f"t{t} {s} {r['probs'][t, k]:.2f}" for t, (s, k) in
                           enumerate(zip(r["best_symbols"], r["best"], strict=True)))
        show("ctc_softmax", f"Heatmap of the class probabilities (scores divided by temperature {temperature:g}) "
                            f"for {steps} steps and classes {', '.join(vocab)}; best class and its probability per "
                            f"valid step: {greedy}.", lead=True)
        check = ("matches the label" if r["collapsed"] == target else f"is not the label {target or '(empty)'}")
        st.markdown(
            f"**Best path** (greedy decoding): {' '.join(r['best_symbols']) or '(no valid step)'} → merge repeats: "
            f"{' '.join(r['merged']) or '(nothing)'} → drop blanks: **{r['collapsed'] or '(nothing)'}**, which "
            f"{check}."
        )
        if r["feasible"]:
            peak = ", ".join(f"t{t} {r['state_names'][s]}" for t, s in enumerate(r["states"][:pred_length].argmax(1)))
            alt = (f"Heatmap of the alignment lattice of {' '.join(r['state_names'])}: {int(r['valid'].sum())} cells "
                   f"lie on a complete path, joined by {len(r['edges'])} allowed moves; every step's posteriors sum "
                   f"to 1; most likely state per step: {peak}.")
        else:
            alt = (f"Heatmap of the alignment lattice of {' '.join(r['state_names'])}: no cell lies on a complete "
                   f"path, because {target} needs {r['need']} steps and has {pred_length}. The "
                   f"{int(r['from_start'].sum())} cells reachable from the start and the {int(r['to_end'].sum())} "
                   "cells from which the end can still be reached never meet.")
        show("ctc_states", alt)
        if not present:
            st.caption(
                "Rows are the label with a blank (·) before, between and after its letters: the states CTC's "
                "forward-backward recursion walks through. A path starts in one of the first two rows, moves "
                "down by at most one row per step (two, to skip a blank between different letters) and ends in "
                "one of the last two rows; grey lines are the allowed moves, empty cells lie on no complete "
                "path. Each cell holds the probability that the alignment is in that state at that step."
            )
        if r["feasible"]:
            st.markdown("**The loss, step by step**")
            losses = r["step_loss"][:pred_length]
            show("ctc_steps", f"Bars of the loss per time step: {_nums(losses, 3)}; they add up to "
                              f"−log p = {fmt(-r['log_likelihood'])}" + (
                                  f", times weight × sample_weight = {fmt(r['value'])}."
                                  if abs(r["value"] + r["log_likelihood"]) > 1e-9 else "."))
            if not present:
                st.caption("The forward recursion carries the probability of every path prefix that can still "
                           "become the label; each step keeps a share of it (the rest goes to symbols no "
                           "complete path can use there). The bars are −log of those shares: their sum is the "
                           "loss, and a tall bar is a step where the network spends probability elsewhere.")
        biggest = np.unravel_index(np.abs(r["grad"]).argmax(), r["grad"].shape)
        show("ctc_grad", f"Heatmap of the gradient of the CTC loss with respect to each score; sum of |gradient| "
                         f"{fmt(float(np.abs(r['grad']).sum()))}; largest at t{biggest[0]}, class "
                         f"{vocab[biggest[1]]}: {fmt(float(r['grad'][biggest]))}.")
        if not present:
            st.caption("The gradient for the scores at step t is the softmax minus the lattice posteriors gathered "
                       "by class (times the weights): it lowers classes the network over-predicts and raises the "
                       "ones the alignments need.")
    if not present:
        st.caption(
            f"Shapes passed to CTCLoss: pred {r['pred_shape']} for layout {params['layout']}, label "
            f"{r['label_shape']} for label_layout {params['label_layout']}. The layouts only say where the batch "
            "and time axes are; the loss is the same."
        )
        show_counterparts(spec)
