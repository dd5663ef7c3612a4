"""Sequence losses: CTCLoss (connectionist temporal classification) and its lattice recursion.

CTC scores an unsegmented label sequence against per-time-step class scores by summing over every alignment
of the label to the time steps. The recursion runs in probability space, rescaled as it goes, when its result
can be checked and trusted, and otherwise in log space, where long sequences and extreme activations stay finite.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._base import Loss
from ._ctc_checks import (
    _LABEL_LAYOUTS,
    _PRED_LAYOUTS,
    _check_labels,
    _check_layout,
    _check_lengths,
    _check_pred,
    _repeats,
    ctc_feasible,
)
from ._validation import as_float_array, check_finite

__all__ = ["CTCLoss", "ctc_feasible"]

# A large negative number stands for log(0) inside the recursion: unlike -inf it never produces NaN
# (-inf - -inf) and needs no masks. Unreachable lattice cells drift down by at most _NEG per time step, so
# float32 stays finite for any T below ~1e8.
_NEG = -1e30

_RENORM_EVERY = 16  # steps between two re-centrings of the lattice rows (see _ctc_core)
_RESCALE_EVERY = 4  # steps between two rescalings of the rows in probability space (see _in_probability_space)
_SMALL_LATTICE = 160  # up to this many lattice cells per step, log space directly (see _ctc_core)
#: How far the state posteriors of a valid step may sum from 1 before the probability-space pass is not trusted
#: (float32 rounding over thousands of steps stays far below it; lost mass that matters does not).
_POSTERIOR_TOL = {"f": 1e-4, "d": 1e-9}
_SAFE_EXP = {"f": 40.0, "d": 300.0}  # |activations| below this: exp needs no shift (float32, float64)

# ---------------------------------------------------------------------------------------------------------
# The forward-backward core
# ---------------------------------------------------------------------------------------------------------
# Lattice layout. Sequence n's extended label l' has S_n = 2 L_n + 1 states (blank, l_1, blank, ..., blank);
# the batch is padded to S = 2 max(L) + 1. Each sequence gets W = S + 3 cells: two pads, one "virtual" state,
# then the S states, and the H * N sequences sit side by side in ONE flat, contiguous row per time step. The
# recursion alpha_t(f) = G_t(f) + lse(alpha_{t-1}(f), alpha_{t-1}(f-1), alpha_{t-1}(f-2) + skip(f)) then
# updates every cell from index 2 on with a handful of whole-row numpy calls. The pads emit log 0, so they stay
# (about) log 0 and separate the sequences. The H * N sequences are:
#   0..N-1   alpha, forward in time; the virtual state is the start (0 at t = -1, log 0 after), so the
#            first step needs no special case;
#   N..2N-1  beta, computed as the alpha of the reversed problem: time runs from T-1 down to 0 and the states
#            are stored in reverse order, so the same shifts apply. A virtual state E sits just before the
#            reversed l' and emits log 1 at times t >= pred_length, which delays the start of each sequence's
#            backward pass to its own last step.
# The emissions G of both halves come from one np.take on a (T, K) source whose rows hold the log-softmax of
# every sequence, the same reversed in time for the backward half, one log 0 column (virtual states, pads,
# padding) and one column per sequence for E. The posteriors are then exp(alpha + pre-emission beta - log p),
# spread onto classes with a one-hot matmul. In probability space (_in_probability_space) the same layout holds
# exp(alpha) and so on: the sums become additions, the emissions products.


@dataclass(frozen=True)
class _Plan:
    """Label-dependent index arrays, cached: they only change when the labels do."""

    S: int
    idx: np.ndarray  # (H*N*(S+3),) column of the emission source that feeds each lattice cell
    links: np.ndarray  # (3, H*N*(S+3) - 2) bool: which predecessors (two states back, one, the same) feed cells 2..
    skip: np.ndarray  # links[0] as 1 or 0, the factor of the skip predecessor in probability space
    init: np.ndarray  # (H*N*(S+3),): the lattice at t = -1
    onehot: np.ndarray  # (N, S, C): state -> class


_PLAN_CACHE: OrderedDict[tuple, _Plan] = OrderedDict()
_PLAN_CACHE_SIZE = 32
_PLAN_KEEP_BYTES = 4 * 2**20  # larger plans are not cached
_PLAN_LOCK = threading.Lock()


def _make_plan(labels: np.ndarray, lengths: np.ndarray, n_classes: int, halves: int, dtype: np.dtype) -> _Plan:
    n, width = labels.shape
    c = n_classes
    s_max = 2 * width + 1
    s_len = 2 * lengths + 1
    states = np.arange(s_max)
    ext = np.full((n, s_max), c, dtype=np.intp)
    ext[:, 0::2] = c - 1
    ext[:, 1::2] = labels
    ext[states >= s_len[:, None]] = c

    cls = np.full((halves, n, s_max + 1), c, dtype=np.intp)
    cls[0, :, 1:] = ext
    skip = np.zeros((halves, n, s_max + 1), dtype=bool)
    k = np.arange(width)
    # forward: a label state may be entered from two states back unless it repeats the previous label
    fwd = k < lengths[:, None]
    fwd[:, 1:] &= labels[:, 1:] != labels[:, :-1]
    skip[0, :, 2::2] = fwd
    if halves == 2:
        cls[1, :, 1:] = ext[:, ::-1]
        cls[1, np.arange(n), s_max - s_len] = c + 1
        # backward: label k may be left by skipping the next blank unless label k+1 repeats it
        bwd = k < lengths[:, None]
        bwd[:, :-1] &= (labels[:, :-1] != labels[:, 1:]) | (k[1:] == lengths[:, None])
        skip[1, :, 1:][:, ::-1][:, 1::2] = bwd
    # The two pad columns are lattice cells too (the lattice is one flat row): they emit log 0.
    cls = np.concatenate([np.full((halves, n, 2), c, dtype=np.intp), cls], axis=2)
    skip = np.concatenate([np.zeros((halves, n, 2), dtype=bool), skip], axis=2)
    # positions in one row of the emission source: [half 0: N*C | half 1: N*C | log 0 | E of each sequence]
    offsets = (np.arange(halves)[:, None, None] * n + np.arange(n)[None, :, None]) * c
    idx = np.where(cls < c, cls + offsets, halves * n * c + np.where(cls == c, 0, 1 + np.arange(n)[:, None]))
    idx = idx.ravel()

    links = np.ones((3, skip.size - 2), dtype=bool)
    links[0] = skip.ravel()[2:]
    init = np.full((halves * n, s_max + 3), _NEG, dtype=dtype)
    init[:n, 2] = 0.0
    if halves == 2:
        init[n + np.arange(n), s_max - s_len + 2] = 0.0
    init = init.ravel()
    onehot = (ext[:, :, None] == np.arange(c)).astype(dtype)
    skip_factor = links[0].astype(dtype)
    for a in (idx, links, skip_factor, init, onehot):
        a.flags.writeable = False
    return _Plan(s_max, idx, links, skip_factor, init, onehot)


def _get_plan(labels: np.ndarray, lengths: np.ndarray, n_classes: int, halves: int, dtype: np.dtype) -> _Plan:
    key = (labels.shape, labels.tobytes(), lengths.tobytes(), n_classes, halves, dtype.char)
    with _PLAN_LOCK:
        plan = _PLAN_CACHE.get(key)
        if plan is not None:
            _PLAN_CACHE.move_to_end(key)
            return plan
    plan = _make_plan(labels, lengths, n_classes, halves, dtype)
    if sum(a.nbytes for a in (plan.idx, plan.links, plan.skip, plan.init, plan.onehot)) <= _PLAN_KEEP_BYTES:
        with _PLAN_LOCK:
            _PLAN_CACHE[key] = plan
            while len(_PLAN_CACHE) > _PLAN_CACHE_SIZE:
                _PLAN_CACHE.popitem(last=False)
    return plan


@dataclass
class _CoreResult:
    log_likelihood: np.ndarray  # (N,), meaningful where feasible
    softmax: np.ndarray | None  # (T, N, C), 0 at t >= pred_length
    gamma: np.ndarray | None  # (N, T, S): state posteriors
    occupancy: np.ndarray | None  # (N, T, C) fresh: class posteriors (gamma spread onto classes)


def _emission_source(x: np.ndarray, pred_len: np.ndarray, halves: int, posteriors: bool
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The emission source, one row per step: log-softmax (forward half), the same reversed in time (backward
    half), a log 0 column and the virtual end states E; and the softmax (kept only with ``posteriors``)."""
    t_len, n, c = x.shape
    dt = x.dtype
    nc = n * c
    src = np.empty((t_len, halves * nc + 1 + (n if halves == 2 else 0)), dt)
    src[:, halves * nc] = _NEG
    lp = src[:, :nc].reshape(t_len, n, c)
    # the softmax is kept in pred's own memory order, so that exp and the final gradient run on contiguous data
    ntc = not x.flags.c_contiguous and x.transpose(1, 0, 2).flags.c_contiguous
    sm_mem = np.empty((n, t_len, c) if ntc else (t_len, n, c), dt)
    sm = sm_mem.transpose(1, 0, 2) if ntc else sm_mem
    # exp(x) cannot overflow or underflow while |x| stays below _SAFE_EXP; otherwise shift each row by its max
    bound = _SAFE_EXP[dt.char]
    shift = None if t_len == 0 or (x.max() < bound and x.min() > -bound) else x.max(axis=2)
    if shift is None:
        np.exp(x, out=sm)
    else:
        np.subtract(x, shift[:, :, None], out=sm)
        np.exp(sm, out=sm)
    # a row sum as a matmul: much faster than a reduction over a short axis
    total = np.matmul(sm_mem, np.ones(c, dtype=dt))
    if ntc:
        total = total.T
    if posteriors:
        np.divide(sm, total[:, :, None], out=sm)
    lse = np.log(total, out=total)
    if shift is not None:
        lse += shift
    np.subtract(x, lse[:, :, None], out=lp)
    late = None
    if pred_len.min(initial=t_len) < t_len:
        late = np.arange(t_len)[:, None] >= pred_len  # (T, N): steps past each sequence's end
        lp[late] = _NEG
        if posteriors:
            sm[late] = 0.0
    if halves == 2:
        np.copyto(src[:, nc:2 * nc], src[::-1, :nc])
        if late is None:
            src[:, 2 * nc + 1:] = _NEG
        else:
            np.copyto(src[:, 2 * nc + 1:], np.where(late[::-1], 0.0, _NEG))
    return src, sm


