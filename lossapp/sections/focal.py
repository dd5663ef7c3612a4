"""Focal loss beside binary cross-entropy: the two curves with gamma on a browser-side slider, and how much of a
batch's gradient the easy examples get under each."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from lossapp.caching import cache_data
from lossapp.charts import captioned_chart, memo_figure
from lossapp.figures import bar_figure, curve_figure
from lossapp.frames import SliderDef, frame_table, section_sliders, show_stats
from lossapp.live_chart import Stat, plotly_chart
from lossapp.model import Curve, CurveView
from losscore import SigmoidBinaryCrossEntropyLoss, SigmoidFocalLoss

#: The logits the curves are drawn over (label 1): wide enough to see the focal curve hug zero on the right.
X = np.linspace(-6.0, 6.0, 481)
GAMMA = SliderDef("fg_gamma", "focusing exponent γ (gamma)", 0.0, 5.0, 2.0, 0.25,
                  "How fast confident, right examples fade out: the loss is BCE × (1 − p_t)^γ. 0 is plain BCE.")
#: The batch: the logit each example gives its right class (so p_t = sigmoid of it), spread as a detector's are,
#: most of them easy. Seeded, so every visitor sees the same numbers.
BATCH_SIZE = 2000
BATCH_MEAN, BATCH_SD = 3.0, 2.0
#: Confidence bins: hard (p_t <= 0.5: wrong), medium, easy (p_t > 0.9).
BINS = (("hard: p_t ≤ 0.5", 0.0, 0.5), ("medium: 0.5 < p_t ≤ 0.9", 0.5, 0.9), ("easy: p_t > 0.9", 0.9, 1.0))
SHARE_SERIES = ("share of the examples", "share of BCE's gradient", "share of focal loss's gradient")


def batch_margins() -> np.ndarray:
    """The right-class logit of every example of the batch."""
    return np.random.default_rng(21).normal(BATCH_MEAN, BATCH_SD, BATCH_SIZE)


def focal_rows(gammas: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Focal loss (no class weight) and dL/dx at label 1 over ``x``, one row per gamma."""
    rows = [SigmoidFocalLoss(alpha=-1.0, gamma=float(g)).value_and_grad(x, np.ones_like(x)) for g in gammas]
    return np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows])


def gradient_shares(gammas: np.ndarray) -> dict[str, np.ndarray]:
    """For each gamma: the share of the batch's total |dL/dx| that each confidence bin gets, under BCE and under
    focal loss, and the focal total over BCE's. Arrays of shape (len(gammas), len(BINS)) and (len(gammas),)."""
    x = batch_margins()
    p_t = 1.0 / (1.0 + np.exp(-x))
    masks = np.stack([(p_t > lo) & (p_t <= hi) if lo > 0 else p_t <= hi for _, lo, hi in BINS])
    g_bce = np.abs(SigmoidBinaryCrossEntropyLoss().value_and_grad(x, np.ones_like(x))[1])
    _, g_focal = focal_rows(gammas, x)
    g_focal = np.abs(g_focal)
    return {
        "examples": masks.mean(axis=1),
        "bce": (masks @ g_bce) / g_bce.sum(),
        "focal": (g_focal @ masks.T) / g_focal.sum(axis=1, keepdims=True),
        "total": g_focal.sum(axis=1) / g_bce.sum(),
        "easy05": (g_focal * (p_t > 0.5)).sum(axis=1) / g_focal.sum(axis=1),
        "bce_easy05": float(g_bce[p_t > 0.5].sum() / g_bce.sum()),
    }


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def share_texts(shares: dict[str, Any]) -> np.ndarray:
    """The numbers under the chart, one row per gamma (texts, as shown)."""
    rows = [[_pct(shares["bce_easy05"]), _pct(e05), _pct(shares["bce"][2]), _pct(f[2]), f"{t:.3f}×"]
            for e05, f, t in zip(shares["easy05"], shares["focal"], shares["total"], strict=True)]
    return np.array(rows, dtype=object)


STAT_LABELS = (
    ("BCE: share from p_t > 0.5", "The part of the batch's total gradient size that the correctly classified "
                                  "examples send, under binary cross-entropy."),
    ("focal: share from p_t > 0.5", "The same under focal loss with this γ."),
    ("BCE: share from p_t > 0.9", "The part sent by the easy examples (p_t > 0.9) under binary cross-entropy."),
    ("focal: share from p_t > 0.9", "The same under focal loss with this γ."),
    ("focal's total gradient ÷ BCE's", "How much gradient the whole batch sends under focal loss, relative to BCE."),
)


