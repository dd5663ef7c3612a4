"""Distributions: KL divergence (the tutorial's example, its 0.02 puzzle, both directions) and the Poisson
negative log-likelihood (one count, a batch of counts, compute_full's Stirling term). The sections live in
lossapp.sections.distributions; this script only orders them."""

import streamlit as st

from lossapp.curve_explorer import curve_section
from lossapp.page import fragment_section, setup_page, shown
from lossapp.sections.distributions import (
    kl_bars_section,
    kl_tutorial_section,
    poisson_counts_section,
    stirling_section,
)
from lossapp.sections.divergences import divergences_section
from lossapp.sections.headers import loss_headers
from lossapp.side_notes import side_note
from losscore.catalog import CATALOG

present = setup_page("Distributions")
KL = CATALOG["KLDivLoss"]

st.title("Losses between distributions")


def kl_step() -> None:
    """The tutorial's KL example: its header, formula, the 0.02 story and the live section."""
    st.header(KL.title, anchor="kl")
    st.latex(KL.formula)
    # the 0.02 puzzle is what a lecturer tells: on a projector in one line, the whole story one click away
    if present:
        st.markdown("The tutorial reports **0.02**; MXNet 1.9.1 returns **0.1017**: it sums the 4 classes where "
                    "older versions averaged them (0.1017 / 4 = 0.0254).")
    side_note(
        KL.summary + "\n\n"
        "The tutorial's example feeds raw network outputs with `from_logits=False`, so the loss applies a "
        "log-softmax first; the outputs were chosen so that their softmax is exactly [0.2, 0.5, 0.2, 0.1]. "
        "The target is [0.3, 0.4, 0.1, 0.2]. The tutorial then reports a divergence of 0.02, but MXNet 1.9.1 "
        "returns 0.1017 for this input: recent MXNet **sums** the per-class terms of each example, while "
        "older versions **averaged** them, and 0.1017 / 4 classes = 0.0254, the tutorial's \"0.02\". Both "
        "numbers are shown below.",
        present,
    )
    kl_tutorial_section(present)


fragment_section("kl", kl_step)
fragment_section("kl-directions", kl_bars_section, present)
if shown("kl-js"):
    loss_headers("kl-js", "ReverseKLDivLoss", "JensenShannonLoss", present=present)
    divergences_section(present)


def poisson_step() -> None:
    """Poisson NLL's header and curve section."""
    st.header("Counts: Poisson negative log-likelihood", anchor="poisson")
    curve_section(
        "PoissonNLLLoss", "poisson", present=present, header=False,
        notes=(
            "Set the label to an observed count t and look for the minimum: it sits where the predicted rate "
            "equals t (log-rate log t with from_logits on). The curve is steep on the side of rates that are "
            "too high, because the loss grows like the rate itself, and gentle on the other side, where it grows "
            "like −t·log(rate). With from_logits off the prediction is the rate itself and must stay positive; "
            "epsilon keeps log(rate) finite at a rate of zero. compute_full adds log(t!) (by Stirling's formula "
            "for t > 1): a constant that makes the value a true negative log-likelihood but leaves the gradient "
            "untouched. For a batch, Gluon averages over every element, the batch included, and returns one "
            "number; the chart shows the per-element value."
        ),
    )


fragment_section("poisson", poisson_step)
if shown("poisson-counts"):
    poisson_counts_section(present)
if shown("stirling"):
    stirling_section(present)
