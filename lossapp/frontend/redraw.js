// three panels here). When only the data of some scatter traces changed (their x, y, texts, hover text or meta)
// and every axis those traces sit on has a fixed range, Plotly.animate with no transition and no redraw replots
// only those traces (a third of the time or less): the axes, titles, legend, shapes and other traces stay.
// tests/browser/test_fast_redraw.py checks that the result is what a chart drawn from scratch shows.
export const MOVABLE = ['x', 'y', 'text', 'hovertemplate', 'meta'];
const ANIMATE_NOW = {transition: {duration: 0}, frame: {duration: 0, redraw: false}, mode: 'immediate'};

export function sameJSON(a, b) {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export function fixedAxis(layout, id) {
  const axis = layout[id.replace(/^([xy])/, '$1axis')];
  return Boolean(axis) && Array.isArray(axis.range) && axis.autorange !== true && axis.autorange !== 'reversed';
}

// The traces to move from what is drawn to (data, layout) when Plotly.animate can do it (the indices of those
// whose data changed; none when nothing changed), or null when a full Plotly.react is needed.
export function movedTraces(shown, data, layout, config) {
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
export function restoreTraceOrder(gd) {
  const index = (el) => (el.__data__ && el.__data__[0] && el.__data__[0].trace ? el.__data__[0].trace.index : -1);
  for (const layer of gd.querySelectorAll('.scatterlayer')) {
    const traces = Array.from(layer.children).filter((el) => el.classList.contains('trace'));
    const sorted = traces.slice().sort((a, b) => index(a) - index(b));
    if (sorted.some((el, k) => el !== traces[k])) sorted.forEach((el) => layer.appendChild(el));
  }
}

// Draw (data, layout) over what the chart shows: by moving the changed traces where that is enough, else
// with Plotly.react. Remembers what it drew.
export async function show(Plotly, gd, data, layout, config) {
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
    } catch {
      fast = false;  // an interrupted or refused transition: draw it all
    }
  }
  // (the config only when it changed: given one, plotly deep-copies its whole default config first)
  if (!fast && !(moved && !moved.length)) {
    const sameConfig = gd.__lossappConfig === configKey && gd._context;
    await Plotly.react(gd, data, layout, ...(sameConfig ? [] : [config]));
    gd.__lossappConfig = configKey;
    // the toolbar (shown on hover) stays out of the tab order: a chart adds no stops before its sliders
    for (const button of gd.querySelectorAll('.modebar-btn')) button.setAttribute('tabindex', '-1');
  }
  gd.__lossappShown = {data, layout, config: configKey, fast};
}
