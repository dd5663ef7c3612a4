"""The heading of a section that explains one or more catalog losses: each loss's title, formula and summary."""

from __future__ import annotations

import streamlit as st

from losscore.catalog import CATALOG


def loss_headers(anchor: str, *names: str) -> None:
    """Title, formula and summary of each loss in ``names``; the first title carries the section's ``anchor``
    (its step id, so ``#anchor`` links and ``?section=`` find it)."""
    for name in names:
        spec = CATALOG[name]
        st.header(spec.title, anchor=anchor if name == names[0] else None)
        st.latex(spec.formula)
        st.markdown(spec.summary)
