"""Property tests for every loss and option: analytic gradient == central finite difference (float64, away
from kinks), float32 in -> float32 out, and finite results at extreme inputs.

Each case builder draws a random problem from a seeded generator and returns the loss, its positional inputs,
the names of the inputs that have gradients and the distance of the problem to the nearest kink (where the
derivative does not exist and a finite difference is meaningless).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import losscore as lc


@dataclass
class Case:
    loss: lc.Loss
    args: list
    wrt: tuple[str, ...]
    kink: float = np.inf  # distance to the nearest non-differentiable point


def _sample_weight(rng, n, k, how):
    return {"none": None, "per_sample": rng.uniform(0.2, 2.0, n), "column": rng.uniform(0.2, 2, (n, 1)),
            "full": rng.uniform(0.2, 2.0, (n, k))}[how]


def _regression(cls, **init):
    def build(rng, n, k, weighting, batch_axis, weight):
        pred = rng.normal(0, 2, (n, k))
        label = rng.normal(0, 2, (n * k,))  # reshaped like pred: only the element count has to match
        loss = cls(weight=weight, batch_axis=batch_axis, **init)
        sw = _sample_weight(rng, n, k, weighting) if batch_axis == 0 else None
        d = np.abs(pred.ravel() - label)
        kink = d.min() if cls is lc.L1Loss else np.abs(d - init.get("rho", np.inf)).min() if init else np.inf
        return Case(loss, [pred, label, sw], ("pred",), kink)

    return build


def _hinge(cls, margin):
    def build(rng, n, k, weighting, batch_axis, weight):
        pred = rng.normal(0, 2, (n, k))
        label = rng.choice([-1.0, 1.0], (n, k))
        loss = cls(margin=margin, weight=weight, batch_axis=batch_axis)
        sw = _sample_weight(rng, n, k, weighting) if batch_axis == 0 else None
        return Case(loss, [pred, label, sw], ("pred",), np.abs(margin - pred * label).min())

    return build


def _bce(from_sigmoid, with_pos_weight):
    def build(rng, n, k, weighting, batch_axis, weight):
        pred = rng.uniform(0.02, 0.98, (n, k)) if from_sigmoid else rng.normal(0, 3, (n, k))
        label = rng.uniform(0, 1, (n, k))
        pos_weight = rng.uniform(0.5, 3.0, (1, k)) if with_pos_weight else None
        loss = lc.SigmoidBinaryCrossEntropyLoss(from_sigmoid=from_sigmoid, weight=weight, batch_axis=batch_axis)
        sw = _sample_weight(rng, n, k, weighting) if batch_axis == 0 else None
        return Case(loss, [pred, label, sw, pos_weight], ("pred",))

    return build


def _logistic(label_format):
    def build(rng, n, k, weighting, batch_axis, weight):
        pred = rng.normal(0, 3, (n, k))
        label = rng.choice([-1.0, 1.0] if label_format == "signed" else [0.0, 1.0], (n, k))
        loss = lc.LogisticLoss(weight=weight, batch_axis=batch_axis, label_format=label_format)
        sw = _sample_weight(rng, n, k, weighting) if batch_axis == 0 else None
        return Case(loss, [pred, label, sw], ("pred",))

    return build


def _softmax(sparse, from_logits, axis):
    def build(rng, n, k, weighting, batch_axis, weight):
        c = max(k, 2)
        shape = (n, c, 2) if axis == 1 else (n, 2, c)
        pred = rng.normal(0, 3, shape)
        if from_logits:
            pred = pred - np.log(np.exp(pred).sum(axis=axis, keepdims=True))
        if sparse:
            label = rng.integers(0, c, (n, 2)).astype(float)
        else:
            label = rng.dirichlet(np.ones(c), (n, 2))
            label = np.moveaxis(label, -1, axis)
        loss = lc.SoftmaxCrossEntropyLoss(axis=axis, sparse_label=sparse, from_logits=from_logits, weight=weight)
        sw = rng.uniform(0.2, 2.0, (n, 1, 1)) if weighting != "none" else None
        return Case(loss, [pred, label, sw], ("pred",))

    return build


def _kl(from_logits):
    def build(rng, n, k, weighting, batch_axis, weight):
        c = max(k, 2)
        pred = rng.normal(0, 2, (n, c))
        if from_logits:
            pred = pred - np.log(np.exp(pred).sum(axis=1, keepdims=True))
        label = rng.dirichlet(np.ones(c), n)
        label[:, 0] = 0.0  # zero target mass contributes exactly nothing
        loss = lc.KLDivLoss(from_logits=from_logits, weight=weight)
        return Case(loss, [pred, label, _sample_weight(rng, n, c, weighting)], ("pred",))

    return build


def _poisson(from_logits, compute_full):
    def build(rng, n, k, weighting, batch_axis, weight):
        pred = rng.normal(0, 1, (n, k)) if from_logits else rng.uniform(0.2, 5.0, (n, k))
        target = rng.integers(0, 6, (n, k)).astype(float)
        loss = lc.PoissonNLLLoss(weight=weight, from_logits=from_logits, compute_full=compute_full)
        return Case(loss, [pred, target, _sample_weight(rng, n, k, weighting)], ("pred",))

    return build


def _triplet(margin):
    def build(rng, n, k, weighting, batch_axis, weight):
        a, p, q = (rng.normal(0, 1, (n, k)) for _ in range(3))
        loss = lc.TripletLoss(margin=margin, weight=weight)
        gap = ((p - a) ** 2 - (q - a) ** 2).sum(axis=1) + margin
        return Case(loss, [a, p, q], ("pred", "positive", "negative"), np.abs(gap).min())

    return build


def _cosine(margin):
    def build(rng, n, k, weighting, batch_axis, weight):
        d = max(k, 2)
        x, y = rng.normal(0, 1, (n, d)), rng.normal(0, 1, (n, d))
        label = rng.choice([-1.0, 1.0], n)
        cos = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
        kink = np.abs(cos - margin)[label == -1].min() if (label == -1).any() else np.inf
        sw = rng.uniform(0.2, 2.0, n) if weighting != "none" else None
        loss = lc.CosineEmbeddingLoss(weight=weight, margin=margin)
        return Case(loss, [x, y, label, sw], ("input1", "input2"), kink)

    return build


def _sdml(alpha):
    def build(rng, n, k, weighting, batch_axis, weight):
        b = max(n, 2)
        x1 = rng.normal(0, 1, (b, k))
        x2 = x1 + rng.normal(0, 0.5, (b, k))
        return Case(lc.SDMLLoss(smoothing_parameter=alpha), [x1, x2], ("x1", "x2"))

    return build


BUILDERS: dict[str, Callable] = {
    "L1": _regression(lc.L1Loss),
    "L2": _regression(lc.L2Loss),
    "Huber-rho0.5": _regression(lc.HuberLoss, rho=0.5),
    "Huber-rho2": _regression(lc.HuberLoss, rho=2.0),
    "BCE-logits": _bce(False, False),
    "BCE-logits-posweight": _bce(False, True),
    "BCE-from_sigmoid": _bce(True, False),
    "BCE-from_sigmoid-posweight": _bce(True, True),
    "Logistic-signed": _logistic("signed"),
    "Logistic-binary": _logistic("binary"),
    "Hinge-m1": _hinge(lc.HingeLoss, 1.0),
    "Hinge-m0.3": _hinge(lc.HingeLoss, 0.3),
    "SquaredHinge-m1": _hinge(lc.SquaredHingeLoss, 1.0),
    "SquaredHinge-m2": _hinge(lc.SquaredHingeLoss, 2.0),
    "SoftmaxCE-sparse": _softmax(True, False, -1),
    "SoftmaxCE-sparse-axis1": _softmax(True, False, 1),
    "SoftmaxCE-dense": _softmax(False, False, -1),
    "SoftmaxCE-from_logits": _softmax(True, True, -1),
    "SoftmaxCE-dense-from_logits": _softmax(False, True, 1),
    "KLDiv-logprobs": _kl(True),
    "KLDiv-logits": _kl(False),
    "Poisson-logits": _poisson(True, False),
    "Poisson-rates": _poisson(False, False),
    "Poisson-full": _poisson(True, True),
    "Triplet-m1": _triplet(1.0),
    "Triplet-m3": _triplet(3.0),
    "Cosine-m0": _cosine(0.0),
    "Cosine-m0.4": _cosine(0.4),
    "SDML-0.3": _sdml(0.3),
    "SDML-0": _sdml(0.0),
}

problems = st.tuples(
    st.integers(0, 2**31 - 1),  # seed
    st.integers(1, 4),  # n
    st.integers(1, 4),  # k
    st.sampled_from(["none", "per_sample", "column", "full"]),
    st.sampled_from([0, 0, 1]),  # batch_axis
    st.sampled_from([None, 1.0, 0.5, 3.0]),  # weight
)


def finite_difference(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central difference of the scalar f() with respect to every entry of x (x is perturbed in place)."""
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + h
        up = f()
        flat[i] = orig - h
        down = f()
        flat[i] = orig
        gflat[i] = (up - down) / (2 * h)
    return grad


