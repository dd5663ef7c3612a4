"""Softmax cross-entropy sections: the tutorial's example, logits as sliders, and why softmax and log are fused."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import deep_dives as dd
from lossapp import figures, input_checks
from lossapp.bound_widgets import bound_radio, client_param, marker_control
from lossapp.caching import cache_data
from lossapp.charts import captioned_chart, chart, memo_figure
from lossapp.controls import BIND, array_input, control_key, param_control, param_controls
from lossapp.counterparts import show_counterparts
from lossapp.formatting import fmt, nums
from lossapp.frames import SliderDef, frame_table, section_sliders, show_stats
from lossapp.live_chart import Stat, live_charts_enabled, plotly_chart
from lossapp.model import Curve, CurveView
from lossapp.offline_export import offline_download
from lossapp.side_notes import notes_and_inputs, side_note
from losscore import SoftmaxCrossEntropyLoss
from losscore.catalog import CATALOG, LossSpec


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


#: What the chart of example 0's loss along one logit shows (beside it; in Notes on a projector).
CURVE_TEXT = (
    "Take the first example, keep the other logits where they are and slide one of them. For the true "
    "class the loss falls towards zero, shaped like a softplus; for any other class it rises and becomes "
    "a straight line of slope 1 once that class dominates. The gradient panel is the familiar "
    "p − onehot: between −1 and 0 for the true class, between 0 and 1 for the others."
)
#: On a projector the chart of the loss along one logit takes at most this share of the window's height, so the
#: example's losses, the class picker and the chart with its sliders share one screen from 1024x768 up.
PRESENT_CURVE_SHARE = 0.43
#: On a projector the example's softmax and gradient tables fold into an expander of this name.
TABLES_LABEL = "Softmax and gradient"


@st.fragment
def softmax_tutorial_section(present: bool) -> None:
    """The tutorial's example with every parameter, then the loss of its first row as one logit moves.

    On a projector the notes, the inputs and the softmax and gradient tables fold into one row of expanders,
    the example's losses stand beside the class picker, and the chart takes the width under them."""
    spec = CATALOG["SoftmaxCrossEntropyLoss"]
    st.header("The tutorial's example", anchor="softmax-example")
    left: Any  # a column or an expander
    right: Any
    if present:
        notes, inputs_box, tables_box = st.columns(3, gap="small")
        with notes:
            side_note(CURVE_TEXT, present)
        left, right = inputs_box.expander("Inputs"), tables_box.expander(TABLES_LABEL)
    else:
        left, right = st.columns([1, 1.6], gap="medium")
    with left:
        params, logits, label, sample_weight, true_class, curve_shown, weight_slider = _sce_inputs(spec)
    result = _sce_result(st if present else left, params, logits, label, sample_weight)
    numbers: Any = right
    picker = None
    if present:
        numbers, picker = st.columns([1.6, 1], gap="medium", vertical_alignment="bottom")
    if result is not None:
        if not params["sparse_label"] and (note := input_checks.distribution_warning(
                label, "label", "cross-entropy", axis=params["axis"])):
            (st if present else right).warning(note)
        with numbers:
            _sce_losses(result[0])
        with right:
            _sce_tables(result, params, logits)
    if not present:
        show_counterparts(spec)
    _sce_logit_curve(params, logits, label, true_class, curve_shown, weight_slider, present, picker)

def _sce_inputs(spec: LossSpec) -> tuple:
    """The loss's parameters, the logits, label and sample weights typed (None where they do not parse), the
    true class of example 0, whether its loss-along-one-logit chart is shown, and the weight's browser-side
    slider (None when the weight is a Streamlit slider)."""
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
    return params, logits, label, sample_weight, true_class, curve_shown, weight_slider


def _sce_result(left, params: dict, logits, label, sample_weight):
    """The per-example losses and dL/dpred of the typed example (None when something is missing or wrong)."""
    result = None
    if logits is not None and label is not None and sample_weight is not None:
        try:
            result = softmax_ce(tuple(map(tuple, logits)), tuple(label.ravel()), label.shape, tuple(sample_weight),
                                params["axis"], params["sparse_label"], params["from_logits"], params["weight"])
        except (ValueError, TypeError) as exc:
            left.error(f"{exc}")
    return result


def _sce_losses(values: np.ndarray) -> None:
    """The loss of each example (the first four)."""
    cols = st.columns(min(len(values), 4))
    for i, v in enumerate(values[:4]):
        cols[i].metric(f"loss of example {i}", fmt(v))


def _sce_tables(result: tuple, params: dict, logits: np.ndarray) -> None:
    """The example's softmax and gradient, and how the tutorial's losses come about."""
    _, grad = result
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
    st.caption(
        "With the defaults the first row puts almost all its probability on class 1 while the label "
        "says class 0: loss = log(e¹ + e¹⁰) − 1 = (10 − 1) + log(1 + e⁻⁹) = 9 + 0.000123 = 9.000123, "
        "shown as 9.0001. The second row's label is class 1, which is 6 below the winner: loss = "
        "(8 − 2) + log(1 + e⁻⁶) = 6 + 0.002476 = 6.002476, shown as 6.0025."
    )


