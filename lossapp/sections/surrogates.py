"""The 0-1 loss drawn under the surrogates that are trained instead of it (hinge, squared hinge, logistic in bits,
modified Huber, perceptron), with the x-axis as the raw score, the margin y·score or the probability
sigmoid(score), and the gradient taken with respect to what the axis shows."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from lossapp.bound_widgets import bound_radio
from lossapp.caching import cache_data
from lossapp.charts import curve_chart
from lossapp.controls import BIND
from lossapp.model import Curve, CurveView
from losscore.catalog import make_loss

#: The curves, in drawing order: (catalog name, name on the chart, constructor arguments). The logistic loss is
#: divided by log 2 (in bits), which makes it 1 at a zero score, where the 0-1 loss jumps: so it bounds it too.
SURROGATES: tuple[tuple[str, str, dict], ...] = (
    ("ZeroOneLoss", "0-1", {}),
    ("HingeLoss", "hinge", {}),
    ("SquaredHingeLoss", "squared hinge", {}),
    ("LogisticLoss", "logistic (in bits)", {"weight": 1 / math.log(2)}),
    ("ModifiedHuberLoss", "modified Huber", {}),
    ("PerceptronLoss", "perceptron", {}),
)
#: x-axis choice: (label, what the axis is, what the gradient is taken with respect to).
AXES = {
    "raw score": ("score s (the network's output)", "dL/ds"),
    "margin y·s": ("margin y·s (positive: the right side)", "dL/d(y·s)"),
    "probability": ("probability of class +1, sigmoid(s)", "dL/dsigmoid(s) (clipped)"),
}
#: The loss panel stops here (the squared hinge reaches 16 at a score of -3), so the 0-1 step stays readable.
LOSS_LIMITS = (0.0, 6.0)
#: On the probability axis the gradient is dL/ds / (q (1 - q)), which grows without bound near 0 and 1.
PROB_GRAD_LIMITS = (-12.0, 12.0)


@cache_data(max_entries=32, show_spinner=False)
def surrogate_view(axis: str, label: float) -> CurveView:
    """The 0-1 loss and its surrogates against the chosen axis, for a label of ±1 (folded into the margin)."""
    if axis not in AXES:
        raise ValueError(f"axis must be one of {list(AXES)}; got {axis!r}")
    if axis == "probability":
        x = np.linspace(0.005, 0.995, 199)
        score = np.log(x / (1 - x))
    else:
        x = np.linspace(-3.0, 3.0, 601)
        score = x
    y = 1.0 if axis == "margin y·s" else label
    curves = []
    for name, shown, init in SURROGATES:
        values, grad = make_loss(name, **init).value_and_grad(score, np.full_like(score, y))
        if axis == "probability":  # dL/dq = dL/ds · ds/dq, and ds/dq = 1 / (q (1 - q))
            grad = grad / (x * (1 - x))
        curves.append(Curve(shown, x, values + 0.0, grad + 0.0))
    x_title, grad_title = AXES[axis]
    where = "" if axis == "margin y·s" else f", label y = {label:+g}"
    return CurveView(
        title=f"The 0-1 loss and its surrogates against the {axis}{where}", curves=tuple(curves),
        x_title=x_title, grad_title=grad_title, label=None if axis == "margin y·s" else label,
        loss_names=tuple(name for name, _, _ in SURROGATES), y_title="loss (clipped at 6)",
        y_limits=LOSS_LIMITS, grad_limits=PROB_GRAD_LIMITS if axis == "probability" else None,
    )


def boundary(axis: str) -> float:
    """Where the decision flips on this axis: score 0, margin 0, probability 1/2."""
    return 0.5 if axis == "probability" else 0.0


@st.fragment
def surrogates_section(present: bool) -> None:
    """The 0-1 loss under its surrogates, with a switch of the x-axis."""
    st.subheader("What the surrogates stand in for: the 0-1 loss", anchor="surrogates")
    if not present:
        st.markdown(
            "A classifier is judged by its error rate, the 0-1 loss: 1 for a wrong sign, 0 for a right one. Its "
            "gradient is 0 everywhere it exists, so gradient descent cannot use it; every loss on this page is a "
            "surrogate that lies on or above it and slopes towards the right side. The hinge, squared hinge, "
            "modified Huber and logistic loss (measured in bits, log₂(1 + e^(−y·s)), so that it is 1 at the "
            "boundary) bound it from above, so pushing them down pushes the error rate down. The perceptron "
            "does not: it is 0 at the boundary, where the 0-1 loss is 1."
        )
    left, right = st.columns([1, 2.4], gap="medium")
    with left:
        axis = bound_radio(st, "x-axis", list(AXES), key="sur_axis", bind=BIND,
                           captions=["the gradient is dL/ds", "the label folded in: one curve for both labels",
                                     "the gradient is dL/dq, with q = sigmoid(s)"],
                           help="What the chart's x-axis shows, and what the gradient panel differentiates by.")
        label = 1.0
        if axis != "margin y·s":
            label = float(bound_radio(st, "label y", [-1.0, 1.0], index=1, key="sur_label", horizontal=True,
                                      bind=BIND, format_func=lambda v: f"{v:+g}",
                                      help="The true class of the example, as ±1."))
        if not present:
            if axis == "probability":
                st.caption(
                    "On the probability axis the same losses look different: the logistic loss becomes "
                    "−log₂(q) (for y = +1), steep near 0, and the hinge losses bend. Their gradients with respect "
                    "to q are their gradients with respect to s divided by q(1 − q), which is why a network "
                    "trains on logits and applies the sigmoid inside the loss."
                )
            elif axis == "margin y·s":
                st.caption("With the label folded into the margin, every loss is one curve: right answers to the "
                           "right of 0, wrong ones to the left, whatever the label.")
    view = surrogate_view(axis, label)
    with right:
        curve_chart(view, "sur", present, vlines=((boundary(axis), "decision boundary"),))
