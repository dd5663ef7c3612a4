"""Plotly builders of the deep-dive views: the CTC lattice, 2-D embedding pictures, Stirling's error.

Same conventions as :mod:`lossapp.figures` (plain dict specs, Okabe-Ito colours, transparent backgrounds, SVG
traces, ``meta={"role": ...}`` on every trace so tests can find what they check), no Streamlit.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from lossapp.figures import (
    GRAD_DOMAIN,
    LOSS_DOMAIN,
    PALETTE,
    PRESENT_FONT,
    ZERO,
    _axis,
    _layout,
    figure_from_spec,
    for_projector,
    heatmap_trace,
)

__all__ = [
    "FrozenFigure",
    "freeze",
    "ctc_lattice_figure",
    "ctc_lattice_spec",
    "ctc_probs_figure",
    "ctc_probs_spec",
    "embedding_figure",
    "embedding_traces",
    "embedding_figure_from",
    "circle_shapes",
    "stirling_figure",
]

GREEDY = "#D55E00"  # vermillion: stands out on cividis
EDGE = "rgba(128, 128, 128, 0.45)"  # the lattice's allowed moves: visible on cividis, the cell text still legible


class FrozenFigure(go.Figure):
    """A read-only figure whose plain-dict form is computed once (see :func:`freeze`)."""

    _frozen: dict | None = None

    def to_dict(self) -> dict:
        return self._frozen if self._frozen is not None else super().to_dict()


def freeze(fig: go.Figure) -> FrozenFigure:
    """``fig`` itself, turned into a :class:`FrozenFigure`, for figures cached and shown on many script runs.

    ``st.plotly_chart`` turns its figure into a dict on every run, and plotly's ``to_dict`` deep-copies every
    array each time. A frozen figure hands out the same dict instead,
    so neither the figure nor that dict may be modified afterwards.
    """
    spec = fig.to_dict()
    fig.__class__ = FrozenFigure
    fig._frozen = spec
    return fig


def _index_axis(labels: Sequence[str], title: str = "", **extra) -> dict:
    """A numeric axis that shows ``labels`` at 0, 1, 2, ... (so lines can be drawn between heatmap cells)."""
    return _axis(title, showgrid=False, zeroline=False, tickmode="array", tickvals=list(range(len(labels))),
                 ticktext=list(labels), **extra)


def ctc_probs_figure(probs: np.ndarray, class_names: Sequence[str], best: Sequence[int], *, title: str = "",
                     present: bool = False, height: int | None = None) -> go.Figure:
    """Per-step class probabilities (classes down, steps across) with the best class of each step boxed.

    ``probs`` is (T, C); ``best`` the argmax class of each valid step (the greedy path, ``meta.role ==
    "greedy"``).
    """
    return figure_from_spec(*ctc_probs_spec(probs, class_names, best, title=title, present=present, height=height))


def ctc_probs_spec(probs: np.ndarray, class_names: Sequence[str], best: Sequence[int], *, title: str = "",
                   present: bool = False, height: int | None = None) -> tuple[list[dict], dict]:
    """:func:`ctc_probs_figure` as plain trace and layout dicts."""
    steps, n_classes = probs.shape
    heat = heatmap_trace(np.asarray(probs).T, x=list(range(steps)), y=list(range(n_classes)), zmin=0, zmax=1)
    heat["customdata"] = _cell_names(tuple(class_names), steps)
    heat["hovertemplate"] = "%{customdata}: %{z:.4g}<extra></extra>"
    best = list(best)
    box = dict(type="scatter", x=list(range(len(best))), y=best, mode="markers", name="best class at each step",
               marker=dict(symbol="square-open", size=30 if present else 26, color=GREEDY, line=dict(width=3)),
               meta={"role": "greedy"}, hoverinfo="skip")
    layout = _layout(height or 110 + 36 * n_classes, present, hovermode="closest",
                     margin=dict(l=60, r=12, t=40 if title else 16, b=40),
                     xaxis=_index_axis([f"t{t}" for t in range(steps)]),
                     yaxis=_index_axis(class_names, autorange="reversed"))
    if title:
        layout["title"] = dict(text=title, x=0, font=dict(size=PRESENT_FONT + 2 if present else 15))
    return for_projector([heat, box], layout) if present else ([heat, box], layout)


def ctc_lattice_figure(states: np.ndarray, valid: np.ndarray, edges: Sequence[tuple[int, int, int]],
                       state_names: Sequence[str], *, from_start: np.ndarray | None = None,
                       to_end: np.ndarray | None = None, title: str = "", present: bool = False,
                       height: int | None = None) -> go.Figure:
    """The alignment lattice: extended-label states down, steps across, posteriors in the cells that lie on a
    complete path (``meta.role == "heatmap"``, other cells empty), allowed moves as grey lines ("edge").

    Without any complete path (an infeasible label) and given ``from_start`` / ``to_end``, it shows instead the
    cells a path can reach from the start and those from which it could still finish ("reach"), which never
    meet.
    """
    return figure_from_spec(*ctc_lattice_spec(states, valid, edges, state_names, from_start=from_start,
                                              to_end=to_end, title=title, present=present, height=height))


def ctc_lattice_spec(states: np.ndarray, valid: np.ndarray, edges: Sequence[tuple[int, int, int]],
                     state_names: Sequence[str], *, from_start: np.ndarray | None = None,
                     to_end: np.ndarray | None = None, title: str = "", present: bool = False,
                     height: int | None = None) -> tuple[list[dict], dict]:
    """:func:`ctc_lattice_figure` as plain trace and layout dicts."""
    steps, n_states = valid.shape
    if not valid.any() and from_start is not None and to_end is not None:
        z = np.where(from_start, 0.0, np.where(to_end, 1.0, np.nan)).T
        heat = dict(type="heatmap", z=z, x=list(range(steps)), y=list(range(n_states)), zmin=0, zmax=1,
                    colorscale=[[0, PALETTE[5]], [1, PALETTE[4]]], showscale=False, meta={"role": "reach"},
                    text=[["from the start" if v == 0 else "to the end" if v == 1 else "" for v in row] for row in z],
                    texttemplate="%{text}", hoverinfo="skip")
        data = [heat]
    else:
        z = np.where(valid, states, np.nan).T
        heat = heatmap_trace(z, x=list(range(steps)), y=list(range(n_states)), zmin=0, zmax=1)
        heat["customdata"] = _cell_names(tuple(f"state {s} ({name})" for s, name in enumerate(state_names)), steps)
        heat["hovertemplate"] = "%{customdata}: %{z:.4g}<extra></extra>"
        xs, ys = _edge_lines(tuple(edges))
        lines = dict(type="scatter", x=xs, y=ys, mode="lines", name="allowed moves",
                     line=dict(color=EDGE, width=1.5), meta={"role": "edge", "count": len(edges)},
                     hoverinfo="skip", showlegend=False)
        data = [heat, lines]
    layout = _layout(height or 110 + 30 * n_states, present, hovermode="closest",
                     margin=dict(l=60, r=12, t=40 if title else 16, b=40),
                     xaxis=_index_axis([f"t{t}" for t in range(steps)], range=[-0.5, steps - 0.5]),
                     yaxis=_index_axis([f"{s}: {name}" for s, name in enumerate(state_names)],
                                       range=[n_states - 0.5, -0.5]))
    if title:
        layout["title"] = dict(text=title, x=0, font=dict(size=PRESENT_FONT + 2 if present else 15))
    return for_projector(data, layout) if present else (data, layout)


@functools.lru_cache(maxsize=256)
def _cell_names(rows: tuple[str, ...], steps: int) -> list[list[str]]:
    """Hover names of a heatmap's cells, "{row}, t{step}"; shared between charts of the same size (frames see at
    once that they did not change); read-only."""
    return [[f"{row}, t{t}" for t in range(steps)] for row in rows]


@functools.lru_cache(maxsize=256)
def _edge_lines(edges: tuple[tuple[int, int, int], ...]) -> tuple[list, list]:
    """The lattice's allowed moves (t, s, s') as one line trace's x and y (None between segments). Shared
    between the charts of a lattice (the same lists: frames see at once that they did not change); read-only."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for t, s, s2 in edges:
        xs += [t, t + 1, None]
        ys += [s, s2, None]
    return xs, ys


