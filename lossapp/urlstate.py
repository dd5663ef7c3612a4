"""Checking the query parameters of a link before they reach the widgets they are bound to.

Every control of the app is bound to the page address (``bind="query-params"``), so a link is a page's state.
Links get shared, truncated, edited and forged, so each value a widget would take from the address is checked
here first:

* a value of the right kind inside the widget's range is left to Streamlit, which seeds the widget with it;
* a number outside the range is clamped to the nearest end (and a number between the options of a radio moves
  to the nearest option), with a visible notice;
* anything else (text where a number goes, NaN, infinities such as ``1e309``, a parameter given twice, script
  tags, path fragments, a very long value) falls back to the widget's default, also with a notice;
* parameters no widget asks for are never read, so unknown keys are ignored.

The pure functions :func:`check_number`, :func:`check_choice`, :func:`check_bool`, :func:`check_text` (and the range
and subset checks) decide; :func:`guard` applies a decision in a running page (it seeds ``st.session_state`` before
the widget is created, which only happens the first time a widget appears in a session, i.e. when a link is opened)
and takes a value it rejected or corrected out of the address values Streamlit seeds the widget from, since
Streamlit's own parsing of some values ends the run (``inf`` for an integer number input). Every bound widget of
the app calls a ``guard_*`` function first; :data:`REGISTRY` lists their keys (a test compares it with the widgets
Streamlit binds). Notices name the parameter
and the values the app chose; the raw text of the address is never echoed, so nothing a visitor puts in a link
is rendered. :func:`md_escape` makes any other visitor text safe to show inside Markdown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_RAW_LENGTH",
    "MAX_TEXT_CHARS",
    "REGISTRY",
    "Decision",
    "add_notice",
    "check_bool",
    "check_choice",
    "check_number",
    "check_text",
    "guard",
    "guard_bool",
    "guard_choice",
    "guard_number",
    "guard_text",
    "md_escape",
    "notices",
    "quote_token",
    "render_notices",
    "start_page",
]

#: Longer values are never parsed (no number or option of the app needs more than a few characters).
MAX_RAW_LENGTH = 64

#: The most a text box of numbers takes (typed or from a link): the pages' vectors and matrices are a few numbers.
MAX_TEXT_CHARS = 10_000

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class Decision:
    """What to do with one query parameter: seed the widget with ``value`` (when ``seed``), and/or show ``notice``.

    ``seed=False`` leaves the widget to Streamlit: a valid value is taken from the address as it is, an invalid one
    is dropped and the widget shows its default.
    """

    seed: bool = False
    value: Any = None
    notice: str | None = None


KEEP = Decision()


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _single(raw: str | Sequence[str] | None, key: str, default: Any) -> tuple[str | None, Decision | None]:
    """The one raw text of a parameter, or the decision when there is nothing usable to parse."""
    if raw is None:
        return None, KEEP
    if not isinstance(raw, str):
        values = list(raw)
        if len(values) != 1:
            return None, Decision(notice=f"`{key}` appears {len(values)} times in the link; "
                                         f"using the default {_fmt(default)}.")
        raw = values[0]
    if raw.strip() == "":
        return None, KEEP  # ?key= : Streamlit shows the default (an empty value is how a link clears a control)
    if len(raw) > MAX_RAW_LENGTH:
        return None, Decision(notice=f"`{key}` in the link is {len(raw)} characters long, not a value this "
                                     f"control takes; using the default {_fmt(default)}.")
    return raw.strip(), None


def _parse_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def check_number(raw: str | Sequence[str] | None, key: str, *, low: float, high: float, default: float,
                 integer: bool = False) -> Decision:
    """Decide on a number meant for a slider or number input over ``[low, high]``.

    >>> check_number("3", "rho", low=0.1, high=10.0, default=1.0)
    Decision(seed=False, value=None, notice=None)
    >>> check_number("99", "rho", low=0.1, high=10.0, default=1.0)
    Decision(seed=True, value=10.0, notice='`rho` = 99 in the link is above the largest value 10; using 10.')
    >>> check_number("1e309", "rho", low=0.1, high=10.0, default=1.0).notice
    '`rho` in the link is not a finite number; using the default 1.'
    """
    text, decided = _single(raw, key, default)
    if decided is not None:
        return decided
    assert text is not None  # _single gives a text whenever it leaves the decision to its caller
    value = _parse_float(text)
    if value is None:
        return Decision(notice=f"`{key}` in the link is not a finite number; using the default {_fmt(default)}.")
    if integer:
        lo_i, hi_i = int(low), int(high)
        clamped = min(max(round(value), lo_i), hi_i)
        if value < low or value > high:
            side = "below the smallest" if value < low else "above the largest"
            return Decision(True, clamped, f"`{key}` = {value:g} in the link is {side} value "
                                           f"{lo_i if value < low else hi_i}; using {clamped}.")
        if value != int(value):
            return Decision(True, clamped, f"`{key}` = {value:g} in the link is not a whole number; "
                                           f"using {clamped}.")
        return KEEP
    if value < low:
        return Decision(True, float(low), f"`{key}` = {value:g} in the link is below the smallest value "
                                          f"{low:g}; using {low:g}.")
    if value > high:
        return Decision(True, float(high), f"`{key}` = {value:g} in the link is above the largest value "
                                           f"{high:g}; using {high:g}.")
    return KEEP


def _all(raw: str | Sequence[str]) -> list[str]:
    return [raw] if isinstance(raw, str) else list(raw)


def check_range(raw: str | Sequence[str] | None, key: str, *, low: float, high: float,
                default: tuple[float, float]) -> Decision:
    """Decide on a (start, end) pair for a range slider over ``[low, high]`` (the link repeats the key twice).

    >>> check_range(["-3", "3"], "r", low=-10, high=10, default=(-5.0, 5.0))
    Decision(seed=False, value=None, notice=None)
    >>> check_range(["-30", "3"], "r", low=-10, high=10, default=(-5.0, 5.0)).value
    (-10.0, 3.0)
    >>> check_range("x", "r", low=-10, high=10, default=(-5.0, 5.0)).notice
    '`r` in the link is not two finite numbers; using the default -5 to 5.'
    """
    if raw is None:
        return KEEP
    texts = _all(raw)
    numbers = [_parse_float(t) if len(t) <= MAX_RAW_LENGTH else None for t in texts]
    if len(numbers) != 2 or any(v is None for v in numbers):
        return Decision(notice=f"`{key}` in the link is not two finite numbers; "
                               f"using the default {default[0]:g} to {default[1]:g}.")
    start, end = sorted(v for v in numbers if v is not None)  # all of them, checked above
    clamped = (float(min(max(start, low), high)), float(min(max(end, low), high)))
    if clamped != (numbers[0], numbers[1]):
        return Decision(True, clamped, f"`{key}` = {numbers[0]:g} to {numbers[1]:g} in the link is reversed or "
                                       f"outside {low:g} to {high:g}; using {clamped[0]:g} to {clamped[1]:g}.")
    return KEEP


def check_subset(raw: str | Sequence[str] | None, key: str, *, options: Sequence[str]) -> Decision:
    """Decide on the entries of a multiselect: unknown entries are dropped with a notice (never echoed).

    >>> decision = check_subset(["L1Loss", "<b>"], "losses", options=["L1Loss", "L2Loss"])
    >>> decision.value, decision.notice
    (['L1Loss'], '1 entry of `losses` in the link is not one of the choices and was left out.')
    """
    if raw is None:
        return KEEP
    texts = _all(raw)
    known = [t for t in texts if t in options]
    dropped = len(texts) - len(known)
    if not dropped:
        return KEEP
    what = "entry" if dropped == 1 else "entries"
    verb = "is" if dropped == 1 else "are"
    return Decision(True, known, f"{dropped} {what} of `{key}` in the link {verb} not one of the choices and "
                                 f"{'was' if dropped == 1 else 'were'} left out.")


def check_choice(raw: str | Sequence[str] | None, key: str, *, options: Sequence[Any], labels: Sequence[str],
                 default: Any) -> Decision:
    """Decide on the value of a radio whose ``options`` show as ``labels`` (the form they take in the link).

    A label is kept as it is. For numeric options, another way of writing an option (``1.0`` for ``1``) selects it,
    and a number between or beyond them moves to the nearest option with a notice. Anything else is the default.

    >>> check_choice("0.4", "hinge_label", options=[-1.0, 1.0], labels=["-1", "1"], default=1.0).value
    1.0
    >>> check_choice("<b>", "format", options=["signed", "binary"], labels=["signed", "binary"],
    ...              default="signed").notice
    '`format` in the link is not one of signed, binary; using the default signed.'
    """
    text, decided = _single(raw, key, default)
    if decided is not None:
        return decided
    assert text is not None  # as in check_number
    if text in labels:
        return KEEP
    numeric = all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in options)
    value = _parse_float(text) if numeric else None
    if value is None:
        shown = ", ".join(labels)
        return Decision(notice=f"`{key}` in the link is not one of {shown}; using the default {_fmt(default)}.")
    nearest = min(options, key=lambda o: (abs(float(o) - value), -float(o)))
    if float(nearest) == value:
        return Decision(True, nearest, None)  # e.g. 1.0 for the option 1: the same value written differently
    return Decision(True, nearest, f"`{key}` = {value:g} in the link is not one of the choices "
                                   f"{', '.join(labels)}; using the nearest, {_fmt(nearest)}.")


def check_bool(raw: str | Sequence[str] | None, key: str, *, default: bool) -> Decision:
    """Decide on the value of a toggle: ``true``/``false``, also written ``1``/``0``, ``yes``/``no``, ``on``/``off``.

    >>> check_bool("yes", "bce_fromsig", default=False)
    Decision(seed=True, value=True, notice=None)
    >>> check_bool("maybe", "bce_fromsig", default=False).notice
    '`bce_fromsig` in the link is neither true nor false; using the default off.'
    """
    text, decided = _single(raw, key, default)
    if decided is not None:
        return decided
    assert text is not None  # as in check_number
    lower = text.lower()
    if lower in ("true", "false"):
        return KEEP
    if lower in _TRUE or lower in _FALSE:
        return Decision(True, lower in _TRUE, None)
    return Decision(notice=f"`{key}` in the link is neither true nor false; using the default {_fmt(default)}.")


def check_text(raw: str | Sequence[str] | None, key: str, *, max_chars: int) -> Decision:
    """Decide on the text of a text box that takes at most ``max_chars`` characters: longer text, or the parameter
    given more than once, leaves the box at its default (the page checks the text itself, as if it were typed).

    >>> check_text("1, 2", "cos_x", max_chars=10)
    Decision(seed=False, value=None, notice=None)
    >>> check_text("1" * 11, "cos_x", max_chars=10).notice
    '`cos_x` in the link is 11 characters long; this box takes at most 10, so it shows its default.'
    """
    if raw is None:
        return KEEP
    if not isinstance(raw, str):
        values = list(raw)
        if len(values) == 1:
            raw = values[0]
        else:
            return Decision(notice=f"`{key}` appears {len(values)} times in the link; the box shows its default.")
    if len(raw) > max_chars:
        return Decision(notice=f"`{key}` in the link is {len(raw):,} characters long; this box takes at most "
                               f"{max_chars:,}, so it shows its default.")
    return KEEP


# -- Markdown safety ---------------------------------------------------------------------------------------------

#: Every ASCII punctuation character except the harmless ' , + - (escaping . : / @ also stops bare addresses such as
#: www.example.com from becoming links).
_MD_SPECIAL = re.compile(r"""([!"#$%&()*./:;<=>?@\[\\\]^_`{|}~])""")


#: Where Markdown turns bare text into a link (http://..., www...., name@host): a zero-width space goes there.
_AUTOLINK = re.compile(r"(?i)(?<=:)|(?<=@)|(?<=www)(?=\.)")
ZWSP = "\u200b"


def md_escape(text: str) -> str:
    """``text`` with every character Markdown (or Streamlit's Markdown extensions) could act on backslash-escaped.

    Use it for any visitor text shown through ``st.markdown``, ``st.error``, ``st.warning`` and the like: a link,
    an image, HTML, a colour directive or a formula in the text then shows as the characters that were typed.
    Backslashes alone do not stop a bare address from becoming a link, so a zero-width space also goes after every
    ``:`` and ``@`` and between ``www`` and its dot; the text reads the same.

    >>> print(md_escape("[x](http://evil.example) <b>").replace(ZWSP, "|"))
    \\[x\\]\\(http\\:|\\/\\/evil\\.example\\) \\<b\\>
    """
    return _MD_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(ZWSP, str(text)))


