"""Setup shared by every page: page config, presentation mode and the common footer.

Every page calls :func:`setup_page` first (``app.py`` has drawn the sidebar by then). It also opens the page's
box for link notices: when a value in the address had to be clamped or ignored (see :mod:`lossapp.urlstate`), one
warning at the top of the page lists every such value once.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lossapp import urlstate
from lossapp.registry import PAGES
from lossapp.steps import steps_of

#: Session-state key of the one section this run draws (None: the whole page); set by :func:`setup_page`.
_PICKED = "_lossapp_picked_step"

#: The projector layout's styles, kept with the chart component's CSS (read once, on import).
PRESENT_CSS = f"<style>{(Path(__file__).parent / 'frontend' / 'present.css').read_text()}</style>"
#: On every page: formulas that fit a phone (see the file).
BASE_CSS = f"<style>{(Path(__file__).parent / 'frontend' / 'base.css').read_text()}</style>"


def presentation_mode() -> bool:
    """True when the URL asks for the projector layout (``?present=1``)."""
    return st.query_params.get("present", "0") in ("1", "true", "yes")


def embedded() -> bool:
    """True when the page is shown with ``?embed=true`` (as an iframe in another site)."""
    try:
        return bool(st.context.is_embedded)
    except Exception:  # noqa: BLE001 - no browser context (bare mode, some tests)
        return False


def setup_page(title: str, icon: str = "📉") -> bool:
    """Configure the page; returns whether presentation mode is on."""
    # Embedded in a docs page (?embed=true in an iframe), the page itself is the content: the sidebar starts closed.
    st.set_page_config(page_title=f"{title} · Loss functions explained", page_icon=icon, layout="wide",
                       initial_sidebar_state="collapsed" if embedded() else "auto")
    urlstate.start_page()
    st.html(BASE_CSS)  # style only: Streamlit adds it to the page without a visible block
    present = presentation_mode()
    if present:
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)
    picked = _picked_step(title, present)
    st.session_state[_PICKED] = picked
    page = _page_path(title)
    # the controls read before the first shown() call belong to the page's one section (Compare, Sequences)
    urlstate.enter_section(picked or next((s.id for s in steps_of(page)), None) if page is not None else None)
    from lossapp import lesson_bar, lesson_builder, section_tools  # widgets built on modules that import this one

    section_tools.start_run()
    lesson_bar.lesson_bar(page, picked)
    if not present and not embedded():
        lesson_builder.builder(page, picked)
    return present


def _page_path(title: str) -> str | None:
    return next((p.url_path for p in PAGES if p.title == title), None)


def _picked_step(title: str, present: bool) -> str | None:
    """The id of the one section the address asks for, if it is a section of this page: ``?section=`` (an embed
    of one section) or, in presentation mode, ``?step=``."""
    asked = st.query_params.get("section") or (st.query_params.get("step") if present else None)
    page = _page_path(title)
    ids = {s.id for s in steps_of(page)} if page is not None else set()
    return asked if asked in ids else None


def picked_step() -> str | None:
    """The section this run draws alone, or None when it draws the whole page."""
    return st.session_state.get(_PICKED)


def full_page() -> bool:
    """True when the whole page is drawn (its introduction included), not one section picked by the address."""
    return picked_step() is None


def shown(step_id: str) -> bool:
    """Whether the page draws section ``step_id`` (a :data:`lossapp.steps.STEPS` id) in this run."""
    picked = picked_step()
    if picked is not None and picked != step_id:
        return False
    urlstate.enter_section(step_id)
    from lossapp.section_tools import tools

    tools(step_id)
    return True
