"""The small row at the top of each section: "Reset to the tutorial's values" and, where the section has one,
the "predict first" switch (:mod:`lossapp.predict_panel`).

:func:`lossapp.page.shown` draws it when a section is first shown in a run. Reset forgets every address value
the section's controls read (found as the page runs, :func:`lossapp.urlstate.section_keys`), so they show the
tutorial's numbers again; inside a lesson it goes back to the lesson step's values instead.
"""

from __future__ import annotations

import streamlit as st

from lossapp import urlstate
from lossapp.predict import PREDICT_STEPS

__all__ = ["LESSON_VALUES", "reset_section", "start_run", "tools"]

_DRAWN = "_lossapp_tools_drawn"
#: Set by the lesson bar: (the step's section id, the address values it sets), or None outside a lesson.
LESSON_VALUES = "_lossapp_lesson_values"


def start_run() -> None:
    """Called by ``setup_page``: no section's tools are drawn yet in this run."""
    st.session_state[_DRAWN] = set()


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


def tools(step_id: str) -> None:
    """Draw section ``step_id``'s reset button (and predict switch), once per run."""
    drawn = st.session_state.setdefault(_DRAWN, set())
    if step_id in drawn:
        return
    drawn.add(step_id)
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
