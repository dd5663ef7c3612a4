"""CTCLoss's input checks: layouts, score arrays, padded labels and lengths (shared by losscore.ctc_decoding),
each raising ValueError/TypeError that names the argument and what it expects; and which sequences can fit their
label at all (:func:`ctc_feasible`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_float_array, check_finite, describe

_PRED_LAYOUTS = ("NTC", "TNC")
_LABEL_LAYOUTS = ("NT", "TN")


# ---------------------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------------------
def _round_half_away(v: np.ndarray) -> np.ndarray:
    """C's lround, as MXNet applies to lengths: nearest integer, halves away from zero."""
    return np.copysign(np.floor(np.abs(v) + 0.5), v)


def _check_lengths(lengths: Any, name: str, n: int, high: int, what: str) -> np.ndarray:
    """Lengths of shape (n,), rounded to the nearest integer (MXNet's lround) and checked to lie in [0, high]."""
    v = as_float_array(lengths, name, dtype=np.float64, allow_empty=True)
    if v.shape != (n,):
        raise ValueError(f"{name} must have shape (N,) = ({n},), one length per sequence; got shape {v.shape}")
    check_finite(v, name)
    r = _round_half_away(v)
    bad = (r < 0) | (r > high)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{name} must lie in [0, {high}] ({what}) after rounding to the nearest integer; "
            f"got {v[i]:g} at index {i}"
        )
    return r.astype(np.intp)


def _check_length(length: Any, name: str, high: int, what: str) -> np.ndarray:
    """One sequence's length: a single number, returned as a (1,) array like :func:`_check_lengths`."""
    v = as_float_array(length, name, dtype=np.float64)
    if v.size != 1:
        raise ValueError(f"{name} must be a single number (one sequence); got shape {v.shape}")
    return _check_lengths(v.reshape(1), name, 1, high, what)


def _check_labels(
    label: Any,
    label_lengths: Any,
    n: int,
    t: int,
    n_classes: int,
    label_layout: str,
    single: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(labels (N, W) as intp with 0 beyond each length, lengths (N,))`` after checking everything.

    ``single``: the label is one 1-D sequence (and its length a scalar ``label_length``).
    """
    name = "label"
    lab = as_float_array(label, name, dtype=np.float64, allow_empty=True)
    if single:
        if lab.ndim != 1:
            raise ValueError(f"label must be 1-D (one sequence of class indices); got shape {lab.shape}")
        lab = lab[None, :]
    elif lab.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D ({'(N, L)' if label_layout == 'NT' else '(L, N)'} for label_layout "
            f"{label_layout!r}); got shape {lab.shape}"
        )
    if label_layout == "TN":
        lab = lab.T
    if lab.shape[0] != n:
        want = f"({n}, L)" if label_layout == "NT" else f"(L, {n})"
        raise ValueError(
            f"{name} must have shape {want} for label_layout {label_layout!r}: pred holds {n} sequences; "
            f"got shape {lab.T.shape if label_layout == 'TN' else lab.shape}"
        )
    width = lab.shape[1]
    if width > t:
        raise ValueError(
            f"{name} is {width} wide, but pred has only T={t} time steps: the padded label width must be <= T "
            f"(got label shape {lab.T.shape if label_layout == 'TN' else lab.shape[1:] if single else lab.shape})"
        )
    if label_lengths is None:  # each row up to its first -1
        used = np.logical_and.accumulate(lab != -1, axis=1)
        lengths = used.sum(axis=1, dtype=np.intp)
    else:
        lengths = (_check_length(label_lengths, "label_length", width, "the label width") if single
                   else _check_lengths(label_lengths, "label_lengths", n, width, "the label width"))
        used = np.arange(width) < lengths[:, None]
    labels = np.where(used, lab, 0)
    # with class 0 valid (the padding's 0 then is too): whole class indices (NaN fails the range), in a few calls
    if labels.max(initial=0) < n_classes - 1 and labels.min(initial=0) >= 0 and (labels == np.floor(labels)).all():
        return labels.astype(np.intp), lengths
    bad = used & ~((lab >= 0) & (lab < n_classes - 1) & (lab == np.floor(lab)))
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        where = f"[{j}]" if single else f"[{i}, {j}]" if label_layout == "NT" else f"[{j}, {i}]"
        until = "before the first -1" if label_lengths is None else "within the label length"
        raise ValueError(
            f"{name} entries {until} must be whole class indices in [0, {n_classes - 1}) "
            f"(class C-1 = {n_classes - 1} is the blank, -1 pads); got {lab[i, j]:g} at {name}{where}"
        )
    return labels.astype(np.intp), lengths


def _as_pred(pred: Any, name: str = "pred") -> np.ndarray:
    """pred as float32 or float64 (float16 is widened to float32, longer floats narrowed to float64)."""
    x = as_float_array(pred, name)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float32 if x.dtype.itemsize < 4 else np.float64)
    return x


def _check_pred(pred: Any, layout: str, name: str = "pred") -> tuple[np.ndarray, np.ndarray]:
    """Return ``(pred as a float array, the same data as a (T, N, C) view)``."""
    x = _as_pred(pred, name)
    if x.ndim != 3:
        raise ValueError(
            f"{name} must be 3-D ({', '.join(layout)}) for layout {layout!r}; got shape {x.shape}"
        )
    return x, (x if layout == "TNC" else x.transpose(1, 0, 2))


def _check_layout(layout: Any, name: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(layout, str) or layout not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {describe(layout)}")
    return layout


def _repeats(labels: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Number of adjacent equal pairs in each label (each forces one extra blank between them)."""
    if labels.shape[1] < 2:
        return np.zeros(labels.shape[0], dtype=np.intp)
    same = labels[:, 1:] == labels[:, :-1]
    same &= np.arange(1, labels.shape[1]) < lengths[:, None]
    return same.sum(axis=1)


def ctc_feasible(label_lengths: Any, repeats: Any, pred_lengths: Any) -> np.ndarray:
    """Which label sequences can be aligned to their inputs at all.

    A label of length L with R adjacent repeats needs at least L + R time steps (a blank must separate each
    repeated pair), so it is feasible exactly when ``L + R <= pred_length``. CTCLoss gives an infeasible
    sequence the loss +inf and a zero gradient.

    >>> ctc_feasible([3, 3, 0], [0, 1, 0], [3, 3, 0])
    array([ True, False,  True])
    """
    lab_len = np.asarray(label_lengths)
    return np.asarray(lab_len + np.asarray(repeats) <= np.asarray(pred_lengths))
