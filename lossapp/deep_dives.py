"""The numbers behind the deep-dive views: CTC, triplet, cosine embedding, KL, Poisson NLL, SDML and softmax
cross-entropy, for losses that one loss-vs-prediction curve cannot explain.

Pure numpy on top of losscore, no Streamlit: every function takes plain values and returns plain data (arrays,
floats, dicts), so the pages (through the cached wrappers in :mod:`lossapp.views`), the figure builders in
:mod:`lossapp.deep_figures` and the tests all see the same numbers. Loss values and gradients always come from
losscore's own forward and backward; what is computed here is what losscore does not expose (the alignment
lattice, a per-step split of the CTC loss, geometry for the pictures, reference values such as lgamma).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from losscore import (
    CosineEmbeddingLoss,
    CTCLoss,
    KLDivLoss,
    PoissonNLLLoss,
    SDMLLoss,
    SoftmaxCrossEntropyLoss,
    TripletLoss,
    ctc_alignments,
    ctc_greedy_decode,
    stirling_log_factorial,
)

__all__ = [
    "BLANK",
    "BLANK_STATE",
    "CTC_PRESETS",
    "ctc_analyses",
    "ctc_analysis",
    "ctc_collapse",
    "ctc_lattice",
    "ctc_min_steps",
    "ctc_path",
    "ctc_preset_scores",
    "ctc_step_losses",
    "ctc_tokens",
    "ctc_vocabulary",
    "cosine_angle_view",
    "cosine_at",
    "kl_both_ways",
    "kl_rows",
    "log_softmax",
    "normalise",
    "normalise_rows",
    "poisson_at",
    "poisson_counts_view",
    "poisson_pmf",
    "sdml_view",
    "softmax_rows",
    "softmax_view",
    "stirling_table",
    "triplet_view",
]

# -- CTC ----------------------------------------------------------------------------------------------------------

#: The name of the blank class in tables and legends, and its symbol in the extended label and decodings.
BLANK = "blank"
BLANK_STATE = "·"

#: Preset activations of the CTC view: name -> what it shows.
CTC_PRESETS: dict[str, str] = {
    "aligned": "confident on one path that spells the word",
    "peaky": "each letter fires at one step, blank elsewhere",
    "uniform": "every class equally likely (knows nothing)",
    "random": "random activations",
    "edit": "type the activations yourself",
}


def ctc_vocabulary(word: str, extra: str = "") -> list[str]:
    """The classes of the toy network: the word's distinct letters and any extra letters, sorted, then the blank.

    >>> ctc_vocabulary("CAT"), ctc_vocabulary("CAT", "OG")
    (['A', 'C', 'T', 'blank'], ['A', 'C', 'G', 'O', 'T', 'blank'])
    """
    return [*sorted(set(word) | set(extra)), BLANK]


def ctc_tokens(word: str) -> list[int]:
    """The symbols a path must visit in order: positions in ``word``, with a blank (-1) between repeated letters.

    >>> ctc_tokens("CAT"), ctc_tokens("BOOK")
    ([0, 1, 2], [0, 1, -1, 2, 3])
    """
    tokens: list[int] = []
    for i, ch in enumerate(word):
        if i and word[i - 1] == ch:
            tokens.append(-1)
        tokens.append(i)
    return tokens


def ctc_min_steps(word: str) -> int:
    """The fewest time steps that can spell ``word``: one per letter plus one blank per pair of repeated letters.

    >>> ctc_min_steps("CAT"), ctc_min_steps("BOOK"), ctc_min_steps("")
    (3, 5, 0)
    """
    return len(ctc_tokens(word))


def _stretch(tokens: list[int], steps: int) -> list[int]:
    """Token index per step, the tokens spread evenly over ``steps`` (some are skipped if steps is too small)."""
    return [t * len(tokens) // steps for t in range(steps)] if tokens else []


def ctc_path(word: str, steps: int) -> list[int] | None:
    """A path of ``steps`` symbols (indices into the word, -1 for a blank) that collapses to ``word``, or None.

    The word's letters, with a blank between repeated letters, are stretched evenly over the steps.

    >>> ctc_path("CAT", 6)
    [0, 0, 1, 1, 2, 2]
    >>> ctc_path("OO", 3)
    [0, -1, 1]
    """
    tokens = ctc_tokens(word)
    if steps < len(tokens):
        return None
    return [tokens[i] for i in _stretch(tokens, steps)]


def ctc_preset_scores(word: str, vocab: list[str], steps: int, preset: str, strength: float,
                      seed: int) -> np.ndarray:
    """Activations (T, C) of a preset network for ``word`` over ``steps`` steps; the blank is the last class.

    * "aligned": ``strength`` on the class of one path that spells the word (letters stretched evenly), 0
      elsewhere;
    * "peaky": what trained CTC networks tend to do: each letter's class at one step (the middle of its
      stretch), the blank at every other step;
    * "uniform": all zero, so every class has probability 1/C at every step;
    * "random": normal noise of standard deviation ``strength`` from ``seed``.

    When the word needs more steps than there are, "aligned" and "peaky" skip letters, so the scores cannot
    spell it either.

    >>> ctc_preset_scores("CAT", ["A", "C", "T", "blank"], 4, "aligned", 2.0, 0).argmax(axis=1).tolist()
    [1, 1, 0, 2]
    >>> ctc_preset_scores("CAT", ["A", "C", "T", "blank"], 6, "peaky", 2.0, 0).argmax(axis=1).tolist()
    [1, 3, 0, 3, 2, 3]
    """
    c = len(vocab)
    blank = c - 1
    x = np.zeros((steps, c))
    if preset == "random":
        return np.random.default_rng(seed).normal(0.0, strength, size=(steps, c))
    if preset not in ("aligned", "peaky"):
        return x
    tokens = ctc_tokens(word)
    where = _stretch(tokens, steps)
    classes = [blank if tokens[i] < 0 else vocab.index(word[tokens[i]]) for i in where]
    if preset == "aligned":
        x[np.arange(steps), classes] = strength
        return x
    x[:, blank] = strength
    start = 0
    for t in range(1, steps + 1):  # one spike in the middle of each run of equal tokens
        if t == steps or where[t] != where[start]:
            mid = (start + t - 1) // 2
            x[mid, blank] = 0.0
            x[mid, classes[start]] = strength
            start = t
    return x


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(softmax(x)) computed with the maximum taken out (finite for any finite x)."""
    x = np.asarray(x, dtype=np.float64)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def ctc_lattice(ext: list[int] | np.ndarray, blank: int, steps: int, pred_length: int) -> dict[str, Any]:
    """The alignment lattice of an extended label: which (step, state) cells lie on a complete path, and its edges.

    A path starts in state 0 or 1 (the leading blank or the first symbol), may at each step stay, move to the
    next state, or skip one state when the skipped state is a blank between two different symbols, and must
    end in one of the last two states at step ``pred_length - 1``. ``valid[t, s]`` says whether some path
    passes through state s at step t; ``edges`` lists (t, s, s') for every allowed move t -> t + 1 between
    valid cells; ``skip[s]`` whether state s can be reached from s - 2. ``from_start`` and ``to_end`` are the
    cells reachable from a start state and those from which an end state can still be reached in time; valid
    is where both hold, so for an infeasible label the two never meet.

    >>> lat = ctc_lattice([2, 0, 2, 1, 2], 2, 3, 3)  # "AB" over 3 steps: 5 paths
    >>> lat["valid"].astype(int).tolist()
    [[1, 1, 0, 0, 0], [0, 1, 1, 1, 0], [0, 0, 0, 1, 1]]
    """
    ext = np.asarray(ext, dtype=np.intp)
    s_len = ext.size
    skip = np.zeros(s_len, dtype=bool)
    if s_len > 2:
        skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    fwd = np.zeros((steps, s_len), dtype=bool)
    bwd = np.zeros((steps, s_len), dtype=bool)
    p = int(pred_length)
    if p > 0 and s_len:
        fwd[0, :2] = True
        for t in range(1, p):
            prev = fwd[t - 1]
            cur = prev.copy()
            cur[1:] |= prev[:-1]
            cur[2:] |= prev[:-2] & skip[2:]
            fwd[t] = cur
        bwd[p - 1, max(s_len - 2, 0):] = True
        for t in range(p - 2, -1, -1):
            nxt = bwd[t + 1]
            cur = nxt.copy()
            cur[:-1] |= nxt[1:]
            cur[:-2] |= nxt[2:] & skip[2:]
            bwd[t] = cur
    valid = fwd & bwd
    if p < steps:
        fwd[p:] = bwd[p:] = False
    edges = []
    for t in range(max(p - 1, 0)):
        for s in np.flatnonzero(valid[t]):
            for s2 in (s, s + 1, s + 2):
                if s2 < s_len and valid[t + 1, s2] and (s2 - s < 2 or skip[s2]):
                    edges.append((t, int(s), int(s2)))
    return {"valid": valid, "edges": edges, "skip": skip, "from_start": fwd, "to_end": bwd}


