"""Classification losses: SigmoidBinaryCrossEntropyLoss, SoftmaxCrossEntropyLoss, HingeLoss, SquaredHingeLoss
and LogisticLoss."""

from __future__ import annotations

import numpy as np

from . import _kernels as kernels
from ._base import ElementwiseLoss, Loss, reduce_loss
from ._class_index import class_indices, onehot
from ._kernels import by_rows, clip, exp_neg_abs, log1p_unit
from ._validation import as_float_array, check_broadcasts_to, check_int, check_same_size, check_weight, pred_and_label

__all__ = [
    "HingeLoss",
    "LogisticLoss",
    "SigmoidBCELoss",
    "SigmoidBinaryCrossEntropyLoss",
    "SoftmaxCELoss",
    "SoftmaxCrossEntropyLoss",
    "SquaredHingeLoss",
]

_EPS = 1e-12  # added inside the logs of the probability form, as MXNet does


def _softplus_parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(log(1 + exp(-|x|)), exp(-|x|))``: the overflow-free pieces of softplus and sigmoid."""
    t = exp_neg_abs(x)
    return log1p_unit(t), t


def _sigmoid(x: np.ndarray, t: np.ndarray, negate: bool = False) -> np.ndarray:
    """sigmoid(x) (or sigmoid(-x) when ``negate``) from ``t = exp(-|x|)``, without overflow.

    The numerator is 1 on the side where the sigmoid is >= 1/2 and t on the other: max(mask, t) with a 0/1
    mask selects it without np.where (t <= 1, and both choices agree at x = 0 where t = 1).
    """
    num = (np.less(x, 0) if negate else np.greater_equal(x, 0)).astype(t.dtype)
    np.maximum(num, t, out=num)
    num /= 1.0 + t
    return num


def _binary_logit_loss(x: np.ndarray, z: np.ndarray, need_grad: bool):
    """Cross-entropy of sigmoid(x) against target z: max(x, 0) - x z + log(1 + exp(-|x|)); grad sigmoid(x) - z.

    max(x, 0) - x z is computed as x ([x >= 0] - z), one product per element.
    """
    soft, t = _softplus_parts(x)
    h = np.greater_equal(x, 0).astype(x.dtype)
    elem = np.subtract(h, z)
    elem *= x
    elem += soft
    if not need_grad:
        return elem, None
    np.maximum(h, t, out=h)
    t += 1.0
    h /= t
    h -= z
    return elem, h


def _margin_product(pred, label, margin):
    """margin - pred * label, a fresh array."""
    r = pred * label
    np.subtract(margin, r, out=r)
    return r


def _check_margin(margin) -> float:
    value = check_weight(margin, "margin")
    if value is None:
        raise TypeError("margin must be a number; got None")
    return value


class SigmoidBinaryCrossEntropyLoss(Loss):
    r"""Binary cross-entropy on a sigmoid output, computed from logits without overflow.

    With x = pred, z = label in [0, 1] and p = pos_weight (1 if not given), unreduced:

    .. math:: \ell_i = -\big(p\, z \log\sigma(x) + (1 - z)\log(1 - \sigma(x))\big)

    evaluated as :math:`(1-z)x + (1 + (p-1)z)(\log(1+e^{-|x|}) + \max(-x, 0))`; gradient
    :math:`\sigma(x)(1 + (p-1)z) - pz`, which is :math:`\sigma(x) - z` without pos_weight.
    With ``from_sigmoid=True`` pred is already a probability q in [0, 1] and
    :math:`\ell = -(p z \log(q + \epsilon) + (1 - z)\log(1 - q + \epsilon))`, :math:`\epsilon = 10^{-12}`.
    A network whose last layer is a sigmoid needs ``from_sigmoid=True``; otherwise the sigmoid is applied twice.
    Output: weighted mean over each sample.

    Args:
        from_sigmoid: pred holds probabilities rather than logits.

    Forward: ``(pred, label, sample_weight=None, pos_weight=None)``; pos_weight broadcasts to pred (e.g. (1, C))
    and scales the positive term.

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> bce = SigmoidBinaryCrossEntropyLoss()
    >>> bce([0.0, 2.0], [1.0, 1.0]).round(4)
    array([0.6931, 0.1269], dtype=float32)
    >>> SigmoidBinaryCrossEntropyLoss(from_sigmoid=True)([0.5, 0.880797], [1.0, 1.0]).round(4)
    array([0.6931, 0.1269], dtype=float32)
    """

    def __init__(self, from_sigmoid: bool = False, weight: float | None = None, batch_axis: int = 0) -> None:
        self._from_sigmoid = bool(from_sigmoid)
        super().__init__(weight, batch_axis)

    @property
    def from_sigmoid(self) -> bool:
        return self._from_sigmoid

    def _params(self):
        return {"from_sigmoid": self._from_sigmoid, **super()._params()}

    def _forward(self, pred, label, sample_weight=None, pos_weight=None, *, need_grad):
        x, z = pred_and_label(pred, label)
        p = None
        if pos_weight is not None:
            p = as_float_array(pos_weight, "pos_weight", dtype=x.dtype)
            check_broadcasts_to(p, "pos_weight", x.shape, " (e.g. (1, C))")
        if p is None and sample_weight is None and not self._from_sigmoid:
            w = 1.0 if self._weight is None else self._weight
            done = by_rows(kernels.logit_rows, x, z, self._batch_axis, w, True, bool(need_grad), True)
            if done is not None:
                return done[0], {"pred": done[1]}
        grad = None
        if self._from_sigmoid:
            if np.any((x < 0) | (x > 1)):
                raise ValueError("pred must hold probabilities in [0, 1] when from_sigmoid=True; "
                                 f"got values from {x.min()} to {x.max()}")
            log_q = np.log(x + _EPS)
            log_1mq = np.log((1 - x) + _EPS)
            zp = z if p is None else z * p
            elem = -(log_q * zp + log_1mq * (1 - z))
            if need_grad:
                grad = (1 - z) / ((1 - x) + _EPS) - zp / (x + _EPS)
        elif p is None:
            elem, grad = _binary_logit_loss(x, z, bool(need_grad))
        else:
            lw = 1 + (p - 1) * z
            soft, t = _softplus_parts(x)
            elem = (1 - z) * x + lw * (soft + np.maximum(-x, 0))
            if need_grad:
                grad = (1 - z) - lw * _sigmoid(x, t, negate=True)
        values, grad = reduce_loss(elem, grad, sample_weight, self._weight, self._batch_axis)
        return values, {"pred": grad}


SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss


class SoftmaxCrossEntropyLoss(Loss):
    r"""Softmax followed by cross-entropy, fused so that large logits cannot overflow.

    With logits x along ``axis`` (C classes) and :math:`\log p = \log\operatorname{softmax}(x)`, unreduced:
    sparse label y (a class index): :math:`\ell = -\log p_y`; dense label q (a distribution per position):
    :math:`\ell = -\sum_c q_c \log p_c`. Gradient w.r.t. the logits: :math:`p - \operatorname{onehot}(y)`, or
    :math:`p \sum_c q_c - q`. With ``from_logits=True`` pred is taken as log-probabilities as given (not
    re-normalised) and the gradient is :math:`-\operatorname{onehot}(y)` or :math:`-q`.
    The loss keeps ``axis`` at size 1 and is then averaged over the remaining non-batch axes.

    Sparse labels must be whole numbers in [0, C): MXNet truncates and clips anything else silently, losscore
    raises a ValueError instead.

    Shape:
        pred (N, ..., C, ...); sparse label: pred's shape without ``axis`` (or with it of size 1);
        dense label: pred's number of elements. sample_weight broadcasting to the loss, e.g. (N, 1).
        Output (N,).

    The tutorial's example:

    >>> SoftmaxCrossEntropyLoss()([[1, 10], [8, 2]], [0, 1]).round(4)
    array([9.0001, 6.0025], dtype=float32)
    """

    def __init__(
        self,
        axis: int = -1,
        sparse_label: bool = True,
        from_logits: bool = False,
        weight: float | None = None,
        batch_axis: int = 0,
    ) -> None:
        self._axis = check_int(axis, "axis")
        self._sparse_label = bool(sparse_label)
        self._from_logits = bool(from_logits)
        super().__init__(weight, batch_axis)

    def _params(self):
        return {"axis": self._axis, "sparse_label": self._sparse_label, "from_logits": self._from_logits,
                **super()._params()}

    def _forward(self, pred, label, sample_weight=None, *, need_grad):
        x = as_float_array(pred, "pred")
        if not -x.ndim <= self._axis < max(x.ndim, 1) or x.ndim == 0:
            raise ValueError(f"axis={self._axis} is out of range for pred of shape {x.shape}")
        axis = self._axis % x.ndim
        if self._sparse_label:
            idx = class_indices(label, x, axis, self._axis)
            elem, grad = self._sparse(x, idx, axis, bool(need_grad))
        else:
            q = check_same_size(as_float_array(label, "label", dtype=x.dtype), "label", x)
            elem, grad = self._dense(x, q, axis, bool(need_grad))
        values, grad = reduce_loss(elem, grad, sample_weight, self._weight, self._batch_axis)
        return values, {"pred": grad}

    def _sparse(self, x, idx, axis, need_grad):
        if not self._from_logits and axis == x.ndim - 1 and x.ndim >= 2 and x.flags.c_contiguous:
            return self._sparse_rows(x, idx, need_grad)
        picked = np.take_along_axis(x, idx, axis=axis)
        if self._from_logits:
            elem = -picked
            return elem, (-onehot(idx, axis, x) if need_grad else None)
        # log-sum-exp, exponentiating once into what becomes the gradient buffer
        m = x.max(axis=axis, keepdims=True)
        g = np.subtract(x, m)
        np.exp(g, out=g)
        total = g.sum(axis=axis, keepdims=True)
        elem = np.log(total)
        elem += m
        elem -= picked
        if not need_grad:
            return elem, None
        g /= total
        if x.ndim == 2 and axis == 1:
            g[np.arange(x.shape[0]), idx[:, 0]] -= 1
        else:
            g -= onehot(idx, axis, x)
        return elem, g

    @staticmethod
    def _sparse_rows(x, idx, need_grad):
        """``_sparse`` with classes on the last axis of a C-contiguous x: kernels.softmax_ce_rows."""
        x2 = x.reshape(-1, x.shape[-1])
        done = by_rows(kernels.softmax_ce_rows, x2, idx.reshape(-1), 0, 1.0, False, need_grad, True)
        assert done is not None  # x2 is C-contiguous, batch first
        elem, grad = done
        return elem.reshape(x.shape[:-1] + (1,)), (grad.reshape(x.shape) if need_grad else None)

    def _dense(self, x, q, axis, need_grad):
        if self._from_logits:
            elem = -(x * q).sum(axis=axis, keepdims=True)
            return elem, (-q if need_grad else None)
        m = x.max(axis=axis, keepdims=True)
        g = np.subtract(x, m)
        np.exp(g, out=g)
        total = g.sum(axis=axis, keepdims=True)
        lse = np.log(total)
        lse += m
        q_sum = q.sum(axis=axis, keepdims=True)
        elem = lse * q_sum - (x * q).sum(axis=axis, keepdims=True)
        if not need_grad:
            return elem, None
        g /= total
        g *= q_sum
        g -= q
        return elem, g


SoftmaxCELoss = SoftmaxCrossEntropyLoss


class HingeLoss(ElementwiseLoss):
    r"""The SVM hinge: zero once pred has the label's sign with at least ``margin`` to spare.

    Unreduced: :math:`\ell_i = w\, s_i \max(0, m - \text{pred}_i\,\text{label}_i)` with labels in {-1, +1}
    (other values are used as given); output: mean over each sample. Gradient:
    :math:`-\text{label}_i` where :math:`m - \text{pred}_i\text{label}_i > 0`, else 0 (0 at the kink).

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> HingeLoss()([-1.0, 0.5, 2.0], [1.0, 1.0, 1.0])
    array([2. , 0.5, 0. ], dtype=float32)
    """

    def __init__(self, margin: float = 1.0, weight: float | None = None, batch_axis: int = 0) -> None:
        self._margin = _check_margin(margin)
        super().__init__(weight, batch_axis)

    @property
    def margin(self) -> float:
        return self._margin

    def _params(self):
        return {"margin": self._margin, **super()._params()}

    _kernel = kernels.hinge_rows

    def _kernel_params(self):
        return (self._margin,)

    def _elementwise(self, pred, label, need_grad):
        r = _margin_product(pred, label, self._margin)
        clip(r, 0, None, out=r)
        if not need_grad:
            return r, None
        grad = np.greater(r, 0).astype(pred.dtype)  # the hinge is active: slope -label
        grad *= label
        kernels.zero_nan(grad)
        np.negative(grad, out=grad)
        return r, grad


class SquaredHingeLoss(HingeLoss):
    r"""The squared hinge: like HingeLoss but quadratic inside the margin, so its gradient is continuous.

    Unreduced: :math:`\ell_i = w\, s_i \max(0, m - \text{pred}_i\,\text{label}_i)^2`; output: mean over each
    sample. Gradient: :math:`-2\,\text{label}_i \max(0, m - \text{pred}_i\text{label}_i)`.

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> SquaredHingeLoss()([-1.0, 0.5, 2.0], [1.0, 1.0, 1.0])
    array([4.  , 0.25, 0.  ], dtype=float32)
    """

    def _elementwise(self, pred, label, need_grad):
        r = _margin_product(pred, label, self._margin)
        clip(r, 0, None, out=r)
        elem = r * r
        if not need_grad:
            return elem, None
        r *= -2.0
        r *= label
        return elem, r

    def _kernel_params(self):
        return (self._margin, True)


class LogisticLoss(ElementwiseLoss):
    r"""Logistic loss :math:`\log(1 + e^{-\text{pred}\cdot y})` for labels y in {-1, +1} (or {0, 1}).

    ``label_format='signed'`` reads labels in {-1, 1} and maps them to z = (label + 1)/2; ``'binary'`` reads
    z = label in {0, 1}. Unreduced: :math:`\ell_i = \max(x, 0) - x z + \log(1 + e^{-|x|})` (the same value
    as :math:`\log(1 + e^{-x y})`), output: weighted mean over each sample. Gradient: :math:`\sigma(x) - z`.

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> LogisticLoss()([0.0, 2.0, -2.0], [1.0, 1.0, -1.0]).round(4)
    array([0.6931, 0.1269, 0.1269], dtype=float32)
    """

    def __init__(self, weight: float | None = None, batch_axis: int = 0, label_format: str = "signed") -> None:
        if label_format not in ("signed", "binary"):
            raise ValueError(f"label_format must be 'signed' or 'binary'; got {label_format!r}")
        self._label_format = label_format
        super().__init__(weight, batch_axis)

    @property
    def label_format(self) -> str:
        return self._label_format

    def _params(self):
        return {**super()._params(), "label_format": self._label_format}

    _kernel = kernels.logit_rows
    _parallel = True

    def _kernel_params(self):
        return (self._label_format == "signed",)

    def _elementwise(self, pred, label, need_grad):
        z = (label + 1) * 0.5 if self._label_format == "signed" else label
        return _binary_logit_loss(pred, z, need_grad)
