"""InfoNCELoss, CosFaceLoss and ArcFaceLoss: gradients for every vector input against finite differences,
float32, extremes, and pytorch-metric-learning 2.9's NTXentLoss, CosFaceLoss and ArcFaceLoss (their weights set
to ours)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pytorch_metric_learning import losses as pml
from test_properties import finite_difference

import losscore as lc

problems = st.tuples(
    st.integers(0, 2**31 - 1),  # seed
    st.integers(2, 5),  # n
    st.integers(2, 4),  # d
    st.integers(2, 4),  # classes
    st.sampled_from([None, 0.5, 2.0]),  # weight
    st.booleans(),  # sample weight
)


def _margin_case(cls, problem, **init):
    seed, n, d, c, weight, weighted = problem
    rng = np.random.default_rng(seed)
    emb, centers = rng.normal(0, 1, (n, d)), rng.normal(0, 1, (c, d))
    label = rng.integers(0, c, n).astype(float)
    sw = rng.uniform(0.2, 2.0, n) if weighted else None
    return cls(weight=weight, **init), [emb, label, centers, sw]


def _nce_case(problem, temperature):
    seed, n, d, _, weight, weighted = problem
    rng = np.random.default_rng(seed)
    a = rng.normal(0, 1, (n, d))
    p = a + rng.normal(0, 0.7, (n, d))
    sw = rng.uniform(0.2, 2.0, n) if weighted else None
    return lc.InfoNCELoss(temperature=temperature, weight=weight), [a, p, sw]


CASES = {
    "InfoNCE-t0.1": (lambda pr: _nce_case(pr, 0.1), {"pred": 0, "positive": 1}),
    "InfoNCE-t1": (lambda pr: _nce_case(pr, 1.0), {"pred": 0, "positive": 1}),
    "CosFace": (lambda pr: _margin_case(lc.CosFaceLoss, pr, scale=4.0, margin=0.35), {"pred": 0, "centers": 2}),
    "CosFace-defaults": (lambda pr: _margin_case(lc.CosFaceLoss, pr), {"pred": 0, "centers": 2}),
    "ArcFace": (lambda pr: _margin_case(lc.ArcFaceLoss, pr, scale=4.0, margin=0.5), {"pred": 0, "centers": 2}),
    "ArcFace-wide": (lambda pr: _margin_case(lc.ArcFaceLoss, pr, scale=3.0, margin=1.4),
                     {"pred": 0, "centers": 2}),
}


def _arcface_kink(loss, args) -> float:
    """Distance in angle of any target class to pi - m, where ArcFace switches branches."""
    if not isinstance(loss, lc.ArcFaceLoss):
        return np.inf
    emb, label, centers = args[0], args[1].astype(int), args[2]
    cos = lc.contrastive.cosine_matrix(emb, centers)[np.arange(len(label)), label]
    return float(np.abs(np.arccos(np.clip(cos, -1, 1)) - (math.pi - loss.margin)).min())


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=30, deadline=None)
@given(problem=problems)
def test_gradient_matches_finite_difference(name, problem):
    build, inputs = CASES[name]
    loss, args = build(problem)
    assume(_arcface_kink(loss, args) > 1e-3)  # ArcFace's branch switch: no derivative to compare with there
    values, grads = loss.value_and_grad(*args, wrt=tuple(inputs))
    assert values.shape == (args[0].shape[0],) and values.dtype == np.float64 and np.isfinite(values).all()
    for (input_name, index), grad in zip(inputs.items(), grads, strict=True):
        x = args[index]
        assert grad.shape == x.shape
        numeric = finite_difference(lambda: float(loss(*args).sum()), x)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6, err_msg=f"{name} d/d{input_name}")


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=20, deadline=None)
@given(problem=problems)
def test_float32_in_float32_out(name, problem):
    build, inputs = CASES[name]
    loss, args = build(problem)
    args32 = [a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in args]
    values, grads = loss.value_and_grad(*args32, wrt=tuple(inputs))
    assert values.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    np.testing.assert_allclose(values, loss(*args), rtol=2e-4, atol=5e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extremes_stay_finite(dtype):
    # huge and tiny vectors, an embedding exactly on its centre, exactly opposite, and a zero vector
    emb = np.array([[1e30, 0.0], [1e-30, 1e-30], [2.0, 0.0], [-3.0, 0.0], [0.0, 0.0]], dtype=dtype)
    if dtype == np.float32:
        emb[0, 0], emb[1] = 1e30, 1e-30
    centers = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    label = np.array([0, 1, 0, 0, 1])
    for loss in (lc.CosFaceLoss(), lc.ArcFaceLoss(), lc.ArcFaceLoss(scale=64.0, margin=1.2)):
        values, (ge, gw) = loss.value_and_grad(emb, label, centers, wrt=("pred", "centers"))
        assert values.dtype == dtype and ge.dtype == dtype and gw.dtype == dtype
        assert np.isfinite(values).all() and np.isfinite(ge).all() and np.isfinite(gw).all(), loss
        assert (values >= 0).all()
        assert (ge[4] == 0).all()  # a zero vector has no direction to move
    a = emb.copy()
    for t in (0.01, 0.1, 2.0):
        values, (ga, gp) = lc.InfoNCELoss(temperature=t).value_and_grad(a, a[::-1].copy(), wrt=("pred", "positive"))
        assert np.isfinite(values).all() and np.isfinite(ga).all() and np.isfinite(gp).all()
        assert values.dtype == dtype


# -- the losses' own properties ----------------------------------------------------------------------------
def test_infonce_is_softmax_cross_entropy_over_cosines_over_temperature():
    rng = np.random.default_rng(1)
    a, p = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    logits = lc.contrastive.cosine_matrix(a, p) / 0.2
    np.testing.assert_allclose(lc.InfoNCELoss(temperature=0.2)(a, p),
                               lc.SoftmaxCrossEntropyLoss()(logits, np.arange(6)), rtol=1e-12)
    np.testing.assert_allclose(lc.InfoNCELoss(temperature=0.2).logits(a, p), logits, rtol=1e-12)
    # lengths do not matter, only directions
    np.testing.assert_allclose(lc.InfoNCELoss()(a * 7.0, p * 0.01), lc.InfoNCELoss()(a, p), rtol=1e-10)


def test_margins_at_zero_are_the_plain_normalised_softmax():
    rng = np.random.default_rng(2)
    emb, centers = rng.normal(size=(5, 4)), rng.normal(size=(3, 4))
    label = rng.integers(0, 3, 5)
    plain = lc.SoftmaxCrossEntropyLoss()(8.0 * lc.contrastive.cosine_matrix(emb, centers), label)
    np.testing.assert_allclose(lc.CosFaceLoss(scale=8.0, margin=0.0)(emb, label, centers), plain, rtol=1e-10)
    np.testing.assert_allclose(lc.ArcFaceLoss(scale=8.0, margin=0.0)(emb, label, centers), plain, rtol=1e-10)
    # a margin only ever costs: the target's logit goes down
    assert (lc.CosFaceLoss(scale=8.0)(emb, label, centers) > plain).all()
    assert (lc.ArcFaceLoss(scale=8.0)(emb, label, centers) > plain).all()


def test_arcface_target_logit_falls_with_the_angle_on_both_branches():
    loss = lc.ArcFaceLoss(margin=0.5)
    theta = np.linspace(0.0, math.pi, 2001)
    logit, _ = loss.target_logit(np.cos(theta))
    assert (np.diff(logit) < 0).all()
    beyond = theta > math.pi - 0.5
    np.testing.assert_allclose(logit[beyond], np.cos(theta[beyond]) - 0.5 * math.sin(0.5), rtol=1e-12)
    np.testing.assert_allclose(logit[~beyond], np.cos(theta[~beyond] + 0.5), rtol=1e-12, atol=1e-15)


# -- references: pytorch-metric-learning 2.9 -------------------------------------------------------------
def _pml_margin(pml_cls, margin_arg, emb, label, centers, scale):
    c, d = centers.shape
    ref = pml_cls(num_classes=c, embedding_size=d, margin=margin_arg, scale=scale)
    ref.W.data = torch.tensor(centers.T.copy())
    te = torch.tensor(emb, requires_grad=True)
    out = ref(te, torch.tensor(label, dtype=torch.long))
    out.backward()
    return float(out.detach()), te.grad.numpy(), ref.W.grad.numpy().T


@pytest.mark.parametrize(("cls", "pml_cls", "margin", "pml_margin"), [
    (lc.CosFaceLoss, pml.CosFaceLoss, 0.35, 0.35),
    (lc.ArcFaceLoss, pml.ArcFaceLoss, 0.5, math.degrees(0.5)),  # pml's ArcFace margin is in degrees
    (lc.ArcFaceLoss, pml.ArcFaceLoss, 1.2, math.degrees(1.2)),
])
@pytest.mark.parametrize("scale", [30.0, 5.0])
def test_margin_losses_match_pytorch_metric_learning(cls, pml_cls, margin, pml_margin, scale):
    rng = np.random.default_rng(21)
    n, d, c = 16, 5, 4
    emb, centers = rng.normal(size=(n, d)), rng.normal(size=(c, d))
    label = rng.integers(0, c, n)
    # a target near 180 degrees: ArcFace's second branch (at exactly 180, acos' infinite slope gives torch NaN)
    emb[0] = -centers[label[0]] * 0.5 + 0.05 * rng.normal(size=d)
    ref_value, ref_ge, ref_gw = _pml_margin(pml_cls, pml_margin, emb, label, centers, scale)
    values, (ge, gw) = cls(scale=scale, margin=margin).value_and_grad(emb, label, centers, wrt=("pred", "centers"))
    # pml averages the per-sample values over the batch
    np.testing.assert_allclose(values.mean(), ref_value, rtol=1e-10)
    np.testing.assert_allclose(ge / n, ref_ge, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(gw / n, ref_gw, rtol=1e-7, atol=1e-12)


def test_infonce_matches_pytorch_metric_learning_ntxent_with_ref_emb():
    rng = np.random.default_rng(23)
    n, d = 8, 6
    a, p = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    labels = torch.arange(n)
    for t in (0.07, 0.1, 0.5):
        ta, tp = torch.tensor(a, requires_grad=True), torch.tensor(p, requires_grad=True)
        # ref_labels must be another tensor: pml drops the diagonal (no positives at all) when it is labels itself
        out = pml.NTXentLoss(temperature=t)(ta, labels, ref_emb=tp, ref_labels=labels.clone())
        out.backward()
        values, (ga, gp) = lc.InfoNCELoss(temperature=t).value_and_grad(a, p, wrt=("pred", "positive"))
        np.testing.assert_allclose(values.mean(), float(out.detach()), rtol=1e-10)
        np.testing.assert_allclose(ga / n, ta.grad.numpy(), rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(gp / n, tp.grad.numpy(), rtol=1e-7, atol=1e-12)


def test_catalog_pytorch_notes_compute_the_same_numbers():
    # InfoNCE's plain-torch note: cross_entropy over normalised dot products; CosFace's: cos - m one_hot
    rng = np.random.default_rng(29)
    a, p = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    logits = F.normalize(torch.tensor(a)) @ F.normalize(torch.tensor(p)).T / 0.1
    ref = F.cross_entropy(logits, torch.arange(5), reduction="none").numpy()
    np.testing.assert_allclose(lc.InfoNCELoss()(a, p), ref, rtol=1e-10)
    emb, centers, y = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.integers(0, 4, 5)
    cos = F.normalize(torch.tensor(emb)) @ F.normalize(torch.tensor(centers)).T
    onehot = F.one_hot(torch.tensor(y), 4).double()
    ref = F.cross_entropy(30.0 * (cos - 0.35 * onehot), torch.tensor(y), reduction="none")
    np.testing.assert_allclose(lc.CosFaceLoss()(emb, y, centers), ref.numpy(), rtol=1e-10)


# -- input checks ------------------------------------------------------------------------------------------
def test_bad_inputs_raise_named_errors():
    emb, centers = np.ones((2, 3)), np.eye(3)
    with pytest.raises(ValueError, match=r"label must hold whole class indices in \[0, 3\)"):
        lc.CosFaceLoss()(emb, [0, 3], centers)
    with pytest.raises(ValueError, match=r"label must hold whole class indices"):
        lc.ArcFaceLoss()(emb, [0, 0.5], centers)
    with pytest.raises(ValueError, match="label must hold one class index per row of pred: 2 values"):
        lc.CosFaceLoss()(emb, [0], centers)
    with pytest.raises(ValueError, match=r"centers must have shape \(C, D\) with D = 3"):
        lc.CosFaceLoss()(emb, [0, 1], np.eye(2))
    with pytest.raises(ValueError, match=r"pred must have shape \(N, D\)"):
        lc.ArcFaceLoss()(np.ones(3), [0], centers)
    with pytest.raises(ValueError, match=r"margin must be an angle in \[0, pi\)"):
        lc.ArcFaceLoss(margin=4.0)
    with pytest.raises(ValueError, match="scale must be a number > 0"):
        lc.CosFaceLoss(scale=0.0)
    with pytest.raises(ValueError, match="margin must be a number >= 0"):
        lc.CosFaceLoss(margin=-0.1)
    with pytest.raises(ValueError, match="temperature must be a number > 0"):
        lc.InfoNCELoss(temperature=0.0)
    with pytest.raises(ValueError, match="InfoNCELoss needs a batch of at least 2 pairs"):
        lc.InfoNCELoss()(np.ones((1, 3)), np.ones((1, 3)))
    with pytest.raises(ValueError, match="pred and positive must have the same shape"):
        lc.InfoNCELoss()(np.ones((2, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="sample_weight must hold 1 or 2 values"):
        lc.InfoNCELoss()(np.eye(2), np.eye(2), np.ones(3))
    with pytest.raises(ValueError, match="batch_axis must be 0"):
        lc.InfoNCELoss(batch_axis=1)
    with pytest.raises(ValueError, match="pred must be finite"):
        lc.InfoNCELoss()(np.array([[np.nan, 1.0], [0.0, 1.0]]), np.eye(2))
