"""Tests of losscore.sequence: CTCLoss and the CTC helpers.

Values are checked against a brute-force sum over every path on tiny problems, gradients against central finite
differences, and a few cases against numbers produced by MXNet 1.9.1 itself.
"""

from __future__ import annotations

import itertools
import threading
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import losscore.sequence as sequence
from losscore.ctc_decoding import CTCAlignment, ctc_alignment_posteriors, ctc_alignments, ctc_greedy_decode
from losscore.sequence import CTCLoss, ctc_feasible


# The recursion has two code paths, chosen by lattice size: log space for small lattices, probability space
# (with log space as its fallback) for larger ones. Tests marked with this fixture run with each path forced.
def force_path(name: str):
    return mock.patch.object(sequence, "_SMALL_LATTICE", 10**9 if name == "small" else -1)


@pytest.fixture(params=["small", "large"])
def lattice_path(request):
    with force_path(request.param):
        yield request.param


# ---------------------------------------------------------------------------------------------------------
# Independent references
# ---------------------------------------------------------------------------------------------------------
def log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def collapse(path: tuple[int, ...], blank: int) -> list[int]:
    out, prev = [], None
    for k in path:
        if k != prev and k != blank:
            out.append(k)
        prev = k
    return out


def brute_force_nll(x_tc: np.ndarray, label: list[int]) -> float:
    """-log of the summed probability of every path of length T that collapses to ``label`` (x: (T, C))."""
    t_len, c = x_tc.shape
    lp = log_softmax(x_tc)
    total = -np.inf
    for path in itertools.product(range(c), repeat=t_len):
        if collapse(path, c - 1) == list(label):
            total = np.logaddexp(total, sum(lp[t, k] for t, k in enumerate(path)))
    return -total


def reference_nll(x_tc: np.ndarray, label: list[int]) -> float:
    """A plain one-sequence CTC forward pass in log space with -inf (independent of losscore's lattice)."""
    t_len, c = x_tc.shape
    lp = log_softmax(x_tc)
    ext = [c - 1]
    for k in label:
        ext += [k, c - 1]
    alpha = np.full(len(ext), -np.inf)
    alpha[0] = lp[0, ext[0]]
    if len(ext) > 1:
        alpha[1] = lp[0, ext[1]]
    for t in range(1, t_len):
        new = np.full(len(ext), -np.inf)
        for s in range(len(ext)):
            terms = [alpha[s]] + ([alpha[s - 1]] if s >= 1 else [])
            if s >= 2 and ext[s] != c - 1 and ext[s] != ext[s - 2]:
                terms.append(alpha[s - 2])
            new[s] = np.logaddexp.reduce(terms) + lp[t, ext[s]]
        alpha = new
    return -np.logaddexp.reduce(alpha[-2:])


def finite_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        g[idx] = (f(xp) - f(xm)) / (2 * h)
    return g


def softmax(x: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(x))


# ---------------------------------------------------------------------------------------------------------
# Values and gradients
# ---------------------------------------------------------------------------------------------------------
BRUTE_CASES = [
    # (T, C, labels (N rows, -1 padded), pred_lengths or None)
    (4, 3, [[0, 1], [1, 1], [0, -1], [-1, -1]], None),
    (5, 3, [[0, 1, 0], [1, 1, -1], [1, 0, 1]], [5, 4, 5]),
    (3, 2, [[0, 0], [0, -1], [-1, -1]], [3, 1, 2]),
    (5, 3, [[1, 0], [0, 0]], [2, 5]),
    (1, 3, [[0], [-1]], None),
]


@pytest.mark.parametrize("t_len, c, labels, pred_lengths", BRUTE_CASES)
@pytest.mark.usefixtures("lattice_path")
def test_values_match_brute_force_enumeration(t_len, c, labels, pred_lengths):
    rng = np.random.default_rng(t_len * 10 + c)
    n = len(labels)
    x = rng.standard_normal((n, t_len, c)) * 1.5
    lens = [t_len] * n if pred_lengths is None else pred_lengths
    expected = [
        brute_force_nll(x[i, : lens[i]], [k for k in itertools.takewhile(lambda v: v != -1, labels[i])])
        for i in range(n)
    ]
    loss = CTCLoss()
    values = loss(x, labels, pred_lengths)
    values2, _ = loss.value_and_grad(x, labels, pred_lengths)
    assert values.dtype == np.float64
    np.testing.assert_allclose(values, expected, rtol=1e-10)
    np.testing.assert_allclose(values2, expected, rtol=1e-10)


@pytest.mark.parametrize("t_len, c, labels, pred_lengths", BRUTE_CASES)
@pytest.mark.usefixtures("lattice_path")
def test_gradient_matches_finite_differences(t_len, c, labels, pred_lengths):
    rng = np.random.default_rng(100 + t_len * 10 + c)
    n = len(labels)
    x = rng.standard_normal((n, t_len, c))
    weights = rng.uniform(0.5, 2.0, n)
    loss = CTCLoss(weight=0.7)
    _, grad = loss.value_and_grad(x, labels, pred_lengths, None, weights)
    numeric = finite_difference(lambda z: loss(z, labels, pred_lengths, None, weights).sum(), x)
    np.testing.assert_allclose(grad, numeric, atol=1e-7)


