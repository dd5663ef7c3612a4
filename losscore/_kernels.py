"""How losscore goes fast on big inputs: row blocks, an optional second thread, and the fused row kernels.

Every loss states its formula in its own module; when pred is C-contiguous with the batch on its first axis
and there is no sample weight, it hands its rows to one of the kernels below instead. A kernel works on a
block of rows small enough for its temporaries to stay in the CPU's cache and sums each row as it goes.

Formulations are chosen to be fast on every x86 numpy build: ``exp`` and ``log`` are SIMD-vectorised from
AVX2 on, whereas numpy's float32 ``log1p`` and ``exp2`` are only fast with AVX-512.

``THREADS`` (environment variable ``LOSSCORE_THREADS``, default 2 or the number of CPUs if fewer): kernels
dominated by exp/log share their blocks with one pool thread (numpy releases the GIL inside its loops). With
``LOSSCORE_THREADS=1`` no thread is ever started, as under Pyodide.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def _threads_from_env() -> int:
    value = os.environ.get("LOSSCORE_THREADS", "").strip()
    if not value:
        return min(2, os.cpu_count() or 1)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"LOSSCORE_THREADS must be a whole number >= 1; got {value!r}")
    return min(int(value), 2)  # for_row_blocks shares work with one pool thread at most


#: Threads used for large exp/log inputs (the caller's included); 1: everything on the calling thread.
THREADS = _threads_from_env()
#: Elements per block: temporaries of a few MB stay in cache, and the numpy calls are few enough not to count.
_BLOCK = 1 << 18
#: Elements per block of the exp/log kernels (``parallel``): their more temporaries stay nearer the core, and
#: more blocks keep both threads busy to the end (measured 0.86x-0.96x of 2^18 with two threads).
_PARALLEL_BLOCK = 1 << 16
#: From this many elements np.clip (one pass, ~2 us of Python around it) beats np.maximum + np.minimum.
_CLIP_MIN = 1 << 13
#: Longest row summed by einsum: its sequential sum is accurate to a few ulp only for short rows.
_EINSUM_ROW_MAX = 2048

@functools.cache  # started on first use; two callers racing here may make two, and the spare one is collected
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="losscore")


if hasattr(os, "register_at_fork"):  # a forked child inherits the pool but not its thread: it makes its own
    os.register_at_fork(after_in_child=_pool.cache_clear)


def _take_blocks(fn: Callable[[int, int], None], starts: Iterator[int], step: int, n_rows: int) -> None:
    with np.errstate(all="ignore"):  # the floating-point error state is per thread
        for a in starts:  # next() on an itertools.count is atomic: the threads share it without a lock
            if a >= n_rows:
                return
            fn(a, min(a + step, n_rows))


def for_row_blocks(fn: Callable[[int, int], None], n_rows: int, row_len: int, parallel: bool = False) -> None:
    """Call ``fn(start, stop)`` on consecutive blocks of about ``_BLOCK`` elements (whole rows) of ``n_rows``.

    With ``parallel`` (blocks of ``_PARALLEL_BLOCK``) and more than one block, the pool thread takes blocks too:
    both threads draw the next block from a shared counter, so one that starts late (or shares its core) just
    does fewer. ``fn`` must then write only to its own rows; an error in either thread is raised once both stop.
    """
    step = max(1, (_PARALLEL_BLOCK if parallel else _BLOCK) // max(row_len, 1))
    if not parallel or THREADS < 2 or n_rows <= step:  # one block: no thread to wake
        for a in range(0, n_rows, step):
            fn(a, min(a + step, n_rows))
        return
    starts = itertools.count(0, step)
    future = _pool().submit(_take_blocks, fn, starts, step, n_rows)
    try:
        _take_blocks(fn, starts, step, n_rows)
    finally:
        future.result()


RowKernel = Callable[..., None]


def by_rows(kernel: RowKernel, pred: np.ndarray, label: np.ndarray, batch_axis: int, weight: float, mean: bool,
            need_grad: bool, parallel: bool = False, *params: float) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Run ``kernel(x, z, grad, values, scale, need_grad, *params)`` over pred's samples as rows, by blocks.

    x is pred as (rows, M), or (rows,) when a sample has one element, and z is label (pred's shape) or, for a
    2-D pred, any per-row array. A row kernel writes ``scale * sum_j l(x_ij, z_ij)`` to ``values`` (rows,) and,
    with ``need_grad``, ``scale * dl/dx`` to ``grad`` (x's shape; otherwise a temporary it may use as scratch
    space); scale is ``weight``, divided by M if ``mean``. Returns ``(values, grad in pred's shape or None)``,
    fresh, or None when pred is not C-contiguous with the batch on its first axis (the loss's general path).
    """
    ndim = pred.ndim
    if batch_axis not in (0, -ndim) or not ndim or not pred.flags.c_contiguous:  # 0 and -ndim: the first axis
        return None
    n = pred.shape[0]
    x = pred if ndim <= 2 else pred.reshape(n, -1)
    z = label if x is pred else label.reshape(x.shape)
    scale = weight / (pred.size // n) if mean else weight
    values = np.empty(n, x.dtype)
    one_block = x.size <= (_PARALLEL_BLOCK if parallel else _BLOCK)
    grad = np.empty(x.shape, x.dtype) if need_grad or one_block else None  # (np.empty_like: 1.5x slower)
    if one_block:  # no block machinery (curve-sized calls); without need_grad, grad is the kernel's scratch space
        kernel(x, z, grad, values, scale, need_grad, *params)
    else:
        def block(a: int, b: int) -> None:
            xb = x[a:b]
            kernel(xb, z[a:b], np.empty_like(xb) if grad is None else grad[a:b], values[a:b], scale, need_grad, *params)

        for_row_blocks(block, n, x.size // n, parallel)
    return values, (None if grad is None or not need_grad else grad if x is pred else grad.reshape(pred.shape))


# -- building blocks ------------------------------------------------------------------------------------------
def clip(a: np.ndarray, lo: float, hi: float | None, out: np.ndarray) -> np.ndarray:
    """``np.clip(a, lo, hi, out=out)`` (``hi=None``: no upper bound), by the faster route for ``a``'s size."""
    if a.size >= _CLIP_MIN:
        return np.clip(a, lo, np.inf if hi is None else hi, out=out)
    np.maximum(a, lo, out=out)
    if hi is not None:
        np.minimum(out, hi, out=out)
    return out


def row_dot(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row-wise dot products of two (rows, k) arrays: ``(a * b).sum(axis=1)``, without the temporary.

    1-D arrays are rows of one element: their product.

    einsum rather than np.vecdot (BLAS): as fast, and it neither takes the GIL row by row nor starts
    threads of its own. Long rows take numpy's pairwise sum for accuracy.
    """
    if a.ndim == 1:
        return np.multiply(a, b, out=out)
    if a.shape[1] > _EINSUM_ROW_MAX:
        return np.add.reduce(np.multiply(a, b), axis=1, out=out)
    return np.einsum("ij,ij->i", a, b, out=out)


def row_total(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row sums of a (rows, k) array: einsum's loop for short rows (faster than the pairwise sum); 1-D: a copy."""
    if a.ndim == 1:
        return np.positive(a, out=out)  # a copy, into out if given
    if a.shape[1] > _EINSUM_ROW_MAX:
        return np.add.reduce(a, axis=1, out=out)
    return np.einsum("ij->i", a, out=out)


def exp_neg_abs(x: np.ndarray) -> np.ndarray:
    """``exp(-|x|)``, in (0, 1], as a new array."""
    out = np.abs(x)
    np.negative(out, out=out)
    return np.exp(out, out=out)


def log1p_unit(u: np.ndarray) -> np.ndarray:
    """``log(1 + u)`` for u in [0, 1], as accurate as ``np.log1p`` (a few ulp) with ``np.log``'s speed.

    ``w = 1 + u`` rounds; the rounding error d = (w - 1) - u is exact (w - 1 is), and log(1 + u) = log(w - d)
    = log(w) - d / w + O(d^2). Taking d for d / w adds an error below d u, under an ulp of the result. So
    small u (where log(w) alone rounds to 0) keep their full relative precision.
    """
    w = np.add(u, 1.0)
    result = np.log(w)
    w -= 1.0
    np.subtract(u, w, out=w)  # -d
    result += w
    return result


# -- row kernels (see by_rows for the signature) ------------------------------------------------------------
def squared_error_rows(x, z, grad, values, scale, need_grad) -> None:
    """L2: ``scale * sum (x - z)^2``; gradient ``2 scale (x - z)``. The difference becomes the gradient."""
    np.subtract(x, z, out=grad)
    row_dot(grad, grad, out=values)
    values *= scale
    if need_grad and scale != 0.5:  # L2Loss's own scale: the difference is the gradient already
        grad *= 2.0 * scale


def abs_error_rows(x, z, grad, values, scale, need_grad) -> None:
    """L1: ``scale * sum |x - z|``; gradient ``scale sign(x - z)``.

    np.sign is written to another array: in place it takes a slow loop (8x slower measured).
    """
    d = np.subtract(x, z, out=np.empty_like(x))
    if need_grad:
        np.sign(d, out=grad)
        if scale != 1.0:
            grad *= scale
    row_total(np.abs(d, out=d), out=values)
    if scale != 1.0:
        values *= scale


def huber_rows(x, z, grad, values, scale, need_grad, rho: float) -> None:
    """Huber: with a = x - z and c = clip(a, -rho, rho), the loss is c (a - c/2) / rho, the gradient c / rho.

    (a^2 / (2 rho) where |a| <= rho, |a| - rho/2 beyond.) sum c a - sum c^2 / 2 loses at most half of the
    first sum to cancellation, since every c a >= c^2.
    """
    a = np.subtract(x, z, out=np.empty_like(x))
    c = clip(a, -rho, rho, out=grad)
    row_dot(c, a, out=values)
    values -= 0.5 * row_dot(c, c)
    k = scale / rho
    if k != 1.0:
        values *= k
        if need_grad:
            c *= k


def hinge_rows(x, z, grad, values, scale, need_grad, margin: float, squared: bool = False) -> None:
    """Hinge: r = max(0, margin - x z); loss r (or r^2), gradient -z [r > 0] (or -2 z r).

    A NaN gradient ``[r > 0] * z`` is 0 * inf or 0 * NaN where the hinge is inactive: its slope is 0.
    """
    one_each = x.ndim == 1 and not squared  # one element per sample: r is the values themselves
    r = np.multiply(x, z, out=values if one_each else np.empty_like(x))
    np.subtract(margin, r, out=r)
    clip(r, 0, None, out=r)
    if squared:
        row_dot(r, r, out=values)
        if need_grad:
            np.multiply(r, z, out=grad)
            grad *= -2.0 * scale
    else:
        if not one_each:
            row_total(r, out=values)
        if need_grad:
            np.greater(r, 0, out=grad, casting="unsafe")
            grad *= z
            zero_nan(grad)
            grad *= -scale
    if scale != 1.0:
        values *= scale


def zero_nan(grad: np.ndarray) -> None:
    """Set the NaN of ``grad`` to 0 (the check is one sum over ``grad``)."""
    if not math.isfinite(np.add.reduce(grad, axis=None)):
        grad[np.isnan(grad)] = 0


def logit_rows(x, z, grad, values, scale, need_grad, signed: bool = False) -> None:
    """Binary cross-entropy of logits x against targets z: ``max(x, 0) - x z + log(1 + e)``, e = exp(-|x|).

    max(x, 0) - x z is x ([x >= 0] - z), one product per element; the gradient sigmoid(x) - z uses
    sigmoid(x) = max([x >= 0], e) / (1 + e), and w = 1 + e serves the log too, with log1p_unit's correction
    written out. ``signed``: z holds -1/1 labels, read as (z + 1) / 2. Constants are 0-d arrays of x's dtype:
    numpy converts a Python float anew on every call, which costs as much as a 1,000-element loop.
    """
    zero, half, one = _constants(x.dtype)
    if signed:
        z = np.add(z, one)
        z *= half
    e = np.abs(x)  # np.copysign(x, -1) would take one call, but it is not SIMD: 4x slower on big blocks
    np.negative(e, out=e)
    np.exp(e, out=e)
    h = np.greater_equal(x, zero, out=grad, casting="unsafe")  # [x >= 0] as 0/1, in the gradient buffer
    t = np.subtract(h, z)
    row_dot(x, t, out=values)
    w = np.add(e, one, out=t)
    soft = np.log(w)
    if need_grad:
        np.maximum(h, e, out=h)
        np.divide(h, w, out=h)
        h -= z
        if scale != 1.0:
            h *= scale
    w -= one  # exact, and so is e - (w - 1): see log1p_unit
    np.subtract(e, w, out=w)
    soft += w
    if values.ndim == soft.ndim:  # one element per sample
        values += soft
    else:
        values += row_total(soft)
    if scale != 1.0:
        values *= scale


@functools.cache
def _constants(dtype: np.dtype) -> tuple[np.ndarray, ...]:
    """0, 1/2 and 1 as 0-d arrays of ``dtype`` (float16 and longdouble inputs come here too)."""
    return tuple(np.full((), v, dtype) for v in (0.0, 0.5, 1.0))


def kl_rows(x, q, grad, values, w, need_grad, eps: float) -> None:
    """KLDiv from log-probabilities x: ``w sum q (log(q + eps) - x)``; gradient ``-w q``."""
    t = np.add(q, eps, out=np.empty_like(x))
    np.log(t, out=t)
    t -= x
    row_dot(t, q, out=values)
    values *= w
    if need_grad:
        np.multiply(q, -w, out=grad)


def softmax_ce_rows(x, labels, grad, values, scale, need_grad) -> None:
    """Sparse softmax cross-entropy on rows of logits x (rows, C) and class indices ``labels`` (rows,).

    With m the row maximum and S = sum exp(x - m): loss log S + m - x_label, gradient exp(x - m) / S minus
    one at the label. exp(x - m) is computed in the gradient buffer.
    """
    m = x.max(axis=1)
    np.subtract(x, m[:, None], out=grad)
    np.exp(grad, out=grad)
    total = row_total(grad)
    rows = np.arange(x.shape[0])
    np.log(total, out=values)
    values += m
    values -= x[rows, labels]
    if need_grad:
        np.divide(grad, total[:, None], out=grad)
        grad[rows, labels] -= 1
