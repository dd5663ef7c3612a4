"""The triplet loss section: anchor, positive and negative in 2-D or as typed vectors, with the margin circle
and one gradient-descent step as arrows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import deep_dives as dd
from lossapp import deep_figures, figures
from lossapp.bound_widgets import bound_radio
from lossapp.caching import cache_data
from lossapp.charts import captioned_chart, memo_figure
from lossapp.controls import BIND, array_input, bound_slider, control_key, format_array, param_controls
from lossapp.counterparts import show_counterparts
from lossapp.formatting import clean, fmt
from lossapp.frames import SliderDef, frame_table, section_sliders, show_stats, traces_columns
from lossapp.live_chart import ClientSlider, Stat, live_charts_enabled, plotly_chart
from lossapp.offline_export import offline_download
from lossapp.side_notes import folded, side_note
from losscore.catalog import CATALOG, LossSpec


@cache_data(max_entries=256, show_spinner=False)
def triplet_terms(a: tuple, p: tuple, n: tuple, margin: float, weight: float, lr: float = 0.25) -> dict:
    return dd.triplet_view(a, p, n, margin, weight, lr)


#: Examples of the triplet view: (anchor, positive, negative) and what they show.
TRIPLET_EXAMPLES: dict[str, tuple[tuple[tuple[float, float], ...], str]] = {
    "AAZ": (((0.0, 0.0), (2.0, 0.0), (1.0, 1.0)), "the tutorial's A, A, Z: the Z is nearer than the other A"),
    "semi-hard": (((0.0, 0.0), (1.0, 0.0), (0.0, 1.2)), "the Z is farther, but not by the margin"),
    "easy": (((0.0, 0.0), (1.0, 0.0), (-2.5, 1.5)), "the Z is far enough: nothing to learn"),
}


_TRI_AXES = ("ax", "ay", "px", "py", "nx", "ny")


def _load_triplet() -> None:
    pts, _ = TRIPLET_EXAMPLES[st.session_state["tri_ex"]]
    flat = [v for pt in pts for v in pt]
    for name, v in zip(_TRI_AXES, flat, strict=True):
        if live_charts_enabled():  # browser-side sliders read the address
            st.query_params[f"tri_{name}"] = f"{v:g}"
        else:
            st.session_state[f"tri_{name}"] = v
    for name, pt in zip(("tri_a", "tri_p", "tri_n"), pts, strict=True):
        st.session_state[name] = format_array(np.array(pt))


@st.fragment
def triplet_section(present: bool) -> None:
    """Anchor, positive and negative in 2-D (sliders) or typed vectors; distances, margin circle, loss, arrows."""
    spec = CATALOG["TripletLoss"]
    st.header(spec.title, anchor="triplet")
    st.latex(spec.formula)
    st.markdown(spec.summary)
    # on a projector the chart takes the width (its sliders beside it); the notes and the example picker fold
    # into expanders side by side above it
    if present:
        note_box, left = st.columns(2)
        right = st.container()
    else:
        note_box = st.container()
        left, right = st.columns([1, 1.6], gap="medium")
    with note_box:
        side_note(
            "In the tutorial's picture the anchor is a handwritten A, the positive another A and the negative a "
            "Z. The loss is zero as soon as the Z is farther from the anchor than the other A by the margin (in "
            "squared distance): outside the dashed circle around the anchor, of radius √(‖p − a‖² + margin). "
            "Until then it pulls the anchor and the positive together and pushes the negative away; the arrows "
            "show one gradient-descent step, −η × losscore's gradient: 2(n − p) for the anchor, 2(p − a) for "
            "the positive, −2(n − a) for the negative. Gluon uses squared distances, unlike PyTorch's "
            "TripletMarginLoss.", present
        )
    with left, folded(present, "Example and points"):
        example = bound_radio(st, "Example", list(TRIPLET_EXAMPLES), key="tri_ex", on_change=_load_triplet, bind=BIND,
                              captions=[c for _, c in TRIPLET_EXAMPLES.values()],
                              help="Places the three points; move them afterwards.")
        pts, _ = TRIPLET_EXAMPLES[example]
        mode = bound_radio(st, "points", ["2-D", "vectors"], key="tri_mode", horizontal=True, bind=BIND,
                           captions=["move them with sliders", "type vectors of any length"],
                           help="2-D points you can drag with sliders, or typed embeddings of any dimension.")
        params, (anchor, positive, negative), lr, values, sliders = _triplet_points(spec, pts, mode)
    vectors = (anchor, positive, negative)
    if any(v is None for v in vectors):
        return
    if len({v.size for v in vectors}) != 1:
        left.error(f"positive and negative need as many numbers as the anchor ({anchor.size}); got "
                   f"{positive.size} and {negative.size}.")
        return
    t = triplet_terms(tuple(anchor), tuple(positive), tuple(negative), params["margin"], params["weight"], lr)
    names = ("anchor", "positive", "negative")
    stats = triplet_stats(t)
    with right:
        if not sliders:
            show_stats(stats, per_row=4)
        if anchor.size == 2:
            steps = [(np.round(-lr * g, 3) + 0.0).tolist() for g in t["grads"]]  # + 0.0: no "-0.0"
            key = (tuple(anchor), tuple(positive), tuple(negative), params["margin"], params["weight"], lr, present)
            fig = memo_figure("triplet", key, lambda: _triplet_figure(vectors, t, lr, present))
            alt = (f"Anchor at {anchor.tolist()}, positive at {positive.tolist()}, negative at {negative.tolist()}; "
                   f"squared distances {fmt(t['d_pos'])} and {fmt(t['d_neg'])}, margin {params['margin']:g}, loss "
                   f"{fmt(t['loss'])}; margin circle of radius {t['r_margin']:.3g} around the anchor; step arrows "
                   "(−η·gradient) " + "; ".join(f"{n} {s}" for n, s in zip(names, steps, strict=True)) + ".")
            if sliders:
                sent = plotly_chart(fig, key="tri_plot", alt=alt, sliders=sliders, stats=stats,
                                    frames=triplet_frames(tuple(values), present))
                if not present:
                    st.caption(alt)
                offline_download("triplet", [sent], formula=spec.formula, paragraphs=(spec.summary,))
            else:
                captioned_chart(fig, "tri_plot", alt)
        with folded(present, "Gradients"):
            st.dataframe(pd.DataFrame(clean(t["grads"]), index=[f"dL/d{n}" for n in names],
                                      columns=[f"dim {j}" for j in range(anchor.size)]), width="content")
        if not present:
            st.caption("The gradients are losscore's (value_and_grad with wrt=('pred', 'positive', 'negative')). "
                       "They are all zero once the negative is outside the margin circle: an easy triplet "
                       "teaches nothing, which is why training mines hard and semi-hard ones.")
    if not present:
        show_counterparts(spec)



def _triplet_points(spec: LossSpec, pts: tuple, mode: str) -> tuple:
    """The loss's parameters, the three points (2-D sliders or typed vectors, None where they do not parse), the
    arrows' step size, the slider values and, with live charts in 2-D, the browser-side sliders."""
    values: list = []
    sliders: tuple[ClientSlider, ...] = ()
    anchor: np.ndarray | None
    positive: np.ndarray | None
    negative: np.ndarray | None
    if mode == "2-D" and live_charts_enabled():  # every slider under the chart, moved in the browser
        values, sliders = section_sliders(st, triplet_slider_defs(spec, pts))
        params = {"margin": values[0], "weight": values[1]}
        anchor, positive, negative = (np.array(values[i:i + 2]) for i in (2, 4, 6))
        lr = float(values[8])
    elif mode == "2-D":
        params = param_controls(spec, "tri")
        defs = triplet_slider_defs(spec, pts)[2:8]
        values = []
        for i in range(3):  # x and y of each point side by side
            cx, cy = st.columns(2)
            values += section_sliders(cx, defs[2 * i:2 * i + 1])[0]
            values += section_sliders(cy, defs[2 * i + 1:2 * i + 2])[0]
        anchor, positive, negative = (np.array(values[i:i + 2], dtype=np.float64) for i in (0, 2, 4))
    else:
        params = param_controls(spec, "tri")
        anchor = array_input("anchor (pred)", format_array(np.array(pts[0])), "tri_a",
                             help="The anchor embedding, e.g. an image of an A.")
        positive = array_input("positive", format_array(np.array(pts[1])), "tri_p",
                               help="An embedding of the same kind (another A).")
        negative = array_input("negative", format_array(np.array(pts[2])), "tri_n",
                               help="An embedding of a different kind (a Z).")
    if not sliders:
        lr = float(bound_slider(st, TRI_LR.label, TRI_LR.low, TRI_LR.high, TRI_LR.default, TRI_LR.step,
                                key=TRI_LR.key, bind=BIND, help=TRI_LR.help))
    return params, (anchor, positive, negative), lr, values, sliders

