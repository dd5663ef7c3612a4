"""Regression losses: L1, L2 and Huber against a real-valued label (0 by default, as in the tutorial)."""

import streamlit as st

from lossapp.curve_explorer import curve_section
from lossapp.page import full_page, setup_page

present = setup_page("Regression")

st.title("Regression losses")
if full_page() and not present:
    st.markdown(
        "These three losses compare a real-valued prediction with a real-valued label. Each chart keeps the "
        "label fixed (0, like the tutorial; move it if you like) and sweeps the prediction; the panel underneath "
        "is the gradient, the number backpropagation actually passes back to the network. What tells the three "
        "apart is how that gradient behaves far from the label (are outliers allowed to dominate?) and close "
        "to it (does the step size shrink as the fit gets better?)."
    )

curve_section(
    "L1Loss", "l1", present=present,
    notes=(
        "Read the gradient panel: a flat step from -w to +w. Far from the label that is a virtue — an outlier "
        "ten units away pushes no harder than one a single unit away — but near the label it is a nuisance, "
        "because the push never fades. The median of the data minimises it, which is why L1 is the robust choice."
    ),
)
curve_section(
    "L2Loss", "l2", present=present,
    notes=(
        "The gradient is a straight line through the label: the error itself (times the weights). Near the "
        "label the steps shrink by themselves; far away they grow without bound, so a single bad point can "
        "outweigh many good ones. The mean of the data minimises it. Gluon's L2Loss carries a factor one half, "
        "which PyTorch's MSELoss does not."
    ),
)
curve_section(
    "HuberLoss", "huber", present=present,
    notes=(
        "Move rho and watch the gradient panel: inside ±rho it is the L2 ramp divided by rho, outside it is "
        "clipped at ±1 like L1. The two pieces meet with matching value and slope, so the curve is smooth. A "
        "small rho behaves almost like L1; a large rho almost like L2 scaled by 1/rho."
    ),
)
