"""The modern classification losses on logits (losscore.focal): analytic gradients against finite differences,
float32 against float64, extreme logits, the special cases that reduce to the Gluon losses, and the reference
implementations (torch 2.13 CPU and torchvision at its matching version, requirements-dev.txt).

References: SigmoidFocalLoss is held to torchvision.ops.sigmoid_focal_loss itself (its module run from the installed
torchvision, see _torchvision_sigmoid_focal_loss); LabelSmoothingCrossEntropyLoss
to torch.nn.CrossEntropyLoss(label_smoothing=epsilon). No library ships the others, so their papers' formulas
are written in torch here and differentiated by autograd: SoftmaxFocalLoss -(1 - p_y)^gamma log p_y (Lin et al.
2017, eq. 5 with the softmax p_y), PolyLoss CE + epsilon (1 - p_y) (Leng et al. 2022, eq. 3, "Poly-1"), and
AsymmetricLoss as the authors' reference code computes it (Ben-Baruch et al. 2020, eq. 6 with the shifted
probability of eq. 5; the AsymmetricLoss class of their repository, whose log clamps p at 1e-8).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from test_properties import finite_difference, problems

import losscore as lc


def _sample_weight(rng, n, k, how):
    return {"none": None, "per_sample": rng.uniform(0.2, 2.0, n), "column": rng.uniform(0.2, 2, (n, 1)),
            "full": rng.uniform(0.2, 2.0, (n, k))}[how]


def _binary(make: Callable[..., lc.Loss], labels: str):
    """Logits of shape (n, k) with 0/1 labels ("hard") or labels in [0, 1] ("soft")."""
    def build(rng, n, k, weighting, batch_axis, weight):
        pred = rng.normal(0, 3, (n, k))
        label = rng.choice([0.0, 1.0], (n, k)) if labels == "hard" else rng.uniform(0, 1, (n, k))
        sw = _sample_weight(rng, n, k, weighting) if batch_axis == 0 else None
        return make(weight=weight, batch_axis=batch_axis), [pred, label, sw]

    return build


def _classes(make: Callable[..., lc.Loss], axis: int = -1):
    """Logits of shape (n, c, 2) (classes on axis 1) or (n, 2, c) with a class index per position."""
    def build(rng, n, k, weighting, batch_axis, weight):
        c = max(k, 2)
        pred = rng.normal(0, 3, (n, c, 2) if axis == 1 else (n, 2, c))
        label = rng.integers(0, c, (n, 2)).astype(float)
        sw = rng.uniform(0.2, 2.0, (n, 1, 1)) if weighting != "none" else None
        return make(axis=axis, weight=weight), [pred, label, sw]

    return build


BUILDERS: dict[str, Callable] = {
    "SigmoidFocal": _binary(lc.SigmoidFocalLoss, "hard"),
    "SigmoidFocal-soft": _binary(lambda **kw: lc.SigmoidFocalLoss(alpha=0.6, gamma=1.5, **kw), "soft"),
    "SigmoidFocal-gamma0.5-noalpha": _binary(lambda **kw: lc.SigmoidFocalLoss(alpha=-1, gamma=0.5, **kw), "hard"),
    "SoftmaxFocal": _classes(lc.SoftmaxFocalLoss),
    "SoftmaxFocal-gamma0.5-axis1": _classes(lambda **kw: lc.SoftmaxFocalLoss(gamma=0.5, **kw), axis=1),
    "LabelSmoothing": _classes(lc.LabelSmoothingCrossEntropyLoss),
    "LabelSmoothing-0.4-axis1": _classes(lambda **kw: lc.LabelSmoothingCrossEntropyLoss(epsilon=0.4, **kw), 1),
    "Poly": _classes(lc.PolyLoss),
    "Poly-minus1-axis1": _classes(lambda **kw: lc.PolyLoss(epsilon=-1.0, **kw), axis=1),
    "Asymmetric": _binary(lc.AsymmetricLoss, "hard"),
    "Asymmetric-soft": _binary(lambda **kw: lc.AsymmetricLoss(gamma_pos=1.0, gamma_neg=2.0, clip=0.2, **kw),
                               "soft"),
    "Asymmetric-noclip-gamma0.5": _binary(
        lambda **kw: lc.AsymmetricLoss(gamma_pos=0.5, gamma_neg=0.5, clip=0.0, **kw), "hard"),
}


def _clip_kink(loss: lc.Loss, pred: np.ndarray) -> float:
    """The asymmetric loss's negatives have a kink where sigmoid(x) = clip (with gamma_neg < 1 only)."""
    if not isinstance(loss, lc.AsymmetricLoss) or loss.clip == 0 or loss.gamma_neg >= 1:
        return np.inf
    return float(np.abs(1 / (1 + np.exp(-pred)) - loss.clip).min())


