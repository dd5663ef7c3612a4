"""More divergences between distributions, beside KLDivLoss: ReverseKLDivLoss and JensenShannonLoss.

Same conventions as :class:`losscore.KLDivLoss` (pred holds log-probabilities unless ``from_logits=False``,
label is the target distribution, the output sums over every non-batch axis), so that the three can be drawn on
one chart and swapped in one line. The label is a target, not a parameter: gradients are with respect to pred.
"""

from __future__ import annotations

import math

import numpy as np

from ._base import Loss, prepare_sample_weight, row_sum, softmax_and_log_softmax
from ._validation import as_float_array, check_axis, check_batch_axis, check_broadcasts_to, check_int
from .distribution import _has_negative

__all__ = ["JensenShannonLoss", "ReverseKLDivLoss"]

_LOG_EPS = 1e-12
_LOG2 = math.log(2.0)


class _DivergenceLoss(Loss):
    """Shared plumbing: checks, log-probabilities of pred, sample weights and the chain rule through softmax."""

    def __init__(self, from_logits: bool = True, axis: int = -1, weight: float | None = None,
                 batch_axis: int = 0) -> None:
        self._from_logits = bool(from_logits)
        self._axis = check_int(axis, "axis")
        super().__init__(weight, batch_axis)

    @property
    def from_logits(self) -> bool:
        return self._from_logits

    def _params(self):
        return {"from_logits": self._from_logits, "axis": self._axis, **super()._params()}

    def _terms(self, log_p: np.ndarray, q: np.ndarray, need_grad: bool):
        """Per-element divergence and its derivative with respect to log p (both fresh, pred's shape)."""
        raise NotImplementedError

    def _forward(self, pred, label, sample_weight=None, *, need_grad):
        x = as_float_array(pred, "pred")
        q = as_float_array(label, "label", dtype=x.dtype)
        check_broadcasts_to(q, "label", x.shape)
        if _has_negative(q):
            raise ValueError(f"label must be a distribution with entries >= 0; got {q.min()}")
        axis = check_axis(self._axis, x.ndim)
        batch_axis = check_batch_axis(self._batch_axis, x.ndim)
        if self._from_logits:
            probs, log_p = None, x
        else:
            probs, log_p = softmax_and_log_softmax(x, axis, bool(need_grad))
        elem, dlogp = self._terms(log_p, np.broadcast_to(q, x.shape), bool(need_grad))
        w = 1.0 if self._weight is None else self._weight
        if sample_weight is not None:
            s = prepare_sample_weight(sample_weight, x.shape, batch_axis, x.dtype)
            elem *= s
            if dlogp is not None:
                dlogp *= s
        values = row_sum(elem, batch_axis)
        if w != 1.0:
            values *= w
        grad = None
        if dlogp is not None:
            if w != 1.0:
                dlogp *= w
            if probs is None:
                grad = dlogp  # pred is log p itself
            else:  # d/dx_k of sum_c g_c log_softmax(x)_c = g_k - p_k sum_c g_c
                grad = probs
                grad *= -dlogp.sum(axis=axis, keepdims=True)
                grad += dlogp
        return values, {"pred": grad}