@functools.lru_cache(maxsize=256)
def _shared_lattice(ext: tuple[int, ...], blank: int, steps: int, pred_length: int) -> dict[str, Any]:
    """:func:`ctc_lattice`, kept for reuse (it depends on the label and the lengths only, not on the scores,
    which the CTC view's sliders change); its arrays are read-only."""
    lattice = ctc_lattice(ext, blank, steps, pred_length)
    for value in lattice.values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    lattice["edges"] = tuple(lattice["edges"])
    return lattice


def ctc_step_losses(log_probs: np.ndarray, ext: np.ndarray, valid: np.ndarray, pred_length: int) -> np.ndarray:
    """The CTC loss split over time steps: −log of the share of probability that survives each step.

    The forward recursion carries, for every lattice cell that can still finish the label, the probability of
    all path prefixes ending there. At step t a share c_t of the previous total survives (the rest goes to
    classes that leave every complete path). Then p(label) = c_0 · c_1 · … · c_(P−1), so the returned
    −log c_t add up to the loss exactly. Steps at or after ``pred_length`` are NaN. Runs in log space.
    """
    return _step_losses(np.asarray(log_probs)[None], ext, np.asarray(valid)[None], np.array([int(pred_length)]))[0]


def _step_losses(log_probs: np.ndarray, ext: np.ndarray, valid: np.ndarray, pred_lengths: np.ndarray) -> np.ndarray:
    """:func:`ctc_step_losses` of K sequences at once: ``log_probs`` (K, T, C), ``valid`` (K, T, S), lengths (K,);
    returns (K, T). One pass of the recursion serves the whole batch."""
    k, steps = log_probs.shape[:2]
    out = np.full((k, steps), np.nan)
    ext = np.asarray(ext, dtype=np.intp)
    s_len = ext.size
    skip = np.zeros(s_len, dtype=bool)
    if s_len > 2:
        blank = int(ext[0])
        skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    neg = -np.inf
    emits = log_probs[:, :, ext]  # (K, T, S)
    log_alpha = np.full((k, s_len), neg)
    with np.errstate(invalid="ignore", divide="ignore"):
        for t in range(int(pred_lengths.max(initial=0))):
            if t == 0:
                cur = np.full((k, s_len), neg)
                cur[:, :2] = 0.0
            else:
                cur = log_alpha.copy()
                cur[:, 1:] = np.logaddexp(cur[:, 1:], log_alpha[:, :-1])
                cur[:, 2:] = np.where(skip[2:], np.logaddexp(cur[:, 2:], log_alpha[:, :-2]), cur[:, 2:])
            cur = np.where(valid[:, t], cur + emits[:, t], neg)
            total = np.logaddexp.reduce(cur, axis=1)
            live = t < pred_lengths  # a sequence past its end keeps NaN there
            out[live, t] = -total[live]
            log_alpha = cur - total[:, None]
    return out


