"""What a regression loss estimates: the constant prediction that minimises its total over a set of labels.

L2's is the mean, L1's the median and the quantile loss's the tau-quantile; the robust losses land somewhere
between (Huber's, Tukey's and Barron's "M-estimates" of location). :func:`best_constant` finds it for any
elementwise loss of pred − label from the loss's own values and gradients: a grid over the labels' range finds
the lowest valley (the redescending losses, Tukey's and Barron's below alpha = 1, can have several), then
bisection on the sign of the total gradient pins its bottom down.

>>> from losscore import L1Loss, L2Loss
>>> best_constant(L2Loss(), [1.0, 2.0, 6.0]), best_constant(L1Loss(), [1.0, 2.0, 6.0])
(3.0, 2.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import Loss
from ._validation import as_float_array, describe

__all__ = ["best_constant", "mean_loss"]

#: Grid points over the labels' range in the first, global search.
GRID = 2001
#: Bisection steps: the bracket is one grid step wide; 60 halvings take it below float64 resolution.
BISECTIONS = 60


def _labels(y: Any) -> np.ndarray:
    arr = as_float_array(y, "y", dtype=np.float64).ravel()
    if not np.isfinite(arr).all():
        raise ValueError("y must hold finite numbers only")
    return arr


def mean_loss(loss: Loss, y: Any, constants: Any) -> np.ndarray:
    """The mean of ``loss(c, y_i)`` over the labels ``y``, for each constant prediction c in ``constants``."""
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a losscore loss; got {describe(loss)}")
    labels = _labels(y)
    c = as_float_array(constants, "constants", dtype=np.float64).ravel()
    pred = np.repeat(c[:, None], labels.size, axis=1)  # one sample per constant, one element per label
    return loss(pred, np.broadcast_to(labels, pred.shape))


def _slope(loss: Loss, labels: np.ndarray, c: float) -> float:
    _, grad = loss.value_and_grad(np.full((1, labels.size), c), labels)
    return float(grad.sum())


def best_constant(loss: Loss, y: Any) -> float:
    """The constant prediction c that minimises the total of ``loss(c, y_i)`` over the labels ``y`` (a loss of
    pred − label that does not decrease away from 0, so c lies within the labels' range).

    Where the minimisers form an interval (L1 on an even number of labels, epsilon-insensitive) it returns one
    point of it; where several valleys are equally deep, the leftmost.
    """
    labels = _labels(y)
    lo, hi = float(labels.min()), float(labels.max())
    if lo == hi:
        return lo
    grid = np.linspace(lo, hi, GRID)
    totals = mean_loss(loss, labels, grid)
    k = int(np.argmin(totals))
    a, b = float(grid[max(k - 1, 0)]), float(grid[min(k + 1, GRID - 1)])
    ga, gb = _slope(loss, labels, a), _slope(loss, labels, b)
    if not (ga < 0 < gb):  # the bottom is at a grid end, or the slope does not change sign around it
        return float(grid[k])
    for _ in range(BISECTIONS):
        m = 0.5 * (a + b)
        gm = _slope(loss, labels, m)
        if gm == 0:
            return m
        if gm < 0:
            a = m
        else:
            b = m
    return 0.5 * (a + b)
