import {decode, nearest} from './arrays.js';
import {fmt} from './format.js';
import {markersAsShapes} from './shapes.js';

// "Frame" sliders: for each, the server sent a patch per slider value (traces by index, shapes by index,
// annotation texts by index, the numbers under the chart), worked out with every other slider where the server
// last saw it. So while one frame slider is away from that point its patches are exact; once a second one moves
// before the server has heard of the first, none fits and the chart waits for the server (stale).
export function movedFrames(st) {
  return st.frameIds.filter((id) => {
    const step = st.steps[id] || 1e-9;
    return st.values[id] !== undefined && Math.abs(st.values[id] - st.server[id]) > step * 1e-6;
  });
}

// A table's patch for its k-th value: given as a list of patches, or as columns (base64 arrays with a row per
// value: trace attributes, and the numbers under the chart, printed as the pages print them; plain lists for
// texts, ragged rows and single numbers).
export function rowOf(arr, k) {
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

export function framePatch(f, k) {
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

export function applyFrame(st, id, value) {
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
export function framesFit(st) {
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

export function frameState(st) {
  const moved = movedFrames(st);
  if (!framesFit(st)) return {stale: true};
  const out = moved.length === 1 ? applyFrame(st, moved[0], st.values[moved[0]])
    : {data: st.fig.data, layout: st.fig.layout, readout: [], marker: null, stats: null, patched: false};
  return Object.assign(out, markersAsShapes(out.data, out.layout));
}
