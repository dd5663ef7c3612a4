"""The heading of a section that explains one or more catalog losses: each loss's title, formula and summary."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lossapp.side_notes import lead_and_notes, lead_sentence
from losscore.catalog import CATALOG


def loss_headers(anchor: str, *names: str, present: bool = False, side_by_side: bool = False) -> None:
    """Title, formula and summary of each loss in ``names``; the first title carries the section's ``anchor``
    (its step id, so ``#anchor`` links and ``?section=`` find it).

    On a projector the step must fit one screen: the first title heads the section, the formulas follow one
    another, each summary's first sentence stays in view (after its loss's name when there are several) and the
    rest folds into Notes beside it. ``side_by_side`` sets two formulas narrow enough for half the screen in one
    row there."""
    specs = [CATALOG[name] for name in names]
    if not present:
        for spec in specs:
            st.header(spec.title, anchor=anchor if spec is specs[0] else None)
            st.latex(spec.formula)
            st.markdown(spec.summary)
        return
    st.header(specs[0].title, anchor=anchor)
    places: list[Any] = list(st.columns(len(specs))) if side_by_side else [st] * len(specs)
    for spec, place in zip(specs, places, strict=True):
        place.latex(spec.formula)
    parts = [(spec, *lead_sentence(spec.summary)) for spec in specs]
    named = len(specs) > 1
    rest = [f"**{spec.title}.** {more}" if named else more for spec, _, more in parts if more]
    lead_and_notes(" ".join(f"**{spec.name}:** {lead}" if named else lead for spec, lead, _ in parts),
                   "\n\n".join(rest))
