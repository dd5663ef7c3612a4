"""Losses between distributions: KLDivLoss and PoissonNLLLoss."""

from __future__ import annotations

import math

import numpy as np

from . import _kernels as kernels
from ._base import Loss, prepare_sample_weight, row_sum, softmax_and_log_softmax
from ._kernels import by_rows
from ._validation import (
    as_float_array,
    check_axis,
    check_batch_axis,
    check_broadcasts_to,
    check_int,
    check_same_size,
    check_weight,
    describe,
)

__all__ = ["KLDivLoss", "PoissonNLLLoss", "stirling_log_factorial"]

_LOG_EPS = 1e-12


def _has_negative(a: np.ndarray) -> bool:
    """``(a < 0).any()`` in one pass without a temporary (fmin skips NaN, as the comparison does)."""
    return bool(np.fmin.reduce(a, axis=None) < 0)


class KLDivLoss(Loss):
    r"""Kullback-Leibler divergence KL(label || softmax(pred)), summed per sample.

    With target distribution q = label and predicted log-probabilities :math:`\log p` (pred itself when
    ``from_logits=True``, the default; :math:`\log\operatorname{softmax}(\text{pred})` along ``axis``
    otherwise), unreduced: :math:`\ell_i = w\, s_i\, q_i(\log(q_i + 10^{-12}) - \log p_i)`, so q_i = 0
    contributes 0. The output **sums** over every non-batch axis (MXNet 1.9's behaviour; older MXNet averaged).
    Gradient: :math:`-w s_i q_i` with ``from_logits=True``, and
    :math:`w(p_i \sum_{j} s_j q_j - s_i q_i)` (sum along ``axis``) through the softmax.

    Shape:
        pred (N, ..., C, ...); label broadcasting to pred's shape (not reshaped), entries >= 0; output (N,).

    The tutorial's example (the softmax of the output is [0.2, 0.5, 0.2, 0.1]):

    >>> kl = KLDivLoss(from_logits=False)
    >>> kl([[0.39056206, 1.3068528, 0.39056206, -0.30258512]], [[0.3, 0.4, 0.1, 0.2]]).round(4)
    array([0.1017], dtype=float32)
    """

    def __init__(self, from_logits: bool = True, axis: int = -1, weight: float | None = None,
                 batch_axis: int = 0) -> None:
        self._from_logits = bool(from_logits)
        self._axis = check_int(axis, "axis")
        super().__init__(weight, batch_axis)

    def _params(self):
        return {"from_logits": self._from_logits, "axis": self._axis, **super()._params()}

    def _forward(self, pred, label, sample_weight=None, *, need_grad):
        x = as_float_array(pred, "pred")
        q = as_float_array(label, "label", dtype=x.dtype)
        check_broadcasts_to(q, "label", x.shape)
        if _has_negative(q):
            raise ValueError(f"label must be a distribution with entries >= 0; got {q.min()}")
        axis = check_axis(self._axis, x.ndim)
        batch_axis = check_batch_axis(self._batch_axis, x.ndim)
        if self._from_logits and sample_weight is None and q.shape == x.shape and q.flags.c_contiguous:
            w = 1.0 if self._weight is None else self._weight
            done = by_rows(kernels.kl_rows, x, q, batch_axis, w, False, bool(need_grad), True, _LOG_EPS)
            if done is not None:
                return done[0], {"pred": done[1]}
        if self._from_logits:
            probs, log_p = None, x
        else:
            probs, log_p = softmax_and_log_softmax(x, axis, bool(need_grad))
        elem = np.log(q + _LOG_EPS)
        elem -= log_p
        elem *= q
        qs = np.broadcast_to(q, x.shape)
        if sample_weight is not None:
            s = prepare_sample_weight(sample_weight, x.shape, batch_axis, x.dtype)
            elem *= s
            qs = qs * s
        w = 1.0 if self._weight is None else self._weight
        values = row_sum(elem, batch_axis)
        if w != 1.0:
            values *= w
        grad = None
        if need_grad:
            if probs is None:
                grad = np.multiply(qs, -w, dtype=x.dtype)
            else:
                grad = probs
                grad *= qs.sum(axis=axis, keepdims=True)
                grad -= qs
                if w != 1.0:
                    grad *= w
        return values, {"pred": grad}


def stirling_log_factorial(target: np.ndarray) -> np.ndarray:
    r"""Stirling's approximation of :math:`\log(t!)` used by PoissonNLLLoss(compute_full=True).

    :math:`t\log t - t + \tfrac12 \log(2\pi t)` for t > 1, and 0 for t <= 1 (where MXNet would produce NaN at
    t = 0; the exact value, log(0!) = log(1!) = 0, is 0).

    >>> stirling_log_factorial(np.array([0.0, 1.0, 5.0])).round(4)
    array([0.    , 0.    , 4.7708])
    """
    t = np.asarray(target)
    safe = np.where(t > 1, t, 1)
    term = safe * np.log(safe) - safe + 0.5 * np.log(2 * math.pi * safe)
    return np.where(t > 1, term, 0).astype(t.dtype if t.dtype.kind == "f" else np.float64, copy=False)