def quote_token(text: str, limit: int = 24) -> str:
    """A piece of visitor text for an error message: quoted, cut to ``limit`` characters, Markdown-escaped.

    >>> quote_token("two"), quote_token("x" * 30)
    ("'two'", "'xxxxxxxxxxxxxxxxxxxxxxxx…'")
    """
    text = str(text)
    short = text if len(text) <= limit else text[:limit] + "…"
    short = "".join(c if c.isprintable() else "?" for c in short)
    return "'" + md_escape(short) + "'"


# -- in a running page ---------------------------------------------------------------------------------------------

_NOTICES = "_lossapp_url_notices"
_BOX = "_lossapp_url_notice_box"


def start_page() -> None:
    """Called by ``setup_page`` at the top of every full script run: a fresh notice list and its placeholder."""
    import streamlit as st

    st.session_state[_NOTICES] = []
    st.session_state[_BOX] = st.empty()


def notices() -> list[str]:
    """The notices collected in this run of the page (empty outside a page)."""
    import streamlit as st

    try:
        return list(st.session_state.get(_NOTICES, []))
    except Exception:  # noqa: BLE001 - no session outside a running app
        return []


def render_notices() -> None:
    """Show every notice of this run in one box at the top of the page."""
    import streamlit as st

    items = notices()
    if not items:
        return
    text = "Some values in this page's link could not be used as they were:\n\n" + "\n".join(
        f"- {n}" for n in items)
    box = st.session_state.get(_BOX)
    try:
        if box is None:
            raise LookupError("no placeholder")
        box.warning(text, icon=":material/link_off:")
    except Exception:  # noqa: BLE001 - e.g. a fragment rerun may not write outside the fragment
        st.warning(items[-1], icon=":material/link_off:")


