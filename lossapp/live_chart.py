"""Plotly charts that stay on the page and redraw in place when a widget moves.

``st.plotly_chart`` names its element after a hash of the figure, so every new figure (every slider step) makes
the browser throw the old chart away and build a new one from nothing, which costs about 100 ms on a 2-core
machine (bench/ui_latency.py). :func:`plotly_chart` keeps one ``<div>`` per chart ``key`` instead: a small
Streamlit component (``st.components.v2``) hands each new figure to ``Plotly.react``, which updates the drawing
that is already there.

The component runs plotly.js from the plotly Python package (the same release our figures are built for). It is
served by Streamlit's static file serving (``server.enableStaticServing`` in ``.streamlit/config.toml``) from
``static/plotly.min.js``, which :func:`ensure_plotly_js` copies out of the installed package (the copy is
git-ignored). Where that is impossible (a read-only checkout), or when ``LOSSAPP_PLAIN_CHARTS=1`` is set, charts
fall back to ``st.plotly_chart``.

Charts adopt the app theme's text colour and font (from the component's ``--st-*`` CSS properties), so the
transparent figures of :mod:`lossapp.figures` read in the light and the dark theme alike. Each chart is an image
for assistive technology (``role="img"``) named by its alt text.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import streamlit as st

from lossapp.figures import CONFIG

__all__ = ["ROOT", "STATIC_PLOTLY", "chart_json", "ensure_plotly_js", "live_charts_enabled", "plotly_chart"]

ROOT = Path(__file__).resolve().parents[1]
#: Where Streamlit's static serving finds plotly.js (served as ``<base>/app/static/plotly.min.js``).
STATIC_PLOTLY = ROOT / "static" / "plotly.min.js"
PACKAGE_PLOTLY = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

COMPONENT_NAME = "lossapp_live_chart"

# One chart container per key; plotly draws into it. `data-testid` lets tests find the charts.
_HTML = '<div class="lossapp-chart" data-testid="lossappChart" role="img"></div>'

_CSS = """
.lossapp-chart { width: 100%; }
.lossapp-chart .modebar-container { z-index: 1; }
"""

# Loads plotly.js once per page (a <script> tag shared by every chart), then draws or updates the chart with
# Plotly.react. Figures arrive faster than they can be drawn while a key is held down: only the newest one is
# drawn. The returned function removes the chart when Streamlit unmounts the component.
_JS = r"""
function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__lossappPlotly) {
    window.__lossappPlotly = new Promise((resolve, reject) => {
      const tag = document.createElement('script');
      tag.src = src;
      tag.async = true;
      tag.onload = () => resolve(window.Plotly);
      tag.onerror = () => { window.__lossappPlotly = null; reject(new Error('could not load ' + src)); };
      document.head.appendChild(tag);
    });
  }
  return window.__lossappPlotly;
}

function themed(layout, host) {
  const style = getComputedStyle(host);
  const text = style.getPropertyValue('--st-text-color').trim() || style.color;
  const font = style.getPropertyValue('--st-font').trim() || style.fontFamily;
  const out = Object.assign({}, layout);
  out.font = Object.assign({color: text, family: font}, layout.font || {});
  out.autosize = true;
  delete out.width;
  return out;
}

async function draw(gd) {
  if (gd.__lossappBusy) return;
  gd.__lossappBusy = true;
  try {
    while (gd.__lossappNext) {
      const next = gd.__lossappNext;
      gd.__lossappNext = null;
      const Plotly = await loadPlotly(next.src);
      const fig = JSON.parse(next.figure);
      await Plotly.react(gd, fig.data || [], themed(fig.layout || {}, gd), next.config);
    }
  } finally {
    gd.__lossappBusy = false;
  }
}

export default function ({ parentElement, data }) {
  const gd = parentElement.querySelector('.lossapp-chart');
  if (!gd || !data) return;
  gd.setAttribute('aria-label', data.alt || 'chart');
  gd.__lossappNext = data;
  draw(gd).catch((err) => {
    gd.textContent = 'The chart could not be drawn: ' + err.message;
  });
  return () => { if (window.Plotly) window.Plotly.purge(gd); };
}
"""

_component = st.components.v2.component(COMPONENT_NAME, html=_HTML, css=_CSS, js=_JS, isolate_styles=False)


def ensure_plotly_js(target: Path = STATIC_PLOTLY, source: Path = PACKAGE_PLOTLY) -> bool:
    """Make sure ``target`` is a copy of the installed package's plotly.js; True when it is (or now is).

    The copy is written to a temporary file first and renamed, so a browser never gets half a file.
    """
    try:
        if target.exists() and target.stat().st_size == source.stat().st_size:
            return True
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".plotly-", suffix=".js")
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        return True
    except OSError:
        return False


_READY: bool | None = None


def live_charts_enabled() -> bool:
    """Whether charts use the redraw-in-place component (plotly.js in place, static serving on, not opted out)."""
    global _READY
    if os.environ.get("LOSSAPP_PLAIN_CHARTS", "") not in ("", "0"):
        return False
    if _READY is None:
        _READY = bool(st.get_option("server.enableStaticServing")) and ensure_plotly_js()
    return _READY


def chart_json(fig: go.Figure) -> str:
    """The figure as plotly JSON (arrays base64-encoded), computed once per figure object.

    Cached figures (``lossapp.views``) are shown on many runs; their JSON is kept on the figure itself, so they
    must not be modified after their first display (they are not: they are frozen or treated as read-only).
    """
    cached = getattr(fig, "_lossapp_json", None)
    if cached is None:
        cached = fig.to_json(validate=False)
        try:
            fig._lossapp_json = cached
        except (AttributeError, ValueError):
            pass
    return cached


def _static_url() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return ("/" + base if base else "") + "/app/static/plotly.min.js"


def plotly_chart(fig: go.Figure, *, key: str, alt: str, config: dict[str, Any] | None = None) -> None:
    """Show ``fig`` under the widget-like identity ``key``; later figures with the same key redraw in place.

    ``alt`` is the chart's accessible name (a sentence saying what the chart shows).
    """
    config = dict(CONFIG if config is None else config, responsive=True)
    if not live_charts_enabled():
        st.plotly_chart(fig, config=config, key=key, alt=alt)
        return
    _component(key=key, data={"figure": chart_json(fig), "alt": alt, "config": config, "src": _static_url()},
               width="stretch", height="content")