@pytest.mark.usefixtures("lattice_path")
def test_longer_sequences_match_a_plain_reference():
    # T well past the lattice's periodic re-centring (every 16 steps), variable lengths in both directions
    rng = np.random.default_rng(31)
    n, t_len, c = 5, 53, 6
    x = rng.standard_normal((n, t_len, c)) * 2
    plen = np.array([53, 40, 17, 33, 50])
    labels = [[0, 1, 1, 2, 4, 0, 0, 3], [2, 2, 2], [], [4, 3, 2, 1, 0, 1, 2, 3, 4, 4, 4, 0], [1]]
    padded = np.full((n, 12), -1)
    for i, lab in enumerate(labels):
        padded[i, : len(lab)] = lab
    expected = [reference_nll(x[i, : plen[i]], labels[i]) for i in range(n)]
    loss = CTCLoss()
    np.testing.assert_allclose(loss(x, padded, plen), expected, rtol=1e-12)
    values, grad = loss.value_and_grad(x, padded, plen)
    np.testing.assert_allclose(values, expected, rtol=1e-12)
    v32, g32 = loss.value_and_grad(x.astype(np.float32), padded, plen)
    np.testing.assert_allclose(v32, expected, rtol=2e-6)
    np.testing.assert_allclose(g32, grad, atol=2e-5)
    # spot-check the gradient by finite differences at a few entries, on both sides of each length
    for i, t, k in [(0, 0, 0), (0, 52, 5), (1, 39, 2), (1, 40, 2), (2, 16, 5), (3, 20, 4), (4, 49, 1)]:
        h = 1e-6
        xp, xm = x.copy(), x.copy()
        xp[i, t, k] += h
        xm[i, t, k] -= h
        numeric = (loss(xp, padded, plen).sum() - loss(xm, padded, plen).sum()) / (2 * h)
        np.testing.assert_allclose(grad[i, t, k], numeric, atol=1e-7)


@pytest.mark.usefixtures("lattice_path")
def test_gradient_with_label_lengths_and_tnc_matches_finite_differences():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 3, 4))  # (T, N, C)
    label = np.array([[2, 2, 0], [0, 1, 9], [1, 5, 7]]).T  # (L, N); entries past label_lengths are ignored
    args = (label, [6, 4, 5], [3, 2, 1])
    loss = CTCLoss(layout="TNC", label_layout="TN")
    _, grad = loss.value_and_grad(x, *args)
    numeric = finite_difference(lambda z: loss(z, *args).sum(), x)
    np.testing.assert_allclose(grad, numeric, atol=1e-7)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    t_len=st.integers(1, 6),
    c=st.integers(2, 4),
    n=st.integers(1, 3),
    layout=st.sampled_from(["NTC", "TNC"]),
    path=st.sampled_from(["small", "large"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_property_gradient_equals_finite_difference(t_len, c, n, layout, path, seed):
    with force_path(path):
        check_gradient_equals_finite_difference(t_len, c, n, layout, seed)


def check_gradient_equals_finite_difference(t_len, c, n, layout, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, t_len, c)) * 2
    pred_lengths = rng.integers(0, t_len + 1, n)
    width = int(rng.integers(0, t_len + 1))
    label = rng.integers(0, c - 1, (n, width)).astype(float)
    label_lengths = rng.integers(0, width + 1, n)
    if layout == "TNC":
        x = x.transpose(1, 0, 2).copy()
    loss = CTCLoss(layout=layout)
    args = (label, pred_lengths, label_lengths)
    values, grad = loss.value_and_grad(x, *args)
    feasible = loss.feasible(x, *args)
    assert np.isfinite(values[feasible]).all()
    assert np.isposinf(values[~feasible]).all()
    assert np.isfinite(grad).all()

    def total(z):
        v = loss(z, *args)
        return v[feasible].sum()  # the infeasible ones are +inf with gradient 0

    np.testing.assert_allclose(grad, finite_difference(total, x), atol=2e-6)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(t_len=st.integers(1, 5), c=st.integers(2, 3), seed=st.integers(0, 2**31 - 1))
def test_property_value_equals_brute_force(t_len, c, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, t_len, c)) * 2
    length = int(rng.integers(0, t_len + 1))
    label = rng.integers(0, c - 1, length).tolist()
    expected = brute_force_nll(x[0], label)
    values = CTCLoss()(x, [label + [-1] * (t_len - length)])
    if np.isinf(expected):
        assert np.isposinf(values[0])
    else:
        np.testing.assert_allclose(values[0], expected, rtol=1e-10)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    n=st.integers(1, 3),
    t_len=st.integers(1, 40),
    c=st.integers(2, 6),
    dtype=st.sampled_from([np.float32, np.float64]),
    path=st.sampled_from(["small", "large"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_property_value_and_posteriors_match_reference(n, t_len, c, dtype, path, seed):
    with force_path(path):
        check_value_and_posteriors_match_reference(n, t_len, c, dtype, seed)


def check_value_and_posteriors_match_reference(n, t_len, c, dtype, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, t_len, c)) * 3).astype(dtype)
    plen = rng.integers(0, t_len + 1, n)
    width = int(rng.integers(0, t_len + 1))
    label = rng.integers(0, c - 1, (n, width))
    lab_len = rng.integers(0, width + 1, n)
    loss = CTCLoss()
    values, grad = loss.value_and_grad(x, label, plen, lab_len)
    feasible = loss.feasible(x, label, plen, lab_len)
    tol = 1e-5 if dtype == np.float32 else 1e-11
    for i in range(n):
        lab = label[i, : lab_len[i]].tolist()
        if not feasible[i]:
            assert np.isposinf(values[i]) and not grad[i].any()
            continue
        expected = reference_nll(x[i, : plen[i]].astype(np.float64), lab) if plen[i] else 0.0
        np.testing.assert_allclose(values[i], expected, rtol=tol, atol=tol)
        a = ctc_alignment_posteriors(x[i], lab, plen[i])
        np.testing.assert_allclose(a.state_posteriors[: plen[i]].sum(axis=1), 1.0, atol=10 * tol)
        np.testing.assert_allclose(a.softmax - a.class_posteriors, grad[i], atol=10 * tol)


