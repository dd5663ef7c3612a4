"""Binary classification: sigmoid cross-entropy (and the from_sigmoid switch), logistic, hinge, squared hinge."""

import streamlit as st

from lossapp.curve_explorer import curve_section
from lossapp.page import full_page, setup_page, shown
from lossapp.sections.curves import from_sigmoid_section

present = setup_page("Binary classification")

st.title("Binary classification losses")
if full_page() and not present:
    st.markdown(
        "Here the network produces one score per example and the label says which side of zero it should be "
        "on. Each chart holds the label at 1 (the tutorial's choice; you can flip it) and sweeps the score. "
        "Notice what happens to the right of zero, where the prediction is already correct: the hinge losses "
        "go exactly flat once the margin is met, while the logistic and cross-entropy losses keep asking for "
        "a little more confidence. To the left, where the prediction is wrong, all of them grow, but at very "
        "different rates."
    )

curve_section(
    "SigmoidBinaryCrossEntropyLoss", "bce", present=present,
    notes=(
        "With the default from_sigmoid=False the prediction is a logit and the loss is computed as "
        "max(x, 0) - x·z + log(1 + exp(-|x|)), which never overflows, whatever the size of x. The gradient is "
        "just sigmoid(x) - z: bounded between -1 and 1, and fading smoothly as the score becomes confidently "
        "right. pos_weight scales only the term for positive labels, so with label 1 it scales the whole "
        "curve, and with label 0 it changes nothing; soft labels between 0 and 1 move the minimum to the "
        "logit of the label."
    ),
)

if shown("from-sigmoid"):
    from_sigmoid_section(present)

curve_section(
    "LogisticLoss", "logistic", present=present,
    notes=(
        "With label_format='signed' the labels are -1 and +1 and the loss is log(1 + exp(-y·x)); with "
        "'binary' they are 0 and 1 and the value is the same as sigmoid cross-entropy. Switching the format "
        "does not change the curve for a positive example, only how you write its label. The gradient is "
        "sigmoid(x) - z again, so badly wrong scores get a constant push of size one, not an ever larger one."
    ),
)
curve_section(
    "HingeLoss", "hinge", present=present,
    notes=(
        "The gradient panel is a step: -label until the score clears the margin, then exactly zero. Examples "
        "that are classified with room to spare stop contributing altogether, which is where support vector "
        "machines get their sparse set of support vectors. Raise the margin to demand more confidence."
    ),
)
curve_section(
    "SquaredHingeLoss", "sqhinge", present=present,
    notes=(
        "Squaring removes the corner at the margin: the gradient now falls linearly to zero instead of "
        "jumping. The price is a quadratic penalty for confidently wrong scores, so a mislabelled example "
        "weighs more than under the plain hinge."
    ),
)
