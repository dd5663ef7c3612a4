"""The cosine embedding loss section: the tutorial's two examples, then two unit vectors at an angle with the loss
for both labels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import deep_dives as dd
from lossapp import deep_figures, figures
from lossapp.bound_widgets import bound_radio
from lossapp.caching import cache_data, cache_resource
from lossapp.charts import captioned_chart, curve_chart, memo_curve_figure, memo_figure
from lossapp.controls import BIND, SAMPLE_WEIGHT, array_input, param_control, param_controls
from lossapp.counterparts import show_counterparts
from lossapp.formatting import clean, fmt, nums
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
from lossapp.live_chart import ClientSlider, Stat, live_charts_enabled, plotly_chart
from lossapp.model import Curve, CurveView
from lossapp.offline_export import offline_download
from lossapp.side_notes import side_note
from losscore import CosineEmbeddingLoss
from losscore.catalog import CATALOG, LossSpec


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


COS_EXAMPLES = {
    "same": ("1, 0, 1, 0, 1, 0", "1, 0, 1, 0, 1, 0", 1.0),
    "orthogonal": ("1, 0, 1, 0, 1, 0", "0, 1, 0, 1, 0, 1", -1.0),
}


COS_EXAMPLE_NAMES = {"same": "identical vectors, label 1", "orthogonal": "orthogonal vectors, label −1"}


def _load_cos_example() -> None:
    x, y, label = COS_EXAMPLES[st.session_state["cos_example"]]
    st.session_state["cos_x"], st.session_state["cos_y"], st.session_state["cos_label"] = x, y, label


#: What the tutorial's two examples show (beside them on a page; folded into Notes on a projector).
COS_EXAMPLES_NOTE = (
    "The tutorial's two examples both come out at 0, for different reasons. Identical vectors have "
    "cosine 1, so a similar pair (label 1) costs 1 − 1 = 0. The second pair is described as opposite, "
    "but [1, 0, 1, 0, 1, 0] and [0, 1, 0, 1, 0, 1] are orthogonal: their cosine is 0, and a dissimilar "
    "pair (label −1) only pays for the part of the cosine above the margin, max(0, 0 − 0) = 0. Truly "
    "opposite vectors would have cosine −1. The tutorial's formula also leaves out that margin; raise it "
    "and a dissimilar pair is let off more easily, lower it below zero and orthogonal pairs start to cost."
)
#: How to read the angle view.
COS_ANGLE_NOTE = (
    "Only the angle θ between the vectors matters: the cosine ignores their lengths. input2 stays at "
    "(1, 0) and input1 turns by θ. Both labels are plotted. A similar pair (label 1) pays 1 − cos θ from "
    "any angle above 0. A dissimilar pair (label −1) pays cos θ − margin, but only while θ is smaller "
    "than arccos(margin) (the dash-dotted line): push the pair past that angle and it is left alone. The "
    "arrows on the vectors are −½ × losscore's gradient for the chosen label; they are perpendicular to "
    "the vectors, so gradient descent turns them and never stretches them."
)


@st.fragment
def cosine_section(present: bool) -> None:
    """The tutorial's two examples, then two vectors in 2-D with an angle control and the loss for both labels."""
    spec = CATALOG["CosineEmbeddingLoss"]
    st.header(spec.title, anchor="cosine")
    st.latex(spec.formula)
    st.markdown(spec.summary)
    # on a projector the vectors chart takes the screen (its sliders beside it): both notes and the tutorial's
    # example (its inputs and numbers stacked) fold into expanders side by side above it
    c_left: Any
    c_right: Any
    if present:
        note_box, example = st.columns(2)
        c_left = c_right = example.expander("Tutorial example")
        with note_box:
            side_note(f"{COS_EXAMPLES_NOTE}\n\n{COS_ANGLE_NOTE}", present)
    else:
        side_note(COS_EXAMPLES_NOTE, present)
        c_left, c_right = st.columns([1, 1.6], gap="medium")
    with c_left:
        x, y, label, params, sample_weight, theta, sliders = _cos_inputs(spec)
    _cos_example_numbers(c_left, c_right, x, y, label, params, sample_weight)
    _cos_angle_view(label, params, sample_weight, theta, sliders, present)
    if not present:
        show_counterparts(spec)