def ctc_collapse(symbols: list[str]) -> tuple[list[str], str]:
    """CTC's collapsing map in its two stages: repeats merged, then blanks dropped.

    >>> ctc_collapse(["C", "C", "A", "·", "A", "T", "T"])
    (['C', 'A', '·', 'A', 'T'], 'CAAT')
    """
    merged = [s for i, s in enumerate(symbols) if i == 0 or s != symbols[i - 1]]
    return merged, "".join(s for s in merged if s != BLANK_STATE)


def ctc_analysis(scores: np.ndarray, word: str, vocab: list[str], *, layout: str = "NTC",
                 label_layout: str = "NT", weight: float = 1.0, sample_weight: float = 1.0,
                 pred_length: int | None = None, label_length: int | None = None) -> dict[str, Any]:
    """Everything the CTC view shows for one sequence of activations ``scores`` (T, C) and the label ``word``.

    The loss and its gradient come from :class:`losscore.CTCLoss` with the given layouts (the scores are
    transposed to match); the posteriors from :func:`losscore.ctc_alignments`; the best path from
    :func:`losscore.ctc_greedy_decode`. ``pred_length`` (valid steps) and ``label_length`` (letters used)
    default to all. A label that cannot fit (more letters, plus blanks between repeats, than valid steps) is
    infeasible: ``feasible`` is False, the loss +inf, the gradient and the posteriors 0, and the lattice has
    no valid cell. :func:`ctc_analyses` is the same for several score matrices at once.
    """
    x = np.asarray(scores, dtype=np.float64)
    plen = x.shape[0] if pred_length is None else int(pred_length)
    return ctc_analyses(x[None], word, vocab, layout=layout, label_layout=label_layout, weight=weight,
                        sample_weight=sample_weight, pred_lengths=[plen], label_length=label_length)[0]