def _raw(key: str) -> str | list[str] | None:
    """The address's value for ``key`` if the widget is about to be created for the first time in this session."""
    import streamlit as st

    if key in st.session_state:
        return None  # the widget already exists: its own state wins over the address, as in Streamlit
    values = st.query_params.get_all(key)
    if not values:
        return None
    return values[0] if len(values) == 1 else values


#: Every address parameter a widget of the app is bound to, with the kind of check it gets (filled as the
#: pages create their widgets). Tests compare it with Streamlit's own list of bound widgets.
REGISTRY: dict[str, str] = {}


def _drop_link_value(key: str) -> None:
    """Take ``key`` out of the address values Streamlit seeds widgets from, and out of the address.

    Streamlit parses a bound widget's link value itself when it creates the widget, and some values end the run
    there (``int(float("inf"))`` in an integer ``st.number_input`` raises OverflowError). A value this module
    rejected or corrected must never reach it: without the link value, the widget takes its default or the value
    :func:`guard` put in ``st.session_state``, and Streamlit writes that back into the address.
    """
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as qp:
        initial = getattr(qp, "_initial_query_params", None)
        if not isinstance(initial, dict):  # the one private field used: fail loudly if Streamlit renames it
            raise RuntimeError("streamlit's QueryParams has no _initial_query_params; update lossapp.urlstate")
        initial.pop(key, None)
        qp.remove_param(key)


