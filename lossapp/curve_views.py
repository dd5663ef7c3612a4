"""Loss-vs-prediction curves from losscore (cached on plain values): the x-axis a loss needs, the sweep, one
point, and the :class:`~lossapp.model.CurveView` that the chart, its alt text and the export share."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossapp.caching import cache_data
from lossapp.model import Curve, CurveView
from losscore.catalog import CATALOG, make_loss
from losscore.sweep import prediction_grid, sweep


@dataclass(frozen=True)
class CurveRange:
    """The prediction axis of a chart: grid ends, grid spacing, marker step, axis title, marker key suffix."""

    lo: float
    hi: float
    dx: float
    step: float
    title: str
    suffix: str

    @property
    def num(self) -> int:
        return int(round((self.hi - self.lo) / self.dx)) + 1


def curve_range(name: str, params: dict[str, Any]) -> CurveRange:
    """The x-axis a loss needs with these parameters.

    Scores and logits use the tutorial's [-5, 5]. A probability input (SigmoidBCE with from_sigmoid) lives
    in (0, 1), kept away from the ends where -log(0) is about 27.6 and the gradient about 10^12. PoissonNLL
    plots either the log-rate or the rate itself. Grid spacing divides the marker step, so the marker always
    sits on a plotted point.
    """
    if name == "SigmoidBinaryCrossEntropyLoss" and params.get("from_sigmoid"):
        return CurveRange(0.01, 0.99, 0.001, 0.01, "prediction (a probability: the net ends in a sigmoid)", "prob")
    if name == "PoissonNLLLoss":
        if params.get("from_logits", True):
            return CurveRange(-2.5, 2.5, 0.005, 0.05, "prediction = log of the rate", "pred")
        return CurveRange(0.01, 10.0, 0.01, 0.05, "prediction = the rate itself", "rate")
    return CurveRange(-5.0, 5.0, 0.01, 0.05, "prediction", "pred")


def _split(name: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = CATALOG[name]
    init = {p.name: params[p.name] for p in spec.params if p.where == "init" and p.name in params}
    forward = {p.name: params[p.name] for p in spec.params if p.where == "forward" and p.name in params}
    return init, forward


@cache_data(max_entries=512, show_spinner=False)
def sweep_arrays(name: str, params: tuple[tuple[str, Any], ...], label: float, sample_weight: float,
                 lo: float, hi: float, num: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, loss, dL/dpred) of ``name`` over ``num`` predictions from lo to hi, label fixed (cached)."""
    init, forward = _split(name, dict(params))
    loss = make_loss(name, **init)
    s = sweep(loss, prediction_grid(lo, hi, num), label, sample_weight=sample_weight, **forward)
    return s.x, s.values + 0.0, s.grad + 0.0  # + 0.0 turns -0.0 (e.g. a flat hinge times -label) into 0.0


@cache_data(max_entries=2048, show_spinner=False)
def point_value(name: str, params: tuple[tuple[str, Any], ...], label: float, sample_weight: float,
                pred: float) -> tuple[float, float]:
    """The exact loss and dL/dpred at one prediction, from losscore's own forward call (cached)."""
    init, forward = _split(name, dict(params))
    loss = make_loss(name, **init)
    arrays = {k: (np.array([v], dtype=np.float64) if k != "epsilon" else v) for k, v in forward.items()}
    values, grad = loss.value_and_grad(np.array([pred], dtype=np.float64), np.array([label], dtype=np.float64),
                                       np.array([sample_weight], dtype=np.float64), **arrays)
    return float(values[0]) + 0.0, float(grad[0]) + 0.0


def curve_view(name: str, params: dict[str, Any], label: float, sample_weight: float = 1.0,
               marker: float | None = None, rng: CurveRange | None = None, title: str | None = None) -> CurveView:
    """The CurveView of one loss with these parameters (what the chart, alt text and export all use)."""
    rng = rng or curve_range(name, params)
    x, values, grad = sweep_arrays(name, tuple(sorted(params.items())), float(label), float(sample_weight),
                                   rng.lo, rng.hi, rng.num)
    spec = CATALOG[name]
    shown = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())
    return CurveView(
        title=title or (f"{spec.name} ({shown})" if shown else spec.name),
        curves=(Curve(spec.name, x, values, grad),),
        marker=marker,
        x_title=rng.title,
        label=float(label),
        loss_names=(spec.name,),
        params={**params, "sample_weight": float(sample_weight)},
    )


def view_fingerprint(view: CurveView) -> tuple:
    """A hashable summary of everything a CurveView's figure depends on (the arrays by content digest)."""
    digest = hashlib.blake2b(digest_size=16)
    for c in view.curves:
        for arr in (c.x, c.loss, c.grad):
            digest.update(np.ascontiguousarray(arr).tobytes())
    return (view.title, view.x_title, view.y_title, view.grad_title, view.marker, view.label, view.loss_names,
            tuple(c.name for c in view.curves), view.y_limits, view.grad_limits, digest.hexdigest())
