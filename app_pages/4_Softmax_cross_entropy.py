"""Softmax cross-entropy: the tutorial's example, logits as sliders, the loss along one logit, why fusing
matters, and label smoothing. The sections live in lossapp.sections.softmax (label smoothing in
lossapp.sections.multiclass); this script only orders them."""

import streamlit as st

from lossapp.page import full_page, setup_page, shown
from lossapp.sections.multiclass import label_smoothing_section
from lossapp.sections.softmax import fused_section, softmax_sliders_section, softmax_tutorial_section
from lossapp.side_notes import lead_sentence, side_note
from losscore.catalog import CATALOG

present = setup_page("Softmax cross-entropy")
SPEC = CATALOG["SoftmaxCrossEntropyLoss"]

st.title("Softmax cross-entropy")
if full_page() or not shown("label-smoothing"):  # label smoothing alone brings its own formula
    if present:  # every step of the page repeats it: one sentence beside it, the rest one click away
        formula, said = st.columns([1, 1.25], gap="medium", vertical_alignment="center")
        formula.latex(SPEC.formula)
        with said:
            lead, rest = lead_sentence(SPEC.summary)
            st.markdown(lead)
            if rest:
                side_note(rest, present)
    else:
        st.latex(SPEC.formula)
        st.markdown(SPEC.summary)
if full_page() and not present:
    st.markdown(
        "One row of `pred` holds a score (logit) per class; the loss turns the row into probabilities with a "
        "softmax and charges −log of the probability given to the true class. A confident right answer costs "
        "almost nothing, a confident wrong one costs about the gap between the winning logit and the true "
        "class's logit."
    )

if shown("softmax-example"):
    softmax_tutorial_section(present)
if shown("softmax-sliders"):
    softmax_sliders_section(present)
if shown("fused"):
    fused_section(present)
if shown("label-smoothing"):
    label_smoothing_section(present)
