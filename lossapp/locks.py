"""Controls a lesson step locks (shown, disabled) or hides (not shown; its value still applies).

The lesson bar (:mod:`lossapp.lesson_bar`) sets them at the top of each run; the widget helpers of
:mod:`lossapp.controls`, :mod:`lossapp.bound_widgets` and the chart component's browser-side sliders ask
:func:`locked` / :func:`hidden` by address key. A hidden Streamlit widget is preceded by :data:`HIDE_MARKER`, and
the page's CSS (``frontend/base.css``) hides the marker's element and the one after it: Streamlit has no hidden
widget, and a widget that is not created would lose its value.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

__all__ = ["HIDE_MARKER", "disabled", "hidden", "locked", "mark_hidden", "set_locks"]

_LOCKED = "_lossapp_locked"
_HIDDEN = "_lossapp_hidden"
#: A constant, empty element whose class the page CSS knows.
HIDE_MARKER = '<span class="lossapp-hide-next" aria-hidden="true"></span>'


def set_locks(lock: tuple[str, ...] | list[str] = (), hide: tuple[str, ...] | list[str] = ()) -> None:
    """The controls locked and hidden in this run (a hidden control is locked too)."""
    st.session_state[_LOCKED] = frozenset(lock) | frozenset(hide)
    st.session_state[_HIDDEN] = frozenset(hide)


def _get(name: str) -> frozenset[str]:
    try:
        return frozenset(st.session_state.get(name, frozenset()))
    except Exception:  # noqa: BLE001 - no session outside a running app
        return frozenset()


def locked(key: str) -> bool:
    return key in _get(_LOCKED)


def hidden(key: str) -> bool:
    return key in _get(_HIDDEN)


def mark_hidden(box: Any, key: str) -> None:
    """Put the marker that hides the next element in ``box`` when ``key`` is hidden."""
    if hidden(key):
        box.html(HIDE_MARKER)


def disabled(box: Any, key: str, kw: dict[str, Any]) -> dict[str, Any]:
    """``kw`` (a widget's keywords) with ``disabled`` set when ``key`` is locked, after marking it hidden."""
    mark_hidden(box, key)
    if locked(key):
        return {**kw, "disabled": True}
    return kw
