"""Widgets driven by the catalog, and parsing of typed-in numbers.

Every control has a visible label, help text and a short ``key`` that is also its URL query parameter
(``bind="query-params"``), so any state of a page can be shared as a link. The widget chosen for a
:class:`~losscore.catalog.Param` depends only on its ``kind`` and range:

* ``float``: a slider over ``[low, high]`` with the catalog's step (a number input when the range holds too
  many steps for a slider, e.g. PoissonNLL's ``epsilon``);
* ``int``: a horizontal radio when there are a handful of values (``axis``), a slider otherwise;
* ``bool``: a toggle;
* ``choice``: a horizontal radio.

Text the user types (vectors, matrices, sample weights) goes through :func:`parse_array`, which raises a
``ValueError`` that says what is wrong and what is expected; :func:`array_input` shows that message with
``st.error`` and returns None instead of letting a traceback reach the page.

A value that a link puts into a control is checked by :mod:`lossapp.urlstate` before the widget is created: out of
range, it is clamped with a notice at the top of the page; garbage (text, NaN, ``1e309``, script tags) leaves the
control at its default, also with a notice. Visitor text quoted in an error message is cut short and
Markdown-escaped (:func:`lossapp.urlstate.quote_token`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import streamlit as st

from lossapp import urlstate
from losscore.catalog import CATALOG, LossSpec, Param

__all__ = [
    "BIND",
    "MAX_ARRAY_SIZE",
    "MAX_TEXT_CHARS",
    "SAMPLE_WEIGHT",
    "SHORT_NAMES",
    "array_input",
    "bound_slider",
    "capped_text_area",
    "control_key",
    "decimals_of",
    "format_array",
    "label_param",
    "param_control",
    "param_controls",
    "parse_array",
]

BIND: Final = "query-params"  # Final: the literal that the widgets' bind= takes

#: Shorter URL names for long Gluon keywords (the widget label still shows the full keyword).
SHORT_NAMES: dict[str, str] = {
    "from_sigmoid": "fromsig",
    "from_logits": "logits",
    "compute_full": "full",
    "sparse_label": "sparse",
    "label_format": "format",
    "pos_weight": "posw",
    "sample_weight": "sw",
    "smoothing_parameter": "smooth",
    "epsilon": "eps",
    "label_layout": "lablayout",
}

#: ``sample_weight`` is a forward argument of most losses but not a catalog parameter; on a loss-vs-prediction
#: chart it is one number applied to every point.
SAMPLE_WEIGHT = Param(
    "sample_weight", "float", 1.0, "Per-sample weight passed to the forward call (one value for every point here).",
    0.0, 5.0, 0.1, where="forward",
)

#: Label conventions that are a choice rather than a range.
_LABEL_CHOICES: dict[tuple[str, str], tuple[float, ...]] = {
    ("HingeLoss", ""): (-1.0, 1.0),
    ("SquaredHingeLoss", ""): (-1.0, 1.0),
    ("LogisticLoss", "signed"): (-1.0, 1.0),
    ("LogisticLoss", "binary"): (0.0, 1.0),
}

_MAX_SLIDER_STEPS = 2000


def control_key(prefix: str, name: str) -> str:
    """The widget key (and URL parameter) of parameter ``name`` in the section ``prefix``.

    >>> control_key("huber", "rho"), control_key("bce", "from_sigmoid")
    ('huber_rho', 'bce_fromsig')
    """
    return f"{prefix}_{SHORT_NAMES.get(name, name)}"


def decimals_of(step: float) -> int:
    """How many decimals a slider with this step shows (what its values are rounded to).

    >>> decimals_of(0.05), decimals_of(0.1), decimals_of(1.0)
    (2, 1, 0)
    """
    if step <= 0 or step >= 1:
        return 0
    return max(0, -math.floor(math.log10(step) + 1e-9))


def _fmt_number(value: Any) -> str:
    """Option labels of choice radios; they are also the URL values, so plain ("-1", "1", "binary")."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def bound_slider(box, label: str, low, high, value, step, **kw):
    """``box.slider`` bound to the URL, the link's value checked first (clamped with a notice when out of range)."""
    urlstate.guard_number(kw["key"], low=low, high=high, default=value,
                          integer=isinstance(value, int) and isinstance(step, int))
    kw.setdefault("bind", BIND)
    return box.slider(label, low, high, value, step, **kw)