def guard(key: str, decide, kind: str = "other") -> None:
    """Apply ``decide(raw)`` (a :class:`Decision`) to the query parameter ``key`` before its widget is created;
    ``kind`` names the check in :data:`REGISTRY`."""
    import streamlit as st

    REGISTRY[key] = kind
    note_key(key)
    raw = _raw(key)
    if raw is None:
        return
    decision = decide(raw)
    if decision.seed or decision.notice:
        _drop_link_value(key)
    if decision.seed:
        st.session_state[key] = decision.value
    if decision.notice:
        add_notice(decision.notice)


def add_notice(notice: str) -> None:
    """Add a notice about the page address to this run's box at the top of the page."""
    import streamlit as st

    st.session_state.setdefault(_NOTICES, []).append(notice)
    render_notices()


def guard_number(key: str, *, low: float, high: float, default: float, integer: bool = False) -> None:
    """Check the address's value for the slider or number input ``key`` over ``[low, high]`` (call it just before
    creating the widget; it does nothing once the widget exists in the session)."""
    guard(key, lambda raw: check_number(raw, key, low=low, high=high, default=default, integer=integer),
          "integer" if integer else "number")


def guard_choice(key: str, *, options: Sequence[Any], default: Any, labels: Sequence[str] | None = None) -> None:
    """Check the address's value for the radio ``key``; ``labels`` are the options as the radio shows them
    (``str(option)`` by default, i.e. what its ``format_func`` returns)."""
    shown = [str(o) for o in options] if labels is None else list(labels)
    guard(key, lambda raw: check_choice(raw, key, options=options, labels=shown, default=default), "choice")


