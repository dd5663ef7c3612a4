"""ReverseKLDivLoss and JensenShannonLoss: gradients against finite differences, float32, extremes, and the
numbers of PyTorch's kl_div (arguments swapped) and SciPy's jensenshannon (squared)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.spatial.distance
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import finite_difference

import losscore as lc

CLASSES = {"reverse": lc.ReverseKLDivLoss, "js": lc.JensenShannonLoss}

problems = st.tuples(
    st.integers(0, 2**31 - 1),  # seed
    st.integers(1, 4),  # n
    st.integers(2, 5),  # classes
    st.sampled_from(["none", "per_sample", "full"]),
    st.sampled_from([None, 0.5, 3.0]),  # weight
    st.booleans(),  # from_logits (pred holds log-probabilities)
    st.sampled_from([-1, 1]),  # class axis of a (n, 2, c) or (n, c, 2) pred when 3-D
    st.booleans(),  # 3-D
)


def _case(problem):
    seed, n, c, weighting, weight, from_logits, axis, three_d = problem
    rng = np.random.default_rng(seed)
    shape = ((n, 2, c) if axis == -1 else (n, c, 2)) if three_d else (n, c)
    ax = axis if three_d else -1
    pred = rng.normal(0, 2, shape)
    if from_logits:
        pred = pred - np.log(np.exp(pred).sum(axis=ax, keepdims=True))
    other = tuple(d for i, d in enumerate(shape) if i != ax % len(shape))
    label = np.ascontiguousarray(np.moveaxis(rng.dirichlet(np.ones(c), other), -1, ax))
    label.reshape(-1)[rng.integers(0, label.size)] = 0.0  # a target with no mass somewhere
    sw = {"none": None, "per_sample": rng.uniform(0.2, 2.0, n), "full": rng.uniform(0.2, 2.0, shape)}[weighting]
    return pred, label, sw, dict(from_logits=from_logits, axis=ax, weight=weight)


@pytest.mark.parametrize("kind", sorted(CLASSES))
@settings(max_examples=40, deadline=None)
@given(problem=problems)
def test_gradient_matches_finite_difference(kind, problem):
    pred, label, sw, init = _case(problem)
    loss = CLASSES[kind](**init)
    values, grad = loss.value_and_grad(pred, label, sw)
    assert values.shape == (pred.shape[0],) and values.dtype == np.float64 and np.isfinite(values).all()
    numeric = finite_difference(lambda: float(loss(pred, label, sw).sum()), pred)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", sorted(CLASSES))
@settings(max_examples=25, deadline=None)
@given(problem=problems)
def test_float32_in_float32_out(kind, problem):
    pred, label, sw, init = _case(problem)
    loss = CLASSES[kind](**init)
    v32, g32 = loss.value_and_grad(pred.astype(np.float32), label.astype(np.float32),
                                   None if sw is None else sw.astype(np.float32))
    v64, g64 = loss.value_and_grad(pred, label, sw)
    assert v32.dtype == np.float32 and g32.dtype == np.float32
    np.testing.assert_allclose(v32, v64, rtol=2e-4, atol=2e-5)
    np.testing.assert_allclose(g32, g64, rtol=2e-3, atol=2e-5)


@pytest.mark.parametrize("kind", sorted(CLASSES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("from_logits", [True, False])
def test_extreme_inputs_stay_finite(kind, dtype, from_logits):
    # logits of +-1e4, log-probabilities of -1e4 and -inf (a probability of exactly 0), targets with zeros
    x = np.array([[1e4, -1e4, 0.5], [-1e4, 1e4, -3.0], [0.0, -np.inf, -1e4]], dtype=dtype)
    if from_logits:
        x = np.minimum(x, 0)  # log-probabilities are <= 0
    if not from_logits:
        x[2, 1] = -1e4
    q = np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5], [1.0, 0.0, 0.0]], dtype=dtype)
    values, grad = CLASSES[kind](from_logits=from_logits).value_and_grad(x, q)
    assert values.dtype == dtype and grad.dtype == dtype
    assert np.isfinite(values).all() and np.isfinite(grad).all()
    assert (values >= -1e-6).all()


# -- the divergences' own properties ---------------------------------------------------------------------
def _logp(p):
    return np.log(np.asarray(p, dtype=np.float64))


def test_reverse_kl_is_kl_with_the_roles_swapped():
    rng = np.random.default_rng(3)
    p, q = rng.dirichlet(np.ones(5), 4), rng.dirichlet(np.ones(5), 4)
    reverse = lc.ReverseKLDivLoss()(_logp(p), q)
    forward_swapped = lc.KLDivLoss()(_logp(q), p)  # KL(p || q) written the way KLDivLoss takes it
    np.testing.assert_allclose(reverse, forward_swapped, rtol=1e-9)
    assert not np.allclose(reverse, lc.KLDivLoss()(_logp(p), q))  # and it is not the forward direction


def test_reverse_kl_seeks_a_mode_and_forward_kl_covers_both():
    # a bimodal target: forward KL prefers the spread prediction, reverse KL the one on a single mode
    q = np.array([[0.48, 0.02, 0.02, 0.48]])
    spread, one_mode = _logp([[0.25, 0.25, 0.25, 0.25]]), _logp([[0.94, 0.02, 0.02, 0.02]])
    assert lc.KLDivLoss()(spread, q)[0] < lc.KLDivLoss()(one_mode, q)[0]
    assert lc.ReverseKLDivLoss()(one_mode, q)[0] < lc.ReverseKLDivLoss()(spread, q)[0]


def test_js_is_symmetric_bounded_and_zero_only_at_equality():
    rng = np.random.default_rng(5)
    p, q = rng.dirichlet(np.ones(6), 8), rng.dirichlet(np.ones(6), 8)
    js = lc.JensenShannonLoss()
    np.testing.assert_allclose(js(_logp(p), q), js(_logp(q), p), rtol=1e-12)
    assert (js(_logp(p), q) > 0).all() and (js(_logp(p), q) < math.log(2)).all()
    np.testing.assert_allclose(js(_logp(p), p), 0.0, atol=1e-15)
    disjoint = js(np.log([[0.5, 0.5, 1e-300, 1e-300]]), [[0.0, 0.0, 0.5, 0.5]])
    np.testing.assert_allclose(disjoint, math.log(2), rtol=1e-12)


def test_from_logits_false_applies_log_softmax_first():
    rng = np.random.default_rng(9)
    logits, q = rng.normal(0, 3, (3, 4)), rng.dirichlet(np.ones(4), 3)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    for cls in CLASSES.values():
        np.testing.assert_allclose(cls(from_logits=False)(logits, q), cls()(logp, q), rtol=1e-12)


# -- references --------------------------------------------------------------------------------------------
def test_reverse_kl_matches_torch_kl_div_with_the_arguments_swapped():
    assert torch.__version__.startswith("2.13.")
    rng = np.random.default_rng(11)
    logits = rng.normal(0, 2, (5, 6))
    q = rng.dirichlet(np.ones(6), 5)
    q[0, 2] = 0.0  # the eps keeps log q finite, on both sides
    q[0] /= q[0].sum()
    sw = rng.uniform(0.5, 2.0, (5, 1))
    x = torch.tensor(logits, requires_grad=True)
    log_p = torch.log_softmax(x, dim=-1)
    ref = F.kl_div(torch.log(torch.tensor(q) + 1e-12), log_p, reduction="none", log_target=True)
    ref = (ref * torch.tensor(sw)).sum(-1) * 2.5
    ref.sum().backward()
    values, grad = lc.ReverseKLDivLoss(from_logits=False, weight=2.5).value_and_grad(logits, q, sw)
    np.testing.assert_allclose(values, ref.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(grad, x.grad.numpy(), rtol=1e-9, atol=1e-12)
    # float32, pred as log-probabilities (the default)
    lp32 = log_p.detach().numpy().astype(np.float32)
    ref32 = F.kl_div(torch.log(torch.tensor(q, dtype=torch.float32) + 1e-12), torch.tensor(lp32),
                     reduction="none", log_target=True).sum(-1)
    np.testing.assert_allclose(lc.ReverseKLDivLoss()(lp32, q.astype(np.float32)), ref32.numpy(), rtol=2e-5,
                               atol=1e-6)


def test_js_matches_scipy_jensenshannon_squared():
    rng = np.random.default_rng(13)
    p, q = rng.dirichlet(np.ones(7), 6), rng.dirichlet(np.ones(7), 6)
    q[1, :3] = 0.0
    q[1] /= q[1].sum()
    ref = scipy.spatial.distance.jensenshannon(p, q, axis=1) ** 2  # the square root, base e
    np.testing.assert_allclose(lc.JensenShannonLoss()(_logp(p), q), ref, rtol=1e-9)
    # scipy normalises its inputs; so does from_logits=False for pred (the label must already sum to 1)
    logits = rng.normal(0, 2, (6, 7))
    soft = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(lc.JensenShannonLoss(from_logits=False)(logits, q),
                               scipy.spatial.distance.jensenshannon(soft, q, axis=1) ** 2, rtol=1e-9)


def test_js_gradient_matches_torch_autograd_of_the_catalog_formula():
    # the catalog's PyTorch note: 0.5 * (kl_div(log_m, log_p, log_target=True) + kl_div(log_m, q))
    rng = np.random.default_rng(17)
    logits, q = rng.normal(0, 2, (4, 5)), rng.dirichlet(np.ones(5), 4)
    x = torch.tensor(logits, requires_grad=True)
    log_p = torch.log_softmax(x, -1)
    tq = torch.tensor(q)
    log_m = torch.log((log_p.exp() + tq) / 2)
    ref = 0.5 * (F.kl_div(log_m, log_p, reduction="none", log_target=True)
                 + F.kl_div(log_m, tq, reduction="none")).sum(-1)
    ref.sum().backward()
    values, grad = lc.JensenShannonLoss(from_logits=False).value_and_grad(logits, q)
    np.testing.assert_allclose(values, ref.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(grad, x.grad.numpy(), rtol=1e-8, atol=1e-12)


# -- input checks ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", list(CLASSES.values()))
def test_bad_inputs_raise_named_errors(cls):
    with pytest.raises(ValueError, match="label must be a distribution with entries >= 0"):
        cls()([[-0.1, -2.0]], [[-0.5, 1.5]])
    with pytest.raises(ValueError, match="label must broadcast to pred's shape"):
        cls()([[-0.1, -2.0]], [[0.5, 0.25, 0.25]])
    with pytest.raises(ValueError, match="axis=2 is out of range"):
        cls(axis=2)([[-0.1, -2.0]], [[0.5, 0.5]])
    with pytest.raises(TypeError, match="pred must be numeric"):
        cls()("abc", [[0.5, 0.5]])
    with pytest.raises(ValueError, match="sample_weight must broadcast"):
        cls()([[-0.1, -2.0]], [[0.5, 0.5]], np.ones(3))
    with pytest.raises(ValueError, match="pred must be finite"):
        cls()([[np.nan, -2.0]], [[0.5, 0.5]])
