"""The Embeddings page's sections on softmax-over-cosines losses: InfoNCE's temperature (the softmax over the
negatives as it moves) and CosFace's and ArcFace's margins (the target logit and the decision boundary against the
angle)."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from lossapp.bound_widgets import bound_radio
from lossapp.caching import cache_data, cache_resource
from lossapp.charts import captioned_chart
from lossapp.controls import BIND
from lossapp.counterparts import show_counterparts, show_counterparts_of
from lossapp.figures import PALETTE, SpecFigure, bar_spec
from lossapp.formatting import fmt
from lossapp.frames import SliderDef, section_sliders, show_stats
from lossapp.line_figures import lines_spec
from lossapp.live_chart import Stat, plotly_chart
from lossapp.side_notes import beside
from lossapp.spec_frames import Settings, settings_frames, slider_grid
from losscore import ArcFaceLoss, CosFaceLoss, InfoNCELoss
from losscore.catalog import CATALOG


def _unit(angles: np.ndarray | list[float]) -> np.ndarray:
    a = np.asarray(angles, dtype=float)
    return np.stack([np.cos(a), np.sin(a)], axis=-1)


# -- InfoNCE ---------------------------------------------------------------------------------------------------
#: Anchor 0 points along angle 0 and its positive at 0.35 rad; the other rows' positives (anchor 0's negatives)
#: at these angles, the first K of them used; every other anchor sits 0.2 rad from its own positive.
POSITIVE_ANGLE = 0.35
NEGATIVE_ANGLES = (0.8, -1.1, 1.9, -2.4, 2.9, 1.4, -0.6)
TEMPERATURE = SliderDef("nce_t", "temperature τ", 0.02, 2.0, 0.1, 0.02,
                        "The cosines are divided by τ before the softmax: small τ, sharp softmax.")


def nce_batch(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Anchors and positives of a batch of k + 1 pairs in the plane (row 0 is the anchor the section follows)."""
    pos_angles = np.array([POSITIVE_ANGLE, *NEGATIVE_ANGLES[:k]])
    anchor_angles = np.concatenate([[0.0], pos_angles[1:] + 0.2])
    return _unit(anchor_angles), _unit(pos_angles)


@cache_data(max_entries=512, show_spinner=False)
def nce_view(k: int, temperature: float) -> dict:
    """Anchor 0's softmax over its candidates (the positive first), its loss and the batch's mean loss."""
    a, p = nce_batch(k)
    loss = InfoNCELoss(temperature=temperature)
    z = loss.logits(a, p)[0]
    probs = np.exp(z - z.max())
    probs /= probs.sum()
    values = loss(a, p)
    negatives = probs[1:]
    return {"probs": probs, "loss": float(values[0]), "mean": float(values.mean()),
            "hardest": float(negatives.max() / negatives.sum()), "cos": a[0] @ p.T}


@cache_data(max_entries=16, show_spinner=False)
def nce_curve(k: int) -> np.ndarray:
    """Anchor 0's loss at every temperature of the slider."""
    a, p = nce_batch(k)
    return np.array([InfoNCELoss(temperature=float(t))(a, p)[0] for t in slider_grid(TEMPERATURE)])


def nce_stats(r: dict, k: int) -> list[Stat]:
    return [Stat("anchor 0's InfoNCE loss", fmt(r["loss"]), "−log of the positive's softmax probability"),
            Stat("p(positive)", fmt(r["probs"][0]), "the softmax probability anchor 0 gives its own positive"),
            Stat("hardest negative's share", fmt(r["hardest"]),
                 f"its part of the push away from the {k} negatives (1/{k} = {fmt(1 / k)} if all were equal)"),
            Stat("mean loss of the batch", fmt(r["mean"]), "what NTXentLoss of pytorch-metric-learning returns")]


def _nce_names(k: int) -> list[str]:
    return ["positive"] + [f"negative {j + 1}" for j in range(k)]


def nce_probs_spec(k: int, temperature: float, present: bool) -> tuple[list[dict], dict]:
    r = nce_view(k, temperature)
    return bar_spec(_nce_names(k), {"softmax probability, anchor 0": r["probs"], "cosine to anchor 0": r["cos"]},
                    x_title="candidate", y_title="probability · cosine", present=present, height=280)