# ---------------------------------------------------------------------------------------------------------
# MXNet 1.9.1 reference numbers
# ---------------------------------------------------------------------------------------------------------
# Produced with /work/mxenv/bin/python (mxnet 1.9.1, numpy 1.23.5, CPU) by this script:
#
#     from mxnet import autograd, gluon, nd
#     def run(loss, pred, *args):
#         x = nd.array(pred); x.attach_grad()
#         a = [None if v is None else nd.array(v) for v in args]
#         with autograd.record():
#             out = loss(x, *a)
#         out.backward()
#         return out.asnumpy(), x.grad.asnumpy()
#     run(gluon.loss.CTCLoss(), MX_A_PRED, [[0, 1], [2, -1]])                            # case A
#     run(gluon.loss.CTCLoss("TNC", "TN", 1.5), MX_B_PRED, MX_B_LABEL,
#         [5, 3, 4], [2, 1, 3], [1.0, 2.0, 0.5])                                           # case B
#     run(gluon.loss.CTCLoss(), MX_C_PRED, [[1, 1]])                                      # case C
#
# (the preds are np.round(np.random.default_rng(7).standard_normal(shape), 2) drawn in the order A, B, C)
MX_A_PRED = [
    [[0.0, 0.3, -0.27, -0.89], [-0.45, -0.99, 0.06, 1.34], [-0.49, -0.62, 0.49, 0.36], [0.11, -0.93, -0.03, 0.7],
     [-1.34, -0.46, -1.9, -1.29]],
    [[-1.84, -0.24, -1.27, 0.27], [0.16, -0.19, -2.52, -0.54], [-0.05, 0.11, -1.53, -0.48],
     [-0.98, -0.81, 1.06, -0.81], [-0.03, 0.88, -0.58, -0.11]],
]
MX_A_VALUES = [3.3105461597442627, 4.856671333312988]
MX_A_GRAD0 = [
    [-0.45512402057647705, 0.38305890560150146, 0.21662954986095428, -0.1445644497871399],
    [-0.09401954710483551, 0.03784753754734993, 0.18027524650096893, -0.12410348653793335],
    [-0.04115547239780426, -0.004391342401504517, 0.38715189695358276, -0.34160542488098145],
    [0.10831232368946075, -0.12041494995355606, 0.2158930003643036, -0.20379039645195007],
    [0.19867365062236786, -0.36198005080223083, 0.11348419636487961, 0.04982207715511322],
]
MX_B_PRED = [
    [[0.11, 0.06, -1.23, 0.08], [1.36, -1.55, 0.86, 0.12], [-0.64, 2.0, 0.76, -1.2]],
    [[0.07, 0.58, -0.19, 0.68], [-0.07, 0.67, 1.44, -0.68], [0.2, -0.46, 0.13, -1.19]],
    [[-0.58, -0.2, 0.9, 1.15], [-1.32, -0.79, 0.65, -1.99], [-0.46, -0.1, 1.26, 0.69]],
    [[-0.33, -0.37, -0.25, 1.52], [-0.43, -0.3, 0.35, -0.12], [-0.2, -1.11, -0.01, -0.44]],
    [[1.17, 0.65, -0.02, 0.67], [-0.34, 1.05, -0.01, 0.58], [-1.29, 0.35, -1.69, -2.04]],
]
MX_B_LABEL = [[1, 0, 2], [2, 1, 2], [0, 2, 1]]  # (L, N)
MX_B_VALUES = [4.508204460144043, 12.717153549194336, 5.090442180633545]
MX_B_GRAD_SEQ2 = [  # grad[:, 2]
    [0.03818812221288681, 0.5351380109786987, -0.5951391458511353, 0.02181340381503105],
    [0.2779507040977478, 0.14365920424461365, 0.25915950536727905, -0.6807693243026733],
    [0.06710777431726456, 0.09618756175041199, -0.3752346932888031, 0.21193933486938477],
    [0.220691978931427, -0.6611664891242981, 0.26687169075012207, 0.17360246181488037],
    [0.0, 0.0, 0.0, 0.0],
]
MX_C_PRED = [[[-0.3, -0.9, 0.16], [2.24, -0.83, -0.62], [0.21, 0.49, -0.18]]]
MX_C_VALUES = [5.519288063049316]
MX_C_GRAD = [[
    [0.3191945254802704, -0.8248223066329956, 0.5056277513504028],
    [0.9060515761375427, 0.042059965431690216, -0.9481115341186523],
    [0.3333125710487366, -0.5589841604232788, 0.22567157447338104],
]]


@pytest.mark.usefixtures("lattice_path")
def test_mxnet_reference_padded_labels():
    values, grad = CTCLoss().value_and_grad(np.array(MX_A_PRED, dtype=np.float32), [[0, 1], [2, -1]])
    assert values.dtype == np.float32 and grad.dtype == np.float32
    np.testing.assert_allclose(values, MX_A_VALUES, rtol=1e-6)
    np.testing.assert_allclose(grad[0], MX_A_GRAD0, atol=1e-6)


@pytest.mark.usefixtures("lattice_path")
def test_mxnet_reference_tnc_tn_lengths_and_weights():
    loss = CTCLoss("TNC", "TN", 1.5)
    pred = np.array(MX_B_PRED, dtype=np.float32)
    values, grad = loss.value_and_grad(pred, MX_B_LABEL, [5, 3, 4], [2, 1, 3], [1.0, 2.0, 0.5])
    np.testing.assert_allclose(values, MX_B_VALUES, rtol=1e-6)
    np.testing.assert_allclose(grad[:, 2], MX_B_GRAD_SEQ2, atol=1e-6)
    assert loss.batch_axis == 1


@pytest.mark.usefixtures("lattice_path")
def test_mxnet_reference_repeated_label_that_needs_every_step():
    values, grad = CTCLoss().value_and_grad(np.array(MX_C_PRED, dtype=np.float32), [[1, 1]])
    np.testing.assert_allclose(values, MX_C_VALUES, rtol=1e-6)
    np.testing.assert_allclose(grad, MX_C_GRAD, atol=1e-6)


