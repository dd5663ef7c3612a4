"""Exports of a loss-vs-prediction chart: a publication figure (PNG/SVG), the plotted numbers (CSV), and
"run it yourself" code for losscore, MXNet Gluon, PyTorch, Keras 3 and optax (written by :mod:`lossapp.snippets`).

Everything here works from the same :class:`~lossapp.model.CurveView` the page hands to the plotly builder, so a
download always holds the numbers on screen. Only :func:`export_panel` touches Streamlit; the rest is plain
Python (matplotlib through ``matplotlib.figure.Figure`` and the Agg canvas: no pyplot, no global figure state, so
rendering is safe on the worker thread Streamlit uses for deferred downloads).

>>> import numpy as np
>>> from lossapp.model import Curve, CurveView
>>> x = np.array([-1.0, 0.0, 1.0])
>>> view = CurveView("Demo", (Curve("L1Loss", x, np.abs(x), np.sign(x)),), loss_names=("L1Loss",))
>>> print(csv_text(view), end="")
prediction,L1Loss loss,L1Loss dL/dpred
-1.0,1.0,-1.0
0.0,0.0,0.0
1.0,1.0,1.0
>>> file_stem(view)
'demo'
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .figures import colour_of
from .model import CurveView
from .snippets import snippet_points, snippets

__all__ = [
    "FIGSIZE",
    "OKABE_ITO",
    "PNG_DPI",
    "csv_text",
    "export_panel",
    "file_stem",
    "matplotlib_figure",
    "png_bytes",
    "snippet_points",
    "snippets",
    "svg_bytes",
]

#: Okabe & Ito's colour-blind-safe palette. Curves take the colour the app's chart gives them
#: (:func:`lossapp.figures.colour_of`: one fixed colour per loss, else this palette in order); black is kept
#: for the marker.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999", "#F0E442", "#000000")
#: A second cue besides colour, so curves stay distinguishable in greyscale print.
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)), (0, (3, 1, 1, 1, 1, 1)))
#: Figure size in inches; with :data:`PNG_DPI` the PNG is 1200 x 900 pixels.
FIGSIZE = (8.0, 6.0)
PNG_DPI = 150
_INK = "#222222"
_GRID = "#DDDDDD"


# -- figure --------------------------------------------------------------------------------------------------
def matplotlib_figure(view: CurveView) -> Figure:
    """A light-theme, print-ready figure of the view: loss on top, its gradient below, one shared x-axis.

    Curves use the Okabe-Ito colours of the on-screen chart plus distinct line styles (for greyscale print).
    When ``view.marker`` is set, a dashed vertical line marks that prediction, each curve gets a dot there, and
    the loss panel shows the tangent line.
    """
    fig = Figure(figsize=FIGSIZE, dpi=100, facecolor="white", layout="constrained")
    FigureCanvasAgg(fig)
    ax_loss, ax_grad = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 2)})
    for ax in (ax_loss, ax_grad):
        ax.set_facecolor("white")
        ax.grid(True, color=_GRID, linewidth=0.6)
        ax.tick_params(colors=_INK, labelsize=9)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        for spine in ("left", "bottom"):
            ax.spines[spine].set_color(_INK)
    ax_grad.axhline(0.0, color=_INK, linewidth=0.8)

    for i, curve in enumerate(view.curves):
        color = colour_of(view, i)
        style = LINESTYLES[i % len(LINESTYLES)]
        ax_loss.plot(curve.x, curve.loss, color=color, linestyle=style, linewidth=2.0, label=curve.name)
        ax_grad.plot(curve.x, curve.grad, color=color, linestyle=style, linewidth=2.0, label=curve.name)

    if view.marker is not None and view.curves:
        _draw_marker(view, ax_loss, ax_grad)

    title = view.title
    if view.label is not None:
        title += f"  (label = {view.label:g})"
    fig.suptitle(title, color=_INK, fontsize=13)
    ax_loss.set_ylabel(view.y_title, color=_INK)
    ax_grad.set_ylabel(view.grad_title, color=_INK)
    ax_grad.set_xlabel(view.x_title, color=_INK)
    lo = min(float(np.min(c.x)) for c in view.curves) if view.curves else 0.0
    hi = max(float(np.max(c.x)) for c in view.curves) if view.curves else 1.0
    if hi > lo:
        ax_grad.set_xlim(lo, hi)
    _autoscale_finite(ax_loss, [c.loss for c in view.curves])
    _autoscale_finite(ax_grad, [c.grad for c in view.curves])
    if view.curves:
        ax_loss.legend(frameon=True, facecolor="white", edgecolor=_GRID, fontsize=9, loc="best")
    return fig


def _draw_marker(view: CurveView, ax_loss, ax_grad) -> None:
    assert view.marker is not None  # drawn only for a view that has one
    m = float(view.marker)
    for ax in (ax_loss, ax_grad):
        ax.axvline(m, color="#000000", linestyle=(0, (4, 3)), linewidth=1.0, alpha=0.7)
    span = max(float(np.ptp(view.curves[0].x)), 1e-12) * 0.12
    for i, curve in enumerate(view.curves):
        color = colour_of(view, i)
        value, slope = curve.at(m)
        if not (np.isfinite(value) and np.isfinite(slope)):
            continue
        tx = np.array([m - span, m + span])
        ax_loss.plot(tx, value + slope * (tx - m), color=color, linewidth=1.2, alpha=0.8)
        ax_loss.plot([m], [value], marker="o", markersize=6, color=color, markeredgecolor="#000000", zorder=5)
        ax_grad.plot([m], [slope], marker="o", markersize=6, color=color, markeredgecolor="#000000", zorder=5)
    ax_loss.annotate(f"prediction = {m:g}", xy=(m, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -12),
                     textcoords="offset points", fontsize=8, color=_INK)


def _autoscale_finite(ax, arrays: list[np.ndarray]) -> None:
    """Fit the y range to the finite values (matplotlib would otherwise fail on an all-inf curve)."""
    finite = [a[np.isfinite(a)] for a in arrays]
    finite = [a for a in finite if a.size]
    if not finite:
        return
    lo = min(float(a.min()) for a in finite)
    hi = max(float(a.max()) for a in finite)
    pad = (hi - lo) * 0.06 or max(abs(hi), 1.0) * 0.1
    ax.set_ylim(lo - pad, hi + pad)


def png_bytes(view: CurveView, dpi: int = PNG_DPI) -> bytes:
    """The figure as PNG (1200 x 900 pixels at the default dpi)."""
    buf = io.BytesIO()
    matplotlib_figure(view).savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def svg_bytes(view: CurveView) -> bytes:
    """The figure as SVG (text kept as paths, so it looks the same without the fonts installed)."""
    buf = io.BytesIO()
    matplotlib_figure(view).savefig(buf, format="svg", facecolor="white", metadata={"Date": None})
    return buf.getvalue()


# -- CSV -----------------------------------------------------------------------------------------------------
def _num(v: float) -> str:
    """Shortest text that reads back to exactly the same double (``repr``), with plain nan/inf spellings."""
    return repr(float(v))


def csv_text(view: CurveView) -> str:
    """The plotted numbers: an x column, then ``<curve> loss`` and ``<curve> dL/dpred`` for every curve.

    Values are written with ``repr`` so parsing them back gives the plotted doubles exactly. When curves do not
    share one grid, rows follow the sorted union of their x values and a curve's cells are empty where it has
    no point.
    """
    header = [view.x_title]
    for c in view.curves:
        header += [f"{c.name} {view.y_title}", f"{c.name} {view.grad_title}"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    if not view.curves:
        return out.getvalue()
    first = view.curves[0].x
    if all(c.x.shape == first.shape and np.array_equal(c.x, first) for c in view.curves):
        cols = [first] + [a for c in view.curves for a in (c.loss, c.grad)]
        for values in zip(*cols, strict=True):
            writer.writerow([_num(v) for v in values])
        return out.getvalue()
    xs = np.unique(np.concatenate([c.x for c in view.curves]))
    lookup = [{float(x): k for k, x in enumerate(c.x)} for c in view.curves]
    for x in xs:
        row = [_num(x)]
        for c, where in zip(view.curves, lookup, strict=True):
            k = where.get(float(x))
            row += ["", ""] if k is None else [_num(c.loss[k]), _num(c.grad[k])]
        writer.writerow(row)
    return out.getvalue()


def file_stem(view: CurveView) -> str:
    """A file-name-safe stem from the view title, e.g. ``'huber-loss'``."""
    stem = re.sub(r"[^a-z0-9]+", "-", view.title.lower()).strip("-")
    return stem[:60].rstrip("-") or "loss-curve"


# -- Streamlit -----------------------------------------------------------------------------------------------
def export_panel(view: CurveView, key: str, html: Callable[[], str] | None = None) -> None:
    """Downloads (PNG, SVG, CSV, and with ``html`` an interactive HTML file of the section: the callable makes
    it, see :mod:`lossapp.section_html`) and "Run it yourself" snippets for one chart, in one expander.

    The expander is lazy: while it is closed (as it starts) nothing inside it is built or sent, so a slider
    step does not pay for buttons and highlighted code nobody is looking at; opening it reruns the chart's
    section once (``on_change="rerun"``) and it stays open, following the settings, until closed. The PNG and
    SVG are rendered only when their button is clicked (a callable ``data``, run by Streamlit on a worker
    thread), and ``on_click="ignore"`` keeps a download from rerunning the page.
    """
    import streamlit as st

    box = st.expander("Download (PNG, SVG, CSV) and run it yourself", icon=":material/download:",
                      key=f"{key}_export", on_change="rerun")
    if not box.open:
        return
    stem = file_stem(view)
    with box:
        cols = st.columns(4 if html is not None else 3, gap="small")
        png_col, svg_col, csv_col = cols[:3]
        png_col.download_button(
            "PNG", data=functools.partial(png_bytes, view), file_name=f"{stem}.png", mime="image/png",
            key=f"{key}_png", on_click="ignore", icon=":material/image:", width="stretch",
            help="The chart as a 1200 x 900 PNG (light theme, colour-blind-safe palette).",
        )
        svg_col.download_button(
            "SVG", data=functools.partial(svg_bytes, view), file_name=f"{stem}.svg", mime="image/svg+xml",
            key=f"{key}_svg", on_click="ignore", icon=":material/draw:", width="stretch",
            help="The chart as a scalable vector graphic, for papers and slides.",
        )
        csv_col.download_button(
            "CSV", data=functools.partial(csv_text, view), file_name=f"{stem}.csv", mime="text/csv",
            key=f"{key}_csv", on_click="ignore", icon=":material/table:", width="stretch",
            help="The plotted numbers: prediction, then loss and gradient per curve.",
        )
        if html is not None:
            cols[3].download_button(
                "HTML", data=html, file_name=f"{stem}.html", mime="text/html", key=f"{key}_html",
                on_click="ignore", icon=":material/html:", width="stretch",
                help="This section in one file that works offline, sliders and all: for docs sites, slides and "
                     "notes (about 5 MB: plotly.js is inside).",
            )
        st.markdown("**Run it yourself** with the settings above:")
        code = snippets(view)
        for tab, text in zip(st.tabs(list(code)), code.values(), strict=True):
            tab.code(text, language="python", wrap_lines=True)
