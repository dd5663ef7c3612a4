"""Modern classification losses on logits: sigmoid and softmax focal loss, label-smoothing cross-entropy, PolyLoss
and the asymmetric loss. Beyond Gluon; each is checked against its reference implementation or paper in the tests.
"""

from __future__ import annotations

import numpy as np

from ._base import ElementwiseLoss, softmax_and_log_softmax
from ._class_index import ClassIndexLoss, onehot
from ._kernels import exp_neg_abs, log1p_unit
from ._validation import check_weight
from .classification import _binary_logit_loss, _sigmoid

__all__ = [
    "AsymmetricLoss",
    "LabelSmoothingCrossEntropyLoss",
    "PolyLoss",
    "SigmoidFocalLoss",
    "SoftmaxFocalLoss",
]


def _number(value, name: str, low: float | None = None, high: float | None = None, why: str = "") -> float:
    """A finite real constructor argument within [low, high], or a TypeError / ValueError naming it."""
    v = check_weight(value, name)
    if v is None:
        raise TypeError(f"{name} must be a number; got None")
    if (low is not None and v < low) or (high is not None and v > high):
        span = f">= {low:g}" if high is None else f"<= {high:g}" if low is None else f"in [{low:g}, {high:g}]"
        raise ValueError(f"{name} must be {span}{why}; got {v:g}")
    return v


