"""Embedding losses: TripletLoss, CosineEmbeddingLoss and SDMLLoss.

These compare vectors with vectors rather than predictions with labels, and give gradients for every vector
input (``wrt=`` names them), which the geometry views of the app draw as arrows.
"""

from __future__ import annotations

import numpy as np

from ._base import Loss, row_sum, softmax_and_log_softmax
from ._validation import as_float_array, check_batch_axis, check_same_size, check_weight

__all__ = ["CosineEmbeddingLoss", "SDMLLoss", "TripletLoss"]

_NORM_FLOOR = 1e-12


def _number(value, name: str) -> float:
    v = check_weight(value, name)
    if v is None:
        raise TypeError(f"{name} must be a number; got None")
    return v


class TripletLoss(Loss):
    r"""Pull an anchor towards a positive and push it from a negative until they differ by ``margin``.

    With anchor a = pred, positive p and negative n, per sample b:
    :math:`\ell_b = w \max(0, \sum (p - a)^2 - \sum (n - a)^2 + m)` — **squared** Euclidean distances summed
    over every non-batch axis (no square root, no mean). Gradients where the hinge is active (0 elsewhere and
    at the kink): :math:`\partial/\partial a = 2w(n - p)`, :math:`\partial/\partial p = 2w(p - a)`,
    :math:`\partial/\partial n = -2w(n - a)`.

    Forward: ``(pred, positive, negative)``; there is no sample_weight. ``wrt`` may name
    ``"pred"``, ``"positive"`` and ``"negative"``.

    Shape:
        pred (N, ...), positive and negative with the same number of elements; output (N,).

    The tutorial's "A, A, Z" idea: an anchor close to its positive and far from its negative costs nothing.

    >>> TripletLoss()([[0.0, 0.0]], [[0.1, 0.0]], [[3.0, 0.0]])
    array([0.], dtype=float32)
    >>> TripletLoss()([[0.0, 0.0]], [[1.0, 0.0]], [[1.0, 1.0]])
    array([0.], dtype=float32)
    >>> TripletLoss(margin=2.0)([[0.0, 0.0]], [[1.0, 0.0]], [[1.0, 1.0]])
    array([1.], dtype=float32)
    """

    grad_inputs = ("pred", "positive", "negative")

    def __init__(self, margin: float = 1.0, weight: float | None = None, batch_axis: int = 0) -> None:
        self._margin = _number(margin, "margin")
        super().__init__(weight, batch_axis)

    @property
    def margin(self) -> float:
        return self._margin

    def _params(self):
        return {"margin": self._margin, **super()._params()}

    def _forward(self, pred, positive, negative, *, need_grad):
        a = as_float_array(pred, "pred")
        p_in = as_float_array(positive, "positive", dtype=a.dtype)
        n_in = as_float_array(negative, "negative", dtype=a.dtype)
        p = check_same_size(p_in, "positive", a)
        n = check_same_size(n_in, "negative", a)
        axis = check_batch_axis(self._batch_axis, a.ndim)
        dp = p - a
        dn = n - a
        gap = row_sum(dp * dp - dn * dn, axis) + self._margin
        active = gap > 0
        w = 1.0 if self._weight is None else self._weight
        values = np.where(active, gap, 0).astype(a.dtype, copy=False) * w
        grads = {}
        if need_grad:
            shape = [1] * a.ndim
            if a.ndim:
                shape[axis] = a.shape[axis]
            coef = (active * (2.0 * w)).astype(a.dtype).reshape(shape)
            if "pred" in need_grad:
                grads["pred"] = (dn - dp) * coef
            if "positive" in need_grad:  # gradients come back in each input's own shape
                grads["positive"] = (dp * coef).reshape(p_in.shape)
            if "negative" in need_grad:
                grads["negative"] = (dn * -coef).reshape(n_in.shape)
        return values, grads


