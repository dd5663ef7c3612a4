"""Contrastive and margin-softmax embedding losses: InfoNCELoss (NT-Xent), CosFaceLoss and ArcFaceLoss.

All three compare directions only (cosine similarities of L2-normalised vectors) and end in a softmax
cross-entropy over scaled cosines; they give gradients for every vector input (``wrt=`` names them), in the
conventions of pytorch-metric-learning 2.9, which the tests hold them to.
"""

from __future__ import annotations

import math

import numpy as np

from ._base import Loss, softmax_and_log_softmax
from ._validation import as_float_array, check_weight, describe

__all__ = ["ArcFaceLoss", "CosFaceLoss", "InfoNCELoss", "cosine_matrix"]

#: sin(theta) is floored here in ArcFace's derivative, which diverges as theta -> 0 (an embedding on its centre)
_SIN_FLOOR = 1e-6


def _positive(value, name: str) -> float:
    v = check_weight(value, name)
    if v is None or v <= 0:
        raise ValueError(f"{name} must be a number > 0; got {describe(value)}")
    return v


def _unit_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of x divided by their norms, and the norms; a zero row stays zero.

    Each row is first divided by its largest entry, so that squaring neither overflows (1e30 in float32) nor
    underflows (1e-30) and every nonzero vector keeps its direction.
    """
    big = np.max(np.abs(x), axis=1)
    y = x / np.where(big > 0, big, 1)[:, None]
    length = np.sqrt(np.einsum("ij,ij->i", y, y))  # >= 1 for a nonzero row
    unit = y / np.where(length > 0, length, 1)[:, None]
    return unit, big * length


def _through_normalise(g_unit: np.ndarray, unit: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """Chain rule through x -> x / |x|: (g - (g.u) u) / |x|; 0 for a zero row (the direction is undefined)."""
    radial = np.einsum("ij,ij->i", g_unit, unit)[:, None]
    g = g_unit - radial * unit
    safe = np.where(norms > 0, norms, np.inf)
    g /= safe[:, None]
    return g


def cosine_matrix(a, b) -> np.ndarray:
    """Cosine similarities of every row of a (N, D) with every row of b (M, D): shape (N, M).

    >>> cosine_matrix([[1.0, 0.0]], [[1.0, 1.0], [0.0, 2.0]]).round(4)
    array([[0.7071, 0.    ]], dtype=float32)
    """
    x = as_float_array(a, "a")
    y = as_float_array(b, "b", dtype=x.dtype)
    return _unit_rows(np.atleast_2d(x))[0] @ _unit_rows(np.atleast_2d(y))[0].T


def _per_sample_scale(sample_weight, weight: float | None, n: int, dtype) -> np.ndarray:
    scale = np.full(n, 1.0 if weight is None else weight, dtype=dtype)
    if sample_weight is not None:
        s = as_float_array(sample_weight, "sample_weight", dtype=dtype)
        if s.size not in (1, n):
            raise ValueError(f"sample_weight must hold 1 or {n} values (one per sample); got shape {s.shape}")
        scale = scale * s.reshape(-1)
    return scale


def _matrix(x, name: str, dtype=None) -> np.ndarray:
    a = as_float_array(x, name, dtype=dtype)
    if a.ndim != 2:
        raise ValueError(f"{name} must have shape (N, D): one vector per row; got shape {a.shape}")
    return a


class InfoNCELoss(Loss):
    r"""InfoNCE / NT-Xent: each anchor must pick its own positive out of the batch's positives.

    With anchors a = pred (N, D), positives p (N, D), cosine similarities
    :math:`c_{ij} = \hat a_i \cdot \hat p_j` (unit vectors) and temperature τ, per anchor
    :math:`\ell_i = w s_i\big(-c_{ii}/τ + \log\sum_j e^{c_{ij}/τ}\big)` — a softmax cross-entropy over the row
    :math:`c_{i\cdot}/τ` with the matching positive as the class: the other rows' positives are the N - 1
    negatives. A low temperature sharpens the softmax onto the hardest negatives.
    Gradients with :math:`G = (\operatorname{softmax}(c/τ) - I)\,\mathrm{diag}(w s)/τ`:
    :math:`\partial/\partial \hat a = G\hat p`, :math:`\partial/\partial \hat p = G^\top \hat a`, then through
    the normalisation (:math:`(g - (g\cdot\hat x)\hat x)/\lVert x\rVert`).

    This is pytorch-metric-learning's ``NTXentLoss(temperature=τ)`` called as
    ``loss(anchors, labels, ref_emb=positives, ref_labels=labels.clone())`` with ``labels = arange(N)``, whose
    value is the mean of these per-anchor values (ref_labels must be another tensor than labels: pml drops the
    diagonal pairs when they are the same object) (one direction; SimCLR's symmetric form concatenates both views:
    ``loss(cat(a, p), cat(arange(N), arange(N)))`` has 2N - 2 negatives per anchor).

    Forward: ``(pred, positive, sample_weight=None)``; ``wrt`` may name ``"pred"`` and ``"positive"``.

    Shape:
        pred and positive (N, D) with N >= 2; sample_weight N values; output (N,).

    >>> InfoNCELoss(temperature=1.0)([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]).round(4)
    array([0.3133, 0.3133], dtype=float32)
    """

    grad_inputs = ("pred", "positive")

    def __init__(self, temperature: float = 0.1, weight: float | None = None, batch_axis: int = 0) -> None:
        self._temperature = _positive(temperature, "temperature")
        super().__init__(weight, batch_axis)
        if self._batch_axis != 0:
            raise ValueError(f"batch_axis must be 0 for InfoNCELoss (rows are samples); got {batch_axis}")

    @property
    def temperature(self) -> float:
        return self._temperature

    def _params(self):
        return {"temperature": self._temperature, **super()._params()}

    def logits(self, pred, positive) -> np.ndarray:
        """The (N, N) matrix of cosines divided by the temperature: row i is anchor i's softmax input."""
        a = _matrix(pred, "pred")
        p = _matrix(positive, "positive", dtype=a.dtype)
        return (_unit_rows(a)[0] @ _unit_rows(p)[0].T) / a.dtype.type(self._temperature)

    def _forward(self, pred, positive, sample_weight=None, *, need_grad):
        a = _matrix(pred, "pred")
        p = _matrix(positive, "positive", dtype=a.dtype)
        if a.shape != p.shape:
            raise ValueError(f"pred and positive must have the same shape (N, D); got {a.shape} and {p.shape}")
        n = a.shape[0]
        if n < 2:
            raise ValueError(f"InfoNCELoss needs a batch of at least 2 pairs (pred shape (N, D), N >= 2); got N={n}")
        ua, na = _unit_rows(a)
        up, npos = _unit_rows(p)
        z = ua @ up.T
        z /= a.dtype.type(self._temperature)
        probs, log_p = softmax_and_log_softmax(z, axis=1, need_softmax=bool(need_grad))
        scale = _per_sample_scale(sample_weight, self._weight, n, a.dtype)
        values = -np.diagonal(log_p) * scale
        grads = {}
        if need_grad:
            g = probs
            g[np.diag_indices(n)] -= 1
            g *= (scale / a.dtype.type(self._temperature))[:, None]
            if "pred" in need_grad:
                grads["pred"] = _through_normalise(g @ up, ua, na)
            if "positive" in need_grad:
                grads["positive"] = _through_normalise(g.T @ ua, up, npos)
        return values.astype(a.dtype, copy=False), grads