def param_control(
    param: Param,
    key: str,
    *,
    default: Any = None,
    label: str | None = None,
    help: str | None = None,
    low: float | None = None,
    high: float | None = None,
    step: float | None = None,
    container: Any = None,
    disabled: bool = False,
) -> Any:
    """Render the widget for one catalog parameter and return its value.

    ``default``, ``low``, ``high`` and ``step`` override the catalog's values (for example the KL page starts
    with ``from_logits=False`` because the tutorial's example does). The returned value has the parameter's
    type: float, int, bool, or one of the choices.
    """
    box = st if container is None else container
    text = label or param.name
    tip = help or param.help
    value = param.default if default is None else default
    if param.kind == "bool":
        urlstate.guard_bool(key, default=bool(value))
        return bool(box.toggle(text, value=bool(value), key=key, help=tip, bind=BIND, disabled=disabled))
    if param.kind == "choice":
        options = list(param.choices)
        urlstate.guard_choice(key, options=options, labels=[_fmt_number(o) for o in options], default=value)
        return box.radio(text, options, index=options.index(value), key=key, help=tip, horizontal=True,
                         bind=BIND, disabled=disabled, format_func=_fmt_number)
    lo = param.low if low is None else low
    hi = param.high if high is None else high
    st_ = param.step if step is None else step
    if lo is None or hi is None:
        raise ValueError(f"parameter {param.name!r} of kind {param.kind!r} needs a low and a high to be shown")
    if param.kind == "int":
        lo_i, hi_i, step_i = int(lo), int(hi), int(st_ or 1)
        options = list(range(lo_i, hi_i + 1, step_i))
        if len(options) <= 6:
            urlstate.guard_choice(key, options=options, default=int(value))
            return int(box.radio(text, options, index=options.index(int(value)), key=key, help=tip,
                                 horizontal=True, bind=BIND, disabled=disabled))
        urlstate.guard_number(key, low=lo_i, high=hi_i, default=int(value), integer=True)
        return int(box.slider(text, lo_i, hi_i, int(value), step_i, key=key, help=tip, bind=BIND, disabled=disabled))
    if param.kind != "float":
        raise ValueError(f"unknown parameter kind {param.kind!r} for {param.name!r}")
    lo_f, hi_f = float(lo), float(hi)
    step_f = float(st_) if st_ else (hi_f - lo_f) / 100
    urlstate.guard_number(key, low=lo_f, high=hi_f, default=float(value))
    if (hi_f - lo_f) / step_f > _MAX_SLIDER_STEPS:
        return float(box.number_input(text, lo_f, hi_f, float(value), step_f, format="%.2e", key=key, help=tip,
                                      bind=BIND, disabled=disabled))
    fmt = f"%.{decimals_of(step_f)}f"
    return float(box.slider(text, lo_f, hi_f, float(value), step_f, format=fmt, key=key, help=tip, bind=BIND,
                            disabled=disabled))


def param_controls(
    spec: LossSpec | str,
    prefix: str,
    *,
    skip: Sequence[str] = (),
    defaults: dict[str, Any] | None = None,
    container: Any = None,
) -> dict[str, Any]:
    """One widget per catalog parameter of ``spec`` (except ``skip``); returns ``{name: value}``."""
    if isinstance(spec, str):
        spec = CATALOG[spec]
    defaults = defaults or {}
    values = {}
    for p in spec.params:
        if p.name in skip:
            continue
        values[p.name] = param_control(p, control_key(prefix, p.name), default=defaults.get(p.name),
                                       container=container)
    return values


def label_param(spec: LossSpec, params: dict[str, Any] | None = None) -> Param:
    """The label of a loss-vs-prediction chart as a Param: a choice for ±1 labels, a slider otherwise."""
    params = params or {}
    mode = params.get("label_format", "") if spec.name == "LogisticLoss" else ""
    choices = _LABEL_CHOICES.get((spec.name, mode), spec.extra.get("label_choices"))
    tip = f"The label every prediction on the chart is compared with. {spec.label_convention}"
    if choices is not None:
        default = spec.default_label if spec.default_label in choices else choices[-1]
        return Param("label", "choice", default, tip, choices=choices, where="forward")
    lo, hi = spec.label_range
    step = 0.05 if hi - lo <= 2 else 0.1 if hi - lo <= 10 else 0.5
    return Param("label", "float", spec.default_label, tip, lo, hi, step, where="forward")


# -- typed-in numbers -------------------------------------------------------------------------------------

_SPLIT = re.compile(r"[,\s]+")

#: Longer typed-in text is refused before it is parsed (the pages' vectors and matrices are a few numbers).
MAX_TEXT_CHARS = urlstate.MAX_TEXT_CHARS

#: More numbers in one box than anyone types by hand: refused with a message (the pages draw a row, a bar or an
#: option per number, and thousands of them take seconds to compute and draw).
MAX_ARRAY_SIZE = 1_000


