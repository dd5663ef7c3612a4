import {decode} from './arrays.js';

// A marker trace ("marker" on the loss row, "marker-grad" on the gradient row) or a tangent trace as the layout
// shape that draws the same: moving shapes redraws only them, where moving traces redraws the whole chart.
export function pointShape(t, role, x, y) {
  const radius = ((t.marker && t.marker.size) || 9) / 2;
  return {type: 'circle', xref: 'x', yref: role === 'marker' ? 'y' : 'y2', xsizemode: 'pixel', ysizemode: 'pixel',
          xanchor: x, yanchor: y, x0: -radius, x1: radius, y0: -radius, y1: radius,
          fillcolor: (t.marker && t.marker.color) || (t.line && t.line.color) || 'grey',
          line: (t.marker && t.marker.line) || {width: 0}, name: role, layer: 'above'};
}

export function tangentShape(t, x0, x1, y0, y1) {
  return {type: 'line', xref: 'x', yref: 'y', x0, x1, y0, y1, line: Object.assign({}, t.line), name: 'tangent',
          layer: 'above'};
}

// A curve chart's marker points and tangents drawn as layout shapes (as for a "marker" slider): when a frame
// moves them, plotly redraws only the shapes instead of the whole chart.
export function markersAsShapes(data, layout) {
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
