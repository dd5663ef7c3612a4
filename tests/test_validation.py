"""Bad input raises a TypeError/ValueError naming the argument and what is expected; the documented
differences from MXNet 1.9.1 behave as documented."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import losscore as lc
from losscore.catalog import CATALOG

BAD_INPUTS = [
    # (id, call, exception, message fragment)
    ("pred-string", lambda: lc.L2Loss()("abc", [1.0]), TypeError, "pred must be numeric"),
    ("label-object", lambda: lc.L1Loss()([1.0], object()), TypeError, "label must be numeric"),
    ("label-ragged", lambda: lc.L1Loss()([1.0, 2.0], [[1.0], [1.0, 2.0]]), ValueError, "label must be a rectangular"),
    ("label-count", lambda: lc.L2Loss()([[1.0, 2.0]], [1.0, 2.0, 3.0]), ValueError,
     r"label must have as many elements as pred \(shape \(1, 2\)"),
    ("pred-empty", lambda: lc.L2Loss()([], []), ValueError, "pred must not be empty"),
    ("pred-nan", lambda: lc.L2Loss()([np.nan, 1.0], [1.0, 1.0]), ValueError, "pred must be finite"),
    ("label-inf", lambda: lc.HuberLoss()([0.0, 1.0], [np.inf, 1.0]), ValueError, "label must be finite"),
    ("weight-string", lambda: lc.L1Loss(weight="2"), TypeError, "weight must be a number or None"),
    ("batch-axis-float", lambda: lc.L1Loss(batch_axis=0.5), TypeError, "batch_axis must be an int"),
    ("batch-axis-range", lambda: lc.L1Loss(batch_axis=3)([[1.0]], [[1.0]]), ValueError,
     "batch_axis=3 is out of range"),
    ("rho-zero", lambda: lc.HuberLoss(rho=0), ValueError, "rho must be a positive number"),
    ("margin-none", lambda: lc.HingeLoss(margin=None), TypeError, "margin must be a number"),
    ("label-format", lambda: lc.LogisticLoss(label_format="pm1"), ValueError, "label_format must be 'signed' or"),
    ("sample-weight-shape", lambda: lc.L2Loss()(np.ones((2, 3)), np.ones((2, 3)), np.ones((4,))), ValueError,
     r"sample_weight must broadcast to the per-element loss of shape \(2, 3\)"),
    ("sample-weight-enlarges", lambda: lc.L2Loss()(np.ones((2, 1)), np.ones((2, 1)), np.ones((1, 3))), ValueError,
     "sample_weight must broadcast"),
    ("pos-weight-shape", lambda: lc.SigmoidBCELoss()(np.ones((2, 3)), np.ones((2, 3)), None, np.ones((1, 4))),
     ValueError, r"pos_weight must broadcast to pred's shape \(2, 3\)"),
    ("from-sigmoid-range", lambda: lc.SigmoidBCELoss(from_sigmoid=True)([1.5], [1.0]), ValueError,
     r"pred must hold probabilities in \[0, 1\]"),
    ("softmax-axis", lambda: lc.SoftmaxCELoss(axis=2)([[1.0, 2.0]], [0]), ValueError, "axis=2 is out of range"),
    ("softmax-label-count", lambda: lc.SoftmaxCELoss()([[1.0, 2.0]], [0, 1]), ValueError,
     "label must hold one class index per position"),
    ("softmax-label-fraction", lambda: lc.SoftmaxCELoss()([[1.0, 2.0, 3.0]], [1.7]), ValueError,
     r"whole class indices in \[0, 3\).*got 1.7"),
    ("softmax-label-range", lambda: lc.SoftmaxCELoss()([[1.0, 2.0, 3.0]], [3]), ValueError,
     r"whole class indices in \[0, 3\)"),
    ("softmax-label-negative", lambda: lc.SoftmaxCELoss()([[1.0, 2.0, 3.0]], [-1]), ValueError, "got -1"),
    ("kl-label-shape", lambda: lc.KLDivLoss()(np.zeros((2, 3)), np.ones((2, 4)) / 4), ValueError,
     r"label must broadcast to pred's shape \(2, 3\)"),
    ("kl-label-negative", lambda: lc.KLDivLoss()(np.zeros((1, 2)), [[-0.5, 1.5]]), ValueError,
     "label must be a distribution with entries >= 0"),
    ("poisson-negative-target", lambda: lc.PoissonNLLLoss()([0.0], [-1.0]), ValueError,
     "target must hold counts >= 0"),
    ("poisson-rate", lambda: lc.PoissonNLLLoss(from_logits=False)([-1.0], [1.0]), ValueError,
     "pred must hold positive rates"),
    ("poisson-epsilon", lambda: lc.PoissonNLLLoss()([0.0], [1.0], None, -1.0), ValueError, "epsilon must be"),
    ("triplet-count", lambda: lc.TripletLoss()(np.ones((2, 2)), np.ones((2, 3)), np.ones((2, 2))), ValueError,
     "positive must have as many elements as pred"),
    ("triplet-sample-weight", lambda: lc.TripletLoss()(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)),
                                                        np.ones(2)), TypeError, "positional argument"),
    ("cosine-label-count", lambda: lc.CosineEmbeddingLoss()(np.ones((3, 2)), np.ones((3, 2)), [1, 1]), ValueError,
     r"label must hold one value \(1 or -1\) per pair: 3 values"),
    ("cosine-sample-weight", lambda: lc.CosineEmbeddingLoss()(np.ones((3, 2)), np.ones((3, 2)), [1, 1, 1], [1, 2]),
     ValueError, "sample_weight must hold 1 or 3 values"),
    ("sdml-shapes", lambda: lc.SDMLLoss()(np.ones((3, 2)), np.ones((3, 4))), ValueError,
     r"x1 and x2 must both have shape \(B, D\)"),
    ("sdml-batch-one", lambda: lc.SDMLLoss()(np.ones((1, 2)), np.ones((1, 2))), ValueError, "B >= 2"),
    ("sdml-smoothing", lambda: lc.SDMLLoss(smoothing_parameter=1.5), ValueError, r"smoothing_parameter must be in"),
    ("wrt-unknown", lambda: lc.L2Loss().value_and_grad([1.0], [1.0], wrt="label"), ValueError,
     r"wrt must name one of \('pred',\)"),
]


@pytest.mark.parametrize("call, exc, match", [case[1:] for case in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_raises_a_named_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# -- documented differences from MXNet 1.9.1 -------------------------------------------------------------------

def test_sigmoid_bce_and_logistic_gradient_at_zero_is_the_true_derivative():
    # MXNet returns -z at x == 0; the derivative of the loss is sigma(0) - z = 0.5 - z.
    _, grad = lc.SigmoidBCELoss().value_and_grad([0.0, 0.0], [1.0, 0.0])
    np.testing.assert_allclose(grad, [-0.5, 0.5])
    _, grad = lc.LogisticLoss().value_and_grad([0.0], [1.0])
    np.testing.assert_allclose(grad, [-0.5])


def test_poisson_compute_full_with_zero_target_is_finite_and_matches_exact_term():
    values, grad = lc.PoissonNLLLoss(compute_full=True).value_and_grad([0.0, 1.0], [0.0, 1.0])
    # target 0 and 1 add log(0!) = log(1!) = 0: the same as compute_full=False
    np.testing.assert_allclose(values, lc.PoissonNLLLoss()([0.0, 1.0], [0.0, 1.0]))
    assert np.isfinite(grad).all()


def test_cosine_zero_vector_gives_zero_gradient_and_shape_n():
    values, (g1, g2) = lc.CosineEmbeddingLoss().value_and_grad(
        [[0.0, 0.0], [1.0, 0.0]], [[1.0, 2.0], [0.0, 1.0]], [1, -1], wrt=("input1", "input2"))
    assert values.shape == (2,)
    np.testing.assert_allclose(values, [1.0, 0.0])
    np.testing.assert_array_equal(g1[0], [0.0, 0.0])
    np.testing.assert_array_equal(g2[0], [0.0, 0.0])


def test_per_sample_weight_vector_weights_samples_on_multidimensional_loss():
    pred, label = np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)
    weighted = lc.L2Loss()(pred, label, [1.0, 3.0])
    np.testing.assert_allclose(weighted, [0.5, 1.5])  # MXNet would weight columns instead: [1.0, 1.0]
    ce = lc.SoftmaxCELoss()([[1.0, 2.0], [2.0, 1.0]], [1, 1], [1.0, 2.0])
    np.testing.assert_allclose(ce / lc.SoftmaxCELoss()([[1.0, 2.0], [2.0, 1.0]], [1, 1]), [1.0, 2.0], rtol=1e-6)


def test_kl_sums_over_classes_like_mxnet_19():
    out = [[0.39056206, 1.3068528, 0.39056206, -0.30258512]]
    target = [[0.3, 0.4, 0.1, 0.2]]
    total = lc.KLDivLoss(from_logits=False)(out, target)
    np.testing.assert_allclose(total, [0.1017], atol=5e-5)
    np.testing.assert_allclose(total / 4, [0.0254], atol=5e-5)  # what MXNet before 1.8 returned (a mean)


def test_sdml_ignores_weight_as_mxnet_does():
    x1 = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    x2 = x1 + 0.1
    np.testing.assert_array_equal(lc.SDMLLoss(weight=5.0)(x1, x2), lc.SDMLLoss()(x1, x2))


def test_no_runtime_warnings_on_valid_extreme_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lc.SigmoidBCELoss(from_sigmoid=True).value_and_grad([0.0, 1.0], [1.0, 0.0])
        lc.KLDivLoss().value_and_grad([[0.0, -1e4]], [[1.0, 0.0]])
        lc.PoissonNLLLoss(from_logits=False).value_and_grad([0.0], [0.0])
        lc.HuberLoss(rho=1e-3).value_and_grad([1e30], [0.0])


# Which test above (or in tests/test_sequence.py for CTC) covers each loss's documented differences.
COVERED_DIFFERENCES = {
    "SigmoidBinaryCrossEntropyLoss": test_sigmoid_bce_and_logistic_gradient_at_zero_is_the_true_derivative,
    "LogisticLoss": test_sigmoid_bce_and_logistic_gradient_at_zero_is_the_true_derivative,
    "SoftmaxCrossEntropyLoss": test_bad_input_raises_a_named_error,  # softmax-label-fraction / -range / -negative
    "KLDivLoss": test_kl_sums_over_classes_like_mxnet_19,
    "PoissonNLLLoss": test_poisson_compute_full_with_zero_target_is_finite_and_matches_exact_term,
    "CosineEmbeddingLoss": test_cosine_zero_vector_gives_zero_gradient_and_shape_n,
    "SDMLLoss": test_sdml_ignores_weight_as_mxnet_does,
    "CTCLoss": "tests/test_sequence.py",
}


def test_every_documented_difference_has_a_test():
    documented = {name for name, spec in CATALOG.items() if spec.differences}
    assert documented <= set(COVERED_DIFFERENCES), documented - set(COVERED_DIFFERENCES)


def test_zero_dimensional_arrays_are_numbers():
    assert lc.HuberLoss(rho=np.array(2.0)).rho == 2.0
    np.testing.assert_allclose(lc.PoissonNLLLoss()([0.0], [1.0], None, np.array(1e-8)), [1.0])
    with pytest.raises(TypeError, match="rho must be a number or None"):
        lc.HuberLoss(rho=np.array([2.0, 3.0]))