class PoissonNLLLoss(Loss):
    r"""Negative log-likelihood of counts under a Poisson distribution, averaged over every element.

    With rate :math:`\mu` and count t, :math:`-\log P(t \mid \mu) = \mu - t\log\mu + \log(t!)`. With
    ``from_logits=True`` (the default) pred is :math:`\log\mu` and the unreduced loss is
    :math:`e^{x} - t x`; otherwise pred is the rate itself and the loss is :math:`x - t\log(x + \epsilon)`.
    ``compute_full=True`` adds Stirling's approximation of :math:`\log(t!)` for t > 1 (a constant in pred, so
    it changes no gradient). The weighted loss is averaged over **all** elements, the batch included.
    Gradient: :math:`(e^{x} - t)/M` or :math:`(1 - t/(x + \epsilon))/M` with M the element count.

    Forward: ``(pred, target, sample_weight=None, epsilon=1e-08)``.

    Shape:
        pred any shape, target with the same number of elements (counts >= 0); output (1,).

    >>> PoissonNLLLoss()([0.0, 1.0], [1.0, 2.0]).round(4)
    array([0.8591], dtype=float32)
    >>> PoissonNLLLoss(from_logits=False)([1.0, 2.0], [1.0, 2.0]).round(4)
    array([0.8069], dtype=float32)
    """

    def __init__(self, weight: float | None = None, from_logits: bool = True, batch_axis: int = 0,
                 compute_full: bool = False) -> None:
        self._from_logits = bool(from_logits)
        self._compute_full = bool(compute_full)
        super().__init__(weight, batch_axis)

    def _params(self):
        return {"weight": self._weight, "from_logits": self._from_logits, "batch_axis": self._batch_axis,
                "compute_full": self._compute_full}

    def pointwise(self, pred, target, epsilon=1e-08, need_grad: bool = True):
        """Unweighted, unreduced loss and its derivative per element: ``(elem, delem)``, both pred's shape.

        >>> PoissonNLLLoss().pointwise([0.0, 1.0], [1.0, 2.0])[0].round(4)
        array([1.    , 0.7183], dtype=float32)
        """
        with np.errstate(all="ignore"):
            return self._pointwise(pred, target, epsilon, need_grad)

    def _pointwise(self, pred, target, epsilon, need_grad):
        # pointwise without its own errstate, for _forward (Loss.value_and_grad already ignores FP errors)
        x = as_float_array(pred, "pred")
        t = check_same_size(as_float_array(target, "target", dtype=x.dtype), "target", x)
        eps = check_weight(epsilon, "epsilon")
        if eps is None or eps < 0:
            raise ValueError(f"epsilon must be a number >= 0; got {describe(epsilon)}")
        if _has_negative(t):
            raise ValueError(f"target must hold counts >= 0; got {t.min()}")
        grad = None
        if self._from_logits:
            rate = np.exp(x)
            elem = t * x
            if x.ndim:  # reuse the temporaries (on 0-d input the ufuncs return numpy scalars instead)
                np.subtract(rate, elem, out=elem)
                grad = np.subtract(rate, t, out=rate) if need_grad else None
            else:
                elem = rate - elem
                grad = rate - t if need_grad else None
        else:
            shifted = x + eps
            if np.fmin.reduce(shifted, axis=None) <= 0:  # (shifted <= 0).any(): fmin skips NaN likewise
                raise ValueError(
                    f"pred must hold positive rates when from_logits=False (pred + epsilon > 0); got {x.min()}"
                )
            elem = x - t * np.log(shifted)
            if need_grad:
                grad = 1 - t / shifted
        if self._compute_full:
            elem += stirling_log_factorial(t)
        return elem, grad

    def _forward(self, pred, target, sample_weight=None, epsilon=1e-08, *, need_grad):
        elem, grad = self._pointwise(pred, target, epsilon, bool(need_grad))
        dtype = elem.dtype
        if sample_weight is not None:
            s = prepare_sample_weight(sample_weight, elem.shape, 0, dtype)
            elem *= s
            if grad is not None:
                grad *= s
        scale = (1.0 if self._weight is None else self._weight) / elem.size
        values = np.add.reduce(elem.reshape(-1), keepdims=True)  # shape (1,)
        values *= scale
        if grad is not None:
            grad *= scale
        return values, {"pred": grad}
