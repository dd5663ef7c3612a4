"""Side notes: prose beside a view that a student reads and a lecturer says aloud.

On a projector (``?present=1``) a step must fit one screen, so a side note folds into an expander, one click
from view, instead of being dropped; on a normal page it is written out where it stands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import streamlit as st

__all__ = ["NOTES_LABEL", "beside", "folded", "lead_and_notes", "lead_sentence", "notes_and_inputs", "side_note"]

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


def beside(present: bool, widths: Sequence[float] = (1, 1.6), label: str | None = "Inputs") -> tuple[Any, Any]:
    """A section's controls column and its chart column. On a projector the chart takes the page's width (its
    browser-side sliders at its right) and the controls fold into an expander called ``label`` above it, or
    stand above it when ``label`` is None (sections whose only controls are the chart's own sliders)."""
    if not present:
        left, right = st.columns(list(widths), gap="medium")
        return left, right
    return (st.expander(label) if label else st.container()), st.container()


def notes_and_inputs(text: str, present: bool, widths: Sequence[float] = (1, 1.6)) -> tuple[Any, Any]:
    """A side note, then :func:`beside`'s controls and chart columns; on a projector the "Notes" and "Inputs"
    expanders share one row, so the two folds cost the height of one."""
    if not present:
        side_note(text, present)
        return beside(present, widths)
    notes, inputs = st.columns(2, gap="small")
    with notes:
        side_note(text, present)
    return inputs.expander("Inputs"), st.container()


def lead_sentence(text: str) -> tuple[str, str]:
    """``text``'s first sentence and the rest (""): on a projector the first stays in view, the rest folds away.

    >>> lead_sentence("Smooth everywhere. Its gradient is the error (e.g. 0.5).")
    ('Smooth everywhere.', 'Its gradient is the error (e.g. 0.5).')
    """
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(`*])", text.strip(), maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def lead_and_notes(lead: str, rest: str) -> None:
    """On a projector: ``lead`` (what the lecturer says first) in view, and ``rest`` in a "Notes" expander on the
    same row, so folding it costs no height."""
    if not rest:
        st.markdown(lead)
        return
    said, notes = st.columns([2.4, 1], gap="medium", vertical_alignment="center")
    said.markdown(lead)
    with notes.expander(NOTES_LABEL):
        st.markdown(rest)
