"""Evaluate a loss and its gradient over a grid of predictions with the label held fixed.

This is the tutorial's ``show_regression_loss`` / ``show_classification_loss`` (which plot a loss over
``arange(-5, 5, .1)`` with label 0 or 1), with the gradient added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._base import Loss
from ._validation import as_float_array, check_weight, describe

__all__ = ["Sweep", "prediction_grid", "sweep"]


@dataclass(frozen=True)
class Sweep:
    """A loss curve: ``values[k]`` and ``grad[k]`` are the loss and dL/dpred at prediction ``x[k]``."""

    x: np.ndarray
    values: np.ndarray
    grad: np.ndarray
    label: float

    def at(self, pred: float) -> tuple[float, float]:
        """Loss and gradient at ``pred`` by linear interpolation along the grid."""
        return float(np.interp(pred, self.x, self.values)), float(np.interp(pred, self.x, self.grad))


def prediction_grid(start: float = -5.0, stop: float = 5.0, num: int = 1001, dtype=np.float64) -> np.ndarray:
    """``num`` evenly spaced predictions from ``start`` to ``stop`` inclusive.

    >>> prediction_grid(-1, 1, 5)
    array([-1. , -0.5,  0. ,  0.5,  1. ])
    """
    if not (isinstance(num, (int, np.integer)) and num >= 2):
        raise ValueError(f"num must be an int >= 2; got {describe(num)}")
    lo = check_weight(start, "start")
    hi = check_weight(stop, "stop")
    if lo is None or hi is None or not lo < hi:
        raise ValueError(f"start must be a number below stop; got start={start!r}, stop={stop!r}")
    return np.linspace(lo, hi, int(num), dtype=dtype)


def sweep(loss: Loss, x: Any, label: float, **forward: Any) -> Sweep:
    """Evaluate ``loss`` at every prediction in ``x`` against the same ``label``.

    Each grid point is treated as its own sample (a 1-D batch), so ``values`` is the per-element loss
    (times ``weight``) and ``grad`` its derivative. Extra keyword arguments go to the forward call
    (``sample_weight``, ``pos_weight``, ``epsilon``) and are broadcast over the grid.

    >>> from losscore import HuberLoss
    >>> s = sweep(HuberLoss(rho=1.0), prediction_grid(-2, 2, 5), label=0.0)
    >>> s.values
    array([1.5, 0.5, 0. , 0.5, 1.5])
    >>> s.grad
    array([-1., -1.,  0.,  1.,  1.])
    """
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a losscore loss; got {describe(loss)}")
    if "pred" not in loss.grad_inputs:
        raise ValueError(f"{type(loss).__name__} has no loss-vs-prediction curve (it compares vectors)")
    grid = as_float_array(x, "x")
    if grid.ndim != 1:
        raise ValueError(f"x must be a 1-D grid of predictions; got shape {grid.shape}")
    lab = check_weight(label, "label")
    if lab is None:
        raise TypeError("label must be a number; got None")
    labels = np.full(grid.shape, lab, dtype=grid.dtype)
    extra: dict[str, Any] = {k: np.broadcast_to(np.asarray(v, dtype=grid.dtype), grid.shape) if v is not None else None
             for k, v in forward.items() if k != "epsilon"}
    if "epsilon" in forward:
        extra["epsilon"] = forward["epsilon"]
    pointwise = getattr(loss, "pointwise", None)
    if pointwise is not None:
        # losses that average over all elements at once (PoissonNLL): take the per-element pieces
        values, grad = pointwise(grid, labels, extra.get("epsilon", 1e-08))
        w = 1.0 if loss.weight is None else loss.weight
        s = extra.get("sample_weight")
        scale = w if s is None else w * s
        return Sweep(x=grid, values=values * scale, grad=grad * scale, label=lab)
    values, grad = loss.value_and_grad(grid, labels, **extra)
    return Sweep(x=grid, values=values, grad=grad, label=lab)
