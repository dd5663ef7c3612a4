"""Setup shared by every page: page config, presentation mode and the common footer.

Every page calls :func:`setup_page` first (``app.py`` has drawn the sidebar by then). It also opens the page's
box for link notices: when a value in the address had to be clamped or ignored (see :mod:`lossapp.urlstate`), one
warning at the top of the page lists every such value once.

One section anywhere: ``?section=<id>`` draws that section of its page alone; with ``embed=true`` (a docs page's
iframe) the page's title, the sidebar and most spacing go too, and a small link opens the section in the full app.
A section id of another page sends the visitor to that page (same address otherwise); an unknown one says so
and shows the whole page. In full-page mode the sidebar offers the iframe code of each section of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from lossapp import pager, urlstate
from lossapp.registry import PAGES
from lossapp.steps import STEPS, step, steps_of

#: Session-state key of the one section this run draws (None: the whole page); set by :func:`setup_page`.
_PICKED = "_lossapp_picked_step"
#: Session-state key of the page this run draws (its ``url_path``), set by :func:`setup_page`.
_PAGE = "_lossapp_page"

#: The projector layout's styles, kept with the chart component's CSS (read once, on import).
PRESENT_CSS = f"<style>{(Path(__file__).parent / 'frontend' / 'present.css').read_text()}</style>"
#: Lecture mode on one section: the page's title gives way to the section's (the pager names the position).
PRESENT_STEP_CSS = f"<style>{(Path(__file__).parent / 'frontend' / 'present-step.css').read_text()}</style>"
#: On every page: formulas that fit a phone (see the file).
BASE_CSS = f"<style>{(Path(__file__).parent / 'frontend' / 'base.css').read_text()}</style>"
#: One section in a docs page's iframe (``?section=<id>&embed=true``): no title, no sidebar, compact.
EMBED_CSS = f"<style>{(Path(__file__).parent / 'frontend' / 'embed.css').read_text()}</style>"
#: The size of the iframe the embed code proposes (a docs page's column).
EMBED_SIZE = (700, 600)


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
    page = _url_path(title)
    st.session_state[_PAGE] = page
    urlstate.start_page()
    st.html(BASE_CSS)  # style only: Streamlit adds it to the page without a visible block
    present = presentation_mode()
    if present:
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)
    pager.set_here(page)
    picked = _picked_step(page, present)
    st.session_state[_PICKED] = picked
    # the controls read before the first shown() call belong to the page's one section (Compare, Sequences)
    urlstate.enter_section(picked or next((s.id for s in steps_of(page)), None) if page is not None else None)
    asked = st.query_params.get("section")
    if asked and picked is None:
        _elsewhere(asked)
    from lossapp import lesson_bar, lesson_builder  # widgets built on modules that import this one

    lesson_bar.lesson_bar(page, picked)
    if picked is not None and embedded():
        st.html(EMBED_CSS)  # style only
        # (Streamlit opens a Markdown link in a new tab: the docs page around the iframe stays)
        st.caption(f"[Open in the full app ↗]({page_url(step(picked).page)}#{picked})")
    elif picked is None and not present and not embedded() and page is not None and steps_of(page):
        with st.sidebar:
            _embed_codes(page)
    if present and not asked:
        _lecture_step(page, picked)
    elif page and not embedded():
        pager.follow_anchors([s.id for s in steps_of(page)])
    if not present and not embedded():
        with st.sidebar:
            lesson_builder.builder(page, picked)
    return present


def _url_path(title: str) -> str | None:
    return next((p.url_path for p in PAGES if p.title == title), None)


def _elsewhere(asked: str) -> None:
    """``?section=`` names no section of this page: go to the page that has it (the rest of the address kept),
    or, for an id no page has, say so above the whole page."""
    target = next((s for s in STEPS if s.id == asked), None)
    if target is None:
        urlstate.add_notice(f"`section`: no section is called {urlstate.quote_token(asked)}, so the whole page is "
                            f"shown (sections: {', '.join(s.id for s in STEPS)})")
        return
    script = next(p.script for p in PAGES if p.url_path == target.page)
    try:
        st.switch_page(script, query_params=st.query_params.to_dict())
    except StreamlitPageNotFoundError:  # the page runs without the app's router (a test of the script alone)
        urlstate.add_notice(f"`section`: “{target.title}” is on the {target.page} page, so this page is shown "
                            "whole")


def page_url(page: str) -> str:
    """The address of the app's page ``page`` (a ``url_path``) as the visitor reaches the app (the same scheme,
    host and base path), or a path from the root when the server does not know it (tests)."""
    here = _context_url()
    current = _url_path_of_run()
    root = here
    if here and current and here.rstrip("/").endswith("/" + current):
        root = here.rstrip("/")[: -len(current)]
    root = (root or "/").rstrip("/")
    return f"{root}/{page}" if page else f"{root}/"


def _context_url() -> str | None:
    try:
        return st.context.url
    except Exception:  # noqa: BLE001 - no browser context (bare mode, some tests)
        return None


def _url_path_of_run() -> str | None:
    return st.session_state.get(_PAGE)


def section_url(step_id: str, embed: bool = False) -> str:
    """The address that shows section ``step_id`` alone (in an iframe with ``embed``)."""
    return f"{page_url(step(step_id).page)}?section={step_id}" + ("&embed=true" if embed else "")


def link_to(key: str) -> str:
    """The address of section ``key`` alone when it is a step id, else of the page this run draws (a chart
    inside a section of another name: Compare's "cmp")."""
    if any(s.id == key for s in STEPS):
        return section_url(key)
    return page_url(_url_path_of_run() or "")


def embed_code(step_id: str, size: tuple[int, int] = EMBED_SIZE) -> str:
    """The HTML a docs page pastes to show section ``step_id`` in an iframe."""
    width, height = size
    return (f'<iframe src="{section_url(step_id, embed=True)}" title="{step(step_id).title} · Loss functions '
            f'explained" width="{width}" height="{height}" style="border: 0" loading="lazy"></iframe>')


@st.fragment
def _embed_codes(page: str) -> None:
    """The sidebar's "Embed a section" popover: pick one of the page's sections, copy its iframe code (a fragment:
    picking another section reruns the popover, not the page)."""
    steps = steps_of(page)
    with st.popover("Embed a section", icon=":material/code:", width="stretch"):
        picked = st.selectbox("Section", [s.id for s in steps], format_func=lambda i: step(i).title,
                              key=f"_lossapp_embed_pick_{page}") if len(steps) > 1 else steps[0].id
        st.caption(f"Paste this into a web page to show “{step(picked).title}” alone, sliders and all:")
        st.code(embed_code(picked), language="html", wrap_lines=True)
        st.markdown(f"[Preview the section alone]({section_url(picked)})")


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


@st.fragment
def fragment_section(step_id: str, draw: Callable[..., None], *args: Any) -> None:
    """``draw(*args)``, section ``step_id``, when this run shows it, as a fragment with its reset button and
    "predict first" switch: those and the section's widgets rerun the section, not the page."""
    if shown(step_id):
        draw(*args)


def shown(step_id: str) -> bool:
    """Whether the page draws section ``step_id`` (a :data:`lossapp.steps.STEPS` id) in this run."""
    picked = picked_step()
    if picked is not None and picked != step_id:
        return False
    urlstate.enter_section(step_id)
    from lossapp.section_tools import tools

    tools(step_id)
    return True