def _arrow(name: str, start: Sequence[float], vec: Sequence[float], colour: str, role: str = "arrow",
           **meta) -> dict:
    x0, y0 = float(start[0]), float(start[1])
    x1, y1 = x0 + float(vec[0]), y0 + float(vec[1])
    return dict(type="scatter", x=[x0, x1], y=[y0, y1], mode="lines+markers", name=name,
                line=dict(color=colour, width=2.5),
                marker=dict(symbol=["circle", "arrow"], size=[4, 15], angleref="previous", color=colour),
                meta={"role": role, "name": name, "vector": [float(vec[0]), float(vec[1])], **meta},
                hovertemplate=f"{name}: (%{{x:.3g}}, %{{y:.3g}})<extra></extra>")


def embedding_figure(points: Mapping[str, Sequence[float]], *,
                     arrows: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
                     segments: Sequence[tuple[str, Sequence[float], Sequence[float]]] = (),
                     circles: Sequence[tuple[str, Sequence[float], float, str]] = (),
                     rays: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
                     colours: Mapping[str, str] | None = None, symbols: Mapping[str, str] | None = None,
                     present: bool = False, height: int = 440, x_title: str = "dimension 1",
                     y_title: str = "dimension 2", equal: bool = True, legend: bool = True) -> go.Figure:
    """Points in the plane with arrows, labelled segments and circles, on equal axes.

    ``points``: name → (x, y) ("point"); ``arrows``: name → (start, vector), drawn in the colour of the point
    they start from when it has one, with the vector in ``meta.vector`` ("arrow"); ``rays``: name → (start,
    vector), solid arrows in the colour of the point at their tip ("vector"); ``segments``: (label, start, end)
    dotted lines ("segment"); ``circles``: (label, centre, radius, dash), drawn as layout shapes named by the
    label. ``legend=False`` leaves the legend out (the points are labelled in the plot anyway).
    """
    data = embedding_traces(points, arrows=arrows, segments=segments, rays=rays, colours=colours, symbols=symbols,
                            present=present)
    return embedding_figure_from(data, circles=circles, present=present, height=height, x_title=x_title,
                                 y_title=y_title, equal=equal, legend=legend)


