"""The margin losses on raw scores (losscore.margin): analytic gradients against finite differences, float32
against float64, extreme scores, and the references: scikit-learn's SGD losses (the Cython loss classes that
SGDClassifier trains with: ModifiedHuber for loss='modified_huber', Hinge(threshold=0) for loss='perceptron',
Hinge(1) for loss='hinge') and torch.nn.MultiMarginLoss (torch 2.13 CPU) for the multiclass hinge. 0-1 is checked
as the bound every surrogate holds above.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from hypothesis import given
from sklearn.linear_model import _sgd_fast
from test_properties import finite_difference, problems

import losscore as lc


def _sample_weight(rng, n, k, how):
    return {"none": None, "per_sample": rng.uniform(0.2, 2.0, n), "column": rng.uniform(0.2, 2, (n, 1)),
            "full": rng.uniform(0.2, 2.0, (n, k))}[how]


def _binary(cls, kinks: tuple[float, ...]):
    """Scores of shape (n, k), ±1 labels, and the distance of y·score to the loss's kinks."""
    def build(rng, n, k, weighting, batch_axis, weight):
        pred = rng.normal(0, 2, (n, k))
        label = rng.choice([-1.0, 1.0], (n, k))
        sw = _sample_weight(rng, n, k, weighting) if batch_axis == 0 else None
        kink = min(np.abs(pred * label - c).min() for c in kinks)
        return cls(weight=weight, batch_axis=batch_axis), [pred, label, sw], kink

    return build


def _multiclass(margin, axis=-1):
    def build(rng, n, k, weighting, batch_axis, weight):
        c = max(k, 2) + 1
        pred = rng.normal(0, 2, (n, c, 2) if axis == 1 else (n, 2, c))
        label = rng.integers(0, c, (n, 2))
        sw = rng.uniform(0.2, 2.0, (n, 1, 1)) if weighting != "none" else None
        loss = lc.MulticlassHingeLoss(margin=margin, axis=axis, weight=weight)
        picked = np.take_along_axis(pred, np.expand_dims(label, axis), axis=axis)
        kink = np.abs(margin - picked + pred).min()
        return loss, [pred, label, sw], kink

    return build


