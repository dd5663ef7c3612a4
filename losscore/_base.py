"""The machinery every loss shares: the ``Loss`` base class, sample weighting and the per-sample reduction."""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._kernels import RowKernel, by_rows
from ._validation import as_float_array, check_batch_axis, check_finite, check_int, check_weight, pred_and_label

__all__ = [
    "ElementwiseLoss",
    "Loss",
    "prepare_sample_weight",
    "reduce_loss",
    "row_sum",
    "softmax_and_log_softmax",
]

Grads = dict[str, np.ndarray]


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
        self._batch_axis = check_int(batch_axis, "batch_axis")

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
        return self.value_and_grad(*args, wrt=(), **kwargs)[0]

    @np.errstate(all="ignore")  # as a decorator: half the cost of a with-block, which a curve-sized call notices
    def value_and_grad(self, *args: Any, wrt: str | Sequence[str] | None = None, **kwargs: Any):
        """Per-sample losses and the gradient of their sum with respect to ``wrt`` (default: the first input)."""
        names = self.grad_inputs[:1] if wrt is None else (wrt,) if isinstance(wrt, str) else tuple(wrt)
        for name in names if wrt is not None else ():
            if name not in self.grad_inputs:
                raise ValueError(
                    f"wrt must name one of {self.grad_inputs} for {type(self).__name__}; got {name!r}"
                )
        values, grads = self._forward(*args, need_grad=names, **kwargs)
        # v.v is non-finite whenever an entry of v is (and, harmlessly, when a huge one overflows): one cheap
        # call for the usual batch sizes (the BLAS dot product; longer ones sum). Only bad inputs then raise.
        v = values if values.ndim == 1 else values.reshape(-1)
        if not math.isfinite(v.dot(v) if v.size <= 8192 else np.add.reduce(v)):
            self._check_inputs_finite(args, kwargs)
        if wrt is None or isinstance(wrt, str):
            return values, grads[names[0]]
        return values, tuple(grads[n] for n in names)

    # -- internals --------------------------------------------------------------------------------------
    def _check_inputs_finite(self, args: tuple, kwargs: dict) -> None:
        """Name the input responsible for a non-finite result, if one of them holds NaN or inf."""
        try:
            bound = inspect.signature(self._forward).bind(*args, need_grad=(), **kwargs)
        except TypeError:  # pragma: no cover - _forward already accepted these arguments
            return
        for name, value in bound.arguments.items():
            if name == "need_grad" or value is None or isinstance(value, (str, bool)):
                continue
            check_finite(np.asarray(value), name)

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

    Subclasses implement ``_elementwise(pred, label, need_grad)``, the formula: the per-element loss and its
    derivative with respect to ``pred`` (both fresh arrays of pred's shape). The label is reshaped like pred;
    only the element count has to match.

    ``_kernel`` names the fused row kernel of ``_kernels`` that computes the same (see ``by_rows``) when there
    is no sample weight and pred is C-contiguous with the batch on its first axis; ``_elementwise`` covers
    every other input, and is the definition the tests hold the kernel to.
    """

    #: Factor applied on top of ``weight`` (L2Loss halves its squares this way, as Gluon does).
    _scale: float = 1.0
    #: The row kernel (a function of ``_kernels``), called with ``_kernel_params()`` after its arguments.
    _kernel: RowKernel | None = None
    #: Whether the kernel is costly enough per element (exp, log) to share large inputs between two threads.
    _parallel: bool = False

    def _kernel_params(self) -> tuple:
        return ()

    def _forward(self, pred, label, sample_weight=None, *, need_grad):
        pred, label = pred_and_label(pred, label)
        weight = self._scale * (1.0 if self._weight is None else self._weight)
        kernel = type(self)._kernel
        if sample_weight is None and kernel is not None:
            done = by_rows(kernel, pred, label, self._batch_axis, weight, True, bool(need_grad), self._parallel,
                           *self._kernel_params())
            if done is not None:
                return done[0], {"pred": done[1]}
        elem, delem = self._elementwise(pred, label, bool(need_grad))
        values, grad = reduce_loss(elem, delem, sample_weight, weight, self._batch_axis)
        return values, {"pred": grad}

    def _elementwise(self, pred: np.ndarray, label: np.ndarray, need_grad: bool):
        raise NotImplementedError
