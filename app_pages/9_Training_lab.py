"""Training lab: watch L1/L2/Huber fit a line through outliers, and logistic/hinge/squared hinge train a classifier."""

import streamlit as st

from lossapp.page import full_page, setup_page, shown
from lossapp.sections.training import classifier_section, regression_section

present = setup_page("Training lab")

st.title("Training lab")
if full_page() and not present:
    st.markdown(
        "Which loss should you pick? The loss curves on the other pages show the shape of each loss; here you "
        "can watch what that shape does to a model while it trains. Every run below is real full-batch "
        "gradient descent with losscore's gradients, recomputed whenever you move a control; the *show "
        "training at* slider rewinds to any step."
    )
    with st.expander("How the gradients reach the weights"):
        st.markdown(
            "Each model is linear: the prediction of point i is pred_i = w·x_i + b. losscore's "
            "`loss.value_and_grad(pred, label)` returns the per-point losses and g_i, the derivative of their "
            "sum with respect to pred_i. By the chain rule the derivative of the summed loss with respect to "
            "the weights is Σ g_i x_i, and with respect to the bias Σ g_i. The lab minimises the mean loss, so "
            "both are divided by the number of points before the step θ ← θ − lr · gradient. Runs start from "
            "zero weights, and the data come from `np.random.default_rng(seed)`, so a link to this page "
            "reproduces exactly what you see. To answer a slider step at once, the page also trains the runs a few "
            "steps either side of each slider's value in advance, all of them together as one batch; in that batch "
            "HuberLoss(rho) is evaluated as rho · HuberLoss(1) on residuals divided by rho, and the hinge losses "
            "likewise with the margin, which is the same function."
        )

if shown("training-regression"):
    regression_section(present)
if shown("training-classifier"):
    classifier_section(present)
