"""The numbers behind the deep-dive views: triplet, cosine embedding, KL, Poisson NLL, SDML and softmax
cross-entropy (CTC's are in :mod:`lossapp.ctc_lattice`), for losses that one loss-vs-prediction curve cannot
explain.

Pure numpy on top of losscore, no Streamlit: every function takes plain values and returns plain data (arrays,
floats, dicts), so the sections (through their cached wrappers in :mod:`lossapp.sections`), the figure builders in
:mod:`lossapp.deep_figures` and the tests all see the same numbers. Loss values and gradients always come from
losscore's own forward and backward; what is computed here is what losscore does not expose (geometry for the
pictures, both directions of KL, reference values such as lgamma).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from losscore import (
    CosineEmbeddingLoss,
    KLDivLoss,
    PoissonNLLLoss,
    SDMLLoss,
    SoftmaxCrossEntropyLoss,
    TripletLoss,
    stirling_log_factorial,
)

__all__ = [
    "cosine_angle_view",
    "cosine_at",
    "kl_both_ways",
    "kl_rows",
    "log_softmax",
    "normalise",
    "normalise_rows",
    "poisson_at",
    "poisson_counts_view",
    "poisson_bars",
    "poisson_pmf",
    "sdml_view",
    "softmax_rows",
    "softmax_view",
    "stirling_table",
    "triplet_view",
]


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(softmax(x)) computed with the maximum taken out (finite for any finite x)."""
    x = np.asarray(x, dtype=np.float64)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))



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


def poisson_bars(counts: np.ndarray, rate: float | np.ndarray) -> np.ndarray:
    """:func:`poisson_pmf` at ``counts`` (0, 1, ..., top) with the last entry P(t >= top): the tail folded into
    the last bar, so the bars add up to 1 (one row per rate for an array of rates)."""
    pmf = poisson_pmf(counts, rate)
    pmf[..., -1] = np.clip(1.0 - pmf[..., :-1].sum(axis=-1), 0.0, 1.0)
    return pmf


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
    # bars up to a little past the largest count, the last one for "that count or more", so every rate's
    # probabilities add up to 1 on the chart and the bars stay put as the rate moves (a bar per count up to
    # the largest rate's tail stretched counts 0-4 over an axis to 22)
    top = int(max(t.max() + 2, 7))
    ks = np.arange(top + 1, dtype=np.float64)
    out["hist_k"] = ks
    out["hist_labels"] = [f"{int(k)}" for k in ks[:-1]] + [f"{top}+"]
    out["hist_freq"] = np.array([freq[values == k].sum() for k in ks], dtype=np.float64) / t.size
    out["pmf"] = poisson_bars(ks, rate)
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