class CosineEmbeddingLoss(Loss):
    r"""Make two vectors point the same way (label 1) or at least ``margin`` apart in cosine (label -1).

    With :math:`c = x\cdot y / \max(\lVert x\rVert\lVert y\rVert, 10^{-12})` over the last axis, unreduced
    and unaveraged: :math:`\ell = w s (1 - c)` for label 1, :math:`w s \max(0, c - m)` for label -1, and 0 for
    any other label. Gradient w.r.t. x: :math:`\partial\ell/\partial c \cdot (y / (\lVert x\rVert\lVert y\rVert)
    - c\, x / \lVert x\rVert^2)`, symmetric for y; 0 for a zero vector (MXNet gives NaN there) and at the tie
    c = m.

    Forward: ``(input1, input2, label, sample_weight=None)``; ``wrt`` may name ``"input1"`` and ``"input2"``.

    Shape:
        input1, input2 (N, D) (a 1-D input is one sample); label and sample_weight N values; output (N,)
        (MXNet returns (N, 1)).

    The tutorial's two examples both give 0:

    >>> loss = CosineEmbeddingLoss()
    >>> loss([1, 0, 1, 0, 1, 0], [1, 0, 1, 0, 1, 0], [1])
    array([0.], dtype=float32)
    >>> loss([1, 0, 1, 0, 1, 0], [0, 1, 0, 1, 0, 1], [-1])
    array([0.], dtype=float32)
    """

    grad_inputs = ("input1", "input2")

    def __init__(self, weight: float | None = None, batch_axis: int = 0, margin: float = 0.0) -> None:
        self._margin = _number(margin, "margin")
        super().__init__(weight, batch_axis)

    @property
    def margin(self) -> float:
        return self._margin

    def _params(self):
        return {**super()._params(), "margin": self._margin}

    def _forward(self, input1, input2, label, sample_weight=None, *, need_grad):
        y = as_float_array(input2, "input2")
        x_in = as_float_array(input1, "input1", dtype=y.dtype)
        x = check_same_size(x_in, "input1", y, "input2")
        dim = y.shape[-1] if y.ndim else 1
        xr = x.reshape(-1, dim)
        yr = y.reshape(-1, dim)
        rows = xr.shape[0]
        lab = as_float_array(label, "label", dtype=y.dtype)
        if lab.size != rows:
            raise ValueError(f"label must hold one value (1 or -1) per pair: {rows} values; got shape {lab.shape}")
        lab = lab.reshape(rows)
        dot = np.einsum("ij,ij->i", xr, yr)
        nx = np.sqrt(np.einsum("ij,ij->i", xr, xr))
        ny = np.sqrt(np.einsum("ij,ij->i", yr, yr))
        denom = nx * ny
        clamped = denom < _NORM_FLOOR
        cos = dot / np.maximum(denom, _NORM_FLOOR)
        pos = lab == 1
        neg = (lab == -1) & (cos - self._margin > 0)
        values = np.where(pos, 1 - cos, 0) + np.where(neg, cos - self._margin, 0)
        dcos = pos * -1.0 + neg * 1.0  # d loss / d cos
        scale = np.full(rows, 1.0 if self._weight is None else self._weight, dtype=y.dtype)
        if sample_weight is not None:
            s = as_float_array(sample_weight, "sample_weight", dtype=y.dtype)
            if s.size not in (1, rows):
                raise ValueError(f"sample_weight must hold 1 or {rows} values (one per pair); got shape {s.shape}")
            scale = scale * s.reshape(-1)
        values = (values * scale).astype(y.dtype, copy=False)
        grads = {}
        if need_grad:
            coef = np.where(clamped, 0, dcos * scale / np.where(clamped, 1, denom))[:, None]
            cos_c = np.where(clamped, 0, cos)[:, None]
            if "input1" in need_grad:
                g = coef * (yr - cos_c * xr * (ny / np.where(nx > 0, nx, 1))[:, None])
                grads["input1"] = g.astype(y.dtype, copy=False).reshape(x_in.shape)
            if "input2" in need_grad:
                g = coef * (xr - cos_c * yr * (nx / np.where(ny > 0, ny, 1))[:, None])
                grads["input2"] = g.astype(y.dtype, copy=False).reshape(y.shape)
        return values, grads


