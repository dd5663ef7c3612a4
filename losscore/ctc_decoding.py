"""What CTC says about where a label sits in time: best-path decoding and the alignment posteriors the app draws.

These share :mod:`losscore.sequence`'s input checks and its forward-backward recursion; they are kept apart
from the loss so that each module holds one job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._ctc_checks import (
    _PRED_LAYOUTS,
    _as_pred,
    _check_labels,
    _check_layout,
    _check_length,
    _check_lengths,
    _check_pred,
    _repeats,
    ctc_feasible,
)
from ._validation import check_finite
from .sequence import _ctc_core

__all__ = ["CTCAlignment", "ctc_alignment_posteriors", "ctc_alignments", "ctc_greedy_decode"]


def ctc_greedy_decode(pred: Any, pred_lengths: Any = None, layout: str = "NTC") -> list[list[int]]:
    """Best-path decoding: the most likely class at each step, repeats merged, blanks (class C-1) dropped.

    This is the label of the single most probable alignment, a fast approximation of the most probable label.
    ``pred`` may hold activations, probabilities or log-probabilities (only the argmax matters); steps at or
    after ``pred_lengths[n]`` (rounded to the nearest integer) are ignored.

    Shape:
        pred (N, T, C) for layout "NTC" or (T, N, C) for "TNC"; pred_lengths (N,). Returns N lists of ints.

    >>> blank = [0.0, 0.0, 1.0]
    >>> ctc_greedy_decode([[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], blank, [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    [[0, 0, 1]]
    """
    _check_layout(layout, "layout", _PRED_LAYOUTS)
    x, x_tnc = _check_pred(pred, layout)
    t_len, n, c = x_tnc.shape
    check_finite(x, "pred")
    best = np.argmax(x_tnc, axis=2).T  # (N, T)
    keep = best != c - 1
    keep[:, 1:] &= best[:, 1:] != best[:, :-1]
    if pred_lengths is not None:
        pred_len = _check_lengths(pred_lengths, "pred_lengths", n, t_len, "the number of time steps T")
        keep &= np.arange(t_len) < pred_len[:, None]
    return [best[i, keep[i]].tolist() for i in range(n)]


@dataclass(frozen=True)
class CTCAlignment:
    """Where one label sequence sits in time, according to CTC (see :func:`ctc_alignment_posteriors`).

    Attributes:
        extended_label: (2L+1,) the label with a blank before, between and after its symbols.
        state_posteriors: (T, 2L+1) probability that the alignment is in each extended-label state at each step;
            rows sum to 1 up to pred_length, rows after it are 0.
        class_posteriors: (T, C) the same spread onto classes (the blank states onto class C-1).
        softmax: (T, C) the network's per-step class probabilities (0 after pred_length).
        log_likelihood: log p(label | pred); -inf if infeasible.
        feasible: whether the label fits in pred_length steps; if not, the posteriors are all 0.
        blank: the blank class, C-1.
    """

    extended_label: np.ndarray
    state_posteriors: np.ndarray
    class_posteriors: np.ndarray
    softmax: np.ndarray
    log_likelihood: float
    feasible: bool
    blank: int


def ctc_alignment_posteriors(
    pred: Any, label: Any, pred_length: Any = None, label_length: Any = None
) -> CTCAlignment:
    r"""Posterior probability of each alignment state at each time step, for ONE sequence.

    :math:`\gamma_t(s) = \alpha_t(s)\,\beta_t(s) / (y_t(l'_s)\, p(\text{label}))` is the probability, over all
    alignments of the label weighted by their likelihood, that step t emits extended-label state s. The
    per-class posteriors sum the states of each class; ``softmax - class_posteriors`` is the CTC gradient.
    :func:`ctc_alignments` does the same for a batch in one pass.

    Args:
        pred: (T, C) activations; the blank is class C-1.
        label: 1-D class indices, padded with -1 unless ``label_length`` is given.
        pred_length: number of valid steps (default T).
        label_length: number of label entries to use (default: up to the first -1).

    Uniform scores, 3 steps, label [0, 1]: 5 of the 27 paths collapse to it, each with probability 1/27.

    >>> a = ctc_alignment_posteriors(np.zeros((3, 3)), [0, 1])
    >>> a.extended_label.tolist(), a.feasible, round(a.log_likelihood, 4), round(float(np.log(5 / 27)), 4)
    ([2, 0, 2, 1, 2], True, -1.6864, -1.6864)
    >>> a.state_posteriors.sum(axis=1).round(6).tolist()
    [1.0, 1.0, 1.0]
    """
    x = _as_pred(pred)
    if x.ndim != 2:
        raise ValueError(f"pred must be 2-D (T, C) for one sequence; got shape {x.shape}")
    check_finite(x, "pred")
    t_len, c = x.shape
    labels, lab_len = _check_labels(label, label_length, 1, t_len, c, "NT", single=True)
    pred_len = np.full(1, t_len, dtype=np.intp)
    if pred_length is not None:
        pred_len = _check_length(pred_length, "pred_length", t_len, "the number of time steps T")
    return _alignments(x[:, None, :], labels, lab_len, pred_len)[0]


def ctc_alignments(
    pred: Any, label: Any, pred_lengths: Any = None, label_lengths: Any = None
) -> list[CTCAlignment]:
    r""":func:`ctc_alignment_posteriors` for N sequences at once (one forward-backward pass for the batch).

    Args:
        pred: (N, T, C) activations; the blank is class C-1.
        label: (N, W) class indices, each row padded with -1 unless ``label_lengths`` is given.
        pred_lengths: (N,) valid steps of each sequence (default T).
        label_lengths: (N,) label entries to use in each row (default: up to the row's first -1).

    Returns one :class:`CTCAlignment` per sequence, the same as :func:`ctc_alignment_posteriors` of each.

    >>> a, b = ctc_alignments(np.zeros((2, 3, 3)), [[0, 1], [0, -1]], pred_lengths=[3, 2])
    >>> round(a.log_likelihood, 4), round(float(np.log(5 / 27)), 4), b.state_posteriors.shape
    (-1.6864, -1.6864, (3, 3))
    """
    x = _as_pred(pred)
    if x.ndim != 3:
        raise ValueError(f"pred must be 3-D (N, T, C); got shape {x.shape}")
    check_finite(x, "pred")
    n, t_len, c = x.shape
    labels, lab_len = _check_labels(label, label_lengths, n, t_len, c, "NT")
    pred_len = np.full(n, t_len, dtype=np.intp)
    if pred_lengths is not None:
        pred_len = _check_lengths(pred_lengths, "pred_lengths", n, t_len, "the number of time steps T")
    return _alignments(x.transpose(1, 0, 2), labels, lab_len, pred_len)


def _alignments(
    x_tnc: np.ndarray, labels: np.ndarray, lab_len: np.ndarray, pred_len: np.ndarray
) -> list[CTCAlignment]:
    """The posteriors of checked inputs: ``x_tnc`` (T, N, C), ``labels`` (N, W), lengths (N,)."""
    t_len, n, c = x_tnc.shape
    feasible = ctc_feasible(lab_len, _repeats(labels, lab_len), pred_len)
    width = int(lab_len.max(initial=0))
    core = _ctc_core(x_tnc, labels[:, :width], lab_len, pred_len, feasible, True)
    assert core.softmax is not None and core.gamma is not None and core.occupancy is not None  # posteriors=True
    out = []
    for i in range(n):
        length = int(lab_len[i])
        ext = np.full(2 * length + 1, c - 1, dtype=np.intp)
        ext[1::2] = labels[i, :length]
        softmax = core.softmax[:, i].copy()
        if feasible[i]:
            states = core.gamma[i, :, :2 * length + 1].copy()
            classes = core.occupancy[i]  # a fresh array (not scratch): views of it stay valid
            loglik = float(core.log_likelihood[i])
        else:
            states = np.zeros((t_len, 2 * length + 1), dtype=x_tnc.dtype)
            classes = np.zeros((t_len, c), dtype=x_tnc.dtype)
            loglik = -np.inf
        out.append(CTCAlignment(ext, states, classes, softmax, loglik, bool(feasible[i]), c - 1))
    return out
