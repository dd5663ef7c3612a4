"""Distributions: KL divergence (the tutorial's example and its 0.02 puzzle) and the Poisson negative log-likelihood."""

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import figures
from lossapp.controls import array_input, param_controls
from lossapp.page import setup_page
from lossapp.views import curve_section, fmt, kl_terms, show_counterparts
from losscore.catalog import CATALOG

present = setup_page("Distributions")
KL = CATALOG["KLDivLoss"]

st.title("Losses between distributions")
st.header(KL.title)
st.latex(KL.formula)
st.markdown(KL.summary)
if not present:
    st.markdown(
        "The tutorial's example feeds raw network outputs with `from_logits=False`, so the loss applies a "
        "log-softmax first; the outputs were chosen so that their softmax is exactly [0.2, 0.5, 0.2, 0.1]. "
        "The target is [0.3, 0.4, 0.1, 0.2]. The tutorial then reports a divergence of 0.02, but MXNet 1.9.1 "
        "returns 0.1017 for this input: recent MXNet **sums** the per-class terms of each example, while "
        "older versions **averaged** them, and 0.1017 / 4 classes = 0.0254, the tutorial's \"0.02\". Both "
        "numbers are shown below."
    )

left, right = st.columns([1, 1.6], gap="medium")
with left:
    params = param_controls(KL, "kl", defaults={"from_logits": False})
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
        m1, m2 = st.columns(2)
        m1.metric("KL divergence, example 0 (MXNet 1.9.1: sum over classes)", fmt(values[0]))
        m2.metric("per-class mean (older MXNet; the tutorial's \"0.02\")", fmt(values[0] / pred[0].size),
                  help=f"The same terms averaged over the {pred[0].size} entries of the example instead of summed.")
        if len(values) > 1:
            st.caption("Every example: " + ", ".join(fmt(v) for v in values))
        what = "exp(pred)" if params["from_logits"] else "softmax(pred)"
        st.plotly_chart(
            figures.bar_figure([f"class {j}" for j in range(pred.shape[1])],
                               {"target q": target[0], f"prediction p = {what}": probs[0]},
                               y_title="probability", present=present),
            config=figures.CONFIG, key="kl_bars",
            alt=f"Bars of the target distribution {target[0].round(4).tolist()} and the prediction "
                f"{probs[0].round(4).tolist()} for example 0.",
        )
        st.caption(f"Example 0: target q = {target[0].round(4).tolist()}; prediction p = {what} = "
                   f"{probs[0].round(4).tolist()}.")
        st.dataframe(pd.DataFrame({"q": target[0], f"p = {what}": probs[0], "q·(log q − log p)": terms[0],
                                   "dL/dpred": grad[0]}, index=[f"class {j}" for j in range(pred.shape[1])]),
                     width="content")
        total = probs.sum(axis=params["axis"])
        if params["from_logits"] and not np.allclose(total, 1.0, atol=1e-3):
            st.warning(f"With from_logits=True, pred should hold log-probabilities, but exp(pred) sums to "
                       f"{', '.join(fmt(t) for t in np.atleast_1d(total))} instead of 1. Either pass log-softmax "
                       "outputs or turn from_logits off.")
        if not present:
            st.caption(
                "Terms where q is larger than p are positive, the others negative; only their sum is a "
                "divergence, and it is zero only when p equals q."
            )
if not present:
    show_counterparts(KL)

st.header("Counts: Poisson negative log-likelihood")
curve_section(
    "PoissonNLLLoss", "poisson", present=present, header=False,
    notes=(
        "Set the label to an observed count t and look for the minimum: it sits where the predicted rate "
        "equals t (log-rate log t with from_logits on). The curve is steep on the side of rates that are "
        "too high, because the loss grows like the rate itself, and gentle on the other side, where it grows "
        "like −t·log(rate). With from_logits off the prediction is the rate itself and must stay positive; "
        "epsilon keeps log(rate) finite at a rate of zero. compute_full adds log(t!) (by Stirling's formula "
        "for t > 1): a constant that makes the value a true negative log-likelihood but leaves the gradient "
        "untouched. For a batch, Gluon averages over every element, the batch included, and returns one "
        "number; the chart shows the per-element value."
    ),
)
