"""Lessons: a title and an ordered list of views of the tutorial, each a section with values set, a prompt, and
controls locked or hidden. Plain data and checks; nothing here imports Streamlit (the page side is
:mod:`lossapp.lesson_bar`).

A lesson travels in the address: ``?lesson=<name>`` for a built-in one (a JSON file in
``lossapp/builtin_lessons/``) or ``?lesson=<code>``, the lesson's compact JSON in base64url, and ``?lstep=<k>``
(1-based) for the step shown. Links are forged and truncated like any other, so :func:`decode` checks the size
first, then the shape of every field, and raises :class:`LessonError` with a sentence for the visitor.

>>> lesson = Lesson("Huber", (LessonStep("huber", {"huber_rho": "2"}, "Where does the gradient stop growing?",
...                                      lock=("huber_rho",)),))
>>> decode(encode(lesson)) == lesson
True
>>> step_query(lesson, 1, "huber")["huber_rho"], step_query(lesson, 1, "huber")["section"]
('2', 'huber')
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lossapp.steps import STEPS, Step, step

__all__ = [
    "BUILTIN_DIR",
    "MAX_CODE_CHARS",
    "MAX_PROMPT_CHARS",
    "MAX_STEPS",
    "Lesson",
    "LessonError",
    "LessonStep",
    "builtin",
    "builtin_names",
    "decode",
    "encode",
    "from_json",
    "position",
    "resolve",
    "step_query",
    "to_json",
]

#: The built-in lessons, one JSON file each; the file's name (without ``.json``) is the lesson's name.
BUILTIN_DIR = Path(__file__).parent / "builtin_lessons"

#: A lesson's code in the address is at most this long (browsers and proxies cut addresses near 8 kB).
MAX_CODE_CHARS = 6000
MAX_STEPS = 40
MAX_TITLE_CHARS = 120
MAX_PROMPT_CHARS = 600
#: Address values a step may set per step, and how long each may be (the widgets check them as in any link).
MAX_VALUES = 24
MAX_VALUE_CHARS = 64
#: Parameters a step never sets: the lesson's own, and those that decide which part of the app is drawn.
RESERVED = frozenset({"lesson", "lstep", "section", "step", "present", "embed", "embed_options"})
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class LessonError(ValueError):
    """A lesson that cannot be used; the message is a sentence for the visitor (it never quotes the input)."""


@dataclass(frozen=True)
class LessonStep:
    """One view of a lesson: the section :data:`lossapp.steps.STEPS` ``id`` with address ``values`` set."""

    id: str
    #: Address parameter -> its value as a link writes it (``{"huber_rho": "2"}``); checked by the widgets.
    values: dict[str, str] = field(default_factory=dict)
    prompt: str = ""
    #: Controls shown but disabled, and controls not shown (their values still apply).
    lock: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()
    #: Whether the section starts with "predict first" on (where it has one).
    predict: bool = False

    @property
    def section(self) -> Step:
        return step(self.id)

    def __hash__(self) -> int:
        return hash((self.id, tuple(sorted(self.values.items())), self.prompt, self.lock, self.hide, self.predict))


@dataclass(frozen=True)
class Lesson:
    title: str
    steps: tuple[LessonStep, ...]

    def __len__(self) -> int:
        return len(self.steps)


def _fail(message: str) -> LessonError:
    return LessonError(message)


def _text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise _fail(f"The lesson's {what} is not text.")
    if len(value) > limit:
        raise _fail(f"The lesson's {what} is longer than {limit} characters.")
    return value


def _keys(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_VALUES:
        raise _fail(f"The lesson's {what} is not a list of at most {MAX_VALUES} control names.")
    if not all(isinstance(k, str) and _KEY.fullmatch(k) for k in value):
        raise _fail(f"The lesson's {what} holds something that is not a control name.")
    return tuple(dict.fromkeys(value))


def _values(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_VALUES:
        raise _fail(f"The values of {where} are not a set of at most {MAX_VALUES} control values.")
    out = {}
    for k, v in value.items():
        if not isinstance(k, str) or not _KEY.fullmatch(k) or k in RESERVED:
            raise _fail(f"The values of {where} name something that is not a control.")
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, (int, float)):
            v = f"{v:g}"
        if not isinstance(v, str) or len(v) > MAX_VALUE_CHARS:
            raise _fail(f"A value of {where} is not a short text or number.")
        out[k] = v
    return out


def _step(raw: Any, k: int) -> LessonStep:
    where = f"step {k}"
    if not isinstance(raw, dict):
        raise _fail(f"Step {k} of the lesson is not a step.")
    unknown = set(raw) - {"id", "values", "prompt", "lock", "hide", "predict"}
    if unknown:
        raise _fail(f"Step {k} of the lesson has fields no lesson step has.")
    sid = raw.get("id")
    if not isinstance(sid, str) or sid not in {s.id for s in STEPS}:
        raise _fail(f"Step {k} of the lesson names no section of the tutorial.")
    predict = raw.get("predict", False)
    if not isinstance(predict, bool):
        raise _fail(f"Step {k} of the lesson has a predict setting that is neither true nor false.")
    return LessonStep(sid, _values(raw.get("values", {}), where), _text(raw.get("prompt", ""), f"prompt of {where}",
                      MAX_PROMPT_CHARS), _keys(raw.get("lock", []), f"list of locked controls of {where}"),
                      _keys(raw.get("hide", []), f"list of hidden controls of {where}"), predict)


def from_json(data: Any) -> Lesson:
    """A :class:`Lesson` from its parsed JSON (``{"title": ..., "steps": [{"id": ..., ...}, ...]}``)."""
    if not isinstance(data, dict) or set(data) - {"title", "steps"}:
        raise _fail("The lesson is not a title and a list of steps.")
    title = _text(data.get("title", "Lesson"), "title", MAX_TITLE_CHARS).strip() or "Lesson"
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise _fail("The lesson has no steps.")
    if len(steps) > MAX_STEPS:
        raise _fail(f"The lesson has more than {MAX_STEPS} steps.")
    return Lesson(title, tuple(_step(s, k) for k, s in enumerate(steps, 1)))


def to_json(lesson: Lesson) -> dict[str, Any]:
    """The lesson as JSON data, leaving out fields at their defaults (the address stays short)."""
    steps = []
    for s in lesson.steps:
        d: dict[str, Any] = {"id": s.id}
        if s.values:
            d["values"] = dict(s.values)
        if s.prompt:
            d["prompt"] = s.prompt
        if s.lock:
            d["lock"] = list(s.lock)
        if s.hide:
            d["hide"] = list(s.hide)
        if s.predict:
            d["predict"] = True
        steps.append(d)
    return {"title": lesson.title, "steps": steps}


def encode(lesson: Lesson) -> str:
    """The lesson's code for ``?lesson=``: compact JSON in unpadded base64url; LessonError when too long."""
    text = json.dumps(to_json(lesson), separators=(",", ":"), ensure_ascii=False)
    code = base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")
    if len(code) > MAX_CODE_CHARS:
        raise _fail(f"This lesson is too long for a link ({len(code):,} characters of at most {MAX_CODE_CHARS:,}): "
                    "shorten its prompts or split it in two.")
    return code


