"""The fused row kernels of losscore._kernels against each loss's own formula, on inputs large enough for
several row blocks and the second thread; and the no-thread setting (LOSSCORE_THREADS=1, as under Pyodide).

A sample weight of ones sends the same problem through the loss's readable ``_elementwise`` formula and the
general reduction, so the two paths must agree to rounding.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import losscore as lc
from losscore import _kernels

ROWS, COLS = 600, 1000  # 600,000 elements: three blocks, shared by two threads when there are two


def _inputs(kind: str, dtype) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((ROWS, COLS)) * 4).astype(dtype)
    if kind == "real":
        z = rng.standard_normal((ROWS, COLS)).astype(dtype)
    elif kind == "prob":
        z = rng.choice([0.0, 1.0, 0.3], (ROWS, COLS)).astype(dtype)
    else:
        z = rng.choice([-1.0, 1.0], (ROWS, COLS)).astype(dtype)
    return x, z


ELEMENTWISE = {
    "L2": (lc.L2Loss(weight=0.7), "real"),
    "L1": (lc.L1Loss(), "real"),
    "Huber": (lc.HuberLoss(rho=0.8), "real"),
    "Hinge": (lc.HingeLoss(margin=1.5), "sign"),
    "SquaredHinge": (lc.SquaredHingeLoss(), "sign"),
    "Logistic": (lc.LogisticLoss(), "sign"),
    "Logistic-binary": (lc.LogisticLoss(label_format="binary"), "prob"),
    "SigmoidBCE": (lc.SigmoidBCELoss(weight=2.0), "prob"),
}


@pytest.fixture(params=[1, 2], ids=["one-thread", "two-threads"])
def threads(request, monkeypatch):
    monkeypatch.setattr(_kernels, "THREADS", request.param)
    return request.param


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_row_kernel_matches_the_formula(name, dtype, threads):
    loss, kind = ELEMENTWISE[name]
    x, z = _inputs(kind, dtype)
    values, grad = loss.value_and_grad(x, z)  # the row kernel
    ref_values, ref_grad = loss.value_and_grad(x, z, np.ones(ROWS, dtype))  # _elementwise + reduce_loss
    assert values.dtype == grad.dtype == dtype and values.shape == (ROWS,) and grad.shape == x.shape
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(values, ref_values, rtol=rtol, atol=rtol * np.abs(ref_values).max())
    np.testing.assert_allclose(grad, ref_grad, rtol=rtol, atol=rtol * np.abs(ref_grad).max())
    np.testing.assert_array_equal(loss(x, z), values)  # without the gradient, the same values


def test_softmax_ce_rows_match_the_general_path(threads):
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((ROWS, COLS)) * 5).astype(np.float32)
    labels = rng.integers(0, COLS, ROWS)
    loss = lc.SoftmaxCELoss()
    values, grad = loss.value_and_grad(x, labels)  # C-contiguous: the row kernel
    ref_values, ref_grad = loss.value_and_grad(np.asfortranarray(x), labels)  # the general path
    np.testing.assert_allclose(values, ref_values, rtol=1e-5)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-5, atol=1e-7)


def test_kl_rows_match_the_general_path(threads):
    rng = np.random.default_rng(5)
    q = rng.random((ROWS, COLS)).astype(np.float32)
    q /= q.sum(axis=1, keepdims=True)
    q[::7, ::3] = 0.0  # zero-probability classes contribute 0
    log_p = np.log(rng.dirichlet(np.ones(COLS), ROWS)).astype(np.float32)
    loss = lc.KLDivLoss(weight=1.5)
    values, grad = loss.value_and_grad(log_p, q)
    ref_values, ref_grad = loss.value_and_grad(log_p, q, np.ones(ROWS, np.float32))
    np.testing.assert_allclose(values, ref_values, rtol=1e-5)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-6)


def test_log1p_unit_is_as_accurate_as_log1p():
    u = np.concatenate([np.geomspace(1e-38, 1.0, 20001), np.linspace(0, 1, 20001)]).astype(np.float32)
    exact = np.log1p(u.astype(np.float64))
    ours = _kernels.log1p_unit(u)
    assert ours.dtype == np.float32
    rel = np.abs(ours - exact) / np.maximum(exact, np.finfo(np.float32).tiny)
    rel_numpy = np.abs(np.log1p(u) - exact) / np.maximum(exact, np.finfo(np.float32).tiny)
    assert rel.max() < 4e-7 and rel.max() <= 2 * rel_numpy.max() + 1e-7  # a few ulp, like np.log1p
    # plain log(1 + u) loses every digit once 1 + u rounds to 1
    assert np.log(np.float32(1) + np.float32(1e-9)) == 0 and _kernels.log1p_unit(np.float32([1e-9]))[0] > 0


def test_an_error_in_a_block_is_raised_once_both_threads_stop(monkeypatch):
    monkeypatch.setattr(_kernels, "THREADS", 2)
    done = []

    def block(a, b):
        if a == 256:
            raise RuntimeError("boom")
        done.append(a)

    with pytest.raises(RuntimeError, match="boom"):
        _kernels.for_row_blocks(block, 1024, _kernels._PARALLEL_BLOCK // 256, parallel=True)  # blocks of 256 rows
    assert 256 not in done and set(done) <= {0, 512, 768}


def _run(code: str, threads: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOSSCORE_THREADS": threads}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                          timeout=120)


def test_losscore_threads_1_starts_no_thread():
    code = """
        import threading, numpy as np, losscore as lc
        from losscore import _kernels
        x = np.random.default_rng(0).standard_normal((1000, 1000), dtype=np.float32)
        lc.SigmoidBCELoss().value_and_grad(x, (x > 0).astype(np.float32))
        lc.SoftmaxCELoss().value_and_grad(x, np.zeros(1000))
        print(_kernels.THREADS, sorted(t.name for t in threading.enumerate()))
    """
    one = _run(code, "1")
    assert one.returncode == 0, one.stderr
    assert one.stdout.split()[0] == "1" and "losscore" not in one.stdout
    if (os.cpu_count() or 1) >= 2:  # the default starts the pool thread on a large input
        two = _run(code, "")
        assert two.returncode == 0, two.stderr
        assert two.stdout.split()[0] == "2" and "losscore" in two.stdout


def test_a_bad_losscore_threads_value_is_named():
    result = _run("import losscore", "two")
    assert result.returncode != 0 and "LOSSCORE_THREADS must be a whole number >= 1; got 'two'" in result.stderr


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["SigmoidBCE", "Logistic", "Logistic-binary"])
def test_logit_kernel_on_a_curve_matches_the_formula(name, dtype):
    """A 1-D curve-sized input (one element per sample: the kernel's own 1-D branch), with extreme logits, both
    signed zeros and logits where log(1 + e) alone would round the loss to 0."""
    loss, kind = ELEMENTWISE[name]
    x = np.concatenate([np.linspace(-30, 30, 995), [-0.0, 0.0, 90.0, -90.0, 1e-8]]).astype(dtype)
    z = np.resize(np.array([1.0, 0.0, 0.3] if kind == "prob" else [1.0, -1.0]), x.size).astype(dtype)
    values, grad = loss.value_and_grad(x, z)
    ref_values, ref_grad = loss.value_and_grad(x, z, np.ones(x.size, dtype))  # _elementwise + reduce_loss
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(values, ref_values, rtol=rtol, atol=0)  # relative, even where the loss is ~1e-13
    np.testing.assert_allclose(grad, ref_grad, rtol=rtol, atol=0)


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble])
@pytest.mark.parametrize("name", ["SigmoidBCE", "Logistic"])
def test_logit_kernel_takes_every_float_dtype(name, dtype):
    """float16 and longdouble pred reach the logit kernel too (its constants once existed only for float32/64)."""
    loss, kind = ELEMENTWISE[name]
    x, z = _inputs(kind, np.float64)
    x, z = x[:4, :50].astype(dtype), z[:4, :50].astype(dtype)
    values, grad = loss.value_and_grad(x, z)
    ref_values, ref_grad = loss.value_and_grad(x, z, np.ones(4, dtype))  # _elementwise + reduce_loss
    assert values.dtype == grad.dtype == dtype
    rtol = 2e-3 if dtype == np.float16 else 1e-12
    np.testing.assert_allclose(values.astype(np.float64), ref_values.astype(np.float64), rtol=rtol)
    np.testing.assert_allclose(grad.astype(np.float64), ref_grad.astype(np.float64), rtol=rtol, atol=rtol * 1e-2)
