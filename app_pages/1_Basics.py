"""Basics: what a loss call returns, sample weights, and a gradient through a Dense layer checked numerically."""

import streamlit as st

from lossapp.page import full_page, setup_page, shown
from lossapp.sections.basics import batch_axis_section, dense_section, values_section

present = setup_page("Basics")

st.title("Basics: a loss, its values, its gradient")
if full_page() and not present:
    st.markdown(
        "A Gluon loss is a callable: give it predictions and labels and it returns **one number per "
        "example** (averaged over the example's other axes), not a single scalar. Training then sums or "
        "averages those numbers and backpropagates. This page walks through the tutorial's first steps with "
        "the L2 loss, ½·(pred − label)², and checks every number it can."
    )

if shown("values"):
    values_section(present)
if shown("dense"):
    dense_section(present)
if shown("batch-axis"):
    batch_axis_section(present)
