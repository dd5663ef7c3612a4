"""The loss-vs-prediction explainer of one loss (formula, text, every parameter, label, chart with marker and
tangent), used by the Regression, Binary classification and Distributions pages."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, cast

import streamlit as st

from lossapp import urlstate
from lossapp.bound_widgets import client_param
from lossapp.charts import chart
from lossapp.controls import SAMPLE_WEIGHT, bound_slider, control_key, label_param, param_control, param_controls
from lossapp.counterparts import short_name, show_counterparts
from lossapp.curve_views import CurveRange, curve_range, curve_view, point_value
from lossapp.formatting import fmt
from lossapp.live_chart import ClientSlider, client_slider, live_charts_enabled
from lossapp.model import Curve, CurveView
from lossapp.page import shown
from lossapp.predict_panel import curve_questions, gate, predict_on
from lossapp.side_notes import NOTES_LABEL, lead_sentence
from losscore.catalog import CATALOG, LossSpec

#: Where the marker starts when the x-axis is a probability or a rate.
_MARKER_START = {"prob": 0.5, "rate": 1.0}


#: A numeric loss parameter with at most this many slider steps can move in the browser as a "frame" slider (one
#: with finer steps, such as PoissonNLL's epsilon, stays a Streamlit number input).
FRAME_MAX_STEPS = 200


def frame_param(p) -> bool:
    """Whether catalog parameter ``p`` can be a browser-side "frame" slider of a curve chart: a number with a
    slider's range, other than the weight (which scales the curve instead)."""
    return p.kind == "float" and p.name != "weight" and (p.high - p.low) / p.step <= FRAME_MAX_STEPS


@st.fragment
def curve_section(name: str, key: str, *, present: bool = False, notes: str = "",
                  defaults: dict[str, Any] | None = None, header: bool = True) -> None:
    """A whole explainer for one loss: formula, text, every parameter, label, chart with marker and tangent.

    Widget keys are ``{key}_{param}`` (``huber_rho``), ``{key}_label`` (``{key}_label01`` for 0/1 labels),
    ``{key}_sw`` (sample weight) and
    ``{key}_pred`` for the marker (``{key}_prob`` / ``{key}_rate`` when the x-axis is a probability or a rate).
    ``key`` is also the section's step id (:mod:`lossapp.steps`). The section is a fragment (its reset button and
    "predict first" switch rerun the section, not the page) and its controls and chart one inside it
    (:func:`curve_explorer`: moving one of its widgets reruns and redraws only that part).
    """
    if not shown(key):  # the address picked another section of the page (?step= / ?section=)
        return
    spec = CATALOG[name]
    if header:
        st.subheader(spec.title, anchor=key)
    st.latex(spec.formula)
    if not present:
        st.markdown(spec.summary)
        if notes:
            st.markdown(notes)
    lead, rest = lead_sentence(spec.summary)
    curve_explorer(name, key, present=present, defaults=defaults, lead=lead if present else "")
    folded_notes = "\n\n".join(t for t in (rest, notes) if t)
    if folded_notes and present:  # on a projector the chart comes first; the rest stays one click away
        with st.expander(NOTES_LABEL):
            st.markdown(folded_notes)
    if not present:
        show_counterparts(spec)


def _marker_start(spec: LossSpec, rng: CurveRange) -> float:
    if rng.suffix != "pred":
        return _MARKER_START.get(rng.suffix, 1.0)
    return 2.0 if spec.curve == "regression" and spec.name != "PoissonNLLLoss" else 0.5


_MARKER_HELP = "Where to read off the loss and its gradient; the dotted line is the tangent there."