def embedding_figure_from(data: Sequence[dict], *, circles: Sequence[tuple[str, Sequence[float], float, str]] = (),
                          present: bool = False, height: int = 440, x_title: str = "dimension 1",
                          y_title: str = "dimension 2", equal: bool = True, legend: bool = True) -> go.Figure:
    """:func:`embedding_figure` of traces already built (by :func:`embedding_traces`, perhaps adjusted)."""
    yaxis = _axis(y_title, scaleanchor="x", scaleratio=1) if equal else _axis(y_title)
    layout = _layout(height, present, hovermode="closest", xaxis=_axis(x_title), yaxis=yaxis,
                     showlegend=legend, legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0,
                                                    bgcolor="rgba(0, 0, 0, 0)"),
                     margin=dict(l=60, r=12, t=16, b=48), shapes=circle_shapes(circles, legend))
    # the traces come from embedding_traces(present=...), projected already
    return figure_from_spec(list(data), for_projector([], layout)[1] if present else layout)


def circle_shapes(circles: Sequence[tuple[str, Sequence[float], float, str]], legend: bool = True) -> list[dict]:
    """The circles of :func:`embedding_figure`, (label, centre, radius, dash) each, as layout shapes named by their
    label (in the legend too): a moving circle is then four numbers, not a polyline."""
    return [dict(type="circle", xref="x", yref="y", x0=float(c[0]) - r, y0=float(c[1]) - r, x1=float(c[0]) + r,
                 y1=float(c[1]) + r, line=dict(color=ZERO, width=1.5, dash=dash), name=label, showlegend=legend,
                 layer="below") for label, c, r, dash in circles]


def segment_label_at(a: Sequence[float], b: Sequence[float]) -> tuple[tuple[float, float], str]:
    """Where a segment's label goes: two thirds of the way from ``a`` to ``b`` (away from the label of the point
    at ``a``, the anchor every segment starts from), below a mostly horizontal segment and above-outside a
    steeper one (left of one leaning right), so it lies across neither the segment nor the points' labels."""
    ax, ay, bx, by = float(a[0]), float(a[1]), float(b[0]), float(b[1])
    at = (ax + 2 * (bx - ax) / 3, ay + 2 * (by - ay) / 3)
    if abs(bx - ax) > abs(by - ay):
        return at, "bottom center"
    return at, "top left" if (bx - ax) * (by - ay) >= 0 else "top right"


