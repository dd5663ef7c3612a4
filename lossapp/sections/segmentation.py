"""The segmentation page's sections: a 16-pixel mask and a predicted object you move and resize, with the Dice,
Jaccard and per-pixel cross-entropy values and their gradients on every pixel; then Tversky's alpha and beta
against under- and over-segmentation."""

from __future__ import annotations

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
from losscore import DiceLoss, JaccardLoss, SigmoidBinaryCrossEntropyLoss, TverskyLoss
from losscore.catalog import CATALOG
from losscore.segmentation import overlap_counts, sigmoid_and_slope

PIXELS = 16
PIXEL_NAMES = [str(i) for i in range(PIXELS)]

#: The true masks to choose from: the pixels of the object(s).
MASKS: dict[str, tuple[int, ...]] = {
    "small object": (6, 7, 8),
    "large object": tuple(range(3, 13)),
    "two objects": (2, 3, 10, 11, 12),
    "empty": (),
}

CENTRE = SliderDef("seg_c", "predicted object's centre", 0.0, 15.0, 7.0, 0.5,
                   "The pixel the predicted object is centred on.")
HALF = SliderDef("seg_w", "predicted object's half-width", 0.0, 8.0, 2.0, 0.5,
                 "How far from its centre the prediction says 'object' (p > 0.5), in pixels.")
SHARP = SliderDef("seg_k", "confidence (logit slope)", 0.5, 8.0, 2.0, 0.5,
                  "How fast the logits grow away from the object's edge: low gives soft probabilities near 0.5.")
DICE_SLIDERS = (CENTRE, HALF, SHARP)

ALPHA = SliderDef.of(CATALOG["TverskyLoss"].param("alpha"), "tv_alpha")
BETA = SliderDef.of(CATALOG["TverskyLoss"].param("beta"), "tv_beta")
TV_HALF = SliderDef("tv_w", "predicted object's half-width", 0.0, 8.0, 1.5, 0.5,
                    "Smaller than the true object (half-width 3): missed pixels; larger: false alarms.")
TV_SLIDERS = (ALPHA, BETA, TV_HALF)
#: The Tversky section's fixed scene: a 6-pixel object (half-width 3 around 7.5), a prediction centred on it.
TV_MASK, TV_CENTRE, TV_SHARP = tuple(range(5, 11)), 7.5, 3.0


def mask_of(pixels: tuple[int, ...]) -> np.ndarray:
    t = np.zeros(PIXELS)
    t[list(pixels)] = 1.0
    return t


def logits(centre: float, half: float, sharp: float) -> np.ndarray:
    """A predicted object: positive logits within ``half`` pixels of ``centre``, growing with ``sharp``."""
    return sharp * (half - np.abs(np.arange(PIXELS) - centre))


@cache_data(max_entries=512, show_spinner=False)
def overlap_view(mask: tuple[int, ...], centre: float, half: float, sharp: float) -> dict:
    """Values and per-pixel gradients (w.r.t. the logits) of Dice, Jaccard and the mean per-pixel BCE."""
    x, t = logits(centre, half, sharp)[None], mask_of(mask)[None]
    out: dict = {"p": sigmoid_and_slope(x)[0][0], "t": t[0]}
    for name, loss in (("dice", DiceLoss()), ("jaccard", JaccardLoss()), ("bce", SigmoidBinaryCrossEntropyLoss())):
        value, grad = loss.value_and_grad(x, t)
        out[name], out[f"{name}_grad"] = float(value[0]), grad[0]
    out["tp"], out["fp"], out["fn"] = (float(c[0]) for c in overlap_counts(out["p"][None], t))
    return out


def overlap_stats(r: dict) -> list[Stat]:
    return [Stat("Dice loss", fmt(r["dice"]), "DiceLoss(smooth=1): 1 − (2TP + 1) / (Σp + Σt + 1)"),
            Stat("Jaccard loss", fmt(r["jaccard"]), "JaccardLoss(smooth=1): 1 − (TP + 1) / (TP + FP + FN + 1)"),
            Stat("per-pixel BCE (mean)", fmt(r["bce"]), "SigmoidBCELoss averaged over the 16 pixels, for contrast"),
            Stat("TP", fmt(r["tp"]), "Σ p·t: predicted probability on the object's pixels"),
            Stat("FP", fmt(r["fp"]), "Σ p·(1 − t): predicted probability on the background"),
            Stat("FN", fmt(r["fn"]), "Σ (1 − p)·t: the object's probability the prediction misses")]


