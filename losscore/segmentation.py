"""Overlap losses for segmentation masks: DiceLoss, JaccardLoss and TverskyLoss.

Each compares a predicted mask (logits; the sigmoid is applied inside) with a 0/1 mask through soft counts of
true positives, false positives and false negatives, summed over every non-batch axis: one value per sample.
Unlike the per-pixel losses, a pixel's gradient depends on the whole mask (the counts are ratios).
"""

from __future__ import annotations

import numpy as np

from ._base import Loss, row_sum
from ._validation import as_float_array, check_batch_axis, check_same_size, check_weight, describe

__all__ = ["DiceLoss", "JaccardLoss", "TverskyLoss", "overlap_counts", "sigmoid_and_slope"]

#: The ratio's denominator is kept at least this (segmentation-models-pytorch's eps), so smooth=0 with an empty
#: mask and an all-background prediction gives a number, not 0/0.
_DENOM_FLOOR = 1e-7


def _non_negative(value, name: str) -> float:
    v = check_weight(value, name)
    if v is None or v < 0:
        raise ValueError(f"{name} must be a number >= 0; got {describe(value)}")
    return v


def sigmoid_and_slope(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sigmoid(x) and its derivative p(1 - p), both from exp(-|x|), which never overflows.

    >>> [v.round(4) for v in sigmoid_and_slope(np.array([-800.0, 0.0, 3.0]))]
    [array([0.    , 0.5   , 0.9526]), array([0.    , 0.25  , 0.0452])]
    """
    e = np.exp(-np.abs(x))
    one_plus = 1 + e
    p = np.where(x >= 0, 1, e) / one_plus
    return p.astype(x.dtype, copy=False), (e / (one_plus * one_plus)).astype(x.dtype, copy=False)


def overlap_counts(prob: np.ndarray, mask: np.ndarray, batch_axis: int = 0):
    """Soft true positives, false positives and false negatives per sample: ``(tp, fp, fn)``, each (N,).

    >>> overlap_counts(np.array([[0.9, 0.2, 0.5]]), np.array([[1.0, 0.0, 1.0]]))
    (array([1.4]), array([0.2]), array([0.6]))
    """
    tp = row_sum(prob * mask, batch_axis)
    fp = row_sum(prob, batch_axis) - tp
    fn = row_sum(mask, batch_axis) - tp
    return tp, fp, fn


class _OverlapLoss(Loss):
    r"""1 - (a·TP + s) / (a·TP + b·FP + c·FN + s) per sample, with p = sigmoid(pred)."""

    def __init__(self, smooth: float, weight: float | None, batch_axis: int) -> None:
        self._smooth = _non_negative(smooth, "smooth")
        super().__init__(weight, batch_axis)

    @property
    def smooth(self) -> float:
        return self._smooth

    def _params(self):
        return {"smooth": self._smooth, **super()._params()}

    def _coefficients(self) -> tuple[float, float, float]:
        """(a, b, c): the weights of TP in numerator and denominator, of FP and of FN."""
        raise NotImplementedError

    def _forward(self, pred, label, sample_weight=None, *, need_grad):
        x_in = as_float_array(pred, "pred")
        x = x_in.reshape(1) if x_in.ndim == 0 else x_in  # a 0-d pred is one sample of one pixel
        t = check_same_size(as_float_array(label, "label", dtype=x.dtype), "label", x)
        if np.fmin.reduce(t, axis=None) < 0 or np.fmax.reduce(t, axis=None) > 1:
            raise ValueError(f"label must be a mask with entries in [0, 1] (0/1 pixels); got [{t.min()}, {t.max()}]")
        batch_axis = check_batch_axis(self._batch_axis, x.ndim)
        p, slope = sigmoid_and_slope(x)
        a, b, c = self._coefficients()
        tp, fp, fn = overlap_counts(p, t, batch_axis)
        s = self._smooth
        num = a * tp + s
        den = a * tp + b * fp + c * fn + s
        clamped = den < _DENOM_FLOOR
        den = np.maximum(den, _DENOM_FLOOR)
        values = 1 - num / den
        scale = np.full(values.shape, 1.0 if self._weight is None else self._weight, dtype=x.dtype)
        if sample_weight is not None:
            n = values.size
            sw = as_float_array(sample_weight, "sample_weight", dtype=x.dtype)
            if sw.size not in (1, n):
                raise ValueError(f"sample_weight must hold 1 or {n} values (one per sample); got shape {sw.shape}")
            scale = scale * sw.reshape(-1)
        values = (values * scale).astype(x.dtype, copy=False)
        grad = None
        if need_grad:
            # d/dp_k of TP = t_k, of FP = 1 - t_k, of FN = -t_k; quotient rule on 1 - num/den
            shape = [1] * x.ndim
            shape[batch_axis] = values.size

            def col(v):
                return np.asarray(v, dtype=x.dtype).reshape(shape)

            dnum = a * t
            dden = (a - b - c) * t + b
            dden = np.where(col(clamped), 0, dden)  # a clamped denominator is a constant
            g = (col(num) * dden - dnum * col(den)) / col(den * den)
            g *= slope
            g *= col(scale)
            grad = g.astype(x.dtype, copy=False).reshape(x_in.shape)
        return values.reshape(-1), {"pred": grad}


class DiceLoss(_OverlapLoss):
    r"""Soft Dice loss: one minus the soft Dice coefficient (F1 score) of the predicted mask, per sample.

    With p = sigmoid(pred), t the 0/1 mask and sums over every non-batch axis (TP = Σ p t, FP = Σ p(1 - t),
    FN = Σ (1 - p) t): :math:`\ell = w s\Big(1 - \frac{2\,TP + \text{smooth}}{\sum p + \sum t + \text{smooth}}\Big)`.
    smooth keeps an empty mask with an empty prediction at 0 loss and softens the gradient of small objects.
    Gradient (quotient rule, then the sigmoid's p(1 - p)):
    :math:`\partial\ell/\partial x_k = -w s\,\frac{2 t_k D - N}{D^2}\,p_k(1 - p_k)` with N and D the fraction's
    numerator and denominator.

    segmentation-models-pytorch's ``DiceLoss('binary', smooth=smooth / 2)`` on one sample gives the same value:
    it writes Dice as (TP + smooth) / (TP + (FP + FN) / 2 + smooth), so its smooth is half of this one; it also
    averages over the whole batch at once and returns 0 for a sample whose mask is empty.

    Forward: ``(pred, label, sample_weight=None)``.

    Shape:
        pred (N, ...) logits; label a mask with as many elements, entries in [0, 1]; output (N,).

    >>> DiceLoss()([[10.0, 10.0, -10.0, -10.0]], [[1.0, 1.0, 0.0, 0.0]]).round(4)
    array([0.], dtype=float32)
    >>> DiceLoss(smooth=0.0)([[10.0, -10.0]], [[0.0, 1.0]]).round(4)
    array([1.], dtype=float32)
    """

    def __init__(self, smooth: float = 1.0, weight: float | None = None, batch_axis: int = 0) -> None:
        super().__init__(smooth, weight, batch_axis)

    def _coefficients(self):
        return 2.0, 1.0, 1.0


class JaccardLoss(_OverlapLoss):
    r"""Soft Jaccard (IoU) loss: one minus the soft intersection over union, per sample.

    With p = sigmoid(pred), t the 0/1 mask and TP = Σ p t over every non-batch axis:
    :math:`\ell = w s\Big(1 - \frac{TP + \text{smooth}}{\sum p + \sum t - TP + \text{smooth}}\Big)`
    (the denominator is TP + FP + FN). IoU = Dice / (2 - Dice), so both rank masks alike, but IoU charges a
    partial overlap more. Gradient by the quotient rule, times the sigmoid's p(1 - p).

    segmentation-models-pytorch's ``JaccardLoss('binary', smooth=smooth)`` on one sample gives the same value
    (it returns 0 for a sample whose mask is empty).

    Forward: ``(pred, label, sample_weight=None)``.

    Shape:
        pred (N, ...) logits; label a mask with as many elements, entries in [0, 1]; output (N,).

    >>> JaccardLoss(smooth=0.0)([[10.0, 10.0, -10.0]], [[1.0, 0.0, 0.0]]).round(4)
    array([0.5], dtype=float32)
    """

    def __init__(self, smooth: float = 1.0, weight: float | None = None, batch_axis: int = 0) -> None:
        super().__init__(smooth, weight, batch_axis)

    def _coefficients(self):
        return 1.0, 1.0, 1.0


class TverskyLoss(_OverlapLoss):
    r"""Tversky loss: the Jaccard/Dice ratio with false positives weighted by alpha and false negatives by beta.

    With p = sigmoid(pred), t the 0/1 mask, TP = Σ p t, FP = Σ p(1 - t), FN = Σ (1 - p) t over every
    non-batch axis: :math:`\ell = w s\Big(1 - \frac{TP + \text{smooth}}{TP + αFP + βFN + \text{smooth}}\Big)`.
    α = β = 1 is the Jaccard loss; α = β = 1/2 is Dice (with half the smooth); β > α makes missed pixels cost
    more than false alarms (recall over precision, for small structures). Gradient by the quotient rule, times
    the sigmoid's p(1 - p).

    segmentation-models-pytorch's ``TverskyLoss('binary', alpha=α, beta=β, smooth=smooth)`` on one sample
    gives the same value (it returns 0 for a sample whose mask is empty).

    Forward: ``(pred, label, sample_weight=None)``.

    Shape:
        pred (N, ...) logits; label a mask with as many elements, entries in [0, 1]; output (N,).

    >>> TverskyLoss(alpha=0.0, beta=1.0, smooth=0.0)([[10.0, 10.0, -10.0]], [[1.0, 0.0, 0.0]]).round(4)
    array([0.], dtype=float32)
    """

    def __init__(self, alpha: float = 0.5, beta: float = 0.5, smooth: float = 1.0, weight: float | None = None,
                 batch_axis: int = 0) -> None:
        self._alpha = _non_negative(alpha, "alpha")
        self._beta = _non_negative(beta, "beta")
        super().__init__(smooth, weight, batch_axis)

    @property
    def alpha(self) -> float:
        return self._alpha

    @property
    def beta(self) -> float:
        return self._beta

    def _params(self):
        return {"alpha": self._alpha, "beta": self._beta, **super()._params()}

    def _coefficients(self):
        return 1.0, self._alpha, self._beta
