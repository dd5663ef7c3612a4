"""A lesson in a running page (:mod:`lossapp.lessons` holds the data): the bar at the top with the step, its
prompt and previous / next, the step's locks, and moving between steps.

``setup_page`` calls :func:`lesson_bar` on every page. Without ``?lesson=`` it does nothing. With one, it shows
step ``?lstep=`` of it: when the address is not at that step's view (another page, another section), it goes
there first. Moving to a step forgets every control's state, so the step's values (or the defaults) apply as if
its link had just been opened. A lesson that cannot be read shows why, and the page works without it.
"""

from __future__ import annotations

import streamlit as st

from lossapp import lessons, locks, urlstate
from lossapp.registry import PAGES
from lossapp.section_tools import LESSON_VALUES
from lossapp.steps import step

__all__ = ["go_to_step", "lesson_bar", "step_address"]

#: Address parameters kept when moving between steps (the projector layout).
_CARRIED = ("present",)


def step_address(lesson: lessons.Lesson, k: int, lesson_param: str) -> dict[str, str]:
    """The address of step ``k``: the lesson's own parameters, the section, its values, and "predict first"."""
    from lossapp.predict_panel import toggle_key

    s = lesson.steps[k - 1]
    query = lessons.step_query(lesson, k, lesson_param)
    if s.predict:
        query[toggle_key(s.id)] = "true"
    return query


def go_to_step(lesson: lessons.Lesson, k: int, lesson_param: str, page_path: str | None) -> None:
    """Show step ``k`` of ``lesson``: on this page by a rerun, else by switching page (both end the run)."""
    from lossapp.predict_panel import forget_predictions

    query = step_address(lesson, k, lesson_param)
    query.update({p: st.query_params[p] for p in _CARRIED if p in st.query_params})
    urlstate.forget({k for k in urlstate.REGISTRY if k in st.session_state})
    forget_predictions()
    target = step(lesson.steps[k - 1].id).page
    if target == page_path:
        urlstate.set_address(query, replace=True)
        urlstate.seed_from_address()
        st.rerun()
    page = next(p for p in PAGES if p.url_path == target)
    st.switch_page(page.script, query_params=query)


def lesson_bar(page_path: str | None, picked: str | None) -> None:
    """The lesson the address asks for, at the top of the page (see the module)."""
    locks.set_locks()
    st.session_state[LESSON_VALUES] = None
    raw = st.query_params.get("lesson")
    if raw is None:
        return
    try:
        lesson = lessons.resolve(raw)
    except lessons.LessonError as exc:
        st.error(f"{exc} The page is shown without the lesson.", icon=":material/school:")
        return
    k = lessons.position(st.query_params.get("lstep"), lesson)
    s = lesson.steps[k - 1]
    if page_path != step(s.id).page or picked != s.id:
        go_to_step(lesson, k, raw, page_path)
    locks.set_locks(s.lock, s.hide)
    st.session_state[LESSON_VALUES] = (s.id, {p: v for p, v in step_address(lesson, k, raw).items()
                                              if p not in lessons.RESERVED})
    with st.container(border=True, key="lesson_bar"):
        st.markdown(f"**{urlstate.md_escape(lesson.title)}** · step {k} of {len(lesson)}: "
                    f"{urlstate.md_escape(step(s.id).title)}")
        st.progress(k / len(lesson))
        if s.prompt:
            st.info(urlstate.md_escape(s.prompt), icon=":material/lightbulb:")
        row = st.container(horizontal=True, gap="small")
        back = row.button("Previous", key="lesson_prev", disabled=k == 1, icon=":material/arrow_back:",
                          help="The lesson's previous step.")
        forward = row.button("Next", key="lesson_next", disabled=k == len(lesson), type="primary",
                             icon=":material/arrow_forward:", help="The lesson's next step.")
        leave = row.button("Leave the lesson", key="lesson_leave", type="tertiary", icon=":material/close:",
                           help="Show the whole page, without the lesson's locks.")
    if back or forward:
        go_to_step(lesson, k - 1 if back else k + 1, raw, page_path)
    if leave:
        for p in ("lesson", "lstep", "section"):
            if p in st.query_params:
                del st.query_params[p]
        locks.set_locks()
        st.session_state[LESSON_VALUES] = None
        st.rerun()