def _stat_row(r: dict) -> list[float]:
    return [r["dice"], r["jaccard"], r["bce"], r["tp"], r["fp"], r["fn"]]


def mask_spec(r: dict, present: bool) -> tuple[list[dict], dict]:
    return bar_spec(PIXEL_NAMES, {"true mask t": r["t"], "prediction p = sigmoid(logit)": r["p"]},
                    x_title="pixel", y_title="probability", present=present, height=260)


def grad_spec(r: dict, present: bool) -> tuple[list[dict], dict]:
    return bar_spec(PIXEL_NAMES, {"Dice": r["dice_grad"], "Jaccard": r["jaccard_grad"],
                                  "per-pixel BCE (mean)": r["bce_grad"]},
                    x_title="pixel", y_title="dL/dlogit", present=present, height=260)


@cache_data(max_entries=64, show_spinner=False)
def overlap_frames(mask: tuple[int, ...], centre: float, half: float, sharp: float, present: bool,
                   chart: str) -> dict:
    """Frames of the three prediction sliders for the mask chart (with the numbers) or the gradient chart."""
    spec = mask_spec if chart == "mask" else grad_spec

    def view(x: Settings) -> dict:
        return overlap_view(mask, x[CENTRE.key], x[HALF.key], x[SHARP.key])

    numbers = (lambda x: _stat_row(view(x))) if chart == "mask" else None
    return settings_frames(DICE_SLIDERS, {CENTRE.key: centre, HALF.key: half, SHARP.key: sharp},
                           lambda x: spec(view(x), present), numbers)


@cache_resource(max_entries=64, show_spinner=False)
def overlap_figures(mask: tuple[int, ...], centre: float, half: float, sharp: float,
                    present: bool) -> tuple[SpecFigure, SpecFigure]:
    """The mask and gradient charts at one setting (kept: read-only, their JSON made once)."""
    r = overlap_view(mask, centre, half, sharp)
    return SpecFigure(*mask_spec(r, present)), SpecFigure(*grad_spec(r, present))


@st.fragment
def overlap_section(present: bool) -> None:
    """A 16-pixel mask and a predicted object on sliders: Dice, Jaccard and BCE, and every pixel's gradient."""
    if not present:
        st.markdown(
            "Sixteen pixels in a row: the true mask marks the object, and the prediction is an object you can "
            "move, resize and make more or less confident (the logits rise with the slope inside it and fall "
            "outside). Dice and Jaccard score the overlap as a whole, so a missed small object costs nearly the "
            "maximum however few pixels it has; the mean per-pixel cross-entropy, shown for contrast, charges "
            "each pixel on its own. The lower chart is each pixel's gradient. Where the prediction overlaps the "
            "object, Dice's and Jaccard's pull concentrates on the object's edges, negative (raise the logit) "
            "inside and positive on predicted background. Move the prediction away (centre 15) and make it "
            "confident: Dice's gradient all but vanishes, since the sigmoid is saturated and there is no overlap "
            "to grow, while BCE still pulls each missed pixel with (p − t)/16. That is why segmentation often "
            "trains on Dice plus BCE."
        )
    left, right = beside(present)
    with left:
        name = bound_radio(st, "true mask", list(MASKS), key="seg_mask", horizontal=True, bind=BIND,
                           help="Which pixels belong to the object.")
        (centre, half, sharp), sliders = section_sliders(st, list(DICE_SLIDERS))
    mask = MASKS[name]
    r = overlap_view(mask, centre, half, sharp)
    stats = overlap_stats(r)
    mask_fig, grad_fig = overlap_figures(mask, centre, half, sharp, present)
    obj = f"pixels {', '.join(map(str, mask))}" if mask else "no pixel"
    mask_alt = (f"Bars of the true mask ({name}: {obj}) and the predicted probabilities "
                f"{', '.join(f'{v:.2f}' for v in r['p'])} for the 16 pixels; Dice loss {fmt(r['dice'])}, Jaccard "
                f"loss {fmt(r['jaccard'])}, mean BCE {fmt(r['bce'])}.")
    grad_alt = ("Bars of each pixel's gradient with respect to its logit: Dice "
                f"{', '.join(f'{v:.3f}' for v in r['dice_grad'])}; Jaccard "
                f"{', '.join(f'{v:.3f}' for v in r['jaccard_grad'])}; mean BCE "
                f"{', '.join(f'{v:.3f}' for v in r['bce_grad'])}.")
    with right:
        if sliders:
            plotly_chart(mask_fig, key="seg_mask_chart", alt=mask_alt, sliders=sliders, stats=stats,
                         frames=overlap_frames(mask, centre, half, sharp, present, "mask"))
            st.caption(mask_alt)
            plotly_chart(grad_fig, key="seg_grad_chart", alt=grad_alt, follow=sliders,
                         frames=overlap_frames(mask, centre, half, sharp, present, "grad"))
            st.caption(grad_alt)
        else:
            show_stats(stats)
            captioned_chart(mask_fig, "seg_mask_chart", mask_alt)
            captioned_chart(grad_fig, "seg_grad_chart", grad_alt)
    if not present:
        show_counterparts_of([CATALOG["DiceLoss"], CATALOG["JaccardLoss"]],
                             "Dice and Jaccard in PyTorch (segmentation-models-pytorch)")


