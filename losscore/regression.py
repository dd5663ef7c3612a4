"""Regression losses: L2Loss, L1Loss and HuberLoss.

Each compares a prediction with a real-valued label of the same number of elements and averages the
per-element loss over every axis except ``batch_axis``.
"""

from __future__ import annotations

import numpy as np

from . import _kernels as kernels
from ._base import ElementwiseLoss
from ._kernels import clip
from ._validation import check_weight, describe

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
    _kernel = kernels.squared_error_rows

    def __init__(self, weight: float | None = 1.0, batch_axis: int = 0) -> None:
        super().__init__(weight, batch_axis)

    def _forward(self, pred, label, sample_weight=None, *, need_grad):
        values, grads = super()._forward(pred, label, sample_weight, need_grad=need_grad)
        if values.size == 1 and sample_weight is None and np.ndim(pred) == 0:
            values = values.reshape(())  # a scalar pred gives a scalar loss here (the other losses give (1,))
        return values, grads

    def _elementwise(self, pred, label, need_grad):
        diff = np.subtract(pred, label)
        elem = diff * diff
        if not need_grad:
            return elem, None
        diff *= 2.0
        return elem, diff

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

    _kernel = kernels.abs_error_rows
    def _elementwise(self, pred, label, need_grad):
        diff = np.subtract(pred, label)
        return np.abs(diff), (np.sign(diff) if need_grad else None)  # np.sign in place is slow


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

    # With u = (pred - label) / rho and g = clip(u, -1, 1), the loss is rho * g * (u - g / 2): u^2 rho / 2 =
    # a^2 / (2 rho) where |u| <= 1, and rho (|u| - 1/2) = a - rho/2 beyond; g itself is the gradient / (w s / M).
    # No np.where (a select costs as much as thirty additions here) and no branch on the data.
    _kernel = kernels.huber_rows

    def _kernel_params(self):
        return (self._rho,)

    def _elementwise(self, pred, label, need_grad):
        u = np.subtract(pred, label)
        if self._rho != 1.0:
            u *= 1.0 / self._rho
        g = clip(u, -1.0, 1.0, out=np.empty_like(u))
        elem = np.multiply(g, 0.5)
        np.subtract(u, elem, out=elem)
        elem *= g
        if self._rho != 1.0:
            elem *= self._rho
        return elem, (g if need_grad else None)
