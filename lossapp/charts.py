"""Showing figures: a CurveView as a live chart with its description and export panel, figures memoised by
the values they depend on, and charts with their alt text as a caption."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

from lossapp import deep_figures, figures
from lossapp.caching import cache_resource
from lossapp.curve_views import view_fingerprint
from lossapp.frames import curve_frames
from lossapp.live_chart import ClientSlider, chart_config, component_data, payload_bytes, plotly_chart
from lossapp.model import Curve, CurveView
from lossapp.page import link_to
from lossapp.section_html import curve_doc, section_html

export_panel: Callable[..., None] | None
try:  # written by another engineer; the charts work without it
    from lossapp.export import export_panel
except ImportError:  # pragma: no cover - depends on the tree
    export_panel = None


@cache_resource(max_entries=128, show_spinner=False)
def _cached_figure(fingerprint: tuple, present: bool, _view: CurveView, fit: float | None = None):
    # Keyed on the fingerprint only; charts serialise the figure without mutating it, so one object
    # can be shared between reruns and sessions.
    if fit is None or not present:
        return figures.curve_figure(_view, present=present)
    data, layout = figures.curve_spec(_view, present=True)
    return figures.figure_from_spec(data, {**layout, "meta": {"fit": [fit, figures.PRESENT_FIT[1]]}})


def chart(view: CurveView, key: str, *, present: bool = False, export: bool = True, base: CurveView | None = None,
          sliders: tuple[ClientSlider, ...] = (), names: dict[str, str] | None = None,
          xrange: tuple[float, float] | None = None, readout: bool = True,
          labels: dict[str, tuple[str, str]] | None = None, mix: CurveView | None = None,
          curves_at: dict[str, Callable[[float], tuple[Curve, ...]]] | None = None,
          fit: float | None = None) -> None:
    """Plot a CurveView with its text description, then the export panel (when lossapp.export provides it).

    With browser-side ``sliders`` (:class:`lossapp.live_chart.ClientSlider`), the chart is drawn from ``base``
    (``view`` itself unless given): the same curves at scale 1, which the browser scales and marks itself. A
    "frame" slider among them (a loss parameter such as Huber's rho) needs ``curves_at[slider id](value)``: the
    base's curves at that value of the parameter (same grid), which the browser swaps in for the values
    around the slider's own (:data:`PARAM_WINDOW` steps either side) before the other sliders apply. The
    description and the export are always of ``view``. Presentation mode leaves the export panel out: downloads
    and code are clutter on a projector, where ``fit`` is the largest share of the window's height the chart may
    take (``figures.PRESENT_FIT``'s unless given: a step with more than the chart to show asks for less).
    """
    alt = view.alt_text()
    shown = base if sliders and base is not None else view  # without sliders there is nothing to apply
    fig = _cached_figure(view_fingerprint(shown), present, shown, fit)
    mixed = None if mix is None else _cached_figure(view_fingerprint(mix), present, mix, fit)
    frames = {s.id: curve_frames(fig, s, (curves_at or {})[s.id]) for s in sliders if s.role == "frame"} or None
    args: dict[str, Any] = dict(key=f"{key}_chart", alt=alt, sliders=sliders, names=names, xrange=xrange,
                                readout=readout, labels=labels, mix=mixed)
    sent = plotly_chart(fig, frames=frames, **args)
    st.caption(alt)
    if export and export_panel is not None and not present:
        offline = None if sent is None else functools.partial(
            offline_html, view, key, fig, args, curves_at or {}, link_to(key))
        export_panel(view, key, offline)


def offline_html(view: CurveView, key: str, fig, args: dict[str, Any],
                 curves_at: dict[str, Callable[[float], tuple[Curve, ...]]], source_url: str = "") -> str:
    """The chart as :func:`chart` drew it, in a file that works with no server (:mod:`lossapp.section_html`):
    its "frame" sliders get a patch for every value, not only the few around the current one."""
    frames = {s.id: curve_frames(fig, s, curves_at[s.id], window=None) for s in args["sliders"]
              if s.role == "frame"} or None
    data = component_data(fig, config=chart_config(), frames=frames, **args)
    doc = curve_doc(key, view.loss_names or [c.name for c in view.curves], view.title, source_url)
    return section_html(doc, [payload_bytes(fig, data)])


@cache_resource(max_entries=512, show_spinner=False)
def memo_figure(kind: str, key: tuple, _build: Callable[[], Any]):
    """A figure built once per (kind, key): ``key`` must hold every value the figure depends on (plain values:
    the input parameters, not result arrays, which are slow to hash). Frozen: treat it as read-only."""
    return deep_figures.freeze(_build())


def captioned_chart(fig, key: str, alt: str, *, caption: bool = True) -> None:
    """A chart with its text description as the accessible name and, visibly, as a caption."""
    plotly_chart(fig, key=key, alt=alt)
    if caption:
        st.caption(alt)


def memo_curve_figure(view: CurveView, present: bool, vlines: tuple = ()):
    """The (memoised) curve chart of ``view`` with optional labelled vertical lines."""
    return memo_figure("curve", (view_fingerprint(view), present, vlines),
                       lambda: figures.curve_figure(view, present=present, vlines=vlines))


def curve_chart(view: CurveView, key: str, present: bool, vlines: tuple = ()) -> None:
    """Like :func:`chart` without the export panel, with optional labelled vertical lines."""
    captioned_chart(memo_curve_figure(view, present, vlines), f"{key}_chart", view.alt_text())
