"""Previous / next buttons that step through a sequence of views, by click or by key (a presenter's clicker).

:func:`pager` draws the two buttons and the position between them; where each button goes is a plain
:class:`Target` (a page, the whole address to open it with, and a label), so the same pager walks lecture mode
(:func:`step_targets`: every section of the tutorial, across pages) and any other sequence, such as a lesson.
A small components-v2 component (``frontend/pager.js``) presses the buttons on ArrowRight / PageDown and
ArrowLeft / PageUp, unless the focus is in a control (arrow keys move sliders). On a normal page the same
component keeps the address's ``#anchor`` on the section in view (:func:`follow_anchors`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import streamlit as st
from streamlit import runtime
from streamlit.errors import StreamlitAPIException

from lossapp.registry import PAGES
from lossapp.steps import STEPS, step

__all__ = ["Target", "follow_anchors", "here", "pager", "set_here", "step_target", "step_targets"]

_LOG = logging.getLogger(__name__)

#: "<package>.<component>" as declared in lossapp/pyproject.toml.
COMPONENT_NAME = "lossapp.pager"
#: Session-state key of the ``url_path`` of the page this run draws (set by :func:`set_here`).
_HERE = "_lossapp_here"


class Target(NamedTuple):
    """Where a pager button goes: a page (its ``url_path`` in :data:`lossapp.registry.PAGES`, "" for Home),
    the address it opens with (every query parameter: the others are dropped) and the button's label."""

    page: str
    params: Mapping[str, str]
    label: str


def step_target(step_id: str) -> Target:
    """Lecture mode's view of one step: its page with ``?present=1&step=<id>``."""
    s = step(step_id)
    return Target(s.page, {"present": "1", "step": s.id}, s.title)


#: Lecture mode starts and ends on the home page (the title screen).
HOME_TARGET = Target("", {"present": "1"}, "Home")


def step_targets(step_id: str | None) -> tuple[Target | None, Target | None, str]:
    """Previous and next targets and the position ("6 / 49") of a step in lecture mode; None
    is the home page (position "0 / 49"), before the first step. Unknown ids count as the home page.

    >>> prev, nxt, pos = step_targets("huber")
    >>> prev.params["step"], nxt.page, nxt.params, pos
    ('l2', 'Robust_regression', {'present': '1', 'step': 'logcosh'}, '6 / 49')
    >>> step_targets(None)[0], step_targets(None)[1].label, step_targets("own-data")[1]
    (None, 'One value per example, and weights', None)
    """
    ids = [s.id for s in STEPS]
    if step_id not in ids:
        return None, step_target(ids[0]), f"0 / {len(ids)}"
    i = ids.index(step_id)
    prev = step_target(ids[i - 1]) if i > 0 else HOME_TARGET
    nxt = step_target(ids[i + 1]) if i + 1 < len(ids) else None
    return prev, nxt, f"{i + 1} / {len(ids)}"


def set_here(page: str | None) -> None:
    """Record the ``url_path`` of the page this run draws (:func:`lossapp.page.setup_page` does), so a target
    on the same page reruns it instead of switching pages."""
    st.session_state[_HERE] = page


def here() -> str | None:
    return st.session_state.get(_HERE)


def _script_of(page: str) -> str:
    found = next((p for p in PAGES if p.url_path == page), None)
    if found is None:
        raise ValueError(f"page must be a url_path of lossapp.registry.PAGES; got {page!r}")
    return found.script


def go(target: Target) -> None:
    """Open ``target``: on this page by replacing the address and rerunning, else by switching pages."""
    params = {str(k): str(v) for k, v in target.params.items()}
    if target.page == here():
        st.query_params.from_dict(params)
        st.rerun()
    st.switch_page(_script_of(target.page), query_params=params)


_COMPONENT: Any = None
#: The component draws nothing; the class lets the page's CSS (frontend/base.css) fold its row away.
_HTML = '<div class="lossapp-pager"></div>'


def _keys_component() -> Any:
    """The registered key/anchor component, or None outside a server or when the package is not installed."""
    global _COMPONENT
    if _COMPONENT is None and runtime.exists():
        try:
            _COMPONENT = st.components.v2.component(COMPONENT_NAME, html=_HTML, js="pager.js",
                                                    isolate_styles=False)
        except StreamlitAPIException:
            _COMPONENT = False
            _LOG.warning("The pager component's files are not installed (pip install -e lossapp): no keys.")
    return _COMPONENT or None


def _button(target: Target | None, key: str, arrow: str, after: bool) -> bool:
    label = "" if target is None else target.label
    text = f"{label} {arrow}" if after else f"{arrow} {label}"
    helptext = None if target is None else f"{'Next' if after else 'Previous'}: {label}"
    return st.button(text.strip(), key=key, disabled=target is None, help=helptext, width="stretch")


def pager(prev: Target | None, next: Target | None, position: str, key: str) -> None:  # noqa: A002 - its meaning
    """Previous / next buttons labelled with their targets' labels, ``position`` between them; a click (or
    ArrowRight / PageDown, ArrowLeft / PageUp outside a control) opens that target (:func:`go`). A missing
    target's button is disabled. ``key`` names the widgets (``<key>_prev``, ``<key>_next``)."""
    with st.container(key=f"{key}_pager", horizontal=True, vertical_alignment="center", gap="small"):
        back = _button(prev, f"{key}_prev", "←", after=False)
        st.markdown(f"**{position}**", width="content")
        forward = _button(next, f"{key}_next", "→", after=True)
    component = _keys_component()
    if component is not None:
        component(key=f"{key}_keys", data={"prev": f".st-key-{key}_prev button", "next": f".st-key-{key}_next button"})
    if back and prev is not None:
        go(prev)
    if forward and next is not None:
        go(next)


def follow_anchors(anchors: Sequence[str], key: str = "anchors") -> None:
    """Keep the address's ``#fragment`` on the section in view as the page scrolls (``history.replaceState``:
    no reload, no new history entry), so a copied link opens at that section. ``anchors`` are the sections'
    anchor ids in page order."""
    component = _keys_component()
    if component is not None and anchors:
        component(key=key, data={"anchors": list(anchors)})
