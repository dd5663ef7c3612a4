"""The machinery every loss shares: the ``Loss`` base class, sample weighting and the per-sample reduction."""

from __future__ import annotations

import inspect
import math
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ._validation import as_float_array, check_batch_axis, check_same_size, check_weight, describe

__all__ = [
    "ElementwiseLoss",
    "Loss",
    "as_rows",
    "by_rows",
    "clip",
    "exp_neg_abs",
    "for_row_blocks",
    "neg_abs",
    "prepare_sample_weight",
    "reduce_loss",
    "row_dot",
    "row_sum",
    "row_total",
    "scratch",
    "softmax_and_log_softmax",
]

Grads = dict[str, np.ndarray]

# -- speed machinery ------------------------------------------------------------------------------------------
# Large inputs are processed in blocks of whole rows. Temporaries come from per-thread scratch buffers that live
# across calls: a fresh multi-megabyte temporary costs page faults on every call, often more than the arithmetic
# done in it. Kernels dominated by exp/log share their blocks between the calling thread and one pool thread
# (numpy releases the GIL inside its loops). Kernels made of cheap passes (subtract, clip, a dot product) stay on
# one thread: each numpy call takes the GIL back at its end, and with two threads those hand-overs (a
# sleeping thread takes tens of microseconds to wake) cost more than the second core gives.

#: Elements per block on one thread: big blocks mean fewer numpy calls, which is what counts there.
_BLOCK = 1 << 20
#: Elements per block when two threads share the work (four blocks or more per megaelement, to share out).
_BLOCK_PARALLEL = 1 << 18
#: Fewest blocks for two threads, so that a late start can be made up for.
_MIN_BLOCKS = 4
#: Below this many elements a second thread costs more than it saves.
_PARALLEL_MIN = 1 << 18
#: Temporaries up to this many elements are plain allocations (malloc recycles them for free); larger ones up
#: to _SCRATCH_KEEP come from the per-thread scratch buffers, still larger ones are allocated and dropped.
_SCRATCH_MIN = 1 << 14
_SCRATCH_KEEP = 1 << 20
#: From this many elements np.clip (fast loop, ~2 us of Python around it) beats np.maximum / np.minimum.
_CLIP_MIN = 1 << 13
#: Longest row summed by einsum / BLAS (einsum's sequential sums lose accuracy on longer rows, and OpenBLAS
#: would spread longer dot products over threads of its own, which then spin and compete with ours).
_EINSUM_ROW_MAX = 2048
#: Longest vector for the BLAS dot product in the finiteness check of Loss._evaluate.
_BLAS_ROW_MAX = 8192
#: Threads used for large inputs (the caller's thread included); set to 1 to keep everything on one thread.
THREADS = min(2, os.cpu_count() or 1)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_local = threading.local()


def _get_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=THREADS - 1, thread_name_prefix="losscore")
    return _pool


