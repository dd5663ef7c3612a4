"""The small row at the top of each section: "Reset to the tutorial's values" and, where the section has one,
the "predict first" switch (:mod:`lossapp.predict_panel`).

:func:`lossapp.page.shown` draws it when a section is first shown in a run. Reset forgets every address value
the section's controls read (found as the page runs, :func:`lossapp.urlstate.section_keys`), so they show the
tutorial's numbers again; inside a lesson it goes back to the lesson step's values instead.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lossapp import urlstate
from lossapp.predict import PREDICT_STEPS

__all__ = ["LESSON_VALUES", "reset_section", "tools"]

#: Set by the lesson bar: (the step's section id, the address values it sets), or None outside a lesson.
LESSON_VALUES = "_lossapp_lesson_values"


def lesson_values(step_id: str) -> dict[str, str] | None:
    """The values the lesson step shown sets on section ``step_id``, or None outside a lesson step on it."""
    current = st.session_state.get(LESSON_VALUES)
    return dict(current[1]) if current and current[0] == step_id else None


def reset_section(step_id: str) -> None:
    """Forget the address values and widget states of section ``step_id`` (a widget callback: the rerun that
    follows draws its controls at their defaults, or at the lesson step's values)."""
    from lossapp.predict_panel import forget_predictions

    lesson = lesson_values(step_id)
    urlstate.forget(urlstate.section_keys(step_id) | set(lesson or {}))
    forget_predictions([step_id])
    if lesson:
        urlstate.set_address(lesson)
        urlstate.seed_from_address()


def _drawn_this_run(key: str) -> bool:
    """Whether a widget keyed ``key`` is already drawn in this run (a fragment's rerun counts as its own run)."""
    ctx = get_script_run_ctx()
    return ctx is not None and key in ctx.shared.widget_user_keys_this_run


def tools(step_id: str) -> None:
    """Draw section ``step_id``'s reset button (and predict switch), once per run: a page may ask for a section
    before the section's own code does (:func:`lossapp.page.shown`)."""
    if _drawn_this_run(f"{step_id}_reset"):
        return
    in_lesson = lesson_values(step_id) is not None
    row = st.container(horizontal=True, vertical_alignment="center", gap="medium", key=f"{step_id}_tools")
    with row:
        if step_id in PREDICT_STEPS:
            from lossapp.predict_panel import predict_toggle

            predict_toggle(step_id, row)
        row.button("Back to this step's values" if in_lesson else "Reset to the tutorial's values",
                   key=f"{step_id}_reset", on_click=reset_section, args=(step_id,), type="tertiary",
                   icon=":material/restart_alt:",
                   help="Put every control of this section back where the lesson step set it." if in_lesson
                   else "Put every control of this section back to the tutorial's numbers.")
