"""Embedding losses: triplet (2-D points you move), cosine embedding (the tutorial's two examples and the angle
view) and SDML (a batch of pairs). The sections live in lossapp.sections; this script only orders them."""

import streamlit as st

from lossapp.page import full_page, setup_page, shown
from lossapp.sections.contrastive import infonce_section, margins_section
from lossapp.sections.cosine import cosine_section
from lossapp.sections.headers import loss_headers
from lossapp.sections.sdml import sdml_section
from lossapp.sections.triplet import triplet_section

present = setup_page("Embeddings")

st.title("Embedding losses")
if full_page() and not present:
    st.markdown(
        "These losses have no labels in the usual sense. They look at vectors a network produced (embeddings) "
        "and ask for a geometry: similar things close together or pointing the same way, different things "
        "apart. Their gradients are vectors too, so the plots draw them as arrows: each arrow is the "
        "direction gradient descent would move that embedding (minus the gradient)."
    )

if shown("triplet"):
    triplet_section(present)
if shown("cosine"):
    cosine_section(present)
if shown("sdml"):
    sdml_section(present)

if shown("infonce"):
    loss_headers("infonce", "InfoNCELoss", present=present)
    infonce_section(present)
if shown("margins"):
    loss_headers("margins", "CosFaceLoss", "ArcFaceLoss", present=present, side_by_side=True)
    margins_section(present)