def test_lengths_round_to_nearest_like_mxnet():
    x = np.array(MX_A_PRED)
    loss = CTCLoss()
    np.testing.assert_array_equal(loss(x, [[0, 1], [2, -1]], [4.5, 4.7]), loss(x, [[0, 1], [2, -1]], [5, 5]))
    np.testing.assert_array_equal(loss(x, [[0, 1], [2, -1]], [4.4, 3.5]), loss(x, [[0, 1], [2, -1]], [4, 4]))
    np.testing.assert_array_equal(
        loss(x, [[0, 1], [2, 0]], None, [1.5, 0.4]), loss(x, [[0, 1], [2, 0]], None, [2, 0])
    )


def test_entries_after_the_first_padding_are_ignored():
    x = np.array(MX_A_PRED)
    loss = CTCLoss()
    np.testing.assert_array_equal(loss(x, [[0, -1, 1], [2, -1, 0]]), loss(x, [[0, -1, -1], [2, -1, -1]]))
    np.testing.assert_array_equal(loss(x, [[0, -1, 2.5], [2, -1, -7]]), loss(x, [[0, -1, -1], [2, -1, -1]]))


# ---------------------------------------------------------------------------------------------------------
# Layouts, lengths, weights, dtypes
# ---------------------------------------------------------------------------------------------------------
def test_layouts_are_equivalent():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 7, 5)).astype(np.float32)
    label = np.array([[0, 1, 1, -1], [3, 2, -1, -1], [0, 1, 2, 3]])
    plen = [7, 5, 6]
    v0, g0 = CTCLoss().value_and_grad(x, label, plen)
    v1, g1 = CTCLoss("TNC").value_and_grad(x.transpose(1, 0, 2).copy(), label, plen)
    v2, g2 = CTCLoss("NTC", "TN").value_and_grad(x, label.T.copy(), plen)
    v3, g3 = CTCLoss("TNC", "TN").value_and_grad(np.ascontiguousarray(x.transpose(1, 0, 2)), label.T, plen)
    for v, g in ((v1, g1.transpose(1, 0, 2)), (v2, g2), (v3, g3.transpose(1, 0, 2))):
        np.testing.assert_allclose(v, v0, rtol=1e-6)
        np.testing.assert_allclose(g, g0, atol=1e-6)


def test_non_contiguous_pred_is_accepted():
    rng = np.random.default_rng(12)
    big = rng.standard_normal((4, 9, 6))
    x = big[::2, 1::2, :5]
    label = [[0, 1], [2, 3]]
    v, g = CTCLoss().value_and_grad(x, label)
    v0, g0 = CTCLoss().value_and_grad(np.ascontiguousarray(x), label)
    np.testing.assert_allclose(v, v0, rtol=1e-12)
    np.testing.assert_allclose(g, g0, atol=1e-12)


@pytest.mark.usefixtures("lattice_path")
def test_pred_lengths_zero_the_gradient_and_truncate_the_sequence():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 8, 4))
    label = [[0, 1], [2, -1], [1, 1]]
    plen = [8, 3, 5]
    values, grad = CTCLoss().value_and_grad(x, label, plen)
    for i, length in enumerate(plen):
        assert not grad[i, length:].any()
        assert grad[i, :length].any()
        v_i, g_i = CTCLoss().value_and_grad(x[i : i + 1, :length], [label[i]])
        np.testing.assert_allclose(values[i], v_i[0], rtol=1e-12)
        np.testing.assert_allclose(grad[i, :length], g_i[0], atol=1e-12)
    # every sequence shorter than T: the trailing steps are trimmed and their gradient is 0
    v_short, g_short = CTCLoss("TNC").value_and_grad(x.transpose(1, 0, 2), label, [4, 3, 4])
    assert not g_short[4:].any()
    np.testing.assert_allclose(v_short, CTCLoss()(x[:, :4], label, [4, 3, 4]), rtol=1e-12)


def test_weight_and_sample_weight_scale_loss_and_gradient():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 6, 4))
    label = [[0, 1], [2, -1], [1, 2]]
    v0, g0 = CTCLoss().value_and_grad(x, label)
    sw = np.array([0.5, 2.0, 0.0])
    v, g = CTCLoss(weight=3.0).value_and_grad(x, label, None, None, sw)
    np.testing.assert_allclose(v, 3.0 * sw * v0, rtol=1e-12)
    np.testing.assert_allclose(g, 3.0 * sw[:, None, None] * g0, atol=1e-12)
    np.testing.assert_allclose(CTCLoss()(x, label, None, None, 2.0), 2.0 * v0, rtol=1e-12)
    np.testing.assert_allclose(CTCLoss()(x, label, None, None, [2.0]), 2.0 * v0, rtol=1e-12)


def test_float32_stays_float32_and_float64_stays_float64():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 5, 3))
    label = [[0, 1], [1, -1]]
    for dtype in (np.float32, np.float64):
        v, g = CTCLoss().value_and_grad(x.astype(dtype), label, None, None, np.ones(2))
        assert v.dtype == dtype and g.dtype == dtype
        assert CTCLoss(weight=2)(x.astype(dtype), label).dtype == dtype
    v32, g32 = CTCLoss().value_and_grad(x.astype(np.float32), label)
    v64, g64 = CTCLoss().value_and_grad(x, label)
    np.testing.assert_allclose(v32, v64, rtol=1e-5)
    np.testing.assert_allclose(g32, g64, atol=1e-5)
    assert CTCLoss()(x.tolist(), label).dtype == np.float32  # lists become float32, MXNet's default
    v16, g16 = CTCLoss().value_and_grad(x.astype(np.float16), label)
    assert v16.dtype == np.float32 and g16.dtype == np.float32
    np.testing.assert_allclose(v16, v64, rtol=1e-2)


