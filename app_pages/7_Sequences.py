"""Sequences: CTC loss on one word, with the alignments it sums over made visible. The section lives in
lossapp.sections.ctc; this script only introduces it."""

import streamlit as st

from lossapp.page import fragment_section, full_page, setup_page
from lossapp.sections.ctc import ctc_section
from losscore.catalog import CATALOG

present = setup_page("Sequences")
SPEC = CATALOG["CTCLoss"]

st.title("Sequence labels: CTC loss", anchor="ctc")
st.latex(SPEC.formula)
st.markdown(SPEC.summary)
if full_page() and not present:
    st.markdown(
        "A handwriting or speech model outputs one score vector per time step, but the label is just the word, "
        "with no say about which step belongs to which letter. CTC adds a blank symbol and counts a path of "
        "per-step symbols as spelling the word if merging repeated symbols and then removing blanks gives the "
        "word: with five steps, C-C-A-blank-T and C-A-A-T-T both spell CAT. The loss is −log of the total "
        "probability of all such paths, so the network is free to choose the timing. Below, the vocabulary is "
        "the word's own letters (plus any extra letters you add) and the blank, so everything fits on screen."
    )

fragment_section("ctc", ctc_section, present)