def nce_curve_spec(k: int, temperature: float, present: bool) -> tuple[list[dict], dict]:
    taus = slider_grid(TEMPERATURE)
    uniform = np.full(taus.size, math.log(k + 1))
    return lines_spec(taus, {"anchor 0's loss": (nce_curve(k), PALETTE[0], "solid"),
                             f"log(K + 1) = log {k + 1}: a uniform softmax": (uniform, "#555555", "dot")},
                      x_title="temperature τ", y_title="InfoNCE loss", present=present, height=260, marker=temperature)


@cache_data(max_entries=64, show_spinner=False)
def nce_frames(k: int, temperature: float, present: bool, chart: str) -> dict:
    """Frames of the temperature for one chart (``"probs"``, with the numbers, or ``"curve"``)."""
    spec = nce_probs_spec if chart == "probs" else nce_curve_spec

    def numbers(x: Settings) -> list[float]:
        r = nce_view(k, x[TEMPERATURE.key])
        return [r["loss"], r["probs"][0], r["hardest"], r["mean"]]

    return settings_frames((TEMPERATURE,), {TEMPERATURE.key: temperature},
                           lambda x: spec(k, x[TEMPERATURE.key], present), numbers if chart == "probs" else None)


@cache_resource(max_entries=64, show_spinner=False)
def nce_figures(k: int, temperature: float, present: bool) -> tuple[SpecFigure, SpecFigure]:
    """The probabilities and the temperature curve at one setting (kept: read-only, their JSON made once)."""
    return SpecFigure(*nce_probs_spec(k, temperature, present)), SpecFigure(*nce_curve_spec(k, temperature, present))


@st.fragment
def infonce_section(present: bool) -> None:
    """InfoNCE on a batch of unit vectors in the plane: the softmax over anchor 0's candidates as τ moves."""
    if not present:
        st.markdown(
            "A batch of pairs of unit vectors in the plane. Anchor 0 points along angle 0, its positive 0.35 rad "
            "away; the other pairs' positives are its negatives, at fixed angles. InfoNCE is a softmax "
            "cross-entropy over anchor 0's cosines to every positive, divided by the temperature τ. At a large τ "
            "the softmax is nearly uniform: the loss approaches log(K + 1) and every negative is pushed about "
            "equally. At a small τ the softmax concentrates on the candidates with the largest cosine: once the "
            "positive is the closest, the loss falls toward 0, and what is left of the push goes almost entirely "
            "to the hardest negative (the one nearest the anchor). SimCLR uses τ around 0.1 to 0.5, CLIP learns it."
        )
    left, right = st.columns([1, 1.6], gap="medium")
    with left:
        k = int(bound_radio(st, "number of negatives K", [1, 2, 3, 4, 5, 6, 7], index=3, key="nce_k",
                            horizontal=True, bind=BIND, help="How many other pairs the batch has besides anchor 0's."))
        (temperature,), sliders = section_sliders(st, [TEMPERATURE])
    r = nce_view(k, temperature)
    stats = nce_stats(r, k)
    probs_fig, curve_fig = nce_figures(k, temperature, present)
    probs_alt = (f"Bars of anchor 0's softmax probabilities at τ = {temperature:g} over its positive and {k} "
                 f"negatives: {', '.join(f'{v:.3f}' for v in r['probs'])}, beside their cosines to the anchor "
                 f"{', '.join(f'{v:.2f}' for v in r['cos'])}.")
    curve_alt = (f"Anchor 0's InfoNCE loss against the temperature from 0.02 to 2 with {k} negatives, rising toward "
                 f"log {k + 1} = {math.log(k + 1):.3f}; at τ = {temperature:g} it is {fmt(r['loss'])}.")
    with right:
        if sliders:
            plotly_chart(probs_fig, key="nce_probs", alt=probs_alt, sliders=sliders, stats=stats,
                         frames=nce_frames(k, temperature, present, "probs"))
            st.caption(probs_alt)
            plotly_chart(curve_fig, key="nce_curve", alt=curve_alt, follow=sliders,
                         frames=nce_frames(k, temperature, present, "curve"))
            st.caption(curve_alt)
        else:
            show_stats(stats, per_row=2)
            captioned_chart(probs_fig, "nce_probs", probs_alt)
            captioned_chart(curve_fig, "nce_curve", curve_alt)
    if not present:
        show_counterparts(CATALOG["InfoNCELoss"])