class _MarginSoftmaxLoss(Loss):
    """Softmax cross-entropy over ``scale`` times the cosines to class centres, the target's cosine changed."""

    grad_inputs = ("pred", "centers")

    def __init__(self, scale: float, margin: float, weight: float | None = None, batch_axis: int = 0) -> None:
        self._scale = _positive(scale, "scale")
        m = check_weight(margin, "margin")
        if m is None or m < 0:
            raise ValueError(f"margin must be a number >= 0; got {describe(margin)}")
        self._margin = m
        super().__init__(weight, batch_axis)
        if self._batch_axis != 0:
            raise ValueError(f"batch_axis must be 0 for {type(self).__name__} (rows are samples); got {batch_axis}")

    @property
    def scale(self) -> float:
        return self._scale

    @property
    def margin(self) -> float:
        return self._margin

    def _params(self):
        return {"scale": self._scale, "margin": self._margin, **super()._params()}

    def target_logit(self, cos: np.ndarray, need_grad: bool = False):
        """The target class's changed cosine (before the scale), and its derivative in cos if asked."""
        raise NotImplementedError

    def _inputs(self, pred, label, centers):
        e = _matrix(pred, "pred")
        w = _matrix(centers, "centers", dtype=e.dtype)
        if w.shape[1] != e.shape[1]:
            raise ValueError(
                f"centers must have shape (C, D) with D = {e.shape[1]} (pred's vector length); got {w.shape}"
            )
        n, c = e.shape[0], w.shape[0]
        y = as_float_array(label, "label")
        if y.size != n:
            raise ValueError(f"label must hold one class index per row of pred: {n} values; got shape {y.shape}")
        y = y.reshape(n)
        if not (np.all(y == np.round(y)) and np.all((y >= 0) & (y < c))):
            raise ValueError(f"label must hold whole class indices in [0, {c}) (centers has {c} rows); got {y}")
        return e, w, y.astype(np.intp)

    def _forward(self, pred, label, centers, sample_weight=None, *, need_grad):
        e, w, y = self._inputs(pred, label, centers)
        n = e.shape[0]
        rows = np.arange(n)
        ue, ne = _unit_rows(e)
        uw, nw = _unit_rows(w)
        cos = ue @ uw.T
        target, dtarget = self.target_logit(np.clip(cos[rows, y], -1.0, 1.0), bool(need_grad))
        z = cos.copy()
        z[rows, y] = target
        z *= e.dtype.type(self._scale)
        probs, log_p = softmax_and_log_softmax(z, axis=1, need_softmax=bool(need_grad))
        s = _per_sample_scale(sample_weight, self._weight, n, e.dtype)
        values = -log_p[rows, y] * s
        grads = {}
        if need_grad:
            g = probs  # d loss / d z, then d z / d cos
            g[rows, y] -= 1
            g *= (s * e.dtype.type(self._scale))[:, None]
            g[rows, y] *= dtarget
            if "pred" in need_grad:
                grads["pred"] = _through_normalise(g @ uw, ue, ne)
            if "centers" in need_grad:
                grads["centers"] = _through_normalise(g.T @ ue, uw, nw)
        return values.astype(e.dtype, copy=False), grads


