"""Segmentation: Dice, Jaccard (IoU) and Tversky losses on a small mask, pixel by pixel. The sections live in
lossapp.sections.segmentation; this script only orders them."""

import streamlit as st

from lossapp.page import full_page, setup_page, shown
from lossapp.sections.headers import loss_headers
from lossapp.sections.segmentation import overlap_section, tversky_section

present = setup_page("Segmentation")

st.title("Segmentation: overlap losses")
if full_page() and not present:
    st.markdown(
        "A segmentation network predicts, for every pixel, the probability that it belongs to the object. "
        "Per-pixel cross-entropy treats the pixels one by one, so on an image that is 98% background a network "
        "can score well while missing the object entirely. The overlap losses instead compare the predicted "
        "mask with the true one as wholes: soft counts of true positives (TP = Σ p·t), false positives "
        "(FP = Σ p·(1 − t)) and false negatives (FN = Σ (1 − p)·t), with p = sigmoid(logit). Every pixel's "
        "gradient then depends on the whole mask."
    )

if shown("dice-jaccard"):
    loss_headers("dice-jaccard", "DiceLoss", "JaccardLoss", present=present)
    overlap_section(present)
if shown("tversky"):
    loss_headers("tversky", "TverskyLoss", present=present)
    tversky_section(present)
