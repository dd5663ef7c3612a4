"""The lesson builder, in the sidebar of every page: a teacher adds the view on screen (a section and the address
values its controls have now) as a step, with a prompt, locked or hidden controls and "predict first", orders
the steps, and copies the lesson's link (:mod:`lossapp.lessons`). The lesson being built lives in the session
only; opening a lesson link and pressing "Edit this lesson" brings one back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from lossapp import lessons, urlstate
from lossapp.predict import PREDICT_STEPS
from lossapp.registry import PAGES
from lossapp.steps import step, steps_of

__all__ = ["builder"]

_STEPS = "_lossapp_builder_steps"


def _steps() -> list[dict[str, Any]]:
    return st.session_state.setdefault(_STEPS, [])


def _current_values(section: str) -> dict[str, str]:
    """The section's controls' values in the address now (a control at its default is not in the address)."""
    from lossapp.predict_panel import toggle_key

    keys = urlstate.section_keys(section) - {toggle_key(section)}
    out = {}
    for k in sorted(keys):
        values = st.query_params.get_all(k)
        if len(values) == 1 and len(values[0]) <= lessons.MAX_VALUE_CHARS:
            out[k] = values[0]
    return out


def _add(section: str) -> None:
    d: dict[str, Any] = {"id": section, "values": _current_values(section)}
    prompt = str(st.session_state.get("lb_prompt") or "").strip()[:lessons.MAX_PROMPT_CHARS]
    if prompt:
        d["prompt"] = prompt
    for field in ("lock", "hide"):
        chosen = list(st.session_state.get(f"lb_{field}") or [])
        if chosen:
            d[field] = chosen
    if st.session_state.get("lb_predict"):
        d["predict"] = True
    _steps().append(d)
    st.session_state["lb_prompt"] = ""


def _move(i: int, by: int) -> None:
    steps = _steps()
    j = i + by
    if 0 <= j < len(steps):
        steps[i], steps[j] = steps[j], steps[i]


def _remove(i: int) -> None:
    del _steps()[i]


def _load(raw: str) -> None:
    lesson = lessons.resolve(raw)
    st.session_state[_STEPS] = lessons.to_json(lesson)["steps"]
    st.session_state["lb_title"] = lesson.title


def _app_root(page_path: str | None) -> str:
    """The app's address without the page (empty when unknown: the link is then relative to the app)."""
    try:
        url = str(st.context.url or "")
    except Exception:  # noqa: BLE001 - no browser context (bare mode, some tests)
        return ""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if page_path and path.endswith("/" + page_path):
        path = path[: -len(page_path) - 1]
    return f"{parts.scheme}://{parts.netloc}{path}" if parts.scheme and parts.netloc else ""


@st.fragment
def builder(page_path: str | None, picked: str | None) -> None:
    """The builder's panel, drawn in the sidebar (closed until the teacher opens it, so pages keep no text boxes);
    a fragment: opening it, typing a prompt or adding a step reruns the panel, not the page."""
    box = st
    if not box.toggle("Lesson builder", key="lb_open", help="Build a lesson link from the views of this app."):
        return
    sections = steps_of(page_path) if page_path else []
    if sections:
        ids = [s.id for s in sections]
        section = box.selectbox("Section to add", ids, index=ids.index(picked) if picked in ids else 0,
                                format_func=lambda i: step(i).title, key="lb_section")
        keys = sorted(urlstate.section_keys(section))
        box.text_area("Prompt for the students", key="lb_prompt", max_chars=lessons.MAX_PROMPT_CHARS, height=80)
        box.multiselect("Lock these controls (shown, fixed)", keys, key="lb_lock")
        box.multiselect("Hide these controls", keys, key="lb_hide")
        if section in PREDICT_STEPS:
            box.toggle("Predict first", key="lb_predict")
        box.button("Add this view as a step", key="lb_add", on_click=_add, args=(section,), type="primary",
                   icon=":material/add:", help="The section with its controls' values as they are now.")
    else:
        box.caption("Open a page of the tutorial to add its sections.")
    raw = st.query_params.get("lesson")
    if raw:
        box.button("Edit this lesson", key="lb_edit", on_click=_load, args=(raw,),
                   help="Load the lesson of this link into the builder.")
    title = box.text_input("Lesson title", key="lb_title", max_chars=lessons.MAX_TITLE_CHARS) or "Lesson"
    steps = _steps()
    for i, d in enumerate(steps):
        box.markdown(f"{i + 1}. {urlstate.md_escape(step(d['id']).title)}"
                     + (f": {len(d.get('values', {}))} values set" if d.get("values") else ""))
        row = box.container(horizontal=True, gap="small")
        row.button("Up", key=f"lb_up_{i}", on_click=_move, args=(i, -1), disabled=i == 0, type="tertiary")
        row.button("Down", key=f"lb_down_{i}", on_click=_move, args=(i, 1), disabled=i == len(steps) - 1,
                   type="tertiary")
        row.button("Remove", key=f"lb_rm_{i}", on_click=_remove, args=(i,), type="tertiary")
    if not steps:
        box.caption("No steps yet.")
        return
    try:
        lesson = lessons.from_json({"title": title, "steps": steps})
        code = lessons.encode(lesson)
    except lessons.LessonError as exc:
        box.error(str(exc))
        return
    from lossapp.lesson_bar import step_address

    first = next(p for p in PAGES if p.url_path == step(lesson.steps[0].id).page)
    address = f"{_app_root(page_path)}/{first.url_path}?{urlencode(step_address(lesson, 1, code))}"
    box.markdown("The lesson's link, to copy:")
    box.code(address, language=None, wrap_lines=True)
