"""Numbers as the pages print them: fixed decimals, rounding noise shown as 0, short lists for captions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Below this size a displayed number is noise and shows as 0: rounding (1 - cos of identical vectors is
#: -2.2e-16) or the 1e-12 that KLDivLoss adds inside its log (KL of a distribution from itself is 4e-12).
TINY = 1e-9


def clean(values: Any) -> np.ndarray:
    """``values`` as floats with rounding noise (|v| < TINY) set to 0, for tables.

    >>> clean([1.0, -2.2e-16, 1e-8]).tolist()
    [1.0, 0.0, 1e-08]
    """
    arr = np.asarray(values, dtype=np.float64)
    return np.where(np.abs(arr) < TINY, 0.0, arr)


def fmt(value: float, digits: int = 4) -> str:
    """A number as the pages print it: fixed decimals for ordinary sizes, 'inf'/'nan' spelled out.

    >>> fmt(9.000123), fmt(float("inf")), fmt(float("nan")), fmt(123456.0), fmt(-0.0), fmt(-2.2e-16), fmt(1e-8)
    ('9.0001', 'inf', 'nan', '1.235e+05', '0.0000', '0.0000', '1e-08')
    """
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v) < TINY:
        return f"{0.0:.{digits}f}"
    if abs(v) >= 1e5 or abs(v) < 10 ** (-digits):
        return f"{v:.{digits}g}"
    return f"{v:.{digits}f}"


def short(value: float, digits: int = 4) -> str:
    """One number for a caption: rounded to ``digits`` decimals, no trailing zeros, no -0.

    >>> short(-2.995732273553991), short(5.0), short(-1e-17), short(float("inf"))
    ('-2.9957', '5', '0', 'inf')
    """
    v = float(value)
    return fmt(v, digits) if not math.isfinite(v) else f"{round(v, digits) + 0.0:g}"


def nums(values: Any, digits: int = 4) -> str:
    """A short list of numbers for captions: [0.2, 0.5, 0.3] (rounded, no -0)."""
    return "[" + ", ".join(short(v, digits) for v in np.ravel(values)) + "]"