def _sigmoids(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(sigmoid(x), sigmoid(-x), exp(-|x|))`` without overflow; both sigmoids keep their relative accuracy
    where they are tiny (1 - sigmoid(x) would round to 0 there)."""
    t = exp_neg_abs(x)
    return _sigmoid(x, t), _sigmoid(x, t, negate=True), t


class SigmoidFocalLoss(ElementwiseLoss):
    r"""Focal loss (Lin et al. 2017, arXiv:1708.02002) on logits: cross-entropy that fades on easy examples.

    With x = pred (a logit), z = label in [0, 1] (0/1 for detection), p = sigmoid(x),
    :math:`p_t = p z + (1 - p)(1 - z)` and :math:`\alpha_t = \alpha z + (1 - \alpha)(1 - z)`, unreduced:

    .. math:: \ell_i = \alpha_t\,(1 - p_t)^\gamma\,\mathrm{BCE}(x_i, z_i)

    torchvision.ops.sigmoid_focal_loss's formula; ``alpha < 0`` switches the class weight off
    (:math:`\alpha_t = 1`), as torchvision does, and gamma = 0 with alpha < 0 is SigmoidBCE. The factor
    :math:`(1 - p_t)^\gamma` is near 0 for well classified examples (p_t near 1), so the many easy negatives
    of a detector stop drowning the few hard ones. 1 - p_t is computed from sigmoid(-x) directly, so it stays
    accurate at large logits where torchvision's 1 - p_t rounds to 0. Output: mean over each sample.

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> SigmoidFocalLoss()([0.0, 3.0, -3.0], [1.0, 1.0, 1.0]).round(4)  # BCE: 0.6931, 0.0486, 3.0486
    array([0.0433, 0.    , 0.6916], dtype=float32)
    >>> SigmoidFocalLoss(alpha=-1, gamma=0.0)([0.0], [1.0]).round(4)  # BCE
    array([0.6931], dtype=float32)
    """

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, weight: float | None = None,
                 batch_axis: int = 0) -> None:
        self._alpha = _number(alpha, "alpha", high=1.0, why=" (a negative alpha switches the class weight off)")
        self._gamma = _number(gamma, "gamma", low=0.0)
        super().__init__(weight, batch_axis)

    @property
    def alpha(self) -> float:
        return self._alpha

    @property
    def gamma(self) -> float:
        return self._gamma

    def _params(self):
        return {"alpha": self._alpha, "gamma": self._gamma, **super()._params()}

    def _elementwise(self, pred, label, need_grad):
        x, z, gamma = pred, label, self._gamma
        ce, dce = _binary_logit_loss(x, z, need_grad)  # BCE and its derivative sigmoid(x) - z
        sp, sn, _ = _sigmoids(x)
        m = sp * (1 - z) + sn * z  # 1 - p_t
        mg = m**gamma
        elem = ce * mg
        if self._alpha >= 0:
            a_t = self._alpha * z + (1 - self._alpha) * (1 - z)
            elem *= a_t
        if not need_grad:
            return elem, None
        # d(1 - p_t)/dx = p (1 - p)(1 - 2z); gamma m^(gamma - 1) p (1 - p) is written gamma m^gamma (lo / m) hi
        # with lo, hi the smaller and larger of p, 1 - p: lo / m <= 1 as m lies between them, and m = 0 only
        # where lo = m (a hard label at a saturated logit), whose limit is 1
        lo, hi = np.minimum(sp, sn), np.maximum(sp, sn)
        ratio = np.where(m > 0, lo / m, 1.0).astype(x.dtype, copy=False)
        grad = dce * mg + gamma * ce * mg * ratio * hi * (1 - 2 * z)
        if self._alpha >= 0:
            grad *= a_t
        return elem, grad


class SoftmaxFocalLoss(ClassIndexLoss):
    r"""Focal loss over C classes: softmax cross-entropy scaled by :math:`(1 - p_y)^\gamma` (arXiv:1708.02002).

    With logits x along ``axis``, :math:`p = \mathrm{softmax}(x)` and a class index y per position, unreduced:

    .. math:: \ell = -(1 - p_y)^\gamma \log p_y

    Gradient w.r.t. the logits: :math:`(1 - p_y)^\gamma\,(1 - \gamma\,\frac{p_y \log p_y}{1 - p_y})
    \,(p - \mathrm{onehot}(y))`: the cross-entropy gradient scaled down for confident, right answers.
    gamma = 0 is SoftmaxCrossEntropyLoss. 1 - p_y is -expm1(log p_y), accurate when p_y is near 1.

    Shape:
        pred (N, ..., C, ...); label: pred's shape without ``axis`` (whole class indices in [0, C)). Output (N,).

    >>> SoftmaxFocalLoss()([[1, 10], [8, 2]], [0, 1]).round(4)
    array([8.9979, 5.9728], dtype=float32)
    >>> SoftmaxFocalLoss(gamma=0.0)([[1, 10], [8, 2]], [0, 1]).round(4)  # softmax cross-entropy
    array([9.0001, 6.0025], dtype=float32)
    """

    def __init__(self, gamma: float = 2.0, axis: int = -1, weight: float | None = None, batch_axis: int = 0) -> None:
        self._gamma = _number(gamma, "gamma", low=0.0)
        super().__init__(axis, weight, batch_axis)

    @property
    def gamma(self) -> float:
        return self._gamma

    def _params(self):
        return {"gamma": self._gamma, **super()._params()}

    def _per_position(self, x, idx, axis, need_grad):
        gamma = self._gamma
        p, logp = softmax_and_log_softmax(x, axis, need_softmax=need_grad)
        lp = np.take_along_axis(logp, idx, axis=axis)  # log p_y
        q = -np.expm1(lp)  # 1 - p_y
        qg = q**gamma
        elem = -qg * lp
        if not need_grad:
            return elem, None
        # p_y log p_y / (1 - p_y) lies in [-1, 0) and tends to -1 as p_y -> 1 (where q is 0)
        r = np.where(q > 0, np.exp(lp) * lp / q, -1.0).astype(x.dtype, copy=False)
        p -= onehot(idx, axis, x)
        p *= qg * (1 - gamma * r)
        return elem, p


class LabelSmoothingCrossEntropyLoss(ClassIndexLoss):
    r"""Softmax cross-entropy against a smoothed target: :math:`1 - \epsilon` on the label, :math:`\epsilon / C`
    spread over all C classes (Szegedy et al. 2016; torch.nn.CrossEntropyLoss(label_smoothing=epsilon)).

    With logits x along ``axis``, :math:`\log p = \log\mathrm{softmax}(x)` and a class index y, unreduced:

    .. math:: \ell = -(1 - \epsilon)\log p_y - \frac{\epsilon}{C}\sum_c \log p_c

    Gradient: :math:`p - q` with :math:`q = (1 - \epsilon)\,\mathrm{onehot}(y) + \epsilon / C`, so the loss is
    smallest at :math:`p = q`: the right logit stops being pushed once it leads the others by
    :math:`\log(1 + C(1 - \epsilon)/\epsilon)`, instead of forever. epsilon = 0 is SoftmaxCrossEntropyLoss.

    Shape:
        pred (N, ..., C, ...); label: pred's shape without ``axis`` (whole class indices in [0, C)). Output (N,).

    >>> LabelSmoothingCrossEntropyLoss()([[1, 10], [8, 2]], [0, 1]).round(4)
    array([8.5501, 5.7025], dtype=float32)
    """

    def __init__(self, epsilon: float = 0.1, axis: int = -1, weight: float | None = None,
                 batch_axis: int = 0) -> None:
        self._epsilon = _number(epsilon, "epsilon", 0.0, 1.0)
        super().__init__(axis, weight, batch_axis)

    @property
    def epsilon(self) -> float:
        return self._epsilon

    def _params(self):
        return {"epsilon": self._epsilon, **super()._params()}

    def _per_position(self, x, idx, axis, need_grad):
        eps, n_classes = self._epsilon, x.shape[axis]
        p, logp = softmax_and_log_softmax(x, axis, need_softmax=need_grad)
        elem = np.take_along_axis(logp, idx, axis=axis) * -(1 - eps)
        elem -= logp.sum(axis=axis, keepdims=True) * (eps / n_classes)
        if not need_grad:
            return elem, None
        p -= onehot(idx, axis, x) * (1 - eps)
        p -= eps / n_classes
        return elem, p


class PolyLoss(ClassIndexLoss):
    r"""Poly-1 loss (Leng et al. 2022, arXiv:2204.12511): cross-entropy plus epsilon times :math:`1 - p_y`.

    With logits x along ``axis``, :math:`p = \mathrm{softmax}(x)` and a class index y, unreduced:

    .. math:: \ell = -\log p_y + \epsilon\,(1 - p_y)

    Cross-entropy's Taylor series in :math:`1 - p_y` is :math:`\sum_j (1 - p_y)^j / j`; Poly-1 moves the first
    coefficient from 1 to :math:`1 + \epsilon`. Gradient: :math:`(1 + \epsilon p_y)(p - \mathrm{onehot}(y))`.
    epsilon = 0 is SoftmaxCrossEntropyLoss; epsilon >= -1 keeps the loss falling as p_y rises.

    Shape:
        pred (N, ..., C, ...); label: pred's shape without ``axis`` (whole class indices in [0, C)). Output (N,).

    >>> PolyLoss()([[1, 10], [8, 2]], [0, 1]).round(4)
    array([10.,  7.], dtype=float32)
    """

    def __init__(self, epsilon: float = 1.0, axis: int = -1, weight: float | None = None, batch_axis: int = 0) -> None:
        self._epsilon = _number(epsilon, "epsilon", low=-1.0,
                                why=" (below -1 the loss rises again as the right class's probability nears 1)")
        super().__init__(axis, weight, batch_axis)

    @property
    def epsilon(self) -> float:
        return self._epsilon

    def _params(self):
        return {"epsilon": self._epsilon, **super()._params()}

    def _per_position(self, x, idx, axis, need_grad):
        eps = self._epsilon
        p, logp = softmax_and_log_softmax(x, axis, need_softmax=need_grad)
        lp = np.take_along_axis(logp, idx, axis=axis)
        elem = -np.expm1(lp)  # 1 - p_y
        elem *= eps
        elem -= lp
        if not need_grad:
            return elem, None
        p -= onehot(idx, axis, x)
        p *= 1 + eps * np.exp(lp)
        return elem, p


class AsymmetricLoss(ElementwiseLoss):
    r"""Asymmetric loss for multi-label classification (Ben-Baruch et al. 2020, arXiv:2009.14119) on logits.

    With x = pred (a logit per label), p = sigmoid(x), a shifted probability :math:`p_m = \max(p - m, 0)`
    (m = ``clip``) and z = label in {0, 1}, unreduced:

    .. math:: \ell = -z\,(1 - p)^{\gamma_+}\log p \;-\; (1 - z)\,p_m^{\gamma_-}\log(1 - p_m)

    Negatives, which dominate multi-label data sets, are down-weighted harder than positives
    (:math:`\gamma_- > \gamma_+`), and easy ones (p <= m) are dropped outright; with gamma_neg > 0 a negative's
    gradient peaks and falls again as p nears 1, which the authors read as discounting probably mislabelled
    negatives. gamma_pos = gamma_neg = clip = 0 is SigmoidBCE. log p is -softplus(-x), exact at any
    logit (the authors' code clamps p at 1e-8, so it flattens below x = -18.4). A label between 0 and 1 mixes
    the two terms linearly. Output: mean over each sample.

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> AsymmetricLoss()([[0.0, 0.0, 3.0]], [[1.0, 0.0, 0.0]]).round(4)  # a positive and two negatives
    array([0.7544], dtype=float32)
    >>> AsymmetricLoss(gamma_neg=0.0, clip=0.0)([[0.0, 0.0, 3.0]], [[1.0, 0.0, 0.0]]).round(4)  # BCE
    array([1.4783], dtype=float32)
    """

    def __init__(self, gamma_pos: float = 0.0, gamma_neg: float = 4.0, clip: float = 0.05,
                 weight: float | None = None, batch_axis: int = 0) -> None:
        self._gamma_pos = _number(gamma_pos, "gamma_pos", low=0.0)
        self._gamma_neg = _number(gamma_neg, "gamma_neg", low=0.0)
        self._clip = _number(clip, "clip", 0.0, 1.0)
        super().__init__(weight, batch_axis)

    @property
    def gamma_pos(self) -> float:
        return self._gamma_pos

    @property
    def gamma_neg(self) -> float:
        return self._gamma_neg

    @property
    def clip(self) -> float:
        return self._clip

    def _params(self):
        return {"gamma_pos": self._gamma_pos, "gamma_neg": self._gamma_neg, "clip": self._clip,
                **super()._params()}

    def _elementwise(self, pred, label, need_grad):
        x, z, gp, gn, m = pred, label, self._gamma_pos, self._gamma_neg, self._clip
        sp, sn, t = _sigmoids(x)
        soft = log1p_unit(t)
        nlog_p = soft + np.maximum(-x, 0)  # -log p = softplus(-x)
        wp = sn**gp  # (1 - p)^gamma_pos
        pos = wp * nlog_p
        pm = np.maximum(sp - m, 0)
        # log(1 - p_m): 1 - p_m = min(1 - p + m, 1); with no shift, -softplus(x) (1 - p can underflow)
        log_q = np.log(np.minimum(sn + m, 1)) if m > 0 else -(soft + np.maximum(x, 0))
        wn = pm**gn
        neg = -wn * log_q
        elem = z * pos + (1 - z) * neg
        if not need_grad:
            return elem, None
        dpos = -wp * (gp * sp * nlog_p + sn)
        # dp_m/dx = p (1 - p) where p > m; d(-log(1 - p_m))/dp_m = 1 / (1 - p_m) = 1 / (1 - p + m)
        over = pm > 0
        share = np.where(sn + m > 0, sn / (sn + m), 1.0)  # (1 - p) / (1 - p_m), 1 in the limit m = 0, p = 1
        dneg = wn * sp * share
        if gn > 0:  # - gamma p_m^(gamma - 1) p (1 - p) log(1 - p_m), 0 where p_m = 0
            dneg -= gn * np.where(over, pm ** (gn - 1), 0.0) * sp * sn * log_q
        dneg = np.where(over, dneg, 0.0)
        return elem, (z * dpos + (1 - z) * dneg).astype(x.dtype, copy=False)
