"""The "Interactive HTML" download of a section whose charts are not curve charts (a curve chart offers it in its
export panel, :func:`lossapp.export.export_panel`): the section's charts as the app just sent them, in one file
that works offline (:mod:`lossapp.section_html`)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import streamlit as st

from lossapp.page import embedded, link_to, picked_step, presentation_mode
from lossapp.section_html import SectionDoc, section_html
from lossapp.steps import step

__all__ = ["offline_download"]

#: What the button's tooltip says the file is.
HELP = ("This section in one file that works offline, sliders and all: for docs sites, slides and notes (about "
        "5 MB: plotly.js is inside). Choices made with the app's other controls stay as they are now.")


def offline_download(step_id: str, sent: Sequence[bytes | None], *, formula: str = "",
                     paragraphs: Sequence[str] = ()) -> None:
    """A small download button of section ``step_id`` as an interactive HTML file holding the charts ``sent``
    (what :func:`lossapp.live_chart.plotly_chart` returned for them). Left out on a projector, in an embed, and
    when a chart fell back to a plain plotly chart (no browser-side sliders to put in the file)."""
    charts = [c for c in sent if c is not None]
    if presentation_mode() or (picked_step() is not None and embedded()) or not charts or len(charts) < len(sent):
        return
    doc = SectionDoc(step(step_id).title, formula, tuple(paragraphs), link_to(step_id))
    st.download_button("Interactive HTML", data=functools.partial(section_html, doc, charts),
                       file_name=f"{step_id}.html", mime="text/html", key=f"{step_id}_offline_html",
                       on_click="ignore", icon=":material/html:", type="tertiary", help=HELP)