def _predecessors(lat: np.ndarray) -> np.ndarray:
    """view[t, k, f] = lat[t, f + k]: the predecessors of cell f + 2 (np.ndarray: 4x cheaper than as_strided)."""
    item = lat.itemsize
    return np.ndarray((lat.shape[0], 3, lat.shape[1] - 2), lat.dtype, lat, 0, (lat.strides[0], item, item))


def _run_lattice(plan: _Plan, emit: np.ndarray, hn: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The recursion alpha_t(f) = G_t(f) + lse(alpha_{t-1}(f), alpha_{t-1}(f-1), alpha_{t-1}(f-2) if linked) in log
    space, exact whatever the activations: small lattices take it, larger ones when probability space fails.
    One flat row of H*N*W cells per step; cells 2.. are computed at once from the three cells before each; the
    pad cells between sequences emit log 0, so they stay (about) log 0 themselves.

    Returns the lattice (T+1, H*N, W), the pre-emission rows (T, H*N*W) and, per row, what the re-centring took
    out of it so far (T+1, H*N), in float64.
    """
    t_len, flat = emit.shape
    dt = emit.dtype
    lat = np.empty((t_len + 1, flat), dt)
    lat[:, :2] = _NEG
    np.copyto(lat[0], plan.init)
    # pre[t] = the lattice at t before the emission at t is added (beta without y_t, for the posteriors)
    pre = np.empty((t_len, flat), dt)
    lat3 = lat.reshape(t_len + 1, hn, flat // hn)
    add, subtract, lse, links = np.add, np.subtract, np.logaddexp.reduce, plan.links
    # Every _RENORM_EVERY steps each sequence's row is shifted so that its max is 0 and the shift is kept in
    # float64: float32 log-probabilities then stay small and precise however long the sequence is.
    shift_at = np.zeros((t_len + 1, hn))
    steps = zip(_predecessors(lat)[:t_len], pre[:, 2:], emit[:, 2:], lat[1:, 2:], strict=True)
    for t, (window, before, emission, row) in enumerate(steps):
        lse(window, axis=0, out=before, initial=-np.inf, where=links)  # an unlinked skip stays out of the sum
        add(before, emission, row)
        if t % _RENORM_EVERY == _RENORM_EVERY - 1:
            rows = lat3[t + 1, :, 2:]
            top = rows.max(axis=1)
            top[top < 0.5 * _NEG] = 0.0  # a row with nothing reachable keeps its log 0s
            subtract(rows, top[:, None], rows)
            shift_at[t + 1] = top
    return lat3, pre, np.add.accumulate(shift_at, axis=0)


@np.errstate(all="ignore")  # what underflows or overflows here fails the check below
def _in_probability_space(plan: _Plan, emit: np.ndarray, sm: np.ndarray | None, n: int, pred_len: np.ndarray,
                          feasible: np.ndarray) -> _CoreResult | None:
    """The forward-backward pass with probabilities instead of their logs, or None where it cannot be trusted.
    The posteriors are returned with the softmax ``sm`` (None: the log-likelihoods alone).

    Each step is then a few additions and products (no exp or log in the loop), and each sequence's row is
    divided by its sum, kept in float64 as a log offset. A cell that falls more than the dtype's range below its
    row underflows to 0; when that loses mass that matters (extreme activations, tight alignments) the state
    posteriors of some step no longer sum to 1, which is checked for every valid step: the caller then runs the
    log-space lattice, exact in every case.
    """
    t_len, flat = emit.shape
    dt = emit.dtype
    hn = 2 * n
    width = flat // hn
    s_max = plan.S
    prob = np.exp(emit)  # the emissions as probabilities; log 0 gives 0
    lat = np.empty((t_len + 1, flat), dt)
    np.exp(plan.init, out=lat[0])
    lat[1:, :2] = 0.0
    pre = np.empty((t_len, flat), dt)
    lat3 = lat.reshape(t_len + 1, hn, width)
    sums = np.ones((t_len + 1, hn, 1), dt)
    a = np.empty(flat - 2, dt)
    tiny = np.full((), np.finfo(dt).tiny, dt)  # the sum of a row with nothing left in it (0 / tiny = 0)
    add, multiply, divide, maximum, add_reduce = np.add, np.multiply, np.divide, np.maximum, np.add.reduce
    skip = plan.skip
    steps = zip(_predecessors(lat)[:t_len], pre[:, 2:], prob[:, 2:], lat[1:, 2:], lat3[1:], sums[1:], strict=True)
    for t, (window, before, emission, row, rows, total) in enumerate(steps):
        multiply(window[0], skip, a)
        add(a, window[1], a)
        add(a, window[2], before)
        multiply(before, emission, row)
        if t % _RESCALE_EVERY == _RESCALE_EVERY - 1:  # (a row loses a factor of about C a step in between)
            add_reduce(rows, 1, None, total, True)  # type: ignore[call-overload]  # positional at run time
            maximum(total, tiny, out=total)
            divide(rows, total, rows)
    offset = np.log(sums[:, :, 0], dtype=np.float64)
    np.add.accumulate(offset, axis=0, out=offset)
    loglik = np.log(lat3[t_len, n:, s_max + 2] + lat3[t_len, n:, s_max + 1], dtype=np.float64)  # infeasible: -inf
    loglik += offset[t_len, n:]
    # gamma_t(s) = alpha_t(s) beta_t(s) / (y_t(l'_s) p), as in _ctc_core, with the offsets in one factor per row
    gamma = np.multiply(lat3[1:, :n, 3:], pre.reshape(t_len, hn, width)[::-1, n:, s_max + 2:2:-1])
    correction = offset[1:, :n] + offset[t_len - 1::-1, n:]
    correction -= np.where(np.isfinite(loglik), loglik, 0.0)
    gamma *= np.exp(correction).astype(dt)[:, :, None]
    valid = (np.arange(t_len)[:, None] < pred_len) & feasible
    if not np.all(np.abs(gamma.sum(axis=2) - 1) <= _POSTERIOR_TOL[dt.char], where=valid):
        return None
    if sm is None:
        return _CoreResult(loglik, None, None, None)
    gamma_ntc = gamma.transpose(1, 0, 2)
    return _CoreResult(loglik, sm, gamma_ntc, np.matmul(gamma_ntc, plan.onehot))


def _ctc_core(
    x: np.ndarray, labels: np.ndarray, lab_len: np.ndarray, pred_len: np.ndarray, feasible: np.ndarray,
    posteriors: bool,
) -> _CoreResult:
    """Log-likelihoods of the labels; with ``posteriors`` also the softmax and the alignment posteriors.

    ``x`` is (T, N, C) activations; ``labels`` (N, W) valid class indices up to ``lab_len``; ``feasible`` from
    :func:`ctc_feasible`.
    """
    t_len, n, c = x.shape
    # Larger lattices go through probability space (the log-space recursion is the exact fallback); it needs both
    # halves for its check, so a loss without gradient runs them too.
    linear = 2 * n * (2 * labels.shape[1] + 4) - 2 > _SMALL_LATTICE
    halves = 2 if posteriors or linear else 1
    plan = _get_plan(labels, lab_len, c, halves, x.dtype)
    s_max = plan.S
    hn = halves * n
    src, sm = _emission_source(x, pred_len, halves, posteriors)
    width = s_max + 3
    emit = np.empty((t_len, hn * width), x.dtype)
    np.take(src, plan.idx, axis=1, out=emit, mode="wrap")  # the indices are in range; "wrap" skips checks
    if linear:
        core = _in_probability_space(plan, emit, sm if posteriors else None, n, pred_len, feasible)
        if core is not None:
            return core
    lat3, pre, offset = _run_lattice(plan, emit, hn)

    if halves == 1:
        rows = np.arange(n)
        end = 2 * lab_len + 3  # column of the last blank (state s sits in column s + 3)
        loglik = np.logaddexp(lat3[pred_len, rows, end], lat3[pred_len, rows, end - 1]) + offset[pred_len, rows]
        return _CoreResult(loglik, None, None, None)
    # beta at t = 0 sits in the last lattice row; columns S+2 and S+1 are states 0 and 1
    loglik = np.logaddexp(lat3[t_len, n:, s_max + 2], lat3[t_len, n:, s_max + 1]) + offset[t_len, n:]
    if not posteriors:
        return _CoreResult(loglik, None, None, None)
    # gamma_t(s) = alpha_t(s) beta_t(s) / (y_t(l'_s) p): alpha_t includes y_t, the pre-emission beta does not.
    # pre[T-1-t] is in the frame of lattice row T-1-t; the row offsets and log p cancel in float64 first.
    gamma = np.empty((t_len, n, s_max), x.dtype)
    pre3 = pre.reshape(t_len, hn, width)
    np.add(lat3[1:, :n, 3:], pre3[::-1, n:, s_max + 2:2:-1], out=gamma)
    correction = offset[1:, :n] + offset[t_len - 1::-1, n:] if t_len else np.zeros((0, n))
    correction -= np.where(loglik > 0.5 * _NEG, loglik, 0.0)
    gamma += correction.astype(x.dtype)[:, :, None]
    np.exp(gamma, out=gamma)
    gamma_ntc = gamma.transpose(1, 0, 2)
    occupancy = np.matmul(gamma_ntc, plan.onehot)
    return _CoreResult(loglik, sm, gamma_ntc, occupancy)


# ---------------------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------------------
class CTCLoss(Loss):
    r"""Connectionist temporal classification loss: the negative log-likelihood of a label sequence.

    With :math:`y_t = \operatorname{softmax}(\text{pred}_t)` over the C classes (the last one, C-1, is the
    blank) and :math:`\mathcal{B}` the map that merges repeated symbols and then drops blanks,

    .. math:: \ell_n = -\log \sum_{\pi:\ \mathcal{B}(\pi) = \text{label}_n}\ \prod_{t < T_n} y_t(\pi_t)

    summed over every path :math:`\pi` of length :math:`T_n` (``pred_lengths``, default T). It is computed
    with the forward-backward recursion in log space. Output: :math:`w\, s_n\, \ell_n` per sequence, with no
    mean and no length normalisation. Gradient w.r.t. the activations:
    :math:`w\, s_n\,(y_t(k) - \sum_{s:\ l'_s = k} \gamma_t(s))`, with :math:`\gamma_t(s)` the posterior of
    lattice state s at step t, and 0 at steps :math:`t \ge T_n`.

    Labels are padded with -1: a row's length is the position of its first -1 and anything after it is
    ignored, unless ``label_lengths`` is given (then the first ``label_lengths[n]`` entries are used as
    they are). Lengths are rounded to the nearest integer like MXNet (4.7 -> 5).

    Differences from MXNet 1.9.1, which returns garbage, crashes or fails in these cases:

    - a label that cannot fit (its length plus its adjacent repeats exceeds the sequence length) gives loss
      +inf whatever its weight, and gradient 0 (MXNet: loss 0 and an uninitialised gradient);
      :meth:`feasible` tells which ones;
    - a batch whose labels are all empty works, and so does a pred_length of 0 (an empty label then has
      loss 0); MXNet returns garbage for the first and inf or a crash for the second;
    - labels that are not whole numbers in [0, C-1) (including the blank C-1), lengths outside their range
      (MXNet crashes on a pred_length above T) and a sample_weight that is not one number per sequence raise
      a ValueError. MXNet rounds such labels, treats the blank as a symbol and broadcasts the weight to (N, N);
    - float64 works (MXNet's CTC operator only accepts float32 on the CPU).

    Args:
        layout: ``"NTC"`` (batch, time, classes) or ``"TNC"`` for pred.
        label_layout: ``"NT"`` or ``"TN"`` for label; the batch axis is where N is.
        weight: global scale w (None means 1).

    Shape:
        pred (N, T, C) or (T, N, C) activations (unnormalised); label (N, W) or (W, N) with W <= T;
        pred_lengths, label_lengths and sample_weight (N,). Output (N,), in pred's float dtype; the gradient
        has pred's shape.

    Example: three steps that strongly say "0, blank, 1" for the label [0, 1] (five alignments: 0-1, 001, 011,
    -01 and 01-, of total probability 0.656), then a batch of two with padding and uniform scores over 4 steps
    (15 and 10 of the 81 paths collapse to [0, 1] and to [1]).

    >>> loss = CTCLoss()
    >>> pred = np.log([[[0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1]]])
    >>> loss(pred, [[0, 1]]).round(4)
    array([0.4216])
    >>> values, grad = loss.value_and_grad(np.zeros((2, 4, 3), dtype=np.float32), [[0, 1], [1, -1]])
    >>> values.round(4), grad.shape
    (array([1.6864, 2.0919], dtype=float32), (2, 4, 3))
    >>> bool(np.allclose(values, -np.log([15 / 81, 10 / 81])))
    True
    """

    def __init__(self, layout: str = "NTC", label_layout: str = "NT", weight: float | None = None) -> None:
        self._layout = _check_layout(layout, "layout", _PRED_LAYOUTS)
        self._label_layout = _check_layout(label_layout, "label_layout", _LABEL_LAYOUTS)
        super().__init__(weight, label_layout.index("N"))

    @property
    def layout(self) -> str:
        return self._layout

    @property
    def label_layout(self) -> str:
        return self._label_layout

    def _params(self) -> dict[str, Any]:
        return {"layout": self._layout, "label_layout": self._label_layout, "weight": self._weight}

    def _prepare(self, pred, label, pred_lengths, label_lengths):
        x, x_tnc = _check_pred(pred, self._layout)
        t_len, n, c = x_tnc.shape
        labels, lab_len = _check_labels(label, label_lengths, n, t_len, c, self._label_layout)
        if pred_lengths is None:
            pred_len = np.full(n, t_len, dtype=np.intp)
        else:
            pred_len = _check_lengths(pred_lengths, "pred_lengths", n, t_len, "the number of time steps T")
        feasible = ctc_feasible(lab_len, _repeats(labels, lab_len), pred_len)
        return x, x_tnc, labels, lab_len, pred_len, feasible

    def feasible(self, pred: Any, label: Any, pred_lengths: Any = None, label_lengths: Any = None) -> np.ndarray:
        """Boolean (N,): which sequences' labels fit their inputs (the others get loss +inf).

        >>> CTCLoss().feasible(np.zeros((2, 3, 4)), [[0, 1, 2], [1, 1, 2]])
        array([ True, False])
        """
        return self._prepare(pred, label, pred_lengths, label_lengths)[-1]

    def _check_inputs_finite(self, args: tuple, kwargs: dict) -> None:
        # +inf is the legitimate loss of an infeasible label; only NaN/inf in pred or sample_weight is an error.
        for i, name in ((0, "pred"), (4, "sample_weight")):
            value = args[i] if len(args) > i else kwargs.get(name)
            if value is None:
                continue
            check_finite(np.asarray(value), name)

    def _forward(self, pred, label, pred_lengths=None, label_lengths=None, sample_weight=None, *, need_grad):
        x, x_tnc, labels, lab_len, pred_len, feasible = self._prepare(pred, label, pred_lengths, label_lengths)
        t_len, n, _ = x_tnc.shape
        dt = x.dtype
        scale = None
        if sample_weight is not None:
            s = as_float_array(sample_weight, "sample_weight", dtype=dt)
            if s.shape not in ((), (1,), (n,)):
                raise ValueError(
                    f"sample_weight must hold one weight per sequence: shape (N,) = ({n},) or a scalar; "
                    f"got shape {s.shape}"
                )
            scale = np.broadcast_to(s, (n,))
        if self._weight is not None:
            scale = np.full(n, self._weight, dtype=dt) if scale is None else scale * dt.type(self._weight)

        # Trim the labels' padding and the steps after the longest sequence: they cannot matter.
        width = int(lab_len.max(initial=0))
        t_used = int(pred_len.max(initial=0))
        core = _ctc_core(x_tnc[:t_used], labels[:, :width], lab_len, pred_len, feasible, bool(need_grad))
        all_feasible = feasible.all()  # (masked writes cost a few us each even when they write nothing)

        values = np.subtract(0.0, core.log_likelihood, dtype=dt)  # 0 - x: an empty label on 0 steps gives +0
        if scale is not None:
            values = values * scale
        if not all_feasible:
            values[~feasible] = np.inf
        grad = None
        if need_grad:
            occ = core.occupancy  # (N, t_used, C), fresh
            if self._layout == "NTC":
                np.subtract(core.softmax.transpose(1, 0, 2), occ, out=occ)
                if scale is not None:
                    occ *= scale[:, None, None]
                if not all_feasible:
                    occ[~feasible] = 0.0
                if t_used == t_len:
                    grad = occ
                else:
                    grad = np.zeros(x.shape, dtype=dt)
                    grad[:, :t_used] = occ
            else:
                grad = np.zeros(x.shape, dtype=dt) if t_used < t_len else np.empty(x.shape, dtype=dt)
                g = grad[:t_used]
                np.subtract(core.softmax, occ.transpose(1, 0, 2), out=g)
                if scale is not None:
                    g *= scale[:, None]
                if not all_feasible:
                    g[:, ~feasible] = 0.0
        return values, {"pred": grad}