# -- CosFace and ArcFace ---------------------------------------------------------------------------------------
#: Two class centres 90 degrees apart; the embedding (class 0) turns from its own centre (θ = 0) to past the other.
OTHER_CENTRE = math.pi / 2
THETAS = np.linspace(0.0, math.pi, 181)
SCALE = SliderDef.of(CATALOG["CosFaceLoss"].param("scale"), "mg_scale")
COS_MARGIN = SliderDef("mg_cos", "CosFace margin m (cosine)", 0.0, 1.0, 0.35, 0.05,
                       "CosFace subtracts it from the true class's cosine.")
ARC_MARGIN = SliderDef("mg_arc", "ArcFace margin m (radians)", 0.0, 1.5, 0.5, 0.05,
                       "ArcFace adds it to the angle between the embedding and its class centre.")
MARGIN_SLIDERS = (SCALE, COS_MARGIN, ARC_MARGIN)
#: (name, colour, dash) of the three logit rules: no margin, CosFace, ArcFace.
RULES = (("plain softmax (no margin)", "#555555", "dot"), ("CosFace", PALETTE[0], "solid"),
         ("ArcFace", PALETTE[2], "dash"))


def _boundary(target: np.ndarray, other: np.ndarray) -> float:
    """The first angle where the true class's logit stops beating the other's (NaN: it never wins)."""
    diff = target - other
    if diff[0] <= 0:
        return math.nan
    k = int(np.argmax(diff <= 0))
    if k == 0:
        return math.nan
    t0, t1, d0, d1 = THETAS[k - 1], THETAS[k], diff[k - 1], diff[k]
    return float(t0 + (t1 - t0) * d0 / (d0 - d1))


@cache_data(max_entries=512, show_spinner=False)
def margin_view(scale: float, cos_margin: float, arc_margin: float) -> dict:
    """Target logits (in cosine units), the other class's cosine, the losses by losscore and the boundaries."""
    emb = _unit(THETAS)
    centres = _unit([0.0, OTHER_CENTRE])
    label = np.zeros(THETAS.size)
    plain = CosFaceLoss(scale=scale, margin=0.0)
    cosface = CosFaceLoss(scale=scale, margin=cos_margin)
    arcface = ArcFaceLoss(scale=scale, margin=arc_margin)
    cos = np.cos(THETAS)
    targets = (cos, cosface.target_logit(cos)[0], arcface.target_logit(cos)[0])
    other = np.cos(OTHER_CENTRE - THETAS)
    losses = tuple(loss(emb, label, centres) for loss in (plain, cosface, arcface))
    bounds = tuple(_boundary(t, other) for t in targets)
    return {"targets": targets, "other": other, "losses": losses, "bounds": bounds}


def _degrees(angle: float) -> str:
    return "never wins" if math.isnan(angle) else f"{math.degrees(angle):.1f}°"


def margin_stats(r: dict) -> list[Stat]:
    return [Stat(f"{name}: class 0 wins up to", _degrees(b),
                 "The angle from its own centre at which the true class's logit falls to the other class's "
                 "(the other centre is 90° away)") for (name, _, _), b in zip(RULES, r["bounds"], strict=True)]


def margin_stat_texts(r: dict) -> list[str]:
    return [s.text for s in margin_stats(r)]


def _bound_lines(r: dict) -> tuple[tuple[float, str, str], ...]:
    return tuple((b if not math.isnan(b) else -1.0, f"{name} boundary", colour)
                 for (name, colour, _), b in zip(RULES, r["bounds"], strict=True))


def logits_spec(scale: float, cos_margin: float, arc_margin: float, present: bool) -> tuple[list[dict], dict]:
    r = margin_view(scale, cos_margin, arc_margin)
    series = {f"{name}: true class": (t, colour, dash) for (name, colour, dash), t in zip(RULES, r["targets"],
                                                                                       strict=True)}
    series["other class: cos(90° − θ)"] = (r["other"], PALETTE[1], "dashdot")
    spec = lines_spec(np.degrees(THETAS), series, x_title="angle θ to the true class's centre (degrees)",
                      y_title="logit ÷ scale", present=present, height=300,
                      vlines=tuple((math.degrees(at), name, colour) for at, name, colour in _bound_lines(r)))
    spec[1]["yaxis"]["range"] = [-2.6, 1.05]
    return spec


