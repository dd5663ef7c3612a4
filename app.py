"""Home page: what the explainer covers, and every loss of the catalog with its formula."""

import streamlit as st

from lossapp.page import setup_page
from losscore.catalog import CATALOG, FAMILIES, by_family

setup_page("Home")

st.title("Loss functions, explained live")
st.markdown(
    "An interactive companion to the MXNet Gluon *Loss functions* tutorial. Every loss below is computed by "
    "`losscore`, a numpy port that reproduces MXNet 1.9.1's values and gives exact gradients."
)
st.metric("Losses covered", len(CATALOG))

for family, blurb in FAMILIES.items():
    specs = by_family(family)
    if not specs:
        continue
    st.header(family.capitalize())
    st.caption(blurb)
    for spec in specs:
        st.subheader(spec.title)
        st.latex(spec.formula)
        st.markdown(spec.summary)
