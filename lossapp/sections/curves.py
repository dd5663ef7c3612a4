"""Binary classification's extra section: the same network output fed to SigmoidBCE with both from_sigmoid
settings (the loss curves themselves are :mod:`lossapp.curve_explorer`)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lossapp import urlstate
from lossapp.bound_widgets import marker_control
from lossapp.caching import cache_data
from lossapp.charts import chart
from lossapp.controls import BIND
from lossapp.formatting import fmt
from lossapp.model import Curve, CurveView
from lossapp.side_notes import side_note
from losscore import SigmoidBinaryCrossEntropyLoss


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


def fs_grad_limits(label: float) -> tuple[float, float]:
    """The gradient axis of the from_sigmoid chart: from_sigmoid=True's −1/q (label 1) reaches −100 at q = 0.01,
    which would press the doubled sigmoid's gradient (−0.27 to −0.50) onto the zero line; clipped at 3 it stays
    visibly apart from zero and from the right gradient for every q above 1/3."""
    return (-3.0, 0.25) if label == 1.0 else (-0.25, 3.0)


def fs_view(q: float, label: float) -> CurveView:
    """Both from_sigmoid settings on the same probability q, as one chart that exports as SigmoidBCE twice."""
    demo = double_sigmoid_demo(q, label)
    curves = tuple(
        Curve(f"from_sigmoid={flag}", demo[flag][0], demo[flag][1], demo[flag][2]) for flag in (True, False)
    )
    limits = fs_grad_limits(label)
    return CurveView(
        title="SigmoidBCE on a network output that is already a probability", curves=curves, marker=q,
        x_title="network output q (already passed through a sigmoid)", label=label,
        grad_title="dL/dq (clipped)", grad_limits=limits,
        loss_names=("SigmoidBinaryCrossEntropyLoss",) * 2,
        params={f"from_sigmoid={flag}": {"from_sigmoid": flag} for flag in (True, False)},
    )


@st.fragment
def from_sigmoid_section(present: bool) -> None:
    """The same network output q (already a probability) fed to SigmoidBCE with from_sigmoid on and off."""
    st.subheader("Which from_sigmoid setting? Both, on the same input", anchor="from-sigmoid")
    side_note(
        "Suppose the network's last layer is already a sigmoid, so its output q is a probability. The "
        "tutorial says to set from_sigmoid to False in that case; that is the wrong way round. "
        "**from_sigmoid=True** tells the loss that q is already a probability, and it computes "
        "-log(q) for label 1. With from_sigmoid=False the loss treats q as a logit and applies a second "
        "sigmoid: q only ever covers [0, 1], so sigmoid(q) stays between 0.5 and 0.73, the loss can never get "
        "close to zero, and the gradient hardly changes as the prediction improves.", present
    )
    left, right = st.columns([1, 2.4], gap="medium")
    with left:
        q, q_slider = marker_control(st, "network output q (after its sigmoid)", 0.01, 0.99, 0.9, 0.01, key="fs_q",
                                     help="The probability the network produced for this example.")
        urlstate.guard_choice("fs_label", options=[0.0, 1.0], default=1.0, labels=["0", "1"])
        fs_label = float(st.radio("label", [0.0, 1.0], index=1, key="fs_label", horizontal=True, bind=BIND,
                                  format_func=lambda v: f"{v:g}", help="The true class of the example."))
        demo = double_sigmoid_demo(q, fs_label)
        right_value, wrong_value = demo[True][3], demo[False][3]
        if q_slider is None:  # with live charts the two values are shown under the chart, as q moves
            st.metric("from_sigmoid=True (right for a sigmoid output)", fmt(right_value),
                      help="-log(q) for label 1, -log(1 - q) for label 0")
            st.metric("from_sigmoid=False (sigmoid applied twice)", fmt(wrong_value),
                      delta=fmt(wrong_value - right_value), delta_color="inverse",
                      help="The loss when the sigmoid output is mistaken for a logit.")
        floor = float(demo[False][1].min())
        if not present:
            st.caption(f"Over q in [0.01, 0.99] the doubled-sigmoid loss never drops below {fmt(floor)}.")
    with right:
        view = fs_view(q, fs_label)
        chart(view, "fs", present=present, sliders=(q_slider,) if q_slider else (), labels={
            "from_sigmoid=True": ("from_sigmoid=True (right for a sigmoid output)", "its gradient"),
            "from_sigmoid=False": ("from_sigmoid=False (sigmoid applied twice)", "its gradient (twice)"),
        })
