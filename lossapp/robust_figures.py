"""Figure builders and numbers of the Robust regression page (plain functions, no Streamlit): Barron's loss as
alpha moves, with its named members, and where each regression loss puts its best constant on a data set."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lossapp.figures import GRAD_DOMAIN, LOSS_DOMAIN, PALETTE, _axis, _layout
from losscore import GeneralRobustLoss
from losscore.catalog import CATALOG, make_loss
from losscore.location import best_constant, mean_loss
from losscore.robust import NAMED_ALPHAS

__all__ = [
    "ESTIMATORS",
    "MORPH_X",
    "Estimate",
    "barron_curve",
    "estimate_spec",
    "estimates",
    "member_name",
    "morph_notes",
    "morph_spec",
    "total_loss_spec",
]

#: The residuals the morph chart is drawn over.
MORPH_X = np.linspace(-6.0, 6.0, 241)
#: The morph chart's fixed axes: the curve changes, the frame does not (L2 leaves the top at |d| > 3.2).
MORPH_LOSS_RANGE = (0.0, 5.0)
MORPH_GRAD_RANGE = (-3.2, 3.2)
#: Below this alpha the curve is within sight of its limit, Welsch (alpha = −∞).
NEAR_WELSCH = -6.0
#: The finite named members in the order the slider meets them going down, then Welsch.
MEMBERS: tuple[tuple[float, str], ...] = tuple(sorted(NAMED_ALPHAS.items(), reverse=True))
LIT = PALETTE[0]
UNLIT = PALETTE[6]


def _alpha_text(alpha: float) -> str:
    return "−∞" if alpha == -math.inf else f"{alpha:g}".replace("-", "−")


def member_name(alpha: float) -> str:
    """What alpha is called: a named member ("Cauchy (α = 0)"), or where it lies between two of them.

    >>> member_name(0.0), member_name(0.5), member_name(-math.inf)
    ('Cauchy (α = 0)', 'between Cauchy (α = 0) and Charbonnier (α = 1)', 'Welsch (α = −∞)')
    >>> member_name(-7.0), member_name(3.0)
    ('close to Welsch (α = −∞)', 'beyond L2 (α = 2): steeper than a parabola')
    """
    named = {a: f"{n} (α = {_alpha_text(a)})" for a, n in MEMBERS}
    for a, text in named.items():
        if math.isclose(alpha, a, abs_tol=1e-9) or alpha == a:
            return text
    if alpha > 2.0:
        return f"beyond {named[2.0]}: steeper than a parabola"
    if alpha <= NEAR_WELSCH:
        return f"close to {named[-math.inf]}"
    above = min(a for a in named if a > alpha)
    below = max(a for a in named if a < alpha)
    return f"between {named[below]} and {named[above]}"


def barron_curve(alpha: float, scale: float = 1.0, x: np.ndarray = MORPH_X) -> tuple[np.ndarray, np.ndarray]:
    """Barron's loss and its gradient over residuals ``x`` (label 0)."""
    return GeneralRobustLoss(alpha=alpha, scale=scale).value_and_grad(x, np.zeros_like(x))


def morph_notes(alpha: float) -> list[str]:
    """The texts of the morph chart's annotations at ``alpha``: the status line, then one label per named member,
    lit (bold, coloured) when alpha is that member (Welsch: when alpha is close to it)."""
    status = f"α = {_alpha_text(alpha)}: {member_name(alpha)}"
    labels = []
    for a, name in MEMBERS:
        text = f"{name} ({_alpha_text(a)})"
        lit = math.isclose(alpha, a, abs_tol=1e-9) or (a == -math.inf and alpha <= NEAR_WELSCH)
        labels.append(f"<b><span style='color:{LIT}'>{text}</span></b>" if lit
                      else f"<span style='color:{UNLIT}'>{text}</span>")
    return [status, *labels]