TRI_LR = SliderDef("tri_lr", "step size η of the arrows", 0.0, 0.5, 0.25, 0.05,
                   "Each arrow is one gradient-descent step: −η × the gradient for that point.")


def triplet_slider_defs(spec: LossSpec, pts: tuple) -> list[SliderDef]:
    """The triplet section's sliders in 2-D: margin, weight, x and y of the anchor, positive and negative (from
    the example ``pts``), and the arrows' step size."""
    params = [SliderDef.of(p, control_key("tri", p.name)) for p in spec.params]
    names = ("anchor (an A)", "positive (another A)", "negative (a Z)")
    coords = [SliderDef(f"tri_{_TRI_AXES[2 * i + j]}", f"{name}: {axis}", -3.0, 3.0, float(pts[i][j]), 0.1,
                        f"{'Horizontal' if j == 0 else 'Vertical'} position of the {name.split()[0]}.")
              for i, name in enumerate(names) for j, axis in enumerate("xy")]
    return params + coords + [TRI_LR]


#: The numbers of the triplet section: (label, entry of the triplet view, help).
TRI_STATS = (
    ("triplet loss", "loss", "weight × max(0, ‖p − a‖² − ‖n − a‖² + margin)"),
    ("‖positive − anchor‖²", "d_pos", ""),
    ("‖negative − anchor‖²", "d_neg", ""),
    ("loss after one step", "loss_after", "The loss once every point has moved along its arrow (η × minus its "
                                          "gradient)"),
)


