"""Your own data: paste or upload predictions and labels, pick a loss, and see which samples dominate it."""

import streamlit as st

from lossapp.page import fragment_section, full_page, setup_page
from lossapp.sections.own_data import own_data_section

present = setup_page("Your own data")

st.title("Your own data", anchor="own-data")
if full_page() and not present:
    st.markdown(
        "Bring predictions and labels from your own model and see, sample by sample, what a loss makes of them: "
        "each sample's loss and its gradient (the push it gives the prediction during training), which samples "
        "dominate the total, and a summary. A few samples far from their labels can carry most of an L2 loss; "
        "try the same data with L1 or Huber and compare."
    )

fragment_section("own-data", own_data_section, present)