def test_returned_arrays_are_not_overwritten_by_later_calls():
    rng = np.random.default_rng(10)
    x = rng.standard_normal((2, 6, 4))
    label = [[0, 1], [2, -1]]
    loss = CTCLoss()
    v, g = loss.value_and_grad(x, label)
    v_copy, g_copy = v.copy(), g.copy()
    for _ in range(2):
        loss.value_and_grad(x * 3, [[1, 1], [0, 2]])
        loss.value_and_grad(rng.standard_normal((5, 3, 4)), [[0], [1], [2], [0], [1]])
        ctc_alignment_posteriors(x[0], [0, 1])
    np.testing.assert_array_equal(v, v_copy)
    np.testing.assert_array_equal(g, g_copy)
    v2, g2 = loss.value_and_grad(x, label)
    np.testing.assert_allclose(v2, v_copy, rtol=1e-12)
    np.testing.assert_allclose(g2, g_copy, rtol=1e-12, atol=1e-15)


@pytest.mark.usefixtures("lattice_path")
def test_concurrent_calls_from_threads_do_not_mix():
    rng = np.random.default_rng(13)
    problems = [(rng.standard_normal((4, 30, 6)), rng.integers(0, 5, (4, 8))) for _ in range(4)]
    loss = CTCLoss()
    expected = [loss.value_and_grad(x, lab) for x, lab in problems]
    failures = []

    def work(i):
        x, lab = problems[i]
        for _ in range(20):
            v, g = loss.value_and_grad(x, lab)
            # state shared by mistake (a cached plan, a buffer) would mix problems up: errors of order 1, not rounding
            if not (np.allclose(v, expected[i][0], rtol=1e-9) and np.allclose(g, expected[i][1], atol=1e-9)):
                failures.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_repr_and_properties():
    loss = CTCLoss("TNC", "TN", 2.0)
    assert repr(loss) == "CTCLoss(layout='TNC', label_layout='TN', weight=2.0)"
    assert (loss.layout, loss.label_layout, loss.weight, loss.batch_axis) == ("TNC", "TN", 2.0, 1)
    assert CTCLoss().batch_axis == 0


# ---------------------------------------------------------------------------------------------------------
# Edge cases: infeasible labels, empty labels, extremes
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.usefixtures("lattice_path")
def test_infeasible_labels_give_inf_and_zero_gradient():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 4, 3)).astype(np.float32)
    # needs 3 steps + 2 repeats = 5 > 4; fits; 4 labels in 4 steps fits; needs 2 but only 1 step
    label = [[0, 0, 0, -1], [0, 1, 0, -1], [0, 1, 0, 1], [1, 1, -1, -1]]
    plen = [4, 4, 4, 2]
    loss = CTCLoss()
    values, grad = loss.value_and_grad(x, label, plen, None, [0.0, 1.0, 1.0, -2.0])
    np.testing.assert_array_equal(loss.feasible(x, label, plen), [False, True, True, False])
    assert np.isposinf(values[[0, 3]]).all() and np.isfinite(values[[1, 2]]).all()
    assert not grad[[0, 3]].any()
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(values[1:3], loss(x[1:3], label[1:3], plen[1:3]), rtol=1e-6)
    np.testing.assert_array_equal(ctc_feasible([3, 3, 4, 2], [2, 0, 0, 1], plen), [False, True, True, False])


@pytest.mark.usefixtures("lattice_path")
def test_all_empty_batch_is_the_blank_path():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 4))
    sm = softmax(x)
    expected = -np.log(sm[..., 3]).sum(axis=1)
    expected_grad = sm.copy()
    expected_grad[..., 3] -= 1
    for label in ([[-1, -1]] * 3, np.zeros((3, 0))):
        values, grad = CTCLoss().value_and_grad(x, label)
        np.testing.assert_allclose(values, expected, rtol=1e-12)
        np.testing.assert_allclose(grad, expected_grad, atol=1e-12)
    # the same with label_lengths all 0, and with a single class (the blank)
    np.testing.assert_allclose(CTCLoss()(x, [[1, 2]] * 3, None, [0, 0, 0]), expected, rtol=1e-12)
    np.testing.assert_allclose(CTCLoss()(x[..., :1], [[-1]] * 3), 0.0, atol=1e-12)


@pytest.mark.usefixtures("lattice_path")
def test_zero_length_sequences():
    x = np.random.default_rng(2).standard_normal((3, 4, 3))
    values, grad = CTCLoss().value_and_grad(x, [[-1], [0], [-1]], [0, 0, 2])
    assert values[0] == 0.0 and not np.signbit(values[0])
    assert np.isposinf(values[1])
    assert not grad[:2].any() and not grad[2, 2:].any()
    values_all_zero, grad_all_zero = CTCLoss().value_and_grad(x, [[-1], [-1], [-1]], [0, 0, 0])
    np.testing.assert_array_equal(values_all_zero, 0.0)
    assert grad_all_zero.shape == x.shape and not grad_all_zero.any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.usefixtures("lattice_path")
def test_extreme_activations_stay_finite(dtype):
    rng = np.random.default_rng(1)
    x = rng.choice([-1e4, 1e4], (3, 12, 5)).astype(dtype)
    label = rng.integers(0, 4, (3, 5))
    values, grad = CTCLoss().value_and_grad(x, label)
    assert np.isfinite(values).all() and np.isfinite(grad).all()
    assert np.abs(grad).max() <= 1.0 + 1e-6
    # one dominant wrong class per step costs 2e4 per step it must be overruled
    y = np.full((1, 3, 3), -1e4, dtype=dtype)
    y[0, :, 2] = 1e4  # everything says blank
    v = CTCLoss()(y, [[0]])
    np.testing.assert_allclose(v, [2e4 - np.log(3)], rtol=1e-6)
    a = ctc_alignment_posteriors(x[0], label[0])
    assert np.isfinite(a.state_posteriors).all()
    # float32 holds 1e4 only to ~1e-3 absolute, which is what a log-probability error does to a posterior
    np.testing.assert_allclose(a.state_posteriors.sum(axis=1), 1.0, atol=2e-2 if dtype == np.float32 else 1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.usefixtures("lattice_path")
def test_long_sequence_stays_finite(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 2000, 8)).astype(dtype)
    label = rng.integers(0, 7, (2, 400))
    loss = CTCLoss()
    values, grad = loss.value_and_grad(x, label, [2000, 1500])
    assert np.isfinite(values).all() and np.isfinite(grad).all()
    assert values.min() > 1000
    np.testing.assert_allclose(loss(x, label, [2000, 1500]), values, rtol=1e-6)
    # softmax - posteriors sums to 0 at each step; float32 rounding accumulates over 2000 steps
    np.testing.assert_allclose(grad.sum(axis=2), 0.0, atol=1e-3 if dtype == np.float32 else 1e-9)
    a = ctc_alignment_posteriors(x[1], label[1], 1500)
    np.testing.assert_allclose(a.state_posteriors[:1500].sum(axis=1), 1.0, atol=1e-3 if dtype == np.float32 else 1e-9)
    np.testing.assert_allclose(a.log_likelihood, -values[1], rtol=1e-6)


