"""Basics page sections: one L2 value per example, sample weights, a Dense layer's gradient checked by finite
differences, and the batch axis."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import figures, urlstate
from lossapp.caching import cache_data, cache_resource
from lossapp.controls import BIND, array_input, param_control
from lossapp.formatting import fmt
from lossapp.frames import SliderDef, frame_table, section_sliders, window_values
from lossapp.live_chart import ClientSlider, Stat, live_charts_enabled, plotly_chart
from lossapp.side_notes import folded, side_note
from losscore import L2Loss
from losscore.catalog import CATALOG

WEIGHT = CATALOG["L2Loss"].param("weight")
#: With live charts the weight is a browser-side slider under the chart of the examples' losses.
BASICS_WEIGHT = SliderDef.of(WEIGHT, "basics_weight")
#: With live charts the finite-difference step is a browser-side slider over its power of ten, under the chart of
#: how far the central difference lands from the chain rule (a Streamlit select_slider of h itself otherwise).
BASICS_H = SliderDef("basics_hexp", "finite-difference step h = 10^k: k", -6, -1, -4, 1,
                     "Smaller steps are more accurate until float64 rounding takes over.")
#: The same steps as values of h, largest first (the select_slider without live charts).
H_STEPS = [10.0 ** k for k in range(int(BASICS_H.high), int(BASICS_H.low) - 1, -int(BASICS_H.step))]



@cache_data(max_entries=256, show_spinner=False)
def l2_values(pred: tuple, label: tuple, weight: float, sample_weight: tuple | None = None) -> list[float]:
    sw = None if sample_weight is None else np.array(sample_weight)
    return L2Loss(weight=weight)(np.array(pred), np.array(label), sw).tolist()


#: How many examples' losses the Basics chart prints under itself (every bar is drawn).
EXAMPLE_STATS = 4


@cache_resource(max_entries=64, show_spinner=False)
def example_losses_figure(at_one: tuple[float, ...], weight: float, present: bool) -> figures.SpecFigure:
    """The Basics bars at one weight (kept: read-only, their JSON made once)."""
    names = [f"example {i}" for i in range(len(at_one))]
    return figures.SpecFigure(*figures.bar_spec(names, {"L2Loss(pred, label)": weight * np.array(at_one)},
                                                y_title="loss", present=present, height=260))


def example_losses_chart(at_one: Sequence[float] | np.ndarray, weight: float, slider: ClientSlider, *, key: str,
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
    fig = example_losses_figure(tuple(at_one.tolist()), weight, present)
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

#: The Dense layer's parameters, one bar each in the finite-difference check.
FD_NAMES = [f"W[{j}]" for j in range(4)] + ["b"]


def fd_disagreement(seed: int, y: tuple, h: float) -> np.ndarray:
    """|chain rule − central difference| for W[0..3] and b of :func:`dense_gradients` at step ``h``."""
    g = dense_gradients(seed, y, h)
    return np.abs(np.concatenate([g["dw"][0], g["db"]]) - np.concatenate([g["fd_w"][0], g["fd_b"]]))


@cache_resource(max_entries=64, show_spinner=False)
def fd_check_figure(seed: int, y: tuple, exponent: float, exponents: tuple[float, ...],
                    present: bool) -> figures.SpecFigure:
    """The gap bars at one step, on a log axis tall enough for every step of ``exponents`` (kept: read-only,
    their JSON made once)."""
    top = float(np.log10(max(max(fd_disagreement(seed, y, 10.0 ** e).max() for e in exponents), FD_FLOOR)))
    data, layout = figures.bar_spec(
        FD_NAMES, {"|chain rule − central difference|": np.maximum(fd_disagreement(seed, y, 10.0 ** exponent),
                                                                   FD_FLOOR)},
        y_title="|difference| (log scale)", present=present, height=260)
    layout["yaxis"].update(type="log", range=[np.log10(FD_FLOOR), np.ceil(top) + 0.5], autorange=False, dtick=2,
                           exponentformat="power")
    return figures.SpecFigure(data, layout)


def fd_check_chart(seed: int, y: tuple, exponent: float, slider: ClientSlider, *, key: str,
                   present: bool = False) -> None:
    """The Basics Dense-layer check as a chart: for each parameter, how far the central difference at
    h = 10^exponent lands from the chain-rule gradient (log scale), with the exponent as a browser-side slider
    under it (every step worked out in advance; the step and the largest disagreement are the numbers below)."""
    names = FD_NAMES
    gaps = {float(e): fd_disagreement(seed, y, 10.0 ** e) for e in window_values(slider)}

    def numbers(e: float) -> list[str]:
        return [f"{10.0 ** e:.0e}", f"{gaps[float(e)].max():.2e}"]

    def columns(exponents: np.ndarray) -> dict[str, Any]:
        rows = np.array([gaps[float(e)] for e in exponents])
        return {"traces": {0: {"y": np.maximum(rows, FD_FLOOR)}}, "stats": [numbers(e) for e in exponents]}

    shown = gaps[float(exponent)]
    step_text, worst = numbers(exponent)
    plotly_chart(fd_check_figure(seed, y, float(exponent), tuple(gaps), present), key=key,
                 alt=(f"Bars of the gap between the chain-rule gradient and the central difference at h = "
                      f"{step_text}, per parameter, on a log scale: "
                      + ", ".join(f"{n} {v:.1e}" for n, v in zip(names, shown, strict=True))
                      + f" (an exact match is drawn at {FD_FLOOR:.0e})."),
                 sliders=[slider],
                 stats=[Stat("step h", step_text, "h = 10^k, the slider's value k."),
                        Stat("largest disagreement", worst, FD_GAP_HELP)],
                 frames={slider.id: frame_table(slider, columns)})


# -- 1. values -------------------------------------------------------------------------------------------------
@st.fragment
def values_section(present: bool) -> None:
    """Sections 1 and 2: one loss per example, then weighted. Each section is a fragment: its controls rerun
    only that part of the page."""
    st.header("1. One value per example", anchor="values")
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
    side_note(
        "The third argument, `sample_weight`, multiplies each example's loss, for instance to count rare "
        "examples more. The tutorial passes [1, 2]: the second example now costs twice as much, and so does "
        "its gradient.", present
    )
    sample_weight = array_input("sample_weight", "1, 2", "basics_sw",
                                help="One weight per example (or a single number for all of them).")
    if values is not None and sample_weight is not None:
        assert pred is not None and label is not None  # values were worked out from them
        if sample_weight.size not in (1, pred.size):
            st.error(f"sample_weight: expected 1 or {pred.size} numbers; got {sample_weight.size}.")
        else:
            sw = tuple(np.broadcast_to(sample_weight, pred.shape).tolist())
            weighted = l2_values(tuple(pred), tuple(label), weight, sw)
            cols: Sequence[Any] = st.columns(len(weighted)) if len(weighted) <= 6 else [st] * len(weighted)
            for i, (col, v) in enumerate(zip(cols, weighted, strict=True)):
                col.metric(f"weighted loss of example {i}", fmt(v), help=f"sample weight {sw[i]:g} × unweighted "
                           f"{fmt(values[i])}")



# -- 3. gradient through a Dense layer -------------------------------------------------------------------------
#: The loss is a vector (one value per example); what backward() does with it differs by framework.
BACKWARD_SUMS = (
    "The loss here is a vector, one value per example, and `backward()` on a vector backpropagates the **sum** "
    "of its entries: MXNet's autograd seeds each entry with gradient 1, while PyTorch refuses `backward()` on "
    "a non-scalar (call `loss.sum().backward()`, or pass `gradient=torch.ones_like(loss)`). So L below is the "
    "sum of the two examples' losses."
)


@st.fragment
def dense_section(present: bool) -> None:
    """Section 3: the Dense layer's gradient by the chain rule and by finite differences."""
    st.header("3. Gradients through a Dense layer", anchor="dense")
    side_note(
        "The tutorial feeds a random 2×4 input X through `nn.Dense(1)` and calls `backward()`. Here is the "
        "same computation done in the open. The network computes out = X·Wᵀ + b (one output per example); the "
        "loss gives dL/dout, one number per example; and the chain rule turns that into the gradient of the "
        "weights, dL/dW = (dL/dout)ᵀ·X, and of the bias, dL/db = Σ dL/dout. A central finite difference, "
        "(L(W + h) − L(W − h)) / 2h on each weight in turn, checks the result without any calculus.\n\n"
        + BACKWARD_SUMS, present
    )
    live = live_charts_enabled()
    with folded(present, "Inputs"):  # on a projector the check's chart takes the screen
        g1, g2, *g3 = st.columns(2 if live else 3)
        urlstate.guard_number("basics_seed", low=0, high=10_000, default=0, integer=True)
        seed = int(g1.number_input("random seed", 0, 10_000, 0, 1, key="basics_seed", bind=BIND,
                                   help="Seeds numpy's generator for X (uniform on [0, 1), like nd.random.uniform) "
                                        "and W."))
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
        with folded(present, "Gradients"):  # the numbers behind the chart, one click away on a projector
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



# -- 4. the batch axis -----------------------------------------------------------------------------------------
@st.fragment
def batch_axis_section(present: bool) -> None:
    """Section 4: the same matrix read with batch_axis 0 or 1."""
    st.header("4. Which axis holds the examples?", anchor="batch-axis")
    side_note(
        "Every Gluon loss takes `batch_axis` (default 0): the axis that indexes examples. The loss averages over "
        "every other axis and returns one value per entry along this one. The same 2×3 matrix of predictions "
        "is two examples of three outputs with batch_axis=0, or three examples of two outputs with "
        "batch_axis=1.", present
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
