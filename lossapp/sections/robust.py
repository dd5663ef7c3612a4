"""Robust regression page sections: Barron's alpha morphing one curve through its named members, and "what does
this loss estimate?", each regression loss's best constant on a small data set (the loss curves themselves are
:mod:`lossapp.curve_explorer`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import robust_figures as rf
from lossapp.bound_widgets import bound_radio
from lossapp.caching import cache_data, cache_resource
from lossapp.charts import captioned_chart
from lossapp.controls import array_input, control_key, param_control
from lossapp.figures import SpecFigure
from lossapp.formatting import fmt
from lossapp.frames import SliderDef, frame_table, section_sliders, show_stats
from lossapp.live_chart import Stat, plotly_chart
from losscore.catalog import CATALOG

# -- Barron's alpha, morphing ----------------------------------------------------------------------------------
#: The morph's slider: down to −10, where the curve is within sight of Welsch (alpha = −∞, drawn dotted).
MORPH_ALPHA = SliderDef("barron_morph_alpha", "alpha", -10.0, 3.0, 1.0, 0.1,
                        "Barron's shape parameter: 2 is L2, 1 Charbonnier, 0 Cauchy, −2 Geman-McClure; as it falls "
                        "towards −∞ the curve approaches Welsch's (dotted).")
#: The residual at which the numbers under the chart read the loss and its gradient (an outlier's pull).
PROBE = 3.0


def morph_stats(alpha: float) -> list[Stat]:
    """The numbers under the morph chart: the member, and the loss and gradient at residual :data:`PROBE`."""
    loss, grad = rf.barron_curve(alpha, x=np.array([PROBE]))
    return [Stat("member", rf.member_name(alpha), "The named member alpha is at, or the two it lies between."),
            Stat(f"loss at d = {PROBE:g}", fmt(float(loss[0]))),
            Stat(f"gradient at d = {PROBE:g}", fmt(float(grad[0])),
                 "How hard a residual of 3 (an outlier, at scale 1) still pulls on the prediction.")]


@cache_data(max_entries=8, show_spinner=False)
def morph_frames() -> dict[str, Any]:
    """The morph slider's frame table: the loss and gradient, the annotations' texts and the numbers at every
    alpha the slider can take (the whole range: it is one small curve)."""
    def columns(alphas: np.ndarray) -> dict[str, Any]:
        curves = [rf.barron_curve(float(a)) for a in alphas]
        notes = [rf.morph_notes(float(a)) for a in alphas]
        return {"traces": {0: {"y": np.stack([c[0] for c in curves])}, 1: {"y": np.stack([c[1] for c in curves])}},
                "annotations": {i: {"text": [n[i] for n in notes]} for i in range(len(notes[0]))},
                "stats": [[s.text for s in morph_stats(float(a))] for a in alphas]}

    return frame_table(MORPH_ALPHA.at(), columns)


def morph_alt(alpha: float) -> str:
    loss, grad = rf.barron_curve(alpha, x=np.array([PROBE]))
    return (f"Barron's general loss at alpha = {alpha:g}, {rf.member_name(alpha)}, and its gradient against the "
            f"residual from −6 to 6, with Welsch's curve (alpha = −∞) dotted; at residual {PROBE:g} the loss is "
            f"{fmt(float(loss[0]))} and the gradient {fmt(float(grad[0]))}.")


@cache_resource(max_entries=64, show_spinner=False)
def morph_figure(alpha: float, present: bool) -> SpecFigure:
    """The morphing curve at one alpha (kept: read-only, its JSON made once)."""
    return SpecFigure(*rf.morph_spec(alpha, present=present))


@st.fragment
def barron_morph_section(present: bool) -> None:
    """One curve of Barron's loss whose alpha is a browser-side slider: the curve and its gradient morph through
    L2, Charbonnier, Cauchy, Geman-McClure towards Welsch, and the member's name lights up as alpha passes it."""
    st.subheader("One dial, five classic losses: Barron's alpha", anchor="barron-alpha")
    if not present:
        st.markdown(
            "Move alpha and watch the named members light up above the chart as you pass them. From 2 down, the "
            "gradient stops growing (Charbonnier, alpha = 1, is bounded), then turns back towards zero far from "
            "the label (Cauchy, alpha = 0, and below): the lower alpha, the less an outlier pulls. Near the label "
            "every member is the same bowl, d²/2, so they all treat small errors like L2."
        )
    (alpha,), sliders = section_sliders(st, [MORPH_ALPHA])
    alpha = float(alpha)
    stats = morph_stats(alpha)
    if not sliders:
        show_stats(stats)
    alt = morph_alt(alpha)
    plotly_chart(morph_figure(alpha, present), key="barron_morph", alt=alt,
                 sliders=sliders, stats=stats if sliders else (), readout=False,
                 frames={MORPH_ALPHA.key: morph_frames()} if sliders else None)
    st.caption(alt)


