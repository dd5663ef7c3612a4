"""Predict, then reveal: the questions a section asks before it shows its chart, their answers, and how far a
guess was. Plain functions and data; the page side is :mod:`lossapp.predict_panel`.

A section with "predict first" on is *hidden* (no chart, no readouts) until the student commits a guess for
every question; then it is *revealed*, with the verdicts on the guesses for the values they were made for
(its ``fingerprint``), until the student asks to predict again. Moving a control after the reveal keeps the chart
(a chart that vanished at each slider step would be no use to explore); the verdicts then say they were for
other values. Guesses live in the session only.

>>> q = number_question("where", "Where is the loss smallest?", 0.0, 0.0)
>>> judge(q, 0.5).distance, judge(q, 0.5).text
(0.5, 'You said 0.5; the answer is 0 (0.5 off).')
>>> s = commit(PredictState(), ("L2", 1.0), {"where": 0.5}, (judge(q, 0.5),))
>>> phase(s), stale(s, ("L2", 1.0)), stale(s, ("L2", 2.0)), phase(again(s))
('revealed', False, True, 'hidden')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "PREDICT_STEPS",
    "PredictState",
    "Question",
    "Verdict",
    "again",
    "choice_question",
    "commit",
    "judge",
    "minimisers",
    "number_question",
    "phase",
    "stale",
]

#: The sections with a "predict first" switch (their STEPS ids).
PREDICT_STEPS = ("l1", "l2", "huber", "bce", "logistic", "hinge", "sqhinge", "poisson", "kl", "kl-directions",
                 "ctc", "compare")


@dataclass(frozen=True)
class Question:
    """One thing to predict: a number (right when within ``[low, high]``) or one of ``options``."""

    id: str
    text: str
    low: float = math.nan
    high: float = math.nan
    options: tuple[str, ...] = ()
    answer_option: str = ""
    #: A number guess this close to ``[low, high]`` counts as right (a grid step, a rounding).
    tol: float = 0.0
    #: Said with the answer (why it is what it is, or what the interval means).
    note: str = ""

    @property
    def is_choice(self) -> bool:
        return bool(self.options)


def number_question(qid: str, text: str, low: float, high: float, note: str = "", tol: float = 0.0) -> Question:
    """A question whose answer is any number in ``[low, high]`` (one number when ``low == high``); a guess within
    ``tol`` of it counts as right."""
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ValueError(f"low and high must be finite with low <= high; got {low}, {high}")
    if not (math.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0; got {tol}")
    return Question(qid, text, float(low), float(high), note=note, tol=float(tol))


def choice_question(qid: str, text: str, options: Sequence[str], answer: str, note: str = "") -> Question:
    if answer not in options:
        raise ValueError(f"answer must be one of the options {list(options)}; got {answer!r}")
    return Question(qid, text, options=tuple(options), answer_option=answer, note=note)


@dataclass(frozen=True)
class Verdict:
    """How far a guess was: ``distance`` 0 when right (for a choice: 0 right, 1 wrong), and a sentence."""

    right: bool
    distance: float
    text: str


def _g(v: float) -> str:
    return f"{v:.4g}" if v != 0 else "0"


def judge(q: Question, guess: Any) -> Verdict:
    """The verdict on ``guess`` for question ``q``."""
    if q.is_choice:
        right = guess == q.answer_option
        return Verdict(right, 0.0 if right else 1.0,
                       f"You said {guess}; the answer is {q.answer_option}." + ("" if right else " Not this time."))
    g = float(guess)
    if not math.isfinite(g):
        raise ValueError(f"guess must be a finite number; got {guess!r}")
    answer = _g(q.low) if q.low == q.high else f"anywhere from {_g(q.low)} to {_g(q.high)}"
    distance = q.low - g if g < q.low else g - q.high if g > q.high else 0.0
    if distance <= q.tol:
        off = "" if distance == 0 else f" ({_g(distance)} off, close enough)"
        return Verdict(True, float(distance), f"You said {_g(g)}; the answer is {answer}{off}. Right.")
    sign = ""
    if q.low == q.high and q.low != 0 and g != 0 and (g > 0) != (q.low > 0):
        sign = " The sign was wrong."
    return Verdict(False, float(distance), f"You said {_g(g)}; the answer is {answer} ({_g(distance)} off).{sign}")


def minimisers(x: np.ndarray, y: np.ndarray, rtol: float = 1e-9) -> tuple[float, float, bool]:
    """The smallest and largest x where ``y`` takes its minimum on the grid (a flat bottom such as the hinge's
    gives an interval), and whether the minimum is at an end of the grid (the curve may keep falling beyond)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(y)
    if not ok.any():
        raise ValueError("y must hold at least one finite value")
    lowest = float(np.min(y[ok]))
    at = np.flatnonzero(ok & (y <= lowest + rtol * max(1.0, abs(lowest))))
    lo, hi = float(x[at[0]]), float(x[at[-1]])
    return lo, hi, bool(at[0] == 0 or at[-1] == len(x) - 1)


@dataclass(frozen=True)
class PredictState:
    """What a section knows of its student's prediction: the guesses, the values they were made for, and the
    verdicts on them (worked out when they were committed)."""

    fingerprint: Any = None
    guesses: dict[str, Any] = field(default_factory=dict)
    verdicts: tuple[Verdict, ...] = ()


def phase(state: PredictState) -> str:
    """``"revealed"`` once guesses were committed, else ``"hidden"``."""
    return "revealed" if state.guesses else "hidden"


def stale(state: PredictState, fingerprint: Any) -> bool:
    """Whether the values have changed since the guesses were committed."""
    return bool(state.guesses) and state.fingerprint != fingerprint


def commit(state: PredictState, fingerprint: Any, guesses: dict[str, Any],
           verdicts: tuple[Verdict, ...] = ()) -> PredictState:
    """The state after the student commits ``guesses`` for the values ``fingerprint`` describes."""
    if not guesses:
        raise ValueError("guesses must hold at least one guess")
    return PredictState(fingerprint, dict(guesses), tuple(verdicts))


def again(state: PredictState) -> PredictState:
    """Hidden again, to predict anew."""
    return PredictState()
