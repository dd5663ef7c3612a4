"""The training lab's models: tiny linear models fitted by full-batch gradient descent with losscore's gradients.

Two experiments, both plain numpy on top of losscore (no Streamlit, no plotting):

* :func:`run_regression`: a line ``y = w x + b`` fitted to points that follow a known line, plus a group of
  outliers far below it at the right-hand end, once with each of L1Loss, L2Loss and HuberLoss;
* :func:`run_classifier`: a linear classifier ``f(x) = w . x + b`` on two Gaussian blobs labelled ±1 (a few
  labels flipped), once with each of LogisticLoss, HingeLoss and SquaredHingeLoss.

Both models are linear in their parameters θ: the predictions are ``A @ θ`` for a design matrix ``A`` whose
last column is ones (the bias). losscore returns the per-sample losses and ``g = dL_total/dpred``; the chain
rule then gives ``dL_total/dθ = Aᵀ g``, i.e. ``dL/dw = sum(g * x)`` and ``dL/db = sum(g)``. Training minimises
the *mean* loss (``L_total / N``), so a learning rate means the same thing whatever the number of points.

Everything is seeded with ``np.random.default_rng(seed)`` and returned as frozen dataclasses holding the
whole history (parameters and mean loss at every step), so a page can show any step and cache the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from losscore import HingeLoss, HuberLoss, L1Loss, L2Loss, LogisticLoss, SquaredHingeLoss
from losscore._base import Loss

__all__ = [
    "BLOB_CENTRE",
    "BLOB_DIRECTION",
    "CLASSIFIER_LOSSES",
    "MAX_OUTLIERS",
    "N_INLIERS",
    "N_PER_CLASS",
    "OUTLIER_X",
    "REGRESSION_LOSSES",
    "TRUE_INTERCEPT",
    "TRUE_SLOPE",
    "X_RANGE",
    "BlobData",
    "ClassifierRun",
    "Fit",
    "RegressionData",
    "RegressionRun",
    "blob_data",
    "classifier_losses",
    "gradient_descent",
    "mean_loss_and_grad",
    "regression_data",
    "regression_losses",
    "run_classifier",
    "run_regression",
    "step_at",
    "total_loss",
]

REGRESSION_LOSSES: tuple[str, ...] = ("L1Loss", "L2Loss", "HuberLoss")
CLASSIFIER_LOSSES: tuple[str, ...] = ("LogisticLoss", "HingeLoss", "SquaredHingeLoss")

#: The line the regression data follow.
TRUE_SLOPE = 2.0
TRUE_INTERCEPT = 1.0
#: Where the ordinary points lie on the x-axis, and where the outliers sit (the right-hand end, where they
#: have the most leverage on the slope).
X_RANGE = (-3.0, 3.0)
OUTLIER_X = (2.0, 3.0)
N_INLIERS = 60
#: Outlier positions are always drawn for this many, so adding one outlier leaves the others where they were.
MAX_OUTLIERS = 30

#: Two blobs of N_PER_CLASS points each, centred at BLOB_CENTRE ± separation/2 * BLOB_DIRECTION, unit variance.
N_PER_CLASS = 50
BLOB_CENTRE = (1.0, 0.5)
BLOB_DIRECTION = (math.cos(math.radians(35.0)), math.sin(math.radians(35.0)))

#: Training stops (and is reported as diverged) once the mean loss passes this value: far above anything a
#: converging run reaches (the lab's losses start below 10^3), far below float64 overflow.
DIVERGED_LOSS = 1e12


# -- data -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegressionData:
    """Points for the line fit: ``x``, ``y`` and which of them are outliers (the last ``n_outliers``)."""

    x: np.ndarray
    y: np.ndarray
    outlier: np.ndarray
    slope: float = TRUE_SLOPE
    intercept: float = TRUE_INTERCEPT

    @property
    def design(self) -> np.ndarray:
        """The (N, 2) design matrix ``[x, 1]``: predictions are ``design @ (w, b)``."""
        return np.column_stack([self.x, np.ones_like(self.x)])

    @property
    def n_outliers(self) -> int:
        return int(self.outlier.sum())


def regression_data(n_outliers: int, outlier_size: float, noise: float, seed: int,
                    n_inliers: int = N_INLIERS) -> RegressionData:
    """``n_inliers`` points on ``y = 2x + 1`` plus Gaussian noise, then ``n_outliers`` points placed
    ``outlier_size`` below the line at x between 2 and 3 (with the same noise).

    The random draws do not depend on the outlier count or size, so with a fixed seed moving those controls
    only adds, removes or shifts outliers; every other point stays put.

    >>> d = regression_data(3, 10.0, 0.0, seed=0, n_inliers=5)
    >>> d.x.shape, d.n_outliers, bool(np.allclose(d.y[:5], 2 * d.x[:5] + 1))
    ((8,), 3, True)
    >>> bool(np.allclose(d.y[5:], 2 * d.x[5:] + 1 - 10.0))
    True
    """
    if not 0 <= n_outliers <= MAX_OUTLIERS:
        raise ValueError(f"n_outliers must be between 0 and {MAX_OUTLIERS}; got {n_outliers}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0; got {noise}")
    rng = np.random.default_rng(seed)
    x_in = rng.uniform(*X_RANGE, n_inliers)
    e_in = rng.standard_normal(n_inliers)
    x_out = rng.uniform(*OUTLIER_X, MAX_OUTLIERS)[:n_outliers]
    e_out = rng.standard_normal(MAX_OUTLIERS)[:n_outliers]
    x = np.concatenate([x_in, x_out])
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + noise * np.concatenate([e_in, e_out])
    y[n_inliers:] -= outlier_size
    outlier = np.zeros(x.size, dtype=bool)
    outlier[n_inliers:] = True
    return RegressionData(x, y, outlier)


@dataclass(frozen=True)
class BlobData:
    """Two labelled point clouds: ``points`` (N, 2), the labels used for training ``y`` (±1, some flipped),
    the labels the points were drawn with ``y_true``, and which labels were flipped."""

    points: np.ndarray
    y: np.ndarray
    y_true: np.ndarray
    flipped: np.ndarray
    separation: float

    @property
    def design(self) -> np.ndarray:
        """The (N, 3) design matrix ``[x1, x2, 1]``: scores are ``design @ (w1, w2, b)``."""
        return np.column_stack([self.points, np.ones(len(self.points))])


def blob_data(separation: float, n_flipped: int, seed: int, n_per_class: int = N_PER_CLASS) -> BlobData:
    """Two unit-variance Gaussian blobs ``separation`` apart (class +1 and class -1), then ``n_flipped``
    labels chosen at random and flipped. Draws do not depend on the separation or the flip count.

    >>> d = blob_data(4.0, 3, seed=1, n_per_class=10)
    >>> d.points.shape, int(d.flipped.sum()), int((d.y != d.y_true).sum()), sorted(set(d.y.tolist()))
    ((20, 2), 3, 3, [-1.0, 1.0])
    """
    n = 2 * n_per_class
    if not 0 <= n_flipped <= n:
        raise ValueError(f"n_flipped must be between 0 and {n}; got {n_flipped}")
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((n, 2))
    order = rng.permutation(n)
    y_true = np.concatenate([np.ones(n_per_class), -np.ones(n_per_class)])
    points = np.asarray(BLOB_CENTRE) + noise + np.outer(y_true, np.asarray(BLOB_DIRECTION) * separation / 2)
    flipped = np.zeros(n, dtype=bool)
    flipped[order[:n_flipped]] = True
    y = np.where(flipped, -y_true, y_true)
    return BlobData(points, y, y_true, flipped, float(separation))


# -- the losses ---------------------------------------------------------------------------------------------------
def regression_losses(rho: float) -> dict[str, Loss]:
    return {"L1Loss": L1Loss(), "L2Loss": L2Loss(), "HuberLoss": HuberLoss(rho=rho)}


def classifier_losses(margin: float) -> dict[str, Loss]:
    return {"LogisticLoss": LogisticLoss(), "HingeLoss": HingeLoss(margin=margin),
            "SquaredHingeLoss": SquaredHingeLoss(margin=margin)}


# -- training -----------------------------------------------------------------------------------------------------
def total_loss(loss: Loss, design: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """The sum of the per-sample losses of the predictions ``design @ theta`` (what gradients refer to)."""
    return float(loss(design @ np.asarray(theta, dtype=np.float64), y).sum())


def mean_loss_and_grad(loss: Loss, design: np.ndarray, y: np.ndarray,
                       theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """``(mean loss, d(mean loss)/dθ, g)`` at ``theta``, where ``g = dL_total/dpred`` comes from losscore.

    The chain rule through ``pred = design @ θ`` gives ``dL_total/dθ = designᵀ g``; dividing by N gives the
    gradient of the mean.
    """
    values, g = loss.value_and_grad(design @ theta, y)
    n = len(y)
    return float(values.sum()) / n, (g @ design) / n, g


@dataclass(frozen=True)
class Fit:
    """One loss's training run.

    ``params`` has one row per step (row 0 is the start, all zeros; row ``steps`` the final parameters) and
    ``loss`` the mean training loss at each of those rows. ``grad`` is ``dL_total/dpred`` per sample at the
    final parameters. A run that blew up stops early with ``diverged`` set; its history is then shorter.
    """

    name: str
    params: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    diverged: bool = False

    @property
    def final(self) -> np.ndarray:
        return self.params[-1]

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])

    @property
    def steps(self) -> int:
        """How many updates were made."""
        return len(self.params) - 1

    def at(self, step: int) -> np.ndarray:
        """The parameters after ``step`` updates (the last ones if the run stopped earlier)."""
        return self.params[min(max(int(step), 0), self.steps)]

    def loss_at(self, step: int) -> float:
        return float(self.loss[min(max(int(step), 0), self.steps)])


def gradient_descent(name: str, loss: Loss, design: np.ndarray, y: np.ndarray, lr: float, steps: int) -> Fit:
    """Full-batch gradient descent on the mean loss from θ = 0: ``θ ← θ - lr * d(mean loss)/dθ``."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0; got {steps}")
    if not lr > 0:
        raise ValueError(f"the learning rate must be > 0; got {lr}")
    design = np.ascontiguousarray(design, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    n = len(y)
    params = np.zeros((steps + 1, design.shape[1]))
    history = np.zeros(steps + 1)
    theta = params[0].copy()
    scale = lr / n  # the gradient of the mean is (designᵀ g) / n
    diverged = False
    # The loop is mean_loss_and_grad inlined: at a few microseconds per step, the call and its divisions show.
    for t in range(steps + 1):
        values, g = loss.value_and_grad(design @ theta, y)
        value = float(values.sum()) / n
        params[t] = theta
        history[t] = value
        if not value < DIVERGED_LOSS:
            diverged = True
            break
        if t == steps:
            break
        theta = theta - scale * (g @ design)
    last = t + 1
    return Fit(name, params[:last].copy(), history[:last].copy(), g, diverged)


@dataclass(frozen=True)
class RegressionRun:
    """The data and one :class:`Fit` per regression loss (params are (slope, intercept))."""

    data: RegressionData
    fits: dict[str, Fit]
    lr: float
    steps: int
    rho: float


@dataclass(frozen=True)
class ClassifierRun:
    """The data and one :class:`Fit` per classification loss (params are (w1, w2, b))."""

    data: BlobData
    fits: dict[str, Fit]
    lr: float
    steps: int
    margin: float

    def scores(self, name: str, step: int | None = None) -> np.ndarray:
        fit = self.fits[name]
        return self.data.design @ (fit.final if step is None else fit.at(step))

    def accuracy(self, name: str, step: int | None = None) -> float:
        """Share of training points (with the labels used for training) on the correct side, f(x) = 0 wrong."""
        return float(np.mean(np.sign(self.scores(name, step)) == self.data.y))

    def pushing(self, name: str, step: int | None = None) -> int:
        """How many points have a non-zero gradient after ``step`` updates (default: at the end): the points
        the loss still cares about. For the hinge losses they are the points inside the margin or on the
        wrong side; LogisticLoss's gradient is never exactly zero, so it counts every point."""
        if step is None or step >= self.fits[name].steps:
            g = self.fits[name].grad
        else:
            _, g = classifier_losses(self.margin)[name].value_and_grad(self.scores(name, step), self.data.y)
        return int(np.count_nonzero(g))


def run_regression(n_outliers: int, outlier_size: float, noise: float, seed: int, lr: float, steps: int,
                   rho: float) -> RegressionRun:
    """Fit the line with L1Loss, L2Loss and HuberLoss(rho) on the same data (see :func:`regression_data`)."""
    data = regression_data(n_outliers, outlier_size, noise, seed)
    design = data.design
    fits = {name: gradient_descent(name, loss, design, data.y, lr, steps)
            for name, loss in regression_losses(rho).items()}
    return RegressionRun(data, fits, float(lr), int(steps), float(rho))


def run_classifier(separation: float, n_flipped: int, seed: int, lr: float, steps: int,
                   margin: float) -> ClassifierRun:
    """Train the linear classifier with LogisticLoss, HingeLoss(margin) and SquaredHingeLoss(margin)."""
    data = blob_data(separation, n_flipped, seed)
    design = data.design
    fits = {name: gradient_descent(name, loss, design, data.y, lr, steps)
            for name, loss in classifier_losses(margin).items()}
    return ClassifierRun(data, fits, float(lr), int(steps), float(margin))


def step_at(progress: float, steps: int) -> int:
    """The step shown when the progress control is at ``progress`` percent of ``steps``.

    >>> step_at(100, 300), step_at(50, 301), step_at(0, 300)
    (300, 150, 0)
    """
    return int(round(min(max(progress, 0.0), 100.0) / 100.0 * steps))