class CosFaceLoss(_MarginSoftmaxLoss):
    r"""Additive cosine margin (CosFace, large margin cosine loss; arXiv:1801.09414).

    With embeddings e = pred (N, D), class centres W (C, D), :math:`\cos_{ij} = \hat e_i\cdot\hat W_j` and class
    indices y, per sample :math:`\ell_i = w s_i\,\mathrm{CE}\big(S(\cos_{i\cdot} - m\,[j = y_i]), y_i\big)`:
    the target class must win by a margin m in cosine, at the scale S. Gradients flow to the embeddings and to
    the centres through the normalisation (a zero vector gets gradient 0).

    pytorch-metric-learning's ``CosFaceLoss(num_classes=C, embedding_size=D, margin=m, scale=S)`` with its
    ``W`` set to ``centers.T`` gives the mean of these values.

    Forward: ``(pred, label, centers, sample_weight=None)``; ``wrt`` may name ``"pred"`` and ``"centers"``.

    Shape:
        pred (N, D); label N class indices in [0, C); centers (C, D); output (N,).

    >>> loss = CosFaceLoss(scale=10.0, margin=0.2)
    >>> loss([[1.0, 0.0]], [0], [[1.0, 0.0], [0.0, 1.0]]).round(4)
    array([0.0003], dtype=float32)
    """

    def __init__(self, scale: float = 30.0, margin: float = 0.35, weight: float | None = None,
                 batch_axis: int = 0) -> None:
        super().__init__(scale, margin, weight, batch_axis)

    def target_logit(self, cos, need_grad=False):
        return cos - cos.dtype.type(self._margin), (np.ones_like(cos) if need_grad else None)


class ArcFaceLoss(_MarginSoftmaxLoss):
    r"""Additive angular margin (ArcFace; arXiv:1801.07698).

    As CosFaceLoss, but the margin m (radians) is added to the angle :math:`θ = \arccos\cos_{iy}` of the target
    class: its logit is :math:`S\cos(θ + m)` for θ <= π - m, and :math:`S(\cos θ - m \sin m)` beyond (where
    cos(θ + m) would turn back up; the paper's code and pytorch-metric-learning keep the logit falling this way).
    Derivative of the target logit in cos θ: :math:`\sin(θ + m)/\sin θ`, with sin θ floored at 1e-6 (it diverges
    as an embedding reaches its centre), and 1 beyond π - m.

    pytorch-metric-learning's ``ArcFaceLoss(num_classes=C, embedding_size=D, margin=degrees(m), scale=S)`` (its
    margin is in **degrees**) with ``W = centers.T`` gives the mean of these values.

    Forward: ``(pred, label, centers, sample_weight=None)``; ``wrt`` may name ``"pred"`` and ``"centers"``.

    Shape:
        pred (N, D); label N class indices in [0, C); centers (C, D); output (N,).

    >>> loss = ArcFaceLoss(scale=10.0, margin=0.5)
    >>> loss([[1.0, 1.0]], [0], [[1.0, 0.0], [0.0, 1.0]]).round(4)
    array([4.2698], dtype=float32)
    """

    def __init__(self, scale: float = 30.0, margin: float = 0.5, weight: float | None = None,
                 batch_axis: int = 0) -> None:
        super().__init__(scale, margin, weight, batch_axis)
        if self._margin >= math.pi:
            raise ValueError(f"margin must be an angle in [0, pi) radians; got {self._margin}")

    def target_logit(self, cos, need_grad=False):
        m = self._margin
        theta = np.arccos(cos)
        inside = theta <= math.pi - m
        logit = np.where(inside, np.cos(theta + m), cos - m * math.sin(m)).astype(cos.dtype, copy=False)
        grad = None
        if need_grad:
            ratio = np.sin(theta + m) / np.maximum(np.sin(theta), _SIN_FLOOR)
            grad = np.where(inside, ratio, 1.0).astype(cos.dtype, copy=False)
        return logit, grad