@st.fragment
def curve_explorer(name: str, key: str, *, present: bool = False,
                   defaults: dict[str, Any] | None = None, lead: str = "") -> CurveView:
    """The live part of :func:`curve_section`: the loss's parameters, label, sample weight and marker, and the
    loss and gradient chart (with its export panel). Returns the CurveView it plotted.

    With live charts (:mod:`lossapp.live_chart`), the prediction marker, ``weight`` and ``sample_weight`` (and the
    label of a loss of pred − label, ``LossSpec.label_shift``, or of a loss linear in its label, ``label_linear``)
    are sliders under the chart that the browser applies by itself (a loss is linear in both weights, such a
    label slides the curve or mixes the curves at labels 0 and 1, and the marker only picks a point of the
    plotted grid), so moving them costs no script run; the values at the marker are shown under the chart.
    Otherwise every control is a Streamlit widget and the values are metrics.

    In presentation mode the chart takes the width with its sliders at its right; ``lead`` (the summary's first
    sentence) stands above it, with the Streamlit controls folded into an expander beside it.
    """
    spec = CATALOG[name]
    urlstate.enter_section(key)  # a rerun of this fragment alone: its controls belong to this section
    roles = _roles(spec, live_charts_enabled())
    widgets = not roles.shift or [p for p in spec.params if p.name not in ("weight", *roles.framed)]
    left: Any  # a column, a container or an expander
    right: Any
    if present and widgets:  # on a projector: one line of story, the controls one click away, the chart wide
        said, box = st.columns([2.4, 1], gap="medium", vertical_alignment="center")
        said.markdown(lead)
        left, right = box.expander(f"{short_name(spec)} parameters"), st.container()
    elif not widgets:
        if lead:
            st.markdown(lead)
        left = right = st.container()  # every control sits under the chart: the chart takes the whole width
    else:
        left, right = st.columns([1, 2.4], gap="medium")
    with left:
        c = _controls(spec, key, roles, defaults)
    if roles.live:
        return _live_chart(spec, key, roles, c, defaults, present, right)
    assert c.label is not None and c.sample_weight is not None and c.marker is not None  # widgets when not live
    short = short_name(spec)
    value, grad = point_value(name, tuple(sorted(c.params.items())), float(c.label), float(c.sample_weight),
                              c.marker)
    view = curve_view(name, c.params, c.label, c.sample_weight, c.marker, c.rng)
    with right:
        if not _revealed(key, view, (name, tuple(sorted(c.params.items())), c.label, c.sample_weight), grad):
            return view
    with right if present else left:  # the numbers stay in view on a projector
        st.metric(f"{short}: loss", fmt(value), help=f"{spec.name} at prediction {c.marker:g}, label {c.label:g}")
        st.metric(f"{short}: gradient", fmt(grad), help=f"dL/dpred of {spec.name} at prediction {c.marker:g}")
    with right:
        chart(view, key, present=present)
    return view


def _revealed(key: str, view: CurveView, values: tuple, grad: float) -> bool:
    """Whether the section may show its chart and numbers: "predict first" is off, or the student has guessed
    where the minimum is and the gradient at the marker for these values (the questions are drawn otherwise)."""
    if not predict_on(key):
        return True
    assert view.marker is not None  # a curve section always has a marker
    curve = view.curves[0]
    return gate(key, (*values, view.marker), curve_questions(curve.x, curve.loss, view.marker, grad))


@dataclass(frozen=True)
class _Roles:
    """What the browser applies by itself on a curve chart (with live charts; nothing without)."""

    live: bool
    shift: bool  # the label slides the curve (a loss of pred − label)
    pscale: str | None  # the parameter that scales a mixed label's label-1 part (SigmoidBCE's pos_weight)
    mshift: str | None  # a margin that slides the curve by the label (the hinges)
    framed: tuple[str, ...]  # curve parameters with a slider of their own (Huber's rho): frames of other curves


def _roles(spec: LossSpec, live: bool) -> _Roles:
    lparam = label_param(spec, spec.defaults())
    shift = bool(live and spec.label_shift and lparam.kind == "float")
    pscale = spec.positive_scale if live and spec.label_linear and lparam.kind == "float" else None
    mshift = spec.margin_shift if live and lparam.kind == "choice" else None
    # the page sends the curves at the values around a framed parameter (not for a mixed label, whose label-1
    # curves would not follow)
    framed = tuple(p.name for p in spec.params if live and frame_param(p) and p.where == "init"
                   and p.name not in (pscale, mshift) and not (spec.label_linear and lparam.kind == "float"))
    return _Roles(live, shift, pscale, mshift, framed)


