"""Basics: what a loss call returns, sample weights, and a gradient through a Dense layer checked numerically."""

import math

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import urlstate
from lossapp.controls import BIND, array_input, param_control
from lossapp.frames import SliderDef, section_sliders
from lossapp.live_chart import live_charts_enabled
from lossapp.page import setup_page
from lossapp.views import (
    FD_GAP_HELP,
    dense_gradients,
    example_losses_chart,
    fd_check_chart,
    fmt,
    l2_batch,
    l2_values,
)
from losscore.catalog import CATALOG

present = setup_page("Basics")
WEIGHT = CATALOG["L2Loss"].param("weight")
#: With live charts the weight is a browser-side slider under the chart of the examples' losses.
BASICS_WEIGHT = SliderDef.of(WEIGHT, "basics_weight")
#: With live charts the finite-difference step is a browser-side slider over its power of ten, under the chart of
#: how far the central difference lands from the chain rule (a Streamlit select_slider of h itself otherwise).
BASICS_H = SliderDef("basics_hexp", "finite-difference step h = 10^k: k", -6, -1, -4, 1,
                     "Smaller steps are more accurate until float64 rounding takes over.")
#: The same steps as values of h, largest first (the select_slider without live charts).
H_STEPS = [10.0 ** k for k in range(BASICS_H.high, BASICS_H.low - 1, -BASICS_H.step)]

st.title("Basics: a loss, its values, its gradient")
if not present:
    st.markdown(
        "A Gluon loss is a callable: give it predictions and labels and it returns **one number per "
        "example** (averaged over the example's other axes), not a single scalar. Training then sums or "
        "averages those numbers and backpropagates. This page walks through the tutorial's first steps with "
        "the L2 loss, ½·(pred − label)², and checks every number it can."
    )


# -- 1. values -------------------------------------------------------------------------------------------------
@st.fragment
def values_section() -> None:
    """Sections 1 and 2: one loss per example, then weighted. Each section is a fragment: its controls rerun
    only that part of the page."""
    st.header("1. One value per example")
    live = live_charts_enabled()
    c1, c2, *c3 = st.columns(2 if live else 3)
    pred = array_input("pred", "1, 1", "basics_pred", container=c1,
                       help="Predictions, one per example (the tutorial uses nd.ones((2,))).")
    label = array_input("label", "2, 2", "basics_label", container=c2,
                        help="Labels, as many as predictions (the tutorial uses nd.ones((2,)) * 2).")
    if live:  # under the chart of the examples' losses, moved in the browser
        (weight,), sliders = section_sliders(st, [BASICS_WEIGHT])
    else:
        with c3[0]:
            weight, sliders = param_control(WEIGHT, "basics_weight"), ()

    values = None
    if pred is not None and label is not None:
        if pred.size != label.size:
            st.error(f"label: expected {pred.size} numbers, one per prediction; got {label.size}.")
        else:
            values = l2_values(tuple(pred), tuple(label), weight)
            by_hand = (weight * 0.5 * (pred - label) ** 2).tolist()
            st.dataframe(
                pd.DataFrame({"pred": pred, "label": label, "L2Loss(pred, label)": values,
                              "w · ½ (pred − label)² by hand": by_hand}),
                hide_index=True, width="content",
            )
            if sliders:
                example_losses_chart(l2_values(tuple(pred), tuple(label), 1.0), weight, sliders[0],
                                     key="basics_chart", present=present)
            call = f"L2Loss(weight={weight:g})({pred.tolist()}, {label.tolist()})"
            st.code(f"{call}  # -> {[round(v, 4) for v in values]}", language="python")
            if not present:
                st.caption(
                    "Each example keeps its own loss, and the loss computed by the library equals the formula "
                    "applied by hand. With the tutorial's ones and twos every example is off by one, so both "
                    "losses are ½."
                )

    # -- 2. sample weights -----------------------------------------------------------------------------------------
    st.header("2. Weighting examples")
    if not present:
        st.markdown(
            "The third argument, `sample_weight`, multiplies each example's loss, for instance to count rare "
            "examples more. The tutorial passes [1, 2]: the second example now costs twice as much, and so does "
            "its gradient."
        )
    sample_weight = array_input("sample_weight", "1, 2", "basics_sw",
                                help="One weight per example (or a single number for all of them).")
    if values is not None and sample_weight is not None:
        if sample_weight.size not in (1, pred.size):
            st.error(f"sample_weight: expected 1 or {pred.size} numbers; got {sample_weight.size}.")
        else:
            sw = tuple(np.broadcast_to(sample_weight, pred.shape).tolist())
            weighted = l2_values(tuple(pred), tuple(label), weight, sw)
            cols = st.columns(len(weighted)) if len(weighted) <= 6 else [st] * len(weighted)
            for i, (col, v) in enumerate(zip(cols, weighted, strict=True)):
                col.metric(f"weighted loss of example {i}", fmt(v), help=f"sample weight {sw[i]:g} × unweighted "
                           f"{fmt(values[i])}")


values_section()


