"""Setup shared by every page: page config, presentation mode and the common footer.

Every page calls :func:`setup_page` first (``app.py`` has drawn the sidebar by then). It also opens the page's
box for link notices: when a value in the address had to be clamped or ignored (see :mod:`lossapp.urlstate`), one
warning at the top of the page lists every such value once.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lossapp import pager, urlstate
from lossapp.registry import PAGES
from lossapp.steps import steps_of

#: Session-state key of the one section this run draws (None: the whole page); set by :func:`setup_page`.
_PICKED = "_lossapp_picked_step"

#: The projector layout's styles, kept with the chart component's CSS (read once, on import).
PRESENT_CSS = f"<style>{(Path(__file__).parent / 'frontend' / 'present.css').read_text()}</style>"
#: Lecture mode on one section: the page's title gives way to the section's (the pager names the position).
PRESENT_STEP_CSS = f"<style>{(Path(__file__).parent / 'frontend' / 'present-step.css').read_text()}</style>"
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
    page = next((p.url_path for p in PAGES if p.title == title), None)
    pager.set_here(page)
    picked = _picked_step(page, present)
    st.session_state[_PICKED] = picked
    # the controls read before the first shown() call belong to the page's one section (Compare, Sequences)
    urlstate.enter_section(picked or next((s.id for s in steps_of(page)), None) if page is not None else None)
    from lossapp import lesson_bar, lesson_builder, section_tools  # widgets built on modules that import this one

    section_tools.start_run()
    lesson_bar.lesson_bar(page, picked)
    if present and not st.query_params.get("section"):
        _lecture_step(page, picked)
    elif page and not embedded():
        pager.follow_anchors([s.id for s in steps_of(page)])
    if not present and not embedded():
        lesson_builder.builder(page, picked)
    return present


def _picked_step(page: str | None, present: bool) -> str | None:
    """The id of the one section the address asks for, if it is a section of this page: ``?section=`` (an embed
    of one section) or, in presentation mode, ``?step=`` (the page's first section when it names none of them:
    lecture mode shows one section per screen)."""
    asked = st.query_params.get("section") or (st.query_params.get("step") if present else None)
    ids = [s.id for s in steps_of(page)] if page is not None else []
    if asked in ids:
        return asked
    return ids[0] if present and ids and not st.query_params.get("section") else None


def _lecture_step(page: str | None, picked: str | None) -> None:
    """Lecture mode: the step's position in the address (``?step=``) and the pager through the tutorial."""
    if picked is not None and st.query_params.get("step") != picked:
        st.query_params["step"] = picked  # an unknown or missing step: the address says which one is shown
    if picked is not None:
        st.html(PRESENT_STEP_CSS)
    prev, nxt, position = pager.step_targets(picked)
    pager.pager(prev, nxt, position, key="lecture")


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