def _input_index(case: Case, name: str) -> int:
    return list(case.loss.grad_inputs).index(name) if name != "pred" else 0


@pytest.mark.parametrize("name", sorted(BUILDERS))
@given(problem=problems)
def test_gradient_matches_finite_difference(name, problem):
    seed, n, k, weighting, batch_axis, weight = problem
    case = BUILDERS[name](np.random.default_rng(seed), n, k, weighting, batch_axis, weight)
    assume(case.kink > 1e-3)
    values, grads = case.loss.value_and_grad(*case.args, wrt=case.wrt)
    assert values.dtype == np.float64
    assert np.isfinite(values).all()
    for input_name, grad in zip(case.wrt, grads, strict=True):
        x = case.args[_input_index(case, input_name)]
        assert grad.shape == x.shape
        numeric = finite_difference(lambda: float(case.loss(*case.args).sum()), x)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6, err_msg=f"{name} d/d{input_name}")


@pytest.mark.parametrize("name", sorted(BUILDERS))
@given(problem=problems)
def test_float32_in_float32_out(name, problem):
    seed, n, k, weighting, batch_axis, weight = problem
    case = BUILDERS[name](np.random.default_rng(seed), n, k, weighting, batch_axis, weight)
    args32 = [a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in case.args]
    values, grads = case.loss.value_and_grad(*args32, wrt=case.wrt)
    values64 = case.loss(*case.args)
    assert values.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads)
    np.testing.assert_allclose(values, values64, rtol=2e-4, atol=2e-5)


