"""The page side of predict-then-reveal (:mod:`lossapp.predict`): the "predict first" switch of a section, the
form that takes the guesses while the chart and its numbers are hidden, and the verdicts once revealed.

The switch is bound to the address (``<section>_predict``), so a lesson step or a link can turn it on; the
guesses stay in the session.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import streamlit as st

from lossapp.bound_widgets import bound_toggle
from lossapp.formatting import nums
from lossapp.predict import (
    PredictState,
    Question,
    again,
    choice_question,
    commit,
    judge,
    minimisers,
    number_question,
    phase,
    stale,
)

__all__ = ["ctc_questions", "curve_questions", "gate", "kl_example_questions", "kl_questions", "predict_on",
           "predict_toggle", "toggle_key", "worst_loss_question"]

_STATE = "_lossapp_predict_"
#: The questions as they were asked when the guesses were committed (the verdicts are about them).
_ASKED = "_lossapp_asked_"


def toggle_key(step_id: str) -> str:
    """The address parameter of section ``step_id``'s "predict first" switch.

    Words after the first are cut to three letters, so the address stays short:

    >>> toggle_key("l2"), toggle_key("kl-directions")
    ('l2_predict', 'kl_dir_predict')
    """
    first, *rest = step_id.split("-")
    return "_".join([first, *(w[:3] for w in rest)]) + "_predict"


def predict_toggle(step_id: str, box: Any = st) -> bool:
    return bool(bound_toggle(box, "Predict first", False, key=toggle_key(step_id),
                             help="Hide the chart and its numbers until you have committed a guess."))


def predict_on(step_id: str) -> bool:
    return bool(st.session_state.get(toggle_key(step_id), False))


def forget_predictions(step_ids: Sequence[str] | None = None) -> None:
    """Drop the committed guesses of ``step_ids`` (every section when None)."""
    for prefix in (_STATE, _ASKED):
        for k in [k for k in st.session_state if str(k).startswith(prefix)]:
            if step_ids is None or str(k)[len(prefix):] in step_ids:
                del st.session_state[k]


def _again(step_id: str) -> None:
    st.session_state[_STATE + step_id] = again(st.session_state.get(_STATE + step_id, PredictState()))
    for k in [k for k in st.session_state if str(k).startswith(f"{step_id}_guess_")]:
        del st.session_state[k]  # an empty form: the last guesses are not offered again


def _show_verdicts(step_id: str, state: PredictState, fingerprint: Any) -> None:
    """The verdicts on the committed guesses, each under its question as it was asked."""
    asked: Sequence[Question] = st.session_state.get(_ASKED + step_id, ())
    for q, verdict in zip(asked, state.verdicts, strict=False):
        text = f"**{q.text}** {verdict.text}" + (f" {q.note}" if q.note else "")
        (st.success if verdict.right else st.info)(text, icon=":material/check:" if verdict.right
                                                   else ":material/straighten:")
    if stale(state, fingerprint):
        st.caption("These answers are for the values you guessed at; the controls have moved since. "
                   "Predict again to guess for these.")
    st.button("Predict again", key=f"{step_id}_predict_again", on_click=_again, args=(step_id,),
              icon=":material/replay:", help="Hide the answers and guess again.")


def gate(step_id: str, fingerprint: Any, questions: Sequence[Question]) -> bool:
    """Whether section ``step_id`` may show its chart and numbers now. With "predict first" on and no guess
    committed, it draws the questions (about the values ``fingerprint`` describes) as a form instead and returns
    False; once the guesses are in, it shows how far each was and returns True (moving a control afterwards
    keeps the chart: see :mod:`lossapp.predict`)."""
    if not predict_on(step_id) or not questions:
        return True
    state: PredictState = st.session_state.get(_STATE + step_id, PredictState())
    if phase(state) == "revealed":
        _show_verdicts(step_id, state, fingerprint)
        return True
    with st.form(f"{step_id}_predict_form", border=True):
        st.markdown("**Predict first.** The chart and its numbers are hidden until you commit a guess.")
        guesses: dict[str, Any] = {}
        for q in questions:
            key = f"{step_id}_guess_{q.id}"
            if q.is_choice:
                guesses[q.id] = st.radio(q.text, q.options, index=None, key=key)
            else:
                guesses[q.id] = st.number_input(q.text, value=None, step=0.1, format="%g", key=key,
                                                min_value=-1e6, max_value=1e6)
        submitted = st.form_submit_button("Reveal", type="primary", icon=":material/visibility:")
    if not submitted:
        return False
    missing = [q.text for q in questions if guesses[q.id] is None
               or (not q.is_choice and not math.isfinite(float(guesses[q.id])))]
    if missing:
        st.warning("Give a guess for every question first: " + "; ".join(missing))
        return False
    state = commit(state, fingerprint, guesses, tuple(judge(q, guesses[q.id]) for q in questions))
    st.session_state[_STATE + step_id] = state
    st.session_state[_ASKED + step_id] = tuple(questions)
    _show_verdicts(step_id, state, fingerprint)
    return True


def curve_questions(x: np.ndarray, loss: np.ndarray, marker: float, grad: float) -> list[Question]:
    """A loss curve's questions: where its minimum is (over the chart's x-axis) and its gradient at the marker."""
    lo, hi, edge = minimisers(x, loss)
    dx = float(np.max(np.diff(x))) if len(x) > 1 else 0.0
    note = ""
    if edge and lo == hi:
        note = "The curve is lowest at the edge of the chart: it keeps falling beyond it."
    elif hi > lo:
        note = "The loss is flat at its minimum: every prediction in that range is best."
    return [
        number_question("min", f"Where is the loss smallest? (a prediction between {x[0]:g} and {x[-1]:g})",
                        lo, hi, note, tol=max(dx, 0.02 * float(x[-1] - x[0]))),
        number_question("grad", f"What is the gradient dL/dpred at the marker, prediction {marker:g}?",
                        grad, grad, "Its sign says which way training moves the prediction (against it).",
                        tol=max(0.01, 0.05 * abs(grad))),
    ]


def worst_loss_question(marker: float, label: float, rows: Sequence[dict]) -> list[Question]:
    """Compare's question: which of the chosen losses is largest at the marker (how hard that point is hit)."""
    if len(rows) < 2:
        return []
    ranked = sorted(rows, key=lambda r: -r["loss value"])
    names = [r["loss"] for r in rows]
    return [choice_question(
        "worst", f"At prediction {marker:g} (label {label:g}), which loss is largest?", names,
        ranked[0]["loss"], "From largest to smallest: " + ", ".join(
            f"{r['loss']} {r['loss value']:.4g}" for r in ranked) + ".")]