# -- Tversky ---------------------------------------------------------------------------------------------------
def tversky_curves(alpha: float, beta: float) -> dict:
    """Tversky (alpha, beta), Dice and Jaccard against the predicted half-width, on the fixed scene."""
    halves = slider_grid(TV_HALF)
    x = np.stack([logits(TV_CENTRE, w, TV_SHARP) for w in halves])
    t = np.broadcast_to(mask_of(TV_MASK), x.shape)
    return {"w": halves, "tversky": TverskyLoss(alpha=alpha, beta=beta)(x, t), "dice": DiceLoss()(x, t),
            "jaccard": JaccardLoss()(x, t)}


@cache_data(max_entries=512, show_spinner=False)
def tversky_view(alpha: float, beta: float, half: float) -> dict:
    x, t = logits(TV_CENTRE, half, TV_SHARP)[None], mask_of(TV_MASK)[None]
    value, grad = TverskyLoss(alpha=alpha, beta=beta).value_and_grad(x, t)
    p = sigmoid_and_slope(x)[0]
    tp, fp, fn = (float(c[0]) for c in overlap_counts(p, t))
    curves = tversky_curves(alpha, beta)
    return {"value": float(value[0]), "grad": grad[0], "p": p[0], "t": t[0], "tp": tp, "fp": fp, "fn": fn,
            "curves": curves, "best": float(curves["w"][int(np.argmin(curves["tversky"]))])}


def tversky_stats(r: dict, alpha: float, beta: float) -> list[Stat]:
    return [Stat("Tversky loss", fmt(r["value"]), f"TverskyLoss(alpha={alpha:g}, beta={beta:g}, smooth=1)"),
            Stat("α·FP (false alarms)", fmt(alpha * r["fp"]), "FP = Σ p·(1 − t), weighted by alpha"),
            Stat("β·FN (missed pixels)", fmt(beta * r["fn"]), "FN = Σ (1 − p)·t, weighted by beta"),
            Stat("best half-width", fmt(r["best"]), "Where the Tversky curve is lowest (the true object: 3)")]


def _tversky_stat_row(r: dict, alpha: float, beta: float) -> list[float]:
    return [r["value"], alpha * r["fp"], beta * r["fn"], r["best"]]


def tversky_curve_spec(r: dict, half: float, present: bool) -> tuple[list[dict], dict]:
    c = r["curves"]
    return lines_spec(c["w"], {"Tversky (α, β)": (c["tversky"], PALETTE[3], "solid"),
                               "Dice": (c["dice"], PALETTE[0], "dash"), "Jaccard": (c["jaccard"], PALETTE[1], "dot")},
                      x_title="predicted object's half-width (the true one: 3)", y_title="loss", present=present,
                      height=280, marker=half, vlines=((3.0, "true half-width", "#555555"),))