@pytest.mark.parametrize("name", sorted(BUILDERS))
@given(problem=problems)
def test_gradient_matches_finite_difference(name, problem):
    seed, n, k, weighting, batch_axis, weight = problem
    loss, args = BUILDERS[name](np.random.default_rng(seed), n, k, weighting, batch_axis, weight)
    values, grad = loss.value_and_grad(*args)
    assert values.dtype == np.float64 and values.shape == (args[0].shape[loss.batch_axis],)
    assert np.isfinite(values).all() and grad.shape == args[0].shape
    if _clip_kink(loss, args[0]) < 1e-3:
        return
    numeric = finite_difference(lambda: float(loss(*args).sum()), args[0])
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("name", sorted(BUILDERS))
@given(problem=problems)
def test_float32_in_float32_out(name, problem):
    seed, n, k, weighting, batch_axis, weight = problem
    loss, args = BUILDERS[name](np.random.default_rng(seed), n, k, weighting, batch_axis, weight)
    args32 = [a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in args]
    values, grad = loss.value_and_grad(*args32)
    values64, grad64 = loss.value_and_grad(*args)
    assert values.dtype == np.float32 and grad.dtype == np.float32
    np.testing.assert_allclose(values, values64, rtol=2e-4, atol=2e-5)
    np.testing.assert_allclose(grad, grad64, rtol=2e-3, atol=2e-5)


EXTREMES: dict[str, Callable] = {
    "SigmoidFocal": lambda x: lc.SigmoidFocalLoss().value_and_grad(x, np.ones_like(x)),
    "SigmoidFocal-neg": lambda x: lc.SigmoidFocalLoss(gamma=0.5).value_and_grad(x, np.zeros_like(x)),
    "SigmoidFocal-soft": lambda x: lc.SigmoidFocalLoss(alpha=-1).value_and_grad(x, np.full_like(x, 0.3)),
    "SoftmaxFocal": lambda x: lc.SoftmaxFocalLoss().value_and_grad(x, np.zeros(x.shape[0])),
    "SoftmaxFocal-gamma0.5": lambda x: lc.SoftmaxFocalLoss(gamma=0.5).value_and_grad(x, [1, 0]),
    "LabelSmoothing": lambda x: lc.LabelSmoothingCrossEntropyLoss().value_and_grad(x, [1, 2]),
    "Poly": lambda x: lc.PolyLoss().value_and_grad(x, [0, 1]),
    "Asymmetric": lambda x: lc.AsymmetricLoss().value_and_grad(x, np.array([[1, 0, 1], [0, 1, 0]], x.dtype)),
    "Asymmetric-noclip": lambda x: lc.AsymmetricLoss(gamma_neg=0.5, clip=0.0).value_and_grad(
        x, np.array([[0, 0, 1], [0, 1, 0]], x.dtype)),
}