@dataclass(frozen=True)
class _Controls:
    """The Streamlit controls' values: the loss's parameters, its label parameter and key, whether the label is
    mixed in the browser, the x-axis and where the marker starts; the label, sample weight and marker when they
    are Streamlit widgets (else None: browser-side sliders give them)."""

    params: dict[str, Any]
    lparam: Any
    lkey: str
    mix: bool
    rng: CurveRange
    start: float
    label: float | None = None
    sample_weight: float | None = None
    marker: float | None = None


def _controls(spec: LossSpec, key: str, roles: _Roles, defaults: dict[str, Any] | None) -> _Controls:
    live = roles.live
    params = param_controls(spec, key, defaults=defaults,
                            skip=("weight", *(p for p in (roles.pscale, roles.mshift) if p), *roles.framed)
                            if live else ())
    lparam = label_param(spec, params)
    # a different key when the label convention changes, so a stored -1 never meets the {0, 1} choice
    lkey = control_key(key, "label") + ("01" if lparam.choices == (0.0, 1.0) else "")
    # a label the loss is linear in is mixed in the browser from the curves at 0 and 1 (not PoissonNLL's
    # compute_full, whose Stirling term is not linear in the label)
    mix = bool(live and spec.label_linear and lparam.kind == "float" and not params.get("compute_full"))
    label = param_control(lparam, lkey) if not roles.shift and not mix else None
    rng = curve_range(spec.name, params)
    start = _marker_start(spec, rng)
    sample_weight = marker = None
    if not live:
        sample_weight = param_control(SAMPLE_WEIGHT, control_key(key, "sample_weight"))
        marker = float(bound_slider(st, "prediction marker", rng.lo, rng.hi, float(start), rng.step,
                                    key=f"{key}_{rng.suffix}", help=_MARKER_HELP, format="%.2f"))
    return _Controls(params, lparam, lkey, mix, rng, start, label, sample_weight, marker)


def _browser_sliders(spec: LossSpec, key: str, roles: _Roles, c: _Controls,
                     defaults: dict[str, Any] | None) -> tuple[ClientSlider, ...]:
    """The chart's browser-side sliders: marker, label (sliding or mixed), pos_weight, margin, framed
    parameters, weight and sample_weight."""
    rng, lparam, pscale, mshift = c.rng, c.lparam, roles.pscale, roles.mshift
    weight_param = next(p for p in spec.params if p.name == "weight")
    return (
        # the marker's steps start at a multiple of the step (0.05 on the rate axis, not its end 0.01), so round
        # rates such as 1 and 2 are among them
        client_slider(f"{key}_{rng.suffix}", "prediction marker",
                      low=math.ceil(rng.lo / rng.step - 1e-9) * rng.step, high=rng.hi, step=rng.step,
                      default=float(c.start), role="marker", help=_MARKER_HELP),
        *((client_slider(c.lkey, "label", low=float(lparam.low), high=float(lparam.high), step=float(lparam.step),
                         default=float(lparam.default), role="shift" if roles.shift else "mix", help=lparam.help),)
          if roles.shift or c.mix else ()),
        *((client_param(spec.param(pscale), control_key(key, pscale), (defaults or {}).get(pscale),
                        role="pscale"),) if pscale and c.mix else ()),
        # cast: a margin goes with a label of two choices, always a widget (c.label None is for browser labels)
        *((client_param(spec.param(mshift), control_key(key, mshift), (defaults or {}).get(mshift),
                        role="shift", factor=float(cast(float, c.label))),) if mshift else ()),
        *(client_param(spec.param(p), control_key(key, p), (defaults or {}).get(p), role="frame")
          for p in roles.framed),
        client_param(weight_param, control_key(key, "weight"), (defaults or {}).get("weight")),
        client_param(SAMPLE_WEIGHT, control_key(key, "sample_weight"), None),
    )


