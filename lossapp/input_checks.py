"""Where typed-in numbers stop meaning what a page says they mean: one line for ``st.warning``, or None.

The losses take any finite numbers (Gluon does not check either), so the pages compute them; these checks say
when the result is no longer the quantity named on the page (a cross-entropy below zero, a divergence of a
target that is not a distribution). Pure functions: no Streamlit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["distribution_warning"]

#: Row sums this close to 1 count as a distribution (typed decimals such as 0.33, 0.33, 0.34).
SUM_TOLERANCE = 1e-3


def _rows(values: np.ndarray) -> str:
    shown = ", ".join(f"{v:.4g}" for v in values[:4])
    return shown + (", ..." if values.size > 4 else "")


def distribution_warning(target: np.ndarray, name: str, what: str, *, axis: int = -1) -> str | None:
    """Why ``target`` is not a probability distribution along ``axis`` (each entry at least 0, each row summing to
    1), and what that does to the loss ``what``; None when it is one.

    >>> distribution_warning(np.array([[0.3, 0.7]]), "label", "KL divergence") is None
    True
    >>> distribution_warning(np.array([[-1.0, 2.0]]), "label", "cross-entropy")[:46]
    'label has a negative entry (-1): a probability'
    """
    t = np.asarray(target, dtype=np.float64)
    if t.size == 0:
        return None
    if (t < 0).any():
        return (f"{name} has a negative entry ({t.min():.4g}): a probability is at least 0, so this is no longer a "
                f"{what} (it can go below zero).")
    sums = np.atleast_1d(t.sum(axis=axis % t.ndim if t.ndim else None))
    if (sums == 0).any():
        return (f"{name} has a row of zeros, which is not a distribution: the {what} of it says nothing about the "
                "prediction (0 whatever the prediction, and nan where it is divided by).")
    if not np.allclose(sums, 1.0, atol=SUM_TOLERANCE):
        return (f"{name} rows sum to {_rows(sums)}, not 1: the loss scales with the sum and its minimum is no "
                f"longer at a prediction equal to the target, so it is not a {what}.")
    return None