EXTREME_LOGIT_LOSSES = {
    "SigmoidBCE": lambda x: lc.SigmoidBinaryCrossEntropyLoss().value_and_grad(x, np.ones_like(x)),
    "SigmoidBCE-posweight": lambda x: lc.SigmoidBinaryCrossEntropyLoss().value_and_grad(
        x, np.ones_like(x), None, np.full((1, x.shape[1]), 3.0, x.dtype)),
    "Logistic": lambda x: lc.LogisticLoss().value_and_grad(x, -np.ones_like(x)),
    "SoftmaxCE": lambda x: lc.SoftmaxCrossEntropyLoss().value_and_grad(x, np.zeros(x.shape[0])),
    "SoftmaxCE-dense": lambda x: lc.SoftmaxCrossEntropyLoss(sparse_label=False).value_and_grad(
        x, np.full(x.shape, 1 / x.shape[1], x.dtype)),
    "KLDiv-logits": lambda x: lc.KLDivLoss(from_logits=False).value_and_grad(
        x, np.full(x.shape, 1 / x.shape[1], x.dtype)),
    "Hinge": lambda x: lc.HingeLoss().value_and_grad(x, np.ones_like(x)),
    "SquaredHinge": lambda x: lc.SquaredHingeLoss().value_and_grad(x, np.ones_like(x)),
    "Huber": lambda x: lc.HuberLoss().value_and_grad(x, np.zeros_like(x)),
}


@pytest.mark.parametrize("name", sorted(EXTREME_LOGIT_LOSSES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_stay_finite(name, dtype):
    x = np.array([[1e4, -1e4, 0.5], [-1e4, 1e4, -3.0]], dtype=dtype)
    values, grad = EXTREME_LOGIT_LOSSES[name](x)
    assert np.isfinite(values).all() and np.isfinite(grad).all()
    assert values.dtype == dtype and grad.dtype == dtype
    assert (values >= 0).all()


def test_extreme_logits_have_the_right_size():
    # a confidently wrong logit of 1e4 costs about 1e4; a confidently right one costs about 0
    values = lc.SigmoidBinaryCrossEntropyLoss()(np.array([[-1e4], [1e4]], np.float32), np.ones((2, 1)))
    np.testing.assert_allclose(values, [1e4, 0.0], atol=1e-3)
    ce = lc.SoftmaxCrossEntropyLoss()(np.array([[1e4, -1e4], [1e4, -1e4]], np.float32), [1, 0])
    np.testing.assert_allclose(ce, [2e4, 0.0], atol=1e-3)


@pytest.mark.parametrize("shape", [(4001,), (4001, 1), (1, 4001)])
@pytest.mark.parametrize("weighted", [False, True])
def test_sigmoid_bce_float32_keeps_relative_accuracy_over_wide_logits(shape, weighted):
    # float32 computes exp(-|x|) as exp2(-|x| log2 e); the loss must stay within 1e-5 of the float64 result
    # relative to itself, also where it is tiny (confident, correct logits), on the row path (no sample
    # weight) and on the general path (sample weight).
    rng = np.random.default_rng(7)
    x = np.linspace(-90.0, 90.0, 4001).reshape(shape)
    z = rng.choice([0.0, 1.0, 0.25], size=shape)
    sw = np.full(shape, 0.5) if weighted else None
    loss = lc.SigmoidBinaryCrossEntropyLoss()
    v32, g32 = loss.value_and_grad(x.astype(np.float32), z.astype(np.float32), sw)
    v64, g64 = loss.value_and_grad(x, z, sw)
    assert v32.dtype == np.float32 and g32.dtype == np.float32
    tiny = np.finfo(np.float32).tiny  # below it (|x| > 87) float32 values are subnormal and lose digits anyway
    np.testing.assert_allclose(v32, v64, rtol=1e-5, atol=tiny)
    np.testing.assert_allclose(g32, g64, rtol=1e-5, atol=1e-7 * np.abs(g64).max())