class SDMLLoss(Loss):
    r"""Smoothed deep metric learning: each x1_i should be nearest to its own partner x2_i in the batch.

    With squared distances :math:`D_{ij} = \lVert x1_i - x2_j \rVert^2`, :math:`P = \operatorname{softmax}(-D)`
    along each row, and smoothed targets :math:`Q_{ii} = 1 - \alpha`, :math:`Q_{ij} = \alpha/(B-1)`
    (α = smoothing_parameter): :math:`\ell_i = \sum_j Q_{ij}(\log(Q_{ij} + 10^{-12}) - \log P_{ij})`,
    i.e. KL(Q_i || P_i), one value per row. Gradients with :math:`G = Q - P`:
    :math:`\partial/\partial x1_i = 2\sum_j G_{ij}(x1_i - x2_j)` and
    :math:`\partial/\partial x2_j = -2\sum_i G_{ij}(x1_i - x2_j)`.

    As in MXNet 1.9.1, ``weight`` and ``batch_axis`` are accepted but not used. A batch needs B >= 2
    (MXNet returns NaN for B = 1; losscore raises a ValueError).

    Forward: ``(x1, x2)``; ``wrt`` may name ``"x1"`` and ``"x2"``.

    Shape:
        x1, x2 (B, D) with equal shapes; output (B,).

    >>> SDMLLoss(smoothing_parameter=0.0)([[0.0, 0.0], [5.0, 0.0]], [[0.0, 0.0], [5.0, 0.0]]).round(6)
    array([0., 0.], dtype=float32)
    """

    grad_inputs = ("x1", "x2")

    def __init__(self, smoothing_parameter: float = 0.3, weight: float | None = 1.0, batch_axis: int = 0) -> None:
        alpha = _number(smoothing_parameter, "smoothing_parameter")
        if not 0 <= alpha <= 1:
            raise ValueError(f"smoothing_parameter must be in [0, 1]; got {alpha}")
        self._alpha = alpha
        super().__init__(weight, batch_axis)

    @property
    def smoothing_parameter(self) -> float:
        return self._alpha

    def _params(self):
        return {"smoothing_parameter": self._alpha, **super()._params()}

    def target_matrix(self, batch_size: int, dtype=np.float32) -> np.ndarray:
        """The smoothed target matrix Q of shape (B, B): 1 - α on the diagonal, α / (B - 1) elsewhere."""
        q = np.full((batch_size, batch_size), self._alpha / (batch_size - 1), dtype=dtype)
        np.fill_diagonal(q, 1 - self._alpha)
        return q

    def _forward(self, x1, x2, *, need_grad):
        a = as_float_array(x1, "x1")
        b = as_float_array(x2, "x2", dtype=a.dtype)
        if a.ndim != 2 or a.shape != b.shape:
            raise ValueError(f"x1 and x2 must both have shape (B, D) and equal shapes; got {a.shape} and {b.shape}")
        batch = a.shape[0]
        if batch < 2:
            raise ValueError(f"SDMLLoss needs a batch of at least 2 pairs (x1 shape (B, D), B >= 2); got B={batch}")
        diff = a[:, None, :] - b[None, :, :]
        dist = np.einsum("ijk,ijk->ij", diff, diff)
        probs, log_p = softmax_and_log_softmax(-dist, axis=1, need_softmax=bool(need_grad))
        q = self.target_matrix(batch, a.dtype)
        values = (q * (np.log(q + 1e-12) - log_p)).sum(axis=1)
        grads = {}
        if need_grad:
            g = q - probs
            if "x1" in need_grad:
                grads["x1"] = 2 * np.einsum("ij,ijk->ik", g, diff)
            if "x2" in need_grad:
                grads["x2"] = -2 * np.einsum("ij,ijk->jk", g, diff)
        return values, grads