BUILDERS: dict[str, Callable] = {
    "ModifiedHuber": _binary(lc.ModifiedHuberLoss, (1.0,)),  # smooth at -1: both pieces have slope -4 there
    "Perceptron": _binary(lc.PerceptronLoss, (0.0,)),
    "ZeroOne": _binary(lc.ZeroOneLoss, (0.0,)),
    "MulticlassHinge": _multiclass(1.0),
    "MulticlassHinge-m0.3-axis1": _multiclass(0.3, axis=1),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
@given(problem=problems)
def test_gradient_matches_finite_difference(name, problem):
    seed, n, k, weighting, batch_axis, weight = problem
    loss, args, kink = BUILDERS[name](np.random.default_rng(seed), n, k, weighting, batch_axis, weight)
    values, grad = loss.value_and_grad(*args)
    assert values.dtype == np.float64 and values.shape == (args[0].shape[loss.batch_axis],)
    assert np.isfinite(values).all() and grad.shape == args[0].shape
    if kink < 1e-3:
        return
    numeric = finite_difference(lambda: float(loss(*args).sum()), args[0])
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("name", sorted(BUILDERS))
@given(problem=problems)
def test_float32_in_float32_out(name, problem):
    seed, n, k, weighting, batch_axis, weight = problem
    loss, args, kink = BUILDERS[name](np.random.default_rng(seed), n, k, weighting, batch_axis, weight)
    args32 = [a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args]
    values, grad = loss.value_and_grad(*args32)
    assert values.dtype == np.float32 and grad.dtype == np.float32
    if kink > 1e-3:  # float32 rounding can move a score across a jump of the 0-1 loss or a kink
        np.testing.assert_allclose(values, loss(*args), rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("make", [lc.ModifiedHuberLoss, lc.PerceptronLoss, lc.ZeroOneLoss, lc.HingeLoss])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_scores_stay_finite(make, dtype):
    x = np.array([[1e4, -1e4, 0.5], [-1e4, 1e4, -3.0]], dtype=dtype)
    values, grad = make().value_and_grad(x, np.ones_like(x))
    assert np.isfinite(values).all() and np.isfinite(grad).all() and (values >= 0).all()
    assert values.dtype == dtype and grad.dtype == dtype
    values, grad = lc.MulticlassHingeLoss().value_and_grad(x, [0, 2])
    assert np.isfinite(values).all() and np.isfinite(grad).all() and values.dtype == dtype
    np.testing.assert_allclose(values, [0.0, (1 + 3.0 + 1e4) / 3], rtol=1e-6)  # only class 1 beats class 2


# -- references ----------------------------------------------------------------------------------------------

_SCORES = np.concatenate([np.linspace(-4, 4, 161), [-1.0, 0.0, 1.0, -1e-9, 1e-9, 2.5e3]])


@pytest.mark.parametrize(("ours", "theirs"), [
    (lc.ModifiedHuberLoss(), _sgd_fast.ModifiedHuber()),
    (lc.PerceptronLoss(), _sgd_fast.Hinge(0.0)),
    (lc.HingeLoss(), _sgd_fast.Hinge(1.0)),
])
def test_binary_margin_losses_match_scikit_learn(ours, theirs):
    for y in (-1.0, 1.0):
        values, grad = ours.value_and_grad(_SCORES, np.full_like(_SCORES, y))
        ref = np.array([theirs.py_loss(p, y) for p in _SCORES])
        dref = np.array([theirs.py_dloss(p, y) for p in _SCORES])
        np.testing.assert_allclose(values, ref, rtol=1e-12, atol=1e-12)
        if isinstance(ours, lc.HingeLoss):  # scikit-learn takes -y at the kink, Gluon's hinge takes 0
            kink = _SCORES * y == 1.0
            np.testing.assert_allclose(grad[~kink], dref[~kink], atol=1e-12)
            assert (grad[kink] == 0).all() and (dref[kink] == -y).all()
        else:
            np.testing.assert_allclose(grad, dref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("margin", [1.0, 0.3, 2.5])
def test_multiclass_hinge_matches_torch_multi_margin_loss(margin):
    rng = np.random.default_rng(8)
    x, y = rng.normal(0, 1.5, (9, 5)), rng.integers(0, 5, 9)
    xt = torch.tensor(x, requires_grad=True)
    ref = torch.nn.MultiMarginLoss(margin=margin, reduction="none")(xt, torch.tensor(y))
    ref.sum().backward()
    values, grad = lc.MulticlassHingeLoss(margin=margin).value_and_grad(x, y)
    np.testing.assert_allclose(values, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(grad, xt.grad.numpy(), atol=1e-12)
    # torch divides by C, the right class included: C times the value is the plain Weston-Watkins sum
    sums = np.maximum(0, margin - x[np.arange(9), y][:, None] + x)
    sums[np.arange(9), y] = 0
    np.testing.assert_allclose(values * 5, sums.sum(axis=1))


def test_torch_multi_margin_example():
    x = [[0.1, 0.2, 0.4, 0.8]]
    ref = torch.nn.MultiMarginLoss()(torch.tensor(x), torch.tensor([3])).item()
    assert lc.MulticlassHingeLoss()(x, [3])[0] == pytest.approx(ref) == pytest.approx(0.325)


# -- 0-1 as the bound -----------------------------------------------------------------------------------------

def test_zero_one_is_the_error_rate_and_has_no_gradient():
    rng = np.random.default_rng(1)
    x, y = rng.normal(0, 1, (4, 50)), rng.choice([-1.0, 1.0], (4, 50))
    values, grad = lc.ZeroOneLoss().value_and_grad(x, y)
    np.testing.assert_allclose(values, (np.sign(x) != y).mean(axis=1))
    assert (grad == 0).all()
    assert lc.ZeroOneLoss()([0.0], [1.0])[0] == 1.0  # a zero score decides nothing: counted as wrong


@pytest.mark.parametrize("surrogate", [
    lc.HingeLoss(), lc.SquaredHingeLoss(), lc.ModifiedHuberLoss(),
    lc.LogisticLoss(weight=1 / np.log(2)),  # the logistic loss in bits: log2(1 + e^-z) = 1 at z = 0
])
def test_surrogates_bound_the_zero_one_loss(surrogate):
    x = np.linspace(-5, 5, 2001)
    for y in (-1.0, 1.0):
        labels = np.full_like(x, y)
        assert (surrogate(x, labels) >= lc.ZeroOneLoss()(x, labels)).all()


def test_the_perceptron_does_not_bound_it():
    # zero at a zero score, where the 0-1 loss is 1: the perceptron criterion is no upper bound
    assert lc.PerceptronLoss()([0.0], [1.0])[0] == 0.0 < lc.ZeroOneLoss()([0.0], [1.0])[0]


def test_perceptron_steps_away_from_zero_weights():
    # the perceptron rule updates on y·score <= 0: from w = 0 the gradient is -y x, so training can start
    x, y = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([1.0, -1.0])
    _, dscore = lc.PerceptronLoss().value_and_grad(np.zeros(2), y)
    np.testing.assert_allclose(dscore @ x, -(y[:, None] * x).sum(axis=0))
    _, dhinge0 = lc.HingeLoss(margin=0.0).value_and_grad(np.zeros(2), y)
    assert (dhinge0 == 0).all()  # Gluon's hinge at margin 0 is stuck there


def test_margin_losses_check_their_labels():
    with pytest.raises(ValueError, match=r"whole class indices in \[0, 2\)"):
        lc.MulticlassHingeLoss()([[1.0, 2.0]], [0.5])
    with pytest.raises(TypeError, match="margin must be a number"):
        lc.MulticlassHingeLoss(margin=None)
    with pytest.raises(ValueError, match="label must have as many elements as pred"):
        lc.ModifiedHuberLoss()([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="pred must be finite"):
        lc.ZeroOneLoss()([np.nan, 1.0], [1.0, 1.0])