def _cos_inputs(spec: LossSpec) -> tuple:
    """The two vectors (None where they do not parse), the label, the loss's parameters and sample weight, and
    with live charts the angle and the browser-side sliders (else the angle is None: a Streamlit slider below
    the example)."""
    theta = None
    example = bound_radio(
        st, "Tutorial example", list(COS_EXAMPLES), key="cos_example", on_change=_load_cos_example, bind=BIND,
        horizontal=True, captions=[COS_EXAMPLE_NAMES[k] for k in COS_EXAMPLES],
        help="Fills in the vectors and label of one of the tutorial's examples; edit them afterwards.",
    )
    x_default, y_default, label_default = COS_EXAMPLES[example]
    x = array_input("input1", x_default, "cos_x", help="The first embedding.")
    y = array_input("input2", y_default, "cos_y", help="The second embedding, as many numbers as input1.")
    label = float(bound_radio(st, "label", [1.0, -1.0], index=[1.0, -1.0].index(label_default), key="cos_label",
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
    return x, y, label, params, sample_weight, theta, sliders


def _cos_example_numbers(c_left, c_right, x, y, label: float, params: dict, sample_weight: float) -> None:
    """The cosine, the loss and the gradients of the typed example."""
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


def _cos_angle_view(label: float, params: dict, sample_weight: float, theta: float | None,
                    sliders: tuple[ClientSlider, ...], present: bool) -> None:
    """input1 turning around input2 = (1, 0): the vectors with their descent arrows, and the loss against the
    angle for both labels."""
    a_right: Any
    if present:  # the vectors chart with its sliders, then the loss against the angle one click below
        a_left, a_right = st.container(), st.expander("The loss against the angle, both labels")
    else:
        st.subheader("Two vectors in the plane: the loss against the angle")
        side_note(COS_ANGLE_NOTE, present)
        a_left, a_right = st.columns([1, 1.6], gap="medium")
    if not sliders:
        with a_left:
            (theta,), _ = section_sliders(st, [COS_THETA])
    assert theta is not None  # the browser-side slider's (with sliders) or the Streamlit one's
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
        fig = memo_figure("cos_vectors", key, lambda: deep_figures.embedding_figure(
            **_cos_vector_parts(r["x1"], at, r["margin_angle"], present), circles=[("unit circle", (0.0, 0.0), 1.0,
                                                                                     "dot")],
            present=present, height=300 if present else 340, legend=False))
        alt2 = (f"input1 = ({r['x1'][0]:.3f}, {r['x1'][1]:.3f}) at angle {theta:g} from input2 = (1, 0), cosine "
                f"{r['cos']:.4f}; margin angle arccos({margin:g}) = {r['margin_angle']:.3f}; loss for "
                f"label {label:g}: {fmt(at['loss'])}; descent arrows −½·gradient: input1 "
                f"{nums(-0.5 * at['g1'], 3)}, input2 {nums(-0.5 * at['g2'], 3)}.")
        if sliders:
            param_frames = cosine_param_frames(theta, margin, weight, sample_weight, label, present)
            sent = plotly_chart(fig, key="cos_vectors", alt=alt2, sliders=sliders, stats=stats, frames={
                **cosine_frames(theta, margin, weight, sample_weight, label, present, "vectors"), **param_frames[0]})
            if not present:  # (its accessible name all the same)
                st.caption(alt2)
        else:
            captioned_chart(fig, "cos_vectors", alt2)
    view = _cos_curve_view(r, theta, margin, {**params, "sample_weight": sample_weight})
    lines = ((r["margin_angle"], "arccos(margin)"),)
    with a_right:
        if sliders:
            followed = plotly_chart(
                memo_curve_figure(view, present, lines), key="cos_curve_chart", alt=view.alt_text(), follow=sliders,
                frames={**cosine_frames(theta, margin, weight, sample_weight, label, present, "curve"),
                        **param_frames[1]})
            st.caption(view.alt_text())
            spec = CATALOG["CosineEmbeddingLoss"]
            offline_download("cosine", [sent, followed], formula=spec.formula, paragraphs=(spec.summary,))
        else:
            curve_chart(view, "cos_curve", present, lines)


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