def kl_questions(q: Sequence[float], p: Sequence[float], kl_qp: float, kl_pq: float) -> list[Question]:
    """KL in both directions between the bars' distributions (none when either is infinite: nothing to guess)."""
    if not (math.isfinite(kl_qp) and math.isfinite(kl_pq)):
        return []
    given = f"q = {nums(q)}, p = {nums(p)}"
    return [
        number_question("qp", f"KL(q ‖ p), what KLDivLoss returns, for {given}?", kl_qp, kl_qp,
                        tol=max(0.01, 0.1 * abs(kl_qp))),
        number_question("pq", "And the reverse, KL(p ‖ q)?", kl_pq, kl_pq,
                        "The two differ: KL is not symmetric.", tol=max(0.01, 0.1 * abs(kl_pq))),
    ]


#: The two directions of KL, as the KL example's question names them.
KL_DIRECTIONS = ("KL(q ‖ p), what KLDivLoss returns", "KL(p ‖ q), the reverse")


def kl_example_questions(value: float, forward: float, reverse: float) -> list[Question]:
    """The tutorial's KL example: what KLDivLoss returns for example 0 (``value``, weights included), and which
    of the two directions (``forward`` KL(q ‖ p) and ``reverse`` KL(p ‖ q), before weights) is the larger."""
    if not math.isfinite(value):
        return []
    questions = [number_question(
        "value", "What does KLDivLoss return for example 0 (MXNet 1.9.1: the sum over the classes)?", value, value,
        "The tutorial's \"0.02\" is the same terms averaged over the classes, as older MXNet did.",
        tol=max(0.01, 0.1 * abs(value)))]
    if math.isfinite(forward) and math.isfinite(reverse) and forward != reverse:
        questions.append(choice_question(
            "larger", "Which direction is larger?", KL_DIRECTIONS, KL_DIRECTIONS[0 if forward > reverse else 1],
            f"KL(q ‖ p) = {forward:.4g}, KL(p ‖ q) = {reverse:.4g}: swapping the distributions changes the number."))
    return questions


def ctc_questions(collapsed: str, target: str, path_p: float, label_p: float | None) -> list[Question]:
    """CTC on one word: what the best path (the likeliest class at each step) spells once repeats merge and blanks
    go, and, when the label is feasible (``label_p``, the probability of all its paths), which CTC counts more:
    that one path or the label."""
    spelled = collapsed or "(nothing)"
    options = sorted({spelled, target or "(nothing)", "(nothing)", *((target[:-1],) if len(target) > 1 else ())})
    questions = [choice_question(
        "spells", "Take the likeliest class at each step, merge repeats, drop blanks: what does that path spell?",
        options, spelled, "Best-path (greedy) decoding: one path, which need not spell the likeliest labelling.")]
    if label_p is not None and math.isfinite(label_p) and label_p != path_p:
        choices = ("that single best path", f"the label {target}, all its paths together")
        questions.append(choice_question(
            "prefer", "Which has the higher probability?", choices, choices[1 if label_p > path_p else 0],
            f"The best path has p = {path_p:.4g}, the label {label_p:.4g}. CTCLoss is −log of the label's "
            "probability, summed over every path that spells it, not the best path's."))
    return questions
