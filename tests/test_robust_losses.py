"""The robust regression losses (losscore/robust.py): analytic gradients against finite differences (hypothesis),
float32 kept, huge residuals finite, and the numbers of real references.

References, each computed independently of losscore:
- log-cosh: Keras 3's ``keras.losses.LogCosh`` on the JAX backend and ``optax.log_cosh``;
- quantile: scikit-learn's ``mean_pinball_loss``;
- epsilon-insensitive: scikit-learn's SGD loss ``EpsilonInsensitive`` (its ``py_loss`` / ``py_dloss``);
- Tukey biweight: statsmodels' ``TukeyBiweight`` norm, and the textbook formula
  c²/6 (1 − (1 − (d/c)²)³) for |d| <= c, c²/6 beyond, evaluated in 50-digit mpmath (derivative by mpmath.diff);
- pseudo-Huber: the textbook formula δ² (sqrt(1 + (d/δ)²) − 1) in 50-digit mpmath;
- Barron's general loss: the paper's equation (1), f = |α−2|/α (((x/c)²/|α−2| + 1)^(α/2) − 1), in mpmath for
  ordinary alphas, and its named special cases (Barron 2019, section 1: α = 2 half the squared error, 1
  Charbonnier sqrt(x² + 1) − 1, 0 Cauchy log(x²/2 + 1), −2 Geman-McClure 2x²/(x² + 4), −∞ Welsch
  1 − exp(−x²/2), with x = d/c) written out in mpmath, gradients by mpmath.diff.
"""

from __future__ import annotations

import math
import os

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given
from test_properties import Case, _sample_weight, finite_difference, problems

import losscore as lc
from losscore.catalog import CATALOG
from losscore.robust import NAMED_ALPHAS

mpmath.mp.dps = 50

ROBUST = ("LogCoshLoss", "QuantileLoss", "PseudoHuberLoss", "TukeyBiweightLoss", "EpsilonInsensitiveLoss",
          "GeneralRobustLoss")


def _builder(cls, kink=None, **init):
    """A regression problem as in test_properties; ``kink(d, **init)`` gives the distance to the nearest kink."""

    def build(rng, n, k, weighting, batch_axis, weight):
        pred = rng.normal(0, 3, (n, k))
        label = rng.normal(0, 3, (n * k,))
        loss = cls(weight=weight, batch_axis=batch_axis, **init)
        sw = _sample_weight(rng, n, k, weighting) if batch_axis == 0 else None
        d = pred.ravel() - label
        return Case(loss, [pred, label, sw], ("pred",), kink(d) if kink else np.inf)

    return build


