"""Basics: what a loss call returns, sample weights, and a gradient through a Dense layer checked numerically."""

import streamlit as st

from lossapp.page import setup_page
from lossapp.sections.basics import batch_axis_section, dense_section, values_section

present = setup_page("Basics")

st.title("Basics: a loss, its values, its gradient")
if not present:
    st.markdown(
        "A Gluon loss is a callable: give it predictions and labels and it returns **one number per "
        "example** (averaged over the example's other axes), not a single scalar. Training then sums or "
        "averages those numbers and backpropagates. This page walks through the tutorial's first steps with "
        "the L2 loss, ½·(pred − label)², and checks every number it can."
    )

values_section(present)
dense_section(present)
batch_axis_section(present)