# -- 3. gradient through a Dense layer -------------------------------------------------------------------------
@st.fragment
def dense_section() -> None:
    """Section 3: the Dense layer's gradient by the chain rule and by finite differences."""
    st.header("3. Gradients through a Dense layer")
    if not present:
        st.markdown(
            "The tutorial feeds a random 2×4 input X through `nn.Dense(1)` and calls `backward()`. Here is the "
            "same computation done in the open. The network computes out = X·Wᵀ + b (one output per example); the "
            "loss gives dL/dout, one number per example; and the chain rule turns that into the gradient of the "
            "weights, dL/dW = (dL/dout)ᵀ·X, and of the bias, dL/db = Σ dL/dout. A central finite difference, "
            "(L(W + h) − L(W − h)) / 2h on each weight in turn, checks the result without any calculus."
        )
    live = live_charts_enabled()
    g1, g2, *g3 = st.columns(2 if live else 3)
    urlstate.guard_number("basics_seed", low=0, high=10_000, default=0, integer=True)
    seed = int(g1.number_input("random seed", 0, 10_000, 0, 1, key="basics_seed", bind=BIND,
                               help="Seeds numpy's generator for X (uniform on [0, 1), like nd.random.uniform) and W."))
    y_text = array_input("labels y", "2, 2", "basics_y", container=g2, length=2,
                         help="The two labels the outputs are compared with (the tutorial reuses y = [2, 2]).")
    if live:  # under the chart of the two gradients' gap, moved in the browser
        if "basics_h" in st.query_params and BASICS_H.key not in st.query_params:  # a link from before
            try:
                old_h = float(st.query_params["basics_h"])
            except ValueError:
                old_h = math.nan
            if math.isfinite(old_h) and old_h > 0:  # else the slider's default (out of range: clamped)
                st.query_params[BASICS_H.key] = str(round(math.log10(old_h)))
        (exponent,), h_sliders = section_sliders(st, [BASICS_H])
        h = 10.0 ** exponent
    else:
        urlstate.guard_choice("basics_h", options=H_STEPS, default=10.0 ** BASICS_H.default,
                              labels=[f"{v:.0e}" for v in H_STEPS])
        h = float(g3[0].select_slider("finite-difference step h", H_STEPS, 10.0 ** BASICS_H.default, key="basics_h",
                                      bind=BIND,
                                      format_func=lambda v: f"{v:.0e}", help=BASICS_H.help))


    if y_text is not None:
        g = dense_gradients(seed, tuple(y_text.tolist()), h)
        a, b_ = st.columns([1.4, 1])
        with a:
            st.markdown("**Input X** (2 examples × 4 features) and **weights W** (1 × 4)")
            st.dataframe(pd.DataFrame(np.vstack([g["x"], g["w"]]), index=["X row 0", "X row 1", "W"],
                                      columns=[f"feature {j}" for j in range(4)]), width="content")
        with b_:
            st.markdown("**Forward and the loss's gradient**")
            st.dataframe(pd.DataFrame({"out = X·Wᵀ + b": g["out"][:, 0], "y": y_text, "loss": g["values"],
                                       "dL/dout (losscore)": g["dout"][:, 0]}), hide_index=True, width="content")
        grads = pd.DataFrame({
            "parameter": [f"W[{j}]" for j in range(4)] + ["b"],
            "chain rule: (dL/dout)ᵀ·X": np.concatenate([g["dw"][0], g["db"]]),
            "central difference": np.concatenate([g["fd_w"][0], g["fd_b"]]),
        })
        grads["|difference|"] = (grads["chain rule: (dL/dout)ᵀ·X"] - grads["central difference"]).abs()
        st.markdown("**dL/dW and dL/db, two ways**")
        config = {c: st.column_config.NumberColumn(format="%.8f") for c in grads.columns[1:3]}
        config["|difference|"] = st.column_config.NumberColumn(format="%.1e")
        st.dataframe(grads, hide_index=True, width="content", column_config=config)
        worst = float(grads["|difference|"].max())
        if live:
            fd_check_chart(seed, tuple(y_text.tolist()), exponent, h_sliders[0], key="basics_fd_chart",
                           present=present)
        else:
            st.metric("largest disagreement", f"{worst:.2e}", help=FD_GAP_HELP)
        if not present:
            st.caption(
                "Because the L2 loss is a quadratic function of the weights, the central difference has no "
                "truncation error here: the two columns agree to rounding error for every step size h, and only "
                "very small h starts to show float64 cancellation."
            )


dense_section()


# -- 4. the batch axis -----------------------------------------------------------------------------------------
@st.fragment
def batch_axis_section() -> None:
    """Section 4: the same matrix read with batch_axis 0 or 1."""
    st.header("4. Which axis holds the examples?")
    if not present:
        st.markdown(
            "Every Gluon loss takes `batch_axis` (default 0): the axis that indexes examples. The loss averages over "
            "every other axis and returns one value per entry along this one. The same 2×3 matrix of predictions "
            "is two examples of three outputs with batch_axis=0, or three examples of two outputs with "
            "batch_axis=1."
        )
    k1, k2, k3 = st.columns([1.2, 1.2, 1])
    mat_pred = array_input("pred (2×3)", "1, 2, 3; 4, 5, 6", "basics_mpred", container=k1, ndim=2, shape=(2, 3),
                           help="Two rows of three numbers, rows separated by ';'.")
    mat_label = array_input("label (2×3)", "0, 0, 0; 0, 0, 0", "basics_mlabel", container=k2, ndim=2, shape=(2, 3),
                            help="Same shape as pred.")
    urlstate.guard_choice("basics_axis", options=[0, 1], default=0)
    batch_axis = int(k3.radio("batch_axis", [0, 1], key="basics_axis", horizontal=True, bind=BIND,
                              help="0: each row is an example; 1: each column is an example."))
    if mat_pred is not None and mat_label is not None:
        per_example = l2_batch(tuple(map(tuple, mat_pred)), tuple(map(tuple, mat_label)), batch_axis)
        cols = st.columns(len(per_example))
        for i, (col, v) in enumerate(zip(cols, per_example, strict=True)):
            col.metric(f"{'row' if batch_axis == 0 else 'column'} {i}", fmt(v))
        if not present:
            st.caption(f"{len(per_example)} values: L2Loss(batch_axis={batch_axis}) averages ½·(pred − label)² over "
                       f"the {'columns' if batch_axis == 0 else 'rows'} of each example.")


batch_axis_section()
