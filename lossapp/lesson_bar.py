"""A lesson in a running page (:mod:`lossapp.lessons` holds the data): the bar at the top with the step, its
prompt and previous / next, the step's locks, and moving between steps.

``setup_page`` calls :func:`lesson_bar` on every page. Without ``?lesson=`` it does nothing. With one, it shows
step ``?lstep=`` of it: when the address is not at that step's view (another page, another section), it goes
there first. Moving to a step forgets every control's state, so the step's values (or the defaults) apply as if
its link had just been opened. A lesson that cannot be read shows why, and the page works without it.
"""

from __future__ import annotations

import streamlit as st

from lossapp import lessons, locks, pager, urlstate
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


def go_to_step(lesson: lessons.Lesson, k: int, lesson_param: str) -> None:
    """Show step ``k`` of ``lesson``: on this page by a rerun, else by switching page (both end the run)."""
    target = _target(lesson, k, lesson_param)
    _prepare(target)
    pager.go(target)


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
        go_to_step(lesson, k, raw)
    locks.set_locks(s.lock, s.hide)
    st.session_state[LESSON_VALUES] = (s.id, {p: v for p, v in step_address(lesson, k, raw).items()
                                              if p not in lessons.RESERVED})
    with st.container(border=True, key="lesson_bar"):
        st.markdown(f"**{urlstate.md_escape(lesson.title)}** · step {k} of {len(lesson)}: "
                    f"{urlstate.md_escape(step(s.id).title)}")
        st.progress(k / len(lesson))
        if s.prompt:
            st.info(urlstate.md_escape(s.prompt), icon=":material/lightbulb:")
        prev_t = _target(lesson, k - 1, raw) if k > 1 else None
        next_t = _target(lesson, k + 1, raw) if k < len(lesson) else None
        # a press of Previous / Next (a click or the clicker's keys): the pager opens its target; the controls
        # forget their states first, so the target step's values apply as when its link is opened
        pressed = prev_t if st.session_state.get("lesson_prev") else next_t if st.session_state.get(
            "lesson_next") else None
        if pressed is not None:
            _prepare(pressed)
        pager.pager(prev_t, next_t, f"{k} / {len(lesson)}", key="lesson")
        leave = st.button("Leave the lesson", key="lesson_leave", type="tertiary", icon=":material/close:",
                          help="Show the whole page, without the lesson's locks.")
    if leave:
        for p in ("lesson", "lstep", "section"):
            if p in st.query_params:
                del st.query_params[p]
        locks.set_locks()
        st.session_state[LESSON_VALUES] = None
        st.rerun()


def _target(lesson: lessons.Lesson, k: int, raw: str) -> pager.Target:
    query = step_address(lesson, k, raw)
    query.update({p: st.query_params[p] for p in _CARRIED if p in st.query_params})
    return pager.Target(step(lesson.steps[k - 1].id).page, query, f"Step {k}: {step(lesson.steps[k - 1].id).title}")


def _prepare(target: pager.Target) -> None:
    """Before the pager opens ``target``: every control forgets its state and is unbound from the address,
    and the address the widgets are seeded from is the target's."""
    from lossapp.predict_panel import forget_predictions

    urlstate.forget({k for k in urlstate.REGISTRY if k in st.session_state})
    forget_predictions()
    urlstate.seed_from(dict(target.params))