def parse_array(
    text: str,
    name: str,
    *,
    ndim: int = 1,
    length: int | None = None,
    shape: tuple[int | None, ...] | None = None,
    allow_empty: bool = False,
    max_size: int | None = None,
) -> np.ndarray:
    """Parse numbers typed as ``"1, 2, 3"`` (a vector) or ``"1, 10; 8, 2"`` (a matrix, rows split by ``;``).

    Returns a float64 array with ``ndim`` dimensions. Raises ``ValueError`` naming ``name``, what is wrong and
    what is expected: a token that is not a number, NaN or infinity, rows of different lengths, or a shape
    that does not match ``length`` / ``shape`` (``None`` in ``shape`` accepts any size on that axis), or more than
    ``max_size`` numbers.

    >>> parse_array("1, 10; 8, 2", "logits", ndim=2)
    array([[ 1., 10.],
           [ 8.,  2.]])
    >>> parse_array("1 2 x", "weights")
    Traceback (most recent call last):
    ...
    ValueError: weights: 'x' is not a number. Expected numbers separated by commas, e.g. 1, 2.
    """
    example = "1, 2" if ndim == 1 else "1, 2; 3, 4"
    hint = (f"Expected numbers separated by commas, e.g. {example}." if ndim == 1
            else f"Expected rows separated by semicolons, numbers by commas, e.g. {example}.")
    raw = (text or "").strip().strip("[]")
    if not raw:
        if allow_empty:
            return np.zeros((0,) * ndim)
        raise ValueError(f"{name}: nothing entered. {hint}")
    row_texts = [r for r in re.split(r"[;\n]", raw)] if ndim == 2 else [raw.replace(";", ",")]
    rows = []
    for r in row_texts:
        tokens = [t for t in _SPLIT.split(r.strip().strip("[]")) if t]
        if not tokens:
            raise ValueError(f"{name}: an empty row. {hint}")
        row = []
        for t in tokens:
            try:
                v = float(t)
            except ValueError:
                raise ValueError(f"{name}: {urlstate.quote_token(t)} is not a number. {hint}") from None
            if not math.isfinite(v):
                raise ValueError(f"{name}: {urlstate.quote_token(t)} is not a finite number; use ordinary numbers "
                                 f"only. {hint}")
            row.append(v)
        rows.append(row)
    count = sum(map(len, rows))
    if max_size is not None and count > max_size:
        raise ValueError(f"{name}: {count:,} numbers; this box takes at most {max_size:,}.")
    if ndim == 2:
        widths = {len(r) for r in rows}
        if len(widths) != 1:
            raise ValueError(
                f"{name}: every row needs the same number of entries; got rows of "
                f"{', '.join(str(len(r)) for r in rows)}. {hint}"
            )
        arr = np.array(rows, dtype=np.float64)
    else:
        arr = np.array(rows[0], dtype=np.float64)
    if length is not None and arr.size != length:
        raise ValueError(f"{name}: expected {length} number{'s' if length != 1 else ''}; got {arr.size}.")
    if shape is not None:
        for axis, (want, got) in enumerate(zip(shape, arr.shape, strict=False)):
            if want is not None and want != got:
                what = "entries" if ndim == 1 else ("rows" if axis == 0 else "columns")
                raise ValueError(f"{name}: expected {want} {what}; got {got}.")
    return arr


def format_array(arr: Any) -> str:
    """The text :func:`parse_array` reads back to ``arr`` (rows joined by ``; ``).

    >>> format_array(np.array([[1.0, 10.0], [8.0, 2.5]]))
    '1, 10; 8, 2.5'
    """
    a = np.asarray(arr, dtype=np.float64)
    if a.ndim == 1:
        return ", ".join(f"{v:g}" for v in a)
    return "; ".join(", ".join(f"{v:g}" for v in row) for row in a)


def array_input(
    label: str,
    default: str,
    key: str,
    *,
    help: str,
    container: Any = None,
    **checks: Any,
) -> np.ndarray | None:
    """A text input for numbers; returns the parsed array, or None after showing what is wrong with st.error.
    At most :data:`MAX_ARRAY_SIZE` numbers unless ``max_size`` says otherwise."""
    box = st if container is None else container
    checks.setdefault("max_size", MAX_ARRAY_SIZE)
    urlstate.guard_text(key)
    text = box.text_input(label, value=default, key=key, help=help, bind=BIND)
    if len(text or "") > MAX_TEXT_CHARS:
        box.error(f"{label}: {len(text):,} characters is too long. Expected at most {MAX_TEXT_CHARS:,} characters "
                  f"of numbers separated by commas.")
        return None
    try:
        return parse_array(text, label, **checks)
    except ValueError as exc:
        box.error(str(exc))
        return None


def capped_text_area(box: Any, label: str, value: str, *, key: str, max_chars: int, help: str = "",
                     **kw: Any) -> str:
    """``box.text_area`` that takes at most ``max_chars`` characters, with a message instead of a silent failure.

    Longer text is taken out of the box with a message when it arrives, so it does not travel with every later
    rerun. Text over twice the limit never leaves the browser (Streamlit's text area ignores an input past its
    ``max_chars``), so no paste comes near Streamlit's widget-state limit, which closes the connection; the box's
    help states the limit for that case."""
    refused = f"_lossapp_refused_{key}"

    def refuse_long_text() -> None:
        text = st.session_state.get(key) or ""
        if len(text) > max_chars:
            st.session_state[key] = ""
            st.session_state[refused] = True

    tip = f"{help} At most {max_chars:,} characters.".strip()
    text = box.text_area(label, value, key=key, max_chars=2 * max_chars, on_change=refuse_long_text, help=tip, **kw)
    if st.session_state.pop(refused, False):
        box.error(f"{label}: what you pasted is longer than {max_chars:,} characters, the most this box takes, so "
                  "the box was emptied. Paste a sample of your data, or upload it as a CSV file.")
    return text
