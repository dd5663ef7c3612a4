r"""Robust regression losses beyond Gluon: LogCoshLoss, QuantileLoss, PseudoHuberLoss, TukeyBiweightLoss,
EpsilonInsensitiveLoss and Barron's GeneralRobustLoss.

Same API as :mod:`losscore.regression`: ``loss(pred, label, sample_weight=None)`` returns one value per sample
(the per-element loss averaged over every axis except ``batch_axis``), ``weight`` scales it, float32 stays
float32, and ``value_and_grad`` gives the exact derivative with respect to ``pred``. Every formula below is a
function of the residual :math:`d = \text{pred} - \text{label}` and is written so that huge residuals give
finite values and gradients (no square of a huge number is ever formed).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ._base import ElementwiseLoss
from ._validation import check_weight, describe

__all__ = [
    "EpsilonInsensitiveLoss",
    "GeneralRobustLoss",
    "LogCoshLoss",
    "PseudoHuberLoss",
    "QuantileLoss",
    "TukeyBiweightLoss",
]

_LOG2 = math.log(2.0)


def _positive(value: Any, name: str) -> float:
    v = check_weight(value, name)
    if v is None or v <= 0:
        raise ValueError(f"{name} must be a positive number; got {describe(value)}")
    return v


def _log1p_square(t: np.ndarray) -> np.ndarray:
    """log(1 + t²) for t >= 0 without forming t² when t is large (where it would overflow)."""
    big = t > 1.0
    safe = np.where(big, 1.0, t)  # keeps the small branch's square finite
    inv = np.where(big, 1.0 / np.where(big, t, 1.0), 0.0)
    return np.where(big, 2.0 * np.log(np.where(big, t, 1.0)) + np.log1p(inv * inv), np.log1p(safe * safe))


class _ResidualLoss(ElementwiseLoss):
    """An elementwise loss of d = pred - label; subclasses give ``_of(d, need_grad)``."""

    def __init__(self, weight: float | None = None, batch_axis: int = 0) -> None:
        super().__init__(weight, batch_axis)

    def _elementwise(self, pred, label, need_grad):
        return self._of(np.subtract(pred, label), need_grad)

    def _of(self, d: np.ndarray, need_grad: bool) -> tuple[np.ndarray, np.ndarray | None]:
        raise NotImplementedError


class LogCoshLoss(_ResidualLoss):
    r"""The logarithm of the hyperbolic cosine of the error: L2-like near the label, L1-like far away.

    Unreduced: :math:`\ell_i = w\, s_i \log\cosh(d_i)`, :math:`d_i = \text{pred}_i - \text{label}_i`, computed as
    :math:`|d| + \operatorname{log1p}(e^{-2|d|}) - \log 2` (``cosh`` itself overflows beyond 710 in float64, 89
    in float32). Gradient: :math:`w\, s_i \tanh(d_i) / M`.

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> LogCoshLoss()([0.0, 1.0, 100.0], [0.0, 0.0, 0.0])
    array([ 0.       ,  0.4337808, 99.306854 ], dtype=float32)
    >>> LogCoshLoss().value_and_grad([1.0], [0.0])[1]
    array([0.7615942], dtype=float32)
    """

    def _of(self, d, need_grad):
        a = np.abs(d)
        elem = a + np.log1p(np.exp(-2.0 * a)) - _LOG2
        return elem, (np.tanh(d) if need_grad else None)


class QuantileLoss(_ResidualLoss):
    r"""The pinball loss: its best constant prediction is the tau-quantile of the labels.

    With :math:`r_i = \text{label}_i - \text{pred}_i`, unreduced
    :math:`\ell_i = w\, s_i \max(\tau r_i, (\tau - 1) r_i)`: under-predicting costs tau per unit, over-predicting
    1 - tau. Gradient: :math:`w\, s_i\,(1 - \tau)/M` where pred > label, :math:`-w\, s_i\, \tau / M` where
    pred < label, and 0 at pred = label (the kink, as L1Loss). tau = 0.5 is half the L1 loss.

    Args:
        tau: the quantile, in [0, 1].

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> QuantileLoss(tau=0.9)([0.0, 0.0], [1.0, -1.0])
    array([0.9, 0.1], dtype=float32)
    """

    def __init__(self, tau: float = 0.5, weight: float | None = None, batch_axis: int = 0) -> None:
        t = check_weight(tau, "tau")
        if t is None or not 0.0 <= t <= 1.0:
            raise ValueError(f"tau must be a number in [0, 1]; got {describe(tau)}")
        self._tau = t
        super().__init__(weight, batch_axis)

    @property
    def tau(self) -> float:
        return self._tau

    def _params(self):
        return {"tau": self._tau, **super()._params()}

    def _of(self, d, need_grad):
        # d = pred - label = -r: max(tau r, (tau - 1) r) = max(-tau d, (1 - tau) d)
        elem = np.maximum(-self._tau * d, (1.0 - self._tau) * d)
        if not need_grad:
            return elem, None
        grad = np.where(d > 0, 1.0 - self._tau, np.where(d < 0, -self._tau, 0.0)).astype(d.dtype, copy=False)
        return elem, grad


class PseudoHuberLoss(_ResidualLoss):
    r"""The pseudo-Huber (Charbonnier) loss: a Huber loss with no kink at all.

    Unreduced: :math:`\ell_i = w\, s_i\, \delta^2\big(\sqrt{1 + (d_i/\delta)^2} - 1\big)`, computed as
    :math:`\delta\, d\, u / (1 + \sqrt{1 + u^2})` with :math:`u = d/\delta` (no cancellation near 0, no overflow
    far away). Near the label it is :math:`d^2/2`, far away :math:`\delta(|d| - \delta)`. Gradient:
    :math:`w\, s_i\, d_i / \sqrt{1 + (d_i/\delta)^2} / M`, bounded by delta.

    Args:
        delta: where the quadratic part bends into the linear one (> 0).

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> PseudoHuberLoss(delta=1.0)([0.0, 1.0, 3.0], [0.0, 0.0, 0.0])
    array([0.        , 0.41421354, 2.1622777 ], dtype=float32)
    """

    def __init__(self, delta: float = 1.0, weight: float | None = None, batch_axis: int = 0) -> None:
        self._delta = _positive(delta, "delta")
        super().__init__(weight, batch_axis)

    @property
    def delta(self) -> float:
        return self._delta

    def _params(self):
        return {"delta": self._delta, **super()._params()}

    def _of(self, d, need_grad):
        u = d / self._delta
        h = np.hypot(1.0, u).astype(d.dtype, copy=False)
        elem = self._delta * d * (u / (1.0 + h))
        return elem, ((d / h) if need_grad else None)


class TukeyBiweightLoss(_ResidualLoss):
    r"""Tukey's biweight (bisquare): errors beyond c cost a constant, so outliers stop pulling at all.

    With :math:`u_i = d_i / c` clipped to [-1, 1], unreduced
    :math:`\ell_i = w\, s_i\, \tfrac{c^2}{6}\big(1 - (1 - u_i^2)^3\big)`, i.e. :math:`c^2/6` for
    :math:`|d_i| \ge c`. Gradient: :math:`w\, s_i\, d_i (1 - u_i^2)^2 / M` inside, 0 beyond c (it is redescending:
    the loss is not convex and gradient descent can stall on an outlier's flat). The default c = 4.685 gives 95%
    efficiency at the normal distribution for residuals of unit scale.

    Args:
        c: the tuning constant (> 0), where the loss goes flat.

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> TukeyBiweightLoss(c=1.0)([0.0, 0.5, 5.0], [0.0, 0.0, 0.0])
    array([0.        , 0.09635417, 0.16666667], dtype=float32)
    """

    def __init__(self, c: float = 4.685, weight: float | None = None, batch_axis: int = 0) -> None:
        self._c = _positive(c, "c")
        super().__init__(weight, batch_axis)

    @property
    def c(self) -> float:
        return self._c

    def _params(self):
        return {"c": self._c, **super()._params()}

    def _of(self, d, need_grad):
        c = self._c
        u = np.clip(d / c, -1.0, 1.0)
        v = u * u
        # 1 - (1 - v)^3 = v (3 - 3v + v²): no cancellation for small residuals
        elem = (c * c / 6.0) * (v * (3.0 + v * (v - 3.0)))
        if not need_grad:
            return elem, None
        q = 1.0 - v
        return elem, (c * u) * (q * q)  # c u = d inside; 0 beyond (q = 0 there)


class EpsilonInsensitiveLoss(_ResidualLoss):
    r"""Support vector regression's loss: errors up to epsilon are free, beyond it they cost linearly.

    Unreduced: :math:`\ell_i = w\, s_i \max(0, |d_i| - \epsilon)`. Gradient:
    :math:`w\, s_i \operatorname{sign}(d_i) / M` where :math:`|d_i| > \epsilon`, else 0 (at the kinks too).

    Args:
        epsilon: the width of the free tube around the label (>= 0).

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> EpsilonInsensitiveLoss(epsilon=0.5)([0.2, 2.0, -1.0], [0.0, 0.0, 0.0])
    array([0. , 1.5, 0.5], dtype=float32)
    """

    def __init__(self, epsilon: float = 0.1, weight: float | None = None, batch_axis: int = 0) -> None:
        e = check_weight(epsilon, "epsilon")
        if e is None or e < 0:
            raise ValueError(f"epsilon must be a number >= 0; got {describe(epsilon)}")
        self._epsilon = e
        super().__init__(weight, batch_axis)

    @property
    def epsilon(self) -> float:
        return self._epsilon

    def _params(self):
        return {"epsilon": self._epsilon, **super()._params()}

    def _of(self, d, need_grad):
        excess = np.abs(d) - self._epsilon
        elem = np.maximum(excess, 0.0)
        if not need_grad:
            return elem, None
        return elem, np.where(excess > 0, np.sign(d), 0.0).astype(d.dtype, copy=False)


def _check_alpha(alpha: Any) -> float:
    if isinstance(alpha, np.ndarray) and alpha.ndim == 0 and alpha.dtype.kind in "iuf":
        alpha = alpha.item()
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"alpha must be a number; got {describe(alpha)}")
    a = float(alpha)
    if math.isnan(a) or a == math.inf:
        raise ValueError(f"alpha must be a finite number or -inf (the Welsch loss); got {a}")
    return a


#: The members of the family that have names of their own (Barron 2019, section 1), by alpha.
NAMED_ALPHAS: dict[float, str] = {
    2.0: "L2",
    1.0: "Charbonnier",
    0.0: "Cauchy",
    -2.0: "Geman-McClure",
    -math.inf: "Welsch",
}


class GeneralRobustLoss(_ResidualLoss):
    r"""Barron's general and adaptive robust loss (arXiv:1701.03077): one shape parameter alpha moves it through
    L2 (alpha = 2), Charbonnier / pseudo-Huber (1), Cauchy / Lorentzian (0), Geman-McClure (-2) and Welsch
    (-inf); the lower alpha, the less an outlier counts.

    With :math:`x = d/c` (c the scale) and :math:`b = |\alpha - 2|`, unreduced

    .. math:: \ell_i = w\, s_i\, \frac{b}{\alpha}\Big(\big(x_i^2 / b + 1\big)^{\alpha/2} - 1\Big)

    and the limits :math:`x^2/2` (alpha = 2), :math:`\log(x^2/2 + 1)` (alpha = 0) and
    :math:`1 - e^{-x^2/2}` (alpha = -inf). Computed as :math:`\frac{b}{\alpha}\operatorname{expm1}(\tfrac{\alpha}{2}
    \log(1 + x^2/b))`, with :math:`\log(1 + t^2)` formed without squaring a large t, so alpha near 0 or 2 and
    huge residuals stay accurate and finite. Gradient: :math:`w\, s_i\, \frac{x_i}{c} (x_i^2/b + 1)^{\alpha/2 - 1}
    / M` (:math:`x/c` at alpha = 2, :math:`\frac{x}{c} e^{-x^2/2}` at -inf).

    Args:
        alpha: the shape, any real number or ``-math.inf``.
        scale: c > 0, the width of the quadratic bowl around the label.

    Shape:
        pred (N, ...), label with the same number of elements; output (N,).

    >>> import math
    >>> GeneralRobustLoss(alpha=0.0)([0.0, 1.0, 10.0], [0.0, 0.0, 0.0])  # Cauchy: log(x²/2 + 1)
    array([0.       , 0.4054651, 3.9318256], dtype=float32)
    >>> GeneralRobustLoss(alpha=-math.inf, scale=2.0)([2.0], [0.0])     # Welsch: 1 - exp(-(d/c)²/2)
    array([0.39346933], dtype=float32)
    """

    def __init__(self, alpha: float = 1.0, scale: float = 1.0, weight: float | None = None,
                 batch_axis: int = 0) -> None:
        self._alpha = _check_alpha(alpha)
        self._scale_c = _positive(scale, "scale")
        super().__init__(weight, batch_axis)

    @property
    def alpha(self) -> float:
        return self._alpha

    @property
    def scale(self) -> float:
        return self._scale_c

    def _params(self):
        return {"alpha": self._alpha, "scale": self._scale_c, **super()._params()}

    def _of(self, d, need_grad):
        alpha, c = self._alpha, self._scale_c
        x = d / c
        if alpha == 2.0:
            return 0.5 * x * x, ((x / c) if need_grad else None)
        if alpha == -math.inf:
            half = -0.5 * x * x
            elem = -np.expm1(half)  # 1 - exp(-x²/2) without cancellation near 0
            return elem, ((x / c) * np.exp(half) if need_grad else None)  # exp underflows to 0 for huge x
        b = abs(alpha - 2.0)
        a = np.abs(x)
        log1p_z = _log1p_square(a / math.sqrt(b)).astype(d.dtype, copy=False)  # log(1 + x²/b)
        if alpha == 0.0:
            elem = log1p_z
        else:
            power = (0.5 * alpha) * log1p_z
            elem = (b / alpha) * np.expm1(power)
            if alpha > 0:  # (b/alpha) e^power is finite where e^power alone overflows (alpha near 2)
                big = power > 30.0
                if big.any():
                    elem = np.where(big, np.exp(np.where(big, power, 0.0) + math.log(b / alpha)), elem)
        if not need_grad:
            return elem, None
        # |x| (1 + x²/b)^(alpha/2 - 1) / c as one exponential: the factor underflows for huge x where the
        # product does not (Cauchy's 2/x)
        slope = np.exp(np.log(a) + (0.5 * alpha - 1.0) * log1p_z)
        return elem, np.copysign(slope, x) / c
