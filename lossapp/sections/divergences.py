"""Forward KL, reverse KL and Jensen-Shannon side by side: a two-bump target, a one-bump prediction whose mean and
width move in the browser. Forward KL spreads the bump over both modes (mass-covering), reverse KL settles on one
(mode-seeking), Jensen-Shannon stays bounded by log 2 wherever the bump goes."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lossapp.caching import cache_data, cache_resource
from lossapp.charts import captioned_chart
from lossapp.counterparts import show_counterparts_of
from lossapp.figures import PALETTE, SpecFigure
from lossapp.formatting import fmt
from lossapp.frames import SliderDef, section_sliders, show_stats
from lossapp.line_figures import lines_spec
from lossapp.live_chart import Stat, plotly_chart
from lossapp.side_notes import NOTES_LABEL, beside
from lossapp.spec_frames import Settings, settings_frames, slider_grid
from losscore import JensenShannonLoss, KLDivLoss, ReverseKLDivLoss
from losscore.catalog import CATALOG

#: The support: 61 bins from -5 to 5; the target puts half its mass on a bump at -2 and half on one at +2.
BINS = np.linspace(-5.0, 5.0, 61)
MODES, MODE_WIDTH = (-2.0, 2.0), 0.6

MU = SliderDef("div_mu", "prediction's mean μ", -4.0, 4.0, 0.0, 0.1,
               "Where the one-bump prediction is centred.")
SIGMA = SliderDef("div_sigma", "prediction's width σ", 0.3, 4.0, 2.0, 0.1,
                  "The standard deviation of the one-bump prediction.")

#: (label, catalog loss, colour, dash) of the three divergences, in the order of the stats and the curves.
DIVERGENCES = (
    ("KL(q ‖ p): KLDivLoss, mass-covering", "KLDivLoss", PALETTE[0], "solid"),
    ("KL(p ‖ q): ReverseKLDivLoss, mode-seeking", "ReverseKLDivLoss", PALETTE[1], "dash"),
    ("JS(p, q): JensenShannonLoss, bounded by log 2", "JensenShannonLoss", PALETTE[3], "dot"),
)


def _log_normalised(logits: np.ndarray) -> np.ndarray:
    m = logits.max(axis=-1, keepdims=True)
    shifted = logits - m
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def target() -> np.ndarray:
    """The two-bump target q over :data:`BINS` (sums to 1)."""
    logs = [-(BINS - m) ** 2 / (2 * MODE_WIDTH**2) for m in MODES]
    q = np.exp(_log_normalised(np.array(logs))).sum(axis=0) / len(MODES)
    return q / q.sum()


def bump_log_probs(mu: np.ndarray | float, sigma: np.ndarray | float) -> np.ndarray:
    """Log-probabilities of one discretised Gaussian bump per (mu, sigma) pair over :data:`BINS`: (n, bins)."""
    mu, sigma = np.broadcast_arrays(np.atleast_1d(np.asarray(mu, float)), np.atleast_1d(np.asarray(sigma, float)))
    return _log_normalised(-(BINS[None, :] - mu[:, None]) ** 2 / (2 * sigma[:, None] ** 2))


def divergence_values(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """The three divergences (columns, in :data:`DIVERGENCES` order) of the bumps at each (mu, sigma) from the
    target, by losscore (pred = log p, from_logits=True): shape (n, 3)."""
    log_p = bump_log_probs(mu, sigma)
    q = np.broadcast_to(target(), log_p.shape)
    return np.stack([KLDivLoss()(log_p, q), ReverseKLDivLoss()(log_p, q), JensenShannonLoss()(log_p, q)], axis=1)


@cache_data(max_entries=16, show_spinner=False)
def landscape(sigma: float) -> np.ndarray:
    """The three divergences at every μ of the slider for this σ: shape (μ values, 3)."""
    mus = slider_grid(MU)
    return divergence_values(mus, np.full(mus.size, sigma))


@cache_data(max_entries=4, show_spinner=False)
def best_settings() -> list[tuple[float, float, float]]:
    """Each divergence's smallest value over the sliders' whole grid, and where: (μ, σ, value) in order."""
    mus, sigmas = np.meshgrid(slider_grid(MU), slider_grid(SIGMA), indexing="ij")
    values = divergence_values(mus.ravel(), sigmas.ravel())
    best = values.argmin(axis=0)
    return [(float(mus.ravel()[k]), float(sigmas.ravel()[k]), float(values[k, j])) for j, k in enumerate(best)]


def distributions_spec(mu: float, sigma: float, present: bool) -> tuple[list[dict], dict]:
    """The target and the prediction over the bins (two lines)."""
    p = np.exp(bump_log_probs(mu, sigma)[0])
    return lines_spec(BINS, {"target q (two bumps)": (target(), PALETTE[2], "solid"),
                             "prediction p (one bump)": (p, PALETTE[1], "dash")},
                      x_title="x", y_title="probability", present=present, height=300)


def landscape_spec(mu: float, sigma: float, present: bool) -> tuple[list[dict], dict]:
    """The three divergences against μ at this σ, with the current μ marked."""
    values = landscape(sigma)
    series = {label: (values[:, j], colour, dash) for j, (label, _, colour, dash) in enumerate(DIVERGENCES)}
    return lines_spec(slider_grid(MU), series, x_title="prediction's mean μ", y_title=f"divergence at σ = {sigma:g}",
                      present=present, height=300, marker=mu, y_max=3.0)


def divergence_stats(mu: float, sigma: float) -> list[Stat]:
    values = divergence_values(np.array([mu]), np.array([sigma]))[0]
    return [Stat(label.split(":")[0], fmt(v), f"{name} of this prediction, the target as label")
            for (label, name, _, _), v in zip(DIVERGENCES, values, strict=True)]


@cache_data(max_entries=32, show_spinner=False)
def divergence_frames(mu: float, sigma: float, present: bool, chart: str) -> dict:
    """Frames of both sliders for one chart (``"dist"``, with the numbers, or ``"landscape"``)."""
    spec = distributions_spec if chart == "dist" else landscape_spec

    def numbers(x: Settings) -> list[float]:
        return divergence_values(np.array([x[MU.key]]), np.array([x[SIGMA.key]]))[0].tolist()

    return settings_frames((MU, SIGMA), {MU.key: mu, SIGMA.key: sigma},
                           lambda x: spec(x[MU.key], x[SIGMA.key], present), numbers if chart == "dist" else None)


@cache_resource(max_entries=64, show_spinner=False)
def divergence_figures(mu: float, sigma: float, present: bool) -> tuple[SpecFigure, SpecFigure]:
    """Both charts at one setting, kept: a rerun at the same values (the sliders move in the browser) shows the
    same read-only objects, whose JSON is worked out once (so do the other sections' ``*_figures``)."""
    return SpecFigure(*distributions_spec(mu, sigma, present)), SpecFigure(*landscape_spec(mu, sigma, present))


@st.fragment
def divergences_section(present: bool) -> None:
    """Forward KL, reverse KL and JS of a one-bump prediction from a two-bump target, the bump on sliders."""
    if not present:
        st.markdown(
            "The target q below has two bumps; the prediction p can only make one, and you move it. Forward KL, "
            "Σ q log(q/p), weighs each bin by the target: wherever q has mass and p has almost none, the term "
            "explodes, so the best single bump sits in the middle and spreads wide enough to cover both modes "
            "(mass-covering). Reverse KL, Σ p log(p/q), weighs each bin by the prediction: mass that p puts "
            "where q has none is what costs, so the best bump sits on one mode with its width (mode-seeking), and "
            "a bump in the middle is the worst place. Jensen-Shannon compares both with their average and never "
            "exceeds log 2 ≈ 0.693, so it stays finite wherever the bump goes, and its gradient fades once p and "
            "q no longer overlap. Move μ and σ; the right chart shows each divergence against μ at the current σ."
        )
    left, right = beside(present, label=NOTES_LABEL)
    with left:
        (mu, sigma), sliders = section_sliders(st, [MU, SIGMA])
        best = best_settings()
        st.caption("Best single bump on the sliders' grid: " + "; ".join(
            f"{label.split(':')[0]} at μ = {m:g}, σ = {w:g} ({fmt(v)})"
            for (label, _, _, _), (m, w, v) in zip(DIVERGENCES, best, strict=True)) + ".")
    stats = divergence_stats(mu, sigma)
    dist, land = divergence_figures(mu, sigma, present)
    values = [s.text for s in stats]
    dist_alt = (f"The two-bump target q (modes at −2 and 2) and a one-bump prediction p at μ = {mu:g}, σ = {sigma:g}"
                f": KL(q ‖ p) = {values[0]}, KL(p ‖ q) = {values[1]}, JS = {values[2]}.")
    land_alt = (f"KL(q ‖ p), KL(p ‖ q) and JS against the prediction's mean μ from −4 to 4 at σ = {sigma:g}, "
                f"the current μ = {mu:g} marked; the loss axis stops at 3.")
    with right:
        if sliders:
            plotly_chart(dist, key="div_dist", alt=dist_alt, sliders=sliders, stats=stats,
                         frames=divergence_frames(mu, sigma, present, "dist"))
            st.caption(dist_alt)
            plotly_chart(land, key="div_landscape", alt=land_alt, follow=sliders,
                         frames=divergence_frames(mu, sigma, present, "landscape"))
            st.caption(land_alt)
        else:
            show_stats(stats)
            captioned_chart(dist, "div_dist", dist_alt)
            captioned_chart(land, "div_landscape", land_alt)
    if not present:
        show_counterparts_of([CATALOG["ReverseKLDivLoss"], CATALOG["JensenShannonLoss"]],
                             "Reverse KL and Jensen-Shannon in PyTorch and SciPy")
