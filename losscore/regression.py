"""Regression losses: L2Loss, L1Loss and HuberLoss.

Each compares a prediction with a real-valued label of the same number of elements and averages the
per-element loss over every axis except ``batch_axis``.
"""

from __future__ import annotations

import numpy as np

from ._base import ElementwiseLoss, reduce_loss
from ._validation import as_float_array, check_batch_axis, check_same_size, check_weight, describe

__all__ = ["HuberLoss", "L1Loss", "L2Loss"]


class L2Loss(ElementwiseLoss):
    r"""Half the squared error, averaged per sample.

    Unreduced: :math:`\ell_i = \tfrac{w}{2}\, s_i\, (\text{pred}_i - \text{label}_i)^2`;
    output: the mean of :math:`\ell_i` over each sample's M elements.
    Gradient: :math:`w\, s_i\, (\text{pred}_i - \text{label}_i) / M`.

    Args:
        weight: global scale w (default 1; None is read as 1).
        batch_axis: axis that indexes samples.

    Shape:
        pred (N, ...), label with the same number of elements, optional sample_weight broadcasting to pred
        (or (N,) for one weight per sample); output (N,).

    Example (the tutorial's ones against twos, then with sample weights [1, 2]):

    >>> loss = L2Loss()
    >>> loss([1.0, 1.0], [2.0, 2.0])
    array([0.5, 0.5], dtype=float32)
    >>> loss([1.0, 1.0], [2.0, 2.0], [1.0, 2.0])
    array([0.5, 1. ], dtype=float32)
    """

    _scale = 0.5

    def __init__(self, weight: float | None = 1.0, batch_axis: int = 0) -> None:
        super().__init__(weight, batch_axis)

    def _forward(self, pred, label, sample_weight=None, *, need_grad):
        pred = as_float_array(pred, "pred")
        label = check_same_size(as_float_array(label, "label", dtype=pred.dtype), "label", pred)
        diff = np.subtract(pred, label)
        w = 1.0 if self._weight is None else self._weight
        if sample_weight is not None:
            elem = diff * diff
            diff *= 2.0
            values, grad = reduce_loss(elem, diff, sample_weight, 0.5 * w, self._batch_axis)
            return values, {"pred": grad}
        # Fast path: one temporary; a row-wise dot product gives the squared sums, the difference becomes the grad.
        axis = check_batch_axis(self._batch_axis, pred.ndim)
        n = pred.shape[axis] if pred.ndim else 1
        per_sample = pred.size // n
        if pred.ndim <= 1:
            values = diff * diff
        elif axis == 0:
            rows = diff.reshape(n, -1)
            values = np.einsum("ij,ij->i", rows, rows)
        else:
            values = (diff * diff).sum(axis=tuple(a for a in range(pred.ndim) if a != axis))
        values *= 0.5 * w / per_sample
        if need_grad:
            diff *= w / per_sample
        return values, {"pred": diff}

    def _params(self):
        return {"weight": self._weight if self._weight is not None else 1.0, "batch_axis": self._batch_axis}


class L1Loss(ElementwiseLoss):
    r"""Absolute error, averaged per sample.

    Unreduced: :math:`\ell_i = w\, s_i\, |\text{pred}_i - \text{label}_i|`; output: mean over each sample.
    Gradient: :math:`w\, s_i\, \operatorname{sign}(\text{pred}_i - \text{label}_i) / M`, which is 0 where
    pred equals label (the kink; MXNet's convention).

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> L1Loss()([[0.0, 3.0], [1.0, -1.0]], [[1.0, 1.0], [1.0, 1.0]])
    array([1.5, 1. ], dtype=float32)
    >>> L1Loss().value_and_grad([0.0, 2.0, 1.0], [1.0, 1.0, 1.0])[1]
    array([-1.,  1.,  0.], dtype=float32)
    """

    def _elementwise(self, pred, label, need_grad):
        diff = np.subtract(pred, label)
        return np.abs(diff), (np.sign(diff, out=diff) if need_grad else None)


class HuberLoss(ElementwiseLoss):
    r"""Quadratic near the label, linear beyond ``rho``: a smoothed L1 loss that tolerates outliers.

    With :math:`a_i = |\text{pred}_i - \text{label}_i|`, unreduced:

    .. math:: \ell_i = w\, s_i \begin{cases} a_i - \rho/2 & a_i > \rho \\ a_i^2 / (2\rho) & \text{otherwise}\end{cases}

    output: mean over each sample. Gradient: :math:`w\, s_i\, \operatorname{clip}((\text{pred}_i -
    \text{label}_i)/\rho, -1, 1) / M`. Both branches meet at :math:`a = \rho` with value and slope continuous.

    Args:
        rho: the threshold between the quadratic and the linear part (> 0).

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> HuberLoss(rho=1.0)([0.5, 3.0], [0.0, 0.0])
    array([0.125, 2.5  ], dtype=float32)
    """

    def __init__(self, rho: float = 1.0, weight: float | None = None, batch_axis: int = 0) -> None:
        rho_value = check_weight(rho, "rho")
        if rho_value is None or rho_value <= 0:
            raise ValueError(f"rho must be a positive number; got {describe(rho)}")
        self._rho = rho_value
        super().__init__(weight, batch_axis)

    @property
    def rho(self) -> float:
        return self._rho

    def _params(self):
        return {"rho": self._rho, **super()._params()}

    def _elementwise(self, pred, label, need_grad):
        rho = self._rho
        diff = np.subtract(pred, label)
        a = np.abs(diff)
        elem = np.where(a > rho, a - 0.5 * rho, a * a * (0.5 / rho)).astype(pred.dtype, copy=False)
        if not need_grad:
            return elem, None
        diff *= 1.0 / rho
        return elem, np.clip(diff, -1.0, 1.0, out=diff)
