"""The numbers behind the CTC view: the vocabulary and preset scores of a word, the alignment lattice with its
posteriors, the loss split per time step, the best path, and a batch of such analyses at once.

Pure numpy on top of losscore (its CTCLoss forward and backward and its alignment posteriors), no Streamlit: plain
values in, plain data out, for :mod:`lossapp.sections.ctc`, :mod:`lossapp.deep_figures` and the tests.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from lossapp.deep_dives import log_softmax
from losscore import CTCLoss, ctc_alignments, ctc_greedy_decode

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
]

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


def ctc_lattice(ext: Sequence[int] | np.ndarray, blank: int, steps: int, pred_length: int) -> dict[str, Any]:
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
    own, plens = _batch_lengths(k, width_t, steps, pred_lengths)
    blank = n_classes - 1
    llen = len(word) if label_length is None else int(label_length)
    target = word[:llen]
    label = np.array([vocab.index(ch) for ch in word], dtype=np.float64)
    need = ctc_min_steps(target)
    lab_1d = label[:_label_width(label.size, llen, width_t)]
    log_p = log_softmax(x)
    found = _batch_loss(x, lab_1d, plens, llen, layout=layout, label_layout=label_layout, weight=weight,
                        sample_weight=sample_weight)
    probs = np.exp(log_p)
    ext = np.full(2 * llen + 1, blank, dtype=np.intp)
    ext[1::2] = label[:llen].astype(np.intp)
    ext_key = tuple(ext.tolist())
    feasible = need <= plens
    step_loss = _feasible_step_losses(log_p, ext, blank, plens, feasible)
    names = [*vocab[:-1], BLANK_STATE]
    state_names = [names[j] for j in ext]
    decoded_all = ctc_greedy_decode(x, plens)
    decoded_ll = _labelling_log_likelihoods(x, decoded_all, plens)
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
            "decoded_log_likelihood": float(decoded_ll[i]),
            "collapsed": collapsed,
            "pred_shape": (1, t_i, n_classes) if layout == "NTC" else (t_i, 1, n_classes),
            "label_shape": (1, _label_width(label.size, llen, t_i)) if label_layout == "NT"
            else (_label_width(label.size, llen, t_i), 1),
        })
    return out


def _label_width(size: int, llen: int, t: int) -> int:
    """The padded label a call with ``t`` steps gets: CTCLoss needs it at most T wide, so padding beyond T is
    dropped (the lengths say what counts)."""
    return min(size, t) if llen <= t else size


def _feasible_step_losses(log_p: np.ndarray, ext: np.ndarray, blank: int, plens: np.ndarray,
                          feasible: np.ndarray) -> np.ndarray:
    """Each matrix's loss step by step (NaN where its label cannot fit its valid steps)."""
    k, width_t, _ = log_p.shape
    step_loss = np.full((k, width_t), np.nan)
    if feasible.any():
        live = np.flatnonzero(feasible)  # the lattices at the batch's T (rows after the valid steps are empty)
        ext_key = tuple(ext.tolist())
        valid = np.stack([_shared_lattice(ext_key, blank, width_t, int(plens[i]))["valid"] for i in live])
        step_loss[live] = _step_losses(log_p[live], ext, valid, plens[live])
    return step_loss


def _batch_lengths(k: int, width_t: int, steps: Sequence[int] | None, pred_lengths: Sequence[int] | None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Each matrix's own number of steps and valid steps, checked: one each, pred_lengths <= steps <= T."""
    own = np.full(k, width_t, dtype=np.intp) if steps is None else np.array([int(t) for t in steps], dtype=np.intp)
    plens = own.copy() if pred_lengths is None else np.array([int(p) for p in pred_lengths], dtype=np.intp)
    if own.shape != (k,) or plens.shape != (k,) or (own > width_t).any() or (plens > own).any():
        raise ValueError(f"steps and pred_lengths: one each per matrix ({k}), with pred_lengths <= steps <= "
                         f"{width_t}; got {own.tolist()} and {plens.tolist()}")
    return own, plens


def _labelling_log_likelihoods(x: np.ndarray, labellings: Sequence[Sequence[int]], plens: np.ndarray) -> np.ndarray:
    """log p(labelling | scores) of each matrix's own labelling (all its paths, as the loss counts them): the
    best path's labelling can then be weighed against the label, since the two need not agree."""
    width = max(1, *(len(lab) for lab in labellings))
    labels = np.full((len(labellings), width), -1.0)
    for i, lab in enumerate(labellings):
        labels[i, :len(lab)] = lab
    lengths = np.array([len(lab) for lab in labellings])
    return np.array([a.log_likelihood for a in ctc_alignments(x, labels, plens, lengths)], dtype=np.float64)


def _batch_loss(x: np.ndarray, lab_1d: np.ndarray, plens: np.ndarray, llen: int, *, layout: str, label_layout: str,
                weight: float, sample_weight: float) -> list[tuple]:
    """Per matrix: (loss, dL/dscores, state posteriors, class posteriors, log-likelihood), from one CTCLoss call
    and one posterior pass for the whole batch."""
    k, width_t, _ = x.shape
    if llen <= width_t:  # a matrix with fewer steps than letters comes out infeasible, as alone
        labels = np.repeat(lab_1d[None], k, axis=0)
        loss = CTCLoss(layout=layout, label_layout=label_layout, weight=weight)
        values, grad = loss.value_and_grad(x if layout == "NTC" else x.transpose(1, 0, 2),
                                           labels if label_layout == "NT" else labels.T, plens,
                                           np.full(k, llen), sample_weight=np.full(k, float(sample_weight)))
        grads = np.array(grad if layout == "NTC" else grad.transpose(1, 0, 2), dtype=np.float64)
        aligns = ctc_alignments(x, labels, plens, np.full(k, llen))
        return [(float(values[i]), grads[i], a.state_posteriors, a.class_posteriors, a.log_likelihood)
                for i, a in enumerate(aligns)]
    # more letters than steps: no call could even accept this label, and no path spells it
    return [(math.inf, np.zeros_like(x[0]), np.zeros((width_t, 2 * llen + 1)), np.zeros_like(x[0]),
             -math.inf)] * k