def ctc_analyses(scores: np.ndarray, word: str, vocab: list[str], *, layout: str = "NTC",
                 label_layout: str = "NT", weight: float = 1.0, sample_weight: float = 1.0,
                 pred_lengths: Sequence[int] | None = None, label_length: int | None = None,
                 steps: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """:func:`ctc_analysis` of K score matrices ``scores`` (K, T, C) with the same label, each with its own
    valid steps (``pred_lengths``, default all): one CTCLoss call, one posterior pass and one step-loss
    recursion for the whole batch (the CTC view's frames need a dozen analyses per page run). Each result
    describes the single-sequence call (its ``pred_shape`` has N = 1), as :func:`ctc_analysis` does.

    ``steps`` gives each matrix its own number of time steps (at most T, the rows after them padding): its
    result is that of its first ``steps`` rows alone. Steps at or after a sequence's valid steps cannot change
    its loss, posteriors or best path, so matrices of different lengths share one batch.
    """
    x = np.asarray(scores, dtype=np.float64)
    k, width_t, n_classes = x.shape
    own = np.full(k, width_t, dtype=np.intp) if steps is None else np.array([int(t) for t in steps], dtype=np.intp)
    plens = own.copy() if pred_lengths is None else np.array([int(p) for p in pred_lengths], dtype=np.intp)
    if own.shape != (k,) or plens.shape != (k,) or (own > width_t).any() or (plens > own).any():
        raise ValueError(f"steps and pred_lengths: one each per matrix ({k}), with pred_lengths <= steps <= "
                         f"{width_t}; got {own.tolist()} and {plens.tolist()}")
    blank = n_classes - 1
    llen = len(word) if label_length is None else int(label_length)
    target = word[:llen]
    label = np.array([vocab.index(ch) for ch in word], dtype=np.float64)
    need = ctc_min_steps(target)

    def label_width(t: int) -> int:
        """The padded label a call with ``t`` steps gets: CTCLoss needs it at most T wide, so padding beyond T
        is dropped (the lengths say what counts)."""
        return min(label.size, t) if llen <= t else label.size

    lab_1d = label[:label_width(width_t)]
    log_p = log_softmax(x)
    if llen <= width_t:  # a matrix with fewer steps than letters comes out infeasible, as alone
        labels = np.repeat(lab_1d[None], k, axis=0)
        loss = CTCLoss(layout=layout, label_layout=label_layout, weight=weight)
        values, grad = loss.value_and_grad(x if layout == "NTC" else x.transpose(1, 0, 2),
                                           labels if label_layout == "NT" else labels.T, plens,
                                           np.full(k, llen), sample_weight=np.full(k, float(sample_weight)))
        grads = np.array(grad if layout == "NTC" else grad.transpose(1, 0, 2), dtype=np.float64)
        aligns = ctc_alignments(x, labels, plens, np.full(k, llen))
        found = [(float(values[i]), grads[i], a.state_posteriors, a.class_posteriors, a.log_likelihood)
                 for i, a in enumerate(aligns)]
    else:  # more letters than steps: no call could even accept this label, and no path spells it
        found = [(math.inf, np.zeros_like(x[0]), np.zeros((width_t, 2 * llen + 1)), np.zeros_like(x[0]),
                  -math.inf)] * k
    probs = np.exp(log_p)
    ext = np.full(2 * llen + 1, blank, dtype=np.intp)
    ext[1::2] = label[:llen].astype(np.intp)
    ext_key = tuple(ext.tolist())
    feasible = need <= plens
    step_loss = np.full((k, width_t), np.nan)
    if feasible.any():
        live = np.flatnonzero(feasible)  # the lattices at the batch's T (rows after the valid steps are empty)
        valid = np.stack([_shared_lattice(ext_key, blank, width_t, int(plens[i]))["valid"] for i in live])
        step_loss[live] = _step_losses(log_p[live], ext, valid, plens[live])
    names = [*vocab[:-1], BLANK_STATE]
    state_names = [names[j] for j in ext]
    decoded_all = ctc_greedy_decode(x, plens)
    out = []
    for i in range(k):
        t_i, plen = int(own[i]), int(plens[i])
        lattice = _shared_lattice(ext_key, blank, t_i, plen)
        value, grad_tc, states, classes, log_likelihood = found[i]
        probs_i = probs[i, :t_i]
        if plen < t_i:
            probs_i[plen:] = 0.0
        best = x[i, :plen].argmax(axis=1)
        symbols = [names[j] for j in best]
        merged, collapsed = ctc_collapse(symbols)
        out.append({
            "vocab": vocab,
            "target": target,
            "value": value,
            "feasible": bool(feasible[i]),
            "need": need,
            "log_likelihood": float(log_likelihood),
            "probs": probs_i,
            "grad": grad_tc[:t_i],
            "states": np.asarray(states[:t_i], dtype=np.float64),
            "class_posteriors": np.asarray(classes[:t_i], dtype=np.float64),
            "ext": ext,
            "state_names": state_names,
            "valid": lattice["valid"],
            "edges": list(lattice["edges"]),
            "from_start": lattice["from_start"],
            "to_end": lattice["to_end"],
            "step_loss": step_loss[i, :t_i],
            "best": best,
            "best_symbols": symbols,
            "merged": merged,
            "decoded": "".join(vocab[j] for j in decoded_all[i]),
            "collapsed": collapsed,
            "pred_shape": (1, t_i, n_classes) if layout == "NTC" else (t_i, 1, n_classes),
            "label_shape": (1, label_width(t_i)) if label_layout == "NT" else (label_width(t_i), 1),
        })
    return out


# -- triplet --------------------------------------------------------------------------------------------------------


def triplet_view(anchor: tuple, positive: tuple, negative: tuple, margin: float, weight: float,
                 lr: float) -> dict[str, Any]:
    """Triplet loss, its gradient for each point (losscore, ``wrt`` all three) and one gradient step of size lr.

    Also the geometry of the picture: the squared distances, the gap d+ − d− + margin whose positive part is
    the loss, and the radius √(d+ + margin) of the circle around the anchor that the negative must leave for
    the loss to vanish.
    """
    loss = TripletLoss(margin=margin, weight=weight)
    pts = [np.array([v], dtype=np.float64) for v in (anchor, positive, negative)]
    values, grads = loss.value_and_grad(*pts, wrt=("pred", "positive", "negative"))
    a, p, n = (v[0] for v in pts)
    d_pos = float(((p - a) ** 2).sum())
    d_neg = float(((n - a) ** 2).sum())
    grads = [np.asarray(g[0], dtype=np.float64) + 0.0 for g in grads]
    moved = [v - lr * g for v, g in zip((a, p, n), grads, strict=True)]
    after = float(loss(*(m[None] for m in moved))[0])
    reach = d_pos + margin
    return {
        "loss": float(values[0]),
        "grads": grads,
        "d_pos": d_pos,
        "d_neg": d_neg,
        "gap": d_pos - d_neg + margin,
        "active": d_pos - d_neg + margin > 0,
        "r_pos": math.sqrt(d_pos),
        "r_margin": math.sqrt(reach) if reach > 0 else 0.0,
        "moved": moved,
        "loss_after": after,
    }


# -- cosine embedding ------------------------------------------------------------------------------------------------


def cosine_angle_view(theta: float, margin: float, weight: float, sample_weight: float,
                      num: int = 721) -> dict[str, Any]:
    """Two unit vectors in the plane, input2 = (1, 0) and input1 at angle θ, for both labels.

    Returns the loss against the angle for label 1 and label −1 (with dL/dθ through the chain rule from
    losscore's gradient with respect to input1), the vectors at ``theta`` with each one's gradient for both
    labels, and the angle arccos(margin) below which a dissimilar pair (label −1) starts to pay.
    """
    grid = np.linspace(0.0, math.pi, num)
    curves = {label: (r["loss"], r["dtheta"]) for label, r in cosine_at(grid, margin, weight, sample_weight).items()}
    rows = cosine_at(np.array([theta]), margin, weight, sample_weight)
    at = {label: {"loss": float(r["loss"][0]), "g1": r["g1"][0], "g2": r["g2"][0], "dtheta": float(r["dtheta"][0])}
          for label, r in rows.items()}
    return {"theta": grid, "curves": curves, "x1": np.array([math.cos(theta), math.sin(theta)]),
            "x2": np.array([1.0, 0.0]), "at": at, "cos": math.cos(theta),
            "margin_angle": math.acos(min(max(margin, -1.0), 1.0))}


def cosine_at(thetas: np.ndarray, margin: float, weight: float, sample_weight: float) -> dict[float, dict]:
    """CosineEmbeddingLoss of input1 = (cos θ, sin θ) against input2 = (1, 0) at each angle, for both labels:
    the loss, both gradients (losscore) and dL/dθ, one row per angle."""
    thetas = np.asarray(thetas, dtype=np.float64)
    loss = CosineEmbeddingLoss(margin=margin, weight=weight)
    x1 = np.stack([np.cos(thetas), np.sin(thetas)], axis=1)
    x2 = np.tile([1.0, 0.0], (thetas.size, 1))
    turn = np.stack([-np.sin(thetas), np.cos(thetas)], axis=1)  # d input1 / d theta
    out = {}
    for label in (1.0, -1.0):
        values, (g1, g2) = loss.value_and_grad(x1, x2, np.full(thetas.size, label),
                                               np.full(thetas.size, sample_weight), wrt=("input1", "input2"))
        out[label] = {"loss": values + 0.0, "g1": g1 + 0.0, "g2": g2 + 0.0, "dtheta": (g1 * turn).sum(axis=1) + 0.0}
    return out


# -- KL divergence ---------------------------------------------------------------------------------------------------


def normalise(weights: tuple | np.ndarray) -> np.ndarray:
    """Non-negative weights scaled to sum to 1 (raises ValueError if they are all 0 or one is negative)."""
    w = np.asarray(weights, dtype=np.float64)
    if (w < 0).any():
        raise ValueError(f"weights must be >= 0; got {w.min():g}")
    total = w.sum()
    if total <= 0:
        raise ValueError("at least one class needs a weight above 0")
    return w / total


def normalise_rows(weights: np.ndarray) -> np.ndarray:
    """:func:`normalise` row by row; a row whose weights are all 0 comes back as NaN (no distribution)."""
    w = np.asarray(weights, dtype=np.float64)
    total = w.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, w / np.where(total > 0, total, 1.0), np.nan)