class ReverseKLDivLoss(_DivergenceLoss):
    r"""Reverse Kullback-Leibler divergence KL(p || q): the prediction p against the target q = label.

    KLDivLoss measures KL(q || p) (mass-covering: p is charged for every place q has mass and p has none);
    the reverse direction charges p for putting mass where q has none, so a p too simple for q settles on one
    of q's modes (mode-seeking). With log p = pred (``from_logits=True``, the default) or
    log_softmax(pred) along ``axis``, unreduced
    :math:`\ell_i = w\, s_i\, p_i(\log p_i - \log(q_i + 10^{-12}))`, summed over every non-batch axis; the
    :math:`10^{-12}` keeps q_i = 0 finite (about 27.6 nats per unit of p there), as KLDivLoss does for its label.
    Gradient with respect to log p: :math:`g_i = w s_i p_i(\log p_i - \log(q_i + 10^{-12}) + 1)`, which is the
    gradient with ``from_logits=True``; through the softmax it becomes :math:`g_k - p_k \sum_c g_c`.

    Forward: ``(pred, label, sample_weight=None)``; the gradient is with respect to pred.

    Shape:
        pred (N, ..., C, ...); label broadcasting to pred's shape, entries >= 0; output (N,).

    PyTorch's ``kl_div`` with the arguments swapped gives the same numbers:
    ``F.kl_div(torch.log(q + 1e-12), pred, reduction='none', log_target=True).sum(-1)``.

    >>> import numpy as np
    >>> p = np.log(np.array([[0.5, 0.5]]))
    >>> ReverseKLDivLoss()(p, [[0.9, 0.1]]).round(4)
    array([0.5108])
    """

    def _terms(self, log_p, q, need_grad):
        p = np.exp(log_p)
        diff = np.log(q + _LOG_EPS)
        np.subtract(log_p, diff, out=diff)  # log p - log q
        # p = 0 (log p = -inf, or exp underflowing) contributes exactly nothing, as q = 0 does in KLDivLoss
        # (p == 0 rather than p > 0 keeps a NaN a NaN, so that a bad input is reported, not silently dropped)
        elem = np.where(p == 0, 0, p * diff).astype(log_p.dtype, copy=False)
        grad = np.where(p == 0, 0, p * (diff + 1)).astype(log_p.dtype, copy=False) if need_grad else None
        return elem, grad


class JensenShannonLoss(_DivergenceLoss):
    r"""Jensen-Shannon divergence between the prediction p and the target q = label, in nats.

    With m = (p + q) / 2: :math:`JS = \tfrac12 KL(p \| m) + \tfrac12 KL(q \| m)`, symmetric in p and q and
    bounded by log 2 (reached when p and q share no mass), so it neither explodes where one side has no mass
    nor prefers covering to seeking. Unreduced
    :math:`\ell_i = \tfrac{w s_i}{2}\big(p_i \log\tfrac{p_i}{m_i} + q_i \log\tfrac{q_i}{m_i}\big)`, summed over
    every non-batch axis; 0 log 0 = 0. With log p = pred (``from_logits=True``, the default) or
    log_softmax(pred) along ``axis``; log m is computed as logaddexp(log p, log q) - log 2, so nothing overflows.
    Gradient with respect to log p: :math:`g_i = \tfrac{w s_i}{2} p_i \log(p_i / m_i)` (bounded), and
    :math:`g_k - p_k \sum_c g_c` through the softmax.

    Forward: ``(pred, label, sample_weight=None)``; the gradient is with respect to pred.

    Shape:
        pred (N, ..., C, ...); label broadcasting to pred's shape, entries >= 0; output (N,).

    ``scipy.spatial.distance.jensenshannon(p, q)`` is the square root of this value (and normalises p and q
    first).

    >>> import numpy as np
    >>> JensenShannonLoss()(np.log([[0.5, 0.5, 1e-30]]), [[0.0, 0.0, 1.0]]).round(4)
    array([0.6931])
    """

    def _terms(self, log_p, q, need_grad):
        p = np.exp(log_p)
        log_q = np.log(q)  # -inf at q = 0 (errors are silenced by Loss.value_and_grad)
        log_m = np.logaddexp(log_p, log_q)
        log_m -= _LOG2
        p_term = np.where(p == 0, 0, log_p - log_m)  # log(p / m) <= log 2, only where p > 0 (NaN stays NaN)
        p_term *= p
        q_part = np.where(q == 0, 0, q * (log_q - log_m))
        elem = p_term + q_part
        elem *= 0.5
        elem = elem.astype(log_p.dtype, copy=False)
        grad = None
        if need_grad:
            grad = (0.5 * p_term).astype(log_p.dtype, copy=False)
        return elem, grad
