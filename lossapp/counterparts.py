"""What the catalog says around a loss: its shortest Gluon name, its PyTorch/Keras equivalents."""

from __future__ import annotations

import streamlit as st

from lossapp.conventions import conventions_panel
from losscore.catalog import LossSpec


def short_name(spec: LossSpec) -> str:
    """The shortest Gluon name of a loss (its alias, when it has one): SigmoidBCELoss, SoftmaxCELoss.

    >>> from losscore.catalog import CATALOG
    >>> short_name(CATALOG["SigmoidBinaryCrossEntropyLoss"]), short_name(CATALOG["HuberLoss"])
    ('SigmoidBCELoss', 'HuberLoss')
    """
    return min((spec.name, *spec.aliases), key=len)


def show_counterparts(spec: LossSpec) -> None:
    """The catalog's notes on PyTorch/Keras equivalents and where losscore differs from MXNet, in an expander,
    then the conventions panel (the five frameworks' spellings, :mod:`lossapp.conventions`)."""
    with st.expander("Equivalents in PyTorch and Keras, and differences from MXNet"):
        st.markdown("\n".join(f"- {c}" for c in spec.counterparts))
        if spec.differences:
            st.markdown("**Where losscore differs from MXNet 1.9.1**")
            st.markdown("\n".join(f"- {d}" for d in spec.differences))
    conventions_panel(spec)


def show_counterparts_of(specs: list[LossSpec], title: str) -> None:
    """The notes of several losses shown together (one section explaining two or three) in one expander."""
    with st.expander(title):
        for spec in specs:
            st.markdown(f"**{spec.name}**\n" + "\n".join(f"- {c}" for c in spec.counterparts))
            if spec.differences:
                st.markdown("Where losscore differs:\n" + "\n".join(f"- {d}" for d in spec.differences))
    for spec in specs:
        conventions_panel(spec)