# ---------------------------------------------------------------------------------------------------------
# Input errors
# ---------------------------------------------------------------------------------------------------------
X = np.zeros((2, 4, 3))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"layout": "NCT"}, "layout must be one of"),
        ({"layout": 3}, "layout must be one of"),
        ({"label_layout": "TT"}, "label_layout must be one of"),
    ],
)
def test_bad_layouts(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CTCLoss(**kwargs)


def test_bad_weight():
    with pytest.raises(TypeError, match="weight"):
        CTCLoss(weight="heavy")


@pytest.mark.parametrize(
    "args, match",
    [
        ((np.zeros((4, 3)), [[0]]), r"pred must be 3-D .* got shape \(4, 3\)"),
        ((X, [0, 1]), r"label must be 2-D .* got shape \(2,\)"),
        ((X, [[0, 1], [1, 0], [0, 0]]), r"label must have shape \(2, L\) .* got shape \(3, 2\)"),
        ((X, np.zeros((2, 5))), r"label is 5 wide, but pred has only T=4"),
        ((X, [[0, 0.5], [1, -1]]), r"label entries before the first -1 must be whole class indices in \[0, 2\).*"
                                   r"got 0.5 at label\[0, 1\]"),
        ((X, [[0, 2], [1, -1]]), r"label .*\[0, 2\) \(class C-1 = 2 is the blank.*got 2 at label\[0, 1\]"),
        ((X, [[0, 1], [-2, -1]]), r"label .* got -2 at label\[1, 0\]"),
        ((X, [[0, 7], [1, -1]]), r"label .* got 7 at label\[0, 1\]"),
        ((X, [[0, np.nan], [1, -1]]), r"label .* got nan at label\[0, 1\]"),
        ((X, [[0, -1], [1, -1]], None, [2, 1]), r"label entries within the label length .* got -1 at label\[0, 1\]"),
        ((X, [[0, 1], [1, -1]], [4, 4, 4]), r"pred_lengths must have shape \(N,\) = \(2,\).*got shape \(3,\)"),
        ((X, [[0, 1], [1, -1]], [4, 5]), r"pred_lengths must lie in \[0, 4\] .* got 5 at index 1"),
        ((X, [[0, 1], [1, -1]], [-1, 4]), r"pred_lengths must lie in \[0, 4\] .* got -1 at index 0"),
        ((X, [[0, 1], [1, -1]], [np.nan, 4]), r"pred_lengths must be finite; got nan at index 0"),
        ((X, [[0, 1], [1, -1]], "44"), r"pred_lengths must be numeric"),
        ((X, [[0, 1], [1, -1]], None, [2]), r"label_lengths must have shape \(N,\) = \(2,\).*got shape \(1,\)"),
        ((X, [[0, 1], [1, -1]], None, [3, 1]), r"label_lengths must lie in \[0, 2\] \(the label width\).*got 3"),
        ((X, [[0, 1], [1, -1]], None, None, [[1.0], [2.0]]),
         r"sample_weight must hold one weight per sequence: shape \(N,\) = \(2,\).*got shape \(2, 1\)"),
        ((X, [[0, 1], [1, -1]], None, None, [1.0, 2.0, 3.0]), r"sample_weight .* got shape \(3,\)"),
    ],
)
def test_bad_inputs_raise_named_errors(args, match):
    loss = CTCLoss()
    with pytest.raises((ValueError, TypeError), match=match):
        loss(*args)
    with pytest.raises((ValueError, TypeError), match=match):
        loss.value_and_grad(*args)


def test_tn_label_errors_use_the_callers_layout():
    loss = CTCLoss(label_layout="TN")
    with pytest.raises(ValueError, match=r"label must have shape \(L, 2\) .* got shape \(2, 3\)"):
        loss(X, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"got 2 at label\[1, 0\]"):
        loss(X, [[0, 1], [2, 0]])


def test_non_finite_pred_or_sample_weight_is_named():
    x = X.copy()
    x[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match=r"pred must be finite; got nan at index \(1, 2, 0\)"):
        CTCLoss()(x, [[0, 1], [1, -1]])
    with pytest.raises(ValueError, match="sample_weight must be finite"):
        CTCLoss().value_and_grad(X, [[0, 1], [1, -1]], None, None, [1.0, np.inf])


# ---------------------------------------------------------------------------------------------------------
# Helpers: greedy decoding and alignment posteriors
# ---------------------------------------------------------------------------------------------------------
ALPHABET = "CAT"  # classes 0, 1, 2; the blank is class 3


def one_hot_scores(path: str, n_classes: int = 4) -> np.ndarray:
    """Activations that peak at the path's characters; '_' is the blank."""
    scores = np.full((len(path), n_classes), -2.0)
    for t, ch in enumerate(path):
        scores[t, n_classes - 1 if ch == "_" else ALPHABET.index(ch)] = 3.0
    return scores


def test_greedy_decode_spells_cat():
    pred = np.stack([one_hot_scores("CC_AA_TT_"), one_hot_scores("_A_A_TC___")[:9]])
    decoded = ctc_greedy_decode(pred)
    assert ["".join(ALPHABET[k] for k in d) for d in decoded] == ["CAT", "AATC"]
    assert ctc_greedy_decode(pred.transpose(1, 0, 2), layout="TNC") == decoded
    assert ctc_greedy_decode(pred, [5, 3.6]) == [[0, 1], [1, 1]]
    assert ctc_greedy_decode(pred, [0, 9]) == [[], [1, 1, 2, 0]]
    assert ctc_greedy_decode(softmax(pred)) == decoded  # probabilities decode the same


def test_greedy_decode_errors():
    with pytest.raises(ValueError, match="layout must be one of"):
        ctc_greedy_decode(X, layout="CTN")
    with pytest.raises(ValueError, match=r"pred must be 3-D"):
        ctc_greedy_decode(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"pred_lengths must lie in \[0, 4\]"):
        ctc_greedy_decode(X, [1, 5])
    with pytest.raises(ValueError, match="pred must be finite"):
        ctc_greedy_decode(np.full((1, 2, 3), np.nan))


@pytest.mark.usefixtures("lattice_path")
def test_alignment_posteriors_sum_to_one_and_give_the_gradient():
    rng = np.random.default_rng(21)
    x = rng.standard_normal((9, 5))
    label = [0, 2, 2, 1]
    a = ctc_alignment_posteriors(x, label)
    assert isinstance(a, CTCAlignment)
    assert a.feasible and a.blank == 4
    np.testing.assert_array_equal(a.extended_label, [4, 0, 4, 2, 4, 2, 4, 1, 4])
    assert a.state_posteriors.shape == (9, 9) and a.class_posteriors.shape == (9, 5)
    np.testing.assert_allclose(a.state_posteriors.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(a.class_posteriors.sum(axis=1), 1.0, atol=1e-12)
    assert (a.state_posteriors >= 0).all()
    # the alignment starts in one of the first two states and ends in one of the last two
    assert a.state_posteriors[0, 2:].max() < 1e-12 and a.state_posteriors[-1, :-2].max() < 1e-12
    values, grad = CTCLoss().value_and_grad(x[None], [label])
    np.testing.assert_allclose(a.log_likelihood, -values[0], rtol=1e-12)
    np.testing.assert_allclose(a.softmax, softmax(x), atol=1e-12)
    np.testing.assert_allclose(a.softmax - a.class_posteriors, grad[0], atol=1e-12)


@pytest.mark.usefixtures("lattice_path")
def test_alignment_posteriors_match_brute_force():
    rng = np.random.default_rng(22)
    x = rng.standard_normal((4, 3))
    label = [0, 1]
    ext = [2, 0, 2, 1, 2]
    lp = log_softmax(x)
    gamma = np.zeros((4, 5))
    total = 0.0
    # enumerate state sequences of the extended label directly
    for states in itertools.product(range(5), repeat=4):
        if states[0] > 1 or states[-1] < 3:
            continue
        ok = all(
            b == a or b == a + 1 or (b == a + 2 and ext[b] != 2 and ext[b] != ext[a])
            for a, b in zip(states, states[1:], strict=False)
        )
        if not ok:
            continue
        p = np.exp(sum(lp[t, ext[s]] for t, s in enumerate(states)))
        total += p
        for t, s in enumerate(states):
            gamma[t, s] += p
    a = ctc_alignment_posteriors(x, label)
    np.testing.assert_allclose(a.state_posteriors, gamma / total, atol=1e-12)
    np.testing.assert_allclose(a.log_likelihood, np.log(total), rtol=1e-12)


def test_alignment_posteriors_with_lengths_and_padding():
    rng = np.random.default_rng(23)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    a = ctc_alignment_posteriors(x, [1, 0, -1, -1], pred_length=4)
    b = ctc_alignment_posteriors(x, [1, 0, 2, 2], pred_length=4.2, label_length=2)
    for r in (a, b):
        assert r.state_posteriors.dtype == np.float32
        np.testing.assert_array_equal(r.extended_label, [3, 1, 3, 0, 3])
        np.testing.assert_allclose(r.state_posteriors[:4].sum(axis=1), 1.0, atol=1e-6)
        assert not r.state_posteriors[4:].any() and not r.class_posteriors[4:].any() and not r.softmax[4:].any()
    np.testing.assert_allclose(a.state_posteriors, b.state_posteriors)
    empty = ctc_alignment_posteriors(x, [])
    np.testing.assert_allclose(empty.class_posteriors[:, 3], 1.0, atol=1e-6)


def test_alignment_posteriors_infeasible_is_all_zero():
    x = np.random.default_rng(24).standard_normal((3, 3))
    a = ctc_alignment_posteriors(x, [1, 1, 0])
    assert not a.feasible
    assert a.log_likelihood == -np.inf
    assert a.state_posteriors.shape == (3, 7) and not a.state_posteriors.any()
    assert not a.class_posteriors.any() and not np.isnan(a.softmax).any()


def test_alignment_posteriors_errors():
    with pytest.raises(ValueError, match=r"pred must be 2-D \(T, C\)"):
        ctc_alignment_posteriors(np.zeros((1, 3, 3)), [0])
    with pytest.raises(ValueError, match=r"label must be 1-D"):
        ctc_alignment_posteriors(np.zeros((3, 3)), [[0]])
    with pytest.raises(ValueError, match=r"got 2 at label\[1\]"):
        ctc_alignment_posteriors(np.zeros((3, 3)), [0, 2])
    with pytest.raises(ValueError, match=r"label_length must be a single number"):
        ctc_alignment_posteriors(np.zeros((3, 3)), [0, 1], None, [1, 2])
    with pytest.raises(ValueError, match=r"pred_length must lie in \[0, 3\]"):
        ctc_alignment_posteriors(np.zeros((3, 3)), [0], 4)
    with pytest.raises(ValueError, match="pred must be finite"):
        ctc_alignment_posteriors(np.full((3, 3), np.inf), [0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_alignments_of_a_batch_equal_each_sequence_alone(dtype):
    # mixed label lengths (one empty), a shortened pred_length, and one label that cannot fit (2 letters
    # with a repeat need 3 steps; it gets 2)
    rng = np.random.default_rng(31)
    x = (3 * rng.standard_normal((5, 7, 4))).astype(dtype)
    labels = np.array([[0, 1, 2, -1], [2, 2, -1, -1], [-1, -1, -1, -1], [1, 0, 1, 0], [0, 0, -1, -1]])
    plen = np.array([7, 5, 7, 6, 2])
    batch = ctc_alignments(x, labels, pred_lengths=plen)
    assert len(batch) == 5 and [a.feasible for a in batch] == [True, True, True, True, False]
    for i, a in enumerate(batch):
        alone = ctc_alignment_posteriors(x[i], labels[i], plen[i])
        np.testing.assert_array_equal(a.extended_label, alone.extended_label)
        assert a.state_posteriors.dtype == dtype and a.state_posteriors.shape == alone.state_posteriors.shape
        tol = 1e-5 if dtype == np.float32 else 1e-12
        for name in ("state_posteriors", "class_posteriors", "softmax"):
            np.testing.assert_allclose(getattr(a, name), getattr(alone, name), atol=tol, err_msg=name)
        assert a.log_likelihood == pytest.approx(alone.log_likelihood, rel=tol, abs=tol)
    # label_lengths instead of -1 padding give the same
    again = ctc_alignments(x, np.where(labels < 0, 3, labels), pred_lengths=plen,
                           label_lengths=(labels >= 0).sum(axis=1))
    for a, b in zip(batch, again, strict=True):
        np.testing.assert_array_equal(a.state_posteriors, b.state_posteriors)
    # and the CTC gradient is softmax - class posteriors for each sequence of the batch
    _, grad = CTCLoss().value_and_grad(x, labels, plen)
    for i, a in enumerate(batch[:4]):
        np.testing.assert_allclose(grad[i], a.softmax - a.class_posteriors, atol=1e-5)


def test_alignments_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"pred must be 3-D \(N, T, C\)"):
        ctc_alignments(np.zeros((3, 3)), [[0]])
    with pytest.raises(ValueError, match=r"label must have shape \(2, L\)"):
        ctc_alignments(np.zeros((2, 3, 3)), [[0]])
    with pytest.raises(ValueError, match=r"pred_lengths must have shape \(N,\) = \(2,\)"):
        ctc_alignments(np.zeros((2, 3, 3)), [[0], [1]], pred_lengths=[3])
    with pytest.raises(ValueError, match=r"label_lengths must lie in \[0, 1\]"):
        ctc_alignments(np.zeros((2, 3, 3)), [[0], [1]], label_lengths=[1, 2])
    with pytest.raises(ValueError, match="pred must be finite"):
        ctc_alignments(np.full((1, 3, 3), np.nan), [[0]])


# ---------------------------------------------------------------------------------------------------------
# Probability space and its fallback
# ---------------------------------------------------------------------------------------------------------
def _count_log_space_runs():
    """A patch of sequence._run_lattice that records each call and runs it."""
    calls: list[int] = []
    original = sequence._run_lattice

    def counted(*args):
        calls.append(1)
        return original(*args)

    return mock.patch.object(sequence, "_run_lattice", counted), calls


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_probability_space_matches_log_space_and_is_checked(dtype):
    rng = np.random.default_rng(21)
    label = rng.integers(0, 5, (8, 12))
    loss = CTCLoss()
    for scale, falls_back in ((1.0, False), (5.0, False), (100.0, True), (1000.0, True)):
        x = (rng.standard_normal((8, 30, 6)) * scale).astype(dtype)
        patch, calls = _count_log_space_runs()
        with patch:  # 8 sequences of 25 states: a lattice above _SMALL_LATTICE, so probability space first
            values, grad = loss.value_and_grad(x, label, pred_lengths=[30, 30, 29, 28, 30, 27, 30, 30])
            values_only = loss(x, label, pred_lengths=[30, 30, 29, 28, 30, 27, 30, 30])
        assert len(calls) == (2 if falls_back else 0), scale  # extreme activations underflow: the check sees it
        with force_path("small"):  # log space throughout
            ref_values, ref_grad = loss.value_and_grad(x, label, pred_lengths=[30, 30, 29, 28, 30, 27, 30, 30])
        tol = 1e-5 if dtype == np.float32 else 1e-10
        np.testing.assert_allclose(values, ref_values, rtol=tol)
        np.testing.assert_allclose(values_only, values, rtol=tol)
        np.testing.assert_allclose(grad, ref_grad, atol=30 * tol)
        assert np.all(grad[5, 27:] == 0) and np.all(grad[2, 29:] == 0)  # nothing after each pred_length


def test_probability_space_with_infeasible_and_empty_labels():
    rng = np.random.default_rng(22)
    x = rng.standard_normal((8, 10, 5)).astype(np.float32)
    label = rng.integers(0, 4, (8, 9))
    label[1] = [2] * 9  # 9 labels and 8 repeats on 10 steps: infeasible
    label[3] = -1  # empty label
    patch, calls = _count_log_space_runs()
    with patch:
        values, grad = CTCLoss().value_and_grad(x, label)
    assert calls == []
    with force_path("small"):
        ref_values, ref_grad = CTCLoss().value_and_grad(x, label)
    assert values[1] == np.inf and np.all(grad[1] == 0)
    np.testing.assert_allclose(values, ref_values, rtol=1e-5)
    np.testing.assert_allclose(grad, ref_grad, atol=1e-5)
