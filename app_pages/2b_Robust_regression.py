"""Robust regression: the losses people fit through outliers today (log-cosh, pseudo-Huber, quantile,
epsilon-insensitive, Tukey, Barron's general loss), Barron's alpha as one dial, and what each loss estimates."""

import streamlit as st

from lossapp.curve_explorer import curve_section
from lossapp.page import full_page, setup_page, shown
from lossapp.sections.robust import barron_morph_section, estimate_section

present = setup_page("Robust regression")

st.title("Robust regression losses")
if full_page() and not present:
    st.markdown(
        "L2 lets one wild point drag a fit anywhere; L1 resists but never stops pushing, even at the label. The "
        "losses on this page sit between and beyond the two. Read each gradient panel far from the label: a "
        "gradient that levels off (log-cosh, pseudo-Huber, quantile, epsilon-insensitive) caps an outlier's "
        "pull, one that returns to zero (Tukey, Barron below alpha = 0) ignores it outright. At the end, a data "
        "set shows what each loss estimates when it may only predict one number."
    )

curve_section(
    "LogCoshLoss", "logcosh", present=present,
    notes=(
        "The gradient is tanh(d): the L2 ramp near the label, flattening to ±1 like L1 beyond about |d| = 2. "
        "No parameter to tune, and no kink anywhere."
    ),
)
curve_section(
    "PseudoHuberLoss", "phuber", present=present,
    notes=(
        "Compare with Huber on the Regression page: the same d²/2 near the label and the same slope ±delta far "
        "away, but the hand-over is gradual, so the gradient has no corner at ±delta."
    ),
)
curve_section(
    "QuantileLoss", "quantile", present=present,
    notes=(
        "Move tau: the two slopes are −tau and 1 − tau. At tau = 0.9 predicting too low costs nine times what "
        "predicting too high does, so the best constant sits above 90% of the data."
    ),
)
curve_section(
    "EpsilonInsensitiveLoss", "epsins", present=present,
    notes=(
        "Inside ±epsilon the loss and its gradient are zero: a prediction that close is left alone. Outside, "
        "L1 shifted outwards by epsilon."
    ),
)
curve_section(
    "TukeyBiweightLoss", "tukey", present=present,
    notes=(
        "The gradient rises, peaks at d = c/√5 and falls back to exactly zero at ±c: beyond c an error costs "
        "c²/6 however large it is. Outliers stop pulling, but so does a prediction that starts far from all "
        "the data."
    ),
)
curve_section(
    "GeneralRobustLoss", "barron", present=present,
    notes=(
        "alpha and scale are on the sliders; the next section sweeps alpha alone, naming the classic losses it "
        "passes."
    ),
)
if shown("barron-alpha"):
    barron_morph_section(present)
if shown("estimate"):
    estimate_section(present)