def triplet_stats(t: dict) -> list[Stat]:
    return [Stat(label, fmt(t[entry]), help) for label, entry, help in TRI_STATS]


_TRI_LABELS = {"anchor": "anchor A", "positive": "positive A", "negative": "negative Z"}


_TRI_COLOURS = {"anchor A": figures.PALETTE[0], "positive A": figures.PALETTE[2], "negative Z": figures.PALETTE[1]}


def _triplet_parts(vectors: tuple, t: dict, lr: float) -> tuple[dict, list]:
    """What the triplet chart draws (keywords of deep_figures.embedding_traces) and its circles. Every point
    has its arrow, hidden where its step is zero (see :func:`_triplet_arrows_shown`)."""
    anchor, positive, negative = vectors
    parts = dict(
        points={_TRI_LABELS[n]: v for n, v in zip(_TRI_LABELS, vectors, strict=True)},
        arrows={f"−η·grad {_TRI_LABELS[n]}": (v, -lr * g) for n, v, g in zip(_TRI_LABELS, vectors, t["grads"],
                                                                             strict=True)},
        segments=[(f"‖p − a‖² = {t['d_pos']:.3g}", anchor, positive),
                  (f"‖n − a‖² = {t['d_neg']:.3g}", anchor, negative)],
        colours=_TRI_COLOURS)
    circles = [("margin: the Z must be outside", anchor, t["r_margin"], "dash"),
               ("the positive's distance", anchor, t["r_pos"], "dot")]
    return parts, circles


def _triplet_arrows_shown(traces, t: dict, lr: float) -> None:
    """Hide the arrows of points that do not move (zero gradient or step size)."""
    moving = iter([bool(np.any(g != 0) and lr > 0) for g in t["grads"]])
    for trace in traces:
        meta = trace["meta"] if isinstance(trace, dict) else trace.meta
        if meta and meta.get("role") == "arrow":
            visible = next(moving)
            if isinstance(trace, dict):
                trace["visible"] = visible
            else:
                trace.visible = visible


def _triplet_figure(vectors: tuple, t: dict, lr: float, present: bool):
    parts, circles = _triplet_parts(vectors, t, lr)
    # on a projector the points' own labels say what they are; a legend would take a third of the height
    fig = deep_figures.embedding_figure(**parts, circles=circles, present=present, legend=not present)
    _triplet_arrows_shown(fig.data, t, lr)
    return fig


@cache_data(max_entries=64, show_spinner=False)
def triplet_frames(values: tuple, present: bool) -> dict:
    """The triplet chart and its numbers for every value of each of the section's sliders, the others held
    (``values``: margin, weight, the six coordinates, the step size)."""
    spec = CATALOG["TripletLoss"]
    defs = triplet_slider_defs(spec, TRIPLET_EXAMPLES["AAZ"][0])
    base = np.array(values, dtype=np.float64)

    def picture(row: np.ndarray) -> tuple[list[dict], list[dict], dict]:
        vectors = tuple(row[i:i + 2] for i in (2, 4, 6))
        t = dd.triplet_view(tuple(vectors[0]), tuple(vectors[1]), tuple(vectors[2]), row[0], row[1], row[8])
        parts, circles = _triplet_parts(vectors, t, row[8])
        traces = deep_figures.embedding_traces(**parts, present=present)
        _triplet_arrows_shown(traces, t, row[8])
        return traces, deep_figures.circle_shapes(circles), t

    shown, _, _ = picture(base)
    frames = {}
    for j, d in enumerate(defs):
        def columns(grid: np.ndarray, j: int = j) -> dict:
            rows = np.tile(base, (grid.size, 1))
            rows[:, j] = grid
            pictures = [picture(row) for row in rows]
            cols = traces_columns(shown, [p[0] for p in pictures])
            cols["shapes"] = {k: {attr: np.array([p[1][k][attr] for p in pictures])
                                  for attr in ("x0", "y0", "x1", "y1")} for k in range(2)}
            cols["stats"] = np.array([[p[2][entry] for _, entry, _ in TRI_STATS] for p in pictures])
            return cols

        s = d.at(base[j])
        frames[d.key] = frame_table(s, columns)
    return frames
