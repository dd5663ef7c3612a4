"""The SDML section: a batch of paired embeddings, their distances, P and the smoothed targets Q."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lossapp import deep_dives as dd
from lossapp import deep_figures, figures
from lossapp.caching import cache_data
from lossapp.charts import captioned_chart, memo_figure
from lossapp.controls import array_input, bound_slider, control_key, param_controls
from lossapp.counterparts import show_counterparts
from lossapp.formatting import fmt, nums
from lossapp.frames import SliderDef, frame_table, section_sliders, show_stats, traces_columns
from lossapp.live_chart import ClientSlider, Stat, live_charts_enabled, plotly_chart
from lossapp.offline_export import offline_download
from lossapp.side_notes import notes_and_inputs
from losscore.catalog import CATALOG, LossSpec


@cache_data(max_entries=256, show_spinner=False)
def sdml_terms(x1: tuple, x2: tuple, alpha: float, lr: float = 0.25) -> dict:
    return dd.sdml_view(x1, x2, alpha, lr)


@st.fragment
def sdml_section(present: bool) -> None:
    """A batch of paired embeddings: the pairs with their gradient steps, distances, P and the smoothed Q."""
    spec = CATALOG["SDMLLoss"]
    st.header(spec.title, anchor="sdml")
    st.latex(spec.formula)
    st.markdown(spec.summary)
    left, right = notes_and_inputs(
        "Row i of x1 and row i of x2 are a matching pair, for example two views of the same object. Each x1 "
        "row turns its squared distances to all x2 rows into a softmax over −distance (P) and is scored "
        "against targets Q that put 1 − α on its partner and spread α over the others. There are no labels "
        "to type: the other pairs in the batch serve as negatives. Smoothing (α > 0) stops the loss from "
        "demanding that partners coincide and others be infinitely far. Like MXNet, the loss ignores "
        "`weight`.", present
    )
    with left:
        x1 = array_input("x1", "0, 0; 3, 0; 0, 3", "sdml_x1", ndim=2, help="One embedding per row (B rows, B >= 2).")
        x2 = array_input("x2", "0.5, 0; 3, 1; 2, 2", "sdml_x2", ndim=2, help="The partner of each x1 row, same shape.")
        plane = x1 is not None and x2 is not None and x1.shape == x2.shape and x1.shape[1] == 2
        if plane and live_charts_enabled():  # under the pairs chart, moved in the browser
            (alpha, lr), sliders = section_sliders(st, sdml_slider_defs(spec))
        else:
            sliders = ()
            alpha = param_controls(spec, "sdml")["smoothing_parameter"]
            lr = float(bound_slider(st, SDML_LR.label, SDML_LR.low, SDML_LR.high, SDML_LR.default, SDML_LR.step,
                                    key=SDML_LR.key, help=SDML_LR.help))
    if x1 is None or x2 is None:
        return
    try:
        r = sdml_terms(tuple(map(tuple, x1)), tuple(map(tuple, x2)), alpha, lr)
    except (ValueError, TypeError) as exc:
        left.error(str(exc))
        return
    with right:
        _sdml_charts(x1, x2, r, alpha, lr, sliders, present)
    if not present:
        show_counterparts(spec)



def _sdml_charts(x1: np.ndarray, x2: np.ndarray, r: dict, alpha: float, lr: float,
                 sliders: tuple[ClientSlider, ...], present: bool) -> None:
    """The mean loss, the pairs in the plane with their step arrows, and the D, P and Q heatmaps."""
    rows = [f"x1[{i}]" for i in range(len(x1))]
    cols = [f"x2[{j}]" for j in range(len(x2))]
    stats = [Stat("SDML loss, mean over the batch", fmt(r["mean"]),
                  "Gluon returns one value per row: " + ", ".join(fmt(v) for v in r["values"]))]
    if not sliders:
        show_stats(stats, per_row=1)
    per_row, h0, h1, p1, p2 = _sdml_places(present)
    per_row.caption("Per row: " + ", ".join(f"{name} {fmt(v)}" for name, v in zip(rows, r["values"], strict=True)))
    key = (tuple(map(tuple, x1)), tuple(map(tuple, x2)), alpha, lr, present)
    sent: bytes | None = None  # the pairs chart as sent, when drawn with browser-side sliders
    q_fig = memo_figure("sdml_q", (len(x1), alpha, present), lambda: figures.heatmap_figure(
        r["q"], x_labels=cols, y_labels=rows, title="Q: smoothed targets", zmin=0, zmax=1, present=present))
    q_alt = (f"Heatmap of the smoothed target matrix Q for α = {alpha:g}: {1 - alpha:.3g} on the diagonal, "
             f"α/(B − 1) = {alpha / (len(x1) - 1):.3g} elsewhere.")
    with h0:
        if x1.shape[1] == 2:
            fig = memo_figure("sdml_pairs", key, lambda: _sdml_pairs_figure(x1, x2, r, lr, present))
            steps = [f"{n}[{i}] ({v[0]:.3g}, {v[1]:.3g})" for n, g in (("x1", r["g1"]), ("x2", r["g2"]))
                     for i, v in enumerate(-lr * g + 0.0)]
            alt = ("The pairs in the plane, x1 rows (circles) joined to their x2 partners (diamonds); step "
                   "arrows −η·gradient: " + ", ".join(steps) + ".")
            if sliders:
                pairs_frames, q_frames = sdml_frames(tuple(map(tuple, x1)), tuple(map(tuple, x2)), alpha, lr,
                                                     present)
                sent = plotly_chart(fig, key="sdml_pairs", alt=alt, sliders=sliders, stats=stats,
                                    frames=pairs_frames)
                if not present:  # (its accessible name all the same)
                    st.caption(alt)
            else:
                captioned_chart(fig, "sdml_pairs", alt)
        else:
            st.caption("The picture of the pairs needs 2-D embeddings; the matrices below work for any size.")
    with h1:
        fig = memo_figure("sdml_d", key, lambda: figures.heatmap_figure(
            r["dist"], x_labels=cols, y_labels=rows, title="D: squared distances", present=present,
            height=320))
        nearest = ", ".join(f"{rows[i]} → {cols[j]}" for i, j in enumerate(r["nearest"]))
        captioned_chart(fig, "sdml_d", f"Heatmap of the squared distances D between x1 rows and x2 columns: "
                             f"{nums(r['dist'], 3)} row by row; nearest partner per row: {nearest}.")
    with p1:
        fig = memo_figure("sdml_p", key, lambda: figures.heatmap_figure(
            r["p"], x_labels=cols, y_labels=rows, title="P: softmax(−D) per row", zmin=0, zmax=1,
            present=present))
        captioned_chart(fig, "sdml_p", f"Heatmap of the predicted matching probabilities P, row by row: "
                             f"{nums(r['p'], 3)}.")
    with p2:
        if sliders:
            followed = plotly_chart(q_fig, key="sdml_q", alt=q_alt, follow=sliders, frames=q_frames)
            st.caption(q_alt)
            if sent is not None:  # the pairs' sliders and the targets that follow them (the heatmaps do not)
                spec = CATALOG["SDMLLoss"]
                offline_download("sdml", [sent, followed], formula=spec.formula, paragraphs=(spec.summary,))
        else:
            captioned_chart(q_fig, "sdml_q", q_alt)
    if not present:
        st.caption("The loss of row i is the KL divergence of P's row i from Q's row i; it is smallest when "
                   "each x1 row is nearest to its own partner by a clear but finite gap.")

def _sdml_places(present: bool) -> tuple:
    """Where the SDML charts go: the per-row caption, the pairs chart, and the D, P and Q heatmaps. On a page two
    rows of two under the caption; on a projector the pairs chart (its sliders beside it) takes the screen and
    the caption and the three heatmaps fold into an expander under it."""
    if not present:
        per_row = st.container()
        h0, h1 = st.columns(2)
        p1, p2 = st.columns(2)
        return per_row, h0, h1, p1, p2
    h0 = st.container()
    matrices = st.expander("The matrices: distances D, probabilities P, targets Q")
    h1, p1, p2 = matrices.columns(3)
    return matrices, h0, h1, p1, p2


SDML_LR = SliderDef("sdml_lr", "step size η of the arrows", 0.0, 0.5, 0.25, 0.05,
                    "Each arrow is one gradient-descent step: −η × the gradient for that point.")


def sdml_slider_defs(spec: LossSpec) -> list[SliderDef]:
    """The SDML section's sliders: the smoothing parameter α and the arrows' step size."""
    (alpha,) = spec.params
    return [SliderDef.of(alpha, control_key("sdml", alpha.name)), SDML_LR]


def _sdml_pairs_traces(x1: np.ndarray, x2: np.ndarray, r: dict, lr: float, present: bool) -> list[dict]:
    """The pairs chart's traces: the x1 rows (circles) joined to their partners (diamonds), every point with its
    step arrow (hidden where the point does not move)."""
    pts = {**{f"x1[{i}]": v for i, v in enumerate(x1)}, **{f"x2[{i}]": v for i, v in enumerate(x2)}}
    moves = [*((f"x1[{i}]", x1[i], r["g1"][i]) for i in range(len(x1))),
             *((f"x2[{i}]", x2[i], r["g2"][i]) for i in range(len(x2)))]
    colours = {f"x1[{i}]": figures.PALETTE[0] for i in range(len(x1))}
    colours.update({f"x2[{i}]": figures.PALETTE[1] for i in range(len(x2))})
    traces = deep_figures.embedding_traces(
        pts, arrows={f"−η·grad {n}": (v, -lr * g) for n, v, g in moves},
        segments=[("", x1[i], x2[i]) for i in range(len(x1))], colours=colours,
        symbols={f"x2[{i}]": "diamond" for i in range(len(x2))}, present=present)
    shown = iter([bool(np.any(g != 0) and lr > 0) for _, _, g in moves])
    for trace in traces:
        if trace["meta"]["role"] == "arrow":
            trace["visible"] = next(shown)
    return traces


def _sdml_pairs_figure(x1: np.ndarray, x2: np.ndarray, r: dict, lr: float, present: bool):
    return deep_figures.embedding_figure_from(_sdml_pairs_traces(x1, x2, r, lr, present), present=present,
                                              height=320 if present else 360, legend=False)


@cache_data(max_entries=64, show_spinner=False)
def sdml_frames(x1: tuple, x2: tuple, alpha: float, lr: float, present: bool) -> tuple[dict, dict]:
    """The SDML section at every value of its two sliders, the other held: frames of the pairs chart (arrows
    and the mean loss under it) and of the Q heatmap (which α alone moves)."""
    a, b = np.array(x1, dtype=np.float64), np.array(x2, dtype=np.float64)
    defs = sdml_slider_defs(CATALOG["SDMLLoss"])
    base = (alpha, lr)
    shown = _sdml_pairs_traces(a, b, sdml_terms(x1, x2, alpha, lr), lr, present)
    pairs, targets = {}, {}
    for j, d in enumerate(defs):
        def columns(values: np.ndarray, j: int = j) -> dict:
            settings = [(v, base[1]) if j == 0 else (base[0], v) for v in values]
            views = [sdml_terms(x1, x2, float(al), float(step)) for al, step in settings]
            drawn = [_sdml_pairs_traces(a, b, r, float(step), present) for r, (_, step) in zip(views, settings,
                                                                                               strict=True)]
            cols = traces_columns(shown, drawn)
            cols["stats"] = np.array([[r["mean"]] for r in views])
            return cols

        pairs[d.key] = frame_table(d.at(base[j]), columns)
        if j == 0:  # α moves the targets: the heatmap's cells and their numbers
            def q_columns(values: np.ndarray) -> dict:
                qs = [figures.heatmap_trace(sdml_terms(x1, x2, float(v), lr)["q"], x=[], y=[]) for v in values]
                return {"traces": {0: {attr: [q[attr] for q in qs] for attr in ("z", "text") if attr in qs[0]}}}

            targets[d.key] = frame_table(d.at(base[j]), q_columns)
    return pairs, targets
