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
    "run_classifiers",
    "run_regression",
    "run_regressions",
    "train_many",
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


# -- many runs at once ----------------------------------------------------------------------------------------------
# The page shows one run per setting of its controls, and the browser-side sliders need the runs at the values
# around each control's own (the Training lab page turns them into frames with
# lossapp.training_frames.regression_setting_columns / classifier_setting_columns). Those runs differ only in
# their numbers, so they are trained together: every step is one losscore call on all of them at once (a call
# costs ~10 us of overhead; the arithmetic on a few thousand points costs less). Losses whose parameter differs
# between the runs are evaluated at parameter 1 on rescaled inputs, which is exact algebra:
#   HuberLoss(rho)(p, y)           = rho   * HuberLoss(1)(p / rho, y / rho),  gradient HuberLoss(1)'(...)
#   HingeLoss(m)(p, y)             = m     * HingeLoss(1)(p / m, y),          gradient HingeLoss(1)'(...)
#   SquaredHingeLoss(m)(p, y)      = m**2  * SquaredHingeLoss(1)(p / m, y),   gradient m * SquaredHingeLoss(1)'(...)
# (the labels of the hinge losses are +-1 and stay as they are).
_UNIT_LOSSES: dict[str, Loss] = {
    "L1Loss": L1Loss(), "L2Loss": L2Loss(), "HuberLoss": HuberLoss(rho=1.0),
    "LogisticLoss": LogisticLoss(), "HingeLoss": HingeLoss(margin=1.0),
    "SquaredHingeLoss": SquaredHingeLoss(margin=1.0),
}
#: How each loss's parameter enters (see above): (scales the label too, power of the parameter on the value).
_SCALED: dict[str, tuple[bool, int]] = {"HuberLoss": (True, 1), "HingeLoss": (False, 1), "SquaredHingeLoss": (False, 2)}