def _live_chart(spec: LossSpec, key: str, roles: _Roles, c: _Controls, defaults: dict[str, Any] | None,
                present: bool, right) -> CurveView:
    """The chart drawn from the curves at scale 1 with the browser-side sliders under it; returns the view at
    the sliders' values (what the description and the export show)."""
    name, rng, pscale, mshift = spec.name, c.rng, roles.pscale, roles.mshift
    sliders = _browser_sliders(spec, key, roles, c, defaults)
    values = {s.role if s.role not in ("scale", "frame") else s.id: s.value for s in sliders}
    params = {**c.params, **{p: values[control_key(key, p)] for p in roles.framed}}
    if mshift:
        params = {**params, mshift: values["shift"]}
    marker = values["marker"]
    weight = values[control_key(key, "weight")]
    sample_weight = values[control_key(key, "sample_weight")]
    label = values["shift" if roles.shift else "mix"] if roles.shift or c.mix else c.label
    assert label is not None  # a widget's value when no browser slider gives it
    if pscale and c.mix:
        params = {**params, pscale: values["pscale"]}
    elif pscale:  # not mixed after all: the scale was left out of the widgets, so it keeps its default
        params = {**params, pscale: spec.param(pscale).default}
    params = {**params, "weight": weight}
    with right:
        view = curve_view(name, params, label, sample_weight, marker, rng)
        grad = point_value(name, tuple(sorted(params.items())), float(label), float(sample_weight),
                           float(marker))[1] if predict_on(key) else 0.0
        if not _revealed(key, view, (name, tuple(sorted(params.items())), label, sample_weight), grad):
            return view
        unit = {**params, "weight": 1.0, **({pscale: 1.0} if pscale and c.mix else {})}
        base_rng, base_params, base_label = _base_of(spec, roles, c, params, unit, label)
        base = curve_view(name, base_params, base_label, 1.0, marker, base_rng)
        at_one = curve_view(name, unit, 1.0, 1.0, marker, rng) if c.mix else None

        def curves_at(value: float, p: str) -> tuple[Curve, ...]:
            """The base's curves with parameter ``p`` at ``value``."""
            return curve_view(name, {**base_params, p: value}, base_label, 1.0, marker, base_rng).curves

        chart(view, key, present=present, base=base, sliders=sliders, names={spec.name: short_name(spec)},
              xrange=(rng.lo, rng.hi) if roles.shift or mshift else None, mix=at_one,
              curves_at={control_key(key, p): functools.partial(curves_at, p=p) for p in roles.framed})
    return view


def _base_of(spec: LossSpec, roles: _Roles, c: _Controls, params: dict[str, Any], unit: dict[str, Any],
             label: float) -> tuple[CurveRange, dict[str, Any], float]:
    """What the chart is drawn from: the x-axis, parameters and label of the curves at scale 1, with what the
    browser applies taken out."""
    rng = c.rng
    if roles.shift:  # drawn at label 0 over every prediction minus label the sliders can reach
        return (CurveRange(rng.lo - float(c.lparam.high), rng.hi - float(c.lparam.low), rng.dx, rng.step,
                           rng.title, rng.suffix), {**params, "weight": 1.0}, 0.0)
    if roles.mshift:  # drawn at margin 0 over every prediction the margin can slide into view
        margin = spec.param(roles.mshift)
        assert margin.low is not None and margin.high is not None  # a margin is a number with a range
        reach = max(abs(float(margin.low)), abs(float(margin.high)))
        return (CurveRange(rng.lo - reach, rng.hi + reach, rng.dx, rng.step, rng.title, rng.suffix),
                {**params, "weight": 1.0, roles.mshift: 0.0}, label)
    if c.mix:  # drawn at label 0, and at label 1 for the browser to mix
        return rng, unit, 0.0
    return rng, unit, label
