"""DiceLoss, JaccardLoss and TverskyLoss: gradients against finite differences, float32, extreme logits, the
relations between the three, and segmentation-models-pytorch 0.6's smp.losses on one sample at a time."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from smp_losses import smp_losses
from test_properties import finite_difference

import losscore as lc

problems = st.tuples(
    st.integers(0, 2**31 - 1),  # seed
    st.integers(1, 3),  # n
    st.sampled_from([(5,), (3, 4), (2, 2, 3)]),  # pixels per sample
    st.sampled_from(["none", "per_sample"]),
    st.sampled_from([None, 0.5, 3.0]),  # weight
    st.sampled_from([0, 0, 1]),  # batch_axis
)

LOSSES = {
    "Dice": lambda **kw: lc.DiceLoss(**kw),
    "Dice-smooth0": lambda **kw: lc.DiceLoss(smooth=0.0, **kw),
    "Jaccard": lambda **kw: lc.JaccardLoss(**kw),
    "Jaccard-smooth0.1": lambda **kw: lc.JaccardLoss(smooth=0.1, **kw),
    "Tversky": lambda **kw: lc.TverskyLoss(**kw),
    "Tversky-recall": lambda **kw: lc.TverskyLoss(alpha=0.3, beta=0.7, **kw),
    "Tversky-precision": lambda **kw: lc.TverskyLoss(alpha=0.9, beta=0.1, smooth=2.0, **kw),
}


def _case(name, problem):
    seed, n, pixels, weighting, weight, batch_axis = problem
    rng = np.random.default_rng(seed)
    shape = (n, *pixels)
    if batch_axis == 1:
        shape = (pixels[0], n, *pixels[1:])
    x = rng.normal(0, 2, shape)
    t = (rng.uniform(size=shape) < 0.4).astype(float)
    sw = rng.uniform(0.2, 2.0, n) if weighting == "per_sample" else None
    return LOSSES[name](weight=weight, batch_axis=batch_axis), [x, t, sw]


@pytest.mark.parametrize("name", sorted(LOSSES))
@settings(max_examples=30, deadline=None)
@given(problem=problems)
def test_gradient_matches_finite_difference(name, problem):
    loss, args = _case(name, problem)
    values, grad = loss.value_and_grad(*args)
    n = args[0].shape[loss.batch_axis]
    assert values.shape == (n,) and values.dtype == np.float64 and np.isfinite(values).all()
    assert grad.shape == args[0].shape
    numeric = finite_difference(lambda: float(loss(*args).sum()), args[0])
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(LOSSES))
@settings(max_examples=20, deadline=None)
@given(problem=problems)
def test_float32_in_float32_out(name, problem):
    loss, args = _case(name, problem)
    args32 = [a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in args]
    values, grad = loss.value_and_grad(*args32)
    v64, g64 = loss.value_and_grad(*args)
    assert values.dtype == np.float32 and grad.dtype == np.float32
    np.testing.assert_allclose(values, v64, rtol=2e-4, atol=2e-6)
    np.testing.assert_allclose(grad, g64, rtol=2e-3, atol=2e-6)


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_and_empty_masks_stay_finite(name, dtype):
    x = np.array([[1e4, -1e4, 0.5, 80.0], [-1e4, -1e4, -1e4, -1e4], [1e4, 1e4, 1e4, 1e4]], dtype=dtype)
    t = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], dtype=dtype)
    values, grad = LOSSES[name]().value_and_grad(x, t)
    assert values.dtype == dtype and grad.dtype == dtype
    assert np.isfinite(values).all() and np.isfinite(grad).all()
    assert ((values >= 0) & (values <= 1)).all()
    loss = LOSSES[name]()
    if loss.smooth > 0:
        assert values[1] == pytest.approx(0.0, abs=1e-6)  # nothing to find, nothing predicted: perfect
    assert values[2] > 0.5  # everything predicted on an empty mask


def test_perfect_and_hopeless_masks():
    t = np.array([[1.0, 1.0, 0.0, 0.0]])
    right, wrong = np.array([[30.0, 30.0, -30.0, -30.0]]), np.array([[-30.0, -30.0, 30.0, 30.0]])
    for loss in (lc.DiceLoss(smooth=0.0), lc.JaccardLoss(smooth=0.0), lc.TverskyLoss(smooth=0.0)):
        assert loss(right, t)[0] == pytest.approx(0.0, abs=1e-12)
        assert loss(wrong, t)[0] == pytest.approx(1.0, abs=1e-12)


def test_relations_between_dice_jaccard_and_tversky():
    rng = np.random.default_rng(4)
    x = rng.normal(0, 2, (6, 10))
    t = (rng.uniform(size=(6, 10)) < 0.5).astype(float)
    dice0, iou0 = 1 - lc.DiceLoss(smooth=0.0)(x, t), 1 - lc.JaccardLoss(smooth=0.0)(x, t)
    np.testing.assert_allclose(iou0, dice0 / (2 - dice0), rtol=1e-12)  # IoU = Dice / (2 - Dice)
    for s in (0.0, 1.0, 3.0):
        np.testing.assert_allclose(lc.TverskyLoss(alpha=1.0, beta=1.0, smooth=s)(x, t),
                                   lc.JaccardLoss(smooth=s)(x, t), rtol=1e-12)
        np.testing.assert_allclose(lc.TverskyLoss(alpha=0.5, beta=0.5, smooth=s / 2)(x, t),
                                   lc.DiceLoss(smooth=s)(x, t), rtol=1e-12)


def test_tversky_beta_charges_missed_pixels_and_alpha_false_alarms():
    t = np.array([[1.0, 1.0, 0.0, 0.0]])
    misses = np.array([[30.0, -30.0, -30.0, -30.0]])  # one false negative
    false_alarm = np.array([[30.0, 30.0, 30.0, -30.0]])  # one false positive
    recall = lc.TverskyLoss(alpha=0.2, beta=0.8, smooth=0.0)
    precision = lc.TverskyLoss(alpha=0.8, beta=0.2, smooth=0.0)
    assert recall(misses, t)[0] > recall(false_alarm, t)[0]
    assert precision(false_alarm, t)[0] > precision(misses, t)[0]


def test_each_sample_has_its_own_value():
    rng = np.random.default_rng(6)
    x, t = rng.normal(size=(4, 3, 3)), (rng.uniform(size=(4, 3, 3)) < 0.5).astype(float)
    batch = lc.DiceLoss()(x, t)
    np.testing.assert_allclose(batch, [lc.DiceLoss()(x[i:i + 1], t[i:i + 1])[0] for i in range(4)], rtol=1e-12)
    sw = np.array([0.0, 1.0, 2.0, 0.5])
    np.testing.assert_allclose(lc.DiceLoss(weight=3.0)(x, t, sw), 3.0 * sw * batch, rtol=1e-12)


# -- reference: segmentation-models-pytorch 0.6 ------------------------------------------------------------
@pytest.mark.parametrize(("ours", "theirs"), [
    (lambda: lc.DiceLoss(), lambda m: m.DiceLoss("binary", smooth=0.5)),  # smp's smooth is half of ours
    (lambda: lc.DiceLoss(smooth=0.0), lambda m: m.DiceLoss("binary", smooth=0.0)),
    (lambda: lc.JaccardLoss(), lambda m: m.JaccardLoss("binary", smooth=1.0)),
    (lambda: lc.JaccardLoss(smooth=0.3), lambda m: m.JaccardLoss("binary", smooth=0.3)),
    (lambda: lc.TverskyLoss(), lambda m: m.TverskyLoss("binary", smooth=1.0)),
    (lambda: lc.TverskyLoss(alpha=0.3, beta=0.7, smooth=0.0),
     lambda m: m.TverskyLoss("binary", alpha=0.3, beta=0.7, smooth=0.0)),
    (lambda: lc.TverskyLoss(alpha=0.8, beta=0.1, smooth=2.0),
     lambda m: m.TverskyLoss("binary", alpha=0.8, beta=0.1, smooth=2.0)),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_segmentation_models_pytorch_one_sample_at_a_time(ours, theirs, dtype):
    m = smp_losses()
    rng = np.random.default_rng(8)
    x = rng.normal(0, 2, (5, 1, 4, 4)).astype(dtype)  # smp's (N, 1, H, W) binary layout
    t = (rng.uniform(size=x.shape) < 0.4).astype(dtype)
    t[0, 0, 0, 0] = 1.0  # no empty mask: smp gives those 0 (see the catalog's differences)
    loss, ref = ours(), theirs(m)
    values, grad = loss.value_and_grad(x, t)
    rtol = 1e-10 if dtype == np.float64 else 2e-6
    for i in range(x.shape[0]):
        xi = torch.tensor(x[i:i + 1], requires_grad=True)
        out = ref(xi, torch.tensor(t[i:i + 1]))
        out.backward()
        assert values[i] == pytest.approx(float(out.detach()), rel=rtol, abs=1e-7)
        np.testing.assert_allclose(grad[i:i + 1], xi.grad.numpy(), rtol=max(rtol, 1e-8) * 50, atol=1e-7)


def test_smp_zeroes_an_empty_mask_where_losscore_does_not():
    m = smp_losses()
    x = np.full((1, 1, 2, 2), 0.5)
    t = np.zeros_like(x)
    assert float(m.DiceLoss("binary", smooth=0.5)(torch.tensor(x), torch.tensor(t))) == 0.0
    assert lc.DiceLoss()(x, t)[0] > 0.5  # a prediction of 62% everywhere on an empty mask is far from perfect


# -- input checks ------------------------------------------------------------------------------------------
def test_bad_inputs_raise_named_errors():
    with pytest.raises(ValueError, match=r"label must be a mask with entries in \[0, 1\]"):
        lc.DiceLoss()([[0.0, 1.0]], [[0.0, 2.0]])
    with pytest.raises(ValueError, match="label must have as many elements as pred"):
        lc.JaccardLoss()([[0.0, 1.0]], [[0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match="smooth must be a number >= 0"):
        lc.DiceLoss(smooth=-1.0)
    with pytest.raises(ValueError, match="alpha must be a number >= 0"):
        lc.TverskyLoss(alpha=-0.5)
    with pytest.raises(TypeError, match="beta must be a number or None"):
        lc.TverskyLoss(beta="x")
    with pytest.raises(ValueError, match="sample_weight must hold 1 or 2 values"):
        lc.DiceLoss()(np.zeros((2, 3)), np.zeros((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match="pred must be finite"):
        lc.TverskyLoss()([[np.nan, 1.0]], [[0.0, 1.0]])