BUILDERS = {
    "LogCosh": _builder(lc.LogCoshLoss),
    "Quantile-0.5": _builder(lc.QuantileLoss, lambda d: np.abs(d).min()),
    "Quantile-0.9": _builder(lc.QuantileLoss, lambda d: np.abs(d).min(), tau=0.9),
    "PseudoHuber-1": _builder(lc.PseudoHuberLoss),
    "PseudoHuber-0.3": _builder(lc.PseudoHuberLoss, delta=0.3),
    "Tukey-default": _builder(lc.TukeyBiweightLoss),
    "Tukey-1.5": _builder(lc.TukeyBiweightLoss, c=1.5),
    "EpsIns-0.1": _builder(lc.EpsilonInsensitiveLoss, lambda d: np.abs(np.abs(d) - 0.1).min()),
    "EpsIns-1": _builder(lc.EpsilonInsensitiveLoss, lambda d: np.abs(np.abs(d) - 1.0).min(), epsilon=1.0),
    **{f"Barron-{a:g}-c{c:g}": _builder(lc.GeneralRobustLoss, alpha=a, scale=c)
       for a, c in ((2.0, 1.0), (1.0, 1.0), (0.0, 0.7), (-2.0, 1.0), (-math.inf, 2.0), (0.5, 1.0), (3.0, 1.5),
                    (1e-7, 1.0), (2.0 - 1e-7, 1.0), (-7.3, 0.5))},
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
@given(problem=problems)
def test_gradient_matches_finite_difference(name, problem):
    seed, n, k, weighting, batch_axis, weight = problem
    case = BUILDERS[name](np.random.default_rng(seed), n, k, weighting, batch_axis, weight)
    assume(case.kink > 1e-3)
    values, grad = case.loss.value_and_grad(*case.args)
    assert values.dtype == np.float64 and values.shape == (case.args[0].shape[batch_axis],)
    assert np.isfinite(values).all() and grad.shape == case.args[0].shape
    numeric = finite_difference(lambda: float(case.loss(*case.args).sum()), case.args[0])
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("name", sorted(BUILDERS))
@given(problem=problems)
def test_float32_in_float32_out(name, problem):
    seed, n, k, weighting, batch_axis, weight = problem
    case = BUILDERS[name](np.random.default_rng(seed), n, k, weighting, batch_axis, weight)
    args32 = [a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in case.args]
    values, grad = case.loss.value_and_grad(*args32)
    values64, grad64 = case.loss.value_and_grad(*case.args)
    assert values.dtype == np.float32 and grad.dtype == np.float32
    np.testing.assert_allclose(values, values64, rtol=2e-4, atol=2e-5)
    # where a kink lies between the float32 and float64 residual the derivative may jump; elsewhere it agrees
    d32 = (args32[0].ravel() - args32[1]).reshape(grad.shape)
    d64 = (case.args[0].ravel() - case.args[1]).reshape(grad.shape)
    away = np.abs(d32 - d64) < 1e-3 * case.kink if np.isfinite(case.kink) else np.ones(grad.shape, bool)
    np.testing.assert_allclose(grad[away], grad64[away], rtol=2e-4, atol=2e-5)


# -- extremes ------------------------------------------------------------------------------------------------------
#: loss, its value for a residual d of huge size (the asymptote that the finite result must equal)
ASYMPTOTES = {
    "LogCosh": (lc.LogCoshLoss(), lambda d: abs(d) - math.log(2)),
    "Quantile-0.9": (lc.QuantileLoss(tau=0.9), lambda d: 0.1 * d if d > 0 else -0.9 * d),
    "PseudoHuber-2": (lc.PseudoHuberLoss(delta=2.0), lambda d: 2.0 * abs(d) - 4.0),
    "Tukey": (lc.TukeyBiweightLoss(), lambda d: 4.685**2 / 6),
    "EpsIns": (lc.EpsilonInsensitiveLoss(), lambda d: abs(d) - 0.1),
    "Charbonnier": (lc.GeneralRobustLoss(alpha=1.0), lambda d: abs(d) - 1.0),
    "Barron-0.5": (lc.GeneralRobustLoss(alpha=0.5), lambda d: 3.0 * ((abs(d) / math.sqrt(1.5)) ** 0.5 - 1.0)),
    "Cauchy": (lc.GeneralRobustLoss(alpha=0.0), lambda d: 2 * math.log(abs(d)) - math.log(2)),
    "Geman-McClure": (lc.GeneralRobustLoss(alpha=-2.0), lambda d: 2.0),
    "Welsch": (lc.GeneralRobustLoss(alpha=-math.inf), lambda d: 1.0),
    "Barron-near-2": (lc.GeneralRobustLoss(alpha=2.0 - 1e-6, scale=1e3), None),
}


@pytest.mark.parametrize("name", sorted(ASYMPTOTES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_residuals_stay_finite_and_on_their_asymptote(name, dtype):
    loss, asymptote = ASYMPTOTES[name]
    big = 1e30 if dtype == np.float32 else 1e300
    d = np.array([[big, -big, 0.5], [-3e38 if dtype == np.float32 else -1e307, 1e20, -2.0]], dtype=dtype)
    values, grad = loss.value_and_grad(d.reshape(-1, 1), np.zeros((6, 1), dtype))
    assert values.dtype == dtype and grad.dtype == dtype
    assert np.isfinite(grad).all(), grad
    assert not np.isnan(values).any(), values
    top = float(np.finfo(dtype).max)
    for v, x in zip(values, d.ravel(), strict=True):
        if asymptote is None:  # near alpha = 2 the loss is about (d / scale)² / 2
            want = 0.5 * (abs(float(x)) / 1e3) ** 2 if abs(float(x)) < 1e150 else math.inf
        elif abs(float(x)) >= 1e20:
            want = asymptote(float(x))
        else:
            continue
        if want < top * 0.999:  # a value that fits the dtype is there; one that does not is +inf, never NaN
            assert float(v) == pytest.approx(want, rel=1e-4), (name, x)
        else:
            assert float(v) == math.inf, (name, x)


def test_gradients_at_huge_residuals_are_the_asymptotic_slopes():
    d = np.array([1e30, -1e30], np.float32)
    z = np.zeros(2, np.float32)
    for loss, slope in ((lc.LogCoshLoss(), 1.0), (lc.PseudoHuberLoss(delta=2.0), 2.0),
                        (lc.QuantileLoss(tau=0.25), None), (lc.GeneralRobustLoss(alpha=1.0, scale=0.5), 2.0),
                        (lc.EpsilonInsensitiveLoss(), 1.0)):
        _, g = loss.value_and_grad(d, z)
        if slope is None:
            np.testing.assert_allclose(g, [0.75, -0.25], rtol=1e-6)
        else:
            np.testing.assert_allclose(g, [slope, -slope], rtol=1e-5)
    for loss in (lc.TukeyBiweightLoss(), lc.GeneralRobustLoss(alpha=-2.0), lc.GeneralRobustLoss(alpha=-math.inf)):
        _, g = loss.value_and_grad(d, z)
        assert np.all(np.abs(g) < 1e-20)  # redescending: an outlier does not pull
    _, g = lc.GeneralRobustLoss(alpha=0.0).value_and_grad(d, z)
    np.testing.assert_allclose(g, 2.0 / d, rtol=1e-5)  # Cauchy: x / (x²/2 + 1) -> 2 / x


# -- Barron: the paper's formula and its named members --------------------------------------------------------------
def _barron_mp(x, alpha):
    """Equation (1) of arXiv:1701.03077 (c = 1) and its limits, in mpmath."""
    x = mpmath.mpf(x)
    if alpha == 2:
        return x**2 / 2
    if alpha == 0:
        return mpmath.log(x**2 / 2 + 1)
    if alpha == -math.inf:
        return 1 - mpmath.exp(-(x**2) / 2)
    a = mpmath.mpf(alpha)
    b = abs(a - 2)
    return b / a * ((x**2 / b + 1) ** (a / 2) - 1)


NAMED_MP = {  # the paper's names, each written out as its own formula (x = d / c)
    2.0: lambda x: x**2 / 2,
    1.0: lambda x: mpmath.sqrt(x**2 + 1) - 1,
    0.0: lambda x: mpmath.log(x**2 / 2 + 1),
    -2.0: lambda x: 2 * x**2 / (x**2 + 4),
    -math.inf: lambda x: 1 - mpmath.exp(-(x**2) / 2),
}
XS = np.array([-40.0, -3.7, -1.0, -0.2, -1e-5, 0.0, 3e-4, 0.5, 1.3, 6.0, 250.0])


@pytest.mark.parametrize("alpha", sorted(NAMED_MP))
@pytest.mark.parametrize("scale", [1.0, 0.3, 4.0])
def test_barron_named_members_equal_their_own_formulas(alpha, scale):
    assert alpha in NAMED_ALPHAS
    loss = lc.GeneralRobustLoss(alpha=alpha, scale=scale)
    values, grad = loss.value_and_grad(XS, np.zeros_like(XS))
    f = NAMED_MP[alpha]
    with mpmath.workdps(200):  # Welsch's 1 − e^(−200) at x = 20 needs the digits
        want = [float(f(mpmath.mpf(x) / scale)) for x in XS]
        dwant = [float(mpmath.diff(lambda t: f(t / scale), mpmath.mpf(x))) for x in XS]
    np.testing.assert_allclose(values, want, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(grad, dwant, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("alpha", [3.0, 1.5, 0.5, 1e-9, -0.5, -2.5, -7.3, 2.0 - 1e-9, 2.0 + 1e-9, -1e9])
def test_barron_matches_equation_one_of_the_paper(alpha):
    loss = lc.GeneralRobustLoss(alpha=alpha)
    values, grad = loss.value_and_grad(XS, np.zeros_like(XS))
    want = [float(_barron_mp(x, alpha)) for x in XS]
    dwant = [float(mpmath.diff(lambda t: _barron_mp(t, alpha), mpmath.mpf(x))) for x in XS]
    np.testing.assert_allclose(values, want, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(grad, dwant, rtol=1e-12, atol=1e-300)


def test_barron_is_continuous_into_its_limits():
    for limit, near in ((0.0, 1e-12), (0.0, -1e-12), (2.0, 2.0 - 1e-10), (2.0, 2.0 + 1e-10)):
        a, da = lc.GeneralRobustLoss(alpha=limit).value_and_grad(XS, np.zeros_like(XS))
        b, db = lc.GeneralRobustLoss(alpha=near).value_and_grad(XS, np.zeros_like(XS))
        np.testing.assert_allclose(b, a, rtol=1e-8, atol=1e-300)
        np.testing.assert_allclose(db, da, rtol=1e-8, atol=1e-300)
    welsch = lc.GeneralRobustLoss(alpha=-math.inf)(XS, np.zeros_like(XS))
    np.testing.assert_allclose(lc.GeneralRobustLoss(alpha=-1e12)(XS, np.zeros_like(XS)), welsch, rtol=1e-9)


def test_barron_at_one_is_pseudo_huber_over_scale_squared():
    d = np.linspace(-9, 9, 37)
    for c in (0.4, 1.0, 2.5):
        b, db = lc.GeneralRobustLoss(alpha=1.0, scale=c).value_and_grad(d, np.zeros_like(d))
        p, dp = lc.PseudoHuberLoss(delta=c).value_and_grad(d, np.zeros_like(d))
        np.testing.assert_allclose(b * c**2, p, rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(db * c**2, dp, rtol=1e-13, atol=1e-300)


# -- pseudo-Huber and Tukey: textbook formulas in mpmath ------------------------------------------------------------
def _pseudo_huber_mp(d, delta):
    return delta**2 * (mpmath.sqrt(1 + (d / delta) ** 2) - 1)


def _tukey_mp(d, c):
    return c**2 / 6 * (1 - (1 - (d / c) ** 2) ** 3) if abs(d) <= c else c**2 / 6


@pytest.mark.parametrize("delta", [0.1, 1.0, 3.0])
def test_pseudo_huber_is_the_textbook_formula(delta):
    d = np.concatenate([XS, [1e-9, -1e8]])
    values, grad = lc.PseudoHuberLoss(delta=delta).value_and_grad(d, np.zeros_like(d))
    dm = mpmath.mpf(delta)
    want = [float(_pseudo_huber_mp(mpmath.mpf(x), dm)) for x in d]
    dwant = [float(mpmath.diff(lambda t: _pseudo_huber_mp(t, dm), mpmath.mpf(x))) for x in d]
    np.testing.assert_allclose(values, want, rtol=1e-13, atol=1e-300)  # no cancellation near 0
    np.testing.assert_allclose(grad, dwant, rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("c", [4.685, 1.0, 0.6])
def test_tukey_is_the_textbook_formula(c):
    d = XS[np.abs(np.abs(XS) - c) > 1e-3]
    values, grad = lc.TukeyBiweightLoss(c=c).value_and_grad(d, np.zeros_like(d))
    cm = mpmath.mpf(c)
    want = [float(_tukey_mp(mpmath.mpf(x), cm)) for x in d]
    dwant = [float(mpmath.diff(lambda t: _tukey_mp(t, cm), mpmath.mpf(x))) for x in d]
    np.testing.assert_allclose(values, want, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(grad, dwant, rtol=1e-12, atol=1e-30)


def test_tukey_matches_statsmodels():
    norms = pytest.importorskip("statsmodels.robust.norms")
    d = np.linspace(-8, 8, 161)
    for c in (4.685, 1.3):
        values, grad = lc.TukeyBiweightLoss(c=c).value_and_grad(d, np.zeros_like(d))
        ref = norms.TukeyBiweight(c=c)
        np.testing.assert_allclose(values, ref.rho(d), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(grad, ref.psi(d), rtol=1e-12, atol=1e-14)


# -- log-cosh: Keras 3 (JAX backend) and optax ----------------------------------------------------------------------
def _keras():
    os.environ["KERAS_BACKEND"] = "jax"  # before the first import of keras
    keras = pytest.importorskip("keras")
    assert keras.backend.backend() == "jax", "keras was imported with another backend before this test"
    return keras


def test_log_cosh_matches_keras_on_jax():
    keras = _keras()
    rng = np.random.default_rng(5)
    pred, label = rng.normal(0, 4, (6, 5)), rng.normal(0, 4, (6, 5))
    pred[0, 0] = 300.0  # where cosh itself overflows float32
    ref = np.asarray(keras.losses.LogCosh(reduction=None)(label.astype(np.float32), pred.astype(np.float32)))
    ours = lc.LogCoshLoss()(pred.astype(np.float32), label.astype(np.float32))
    assert ref.shape == ours.shape == (6,)  # Keras averages the last axis, as losscore averages each sample
    np.testing.assert_allclose(ours, ref, rtol=1e-5)


def test_log_cosh_matches_optax():
    optax = pytest.importorskip("optax")
    rng = np.random.default_rng(6)
    pred, label = rng.normal(0, 10, 200).astype(np.float32), rng.normal(0, 10, 200).astype(np.float32)
    ref = np.asarray(optax.log_cosh(pred, label))  # elementwise
    values, grad = lc.LogCoshLoss().value_and_grad(pred.reshape(-1, 1), label)
    np.testing.assert_allclose(values, ref, rtol=1e-5, atol=1e-6)
    import jax

    jgrad = np.asarray(jax.grad(lambda p: optax.log_cosh(p, label).sum())(pred))
    np.testing.assert_allclose(grad.ravel(), jgrad, rtol=1e-5, atol=1e-6)


# -- quantile and epsilon-insensitive: scikit-learn ------------------------------------------------------------------
@pytest.mark.parametrize("tau", [0.1, 0.5, 0.83])
def test_quantile_mean_is_sklearns_mean_pinball_loss(tau):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(8)
    pred, label, sw = rng.normal(size=50), rng.normal(size=50), rng.uniform(0.1, 2, 50)
    ours = lc.QuantileLoss(tau=tau)(pred.reshape(-1, 1), label)  # one value per sample
    assert ours.mean() == pytest.approx(metrics.mean_pinball_loss(label, pred, alpha=tau), rel=1e-12)
    weighted = lc.QuantileLoss(tau=tau)(pred.reshape(-1, 1), label, sw)  # s_i * l_i
    assert weighted.sum() / sw.sum() == pytest.approx(
        metrics.mean_pinball_loss(label, pred, alpha=tau, sample_weight=sw), rel=1e-12)


def _sgd_loss(name, *args):
    sgd = pytest.importorskip("sklearn.linear_model._sgd_fast")
    cls = getattr(sgd, name, None)
    if cls is None:
        pytest.skip(f"this scikit-learn has no _sgd_fast.{name}")
    return cls(*args)


@pytest.mark.parametrize("epsilon", [0.0, 0.1, 0.75])
def test_epsilon_insensitive_matches_sklearns_sgd_loss(epsilon):
    ref = _sgd_loss("EpsilonInsensitive", epsilon)
    rng = np.random.default_rng(9)
    pred, label = rng.normal(0, 2, 80), rng.normal(0, 2, 80)
    values, grad = lc.EpsilonInsensitiveLoss(epsilon=epsilon).value_and_grad(pred.reshape(-1, 1), label)
    want = [ref.py_loss(float(p), float(y)) for p, y in zip(pred, label, strict=True)]
    dwant = [ref.py_dloss(float(p), float(y)) for p, y in zip(pred, label, strict=True)]
    np.testing.assert_allclose(values, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad.ravel(), dwant, rtol=1e-12, atol=1e-15)


# -- PyTorch counterpart notes -------------------------------------------------------------------------------------
def _note(name):
    return next(c for c in CATALOG[name].counterparts if c.startswith("PyTorch"))


def test_pytorch_notes_formulas_are_what_torch_computes():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    pred, label = rng.normal(0, 5, 64), rng.normal(0, 5, 64)
    p, y = torch.tensor(pred), torch.tensor(label)
    d, r = p - y, y - p
    tau, delta, c, eps = 0.3, 1.7, 2.2, 0.4
    cases = {
        "LogCoshLoss": (d.abs() + torch.nn.functional.softplus(-2 * d.abs()) - math.log(2), lc.LogCoshLoss()),
        "QuantileLoss": (torch.maximum(tau * r, (tau - 1) * r), lc.QuantileLoss(tau=tau)),
        "PseudoHuberLoss": (delta**2 * (torch.sqrt(1 + (d / delta) ** 2) - 1), lc.PseudoHuberLoss(delta=delta)),
        "TukeyBiweightLoss": (c**2 / 6 * (1 - (1 - (d / c).clamp(-1, 1) ** 2) ** 3), lc.TukeyBiweightLoss(c=c)),
        "EpsilonInsensitiveLoss": (torch.clamp(d.abs() - eps, min=0), lc.EpsilonInsensitiveLoss(epsilon=eps)),
    }
    texts = {
        "LogCoshLoss": "d.abs() + torch.nn.functional.softplus(-2 * d.abs()) - math.log(2)",
        "QuantileLoss": "torch.maximum(tau * r, (tau - 1) * r)",
        "PseudoHuberLoss": "delta**2 * (torch.sqrt(1 + (d / delta) ** 2) - 1)",
        "TukeyBiweightLoss": "c**2 / 6 * (1 - (1 - u**2) ** 3)",
        "EpsilonInsensitiveLoss": "torch.clamp(d.abs() - epsilon, min=0)",
    }
    for name, (ref, loss) in cases.items():
        assert texts[name] in _note(name), name
        np.testing.assert_allclose(loss(pred.reshape(-1, 1), label), ref.numpy(), rtol=1e-9, atol=1e-12)
    # the note's warning: the naive log(cosh(d)) overflows in float32 beyond |d| = 89
    assert "89" in _note("LogCoshLoss")
    big = torch.tensor([89.5], dtype=torch.float32)
    assert torch.isinf(torch.log(torch.cosh(big))).all()
    assert np.isfinite(lc.LogCoshLoss()(np.float32([89.5]), np.float32([0.0]))).all()


# -- API -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ROBUST)
def test_api_follows_the_gluon_losses(name):
    spec = CATALOG[name]
    assert spec.family == "regression" and spec.curve == "regression" and spec.label_shift
    loss = spec.cls(weight=2.0, batch_axis=1)
    assert loss.weight == 2.0 and loss.batch_axis == 1
    pred = np.arange(6.0).reshape(2, 3)
    per_sample = loss(pred, np.zeros(6))
    assert per_sample.shape == (3,)  # batch_axis 1: one value per column
    np.testing.assert_allclose(per_sample, 2.0 * spec.cls()(pred.T, np.zeros(6)), rtol=1e-12)
    assert repr(spec.cls()).startswith(f"{name}(")
    with pytest.raises(ValueError, match="label must have as many elements as pred"):
        loss(pred, np.zeros(5))
    with pytest.raises(TypeError, match="pred must be numeric"):
        spec.cls()("abc", [1.0])
    with pytest.raises(ValueError, match="label must be finite"):
        spec.cls()([1.0, 2.0], [0.0, np.nan])


@pytest.mark.parametrize(("cls", "kwargs", "match"), [
    (lc.QuantileLoss, {"tau": 1.5}, r"tau must be a number in \[0, 1\]"),
    (lc.QuantileLoss, {"tau": "a"}, "tau must be a number"),
    (lc.PseudoHuberLoss, {"delta": 0.0}, "delta must be a positive number"),
    (lc.TukeyBiweightLoss, {"c": -1.0}, "c must be a positive number"),
    (lc.EpsilonInsensitiveLoss, {"epsilon": -0.1}, "epsilon must be a number >= 0"),
    (lc.GeneralRobustLoss, {"alpha": math.inf}, "alpha must be a finite number or -inf"),
    (lc.GeneralRobustLoss, {"alpha": float("nan")}, "alpha must be a finite number or -inf"),
    (lc.GeneralRobustLoss, {"alpha": True}, "alpha must be a number"),
    (lc.GeneralRobustLoss, {"scale": 0.0}, "scale must be a positive number"),
])
def test_bad_parameters_are_named(cls, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        cls(**kwargs)


def test_quantile_gradient_at_the_kink_is_zero_and_sides_are_tau():
    _, g = lc.QuantileLoss(tau=0.2).value_and_grad([1.0, 0.0, -1.0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(g, [0.8, 0.0, -0.2], rtol=1e-7)
