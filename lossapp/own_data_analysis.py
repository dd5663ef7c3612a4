"""Your own data, the analysis: every sample's loss and gradient for a checked :class:`~lossapp.own_data.Dataset`,
and the numbers and download the page shows about them (which samples dominate, how concentrated the loss is).

Nothing here imports Streamlit; reading and checking the data is :mod:`lossapp.own_data`.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossapp.own_data import LOSSES, DataError, Dataset, check_for_loss
from lossapp.urlstate import md_escape, quote_token
from losscore.catalog import CATALOG, make_loss

__all__ = ["Analysis", "analyse", "cumulative_share", "dominant", "results_csv", "summary"]


@dataclass(frozen=True)
class Analysis:
    """Per-sample loss ``values`` (N,), the gradient of each sample's loss with respect to its prediction ``grad``
    ((N,) or (N, C)), its size ``grad_size`` (|grad|, or the Euclidean norm over classes), and the loss output as
    Gluon returns it (``reduced``: the same per-sample values, or one mean for PoissonNLLLoss)."""

    name: str
    params: tuple[tuple[str, Any], ...]
    values: np.ndarray
    grad: np.ndarray
    grad_size: np.ndarray
    reduced: np.ndarray


@functools.lru_cache(maxsize=16)
def _analyse(ds: Dataset, name: str, params: tuple[tuple[str, Any], ...]) -> Analysis:
    p = dict(params)
    check_for_loss(ds, name, p)
    spec = CATALOG[name]
    init = {q.name: p[q.name] for q in spec.params if q.where == "init" and q.name in p}
    forward = {q.name: p[q.name] for q in spec.params if q.where == "forward" and q.name in p}
    loss = make_loss(name, **init)
    try:
        if name == "PoissonNLLLoss":
            weight = float(p.get("weight", 1.0))
            elem, delem = loss.pointwise(ds.pred, ds.label, float(forward.get("epsilon", 1e-8)))
            values, grad = elem * weight, delem * weight
            reduced = loss(ds.pred, ds.label, epsilon=float(forward.get("epsilon", 1e-8)))
        else:
            values, grad = loss.value_and_grad(ds.pred, ds.label, **forward)
            reduced = values
    except (ValueError, TypeError) as exc:  # losscore names the argument; the checks above should come first
        raise DataError(f"{name} cannot use this data: {md_escape(str(exc))}.") from None
    values = np.asarray(values, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    with np.errstate(all="ignore"):
        size = np.abs(grad) if grad.ndim == 1 else np.sqrt((grad * grad).sum(axis=1))
    bad = ~(np.isfinite(values) & np.isfinite(size))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        x = ds.pred[i] if ds.pred.ndim == 1 else float(np.abs(ds.pred[i]).max())
        raise DataError(f"{ds.where(i).capitalize()}: the loss or its gradient overflows (prediction {x:g}, label "
                        f"{ds.label[i]:g}). Expected predictions of a sensible size for {name}"
                        f"{' (log-rates below about 700)' if name == 'PoissonNLLLoss' else ''}.")
    for a in (values, grad, size):
        a.setflags(write=False)
    return Analysis(name, params, values, grad, size, np.asarray(reduced, dtype=np.float64))


def analyse(ds: Dataset, name: str, params: dict[str, Any]) -> Analysis:
    """Check ``ds`` for loss ``name`` and compute every sample's loss and gradient (cached by content).

    >>> from lossapp.own_data import parse_pasted
    >>> a = analyse(parse_pasted("0, 1, 5", "0, 0, 0"), "L2Loss", {"weight": 1.0})
    >>> a.values.tolist(), a.grad.tolist()
    ([0.0, 0.5, 12.5], [0.0, 1.0, 5.0])
    """
    if name not in LOSSES:
        raise DataError(f"Unknown loss {quote_token(name)}. Expected one of {', '.join(LOSSES)}.")
    return _analyse(ds, name, tuple(sorted(params.items())))


def dominant(a: Analysis, k: int = 10) -> np.ndarray:
    """Indices of the ``k`` samples with the largest loss (ties: the larger gradient first, then the first row)."""
    k = max(0, min(k, a.values.size))
    order = np.lexsort((np.arange(a.values.size), -a.grad_size, -np.abs(a.values)))
    return order[:k]


def _share(part: float, total: float) -> float:
    return float(part / total) if total > 0 else 0.0


def summary(a: Analysis) -> dict[str, float]:
    """Numbers that describe the whole batch: size, mean and largest loss, and how concentrated loss and gradient are.

    Shares use |loss| (PoissonNLLLoss can give negative per-sample values), sorted from the largest down.
    """
    n = a.values.size
    mag = np.sort(np.abs(a.values))[::-1]
    gmag = np.sort(a.grad_size)[::-1]
    top = max(1, int(np.ceil(n * 0.1)))
    return {
        "samples": float(n),
        "mean": float(a.values.mean()),
        "total": float(a.values.sum()),
        "max": float(a.values.max()),
        "median": float(np.median(a.values)),
        "reduced": float(a.reduced.mean()),
        "top10_loss_share": _share(float(mag[:top].sum()), float(mag.sum())),
        "top1_loss_share": _share(float(mag[0]), float(mag.sum())),
        "top10_grad_share": _share(float(gmag[:top].sum()), float(gmag.sum())),
        "max_grad": float(gmag[0]),
        "mean_grad": float(gmag.mean()),
    }


def cumulative_share(a: Analysis, points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """(fraction of samples, share of the total |loss| they carry), samples taken from the largest loss down.

    At most ``points + 1`` points, so the chart stays small for 100,000 samples.
    """
    mag = np.sort(np.abs(a.values))[::-1]
    total = mag.sum()
    cum = np.concatenate([[0.0], np.cumsum(mag)]) / (total if total > 0 else 1.0)
    frac = np.arange(mag.size + 1) / mag.size
    if mag.size > points:
        idx = np.unique(np.round(np.linspace(0, mag.size, points + 1)).astype(int))
        frac, cum = frac[idx], cum[idx]
    return frac, cum


def results_csv(ds: Dataset, a: Analysis) -> bytes:
    """Every sample with its loss and gradient, as CSV (the page's download)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    preds = [f"prediction {c}" for c in range(ds.classes)] if ds.pred.ndim == 2 else ["prediction"]
    grads = [f"dL/dscore {c}" for c in range(ds.classes)] if a.grad.ndim == 2 else ["dL/dprediction"]
    w.writerow(["sample", *preds, "label", "loss", *grads])
    pred2 = ds.pred.reshape(ds.n, -1)
    grad2 = a.grad.reshape(ds.n, -1)
    for i in range(ds.n):
        w.writerow([i + 1, *(repr(float(v)) for v in pred2[i]), repr(float(ds.label[i])), repr(float(a.values[i])),
                    *(repr(float(g)) for g in grad2[i])])
    return out.getvalue().encode()