def _forget_pool() -> None:
    # A forked child inherits the pool object but not its thread: it must make its own.
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def scratch(slot: int, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialised C-contiguous temporary of ``shape``, reused between calls by the calling thread.

    Each ``slot`` is a separate buffer (slot 0 stands in for an unwanted gradient; kernels use 1, 2, ...); a
    kernel must not hand one out of the call, since results are fresh arrays.
    """
    n = 1
    for d in shape:
        n *= d
    if n <= _SCRATCH_MIN or n > _SCRATCH_KEEP:
        return np.empty(shape, dtype)
    bufs = getattr(_local, "bufs", None)
    if bufs is None:
        bufs = _local.bufs = {}
    key = (slot, np.dtype(dtype).char)
    buf = bufs.get(key)
    if buf is None or buf.size < n:
        buf = bufs[key] = np.empty(max(n, 1024), dtype)
    return buf[:n].reshape(shape)


def _run_blocks(fn: Callable[[int, int], None], blocks, lock: threading.Lock) -> None:
    # Take blocks one at a time from the shared iterator until none is left.
    while True:
        with lock:
            block = next(blocks, None)
        if block is None:
            return
        fn(*block)


def _run_blocks_worker(fn: Callable[[int, int], None], blocks, lock: threading.Lock) -> None:
    # The floating-point error state is per thread: the pool thread needs its own "ignore".
    with np.errstate(all="ignore"):
        _local.parallel = True
        try:
            _run_blocks(fn, blocks, lock)
        finally:
            _local.parallel = False


def for_row_blocks(fn: Callable[[int, int], None], n_rows: int, row_len: int, parallel: bool = False) -> None:
    """Call ``fn(start, stop)`` on consecutive blocks of rows covering ``range(n_rows)``.

    Blocks hold about ``_BLOCK`` elements (at least one row). With ``parallel`` and ``n_rows * row_len >=
    _PARALLEL_MIN``, blocks are smaller (``_BLOCK_PARALLEL``) and a pool thread takes them too: both threads
    draw the next block from a shared iterator, so a thread that starts late just does fewer of them. ``fn``
    must then only write to its own rows. An exception from either thread is raised once both have stopped.
    """
    if (not parallel or THREADS < 2 or n_rows < 2 or n_rows * row_len < _PARALLEL_MIN
            or getattr(_local, "parallel", False)):  # already sharing work: the pool thread may be this one
        step = max(1, _BLOCK // max(row_len, 1))
        for a in range(0, n_rows, step):
            fn(a, min(a + step, n_rows))
        return
    step = max(1, min(_BLOCK_PARALLEL // max(row_len, 1), -(-n_rows // _MIN_BLOCKS)))
    blocks = ((a, min(a + step, n_rows)) for a in range(0, n_rows, step))
    lock = threading.Lock()
    future = _get_pool().submit(_run_blocks_worker, fn, blocks, lock)
    _local.parallel = True
    try:
        _run_blocks(fn, blocks, lock)
    except BaseException:
        with lock:  # leave nothing for the pool thread
            for _ in blocks:
                pass
        raise
    finally:
        _local.parallel = False
        future.result()


def by_rows(kernel: Callable, x: np.ndarray, z: np.ndarray, scale: float, need_grad: bool, parallel: bool = False):
    """Run a row kernel ``kernel(x, z, grad, values, scale, need_grad)`` over rows from ``as_rows``, by blocks.

    Returns ``(values (N,), grad like x or None)``, both fresh. Without ``need_grad`` the kernel gets a
    temporary as ``grad``, which it may use as scratch space. ``parallel``: see ``for_row_blocks``.
    """
    n = x.shape[0]
    m = x.shape[1] if x.ndim == 2 else 1
    values = np.empty(n, x.dtype)
    grad = np.empty_like(x) if need_grad else None
    if n * m < (_PARALLEL_MIN if parallel else _BLOCK):  # one block: skip the block machinery
        kernel(x, z, grad if need_grad else scratch(0, x.shape, x.dtype), values, scale, need_grad)
        return values, grad

    def block(a: int, b: int) -> None:
        xb = x[a:b]
        g = grad[a:b] if need_grad else scratch(0, xb.shape, x.dtype)
        kernel(xb, z[a:b], g, values[a:b], scale, need_grad)

    for_row_blocks(block, n, m, parallel)
    return values, grad


def as_rows(x: np.ndarray, batch_axis: int) -> np.ndarray | None:
    """``x`` as C-contiguous rows, one per sample, or None if it needs the general path.

    The view is (N, M) with M elements per sample, or 1-D (N,) when each sample has a single element (a 1-D
    x, or a shape like (N, 1)). Only a C-contiguous ``x`` whose batch axis is its first axis qualifies.
    """
    ndim = x.ndim
    if ndim == 0 or not x.flags.c_contiguous or not -ndim <= batch_axis < ndim or batch_axis % ndim:
        return None
    n = x.shape[0]
    if ndim == 1:
        return x
    return x.reshape(n) if x.size == n else x.reshape(n, -1)


def clip(a: np.ndarray, lo: float, hi: float | None, out: np.ndarray) -> np.ndarray:
    """``np.clip(a, lo, hi, out=out)`` (``hi=None``: no upper bound), by the faster route for ``a``'s size."""
    if a.size >= _CLIP_MIN:
        return np.clip(a, lo, np.inf if hi is None else hi, out=out)
    np.maximum(a, lo, out=out)
    if hi is not None:
        np.minimum(out, hi, out=out)
    return out


def row_dot(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row-wise dot products of two (rows, k) arrays: ``(a * b).sum(axis=1)``, usually without the temporary.

    np.vecdot (BLAS) is the fastest, but it takes the GIL row by row: while another thread runs numpy code it
    crawls (30x slower measured) and stalls that thread too, so blocks on two threads use einsum. einsum sums
    each row sequentially, which is accurate to a few ulp only for short rows; long rows take the pairwise sum
    of the products (BLAS would also start threads of its own for them).
    """
    k = a.shape[1]
    if k > _EINSUM_ROW_MAX:
        return np.add.reduce(np.multiply(a, b), axis=1, out=out)
    if getattr(_local, "parallel", False):
        return np.einsum("ij,ij->i", a, b, out=out)
    return np.vecdot(a, b, out=out)


def row_total(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row sums of a (rows, k) array: einsum's loop for short rows (twice as fast as the pairwise sum)."""
    if a.shape[1] > _EINSUM_ROW_MAX:
        return np.add.reduce(a, axis=1, out=out)
    return np.einsum("ij->i", a, out=out)


_SIGN_BIT = {np.dtype(np.float32): (np.int32, np.int32(-(2**31))), np.dtype(np.float64): (np.int64, np.int64(-(2**63)))}


def neg_abs(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``-|x|`` into ``out`` in one pass (sets the sign bit; both C-contiguous float32 or float64)."""
    itype, bit = _SIGN_BIT[x.dtype]
    np.bitwise_or(x.view(itype), bit, out=out.view(itype))
    return out


_LOG2E = 1.0 / math.log(2.0)


def exp_neg_abs(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``exp(-|x|)``, in (0, 1], into ``out`` (a new array if None; otherwise x's shape).

    float32 goes through ``exp2(-|x| log2(e))``: numpy's float32 exp2 takes less than half the time of its exp
    here, and the extra product costs less than the difference. Rounding ``|x| log2(e)`` to float32 perturbs
    the result by at most about ``|x| * 6e-8`` relative (4e-6 at |x| = 88, below which exp(-|x|) is normal),
    well inside float32 loss tolerances. Other dtypes use exp directly.
    """
    if out is not None and x.dtype in _SIGN_BIT and x.flags.c_contiguous and out.flags.c_contiguous:
        neg_abs(x, out)
        factor = _LOG2E
    else:
        out = np.abs(x, out=np.empty_like(x) if out is None else out)  # an array even for a 0-d x
        factor = -_LOG2E
    if out.dtype == np.float32:
        out *= factor
        return np.exp2(out, out=out)
    if factor < 0:
        np.negative(out, out=out)
    return np.exp(out, out=out)


class Loss:
    """Base class of every loss: a callable that maps inputs to per-sample losses.

    ``loss(*args)`` returns the per-sample losses; ``loss.value_and_grad(*args, wrt="pred")`` returns
    ``(values, grad)`` where ``grad`` is the analytic derivative of ``values.sum()`` with respect to the input
    named by ``wrt`` (same shape as that input). ``wrt`` may be a tuple of input names; the gradient is then a
    tuple in that order. ``grad_inputs`` lists the names a loss accepts.

    Subclasses implement ``_forward(self, *inputs, need_grad)`` returning ``(values, {name: grad})``.
    """

    #: Names of the inputs a gradient can be asked for; the first one is the default.
    grad_inputs: tuple[str, ...] = ("pred",)

    def __init__(self, weight: float | None = None, batch_axis: int = 0) -> None:
        self._weight = check_weight(weight)
        if isinstance(batch_axis, (bool, np.bool_)) or not isinstance(batch_axis, (int, np.integer)):
            raise TypeError(f"batch_axis must be an int; got {describe(batch_axis)}")
        self._batch_axis = int(batch_axis)

    @property
    def weight(self) -> float | None:
        """Global scalar weight (None means 1)."""
        return self._weight

    @property
    def batch_axis(self) -> int:
        """The axis that indexes samples; the output has one value per entry along it."""
        return self._batch_axis

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({params})"

    def _params(self) -> dict[str, Any]:
        return {"weight": self._weight, "batch_axis": self._batch_axis}

    # -- public API -------------------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        values, _ = self._evaluate(args, kwargs, ())
        return values

    def value_and_grad(self, *args: Any, wrt: str | Sequence[str] | None = None, **kwargs: Any):
        """Per-sample losses and the gradient of their sum with respect to ``wrt`` (default: the first input)."""
        if wrt is None:
            wrt = self.grad_inputs[0]
        single = isinstance(wrt, str)
        names = (wrt,) if single else tuple(wrt)
        for name in names:
            if name not in self.grad_inputs:
                raise ValueError(
                    f"wrt must name one of {self.grad_inputs} for {type(self).__name__}; got {name!r}"
                )
        values, grads = self._evaluate(args, kwargs, names)
        if single:
            return values, grads[names[0]]
        return values, tuple(grads[n] for n in names)

    # -- internals --------------------------------------------------------------------------------------
    def _evaluate(self, args: tuple, kwargs: dict, need_grad: tuple[str, ...]) -> tuple[np.ndarray, Grads]:
        with np.errstate(all="ignore"):
            values, grads = self._forward(*args, need_grad=need_grad, **kwargs)
            # v.v is non-finite whenever an entry of v is (and, harmlessly, when a huge one overflows): one
            # call, where np.isfinite(v).all() takes two and a temporary. The check only raises for bad inputs.
            v = values.reshape(-1)
            finite = math.isfinite(np.dot(v, v) if v.size <= _BLAS_ROW_MAX else np.add.reduce(v))
        if not finite:
            self._check_inputs_finite(args, kwargs)
        return values, grads

    def _check_inputs_finite(self, args: tuple, kwargs: dict) -> None:
        """Name the input responsible for a non-finite result, if one of them holds NaN or inf."""
        try:
            bound = inspect.signature(self._forward).bind(*args, need_grad=(), **kwargs)
        except TypeError:  # pragma: no cover - _forward already accepted these arguments
            return
        for name, value in bound.arguments.items():
            if name == "need_grad" or value is None or isinstance(value, (str, bool)):
                continue
            arr = np.asarray(value)
            if arr.dtype.kind == "f" and not np.isfinite(arr).all():
                idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0]) if arr.ndim else ()
                raise ValueError(f"{name} must be finite; got {arr[idx]} at index {idx}")

    def _forward(self, *args: Any, need_grad: tuple[str, ...]) -> tuple[np.ndarray, Grads]:
        raise NotImplementedError


def prepare_sample_weight(
    sample_weight: Any, loss_shape: tuple[int, ...], batch_axis: int, dtype: np.dtype
) -> np.ndarray:
    """Check ``sample_weight`` against the per-element loss shape and return it ready to multiply.

    It must broadcast to ``loss_shape`` without enlarging it. A 1-D weight with one entry per sample weights
    samples (aligned on ``batch_axis``), even on a multi-dimensional loss; this is where losscore differs from
    MXNet, which would broadcast it along the last axis instead.
    """
    s = as_float_array(sample_weight, "sample_weight", dtype=dtype)
    ndim = len(loss_shape)
    n = loss_shape[batch_axis] if ndim else 1
    if s.ndim == 1 and ndim > 1 and s.shape[0] == n:
        shape = [1] * ndim
        shape[batch_axis] = n
        return s.reshape(shape)
    try:
        target = np.broadcast_shapes(s.shape, loss_shape)
    except ValueError:
        target = None
    if target != tuple(loss_shape):
        raise ValueError(
            f"sample_weight must broadcast to the per-element loss of shape {tuple(loss_shape)} "
            f"(e.g. ({n},) or ({n},{','.join(['1'] * (ndim - 1))}) per sample); got shape {s.shape}"
        )
    return s


def row_sum(x: np.ndarray, batch_axis: int) -> np.ndarray:
    """Sum over every axis except ``batch_axis``; a 1-D input is returned as it is (no copy)."""
    if x.ndim <= 1:
        return x.reshape(-1)
    if batch_axis == 0:
        return x.reshape(x.shape[0], -1).sum(axis=1)
    return x.sum(axis=tuple(a for a in range(x.ndim) if a != batch_axis))


def reduce_loss(
    elem: np.ndarray,
    delem: np.ndarray | None,
    sample_weight: Any,
    weight: float | None,
    batch_axis: int,
    mode: str = "mean",
) -> tuple[np.ndarray, np.ndarray | None]:
    """Weight a per-element loss and reduce it to one value per sample; scale its derivative to match.

    ``elem`` is the per-element loss l_i and ``delem`` the derivative of l_i with respect to the prediction
    (a shape that ``elem``'s shape broadcasts to, or None). Both must be temporaries owned by the caller:
    they are scaled in place. With s the sample weight, w the weight and M the number of elements per sample,

        mode "mean":  out_b = w / M * sum_{i in b} s_i l_i,     grad_i = w / M * s_i * dl_i
        mode "sum":   out_b = w * sum_{i in b} s_i l_i,         grad_i = w * s_i * dl_i

    Returns ``(values of shape (N,), grad)``.
    """
    batch_axis = check_batch_axis(batch_axis, elem.ndim)
    if sample_weight is not None:
        s = prepare_sample_weight(sample_weight, elem.shape, batch_axis, elem.dtype)
        elem *= s
        if delem is not None:
            delem *= s
    n = elem.shape[batch_axis] if elem.ndim else 1
    divisor = elem.size // n if mode == "mean" and n else 1
    scale = (1.0 if weight is None else weight) / divisor
    values = row_sum(elem, batch_axis)
    if scale != 1.0:
        values *= scale  # values may alias elem, which the caller handed over
        if delem is not None:
            delem *= scale
    return values, delem


def softmax_and_log_softmax(x: np.ndarray, axis: int, need_softmax: bool = True):
    """Numerically stable ``(softmax(x), log_softmax(x))`` along ``axis`` (softmax is None if not needed)."""
    m = x.max(axis=axis, keepdims=True)
    shifted = x - m
    e = np.exp(shifted)
    total = e.sum(axis=axis, keepdims=True)
    log_sm = shifted
    log_sm -= np.log(total)
    if not need_softmax:
        return None, log_sm
    e /= total
    return e, log_sm


class ElementwiseLoss(Loss):
    """A loss computed element by element from ``pred`` and ``label``, then averaged per sample.

    Subclasses implement ``_elementwise(pred, label, need_grad)`` returning the per-element loss and its
    derivative with respect to ``pred`` (both fresh arrays of pred's shape). The label is reshaped like pred;
    only the element count has to match.

    A subclass may also implement ``_rows(x, z, grad, values, scale, need_grad)``, the same computation
    fused with the per-sample mean: on a block of samples x, z of shape (rows, M), or (rows,) when a sample
    has one element, it writes ``scale * sum_j l(x_ij, z_ij)`` to ``values`` (rows,) and, when ``need_grad``,
    ``scale * dl/dx`` to ``grad`` (x's shape), where scale = weight / M. It is used when there is no sample
    weight and pred is C-contiguous with the batch on its first axis; ``_elementwise`` covers every other case.
    """

    #: Factor applied on top of ``weight`` (L2Loss halves its squares this way, as Gluon does).
    _scale: float = 1.0
    #: Set by subclasses that implement ``_rows``.
    _has_rows: bool = False
    #: Whether ``_rows`` is costly enough per element (exp, log) to share large inputs between two threads.
    _parallel: bool = False

    def _forward(self, pred, label, sample_weight=None, *, need_grad):
        pred = as_float_array(pred, "pred")
        label = check_same_size(as_float_array(label, "label", dtype=pred.dtype), "label", pred)
        weight = self._scale * (1.0 if self._weight is None else self._weight)
        if sample_weight is None and self._has_rows:
            x = as_rows(pred, self._batch_axis)
            if x is not None:
                scale = weight / (pred.size // x.shape[0])
                z = label if x is pred else label.reshape(x.shape)
                values, grad = by_rows(self._rows, x, z, scale, bool(need_grad), self._parallel)
                return values, {"pred": grad if x is pred or grad is None else grad.reshape(pred.shape)}
        elem, delem = self._elementwise(pred, label, bool(need_grad))
        values, grad = reduce_loss(elem, delem, sample_weight, weight, self._batch_axis)
        return values, {"pred": grad}

    def _elementwise(self, pred: np.ndarray, label: np.ndarray, need_grad: bool):
        raise NotImplementedError

    def _rows(self, x, z, grad, values, scale, need_grad) -> None:
        raise NotImplementedError
