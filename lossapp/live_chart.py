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

Even a redraw in place waits for a script run (about 100 ms or more per key press on these machines, most of it
Streamlit's own round trip). Controls that only pick among numbers the chart already holds need none:
browser-side sliders (:class:`ClientSlider`) are drawn under the chart as labelled native range inputs and
applied by the browser (scale the curves by a weight, slide them by a label, move the marker and read the loss
and gradient there).
The page address follows each step; once the slider has been still for a moment, one "sync" message tells the
server, which checks the values (:func:`apply_sync`) and keeps them in ``st.query_params``, where
:func:`client_slider` reads them on the next run.

Sections with small charts go further with "frame" sliders (:mod:`lossapp.frames`): the server sends, for each
slider, the chart's changing parts and the numbers under the chart (:class:`Stat`) at every value of that slider
with the others held, and the browser lays the one for the slider's value over the chart. Other charts of the
section can follow those sliders.

A chart that is drawn already and out of view (scrolled away, in a closed tab or expander) is not redrawn until
some part of it comes into view (an ``IntersectionObserver``): a slider step redraws the charts one can see, and a
chart scrolled to shows the latest state before it is seen in full. Its accessible name is the server's and is
set at once either way.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import streamlit as st

from lossapp import urlstate
from lossapp.controls import decimals_of
from lossapp.figures import CONFIG

__all__ = [
    "ROOT",
    "STATIC_PLOTLY",
    "ClientSlider",
    "Stat",
    "apply_sync",
    "chart_json",
    "client_slider",
    "ensure_plotly_js",
    "live_charts_enabled",
    "payload_bytes",
    "plotly_chart",
    "shown_range",
    "slider_values",
]

ROOT = Path(__file__).resolve().parents[1]
#: Where Streamlit's static serving finds plotly.js (served as ``<base>/app/static/plotly.min.js``).
STATIC_PLOTLY = ROOT / "static" / "plotly.min.js"
PACKAGE_PLOTLY = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

COMPONENT_NAME = "lossapp_live_chart"

# One chart container per key; plotly draws into it. `data-testid` lets tests find the charts. Client-side controls
# (see ClientSlider) are built into the second box when a chart has them.
_HTML = ('<div class="lossapp-chart" data-testid="lossappChart" role="img"></div>'
         '<div class="lossapp-controls" data-testid="lossappControls"></div>')

_CSS = """
.lossapp-chart { width: 100%; }
.lossapp-chart .modebar-container { z-index: 1; }
.lossapp-controls:empty { display: none; }
.lossapp-controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin-top: 0.25rem; }
.lossapp-control { flex: 1 1 14rem; min-width: 0; display: flex; flex-direction: column; }
.lossapp-control.lossapp-wide { flex-basis: 100%; }
.lossapp-control label { font-size: 0.875rem; display: flex; justify-content: space-between; gap: 1rem; }
.lossapp-control output { font-variant-numeric: tabular-nums; font-weight: 600; }
.lossapp-control input[type=range] { width: 100%; min-height: 1.75rem; margin: 0;
  accent-color: var(--st-primary-color, #ff4b4b); cursor: pointer; }
.lossapp-control input[type=range]:focus-visible { outline: 2px solid var(--st-primary-color, #ff4b4b);
  outline-offset: 2px; }
.lossapp-readout { flex-basis: 100%; display: flex; flex-wrap: wrap; gap: 0.25rem 2rem; margin: 0; }
.lossapp-readout div { display: flex; flex-direction: column; }
.lossapp-readout dt { font-size: 0.875rem; }
.lossapp-stale .lossapp-chart { opacity: 0.55; transition: opacity 0.2s; }
.lossapp-readout dd { margin: 0; font-size: 1.75rem; font-variant-numeric: tabular-nums; line-height: 1.3; }
"""

# Loads plotly.js once per page (a <script> tag shared by every chart), then draws or updates the chart with
# Plotly.react. Figures arrive faster than they can be drawn while a key is held down: only the newest one is
# drawn. The returned function removes the chart when Streamlit unmounts the component.
#
# With client-side controls, the figure from the server is the curve at scale 1 with a marker; the browser
# multiplies the loss and gradient traces by the product of the "scale" sliders and moves the marker, its tangent
# and the dashed guides to the "marker" slider's grid point, so those sliders never wait for the server. The page
# address is updated at once; the server hears the values (trigger "sync") once the slider has been still for
# SYNC_MS, to refresh what it shows around the chart (caption, export).
_JS = r"""
const SYNC_MS = 350;

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

// On every draw plotly works out which attributes of each trace hold arrays by walking the trace type's whole
// attribute schema, hundreds of entries (0.7 ms a trace here: 14 to 21 ms of each redraw of the Training lab's
// panels). The schema never changes: this walks it once per trace type, keeps the paths where an array may
// sit, and then looks only there. Same paths, same order (tests/browser/test_fast_redraw.py compares the two
// on every trace of several pages); plotly's own function stays at PlotSchema.__lossappOriginal.
function isArrayLike(v) {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function isPlain(v) {
  return Object.prototype.toString.call(v) === '[object Object]'
    && Object.getPrototypeOf(v).hasOwnProperty('hasOwnProperty');
}

function speedUpArrayAttributes(Plotly) {
  const schema = Plotly.PlotSchema;
  if (!schema || schema.__lossappOriginal || typeof schema.crawl !== 'function') return;
  const original = schema.findArrayAttributes;
  // the base attributes every trace has: the first thing plotly's own function walks
  let base = null;
  const crawl = schema.crawl;
  schema.crawl = function (attrs, ...rest) {
    if (base === null) base = attrs;
    return crawl.call(this, attrs, ...rest);
  };
  try { original.call(schema, {}); } finally { schema.crawl = crawl; }
  if (!base) return;
  const paths = new Map();
  function pathsOf(mod) {
    if (!paths.has(mod)) {
      const found = [];
      let stack = [], linked = [];
      const visit = (attr, name, attrs, level) => {
        stack = stack.slice(0, level).concat([name]);
        linked = linked.slice(0, level).concat([attr && attr._isLinkedToArray]);
        const colorbarTicks = stack[level - 1] === 'colorbar' && (name === 'ticktext' || name === 'tickvals');
        if (attr && (attr.valType === 'data_array' || attr.arrayOk === true) && !colorbarTicks) {
          found.push([stack, linked]);
        }
      };
      schema.crawl(base, visit);
      if (mod.attributes) schema.crawl(mod.attributes, visit);
      paths.set(mod, found);
    }
    return paths.get(mod);
  }
  function look(container, stack, linked, i, prefix, out) {
    const item = container[stack[i]];
    const name = prefix + stack[i];
    if (i === stack.length - 1) {
      if (isArrayLike(item)) out.push(name);
    } else if (linked[i]) {
      if (Array.isArray(item)) {
        item.forEach((el, j) => { if (isPlain(el)) look(el, stack, linked, i + 1, `${name}[${j}].`, out); });
      }
    } else if (isPlain(item)) {
      look(item, stack, linked, i + 1, name + '.', out);
    }
  }
  schema.findArrayAttributes = function (trace) {
    if (!trace || !trace._module) return original.call(this, trace);
    const out = [];
    for (const [stack, linked] of pathsOf(trace._module)) look(trace, stack, linked, 0, '', out);
    return out;
  };
  schema.__lossappOriginal = original;
}

// The app theme's text colour and font. Reading them makes the browser work out the page's styles, which a
// chart drawn just before has changed (about 2 ms each time here): the answer is kept until the next frame,
// so the charts a key press redraws read it once.
let themeMemo = null;
function themeFont(host) {
  if (themeMemo) return themeMemo;
  const style = getComputedStyle(host);
  themeMemo = [style.getPropertyValue('--st-text-color').trim() || style.color,
               style.getPropertyValue('--st-font').trim() || style.fontFamily];
  requestAnimationFrame(() => { themeMemo = null; });
  return themeMemo;
}

function themeKey(host) {
  return themeFont(host).join('|');
}

function themed(layout, host) {
  const [text, font] = themeFont(host);
  const out = Object.assign({}, layout);
  out.font = Object.assign({color: text, family: font}, layout.font || {});
  out.autosize = true;
  delete out.width;
  return out;
}

// plotly's JSON arrays: plain lists or base64 typed arrays {dtype, bdata}
const DTYPES = {f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array,
                u4: Uint32Array, u2: Uint16Array, u1: Uint8Array};
function decode(arr) {
  if (arr === undefined || arr === null) return new Float64Array(0);
  if (Array.isArray(arr)) return Float64Array.from(arr);
  if (arr.bdata !== undefined) {
    const bin = atob(arr.bdata);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return Float64Array.from(new (DTYPES[arr.dtype] || Float64Array)(bytes.buffer));
  }
  return Float64Array.from(arr);
}

// the number format of the pages (lossapp.views.fmt)
function fmt(v, digits = 4) {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Math.abs(v) < 1e-9) return (0).toFixed(digits);
  if (Math.abs(v) >= 1e5 || Math.abs(v) < 10 ** -digits) {
    let s = v.toPrecision(digits);
    if (s.includes('e')) {
      let [m, e] = s.split('e');
      if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
      const sign = e[0] === '-' ? '-' : '+';
      e = e.replace(/^[+-]/, '');
      s = m + 'e' + sign + (e.length < 2 ? '0' + e : e);
    }
    return s;
  }
  return v.toFixed(digits);
}

function decimals(step) {
  if (step <= 0 || step >= 1) return 0;
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

function nearest(xs, m) {
  let lo = 0, hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= m) lo = mid; else hi = mid;
  }
  return Math.abs(xs[hi] - m) < Math.abs(xs[lo] - m) ? hi : lo;
}

function finiteRange(arrays, pad = 0.06, xs = null, window = null) {
  let lo = Infinity, hi = -Infinity;
  arrays.forEach((a, k) => {
    const x = xs && xs[k];
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (x && window && (x[i] < window[0] || x[i] > window[1])) continue;
      if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    }
  });
  if (lo > hi) return null;
  const span = hi > lo ? hi - lo : Math.max(Math.abs(hi), 1.0);
  return [lo - pad * span, hi + pad * span];
}

// A marker trace ("marker" on the loss row, "marker-grad" on the gradient row) or a tangent trace as the layout
// shape that draws the same: moving shapes redraws only them, where moving traces redraws the whole chart.
function pointShape(t, role, x, y) {
  const radius = ((t.marker && t.marker.size) || 9) / 2;
  return {type: 'circle', xref: 'x', yref: role === 'marker' ? 'y' : 'y2', xsizemode: 'pixel', ysizemode: 'pixel',
          xanchor: x, yanchor: y, x0: -radius, x1: radius, y0: -radius, y1: radius,
          fillcolor: (t.marker && t.marker.color) || (t.line && t.line.color) || 'grey',
          line: (t.marker && t.marker.line) || {width: 0}, name: role, layer: 'above'};
}

function tangentShape(t, x0, x1, y0, y1) {
  return {type: 'line', xref: 'x', yref: 'y', x0, x1, y0, y1, line: Object.assign({}, t.line), name: 'tangent',
          layer: 'above'};
}

// "Frame" sliders: for each, the server sent a patch per slider value (traces by index, shapes by index,
// annotation texts by index, the numbers under the chart), worked out with every other slider where the server
// last saw it. So while one frame slider is away from that point its patches are exact; once a second one moves
// before the server has heard of the first, none fits and the chart waits for the server (stale).
function movedFrames(st) {
  return st.frameIds.filter((id) => {
    const step = st.steps[id] || 1e-9;
    return st.values[id] !== undefined && Math.abs(st.values[id] - st.server[id]) > step * 1e-6;
  });
}

// A table's patch for its k-th value: given as a list of patches, or as columns (base64 arrays with a row per
// value: trace attributes, and the numbers under the chart, printed as the pages print them; plain lists for
// texts, ragged rows and single numbers).
function rowOf(arr, k) {
  if (arr.list) return arr.list[k];
  if (!arr.__rows) {
    const flat = decode(arr);
    const dims = arr.shape ? String(arr.shape).split(',').map(Number) : [flat.length];
    arr.__rows = {flat, width: dims[0] ? flat.length / dims[0] : 0, cols: dims.length > 2 ? dims[2] : 0};
  }
  const {flat, width, cols} = arr.__rows;
  const row = flat.subarray(k * width, (k + 1) * width);
  if (!cols) return Array.from(row);
  // a matrix per row (shape "values,rows,cols"): a heatmap's z as rows of cells
  const matrix = [];
  for (let i = 0; i < width; i += cols) matrix.push(Array.from(row.subarray(i, i + cols)));
  return matrix;
}

function framePatch(f, k) {
  if (f.patches) return f.patches[k] || {};
  const traces = {};
  for (const [index, attrs] of Object.entries(f.traces || {})) {
    traces[index] = {};
    for (const [attr, arr] of Object.entries(attrs)) traces[index][attr] = rowOf(arr, k);
  }
  // shapes and annotations: one number (a position) or one text (a title) per row
  const cell = (arr) => (arr.list ? arr.list[k] : rowOf(arr, k)[0]);
  const single = (table) => Object.fromEntries(Object.entries(table || {}).map(([index, attrs]) => [index,
    Object.fromEntries(Object.entries(attrs).map(([attr, arr]) => [attr, cell(arr)]))]));
  // axis ranges: two numbers per row
  const axes = Object.fromEntries(Object.entries(f.layout || {}).map(([axis, attrs]) => [axis,
    Object.fromEntries(Object.entries(attrs).map(([attr, arr]) => [attr, rowOf(arr, k)]))]));
  return {traces, shapes: single(f.shapes), annotations: single(f.annotations), axes,
          stats: !f.stats ? null : f.stats.list ? f.stats.list[k] : rowOf(f.stats, k).map((v) => fmt(v))};
}

function applyFrame(st, id, value) {
  const fig = st.fig;
  const f = st.frames[id];
  const k = nearest(f.values, value);
  const patch = framePatch(f, k);
  // traces that are the drawn ones times a factor (a weight): one number per row instead of the whole curve
  for (const [index, arr] of Object.entries(f.scale || {})) {
    const t = fig.data[index];
    if (!t.__y) t.__y = decode(t.y);
    const factor = rowOf(arr, k)[0];
    patch.traces[index] = Object.assign(patch.traces[index] || {}, {y: t.__y.map((v) => v * factor)});
  }
  const data = fig.data.map((t, i) => (patch.traces && patch.traces[i] ? Object.assign({}, t, patch.traces[i]) : t));
  const layout = Object.assign({}, fig.layout);
  if (patch.shapes && layout.shapes) {
    layout.shapes = layout.shapes.map((s, i) => (patch.shapes[i] ? Object.assign({}, s, patch.shapes[i]) : s));
  }
  if (patch.annotations && layout.annotations) {
    layout.annotations = layout.annotations.map((a, i) => (
      patch.annotations[i] ? Object.assign({}, a, patch.annotations[i]) : a));
  }
  for (const [axis, attrs] of Object.entries(patch.axes || {})) {
    layout[axis] = Object.assign({}, layout[axis], attrs, attrs.range ? {autorange: false} : {});
  }
  // whether the patch changes the drawing at all (a weight leaves the class probabilities as they are)
  const patched = [patch.traces, patch.shapes, patch.annotations, patch.axes].some((p) => Object.keys(p || {}).length);
  return {data, layout, readout: [], marker: null, stats: patch.stats || null, patched};
}

// Whether a patch fits the sliders' values: at most one frame slider away from the server's values, and within
// the values its table covers (a fine slider's table covers a window around the server's value).
function framesFit(st) {
  const moved = movedFrames(st);
  if (moved.length > 1) return false;
  if (moved.length === 0) return true;
  const id = moved[0];
  const f = st.frames && st.frames[id];
  if (!f || !f.values.length) return false;
  const half = (st.steps[id] || 0) / 2 + 1e-9;
  const v = st.values[id];
  if (f.missing && f.missing.includes(nearest(f.values, v))) return false;  // no patch for that value
  return v >= f.values[0] - half && v <= f.values[f.values.length - 1] + half;
}

function frameState(st) {
  const moved = movedFrames(st);
  if (!framesFit(st)) return {stale: true};
  const out = moved.length === 1 ? applyFrame(st, moved[0], st.values[moved[0]])
    : {data: st.fig.data, layout: st.fig.layout, readout: [], marker: null, stats: null, patched: false};
  return Object.assign(out, markersAsShapes(out.data, out.layout));
}

// A curve chart's marker points and tangents drawn as layout shapes (as for a "marker" slider): when a frame
// moves them, plotly redraws only the shapes instead of the whole chart.
function markersAsShapes(data, layout) {
  const kept = [];
  const shapes = [];
  for (const t of data) {
    const role = t.meta && t.meta.role;
    if (!['marker', 'marker-grad', 'tangent'].includes(role)) { kept.push(t); continue; }
    const x = decode(t.x), y = decode(t.y);
    if (role === 'tangent') {
      if (x.length === 2 && [x[0], x[1], y[0], y[1]].every(Number.isFinite)) {
        shapes.push(tangentShape(t, x[0], x[1], y[0], y[1]));
      }
    } else if (x.length && Number.isFinite(x[0]) && Number.isFinite(y[0])) {
      shapes.push(pointShape(t, role, x[0], y[0]));
    }
  }
  if (kept.length === data.length) return {data, layout};
  return {data: kept, layout: Object.assign({}, layout, {shapes: (layout.shapes || []).concat(shapes)})};
}

// The figure with the client-side values applied; also the readout numbers per curve. Roles: "scale" multiplies
// loss and gradient, "shift" slides the curves right by its value (a label of a loss of pred - label; the figure
// then covers a wider x-range than the one shown, data.xrange), "marker" places the marker.
// "xlo" / "xhi" sliders pick the part of the x-axis shown (the figure covers their whole range): at least one
// step wide, inside the sliders' range (shown_range in Python). The marker keeps to that part.
function fitRange(st) {
  const lo = st.controls.find((c) => c.role === 'xlo'), hi = st.controls.find((c) => c.role === 'xhi');
  if (!lo || !hi) return;
  let a = Math.min(st.values[lo.id], st.values[hi.id]), b = Math.max(st.values[lo.id], st.values[hi.id]);
  if (b - a < lo.step) { if (a + lo.step <= hi.max) b = a + lo.step; else a = b - lo.step; }
  if (!st.xrange || st.xrange[0] !== a || st.xrange[1] !== b) {
    st.xrange = [a, b];
    st.xrangeArr = null;
    st.rangeKey = null;
    st.range2Key = null;
  }
  const m = st.controls.find((c) => c.role === 'marker');
  const el = m && st.inputs[m.id];
  if (!el) return;
  el.input.min = a;
  el.input.max = b;
  const v = Math.min(Math.max(st.values[m.id], a), b);
  if (v !== st.values[m.id]) {
    st.values[m.id] = v;
    el.input.value = v;
    el.out.textContent = v.toFixed(el.places);
    el.input.setAttribute('aria-valuetext', el.out.textContent);
    setUrl({[m.id]: el.out.textContent});
  }
}

function applyControls(host) {
  const st = host.__lossapp;
  fitRange(st);
  let fig = st.fig;
  let scale = 1.0;
  let shift = 0.0;
  let mix = null;
  let pscale = 1.0;
  let marker = null;
  let frameKey = '';
  if (st.frameIds && st.frameIds.length && st.frames) {
    if (st.follow || st.controls.every((c) => c.role === 'frame')) return frameState(st);
    // frame sliders among the others (a curve's parameter): the patch for a moved one replaces the curves the
    // other sliders then scale, shift and mark
    if (!framesFit(st)) return {stale: true};
    const moved = movedFrames(st);
    if (moved.length === 1) {
      const f = st.frames[moved[0]];
      const k = nearest(f.values, st.values[moved[0]]);
      frameKey = moved[0] + '=' + k;
      if (st.frameFigKey !== frameKey) {
        const patch = framePatch(f, k);
        st.frameFig = {data: fig.data.map((t, i) => (patch.traces[i] ? Object.assign({}, t, patch.traces[i]) : t)),
                       layout: fig.layout};
        st.frameFigKey = frameKey;
        st.decoded = null;
      }
      fig = st.frameFig;
    }
  }
  if (!frameKey && st.frameFigKey) { st.frameFigKey = null; st.decoded = null; }
  const curveScale = {};  // "scale" sliders of one curve each (Compare's per-loss weights)
  for (const c of st.controls) {
    if (c.role === 'scale' && c.curve) curveScale[c.curve] = (curveScale[c.curve] ?? 1) * st.values[c.id];
    else if (c.role === 'scale') scale *= st.values[c.id];
    if (c.role === 'shift') shift += (c.factor === undefined ? 1 : c.factor) * st.values[c.id];
    if (c.role === 'mix') mix = st.values[c.id];
    if (c.role === 'pscale') pscale *= st.values[c.id];
    if (c.role === 'marker') marker = st.values[c.id];
  }
  if (!st.decoded) {
    st.decoded = fig.data.map((t, k) => {
      const role = t.meta && t.meta.role;
      if (role !== 'loss' && role !== 'grad') return null;
      const d = {x: decode(t.x), y: decode(t.y), curve: t.meta.curve};
      // a loss linear in the label: the figure is at label 0, st.mix holds the same trace at label 1
      if (st.mix && st.mix[k] !== undefined) d.y1 = decode(st.mix[k]);
      return d;
    });
  }
  // the same array objects while mix, scale and shift stay put, so Plotly.react leaves those traces alone
  for (const d of st.decoded) {
    if (!d) continue;
    const k = scale * (curveScale[d.curve] ?? 1);
    const key = k + ':' + mix + ':' + pscale;
    if (d.scale !== key) {
      const z = mix === null || !d.y1 ? null : mix;
      d.scaled = z === null ? (k === 1 ? d.y : d.y.map((v) => v * k))
        : d.y.map((v, i) => k * ((1 - z) * v + z * pscale * d.y1[i]));
      d.scale = key;
    }
    if (d.shift !== shift) { d.shifted = shift === 0 ? d.x : d.x.map((v) => v + shift); d.shift = shift; }
  }
  const curves = {};
  fig.data.forEach((t, k) => {
    const d = st.decoded[k];
    if (!d) return;
    const name = t.meta.curve;
    curves[name] = curves[name] || {};
    curves[name].x = d.shifted;
    curves[name][t.meta.role] = d.scaled;
  });
  let lo = Infinity, hi = -Infinity;
  if (st.xrange) [lo, hi] = st.xrange;
  else for (const c of Object.values(curves)) { lo = Math.min(lo, c.x[0]); hi = Math.max(hi, c.x[c.x.length - 1]); }
  const readout = [];
  if (marker !== null) {
    for (const [name, c] of Object.entries(curves)) {
      const i = nearest(c.x, marker);
      readout.push({name, x: c.x[i], loss: c.loss[i] + 0.0, grad: c.grad[i] + 0.0});
    }
  }
  const at = Object.fromEntries(readout.map((r) => [r.name, r]));
  const half = (hi - lo) * 0.12;
  const lossY = [], lossX = [];
  const data = [];
  const pointShapes = [];
  fig.data.forEach((t, k) => {
    const role = t.meta && t.meta.role;
    const d = st.decoded[k];
    if (d) {
      if (role === 'loss') { lossY.push(d.scaled); lossX.push(d.shifted); }
      data.push(Object.assign({}, t, {x: d.shifted, y: d.scaled}));
      return;
    }
    const r = t.meta && at[t.meta.curve];
    if (!r || !['marker', 'marker-grad', 'tangent'].includes(role)) { data.push(t); return; }
    // The marker, its tangent and the point on the gradient row become layout shapes: moving shapes only
    // redraws the shapes, where moving traces makes plotly recompute and redraw the whole chart.
    if (role === 'tangent') {
      if (!Number.isFinite(r.loss) || !Number.isFinite(r.grad)) return;
      const x0 = Math.max(lo, r.x - half), x1 = Math.min(hi, r.x + half);
      pointShapes.unshift(tangentShape(t, x0, x1, r.loss + r.grad * (x0 - r.x), r.loss + r.grad * (x1 - r.x)));
      return;
    }
    const y = role === 'marker' ? r.loss : r.grad;
    if (Number.isFinite(y)) pointShapes.push(pointShape(t, role, r.x, y));
  });
  const layout = Object.assign({}, fig.layout);
  if (marker !== null && readout.length) {
    const guides = (layout.shapes || []).map((s) => Object.assign({}, s, {x0: readout[0].x, x1: readout[0].x}));
    layout.shapes = guides.concat(pointShapes);
  }
  if (st.xrange && layout.xaxis2) {
    if (!st.xrangeArr) st.xrangeArr = st.xrange.slice();
    layout.xaxis2 = Object.assign({}, layout.xaxis2, {range: st.xrangeArr});
  }
  if (layout.yaxis && layout.yaxis.range) {
    const key = scale + ':' + shift + ':' + mix + ':' + pscale + ':' + JSON.stringify(curveScale) + ':' + frameKey;
    if (st.rangeKey !== key) {
      st.range = finiteRange(lossY, 0.06, lossX, st.xrange) || layout.yaxis.range;
      st.rangeKey = key;
    }
    layout.yaxis = Object.assign({}, layout.yaxis, {range: st.range});
  }
  if (layout.yaxis2 && st.xrange) {
    // the gradient row's autorange would take in the part of the curve outside the x-range: fit it here
    const gradY = [], gradX = [];
    fig.data.forEach((t, k) => {
      const d = st.decoded[k];
      if (d && t.meta.role === 'grad') { gradY.push(d.scaled); gradX.push(d.shifted); }
    });
    const key = scale + ':' + shift + ':' + mix + ':' + pscale + ':' + JSON.stringify(curveScale) + ':' + frameKey;
    if (st.range2Key !== key) { st.range2 = finiteRange(gradY, 0.06, gradX, st.xrange); st.range2Key = key; }
    if (st.range2) layout.yaxis2 = Object.assign({}, layout.yaxis2, {range: st.range2, autorange: false});
  }
  return {data, layout, readout, marker};
}

// The numbers under the chart: the loss and gradient at the marker, or the section's numbers (data.stats, each
// [label, text, help]; a frame patch brings its own texts).
function fillList(box, parts) {
  const divs = box.querySelectorAll('div');
  if (divs.length === parts.length && parts.every(([k], i) => divs[i].querySelector('dt').textContent === k)) {
    parts.forEach(([, v], i) => { divs[i].querySelector('dd').textContent = v; });
    return;
  }
  box.replaceChildren(...parts.map(([k, v, help]) => {
    const div = document.createElement('div');
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = k;
    dd.textContent = v;
    if (help) div.title = help;
    div.append(dt, dd);
    return div;
  }));
}

function showReadout(host, readout, marker, stats) {
  const box = host.querySelector('.lossapp-readout');
  if (!box) return;
  const st = host.__lossapp;
  if (st.stats) {
    fillList(box, st.stats.map(([k, v, help], i) => [k, stats ? stats[i] : v, help]));
    return;
  }
  const parts = [];
  for (const r of readout) {
    const short = (st.names && st.names[r.name]) || r.name;
    const [lossLabel, gradLabel] = (st.labels && st.labels[r.name]) || [`${short}: loss`, `${short}: gradient`];
    parts.push([lossLabel, fmt(r.loss)], [gradLabel, fmt(r.grad)]);
  }
  fillList(box, parts);
  box.setAttribute('aria-label', `values at prediction ${marker}`);
}

function addReadout(host, label) {
  const box = host.querySelector('.lossapp-controls');
  let readout = box.querySelector('.lossapp-readout');
  if (!readout) {
    readout = document.createElement('dl');
    readout.className = 'lossapp-readout';
    readout.setAttribute('aria-live', 'polite');
    readout.dataset.testid = 'lossappReadout';
    box.append(readout);
  }
  if (label) readout.setAttribute('aria-label', label);
}

// Plotly.react recomputes and redraws the whole chart whatever changed (60 to 80 ms for the Training lab's
// three panels here). When only the data of some scatter traces changed (their x, y, texts, hover text or meta)
// and every axis those traces sit on has a fixed range, Plotly.animate with no transition and no redraw replots
// only those traces (a third of the time or less): the axes, titles, legend, shapes and other traces stay.
// tests/browser/test_fast_redraw.py checks that the result is what a chart drawn from scratch shows.
const MOVABLE = ['x', 'y', 'text', 'hovertemplate', 'meta'];
const ANIMATE_NOW = {transition: {duration: 0}, frame: {duration: 0, redraw: false}, mode: 'immediate'};

function sameJSON(a, b) {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function fixedAxis(layout, id) {
  const axis = layout[id.replace(/^([xy])/, '$1axis')];
  return Boolean(axis) && Array.isArray(axis.range) && axis.autorange !== true && axis.autorange !== 'reversed';
}

// The traces to move from what is drawn to (data, layout) when Plotly.animate can do it (the indices of those
// whose data changed; none when nothing changed), or null when a full Plotly.react is needed.
function movedTraces(shown, data, layout, config) {
  if (!shown || shown.data.length !== data.length || shown.config !== config) return null;
  if (shown.layout !== layout) {
    const keys = new Set([...Object.keys(shown.layout), ...Object.keys(layout)]);
    for (const k of keys) if (!sameJSON(shown.layout[k], layout[k])) return null;
  }
  const moved = [];
  for (let i = 0; i < data.length; i++) {
    const a = shown.data[i], b = data[i];
    if (a === b) continue;
    if ((a.type || 'scatter') !== 'scatter' || (b.type || 'scatter') !== 'scatter') return null;
    let changed = false;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[k] === b[k]) continue;
      if (MOVABLE.includes(k) && k in a && k in b) { changed = true; continue; }
      if (!sameJSON(a[k], b[k])) return null;
    }
    if (!changed) continue;
    if (!fixedAxis(layout, b.xaxis || 'x') || !fixedAxis(layout, b.yaxis || 'y')) return null;
    moved.push(i);
  }
  // plotly drops the drawing of a subplot none of whose traces it is given: add one trace of each such subplot
  if (moved.length) {
    const subplot = (t) => (t.xaxis || 'x') + (t.yaxis || 'y');
    const covered = new Set(moved.map((i) => subplot(data[i])));
    data.forEach((t, i) => { if (!covered.has(subplot(t))) { covered.add(subplot(t)); moved.push(i); } });
    moved.sort((a, b) => a - b);
  }
  return moved;
}

// After replotting some of a subplot's traces plotly leaves them after the others; put every trace back in
// its place in the drawing order (later traces on top), as a full redraw has them.
function restoreTraceOrder(gd) {
  const index = (el) => (el.__data__ && el.__data__[0] && el.__data__[0].trace ? el.__data__[0].trace.index : -1);
  for (const layer of gd.querySelectorAll('.scatterlayer')) {
    const traces = Array.from(layer.children).filter((el) => el.classList.contains('trace'));
    const sorted = traces.slice().sort((a, b) => index(a) - index(b));
    if (sorted.some((el, k) => el !== traces[k])) sorted.forEach((el) => layer.appendChild(el));
  }
}

// Draw (data, layout) over what the chart shows: by moving the changed traces where that is enough, else
// with Plotly.react. Remembers what it drew.
async function show(Plotly, gd, data, layout, config) {
  const configKey = JSON.stringify(config);
  const moved = movedTraces(gd.__lossappShown, data, layout, configKey);
  gd.__lossappShown = null;
  let fast = false;
  if (moved && moved.length) {
    try {
      // plotly merges the new values into gd.data's traces in place, and those are the objects last drawn (the
      // server's figure, shared with later draws): give it copies that already hold the new values
      gd.data = gd.data.slice();
      const traces = moved.map((i) => {
        const values = Object.fromEntries(MOVABLE.filter((k) => k in data[i]).map((k) => [k, data[i][k]]));
        gd.data[i] = Object.assign({}, gd.data[i], values);
        return Object.fromEntries(['x', 'y'].filter((k) => k in values).map((k) => [k, values[k]]));
      });
      await Plotly.animate(gd, {data: traces, traces: moved}, ANIMATE_NOW);
      restoreTraceOrder(gd);
      fast = true;
    } catch (err) {
      fast = false;  // an interrupted or refused transition: draw it all
    }
  }
  // (the config only when it changed: given one, plotly deep-copies its whole default config first)
  if (!fast && !(moved && !moved.length)) {
    const sameConfig = gd.__lossappConfig === configKey && gd._context;
    await Plotly.react(gd, data, layout, ...(sameConfig ? [] : [config]));
    gd.__lossappConfig = configKey;
  }
  gd.__lossappShown = {data, layout, config: configKey, fast};
}

// A chart that is drawn already waits while it is out of view (scrolled away, or in a closed tab): what it should
// show next stays in gd.__lossappNext until any part of its component (chart, sliders, numbers) is on screen. A
// slider step then redraws the charts one can see, not every chart of the section. Printing draws them all.
let viewObserver = null;
let printing = false;
function watchView(host, gd) {
  if (!('IntersectionObserver' in window)) return;
  if (!viewObserver) {
    window.addEventListener('beforeprint', () => {
      printing = true;
      document.querySelectorAll('.lossapp-chart').forEach((el) => { if (el.__lossappNext) startDraw(el); });
    });
    window.addEventListener('afterprint', () => { printing = false; });
    viewObserver = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const host = entry.target;
        host.__lossappInView = entry.isIntersecting;
        if (entry.isIntersecting && host.__lossappGd && host.__lossappGd.__lossappNext) startDraw(host.__lossappGd);
      }
    });
  }
  if (host.__lossappGd !== gd) {
    host.__lossappGd = gd;
    viewObserver.observe(host);
  }
}

function outOfView(gd) {
  const host = gd.__lossappNext && gd.__lossappNext.host;
  return Boolean(!printing && gd._fullLayout && host && host.__lossappInView === false);
}

function startDraw(gd) {
  draw(gd).catch((err) => { gd.textContent = 'The chart could not be drawn: ' + err.message; });
}

async function draw(gd) {
  if (gd.__lossappBusy) return;
  gd.__lossappBusy = true;
  try {
    while (gd.__lossappNext && !outOfView(gd)) {
      const next = gd.__lossappNext;
      gd.__lossappNext = null;
      const Plotly = await loadPlotly(next.src);
      speedUpArrayAttributes(Plotly);
      const host = next.host;
      let data, layout, drawn = null, stamp = null;
      if (host && host.__lossapp && (host.__lossapp.controls.length || host.__lossapp.follow)) {
        gd.__lossappDrawn = null;  // drawn from sliders: the next plain figure is drawn whatever it is
        const st = host.__lossapp;
        const out = applyControls(host);
        // no patch fits while two frame sliders are away from the server's values: wait for the server
        host.classList.toggle('lossapp-stale', Boolean(out.stale));
        if (out.stale) continue;
        data = out.data;
        layout = out.layout;
        showReadout(host, out.readout, out.marker, out.stats);
        // with no frame patch that changes this chart, the drawing is the figure and the other sliders' values:
        // a rerun that sends the same figure (another chart's control moved), or a frame slider that leaves
        // this chart alone, needs no redraw
        if (out.patched === false || (out.patched === undefined && !movedFrames(st).length)) {
          const others = Object.entries(st.values).filter(([id]) => !st.frameIds.includes(id));
          stamp = [JSON.stringify(others), JSON.stringify(st.xrange || null), JSON.stringify(next.config),
                   themeKey(gd)].join('\u0000');
          // (the figure compared by itself: joining its JSON into the stamp would copy it on every key press)
          if (gd.__lossappControlsDrawn === stamp && gd.__lossappControlsFigure === next.figure) continue;
        }
      } else {
        // a chart without sliders that already shows this figure in this theme: a rerun of its section for
        // another control sends it again unchanged, and a full redraw would cost 30 to 80 ms for nothing
        drawn = next.figure + '\u0000' + JSON.stringify(next.config) + '\u0000' + themeKey(gd);
        if (gd.__lossappDrawn === drawn) continue;
        const fig = JSON.parse(next.figure);
        data = fig.data || [];
        layout = fig.layout || {};
      }
      await show(Plotly, gd, data, themed(layout, gd), next.config);
      if (drawn !== null) gd.__lossappDrawn = drawn;
      gd.__lossappControlsDrawn = stamp;
      gd.__lossappControlsFigure = stamp === null ? null : next.figure;
    }
  } finally {
    gd.__lossappBusy = false;
  }
}

function setUrl(values) {
  const url = new URL(window.location.href);
  for (const [k, v] of Object.entries(values)) url.searchParams.set(k, String(v));
  window.history.replaceState(window.history.state, '', url);
}

function announce(id, value) {
  window.dispatchEvent(new CustomEvent('lossapp-slider', {detail: {id, value}}));
}

// Build the sliders (once per set of controls) and keep the values the visitor chose across server updates.
function setupControls(host, data, setTriggerValue, redraw) {
  const box = host.querySelector('.lossapp-controls');
  const controls = data.controls || [];
  const signature = JSON.stringify(controls.map((c) => [c.id, c.min, c.max, c.step, c.role]));
  const prev = host.__lossapp;
  if (!prev || prev.signature !== signature) {
    const values = Object.fromEntries(controls.map((c) => [c.id, c.value]));
    host.__lossapp = {signature, controls, values, names: data.names || {}, labels: data.labels || {}, timer: null,
                      server: Object.assign({}, values), sent: {}, inputs: {},
                      frameIds: controls.filter((c) => c.role === 'frame').map((c) => c.id),
                      steps: Object.fromEntries(controls.map((c) => [c.id, c.step]))};
    box.replaceChildren();
    for (const c of controls) {
      const wrap = document.createElement('div');
      wrap.className = 'lossapp-control' + (c.role === 'marker' ? ' lossapp-wide' : '');
      const id = `lossapp-${data.key}-${c.id}`;
      const label = document.createElement('label');
      label.htmlFor = id;
      const text = document.createElement('span');
      text.textContent = c.label;
      const out = document.createElement('output');
      out.htmlFor = id;
      const input = document.createElement('input');
      input.type = 'range';
      input.id = id;
      input.min = c.min; input.max = c.max; input.step = c.step; input.value = c.value;
      input.dataset.param = c.id;
      if (c.help) { input.title = c.help; label.title = c.help; }
      const places = decimals(c.step);
      out.textContent = Number(c.value).toFixed(places);
      input.setAttribute('aria-valuetext', out.textContent);
      host.__lossapp.inputs[c.id] = {input, out, places};
      input.addEventListener('input', () => {
        const v = Number(input.value);
        const st = host.__lossapp;
        st.values[c.id] = v;
        out.textContent = v.toFixed(places);
        input.setAttribute('aria-valuetext', out.textContent);
        setUrl({[c.id]: out.textContent});
        redraw();
        announce(c.id, v);
        clearTimeout(st.timer);
        // no patch fits (two frame sliders moved, or one beyond its table): ask the server at once
        const wait = st.frameIds.length && st.frames && !framesFit(st) ? 0 : SYNC_MS;
        st.timer = setTimeout(() => {
          const sent = {};
          for (const k of Object.keys(st.values)) sent[k] = st.values[k];
          setUrl(Object.fromEntries(st.controls.map((k) => [k.id, Number(sent[k.id]).toFixed(decimals(k.step))])));
          st.sent = Object.assign({}, sent);
          setTriggerValue('sync', sent);
        }, wait);
      });
      label.append(text, out);
      wrap.append(label, input);
      box.append(wrap);
    }
    if (controls.some((c) => c.role === 'marker') && data.readout !== false) addReadout(host, null);
  } else {
    prev.names = data.names || {};
    prev.controls = controls;  // same sliders; a property the server may change (a shift's factor) is taken over
    // A value the server changed by itself (a default that depends on other controls, a marker kept inside a
    // narrower range) is taken over; the echo of what this slider last sent is not (it may have moved since).
    for (const c of controls) {
      if (c.value === prev.server[c.id]) continue;
      prev.server[c.id] = c.value;
      if (prev.sent[c.id] === c.value) continue;
      prev.values[c.id] = c.value;
      const el = prev.inputs[c.id];
      if (el) {
        el.input.value = c.value;
        el.out.textContent = Number(c.value).toFixed(el.places);
        el.input.setAttribute('aria-valuetext', el.out.textContent);
      }
      announce(c.id, c.value);
    }
  }
  host.__lossapp.labels = data.labels || {};
  const st = host.__lossapp;
  st.frames = data.frames || null;
  // curves patched from the previous frames are patched afresh from these
  if (st.frameFigKey) { st.frameFigKey = null; st.decoded = null; }
  st.stats = data.stats || null;
  if (st.stats) addReadout(host, 'values shown');
  st.mix = data.mix || null;  // drawn with the same parameters as the figure: it changes when the figure does
  const xrange = data.xrange || null;
  if (JSON.stringify(xrange) !== JSON.stringify(st.xrange || null)) {
    st.xrange = xrange;
    st.xrangeArr = null;
    st.rangeKey = null;
    st.range2Key = null;
  }
  if (data.figure !== st.figure) {
    st.figure = data.figure;
    st.fig = JSON.parse(data.figure);
    st.decoded = null;
    st.rangeKey = null;
    st.range2Key = null;
  }
}

// A chart without sliders of its own that follows other charts' "frame" sliders (data.follow: their ids and
// the values the server saw, {id: value}).
function setupFollower(host, data, redraw) {
  const ids = Object.keys(data.follow);
  const signature = JSON.stringify(ids);
  const prev = host.__lossapp;
  if (!prev || prev.signature !== signature) {
    host.__lossapp = {signature, controls: [], follow: true, frameIds: ids, values: Object.assign({}, data.follow),
                      server: Object.assign({}, data.follow), steps: data.followSteps || {}};
  } else {
    // where the frames below were worked out; a value the server changed by itself (pred_lengths following T)
    // is taken over unless this chart has heard of a move the server has not seen yet (its frames would then
    // be laid over the new figure from the old value)
    for (const [id, value] of Object.entries(data.follow)) {
      if (prev.server[id] !== value && prev.values[id] === prev.server[id]) prev.values[id] = value;
      prev.server[id] = value;
    }
  }
  const st = host.__lossapp;
  st.frames = data.frames;
  st.stats = data.stats || null;
  if (st.stats) addReadout(host, 'values shown');
  if (data.figure !== st.figure) { st.figure = data.figure; st.fig = JSON.parse(data.figure); }
  if (!host.__lossappListener) {
    host.__lossappListener = (e) => {
      const s = host.__lossapp;
      if (s && e.detail && s.frameIds.includes(e.detail.id)) { s.values[e.detail.id] = e.detail.value; s.redraw(); }
    };
    window.addEventListener('lossapp-slider', host.__lossappListener);
  }
  st.redraw = redraw;
}

export default function ({ parentElement, data: sent, setTriggerValue }) {
  // sent as UTF-8 JSON bytes (see payload_bytes)
  const data = ArrayBuffer.isView(sent) ? JSON.parse(new TextDecoder().decode(sent)) : sent;
  const gd = parentElement.querySelector('.lossapp-chart');
  if (!gd || !data) return;
  gd.setAttribute('aria-label', data.alt || 'chart');
  const host = parentElement;
  watchView(host, gd);
  const kick = () => {
    gd.__lossappNext = Object.assign({}, data, {host});
    startDraw(gd);
  };
  if (data.controls && data.controls.length) setupControls(host, data, setTriggerValue, kick);
  else if (data.follow && data.frames) setupFollower(host, data, kick);
  else if (host.__lossapp) { host.__lossapp = null; host.querySelector('.lossapp-controls').replaceChildren(); }
  kick();
  return () => {
    gd.__lossappShown = null;
    gd.__lossappConfig = null;
    if (host.__lossappListener) window.removeEventListener('lossapp-slider', host.__lossappListener);
    host.__lossappListener = null;
    if (viewObserver) viewObserver.unobserve(host);
    host.__lossappGd = null;
    host.__lossappInView = undefined;
    if (window.Plotly) window.Plotly.purge(gd);
  };
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


def _kept_on(fig: go.Figure, name: str, make: Callable[[], str]) -> str:
    """``make()``, worked out once per figure object and kept on the figure as attribute ``name`` (where the
    figure takes one)."""
    kept = getattr(fig, name, None)
    if kept is None:
        kept = make()
        try:
            setattr(fig, name, kept)
        except (AttributeError, ValueError):
            pass
    return kept


def chart_json(fig: go.Figure) -> str:
    """The figure as plotly JSON (arrays base64-encoded), computed once per figure object.

    Cached figures (``lossapp.views``) are shown on many runs; their JSON is kept on the figure itself, so they
    must not be modified after their first display (they are not: they are frozen or treated as read-only).
    """
    return _kept_on(fig, "_lossapp_json", lambda: fig.to_json(validate=False))


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def payload_bytes(fig: go.Figure, data: dict[str, Any]) -> bytes:
    """What the component receives: ``data`` with ``"figure"`` (the figure's JSON as a string) as UTF-8 JSON
    bytes, which Streamlit passes on as they are.

    Given a dict or a list, Streamlit would serialise it to JSON twice on every run (once to send, once sorted for
    the element's identity), figure and frame tables included: 2.4 to 8.6 ms a page run here for 100 to 700 kB of
    charts. Bytes it sends as they are and identifies by their hash. The figure's JSON string literal is kept on
    the figure (cached figures are shown on many runs); the rest is serialised once per run.
    """
    literal = _kept_on(fig, "_lossapp_json_literal", lambda: json.dumps(chart_json(fig)))
    parts = ['"figure":' + literal]
    for name, value in data.items():
        parts.append(json.dumps(name) + ":" + _compact(value))
    return ("{" + ",".join(parts) + "}").encode()


def _static_url() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return ("/" + base if base else "") + "/app/static/plotly.min.js"


#: What a browser-side slider can do (see :class:`ClientSlider`).
ROLES = ("scale", "shift", "mix", "pscale", "marker", "frame", "xlo", "xhi")


def shown_range(start: float, end: float, width: float, low: float, high: float) -> tuple[float, float]:
    """The part of the x-axis an "xlo" / "xhi" slider pair shows: from the smaller value to the larger, widened
    to at least ``width`` inside [``low``, ``high``] (the browser's script does the same).

    >>> shown_range(-5, 5, 0.5, -10, 10), shown_range(3, 1, 0.5, -10, 10), shown_range(2, 2, 0.5, -10, 10)
    ((-5.0, 5.0), (1.0, 3.0), (2.0, 2.5))
    >>> shown_range(10, 10, 0.5, -10, 10)
    (9.5, 10.0)
    """
    a, b = sorted((float(start), float(end)))
    if b - a < width:
        if a + width <= high:
            b = a + width
        else:
            a = b - width
    return a + 0.0, b + 0.0


@dataclass(frozen=True)
class ClientSlider:
    """A slider that the browser applies to a curve chart by itself, with no script run per step.

    ``role`` is "scale" (the loss and gradient traces are multiplied by the product of every scale slider: a loss
    ``weight`` or a ``sample_weight``; one with a ``curve`` scales only that curve's traces), "shift" (the curves
    slide right by the value: the label of a loss of pred − label, drawn at label 0 over a range wide enough for
    every label), "mix" (the label z of a loss linear in its label: the curves are (1 − z) times the figure's, drawn
    at label 0, plus z times ``mix``'s, the same traces at label 1; a "pscale" slider multiplies that label-1 part:
    SigmoidBCE's pos_weight), "marker" (the marker, its tangent and the dashed guides move to the grid point nearest
    the value, and the chart shows the loss and gradient there), "frame" (the chart shows the patch the server
    computed for that value, see :func:`plotly_chart`'s ``frames``), or "xlo" / "xhi" (a pair: the start and
    end of the part of the x-axis shown, :func:`shown_range`; the figure covers their whole range, and a marker
    slider keeps inside the part shown). ``id`` is the slider's query parameter. The figure sent with such
    sliders must be drawn at scale 1 and shift 0 (its marker is moved anyway).
    """

    id: str
    label: str
    low: float
    high: float
    step: float
    value: float
    role: str
    help: str = ""
    #: For "shift": the curves slide by factor × value (a hinge's margin slides by the label, ±1).
    factor: float = 1.0
    #: For "scale": the one curve it scales (a curve's name, its traces' ``meta.curve``); every curve when empty.
    curve: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(map(repr, ROLES))}; got {self.role!r}")
        if not (self.low < self.high and self.step > 0):
            raise ValueError(f"{self.id}: need low < high and step > 0; got {self.low}, {self.high}, {self.step}")

    def snap(self, value: float) -> float:
        """``value`` clamped to the range and moved to the nearest step, as the browser's slider would."""
        v = min(max(float(value), self.low), self.high)
        k = round((v - self.low) / self.step)
        return round(min(self.low + k * self.step, self.high), decimals_of(self.step) + 1) + 0.0

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        return {"id": d["id"], "label": d["label"], "min": d["low"], "max": d["high"], "step": d["step"],
                "value": d["value"], "role": d["role"], "help": d["help"], "factor": d["factor"],
                **({"curve": d["curve"]} if d["curve"] else {})}


def client_slider(key: str, label: str, *, low: float, high: float, step: float, default: float, role: str,
                  help: str = "", factor: float = 1.0, curve: str = "") -> ClientSlider:
    """The :class:`ClientSlider` ``key`` with its value from the page address (checked like a bound widget's:
    out-of-range values are clamped and anything else falls back to ``default``, each with a notice, and the
    address is corrected so the notice is shown once)."""
    probe = ClientSlider(key, label, low, high, step, default, role, help)
    values = st.query_params.get_all(key)
    raw: str | list[str] | None = None if not values else values[0] if len(values) == 1 else values
    decision = urlstate.check_number(raw, key, low=low, high=high, default=default)
    if decision.notice:
        urlstate.add_notice(decision.notice)
    if decision.seed:
        value = float(decision.value)
    elif decision.notice or raw is None or (isinstance(raw, str) and not raw.strip()):
        value = float(default)
    else:
        value = float(raw if isinstance(raw, str) else raw[0])
    value = probe.snap(value)
    if decision.notice or decision.seed:
        st.query_params[key] = f"{value:g}"
    return ClientSlider(key, label, low, high, step, value, role, help, factor, curve)


def apply_sync(payload: Any, sliders: Sequence[ClientSlider]) -> dict[str, str]:
    """The address values to store for a "sync" message from the browser: each known slider's value, checked
    against its range and snapped to its steps; anything else in the message is ignored."""
    if not isinstance(payload, dict):
        return {}
    out = {}
    for s in sliders:
        raw = payload.get(s.id)
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            continue
        try:
            value = float(raw)
        except ValueError:
            continue
        if math.isfinite(value):
            out[s.id] = f"{s.snap(value):g}"
    return out


def _sync_callback(component_key: str, sliders: Sequence[ClientSlider]):
    def on_sync() -> None:
        state = st.session_state.get(component_key)
        payload = None
        if state is not None:
            try:
                payload = state["sync"]
            except (KeyError, TypeError):
                payload = getattr(state, "sync", None)
        for k, v in apply_sync(payload, sliders).items():
            st.query_params[k] = v

    return on_sync


@dataclass(frozen=True)
class Stat:
    """A number shown under a chart with browser-side sliders, like ``st.metric``: ``text`` is the value as
    shown (a frame patch brings the texts for its slider value, in the same order)."""

    label: str
    text: str
    help: str = ""


def slider_values(s: ClientSlider) -> list[float]:
    """Every value the browser's range input ``s`` can take, from ``low`` to ``high`` in steps (as snapped)."""
    count = int(math.floor((s.high - s.low) / s.step + 1e-9)) + 1
    values = [s.snap(s.low + k * s.step) for k in range(count)]
    if values[-1] < s.high:
        values.append(s.snap(s.high))
    return values


def plotly_chart(fig: go.Figure, *, key: str, alt: str, config: dict[str, Any] | None = None,
                 sliders: Sequence[ClientSlider] = (), names: dict[str, str] | None = None,
                 xrange: tuple[float, float] | None = None, readout: bool = True,
                 labels: dict[str, tuple[str, str]] | None = None, frames: dict[str, Any] | None = None,
                 follow: Sequence[ClientSlider] = (), mix: go.Figure | None = None,
                 stats: Sequence[Stat] = ()) -> None:
    """Show ``fig`` under the widget-like identity ``key``; later figures with the same key redraw in place.

    ``alt`` is the chart's accessible name (a sentence saying what the chart shows). ``sliders`` are drawn under
    the chart and applied to it in the browser (live charts only; callers check :func:`live_charts_enabled`
    and use Streamlit widgets otherwise); ``names`` are the short names the value readout uses per curve;
    ``xrange`` is the part of the x-axis shown when the figure is wider (for a "shift" slider). With a marker
    slider, the loss and gradient there are shown under the chart (``readout``), as "{short}: loss" and
    "{short}: gradient" unless ``labels`` gives a curve its own pair of labels. ``mix`` is the figure at label 1
    for a "mix" slider (same traces as ``fig``, at label 0).

    ``frames`` serves "frame" sliders: ``{slider id: {"values": [v0, v1, ...], "patches": [patch per value]}}``,
    each patch ``{"traces": {index: {"x": ..., "y": ...}}, "shapes": {index: {...}}, "annotations": {index:
    {...}}, "stats": [text per stat]}`` laid over the figure (indices as strings), worked out with every other
    slider at its current value; or the same as columns with a row per value (``lossapp.frames.frame_table``,
    which may also cover only a window of values or mark some ``missing``). ``stats`` are numbers shown under
    the chart (a frame patch replaces their texts). A chart with ``frames`` and ``follow`` (other charts' frame
    sliders) has no slider of its own and follows those as they move.
    """
    config = dict(CONFIG if config is None else config, responsive=True)
    if not live_charts_enabled():
        st.plotly_chart(fig, config=config, key=key, alt=alt)
        return
    data = {"alt": alt, "config": config, "src": _static_url(), "key": key}
    if frames is not None:
        data["frames"] = frames
    if stats:
        data["stats"] = [[s.label, s.text, s.help] for s in stats]
    if mix is not None:  # the loss and gradient traces of the figure at label 1, by trace index
        spec = json.loads(chart_json(mix))
        data["mix"] = {str(i): t["y"] for i, t in enumerate(spec["data"])
                       if (t.get("meta") or {}).get("role") in ("loss", "grad")}
    if follow and not sliders:
        data["follow"] = {s.id: s.value for s in follow}
        data["followSteps"] = {s.id: s.step for s in follow}
        _component(key=key, data=payload_bytes(fig, data), width="stretch", height="content")
        return
    if sliders:
        data["controls"] = [s.to_json() for s in sliders]
        data["names"] = dict(names or {})
        data["readout"] = bool(readout)
        if labels:
            data["labels"] = {k: list(v) for k, v in labels.items()}
        if xrange is not None:
            data["xrange"] = [float(xrange[0]), float(xrange[1])]
        _component(key=key, data=payload_bytes(fig, data), width="stretch", height="content",
                   on_sync_change=_sync_callback(key, tuple(sliders)))
    else:
        _component(key=key, data=payload_bytes(fig, data), width="stretch", height="content")