@pytest.mark.parametrize("name", sorted(EXTREMES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_stay_finite(name, dtype):
    x = np.array([[1e4, -1e4, 0.5], [-1e4, 1e4, -3.0]], dtype=dtype)
    values, grad = EXTREMES[name](x)
    assert np.isfinite(values).all() and np.isfinite(grad).all()
    assert values.dtype == dtype and grad.dtype == dtype
    assert (values >= 0).all()


def test_extreme_logits_have_the_right_size():
    # a confidently wrong logit costs about its size (times the class weight), a confidently right one nothing
    x = np.array([[-1e4], [1e4]], np.float32)
    np.testing.assert_allclose(lc.SigmoidFocalLoss()(x, np.ones((2, 1))), [0.25e4, 0.0], atol=1e-3)
    np.testing.assert_allclose(lc.SigmoidFocalLoss()(x, np.zeros((2, 1))), [0.0, 0.75e4], atol=1e-3)
    np.testing.assert_allclose(lc.AsymmetricLoss(clip=0.0)(x, np.ones((2, 1))), [1e4, 0.0], atol=1e-3)
    np.testing.assert_allclose(lc.AsymmetricLoss(clip=0.0)(x, np.zeros((2, 1))), [0.0, 1e4], atol=1e-3)
    # with the shift, 1 - p_m >= clip: a negative costs at most (1 - clip)^gamma_neg (-log(clip))
    np.testing.assert_allclose(lc.AsymmetricLoss(clip=0.05)(x, np.zeros((2, 1))), [0.0, -0.95**4 * np.log(0.05)],
                               rtol=1e-6)
    wrong = np.array([[1e4, -1e4]], np.float32)
    for loss in (lc.SoftmaxFocalLoss(), lc.PolyLoss(epsilon=2.0), lc.LabelSmoothingCrossEntropyLoss(epsilon=0.0)):
        value, grad = loss.value_and_grad(wrong, [1])
        np.testing.assert_allclose(value, [2e4 + (2.0 if isinstance(loss, lc.PolyLoss) else 0.0)], rtol=1e-6)
        np.testing.assert_allclose(grad, [[1.0, -1.0]], atol=1e-6)


def test_tiny_one_minus_p_keeps_its_digits():
    # at logit 30, 1 - sigmoid(30) = 9.4e-14: 1 - p_t computed as 1 - p rounds to 0 in float32 (torchvision's
    # way), losscore's sigmoid(-x) keeps it, so the focal loss of a right, confident example is not 0
    x = np.array([30.0], np.float32)
    got = lc.SigmoidFocalLoss(alpha=-1, gamma=1.0)(x, [1.0])
    exact = np.log1p(np.exp(-30.0)) * (1 / (1 + np.exp(30.0)))
    np.testing.assert_allclose(got, [exact], rtol=1e-5)
    assert got[0] > 0


# -- the special cases that are Gluon losses --------------------------------------------------------------------

def test_reduces_to_the_gluon_losses():
    rng = np.random.default_rng(3)
    x, z = rng.normal(0, 3, (5, 4)), rng.choice([0.0, 1.0], (5, 4))
    bce = lc.SigmoidBCELoss().value_and_grad(x, z)
    for loss in (lc.SigmoidFocalLoss(alpha=-1, gamma=0.0), lc.AsymmetricLoss(gamma_neg=0.0, clip=0.0)):
        for got, want in zip(loss.value_and_grad(x, z), bce, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    logits, y = rng.normal(0, 3, (5, 4)), rng.integers(0, 4, 5)
    ce = lc.SoftmaxCELoss().value_and_grad(logits, y)
    for loss in (lc.SoftmaxFocalLoss(gamma=0.0), lc.LabelSmoothingCrossEntropyLoss(epsilon=0.0),
                 lc.PolyLoss(epsilon=0.0)):
        for got, want in zip(loss.value_and_grad(logits, y), ce, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_focal_alpha_weighs_positives_and_negatives():
    x = np.array([0.7, -1.2])
    plain = lc.SigmoidFocalLoss(alpha=-1.0)
    for z in (0.0, 1.0):
        for alpha in (0.0, 0.25, 1.0):
            a_t = alpha if z == 1.0 else 1 - alpha
            got = lc.SigmoidFocalLoss(alpha=alpha).value_and_grad(x, np.full(2, z))
            want = plain.value_and_grad(x, np.full(2, z))
            np.testing.assert_allclose(got[0], a_t * want[0])
            np.testing.assert_allclose(got[1], a_t * want[1])


def test_asymmetric_drops_easy_negatives_and_is_linear_in_a_soft_label():
    loss = lc.AsymmetricLoss(clip=0.2)
    easy = np.array([np.log(0.19 / 0.81), -4.0])  # sigmoid(x) <= clip: no loss, no gradient
    values, grad = loss.value_and_grad(easy, np.zeros(2))
    assert (values == 0).all() and (grad == 0).all()
    x = np.linspace(-6, 6, 25)
    at0, at1 = loss.value_and_grad(x, np.zeros_like(x)), loss.value_and_grad(x, np.ones_like(x))
    mixed = loss.value_and_grad(x, np.full_like(x, 0.3))
    np.testing.assert_allclose(mixed[0], 0.7 * at0[0] + 0.3 * at1[0])
    np.testing.assert_allclose(mixed[1], 0.7 * at0[1] + 0.3 * at1[1])


def test_label_smoothing_minimum_is_the_smoothed_target():
    # the loss is smallest where softmax(x) = (1 - eps) onehot + eps / C: gradient 0 there
    eps, c = 0.2, 4
    q = np.full(c, eps / c)
    q[2] += 1 - eps
    values, grad = lc.LabelSmoothingCrossEntropyLoss(epsilon=eps).value_and_grad(np.log(q)[None], [2])
    np.testing.assert_allclose(grad, 0.0, atol=1e-12)
    np.testing.assert_allclose(values, [-(q * np.log(q)).sum()])  # the entropy of the smoothed target


# -- references -------------------------------------------------------------------------------------------------

def _torchvision_sigmoid_focal_loss():
    """torchvision.ops.sigmoid_focal_loss from the installed torchvision (requirements-dev.txt), loaded alone.

    PyPI's torchvision wheel is built against the CUDA torch, so ``import torchvision`` fails beside the CPU torch
    (its C extension, which registers nms and friends, cannot load). sigmoid_focal_loss is plain torch code: its
    module is run from the installed file, with only the usage-logging helper it imports stubbed out, and
    sys.modules is put back afterwards.
    """
    spec = importlib.util.find_spec("torchvision")
    assert spec is not None and spec.origin is not None, "torchvision is a test dependency (requirements-dev.txt)"
    root = Path(spec.origin).parent
    names = ("torchvision", "torchvision.ops", "torchvision.utils", "torchvision.ops.focal_loss")
    saved = {name: sys.modules.get(name) for name in names}
    try:
        for name, path in (("torchvision", root), ("torchvision.ops", root / "ops")):
            package = types.ModuleType(name)
            package.__path__ = [str(path)]
            sys.modules[name] = package
        utils = types.ModuleType("torchvision.utils")
        utils._log_api_usage_once = lambda obj: None  # type: ignore[attr-defined]
        sys.modules["torchvision.utils"] = utils
        return importlib.import_module("torchvision.ops.focal_loss").sigmoid_focal_loss
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


@pytest.fixture(scope="module")
def sigmoid_focal_loss():
    return _torchvision_sigmoid_focal_loss()


def test_torchvision_matches_the_pinned_torch(sigmoid_focal_loss):
    assert torch.__version__.startswith("2.13.") and importlib.metadata.version("torchvision") == "0.28.0"
    assert sigmoid_focal_loss.__module__ == "torchvision.ops.focal_loss"


@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (-1.0, 2.0), (0.6, 0.5), (0.25, 0.0), (1.0, 3.0)])
@pytest.mark.parametrize("labels", ["hard", "soft"])
def test_sigmoid_focal_matches_torchvision(sigmoid_focal_loss, alpha, gamma, labels):
    rng = np.random.default_rng(11)
    x = rng.normal(0, 4, (6, 5))
    z = rng.choice([0.0, 1.0], x.shape) if labels == "hard" else rng.uniform(0, 1, x.shape)
    xt = torch.tensor(x, requires_grad=True)
    ref = sigmoid_focal_loss(xt, torch.tensor(z), alpha=alpha, gamma=gamma, reduction="none")
    ref.mean(dim=1).sum().backward()
    values, grad = lc.SigmoidFocalLoss(alpha=alpha, gamma=gamma).value_and_grad(x, z)
    np.testing.assert_allclose(values, ref.mean(dim=1).detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("epsilon", [0.0, 0.1, 0.35, 1.0])
def test_label_smoothing_matches_torch_cross_entropy(epsilon):
    rng = np.random.default_rng(5)
    x, y = rng.normal(0, 3, (7, 5)), rng.integers(0, 5, 7)
    xt = torch.tensor(x, requires_grad=True)
    ref = torch.nn.CrossEntropyLoss(reduction="none", label_smoothing=epsilon)(xt, torch.tensor(y))
    ref.sum().backward()
    values, grad = lc.LabelSmoothingCrossEntropyLoss(epsilon=epsilon).value_and_grad(x, y)
    np.testing.assert_allclose(values, ref.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    # classes on axis 1 of a (N, C, d) input, torch's layout for extra dimensions
    x3, y3 = rng.normal(0, 3, (3, 4, 2)), rng.integers(0, 4, (3, 2))
    ref3 = torch.nn.CrossEntropyLoss(reduction="none", label_smoothing=epsilon)(torch.tensor(x3), torch.tensor(y3))
    got3 = lc.LabelSmoothingCrossEntropyLoss(epsilon=epsilon, axis=1)(x3, y3)
    np.testing.assert_allclose(got3, ref3.numpy().mean(axis=1), rtol=1e-10)


def _paper_softmax_focal(x, y, gamma):
    logp = torch.log_softmax(x, dim=1).gather(1, y[:, None])[:, 0]
    return -((1 - logp.exp()) ** gamma) * logp


def _paper_poly1(x, y, epsilon):
    ce = torch.nn.functional.cross_entropy(x, y, reduction="none")
    pt = torch.softmax(x, dim=1).gather(1, y[:, None])[:, 0]
    return ce + epsilon * (1 - pt)


def _authors_asl(x, y, gamma_neg, gamma_pos, clip, eps=1e-8):
    """The AsymmetricLoss.forward of the authors' repository, without its sum (per element instead)."""
    x_sigmoid = torch.sigmoid(x)
    xs_pos = x_sigmoid
    xs_neg = 1 - x_sigmoid
    if clip is not None and clip > 0:
        xs_neg = (xs_neg + clip).clamp(max=1)
    los_pos = y * torch.log(xs_pos.clamp(min=eps))
    los_neg = (1 - y) * torch.log(xs_neg.clamp(min=eps))
    loss = los_pos + los_neg
    if gamma_neg > 0 or gamma_pos > 0:
        pt = xs_pos * y + xs_neg * (1 - y)
        one_sided_gamma = gamma_pos * y + gamma_neg * (1 - y)
        loss *= torch.pow(1 - pt, one_sided_gamma)
    return -loss


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_softmax_focal_matches_the_papers_formula(gamma):
    rng = np.random.default_rng(2)
    x, y = rng.normal(0, 4, (9, 6)), rng.integers(0, 6, 9)
    xt = torch.tensor(x, requires_grad=True)
    ref = _paper_softmax_focal(xt, torch.tensor(y), gamma)
    ref.sum().backward()
    values, grad = lc.SoftmaxFocalLoss(gamma=gamma).value_and_grad(x, y)
    np.testing.assert_allclose(values, ref.detach().numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("epsilon", [-1.0, 0.0, 1.0, 4.5])
def test_poly1_matches_the_papers_formula(epsilon):
    rng = np.random.default_rng(4)
    x, y = rng.normal(0, 4, (9, 6)), rng.integers(0, 6, 9)
    xt = torch.tensor(x, requires_grad=True)
    ref = _paper_poly1(xt, torch.tensor(y), epsilon)
    ref.sum().backward()
    values, grad = lc.PolyLoss(epsilon=epsilon).value_and_grad(x, y)
    np.testing.assert_allclose(values, ref.detach().numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("gamma_pos", "gamma_neg", "clip"),
                         [(0.0, 4.0, 0.05), (1.0, 4.0, 0.05), (0.0, 2.0, 0.0), (0.5, 1.5, 0.3), (0.0, 0.0, 0.0)])
def test_asymmetric_matches_the_authors_code(gamma_pos, gamma_neg, clip):
    # logits in [-8, 8]: the authors' clamp of p at 1e-8 only acts below -18.4
    rng = np.random.default_rng(6)
    x = rng.uniform(-8, 8, (8, 10))
    y = rng.choice([0.0, 1.0], x.shape)
    xt = torch.tensor(x, requires_grad=True)
    ref = _authors_asl(xt, torch.tensor(y), gamma_neg, gamma_pos, clip)
    ref.mean(dim=1).sum().backward()
    values, grad = lc.AsymmetricLoss(gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip).value_and_grad(x, y)
    np.testing.assert_allclose(values, ref.mean(dim=1).detach().numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_asymmetric_differs_from_the_authors_clamp_only_below_its_floor():
    x = np.array([-25.0, -18.0])
    ours = lc.AsymmetricLoss(gamma_neg=0.0, clip=0.0)(x[:, None], np.ones((2, 1)))
    np.testing.assert_allclose(ours, np.log1p(np.exp(-x)))  # -log sigmoid(x), exact
    theirs = _authors_asl(torch.tensor(x), torch.ones(2), 0.0, 0.0, 0.0).numpy()
    assert theirs[0] == pytest.approx(-np.log(1e-8)) and theirs[1] == pytest.approx(ours[1])


# -- bad input ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("make", "message"), [
    (lambda: lc.SigmoidFocalLoss(gamma=-1.0), "gamma must be >= 0"),
    (lambda: lc.SigmoidFocalLoss(alpha=1.5), r"alpha must be <= 1 \(a negative alpha switches"),
    (lambda: lc.SoftmaxFocalLoss(gamma=float("nan")), "gamma must be finite"),
    (lambda: lc.LabelSmoothingCrossEntropyLoss(epsilon=1.2), r"epsilon must be in \[0, 1\]"),
    (lambda: lc.PolyLoss(epsilon=-2.0), "epsilon must be >= -1"),
    (lambda: lc.AsymmetricLoss(clip=1.5), r"clip must be in \[0, 1\]"),
    (lambda: lc.AsymmetricLoss(gamma_neg=-0.1), "gamma_neg must be >= 0"),
])
def test_bad_parameters_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()
    with pytest.raises(TypeError, match="gamma must be a number"):
        lc.SigmoidFocalLoss(gamma="2")


@pytest.mark.parametrize("cls", [lc.SoftmaxFocalLoss, lc.LabelSmoothingCrossEntropyLoss, lc.PolyLoss])
def test_class_index_losses_check_their_labels(cls):
    with pytest.raises(ValueError, match=r"whole class indices in \[0, 3\)"):
        cls()([[1.0, 2.0, 3.0]], [3])
    with pytest.raises(ValueError, match="one class index per position"):
        cls()([[1.0, 2.0, 3.0]], [0, 1])
    with pytest.raises(ValueError, match="axis=2 is out of range"):
        cls(axis=2)([[1.0, 2.0, 3.0]], [0])
    with pytest.raises(ValueError, match="pred must be finite"):
        cls()([[1.0, np.nan, 3.0]], [0])
