"""Margin losses on raw scores: the multiclass hinge, and the binary modified Huber, perceptron and 0-1 losses
(0-1 is the error rate itself, the quantity every other classification loss is a surrogate for)."""

from __future__ import annotations

import numpy as np

from ._base import ElementwiseLoss
from ._class_index import ClassIndexLoss, onehot
from ._kernels import clip
from .classification import _check_margin

__all__ = ["ModifiedHuberLoss", "MulticlassHingeLoss", "PerceptronLoss", "ZeroOneLoss"]


class MulticlassHingeLoss(ClassIndexLoss):
    r"""The multiclass hinge (Weston & Watkins), averaged over the C classes as torch.nn.MultiMarginLoss does.

    With scores x along ``axis`` (C classes) and a class index y per position, unreduced:

    .. math:: \ell = \frac{1}{C}\sum_{c \ne y} \max(0,\ m - x_y + x_c)

    Every other class whose score comes within the margin m of the right one pays. Gradient: 1/C on each such
    class, minus their number over C on the right class, 0 at a kink. The 1/C counts the right class too
    (torch's normalisation); C times this is the plain sum of the SVM literature.

    Shape:
        pred (N, ..., C, ...); label: pred's shape without ``axis`` (whole class indices in [0, C)). Output (N,).

    >>> MulticlassHingeLoss()([[0.1, 0.2, 0.4, 0.8]], [3])  # torch's MultiMarginLoss example
    array([0.325], dtype=float32)
    """

    def __init__(self, margin: float = 1.0, axis: int = -1, weight: float | None = None, batch_axis: int = 0) -> None:
        self._margin = _check_margin(margin)
        super().__init__(axis, weight, batch_axis)

    @property
    def margin(self) -> float:
        return self._margin

    def _params(self):
        return {"margin": self._margin, **super()._params()}

    def _per_position(self, x, idx, axis, need_grad):
        n_classes = x.shape[axis]
        right = onehot(idx, axis, x)
        r = x - np.take_along_axis(x, idx, axis=axis)
        r += self._margin
        r *= 1 - right  # the right class is not compared with itself
        clip(r, 0, None, out=r)
        elem = r.sum(axis=axis, keepdims=True) / n_classes
        if not need_grad:
            return elem, None
        grad = np.greater(r, 0).astype(x.dtype)
        grad -= right * grad.sum(axis=axis, keepdims=True)
        grad /= n_classes
        return elem, grad


def _score_margin(pred: np.ndarray, label: np.ndarray) -> np.ndarray:
    """y * score, the margin of each binary example (positive when the score has the label's sign)."""
    return pred * label


class ModifiedHuberLoss(ElementwiseLoss):
    r"""Modified Huber (Zhang 2004; scikit-learn's SGDClassifier(loss='modified_huber')): a squared hinge that
    turns linear for badly wrong scores, so it is smooth and robust to outliers at once.

    With x = pred, y = label in {-1, +1} and :math:`z = y x`, unreduced:

    .. math:: \ell = \begin{cases} \max(0, 1 - z)^2 & z \ge -1 \\ -4z & z < -1 \end{cases}

    Both pieces meet at z = -1 with value 4 and slope -4, so the gradient
    (:math:`-2y(1 - z)` inside the margin, :math:`-4y` beyond z = -1, 0 past z = 1) is continuous. Labels
    other than ±1 are used as given. Output: mean over each sample.

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> ModifiedHuberLoss()([-3.0, -1.0, 0.5, 2.0], [1.0, 1.0, 1.0, 1.0])
    array([12.  ,  4.  ,  0.25,  0.  ], dtype=float32)
    """

    def _elementwise(self, pred, label, need_grad):
        z = _score_margin(pred, label)
        inside = np.maximum(1 - z, 0)
        elem = np.where(z >= -1, inside * inside, -4 * z).astype(pred.dtype, copy=False)
        if not need_grad:
            return elem, None
        grad = np.where(z >= -1, -2 * inside, -4.0).astype(pred.dtype, copy=False)
        grad *= label
        return elem, grad


class PerceptronLoss(ElementwiseLoss):
    r"""The perceptron criterion (Rosenblatt; scikit-learn's SGDClassifier(loss='perceptron')): the hinge with
    margin 0, paying only for wrong signs.

    With x = pred, y = label in {-1, +1}, unreduced: :math:`\ell = \max(0, -y x)`. Gradient :math:`-y` where
    :math:`y x \le 0`, else 0. At a score of exactly 0 the gradient is -y, as in scikit-learn and the perceptron
    rule: weights that start at zero must move (HingeLoss takes 0 at its kink instead). Output: mean over each
    sample.

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> PerceptronLoss()([-2.0, 0.0, 0.5], [1.0, 1.0, 1.0])
    array([2., 0., 0.], dtype=float32)
    >>> PerceptronLoss().value_and_grad([0.0], [1.0])[1]
    array([-1.], dtype=float32)
    """

    def _elementwise(self, pred, label, need_grad):
        z = _score_margin(pred, label)
        elem = np.maximum(-z, 0)
        if not need_grad:
            return elem, None
        grad = np.less_equal(z, 0).astype(pred.dtype)
        grad *= label
        np.negative(grad, out=grad)
        return elem, grad


class ZeroOneLoss(ElementwiseLoss):
    r"""The 0-1 loss: 1 for a wrong sign, 0 for a right one. The error rate that classification really asks to
    minimise, and the reference every surrogate (hinge, logistic, modified Huber...) bounds from above.

    With x = pred, y = label in {-1, +1}, unreduced: :math:`\ell = [\,y x \le 0\,]` (a score of exactly 0 is no
    decision, so it counts as wrong). Its gradient is 0 wherever it exists (everywhere but y x = 0, where the
    loss jumps): it tells gradient descent nothing, which is why networks train on a surrogate and only report
    this one. losscore returns 0 there too. Output: mean over each sample (the error rate).

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> ZeroOneLoss()([[-2.0, 0.0, 0.5, 3.0]], [[1.0, 1.0, 1.0, -1.0]])  # two wrong, one undecided
    array([0.75], dtype=float32)
    """

    def _elementwise(self, pred, label, need_grad):
        z = _score_margin(pred, label)
        elem = np.less_equal(z, 0).astype(pred.dtype)
        elem[np.isnan(z)] = np.nan  # a NaN score is not a decision either way (and names the bad input)
        return elem, (np.zeros_like(pred) if need_grad else None)