def guard_range(key: str, *, low: float, high: float, default: tuple[float, float]) -> None:
    """Check the address's values for the range slider ``key``."""
    guard(key, lambda raw: check_range(raw, key, low=low, high=high, default=default), "range")


def guard_subset(key: str, *, options: Sequence[str]) -> None:
    """Check the address's values for the multiselect ``key``."""
    guard(key, lambda raw: check_subset(raw, key, options=options), "subset")


def guard_bool(key: str, *, default: bool) -> None:
    """Check the address's value for the toggle or checkbox ``key``."""
    guard(key, lambda raw: check_bool(raw, key, default=default), "bool")


def guard_text(key: str, *, max_chars: int = MAX_TEXT_CHARS) -> None:
    """Check the address's text for the text box ``key`` (a text input or area taking at most ``max_chars``)."""
    guard(key, lambda raw: check_text(raw, key, max_chars=max_chars), "text")


# -- which section a parameter belongs to (reset, lessons) ------------------------------------------------------

_CURRENT = "_lossapp_current_section"
_SECTION_KEYS = "_lossapp_section_keys"


def enter_section(step_id: str | None) -> None:
    """The parameters read from now on belong to section ``step_id`` (a :data:`lossapp.steps.STEPS` id)."""
    import streamlit as st

    st.session_state[_CURRENT] = step_id


def note_key(key: str) -> None:
    """Remember that the section being drawn reads address parameter ``key`` (found as the page runs, so a
    control added to a section is known without a list to keep up to date)."""
    import streamlit as st

    try:
        current = st.session_state.get(_CURRENT)
        if current:
            st.session_state.setdefault(_SECTION_KEYS, {}).setdefault(current, set()).add(key)
    except Exception:  # noqa: BLE001 - no session outside a running app
        return


def section_keys(step_id: str) -> set[str]:
    """The address parameters section ``step_id`` has read in this session."""
    import streamlit as st

    return set(st.session_state.get(_SECTION_KEYS, {}).get(step_id, set()))


def forget(keys: set[str] | list[str]) -> None:
    """Take ``keys`` out of the address and of the session, so their widgets start again from the address (or
    their defaults) the next time they are drawn; call it before they are drawn in a run, or from a callback.
    (A parameter bound to a widget is unbound first: Streamlit refuses to change it otherwise, and binds it
    again when the widget is drawn.)"""
    import streamlit as st
    from streamlit.runtime.state.session_state_proxy import get_session_state

    for key in keys:
        if key in st.session_state:
            del st.session_state[key]
    with get_session_state().query_params() as qp:
        initial = getattr(qp, "_initial_query_params", None)
        for key in keys:
            binding = qp.get_binding_for_param(key)
            if binding is not None:
                qp.unbind_widget(binding.widget_id)
            qp.remove_param(key)
            if isinstance(initial, dict):
                initial.pop(key, None)


def set_address(values: dict[str, str], *, replace: bool = False) -> None:
    """Write ``values`` into the address (all of it when ``replace``), widgets' parameters included (they are
    unbound first; call :func:`forget` on them too, so their widgets take the new values)."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as qp:
        for key in values:
            binding = qp.get_binding_for_param(key)
            if binding is not None:
                qp.unbind_widget(binding.widget_id)
        if replace:
            qp.from_dict(values)
        else:
            qp.update(values)


def seed_from_address() -> None:
    """Let the widgets created from now on take their values from the address as it is now (as after opening a
    link), not as it was when the page was opened."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as qp:
        qp.set_initial_query_params_from_current()


def seed_from(values: dict[str, str]) -> None:
    """Let the widgets created next take their values from ``values`` (the address about to be opened)."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as qp:
        qp._initial_query_params = {k: [v] for k, v in values.items()}