# -- what does each loss estimate? -----------------------------------------------------------------------------
#: The data presets: a clean sample, the same with three outliers, and a right-skewed sample.
PRESETS: dict[str, str] = {
    "clean": "4.2, 4.6, 4.8, 4.9, 5, 5.1, 5.3, 5.4, 5.7, 6.1",
    "with outliers": "4.2, 4.6, 4.8, 4.9, 5, 5.1, 5.3, 5.4, 5.7, 6.1, 14, 17, 21",
    "skewed": "0.3, 0.5, 0.6, 0.8, 0.9, 1.1, 1.4, 1.8, 2.5, 3.4, 4.9, 7.5",
}
#: At most this many values (each is a dot on every row of the chart, and every loss is minimised over them).
MAX_VALUES = 200
#: The largest size of a value: beyond it the squares of L2 and the chart's spans leave float64's range.
MAX_ABS_VALUE = 1e6
ESTIMATE_TAU = CATALOG["QuantileLoss"].param("tau")
ESTIMATE_ALPHA = CATALOG["GeneralRobustLoss"].param("alpha")


@cache_data(max_entries=64, show_spinner=False)
def cached_estimates(y: tuple[float, ...], tau: float, alpha: float) -> list[rf.Estimate]:
    return rf.estimates(y, {"QuantileLoss": {"tau": tau}, "GeneralRobustLoss": {"alpha": alpha}})


@cache_resource(max_entries=64, show_spinner=False)
def estimate_figures(y: tuple[float, ...], tau: float, alpha: float, present: bool) -> tuple[SpecFigure, SpecFigure]:
    """The data strip and the mean-loss curves (kept: read-only, their JSON made once)."""
    ests = cached_estimates(y, tau, alpha)
    return (SpecFigure(*rf.estimate_spec(np.array(y), ests, present=present)),
            SpecFigure(*rf.total_loss_spec(ests, present=present)))


def estimates_table(ests: list[rf.Estimate]) -> pd.DataFrame:
    return pd.DataFrame({
        "best constant": [fmt(e.value) for e in ests],
        "equals": [f"the {e.closed_form} ({fmt(e.reference)})" if e.reference is not None else
                   "found by minimising (losscore's gradients)" for e in ests],
        "mean loss there": [fmt(float(np.interp(e.value, e.grid, e.totals))) for e in ests],
    }, index=[e.label for e in ests])


@st.fragment
def estimate_section(present: bool) -> None:
    """A small data set (presets, values editable) and where each regression loss puts its best constant
    prediction: L2 the mean, L1 the median, the quantile loss the tau-quantile, the robust ones in between."""
    st.subheader("What does each loss estimate?", anchor="estimate")
    if not present:
        st.markdown(
            "Fit a model that can only predict one number c to some data, and the loss decides which number: "
            "L2 picks the mean, L1 the median, the quantile loss the tau-quantile. The robust losses pick a "
            "\"location\" that follows the bulk of the data and lets the outliers go. Switch to the data with "
            "outliers and watch the mean leave the bulk while Tukey, Cauchy and friends stay put; edit the "
            "numbers to try your own."
        )
    left, right = st.columns([1, 2.2], gap="medium")
    with left:
        preset = bound_radio(st, "data", list(PRESETS), key="est_preset", horizontal=True,
                             help="A clean sample, the same with three outliers, or a right-skewed sample.")
        y = array_input("values", PRESETS[preset], key=f"est_values_{list(PRESETS).index(preset)}",
                        help=f"The data: numbers separated by commas (at most {MAX_VALUES}).", max_size=MAX_VALUES)
        tau = param_control(ESTIMATE_TAU, control_key("est", "tau"), help="The quantile loss's tau.")
        alpha = param_control(ESTIMATE_ALPHA, control_key("est", "alpha"),
                              help="Barron's alpha (scale 1): lower alpha ignores outliers more.")
    if y is not None and np.abs(y).max() > MAX_ABS_VALUE:
        left.error(f"values: keep every number between −{MAX_ABS_VALUE:,.0f} and {MAX_ABS_VALUE:,.0f}; got "
                   f"{fmt(float(y[np.argmax(np.abs(y))]))}.")
        y = None
    if y is None:
        return
    values = tuple(float(v) for v in y)
    ests = cached_estimates(values, float(tau), float(alpha))
    strip, totals = estimate_figures(values, float(tau), float(alpha), present)
    with right:
        captioned_chart(strip, "est_strip",
                        f"The {y.size} data values as dots, repeated on one row per loss, and each loss's best "
                        "constant prediction as a diamond: " + "; ".join(f"{e.label} {fmt(e.value)}" for e in ests)
                        + ".")
    captioned_chart(totals, "est_totals",
                    "Each loss's mean over the data against the constant prediction c, rescaled to run from 0 at "
                    "its minimum to 1 at its largest value on the chart, with a diamond at each minimum.")
    if not present:
        st.dataframe(estimates_table(ests), width="stretch")
        st.caption(
            "L2, L1 and the quantile loss have closed forms; the others are found numerically: the mean loss is "
            "evaluated on a fine grid over the data's range, and bisection on the sign of losscore's gradient "
            "pins the lowest valley's bottom down. Tukey's and Barron's (alpha < 1) losses are not convex and can "
            "have several valleys: the deepest one wins."
        )