@cache_data(max_entries=64, show_spinner=False)
def focal_view(gamma: float) -> CurveView:
    """BCE and focal loss (gamma, no class weight) against the logit, label 1."""
    loss, grad = focal_rows(np.array([gamma]), X)
    bce, bce_grad = SigmoidBinaryCrossEntropyLoss().value_and_grad(X, np.ones_like(X))
    return CurveView(
        title=f"Binary cross-entropy and focal loss (γ = {gamma:g}), label 1",
        # the names stay as γ moves in the browser (the legend is not redrawn)
        curves=(Curve("cross-entropy", X, bce, bce_grad), Curve("focal loss", X, loss[0], grad[0])),
        x_title="logit x of the right class (p_t = sigmoid(x))", label=1.0, y_limits=(0.0, 7.0),
        loss_names=("SigmoidBinaryCrossEntropyLoss", "SigmoidFocalLoss"), params={"gamma": gamma, "alpha": -1.0},
    )


@cache_data(max_entries=16, show_spinner=False)
def focal_frames(gamma: float) -> tuple[dict, dict]:
    """The gamma slider's frames over its whole range: of the curve chart (the focal traces, 2 and 3, and the
    numbers) and of the bar chart (the focal bars, trace 2)."""
    slider = GAMMA.at(gamma)

    def curve_columns(values: np.ndarray) -> dict:
        loss, grad = focal_rows(values, X)
        return {"traces": {2: {"y": loss}, 3: {"y": grad}}, "stats": share_texts(gradient_shares(values))}

    def bar_columns(values: np.ndarray) -> dict:
        return {"traces": {2: {"y": gradient_shares(values)["focal"]}}}

    return {GAMMA.key: frame_table(slider, curve_columns)}, {GAMMA.key: frame_table(slider, bar_columns)}


def _bars(gamma: float, present: bool):
    shares = gradient_shares(np.array([gamma]))
    series = dict(zip(SHARE_SERIES, (shares["examples"], shares["bce"], shares["focal"][0]), strict=True))
    fig = memo_figure("fg_bars", (gamma, present), lambda: bar_figure(
        [name for name, _, _ in BINS], series, y_title="share", present=present, height=300))
    alt = (f"Bars per confidence bin ({', '.join(name for name, _, _ in BINS)}) for a batch of {BATCH_SIZE} "
           f"examples: share of the examples {', '.join(_pct(v) for v in shares['examples'])}; share of BCE's "
           f"gradient {', '.join(_pct(v) for v in shares['bce'])}; share of focal loss's gradient (γ = {gamma:g}) "
           f"{', '.join(_pct(v) for v in shares['focal'][0])}.")
    return fig, alt


@st.fragment
def focal_gamma_section(present: bool) -> None:
    """Focal loss beside BCE with gamma on a slider, and the easy examples' share of a batch's gradient."""
    st.subheader("Focal loss beside cross-entropy: where the gradient goes", anchor="focal-gamma")
    if not present:
        st.markdown(
            "Focal loss multiplies cross-entropy by (1 − p_t)^γ, where p_t is the probability the model gives "
            "the right answer. A detector scores some hundred thousand candidate boxes per image and almost all "
            "are easy background: each one's cross-entropy is small, but together they outweigh the few hard "
            "examples. Move γ and watch the right half of the chart, where the example is already classified "
            "correctly: the focal curve and its gradient flatten towards zero, while the left half (wrong "
            "answers) keeps nearly all of cross-entropy's push. The class weight α is off here (α < 0), so "
            "only γ acts."
        )
    left, right = st.columns([1, 2.4], gap="medium")
    with left:
        values, sliders = section_sliders(st, [GAMMA])
        st.caption(f"The batch: {BATCH_SIZE} examples whose right-class logit is spread as a normal distribution "
                   f"with mean {BATCH_MEAN:g} and standard deviation {BATCH_SD:g} (seeded), so most are easy.")
    gamma = float(values[0])
    shares = gradient_shares(np.array([gamma]))
    stats = [Stat(label, text, help) for (label, help), text in zip(STAT_LABELS, share_texts(shares)[0],
                                                                    strict=True)]
    view = focal_view(gamma)
    fig = memo_figure("fg_curves", (gamma, present), lambda: curve_figure(view, present=present))
    bars, bars_alt = _bars(gamma, present)
    with right:
        if sliders:
            curve_frames, bar_frames = focal_frames(gamma)
            plotly_chart(fig, key="fg_chart", alt=view.alt_text(), sliders=sliders, stats=stats, frames=curve_frames)
            st.caption(view.alt_text())
            plotly_chart(bars, key="fg_bars", alt=bars_alt, follow=sliders, frames=bar_frames)
            st.caption(bars_alt)
        else:
            captioned_chart(fig, "fg_chart", view.alt_text())
            show_stats(stats)
            captioned_chart(bars, "fg_bars", bars_alt)
    if not present:
        st.markdown(
            "With γ = 2 an example the model already gets right with p_t = 0.9 costs 100 times less than under "
            "cross-entropy and sends about 35 times less gradient; one at p_t = 0.5 costs 4 times less and sends "
            "1.7 times less. So the batch's gradient moves from the many easy examples to the hard ones, and its "
            "total shrinks: the focal loss paper starts the classifier's bias at a low prior (p = 0.01) so that "
            "the background does not swamp the first steps."
        )
