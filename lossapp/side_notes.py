"""Side notes: prose beside a view that a student reads and a lecturer says aloud.

On a projector (``?present=1``) a step must fit one screen, so a side note folds into an expander, one click
from view, instead of being dropped; on a normal page it is written out where it stands.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

import streamlit as st

__all__ = ["NOTES_LABEL", "folded", "side_note"]

#: The expander's label in presentation mode.
NOTES_LABEL = "Notes"


def side_note(text: str, present: bool, *, caption: bool = False) -> None:
    """Write ``text`` (markdown; a caption when ``caption``), folded into a "Notes" expander in presentation mode."""
    if present:
        with st.expander(NOTES_LABEL):
            st.markdown(text)
    elif caption:
        st.caption(text)
    else:
        st.markdown(text)


def folded(present: bool, label: str) -> AbstractContextManager[Any]:
    """Where a section's secondary controls go: an expander called ``label`` in presentation mode (the chart and
    its sliders take the screen; the rest is one click away), else the place they stand."""
    return st.expander(label) if present else nullcontext()