def margin_loss_spec(scale: float, cos_margin: float, arc_margin: float, present: bool) -> tuple[list[dict], dict]:
    r = margin_view(scale, cos_margin, arc_margin)
    series = {name: (loss, colour, dash) for (name, colour, dash), loss in zip(RULES, r["losses"], strict=True)}
    return lines_spec(np.degrees(THETAS), series, x_title="angle θ to the true class's centre (degrees)",
                      y_title=f"loss (scale {scale:g})", present=present, height=280)


@cache_data(max_entries=64, show_spinner=False)
def margin_frames(scale: float, cos_margin: float, arc_margin: float, present: bool, chart: str) -> dict:
    """Frames of the three sliders for one chart (``"logits"``, with the numbers, or ``"loss"``)."""
    spec = logits_spec if chart == "logits" else margin_loss_spec

    def at(x: Settings) -> tuple[float, float, float]:
        return x[SCALE.key], x[COS_MARGIN.key], x[ARC_MARGIN.key]

    return settings_frames(MARGIN_SLIDERS, {SCALE.key: scale, COS_MARGIN.key: cos_margin, ARC_MARGIN.key: arc_margin},
                           lambda x: spec(*at(x), present),
                           (lambda x: margin_stat_texts(margin_view(*at(x)))) if chart == "logits" else None)


@cache_resource(max_entries=64, show_spinner=False)
def margin_figures(scale: float, cos_margin: float, arc_margin: float, present: bool) -> tuple[SpecFigure, SpecFigure]:
    """The logits and the losses at one setting (kept: read-only, their JSON made once)."""
    return (SpecFigure(*logits_spec(scale, cos_margin, arc_margin, present)),
            SpecFigure(*margin_loss_spec(scale, cos_margin, arc_margin, present)))


@st.fragment
def margins_section(present: bool) -> None:
    """CosFace's and ArcFace's changed target logit against the angle, the decision boundaries and the losses."""
    if not present:
        st.markdown(
            "Two classes whose centres are 90° apart on the unit circle, and an embedding of class 0 that turns "
            "from its own centre (θ = 0) toward and past the other. Plain softmax over scaled cosines gives class "
            "0 the win up to 45°, halfway. CosFace lowers the true class's cosine by m, ArcFace adds m to its "
            "angle: either way the embedding has to come closer to its own centre than to the other by a margin "
            "before the loss is satisfied, so the boundary, where the true class's logit meets the other's, moves "
            "toward the true centre. ArcFace's margin is a constant angle (its boundary is at (90° − m)/2); "
            "CosFace's is constant in cosine, which is a wider angle near the centres. The scale sets how sharp "
            "the softmax is: the lower chart's losses."
        )
    left, right = beside(present, label=None)
    with left:
        (scale, cos_margin, arc_margin), sliders = section_sliders(st, list(MARGIN_SLIDERS))
    r = margin_view(scale, cos_margin, arc_margin)
    stats = margin_stats(r)
    logits_fig, loss_fig = margin_figures(scale, cos_margin, arc_margin, present)
    bounds = ", ".join(f"{name} {_degrees(b)}" for (name, _, _), b in zip(RULES, r["bounds"], strict=True))
    logits_alt = (f"The true class's logit divided by the scale against the angle θ from 0° to 180°: cos θ (no "
                  f"margin), cos θ − {cos_margin:g} (CosFace) and ArcFace's cos(θ + {arc_margin:g}), beside the "
                  f"other class's cos(90° − θ); class 0 wins up to: {bounds}.")
    loss_alt = (f"The losses against θ at scale {scale:g}: plain softmax, CosFace (m = {cos_margin:g}) and ArcFace "
                f"(m = {arc_margin:g}); at θ = 0 they are {', '.join(fmt(v[0]) for v in r['losses'])}.")
    with right:
        if sliders:
            plotly_chart(logits_fig, key="mg_logits", alt=logits_alt, sliders=sliders, stats=stats,
                         frames=margin_frames(scale, cos_margin, arc_margin, present, "logits"))
            st.caption(logits_alt)
            plotly_chart(loss_fig, key="mg_loss", alt=loss_alt, follow=sliders,
                         frames=margin_frames(scale, cos_margin, arc_margin, present, "loss"))
            st.caption(loss_alt)
        else:
            show_stats(stats)
            captioned_chart(logits_fig, "mg_logits", logits_alt)
            captioned_chart(loss_fig, "mg_loss", loss_alt)
    if not present:
        show_counterparts_of([CATALOG["CosFaceLoss"], CATALOG["ArcFaceLoss"]],
                             "CosFace and ArcFace in PyTorch (pytorch-metric-learning)")
