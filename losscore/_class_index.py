"""What the losses on one whole class index per position share (SoftmaxCrossEntropyLoss with sparse labels, the
focal, label-smoothing, Poly and multiclass hinge losses): the label check, one-hot rows and the reduction."""

from __future__ import annotations

import numpy as np

from ._base import Loss, reduce_loss
from ._validation import as_float_array, check_int

__all__ = ["ClassIndexLoss", "class_indices", "onehot"]


def class_indices(label, x: np.ndarray, axis: int, axis_arg: int) -> np.ndarray:
    """The label as whole class indices of shape ``x.shape`` with ``axis`` kept at size 1, or a named ValueError.

    ``axis`` is the normalised class axis of ``x``, ``axis_arg`` the value the caller gave (for the message).
    """
    n_classes = x.shape[axis]
    lab = as_float_array(label, "label", dtype=np.float64)
    if lab.size != x.size // n_classes:
        raise ValueError(
            f"label must hold one class index per position: shape {x.shape[:axis] + x.shape[axis + 1:]} "
            f"(pred's shape without axis {axis_arg}); got shape {lab.shape}"
        )
    lab = lab.reshape(x.shape[:axis] + (1,) + x.shape[axis + 1:])
    bad = (lab != np.floor(lab)) | (lab < 0) | (lab >= n_classes)
    if bad.any():
        first = lab[tuple(np.argwhere(bad)[0])]
        raise ValueError(
            f"label must hold whole class indices in [0, {n_classes}) for pred with {n_classes} classes "
            f"along axis {axis_arg}; got {first}"
        )
    return lab.astype(np.intp)


def onehot(idx: np.ndarray, axis: int, like: np.ndarray) -> np.ndarray:
    """1 at each position's class ``idx`` along ``axis``, 0 elsewhere, shaped and typed like ``like``."""
    shape = [1] * like.ndim
    shape[axis] = like.shape[axis]
    return (np.arange(like.shape[axis]).reshape(shape) == idx).astype(like.dtype)


class ClassIndexLoss(Loss):
    """A loss of the logits (or scores) along ``axis`` and one class index per position, averaged per sample.

    Subclasses implement ``_per_position(x, idx, axis, need_grad)``: the loss of every position (x's shape with
    ``axis`` at size 1) and its gradient with respect to x (x's shape), both fresh arrays.
    """

    def __init__(self, axis: int = -1, weight: float | None = None, batch_axis: int = 0) -> None:
        self._axis = check_int(axis, "axis")
        super().__init__(weight, batch_axis)

    @property
    def axis(self) -> int:
        return self._axis

    def _params(self):
        return {"axis": self._axis, **super()._params()}

    def _forward(self, pred, label, sample_weight=None, *, need_grad):
        x = as_float_array(pred, "pred")
        if x.ndim == 0 or not -x.ndim <= self._axis < x.ndim:
            raise ValueError(f"axis={self._axis} is out of range for pred of shape {x.shape}")
        axis = self._axis % x.ndim
        idx = class_indices(label, x, axis, self._axis)
        elem, grad = self._per_position(x, idx, axis, bool(need_grad))
        values, grad = reduce_loss(elem, grad, sample_weight, self._weight, self._batch_axis)
        return values, {"pred": grad}

    def _per_position(self, x: np.ndarray, idx: np.ndarray, axis: int, need_grad: bool):
        raise NotImplementedError