def tversky_bars_spec(r: dict, present: bool) -> tuple[list[dict], dict]:
    return bar_spec(PIXEL_NAMES, {"true mask t": r["t"], "prediction p": r["p"], "Tversky dL/dlogit": r["grad"]},
                    x_title="pixel", y_title="probability · gradient", present=present, height=260)


@cache_data(max_entries=64, show_spinner=False)
def tversky_frames(alpha: float, beta: float, half: float, present: bool, chart: str) -> dict:
    """Frames of alpha, beta and the half-width for the curve chart (with the numbers) or the bars."""

    def view(x: Settings) -> dict:
        return tversky_view(x[ALPHA.key], x[BETA.key], x[TV_HALF.key])

    def spec(x: Settings) -> tuple[list[dict], dict]:
        return tversky_curve_spec(view(x), x[TV_HALF.key], present) if chart == "curve" else \
            tversky_bars_spec(view(x), present)

    return settings_frames(TV_SLIDERS, {ALPHA.key: alpha, BETA.key: beta, TV_HALF.key: half}, spec,
                           (lambda x: _tversky_stat_row(view(x), x[ALPHA.key], x[BETA.key])) if chart == "curve"
                           else None)


@cache_resource(max_entries=64, show_spinner=False)
def tversky_figures(alpha: float, beta: float, half: float, present: bool) -> tuple[SpecFigure, SpecFigure]:
    """The curve and the bars at one setting (kept: read-only, their JSON made once)."""
    r = tversky_view(alpha, beta, half)
    return SpecFigure(*tversky_curve_spec(r, half, present)), SpecFigure(*tversky_bars_spec(r, present))


@st.fragment
def tversky_section(present: bool) -> None:
    """Tversky's alpha and beta against a prediction that is too small (misses) or too large (false alarms)."""
    if not present:
        st.markdown(
            "Here the true object is fixed (pixels 5 to 10, half-width 3) and the prediction is centred on it; "
            "only its size moves. Too small and it misses object pixels (false negatives, weighted by beta); too "
            "large and it paints background (false positives, weighted by alpha). With alpha = beta = 0.5 the "
            "Tversky curve is Dice's (up to the smoothing); raise beta above alpha and the left side, the missed "
            "pixels, gets steeper: a network trained with it prefers to over-segment, which is what you want "
            "for small lesions that must not be missed. alpha = beta = 1 is the Jaccard loss."
        )
    left, right = beside(present, label=None)
    with left:
        (alpha, beta, half), sliders = section_sliders(st, list(TV_SLIDERS))
    r = tversky_view(alpha, beta, half)
    stats = tversky_stats(r, alpha, beta)
    curve, bars = tversky_figures(alpha, beta, half, present)
    curve_alt = (f"Tversky loss with alpha {alpha:g} and beta {beta:g}, Dice and Jaccard against the predicted "
                 f"half-width from 0 to 8 (the true object's is 3); at {half:g}: Tversky {fmt(r['value'])}; "
                 f"the Tversky curve is lowest at {r['best']:g}.")
    bars_alt = (f"Bars of the true mask (pixels 5 to 10), the predicted probabilities "
                f"{', '.join(f'{v:.2f}' for v in r['p'])} and Tversky's gradient per pixel "
                f"{', '.join(f'{v:.3f}' for v in r['grad'])}.")
    with right:
        if sliders:
            plotly_chart(curve, key="tv_curve", alt=curve_alt, sliders=sliders, stats=stats,
                         frames=tversky_frames(alpha, beta, half, present, "curve"))
            st.caption(curve_alt)
            plotly_chart(bars, key="tv_bars", alt=bars_alt, follow=sliders,
                         frames=tversky_frames(alpha, beta, half, present, "bars"))
            st.caption(bars_alt)
        else:
            show_stats(stats, per_row=2)
            captioned_chart(curve, "tv_curve", curve_alt)
            captioned_chart(bars, "tv_bars", bars_alt)
    if not present:
        show_counterparts(CATALOG["TverskyLoss"])
