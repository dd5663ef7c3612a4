import {decode, finiteRange, nearest} from './arrays.js';
import {framePatch, framesFit, frameState, movedFrames} from './frames.js';
import {pointShape, tangentShape} from './shapes.js';
import {setUrl} from './url.js';

// then covers a wider x-range than the one shown, data.xrange), "marker" places the marker.
// "xlo" / "xhi" sliders pick the part of the x-axis shown (the figure covers their whole range): at least one
// step wide, inside the sliders' range (shown_range in Python). The marker keeps to that part.
export function fitRange(st) {
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

export function applyControls(host) {
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
