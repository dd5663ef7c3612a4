"""Input checks shared by every loss.

Every public entry point turns its arguments into numpy arrays here, so a caller who passes the wrong thing
gets a ``TypeError`` or ``ValueError`` that names the argument, says what was expected and what was given.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "as_float_array",
    "check_broadcasts_to",
    "check_axis",
    "check_batch_axis",
    "check_finite",
    "check_int",
    "check_same_size",
    "check_weight",
    "describe",
    "float_dtype_of",
    "pred_and_label",
]


def describe(x: Any) -> str:
    """Short human description of a value for error messages."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:120]


def float_dtype_of(*arrays: Any) -> np.dtype:
    """The float dtype a computation runs in: float64 if any input is float64, else float32 (MXNet's default)."""
    for a in arrays:
        if isinstance(a, np.ndarray) and a.dtype == np.float64:
            return np.dtype(np.float64)
    return np.dtype(np.float32)


def as_float_array(x: Any, name: str, dtype: npt.DTypeLike | None = None, allow_empty: bool = False) -> np.ndarray:
    """Convert ``x`` (array, list, or number) to a float ndarray, raising a named error on bad input.

    float32 and float64 ndarrays keep their dtype unless ``dtype`` is given; integer and boolean arrays, lists
    and Python numbers become float32 (MXNet's default dtype).

    >>> as_float_array([1, 2], "label")
    array([1., 2.], dtype=float32)
    >>> as_float_array("abc", "label")
    Traceback (most recent call last):
    ...
    TypeError: label must be numeric (an array, a list of numbers or a number); got str 'abc'
    """
    if x is None:
        raise TypeError(f"{name} is required; got None")
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        arr = x
    else:
        if isinstance(x, (str, bytes)) or (
            not isinstance(x, (np.ndarray, numbers.Number, list, tuple)) and not hasattr(x, "__array__")
        ):
            raise TypeError(f"{name} must be numeric (an array, a list of numbers or a number); got {describe(x)}")
        try:
            arr = np.asarray(x)
        except ValueError as exc:  # ragged nested lists
            raise ValueError(f"{name} must be a rectangular array of numbers; got a ragged sequence ({exc})") from None
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be numeric (an array, a list of numbers or a number); got {describe(x)}")
        if not isinstance(x, np.ndarray) or arr.dtype.kind != "f" or arr.dtype.itemsize < 4:
            arr = arr.astype(np.float32)
    if dtype is not None and arr.dtype != dtype:
        arr = arr.astype(dtype)
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    return arr


def check_same_size(x: np.ndarray, name: str, like: np.ndarray, like_name: str = "pred") -> np.ndarray:
    """Reshape ``x`` to ``like``'s shape; only the element count has to match (as Gluon's ``_reshape_like``)."""
    if x.shape == like.shape:
        return x
    if x.size != like.size:
        raise ValueError(
            f"{name} must have as many elements as {like_name} (shape {like.shape}, {like.size} elements); "
            f"got shape {x.shape} with {x.size} elements"
        )
    return x.reshape(like.shape)


def pred_and_label(pred: Any, label: Any) -> tuple[np.ndarray, np.ndarray]:
    """``pred`` as a float array and ``label`` as one of its dtype and shape (only the element count must match).

    Float arrays of one dtype and shape, what the app passes, are returned as they are after one cheap test.
    """
    if (type(pred) is np.ndarray and type(label) is np.ndarray and pred.dtype.kind == "f"
            and label.dtype == pred.dtype and label.shape == pred.shape and pred.size):
        return pred, label
    x = as_float_array(pred, "pred")
    return x, check_same_size(as_float_array(label, "label", dtype=x.dtype), "label", x)


def check_broadcasts_to(x: np.ndarray, name: str, shape: tuple[int, ...], example: str = "") -> None:
    """Raise a ValueError unless ``x`` broadcasts to ``shape`` (pred's shape) without enlarging it."""
    try:
        fits = np.broadcast_shapes(x.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name} must broadcast to pred's shape {tuple(shape)}{example}; got shape {x.shape}")


def check_weight(weight: Any, name: str = "weight") -> float | None:
    """A global loss weight: a real number or None."""
    if weight is None:
        return None
    if isinstance(weight, np.ndarray) and weight.ndim == 0 and weight.dtype.kind in "iuf":
        weight = weight.item()  # a 0-d array is a number
    if isinstance(weight, (bool, np.bool_)) or not isinstance(weight, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number or None; got {describe(weight)}")
    w = float(weight)
    if not np.isfinite(w):
        raise ValueError(f"{name} must be finite; got {w}")
    return w


def check_int(value: Any, name: str) -> int:
    """An int argument such as an axis (numpy integers count; bools do not)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int; got {describe(value)}")
    return int(value)


def check_batch_axis(batch_axis: Any, ndim: int) -> int:
    """Normalise ``batch_axis`` against an input with ``ndim`` dimensions (a 0-d input has batch axis 0)."""
    batch_axis = check_int(batch_axis, "batch_axis")
    if not -ndim <= batch_axis < max(ndim, 1):
        raise ValueError(f"batch_axis={batch_axis} is out of range for pred with {ndim} dimension(s)")
    return batch_axis % max(ndim, 1)


def check_axis(axis: Any, ndim: int, name: str = "axis") -> int:
    """Normalise an ``axis`` of pred, which has ``ndim`` >= 1 dimensions."""
    axis = check_int(axis, name)
    if ndim == 0 or not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for pred with {ndim} dimension(s)")
    return axis % ndim


def check_finite(x: np.ndarray, name: str) -> None:
    """Raise a ValueError naming ``name`` and the first NaN or infinity of a float array ``x``, if it holds one.

    >>> check_finite(np.array([1.0, np.inf]), "label")
    Traceback (most recent call last):
    ...
    ValueError: label must be finite; got inf at index 1
    """
    if x.dtype.kind != "f" or np.isfinite(x).all():
        return
    idx = tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0]) if x.ndim else ()
    where = idx[0] if len(idx) == 1 else idx
    raise ValueError(f"{name} must be finite; got {x[idx]} at index {where}")