def decode(code: str) -> Lesson:
    """The lesson a ``?lesson=`` code holds; LessonError saying what is wrong with it otherwise."""
    if not isinstance(code, str) or not code:
        raise _fail("The link's lesson is empty.")
    if len(code) > MAX_CODE_CHARS:
        raise _fail(f"The link's lesson is {len(code):,} characters long, more than a lesson can be "
                    f"({MAX_CODE_CHARS:,}).")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", code):
        raise _fail("The link's lesson is not a lesson code (it may have been cut or changed).")
    try:
        text = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4)).decode("utf-8")
        data = json.loads(text)
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise _fail("The link's lesson could not be read (it may have been cut or changed).") from None
    return from_json(data)


def builtin_names() -> list[str]:
    """The built-in lessons' names, the tutorial first, then by name."""
    names = sorted(p.stem for p in BUILTIN_DIR.glob("*.json") if _NAME.fullmatch(p.stem))
    return sorted(names, key=lambda n: (n != "tutorial", n))


@cache
def builtin(name: str) -> Lesson:
    """The built-in lesson ``name`` (read from its file once)."""
    if name not in builtin_names():
        raise ValueError(f"name must be one of {', '.join(builtin_names())}; got {name!r}")
    return from_json(json.loads((BUILTIN_DIR / f"{name}.json").read_text(encoding="utf-8")))


def resolve(raw: str) -> Lesson:
    """The lesson ``?lesson=`` names: a built-in one by name, else a code; LessonError otherwise."""
    return builtin(raw) if raw in builtin_names() else decode(raw)


def position(raw: str | None, lesson: Lesson) -> int:
    """The step number ``?lstep=`` asks for, 1 when it is missing, clamped to the lesson's steps.

    >>> position("3", Lesson("x", (LessonStep("l1"),) * 2)), position("x", Lesson("x", (LessonStep("l1"),)))
    (2, 1)
    """
    try:
        k = int(str(raw)) if raw is not None and len(str(raw)) <= 6 else 1
    except ValueError:
        k = 1
    return min(max(k, 1), len(lesson))


def step_query(lesson: Lesson, k: int, lesson_param: str) -> dict[str, str]:
    """The address of step ``k`` (1-based) of ``lesson``, shown on its section's page: the lesson (``lesson_param``:
    its built-in name or code), the step, the section and the step's values."""
    s = lesson.steps[k - 1]
    return {"lesson": lesson_param, "lstep": str(k), "section": s.id, **s.values}