def _sce_logit_curve(params: dict, logits, label, true_class: int, curve_shown: bool, weight_slider,
                     present: bool, picker=None) -> None:
    """The loss of example 0 as one of its logits moves, the others fixed (on a projector the class picker goes
    in ``picker`` and the chart takes the width, its notes folded above)."""
    if not present:
        st.header("The loss as one logit moves")
        side_note(CURVE_TEXT, present)
    if logits is not None and label is not None and params["sparse_label"]:
        n_classes = logits.shape[1]
        if picker is not None:
            c1, c2 = picker, st.container()
        else:
            c1, c2 = st.columns([1, 2.4], gap="medium")
        with c1:
            k = int(bound_radio(st, "class whose logit moves", list(range(n_classes)), index=0, key="sce_k",
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
                      labels={view.curves[0].name: ("loss there", "dL/dlogit there")},
                      fit=PRESENT_CURVE_SHARE)
            if z_slider is None:
                with c1:
                    value, slope = view.curves[0].at(z)
                    st.metric("loss there", fmt(value))
                    st.metric("dL/dlogit there", fmt(slope))
    elif not params["sparse_label"]:
        st.info("This chart follows the sparse label of the first example; switch sparse_label back on to see it.")


#: Starting logits of the slider view (the first K are used).
SM_LOGITS = (2.0, 1.0, 0.1, -1.0, 0.5)


SM_TEXT = (
    "Move the logits of a single example and watch three things per class: the softmax probability p, "
    "the target q and the gradient p − q that the loss sends back to each logit. The gradient sums to "
    "zero across the classes, is negative only where the target asks for more probability than the "
    "softmax gives, and vanishes only when p equals q. A dense label smoothed by ε keeps a little "
    "target on every class, so even a perfect one-hot prediction keeps a non-zero loss and gradient. "
    "Multiply the logits to see the softmax sharpen and, past about 88 in float32 or 709 in float64, "
    "the step-by-step formula break while the fused loss carries on."
)


@st.fragment
def softmax_sliders_section(present: bool) -> None:
    """3 to 5 logits as sliders: softmax bars, the loss for a sparse and a smoothed dense label, the gradient
    softmax − target, and the naive two-step loss next to the fused one as the logits are scaled up."""
    st.header("Logits as sliders: softmax, loss and gradient", anchor="softmax-sliders")
    left, right = notes_and_inputs(SM_TEXT, present)  # on a projector the bars take the width, sliders at right
    with left:
        n = int(bound_radio(st, "number of classes K", [3, 4, 5], index=1, key="sm_n", horizontal=True, bind=BIND,
                            help="How many logits (classes) the example has."))
        y = int(bound_radio(st, "true class y", list(range(n)), key="sm_y", horizontal=True, bind=BIND,
                            help="The class the label names."))
        kind = bound_radio(st, "label given as", ["sparse", "dense"], key="sm_kind", horizontal=True, bind=BIND,
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
        fig = memo_figure("sm_bars", (logits, y, eps, kind, present), lambda: figures.bar_figure(
            classes, {"softmax p": r["p"], f"label q ({kind})": target, "gradient p − q": grad},
            y_title="probability / gradient", present=present))
        alt = (f"Bars per class for logits {nums(logits, 3)} and true class {y}: softmax p = {nums(r['p'])}, "
               f"{kind} label q = {nums(target)}, gradient dL/dlogit = p − q = {nums(grad)}.")
        if sliders:
            sent = plotly_chart(fig, key="sm_bars", alt=alt, sliders=sliders, stats=stats,
                                frames=softmax_frames(z, scale, y, eps, kind))
            st.caption(alt)
            offline_download("softmax-sliders", [sent], formula=CATALOG["SoftmaxCrossEntropyLoss"].formula,
                             paragraphs=(SM_TEXT,))
        else:
            show_stats(stats[:2], per_row=2)
            captioned_chart(fig, "sm_bars", alt)
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
    st.header("Why softmax and log are fused", anchor="fused")
    side_note(
        "Written out step by step, the loss is p = exp(x) / Σ exp(x), then −log p[y]. With large logits the "
        "first step breaks: exp(1000) is beyond the largest float64, so it becomes inf, and inf / inf is nan. "
        "With one large and one ordinary logit the small class gets probability exactly 0, and −log 0 = inf. "
        "The fused operator never forms exp(x): it computes log Σ exp(x) as m + log Σ exp(x − m) with m the "
        "largest logit, so every exponent is at most 0, and subtracts x[y]. The answer is the same number "
        "wherever the naive route works, and stays finite where it does not. In float32 (MXNet's default) "
        "the naive route already overflows a little above 88.", present
    )
    s1, s2 = st.columns([1, 1.6], gap="medium")
    with s1:
        big = array_input("logits", "1000, 0", "sce_big", help="One example's logits; try large values.",
                          max_size=20)
        dtype = bound_radio(st, "float type", ["float64", "float32"], key="sce_dtype", horizontal=True, bind=BIND,
                            help="float32 is MXNet's default; it overflows from exp(88.8) on.")
        true_big = None
        if big is not None:
            true_big = int(bound_radio(st, "true class", list(range(big.size)), key="sce_bigy", horizontal=True,
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
