"""Binary classification: sigmoid cross-entropy (and the from_sigmoid switch), logistic, hinge, squared hinge."""

import streamlit as st

from lossapp import urlstate
from lossapp.controls import BIND
from lossapp.model import Curve, CurveView
from lossapp.page import setup_page
from lossapp.views import chart, curve_section, double_sigmoid_demo, fmt, marker_control

present = setup_page("Binary classification")

st.title("Binary classification losses")
if not present:
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


st.subheader("Which from_sigmoid setting? Both, on the same input", anchor="from-sigmoid")
if not present:
    st.markdown(
        "Suppose the network's last layer is already a sigmoid, so its output q is a probability. The "
        "tutorial says to set from_sigmoid to False in that case; that is the wrong way round. "
        "**from_sigmoid=True** tells the loss that q is already a probability, and it computes "
        "-log(q) for label 1. With from_sigmoid=False the loss treats q as a logit and applies a second "
        "sigmoid: q only ever covers [0, 1], so sigmoid(q) stays between 0.5 and 0.73, the loss can never get "
        "close to zero, and the gradient hardly changes as the prediction improves."
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
    curves = tuple(
        Curve(f"from_sigmoid={flag}", demo[flag][0], demo[flag][1], demo[flag][2]) for flag in (True, False)
    )
    view = CurveView(
        title="SigmoidBCE on a network output that is already a probability", curves=curves, marker=q,
        x_title="network output q (already passed through a sigmoid)", label=fs_label,
    )
    chart(view, "fs", present=present, sliders=(q_slider,) if q_slider else (), labels={
        "from_sigmoid=True": ("from_sigmoid=True (right for a sigmoid output)", "its gradient"),
        "from_sigmoid=False": ("from_sigmoid=False (sigmoid applied twice)", "its gradient (twice)"),
    })

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
