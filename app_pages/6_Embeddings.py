"""Embedding losses: triplet (2-D points you move), cosine embedding (the tutorial's two examples and the angle
view) and SDML (a batch of pairs). The sections live in lossapp.sections; this script only orders them."""

import streamlit as st

from lossapp.page import setup_page
from lossapp.sections.cosine import cosine_section
from lossapp.sections.sdml import sdml_section
from lossapp.sections.triplet import triplet_section

present = setup_page("Embeddings")

st.title("Embedding losses")
if not present:
    st.markdown(
        "These losses have no labels in the usual sense. They look at vectors a network produced (embeddings) "
        "and ask for a geometry: similar things close together or pointing the same way, different things "
        "apart. Their gradients are vectors too, so the plots draw them as arrows: each arrow is the "
        "direction gradient descent would move that embedding (minus the gradient)."
    )

triplet_section(present)
cosine_section(present)
sdml_section(present)
