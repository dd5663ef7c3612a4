"""Softmax cross-entropy: the tutorial's example, every parameter, the loss along one logit, and why fusing matters."""

import numpy as np
import pandas as pd
import streamlit as st

from lossapp.controls import BIND, array_input, param_controls
from lossapp.model import Curve, CurveView
from lossapp.page import setup_page
from lossapp.views import chart, fmt, naive_vs_fused, show_counterparts, softmax_along_logit, softmax_ce
from losscore.catalog import CATALOG

present = setup_page("Softmax cross-entropy")
SPEC = CATALOG["SoftmaxCrossEntropyLoss"]

st.title("Softmax cross-entropy")
st.latex(SPEC.formula)
st.markdown(SPEC.summary)
if not present:
    st.markdown(
        "One row of `pred` holds a score (logit) per class; the loss turns the row into probabilities with a "
        "softmax and charges −log of the probability given to the true class. A confident right answer costs "
        "almost nothing, a confident wrong one costs about the gap between the winning logit and the true "
        "class's logit."
    )

# -- the tutorial's example, editable ---------------------------------------------------------------------------
st.header("The tutorial's example")
left, right = st.columns([1, 1.6], gap="medium")
with left:
    params = param_controls(SPEC, "sce")
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


result = None
if logits is not None and label is not None and sample_weight is not None:
    try:
        result = softmax_ce(tuple(map(tuple, logits)), tuple(label.ravel()), label.shape, tuple(sample_weight),
                            params["axis"], params["sparse_label"], params["from_logits"], params["weight"])
    except (ValueError, TypeError) as exc:
        with left:
            st.error(f"{exc}")

with right:
    if result is not None:
        values, grad = result
        cols = st.columns(min(len(values), 4))
        for i, v in enumerate(values[:4]):
            cols[i].metric(f"loss of example {i}", fmt(v))
        axis = params["axis"] % logits.ndim
        probs = np.exp(logits - logits.max(axis=axis, keepdims=True))
        probs /= probs.sum(axis=axis, keepdims=True)
        if axis == 1:
            rows, columns = None, [f"class {j}" for j in range(logits.shape[1])]
        else:  # classes run down the columns
            rows, columns = [f"class {i}" for i in range(logits.shape[0])], [f"position {j}" for j in
                                                                             range(logits.shape[1])]
        if axis == 0:
            st.caption(
                "axis=0: the classes run down each column, so every column is one softmax. The batch axis is "
                "also axis 0 and has only one entry left after the softmax, so the loss is a single value: "
                "the mean of the per-column losses."
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
    show_counterparts(SPEC)

# -- the loss along one logit -----------------------------------------------------------------------------------
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
    true_class = int(label.ravel()[0]) if label.size and float(label.ravel()[0]).is_integer() else 0
    c1, c2 = st.columns([1, 2.4], gap="medium")
    with c1:
        k = int(st.radio("class whose logit moves", list(range(n_classes)), index=0, key="sce_k", horizontal=True,
                         bind=BIND,
                         help="Which class's logit of the first example the chart sweeps."))
        z = float(st.slider("its value (marker)", -20.0, 20.0, float(np.clip(logits[0, k], -20, 20)), 0.1,
                            key="sce_z", bind=BIND, help="Where to read off the loss and gradient."))

    if 0 <= true_class < n_classes:
        grid, values, grad = softmax_along_logit(tuple(logits[0]), k, true_class, params["from_logits"],
                                                 params["weight"])
        others = ", ".join(f"{v:g}" for j, v in enumerate(logits[0]) if j != k)
        view = CurveView(
            title=f"Softmax cross-entropy of example 0 (true class {true_class}) as logit {k} moves",
            curves=(Curve(f"loss vs logit {k}", grid, values, grad),), marker=z,
            x_title=f"logit of class {k} (others fixed at {others})",
            label=float(true_class), loss_names=("SoftmaxCrossEntropyLoss",),
            params={"from_logits": params["from_logits"], "weight": params["weight"]},
        )
        with c2:
            chart(view, "sce_curve", present=present)
        with c1:
            value, slope = view.curves[0].at(z)
            st.metric("loss there", fmt(value))
            st.metric("dL/dlogit there", fmt(slope))
elif not params["sparse_label"]:
    st.info("This chart follows the sparse label of the first example; switch sparse_label back on to see it.")

# -- why fused ----------------------------------------------------------------------------------------------------
st.header("Why softmax and log are fused")
if not present:
    st.markdown(
        "Written out step by step, the loss is p = exp(x) / Σ exp(x), then −log p[y]. With large logits the "
        "first step breaks: exp(1000) is beyond the largest float64, so it becomes inf, and inf / inf is nan. "
        "With one large and one ordinary logit the small class gets probability exactly 0, and −log 0 = inf. "
        "The fused operator never forms exp(x): it computes log Σ exp(x) as m + log Σ exp(x − m) with m the "
        "largest logit, so every exponent is at most 0, and subtracts x[y]. The answer is the same number "
        "wherever the naive route works, and stays finite where it does not. In float32 (MXNet's default) the "
        "naive route already overflows a little above 88."
    )
s1, s2 = st.columns([1, 1.6], gap="medium")
with s1:
    big = array_input("logits", "1000, 0", "sce_big", help="One example's logits; try large values.")
    dtype = st.radio("float type", ["float64", "float32"], key="sce_dtype", horizontal=True, bind=BIND,
                     help="float32 is MXNet's default; it overflows from exp(88.8) on.")
    true_big = None
    if big is not None:
        true_big = int(st.radio("true class", list(range(big.size)), key="sce_bigy", horizontal=True, bind=BIND,
                                help="The label of this example (a class index)."))


if big is not None and true_big is not None:
    r = naive_vs_fused(tuple(big), true_big, dtype)
    with s2:
        m1, m2 = st.columns(2)
        m1.metric("step by step: −log(softmax(x)[y])", fmt(r["naive"]),
                  help="exp, divide, then log, in the chosen float type")
        m2.metric("fused SoftmaxCrossEntropyLoss", fmt(r["fused"]), help="log-sum-exp with the maximum taken out")
        st.dataframe(pd.DataFrame({"logit": big, "exp(logit)": [fmt(v) for v in r["exp"]],
                                   "softmax, step by step": [fmt(v) for v in r["p"]]},
                                  index=[f"class {j}" for j in range(big.size)]), width="content")
        if not np.isfinite(r["naive"]):
            st.caption(f"The step-by-step route gives {fmt(r['naive'])}; the fused loss gives {fmt(r['fused'])}.")
