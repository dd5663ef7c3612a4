"""Modern classification: focal loss beside cross-entropy, the asymmetric loss, the multiclass variants, the margin
losses and the 0-1 loss they all stand in for."""

import streamlit as st

from lossapp.curve_explorer import curve_section
from lossapp.page import full_page, setup_page, shown
from lossapp.sections.focal import focal_gamma_section
from lossapp.sections.multiclass import multiclass_section
from lossapp.sections.surrogates import surrogates_section

present = setup_page("Modern classification")

st.title("Modern classification losses")
if full_page() and not present:
    st.markdown(
        "The losses people train classifiers with today, beyond MXNet Gluon's four: focal loss and its "
        "asymmetric cousin for data where easy examples swamp the hard ones, label smoothing and Poly-1 for "
        "many classes, and the margin losses of linear classifiers. Each chart sweeps one score or logit with the "
        "label held; the last section puts the surrogates on one chart over the 0-1 loss they stand in for."
    )

curve_section(
    "SigmoidFocalLoss", "focal", present=present,
    notes=(
        "gamma bends the curve: at 0 (and alpha below 0) it is sigmoid cross-entropy, and each step up flattens "
        "the right-hand side, where the example is already right. alpha scales the positive label's curve by "
        "alpha and the negative's by 1 − alpha (RetinaNet's 0.25 down-weights positives, because gamma already "
        "silences the many easy negatives). A soft label between 0 and 1 follows torchvision's formula."
    ),
)
if shown("focal-gamma"):
    focal_gamma_section(present)
curve_section(
    "AsymmetricLoss", "asl", present=present,
    notes=(
        "Set the label to 0 to see the negative side: nothing at all until sigmoid(x) passes clip, then "
        "a focal-like curve with gamma_neg. With the label at 1 the positive side is cross-entropy times "
        "(1 − p)^gamma_pos, plain cross-entropy at the default gamma_pos = 0."
    ),
)
if shown("multiclass"):
    multiclass_section(present)
curve_section(
    "ModifiedHuberLoss", "mhuber", present=present,
    notes=(
        "Left of a margin of −1 the loss is the straight line −4·y·x: a mislabelled example costs linearly, "
        "as under the plain hinge, while near the margin it is the smooth squared hinge. The gradient is "
        "continuous everywhere."
    ),
)
curve_section(
    "PerceptronLoss", "percep", present=present,
    notes=(
        "Zero for every right sign, however small the score: the perceptron stops at the first separating "
        "line it finds. The gradient is −y up to and including a score of 0."
    ),
)
curve_section(
    "ZeroOneLoss", "zeroone", present=present,
    notes=(
        "The gradient panel is flat at 0: the loss is piecewise constant, so no gradient step can change it. "
        "That is why networks are trained on the surrogates below and only report this one."
    ),
)
if shown("surrogates"):
    surrogates_section(present)