def morph_spec(alpha: float, *, present: bool = False) -> tuple[list[dict], dict]:
    """Barron's loss at ``alpha`` (top) and its gradient (bottom) against the residual, Welsch's curve dotted as
    the limit, the status line and the named members' labels above (trace 0 the loss, 1 the gradient)."""
    loss, grad = barron_curve(alpha)
    welsch, dwelsch = barron_curve(-math.inf)
    line = dict(color=LIT, width=3)
    faint = dict(color=UNLIT, width=1.5, dash="dot")
    data: list[dict] = [
        dict(type="scatter", x=MORPH_X, y=loss, mode="lines", name="Barron's loss", line=line, xaxis="x",
             yaxis="y", meta={"role": "loss", "curve": "GeneralRobustLoss"}, hovertemplate="%{y:.4g}"),
        dict(type="scatter", x=MORPH_X, y=grad, mode="lines", name="its gradient", line=line, xaxis="x2",
             yaxis="y2", showlegend=False, meta={"role": "grad", "curve": "GeneralRobustLoss"},
             hovertemplate="%{y:.4g}"),
        dict(type="scatter", x=MORPH_X, y=welsch, mode="lines", name="Welsch (α = −∞), the limit", line=faint,
             xaxis="x", yaxis="y", legendgroup="welsch", meta={"role": "reference"}, hoverinfo="skip"),
        dict(type="scatter", x=MORPH_X, y=dwelsch, mode="lines", name="Welsch's gradient", line=faint,
             xaxis="x2", yaxis="y2", legendgroup="welsch", showlegend=False, meta={"role": "reference"},
             hoverinfo="skip"),
    ]
    texts = morph_notes(alpha)
    size = 17 if present else 13
    notes: list[dict] = [dict(x=0, xref="paper", y=1.16, yref="paper", text=texts[0], showarrow=False, xanchor="left",
                  font=dict(size=size + 2), name="status")]
    for i, text in enumerate(texts[1:]):
        notes.append(dict(x=(i + 0.5) / len(MEMBERS), xref="paper", y=1.07, yref="paper", text=text,
                          showarrow=False, xanchor="center", font=dict(size=size - 1), name="member"))
    layout = _layout(
        560 if present else 470, present, margin=dict(l=60, r=12, t=96, b=48), annotations=notes,
        legend=dict(orientation="h", yanchor="bottom", y=1.13, xanchor="right", x=1),
        xaxis=_axis(anchor="y", domain=[0.0, 1.0], matches="x2", showticklabels=False),
        yaxis=_axis("loss", anchor="x", domain=list(LOSS_DOMAIN), range=list(MORPH_LOSS_RANGE), autorange=False),
        xaxis2=_axis("residual d = pred − label (scale c = 1)", anchor="y2", domain=[0.0, 1.0],
                     range=[float(MORPH_X[0]), float(MORPH_X[-1])]),
        yaxis2=_axis("dL/dpred", anchor="x2", domain=list(GRAD_DOMAIN), range=list(MORPH_GRAD_RANGE),
                     autorange=False),
    )
    return data, layout


# -- what does each loss estimate? -----------------------------------------------------------------------------
#: The losses of the estimate view: catalog name and the closed form of its best constant, if it has one.
ESTIMATORS: tuple[tuple[str, str], ...] = (
    ("L2Loss", "mean"),
    ("L1Loss", "median"),
    ("QuantileLoss", "tau-quantile"),
    ("HuberLoss", ""),
    ("PseudoHuberLoss", ""),
    ("LogCoshLoss", ""),
    ("EpsilonInsensitiveLoss", ""),
    ("TukeyBiweightLoss", ""),
    ("GeneralRobustLoss", ""),
)


@dataclass(frozen=True)
class Estimate:
    """One loss's best constant on the data: where it is, the closed form it equals (if any) and the mean loss
    there; ``grid`` and ``totals`` trace the mean loss against the constant."""

    name: str
    label: str
    value: float
    closed_form: str
    reference: float | None
    grid: np.ndarray
    totals: np.ndarray


def _closed_form(kind: str, y: np.ndarray, tau: float) -> float | None:
    if kind == "mean":
        return float(np.mean(y))
    if kind == "median":
        return float(np.median(y))
    if kind == "tau-quantile":
        return float(np.quantile(y, tau, method="inverted_cdf"))  # a minimiser of the pinball loss
    return None


