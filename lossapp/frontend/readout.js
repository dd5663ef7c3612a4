import {fmt} from './format.js';

// The numbers under the chart: the loss and gradient at the marker, or the section's numbers (data.stats, each
// [label, text, help]; a frame patch brings its own texts).
export function fillList(box, parts) {
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

export function showReadout(host, readout, marker, stats) {
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

export function addReadout(host, label) {
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
