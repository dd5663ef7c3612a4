"""The catalog's entries for the robust regression losses beyond Gluon (see :mod:`losscore.robust`).

Colours and dashes keep them apart from the three Gluon regression losses (orange dash-dot, blue solid, green
dash) wherever several share a chart; the long dashes and dots are theirs.
"""

from __future__ import annotations

from . import robust
from .spec import WEIGHT, LossSpec, Param

__all__ = ["SPECS"]

_LABEL = "Any real label; label and pred have the same number of elements."
_D = r"d_i = \mathrm{pred}_i - \mathrm{label}_i"

SPECS: tuple[LossSpec, ...] = (
    LossSpec(
        name="LogCoshLoss",
        short_id="logcosh", colour="#56B4E9", dash="dot",
        label_shift=True,
        cls=robust.LogCoshLoss,
        family="regression",
        title="Log-cosh loss",
        formula=(r"\begin{gathered} L = \frac{1}{M}\sum_i w\,s_i \log\cosh(d_i) \\ " + _D + r" \end{gathered}"),
        summary=(
            "About d²/2 near the label and |d| − log 2 far from it: L2's shrinking steps close in, L1's bounded "
            "pull (the gradient is tanh d, never beyond ±1) far out, and smooth everywhere, with no parameter "
            "to tune."
        ),
        label_convention=_LABEL,
        params=(WEIGHT,),
        counterparts=(
            "PyTorch: no built-in; torch.log(torch.cosh(d)) overflows beyond |d| ≈ 89 in float32, write "
            "d.abs() + torch.nn.functional.softplus(-2 * d.abs()) - math.log(2).",
            "Keras: keras.losses.LogCosh (a mean over the last axis). optax: optax.log_cosh(pred, label).",
        ),
        curve="regression",
    ),
    LossSpec(
        name="QuantileLoss",
        short_id="quantile", colour="#D55E00", dash="longdash",
        label_shift=True,
        cls=robust.QuantileLoss,
        family="regression",
        title="Quantile (pinball) loss",
        formula=(
            r"\begin{gathered} L = \frac{1}{M}\sum_i w\,s_i \max\big(\tau r_i,\ (\tau - 1)\,r_i\big) \\ "
            r"r_i = \mathrm{label}_i - \mathrm{pred}_i \end{gathered}"
        ),
        summary=(
            "A tilted L1: predicting too low costs tau per unit, too high 1 − tau. Its best constant "
            "prediction is the tau-quantile of the labels (the median at tau = 0.5, where it is half of L1), "
            "which is how quantile regression draws prediction intervals."
        ),
        label_convention=_LABEL,
        params=(
            Param("tau", "float", 0.5, "The quantile to estimate: the cost per unit of predicting too low.",
                  0.01, 0.99, 0.01),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: no built-in; torch.maximum(tau * r, (tau - 1) * r) with r = label - pred.",
            "scikit-learn: sklearn.metrics.mean_pinball_loss(y_true, y_pred, alpha=tau) is its mean. Keras: "
            "none built in.",
        ),
        curve="regression",
    ),
    LossSpec(
        name="PseudoHuberLoss",
        short_id="phuber", colour="#009E73", dash="dot",
        label_shift=True,
        cls=robust.PseudoHuberLoss,
        family="regression",
        title="Pseudo-Huber (Charbonnier) loss",
        formula=(
            r"\begin{gathered} L = \frac{1}{M}\sum_i w\,s_i\,\delta^2\Big(\sqrt{1 + (d_i/\delta)^2} - 1\Big) \\ "
            + _D + r" \end{gathered}"
        ),
        summary=(
            "Huber without the seam: d²/2 near the label, about δ·|d| far away, and every derivative "
            "continuous, so second-order optimisers and Newton steps behave. The gradient approaches ±δ "
            "instead of being clipped there."
        ),
        label_convention=_LABEL,
        params=(
            Param("delta", "float", 1.0, "Where the quadratic bowl bends into the linear slopes.", 0.1, 5.0, 0.1),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: no built-in; delta**2 * (torch.sqrt(1 + (d / delta) ** 2) - 1).",
            "Keras: none built in. losscore: GeneralRobustLoss(alpha=1, scale=delta) is this loss divided by "
            "delta².",
        ),
        curve="regression",
    ),
    LossSpec(
        name="TukeyBiweightLoss",
        short_id="tukey", colour="#CC79A7", dash="longdashdot",
        label_shift=True,
        cls=robust.TukeyBiweightLoss,
        family="regression",
        title="Tukey biweight loss",
        formula=(
            r"\begin{gathered} L = \frac{1}{M}\sum_i w\,s_i\,\frac{c^2}{6}\Big(1 - \big(1 - u_i^2\big)^3\Big) \\ "
            r"u_i = \operatorname{clip}(d_i / c, -1, 1),\ " + _D + r" \end{gathered}"
        ),
        summary=(
            "Redescending: beyond c every error costs the same c²/6 and its gradient is exactly zero, so "
            "outliers are ignored outright. The price is a non-convex loss: a start among the outliers can "
            "stay there. c = 4.685 keeps 95% of L2's efficiency on clean Gaussian noise of unit scale."
        ),
        label_convention=_LABEL,
        params=(
            Param("c", "float", 4.685, "Where the loss goes flat: errors beyond c stop pulling.", 0.5, 10.0, 0.005),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: no built-in; with u = (d / c).clamp(-1, 1): c**2 / 6 * (1 - (1 - u**2) ** 3).",
            "statsmodels: statsmodels.robust.norms.TukeyBiweight(c).rho(d). Keras: none built in.",
        ),
        curve="regression",
    ),
    LossSpec(
        name="EpsilonInsensitiveLoss",
        short_id="epsins", colour="#E69F00", dash="longdash",
        label_shift=True,
        cls=robust.EpsilonInsensitiveLoss,
        family="regression",
        title="Epsilon-insensitive loss",
        formula=(r"\begin{gathered} L = \frac{1}{M}\sum_i w\,s_i \max\big(0,\ \lvert d_i\rvert - \epsilon\big) \\ "
                 + _D + r" \end{gathered}"),
        summary=(
            "Support vector regression's loss: a tube of width ε around the label is free, beyond it errors "
            "cost like L1. Inside the tube the gradient is zero, so points that are close enough stop "
            "pulling (they are not support vectors)."
        ),
        label_convention=_LABEL,
        params=(
            Param("epsilon", "float", 0.1, "Half-width of the free tube around the label.", 0.0, 2.0, 0.05),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: no built-in; torch.clamp(d.abs() - epsilon, min=0).",
            "scikit-learn: the loss of SGDRegressor(loss='epsilon_insensitive', epsilon=epsilon). Keras: none "
            "built in.",
        ),
        curve="regression",
    ),
    LossSpec(
        name="GeneralRobustLoss",
        short_id="barron", colour="#0072B2", dash="longdashdot",
        label_shift=True,
        cls=robust.GeneralRobustLoss,
        family="regression",
        title="Barron's general robust loss",
        formula=(
            r"\begin{gathered} L = \frac{1}{M}\sum_i w\,s_i\,\frac{\lvert\alpha - 2\rvert}{\alpha}\left(\left("
            r"\frac{(d_i/c)^2}{\lvert\alpha - 2\rvert} + 1\right)^{\alpha/2} - 1\right) \\ "
            + _D + r" \end{gathered}"
        ),
        summary=(
            "One loss with a dial: alpha = 2 is L2, 1 Charbonnier (pseudo-Huber), 0 Cauchy, −2 Geman-McClure "
            "and −∞ Welsch; the lower alpha, the sooner the gradient turns back towards zero and the less an "
            "outlier counts. The scale c is the width of the quadratic bowl (Barron, CVPR 2019)."
        ),
        label_convention=_LABEL,
        params=(
            Param("alpha", "float", 1.0, "The shape: 2 is L2, 1 Charbonnier, 0 Cauchy, −2 Geman-McClure; "
                  "very negative approaches Welsch (alpha = −∞).", -10.0, 4.0, 0.1),
            Param("scale", "float", 1.0, "c: the width of the quadratic bowl around the label.", 0.1, 5.0, 0.1),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: no built-in; the author's reference code is github.com/jonbarron/robust_loss_pytorch "
            "(and robust_loss_jax for JAX).",
            "Keras, optax: none built in. At alpha = 1 it is PseudoHuberLoss(delta=scale) / scale².",
        ),
        curve="regression",
    ),
)