def _values_and_grads(name: str, pred: np.ndarray, y: np.ndarray, param: np.ndarray | None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample losses and ``dL_total/dpred`` of loss ``name`` for a (K, N) batch of runs, run k with its
    parameter (rho or margin) ``param[k]``. Runs that share one parameter (a single run, for one) get the loss
    at that parameter directly; otherwise the rescaling above, or one call per parameter value where it cannot
    apply (a margin of 0)."""
    if name not in _SCALED or param is None or (param == param[0]).all():
        loss = _UNIT_LOSSES[name] if param is None or name not in _SCALED else _loss_at(name, float(param[0]))
        values, g = loss.value_and_grad(pred.ravel(), y.ravel())
        return values.reshape(pred.shape), g.reshape(pred.shape)
    if not (param > 0).all():
        values, g = np.empty_like(pred), np.empty_like(pred)
        for value in np.unique(param):
            rows = param == value
            values[rows], g[rows] = _values_and_grads(name, pred[rows], y[rows], param[rows])
        return values, g
    label_too, power = _SCALED[name]
    s = param[:, None]
    values, g = _UNIT_LOSSES[name].value_and_grad((pred / s).ravel(), (y / s if label_too else y).ravel())
    values = values.reshape(pred.shape) * (s if power == 1 else s * s)
    g = g.reshape(pred.shape)
    if power == 2:
        g = g * s
    return values, g


def _loss_at(name: str, param: float) -> Loss:
    """Loss ``name`` at its rho or margin ``param``."""
    return HuberLoss(rho=param) if name == "HuberLoss" else classifier_losses(param)[name]


def train_many(name: str, design: np.ndarray, y: np.ndarray, lr: np.ndarray, steps: np.ndarray,
               param: np.ndarray | None = None, mask: np.ndarray | None = None) -> list[Fit]:
    """:func:`gradient_descent` for K runs of loss ``name`` at once, one :class:`Fit` per run.

    Shapes: ``design`` (K, N, d), ``y`` (K, N), ``lr`` and ``steps`` (K,), ``param`` (K,) the loss's rho or
    margin per run (None for a loss without one), ``mask`` (K, N) which points run k has (it may have fewer
    than N: the rest are padding and count for nothing; the mean divides by run k's own count). A run stops
    after its own number of steps, or once it diverges, exactly as :func:`gradient_descent`.
    """
    design = np.asarray(design, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    k_runs, n_max, dim = design.shape
    keep = None if mask is None or np.all(mask) else np.asarray(mask, dtype=np.float64)
    steps = np.asarray(steps, dtype=np.int64)
    lr = np.asarray(lr, dtype=np.float64)
    if steps.min() < 0:
        raise ValueError(f"steps must be >= 0; got {int(steps.min())}")
    if not (lr > 0).all():
        raise ValueError(f"the learning rate must be > 0; got {float(lr.min())}")
    p = None if param is None else np.asarray(param, dtype=np.float64)
    n = np.full(k_runs, float(n_max)) if keep is None else keep.sum(axis=1)
    last = int(steps.max())
    params = np.zeros((last + 1, k_runs, dim))
    history = np.zeros((last + 1, k_runs))
    final_g = np.zeros((k_runs, n_max))
    stop = steps.copy()  # the last row of each run
    diverged = np.zeros(k_runs, dtype=bool)
    rate = lr / n  # per run; set to 0 once a run has stopped
    theta = np.zeros((k_runs, dim))
    ends = set(stop.tolist())
    for t in range(last + 1):
        values, g = _values_and_grads(name, np.matmul(design, theta[:, :, None])[:, :, 0], y, p)
        if keep is not None:
            g *= keep
            values *= keep
        value = values.sum(axis=1)
        value /= n
        params[t] = theta
        history[t] = value
        if not value.max() < DIVERGED_LOSS:  # some run blew up (or went NaN): it stops here
            blown = (rate > 0) & ~(value < DIVERGED_LOSS)
            if blown.any():
                diverged |= blown
                stop[blown] = t
                ends.add(t)
        if t in ends:
            ending = (rate > 0) & (stop == t)
            final_g[ending] = g[ending]
            rate[ending] = 0.0
            if not rate.any():
                break
        theta -= rate[:, None] * np.matmul(g[:, None, :], design)[:, 0, :]
    fits = []
    for k in range(k_runs):
        rows = int(stop[k]) + 1
        g_k = final_g[k] if keep is None else final_g[k][keep[k] > 0]
        fits.append(Fit(name, params[:rows, k].copy(), history[:rows, k].copy(), g_k.copy(), bool(diverged[k])))
    return fits


RegressionSetting = tuple[int, float, float, int, float, int, float]
ClassifierSetting = tuple[float, int, int, float, int, float]


def run_regressions(settings: list[RegressionSetting]) -> list[RegressionRun]:
    """:func:`run_regression` for each of ``settings`` (its arguments, in order), all trained together."""
    if len(settings) == 1:  # one run: the plain loop is faster than the batched one's bookkeeping
        n_out, size, noise, seed, lr_, steps_, rho_ = settings[0]
        data = regression_data(n_out, size, noise, seed)
        return [RegressionRun(data, {name: gradient_descent(name, loss, data.design, data.y, lr_, steps_)
                                     for name, loss in regression_losses(rho_).items()},
                              float(lr_), int(steps_), float(rho_))]
    datas = [regression_data(n_out, size, noise, seed) for n_out, size, noise, seed, *_ in settings]
    n_max = max(len(d.x) for d in datas)
    design = np.zeros((len(datas), n_max, 2))
    y = np.zeros((len(datas), n_max))
    mask = np.zeros((len(datas), n_max), dtype=bool)
    for k, d in enumerate(datas):
        design[k, :len(d.x)] = d.design
        y[k, :len(d.x)] = d.y
        mask[k, :len(d.x)] = True
    lr = np.array([s[4] for s in settings], dtype=np.float64)
    steps = np.array([s[5] for s in settings], dtype=np.int64)
    rho = np.array([s[6] for s in settings], dtype=np.float64)
    for value in set(rho.tolist()):
        HuberLoss(rho=value)  # checks rho, with losscore's message
    fits = {name: train_many(name, design, y, lr, steps, rho if name == "HuberLoss" else None, mask)
            for name in REGRESSION_LOSSES}
    return [RegressionRun(d, {name: fits[name][k] for name in REGRESSION_LOSSES}, float(s[4]), int(s[5]), float(s[6]))
            for k, (d, s) in enumerate(zip(datas, settings, strict=True))]


def run_regression(n_outliers: int, outlier_size: float, noise: float, seed: int, lr: float, steps: int,
                   rho: float) -> RegressionRun:
    """Fit the line with L1Loss, L2Loss and HuberLoss(rho) on the same data (see :func:`regression_data`)."""
    return run_regressions([(n_outliers, outlier_size, noise, seed, lr, steps, rho)])[0]


def run_classifiers(settings: list[ClassifierSetting]) -> list[ClassifierRun]:
    """:func:`run_classifier` for each of ``settings`` (its arguments, in order), all trained together."""
    margin = np.array([s[5] for s in settings], dtype=np.float64)
    for value in set(margin.tolist()):
        classifier_losses(value)  # checks the margin, with losscore's message
    if len(settings) == 1:  # one run: the plain loop is faster than the batched one's bookkeeping
        sep, flipped, seed, lr_, steps_, margin_ = settings[0]
        data = blob_data(sep, flipped, seed)
        return [ClassifierRun(data, {name: gradient_descent(name, loss, data.design, data.y, lr_, steps_)
                                     for name, loss in classifier_losses(margin_).items()},
                              float(lr_), int(steps_), float(margin_))]
    datas = [blob_data(sep, flipped, seed) for sep, flipped, seed, *_ in settings]
    design = np.stack([d.design for d in datas])
    y = np.stack([d.y for d in datas])
    lr = np.array([s[3] for s in settings], dtype=np.float64)
    steps = np.array([s[4] for s in settings], dtype=np.int64)
    fits = {name: train_many(name, design, y, lr, steps, margin if name != "LogisticLoss" else None)
            for name in CLASSIFIER_LOSSES}
    return [ClassifierRun(d, {name: fits[name][k] for name in CLASSIFIER_LOSSES}, float(s[3]), int(s[4]),
                          float(s[5])) for k, (d, s) in enumerate(zip(datas, settings, strict=True))]


def run_classifier(separation: float, n_flipped: int, seed: int, lr: float, steps: int,
                   margin: float) -> ClassifierRun:
    """Train the linear classifier with LogisticLoss, HingeLoss(margin) and SquaredHingeLoss(margin)."""
    return run_classifiers([(separation, n_flipped, seed, lr, steps, margin)])[0]


def step_at(progress: float, steps: int) -> int:
    """The step shown when the progress control is at ``progress`` percent of ``steps``.

    >>> step_at(100, 300), step_at(50, 301), step_at(0, 300)
    (300, 150, 0)
    """
    return int(round(min(max(progress, 0.0), 100.0) / 100.0 * steps))