def _kl_direction(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """KL(a ‖ b) row by row with losscore's KLDivLoss (label a, log-probabilities log b), and the per-class terms.

    Where a puts mass and b none the divergence is +inf (losscore needs finite log-probabilities, so this case
    is decided here); classes where a is 0 contribute 0 whatever b is. Rows with NaN give NaN.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        log_b = np.log(b)
        safe_a = np.where(np.isfinite(a), a, 0.0)
        safe_log_b = np.where(b > 0, log_b, 0.0)
        infinite = ((a > 0) & (b == 0)).any(axis=1)
        value = np.where(infinite, np.inf, KLDivLoss(from_logits=True)(safe_log_b, safe_a))
        finite_terms = a * (np.log(a + 1e-12) - safe_log_b)
        inf_terms = np.where(a > 0, np.where(b == 0, np.inf, a * (np.log(np.where(a > 0, a, 1.0)) - log_b)), 0.0)
        terms = np.where(infinite[:, None], inf_terms, finite_terms)
    broken = ~(np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1))
    return np.where(broken, np.nan, value), np.where(broken[:, None], np.nan, terms)


def kl_rows(q: np.ndarray, logits: np.ndarray | None = None, p: np.ndarray | None = None) -> dict[str, Any]:
    """:func:`kl_both_ways` for many pairs at once: ``q`` and ``logits`` (or ``p``) of shape (G, K); every entry
    has one row (or value) per pair."""
    q = np.asarray(q, dtype=np.float64)
    if logits is not None:
        z = np.asarray(logits, dtype=np.float64)
        p = np.exp(log_softmax(z))
        ok = np.isfinite(q).all(axis=1)
        loss_value, loss_grad = np.full(len(q), np.nan), np.full(q.shape, np.nan)
        if ok.any():
            forward, grad = KLDivLoss(from_logits=False).value_and_grad(z[ok], q[ok])
            loss_value[ok], loss_grad[ok] = forward, grad
    else:
        p = np.asarray(p, dtype=np.float64)
        loss_value, loss_grad = None, None
    kl_qp, terms_qp = _kl_direction(q, p)
    kl_pq, terms_pq = _kl_direction(p, q)
    if loss_value is None:
        loss_value = kl_qp
    return {"q": q, "p": p, "kl_qp": kl_qp, "kl_pq": kl_pq, "terms_qp": terms_qp, "terms_pq": terms_pq,
            "loss": loss_value, "grad": loss_grad, "mean_qp": kl_qp / q.shape[1]}


def kl_both_ways(q: np.ndarray, logits: np.ndarray | None = None, p: np.ndarray | None = None) -> dict[str, Any]:
    """KL(q ‖ p), the divergence KLDivLoss computes for target q, next to the reverse KL(p ‖ q).

    The prediction comes either as probabilities ``p`` (passed to the loss as log p, ``from_logits=True``) or
    as ``logits`` (passed raw with ``from_logits=False``, so the loss applies the log-softmax itself); the
    forward value for target q then comes from losscore either way. Also the per-class terms of both
    directions and the per-class mean of KL(q ‖ p), what MXNet before 1.8 returned.
    """
    rows = kl_rows(np.asarray(q, dtype=np.float64)[None],
                   None if logits is None else np.asarray(logits, dtype=np.float64)[None],
                   None if p is None else np.asarray(p, dtype=np.float64)[None])
    out = {key: (None if v is None else float(v[0]) if v.ndim == 1 else v[0]) for key, v in rows.items()}
    return out


# -- Poisson NLL -----------------------------------------------------------------------------------------------------


def poisson_pmf(counts: np.ndarray, rate: float | np.ndarray) -> np.ndarray:
    """P(t | rate) of a Poisson distribution, exp(t log μ − μ − lgamma(t + 1)); for an array of rates, one row
    per rate."""
    t = np.asarray(counts, dtype=np.float64)
    lg = np.array([math.lgamma(v + 1.0) for v in t.ravel()]).reshape(t.shape)
    if np.ndim(rate):
        r = np.asarray(rate, dtype=np.float64).reshape(-1, *([1] * t.ndim))
        return np.exp(t * np.log(r) - r - lg)
    return np.exp(t * math.log(rate) - rate - lg)


def poisson_at(counts: tuple | np.ndarray, rates: np.ndarray, compute_full: bool) -> dict[str, dict[str, np.ndarray]]:
    """PoissonNLLLoss of a batch of counts at each of ``rates`` (every count predicted by that rate; one
    forward call per rate) and dL/dprediction summed over the batch, with the rate passed as μ (``"rate"``,
    from_logits=False) and as log μ (``"logits"``)."""
    t = np.asarray(counts, dtype=np.float64)
    out: dict[str, dict[str, np.ndarray]] = {}
    for from_logits in (False, True):
        loss = PoissonNLLLoss(from_logits=from_logits, compute_full=compute_full)
        at, slope = np.empty(len(rates)), np.empty(len(rates))
        for i, rate in enumerate(rates):
            value, grad = loss.value_and_grad(np.full(t.size, math.log(rate) if from_logits else rate), t)
            at[i], slope[i] = value[0], grad.sum()
        out["logits" if from_logits else "rate"] = {"at": at, "slope": slope}
    return out


def poisson_counts_view(counts: tuple, rate: float, compute_full: bool, lo: float = 0.05, hi: float = 10.0,
                        num: int = 400) -> dict[str, Any]:
    """PoissonNLLLoss of a batch of counts as one shared predicted rate varies, both ways of passing the rate.

    With ``from_logits=False`` the prediction is the rate μ; with ``from_logits=True`` it is log μ. The two
    give the same loss at the same rate (up to the 1e-8 epsilon of the rate form), but different gradients:
    mean(1 − t/μ) against mean(μ − t). Both are minimised at μ = mean of the counts. The marker values come
    from the loss's own forward call on the batch (one rate per count); the curves from
    :meth:`PoissonNLLLoss.pointwise`, averaged over the batch as the forward call does.
    """
    t = np.asarray(counts, dtype=np.float64)
    rates = np.linspace(lo, hi, num)
    out: dict[str, Any] = {"counts": t, "rates": rates, "log_rates": np.log(rates), "rate": rate,
                           "mean": float(t.mean())}
    for from_logits in (False, True):
        loss = PoissonNLLLoss(from_logits=from_logits, compute_full=compute_full)
        x = np.log(rates) if from_logits else rates
        elem, delem = loss.pointwise(np.repeat(x[:, None], t.size, axis=1), np.tile(t, (rates.size, 1)))
        out["logits" if from_logits else "rate"] = {"loss": elem.mean(axis=1), "grad": delem.mean(axis=1)}
    for name, marker in poisson_at(t, np.array([rate]), compute_full).items():
        out[name].update(at=float(marker["at"][0]), slope=float(marker["slope"][0]))
    lg = np.array([math.lgamma(v + 1.0) for v in t])
    out["exact"] = float(np.mean(rate - t * math.log(rate) + lg))  # −log P(counts | rate), averaged
    out["stirling_mean"] = float(np.mean(stirling_log_factorial(t)))
    out["lgamma_mean"] = float(lg.mean())
    values, freq = np.unique(t, return_counts=True)
    top = int(max(t.max(), hi + 4 * math.sqrt(hi), 5))  # room for the largest rate: the bars stay put as it moves
    ks = np.arange(top + 1, dtype=np.float64)
    out["hist_k"] = ks
    out["hist_freq"] = np.array([freq[values == k].sum() for k in ks], dtype=np.float64) / t.size
    out["pmf"] = poisson_pmf(ks, rate)
    return out


def stirling_table(tmax: int) -> dict[str, np.ndarray]:
    """Counts 0..tmax: the exact log(t!) (lgamma(t + 1)), the Stirling term compute_full adds, and the error.

    >>> tab = stirling_table(3)
    >>> tab["stirling"].round(4).tolist(), tab["exact"].round(4).tolist()
    ([0.0, 0.0, 0.6518, 1.7641], [0.0, 0.0, 0.6931, 1.7918])
    """
    t = np.arange(int(tmax) + 1, dtype=np.float64)
    exact = np.array([math.lgamma(v + 1.0) for v in t])
    stirling = np.asarray(stirling_log_factorial(t), dtype=np.float64)
    error = exact - stirling
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(exact > 0, error / np.where(exact > 0, exact, 1.0), 0.0)
    return {"t": t, "exact": exact, "stirling": stirling, "error": error, "relative": rel}


# -- SDML ------------------------------------------------------------------------------------------------------------


def sdml_view(x1: tuple, x2: tuple, alpha: float, lr: float = 0.25) -> dict[str, Any]:
    """SDML on a batch of pairs: per-row losses, both gradients (losscore), distances D, P = softmax(−D), Q."""
    loss = SDMLLoss(smoothing_parameter=alpha)
    a, b = np.array(x1, dtype=np.float64), np.array(x2, dtype=np.float64)
    values, (g1, g2) = loss.value_and_grad(a, b, wrt=("x1", "x2"))
    dist = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    p = np.exp(log_softmax(-dist, axis=1))
    return {"values": values, "mean": float(np.mean(values)), "g1": g1 + 0.0, "g2": g2 + 0.0, "dist": dist,
            "p": p, "q": loss.target_matrix(len(a), np.float64), "x1": a, "x2": b, "lr": lr,
            "nearest": dist.argmin(axis=1)}


# -- softmax cross-entropy -----------------------------------------------------------------------------------------


def _naive(rows: np.ndarray, y: int, dtype: str) -> np.ndarray:
    """The loss the long way, row by row: softmax, then −log of the true class's probability, in ``dtype``."""
    x = rows.astype(dtype)
    with np.errstate(all="ignore"):  # the point: exp overflows, inf / inf is nan, log(0) is -inf
        e = np.exp(x)
        return (-np.log(e[:, y] / e.sum(axis=1))).astype(np.float64)


def softmax_rows(rows: np.ndarray, y: int, smoothing: float | np.ndarray, weight: float = 1.0) -> dict[str, Any]:
    """:func:`softmax_view` for many examples at once: ``rows`` of shape (G, K), one smoothing ε or one per row.

    Every entry is an array with one row (or value) per example.
    """
    x = np.asarray(rows, dtype=np.float64)
    g, k = x.shape
    onehot = np.zeros((g, k))
    onehot[:, y] = 1.0
    eps = np.broadcast_to(np.asarray(smoothing, dtype=np.float64), (g,))[:, None]
    soft = (1.0 - eps) * onehot + eps / k
    sparse_v, sparse_g = SoftmaxCrossEntropyLoss(weight=weight).value_and_grad(x, np.full(g, y))
    dense_v, dense_g = SoftmaxCrossEntropyLoss(sparse_label=False, weight=weight).value_and_grad(x, soft)
    return {
        "logits": x,
        "p": np.exp(log_softmax(x)),
        "onehot": onehot,
        "soft": soft,
        "sparse": sparse_v + 0.0,
        "sparse_grad": sparse_g + 0.0,
        "dense": dense_v + 0.0,
        "dense_grad": dense_g + 0.0,
        "naive32": _naive(x, y, "float32"),
        "naive64": _naive(x, y, "float64"),
        "max_logit": x.max(axis=1),
    }


def softmax_view(logits: tuple, y: int, smoothing: float, weight: float = 1.0) -> dict[str, Any]:
    """One example's logits with a sparse label y and a dense (smoothed) label, through SoftmaxCrossEntropyLoss.

    The dense label is (1 − ε)·onehot(y) + ε/K; at ε = 0 it equals the sparse label. Gradients come from
    losscore (they are softmax − target, times the weight). The naive two-step loss (softmax, then −log) is
    computed in float32 and float64 next to the fused one.
    """
    rows = softmax_rows(np.array(logits, dtype=np.float64)[None], y, smoothing, weight)
    return {key: (float(v[0]) if v.ndim == 1 else v[0]) for key, v in rows.items()}