def estimates(y: Sequence[float], params: dict[str, dict[str, float]], num: int = 401) -> list[Estimate]:
    """Every estimator's best constant on labels ``y`` (``params``: constructor parameters by loss name). L2, L1
    and the quantile loss take their closed forms; the others are found by :func:`losscore.location.best_constant`
    from their own values and gradients. Each also gets its mean loss over ``num`` constants spanning the data."""
    labels = np.asarray(y, dtype=np.float64)
    lo, hi = float(labels.min()), float(labels.max())
    pad = max(0.1 * (hi - lo), 0.5)
    grid = np.linspace(lo - pad, hi + pad, num)
    out = []
    for name, kind in ESTIMATORS:
        p = params.get(name, {})
        loss = make_loss(name, **p)
        reference = _closed_form(kind, labels, float(p.get("tau", CATALOG["QuantileLoss"].param("tau").default)))
        value = reference if reference is not None else best_constant(loss, labels)
        label = CATALOG[name].title.split(" (")[0]
        if p:
            label += " (" + ", ".join(f"{k} = {v:g}" for k, v in p.items()) + ")"
        out.append(Estimate(name, label, float(value), kind, reference, grid, mean_loss(loss, labels, grid)))
    return out


def estimate_spec(y: np.ndarray, ests: Sequence[Estimate], *, present: bool = False) -> tuple[list[dict], dict]:
    """One row per loss: the data as grey dots and the loss's best constant as a diamond in its colour."""
    rows = [e.label for e in ests]
    data: list[dict] = [dict(
        type="scatter", x=np.tile(y, len(rows)), y=np.repeat(rows, y.size).tolist(), mode="markers",
        name="the data", marker=dict(color=UNLIT, size=8 if present else 6, opacity=0.6),
        meta={"role": "data"}, hovertemplate="%{x:.4g}<extra>a data point</extra>")]
    for e in ests:
        spec = CATALOG[e.name]
        data.append(dict(type="scatter", x=[e.value], y=[e.label], mode="markers", name=e.label, showlegend=False,
                         marker=dict(color=spec.colour, symbol="diamond", size=17 if present else 14,
                                     line=dict(color="white", width=1.5)),
                         meta={"role": "estimate", "curve": e.name},
                         hovertemplate=f"{e.label}: best constant %{{x:.4g}}<extra></extra>"))
    layout = _layout(70 + 34 * len(rows), present, hovermode="closest", margin=dict(l=12, r=12, t=12, b=48),
                     showlegend=False, xaxis=_axis("value (the data, and each loss's best constant)"),
                     yaxis=_axis(showgrid=False, autorange="reversed", automargin=True))
    return data, layout


def total_loss_spec(ests: Sequence[Estimate], *, present: bool = False) -> tuple[list[dict], dict]:
    """Each loss's mean over the data against the constant prediction, rescaled to run from 0 (its minimum) to
    1 (its largest value on the chart) so losses of different sizes share one axis; a diamond at each minimum."""
    data: list[dict] = []
    for e in ests:
        spec = CATALOG[e.name]
        lo, hi = float(e.totals.min()), float(e.totals.max())
        scaled = (e.totals - lo) / (hi - lo) if hi > lo else np.zeros_like(e.totals)
        at = float(np.interp(e.value, e.grid, scaled))
        line = dict(color=spec.colour, width=2.5, dash=spec.dash)
        data.append(dict(type="scatter", x=e.grid, y=scaled, mode="lines", name=e.label, legendgroup=e.name,
                         line=line, meta={"role": "total", "curve": e.name},
                         hovertemplate=f"{e.label}: %{{y:.3f}}<extra></extra>"))
        data.append(dict(type="scatter", x=[e.value], y=[at], mode="markers", showlegend=False, legendgroup=e.name,
                         marker=dict(color=spec.colour, symbol="diamond", size=12, line=dict(color="white", width=1)),
                         meta={"role": "estimate", "curve": e.name}, hoverinfo="skip"))
    layout = _layout(440 if present else 380, present, hovermode="closest",
                     legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0),
                     xaxis=_axis("constant prediction c"),
                     yaxis=_axis("mean loss, rescaled 0 … 1"))
    return data, layout