def embedding_traces(points: Mapping[str, Sequence[float]], *,
                     arrows: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
                     segments: Sequence[tuple[str, Sequence[float], Sequence[float]]] = (),
                     rays: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
                     colours: Mapping[str, str] | None = None, symbols: Mapping[str, str] | None = None,
                     present: bool = False) -> list[dict]:
    """The traces of :func:`embedding_figure` (all but the circles, which are layout shapes: :func:`circle_shapes`)
    as plain dicts (cheap: no figure object), in the figure's order."""
    colours = dict(colours or {})
    symbols = symbols or {}
    data: list[dict] = []
    for label, a, b in segments:
        data.append(dict(type="scatter", x=[float(a[0]), float(b[0])], y=[float(a[1]), float(b[1])], mode="lines",
                         name=label, line=dict(color=ZERO, width=1.5, dash="dot"), meta={"role": "segment",
                                                                                      "name": label},
                         hoverinfo="skip", showlegend=False))
        (lx, ly), place = segment_label_at(a, b)
        data.append(dict(type="scatter", x=[lx], y=[ly],
                         mode="text", text=[label], textposition=place, showlegend=False,
                         meta={"role": "segment-label"}, hoverinfo="skip",
                         textfont=dict(size=PRESENT_FONT - 2 if present else 12)))
    at: dict[tuple[float, float], str] = {}
    for i, (name, xy) in enumerate(points.items()):
        colour = colours.setdefault(name, PALETTE[i % len(PALETTE)])
        at[(round(float(xy[0]), 9), round(float(xy[1]), 9))] = colour
        data.append(dict(type="scatter", x=[float(xy[0])], y=[float(xy[1])], mode="markers+text", text=[name],
                         textposition="top center", name=name, textfont=dict(size=PRESENT_FONT - 2 if present else 12),
                         marker=dict(size=15 if present else 12, color=colour, symbol=symbols.get(name, "circle"),
                                     line=dict(color="white", width=1)),
                         meta={"role": "point", "name": name}, hovertemplate=f"{name}: (%{{x:.3g}}, %{{y:.3g}})"
                                                                            "<extra></extra>"))
    for j, (name, (start, vec)) in enumerate((rays or {}).items()):
        tip = (round(float(start[0]) + float(vec[0]), 9), round(float(start[1]) + float(vec[1]), 9))
        data.insert(0, _arrow(name, start, vec, at.get(tip, PALETTE[j % len(PALETTE)]), role="vector"))
    for j, (name, (start, vec)) in enumerate((arrows or {}).items()):
        colour = at.get((round(float(start[0]), 9), round(float(start[1]), 9)), PALETTE[j % len(PALETTE)])
        data.append(_arrow(name, start, vec, colour))
    return for_projector(data, {})[0] if present else data


def stirling_figure(t: np.ndarray, exact: np.ndarray, stirling: np.ndarray, *, present: bool = False,
                    height: int | None = None) -> go.Figure:
    """log(t!) exactly and by Stirling's formula on top ("exact", "stirling"), their difference as bars below
    ("error"), on one shared axis of counts."""
    t = np.asarray(t, dtype=float)
    error = np.asarray(exact) - np.asarray(stirling)
    data = [
        dict(type="scatter", x=t, y=np.asarray(exact, dtype=float), mode="lines+markers",
             name="exact log(t!) = lgamma(t + 1)",
             line=dict(color=PALETTE[0], width=2.5), marker=dict(size=7), xaxis="x", yaxis="y",
             meta={"role": "exact"}, hovertemplate="%{y:.4g}"),
        dict(type="scatter", x=t, y=np.asarray(stirling, dtype=float), mode="lines+markers",
             name="Stirling (compute_full)", line=dict(color=PALETTE[1], width=2, dash="dash"),
             marker=dict(size=7, symbol="diamond"), xaxis="x", yaxis="y", meta={"role": "stirling"},
             hovertemplate="%{y:.4g}"),
        dict(type="bar", x=t, y=error, name="exact − Stirling", marker=dict(color=PALETTE[2]), xaxis="x2",
             yaxis="y2", meta={"role": "error"}, hovertemplate="%{y:.4g}"),
    ]
    layout = _layout(
        height or (560 if present else 440), present, hovermode="x unified",
        xaxis=_axis(anchor="y", domain=[0.0, 1.0], matches="x2", showticklabels=False),
        yaxis=_axis("log(t!)", anchor="x", domain=list(LOSS_DOMAIN)),
        xaxis2=_axis("count t", anchor="y2", domain=[0.0, 1.0]),
        yaxis2=_axis("exact − Stirling", anchor="x2", domain=list(GRAD_DOMAIN)),
    )
    return figure_from_spec(*(for_projector(data, layout) if present else (data, layout)))
