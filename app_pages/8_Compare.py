"""Compare: overlay any set of losses and their gradients on one chart, with a table at one prediction."""

import streamlit as st

from lossapp.page import fragment_section, full_page, setup_page
from lossapp.sections.compare import compare_section

present = setup_page("Compare")

st.title("Compare losses", anchor="compare")
if full_page() and not present:
    st.markdown(
        "Put any losses on one chart. The presets are the tutorial's two pictures: the regression losses "
        "against label 0 and the classification losses against label 1. All curves share the prediction axis "
        "(a raw score or logit; for PoissonNLL the log of the rate), and the lower panel shows each gradient, "
        "which is what actually trains a network: compare where each one is flat, where it is constant, and "
        "where it keeps growing."
    )

fragment_section("compare", compare_section, present)
