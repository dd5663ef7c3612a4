// Browser-side sliders: native range inputs under the chart, applied by the browser at once; the page address
// follows each step, and the server hears the values (trigger "sync") once a slider has been still for SYNC_MS
// (see sync.js for the order of messages and replies).
import {decimals} from './format.js';
import {framesFit} from './frames.js';
import {addReadout} from './readout.js';
import {acknowledge, giveUp, newerInBrowser, newSync, nextMessage, touch} from './sync.js';
import {announce, setUrl} from './url.js';

export const SYNC_MS = 350;
// a message not answered by then is taken as lost, and its values go with the next one
const RESEND_MS = 4000;

function showValue(el, value) {
  el.input.value = value;
  el.out.textContent = Number(value).toFixed(el.places);
  el.input.setAttribute('aria-valuetext', el.out.textContent);
}

// Send what the server has not heard yet, unless a message is in flight (the reply sends the rest).
function send(host) {
  const st = host.__lossapp;
  const sync = host.__lossappSync;
  if (!st || !sync) return;
  const message = nextMessage(sync, st.values);
  if (!message) return;
  const steps = Object.fromEntries(st.controls.map((c) => [c.id, c.step]));
  setUrl(Object.fromEntries(Object.entries(message.values).map(([id, v]) => [id,
    Number(v).toFixed(decimals(steps[id] || 1))])));
  host.__lossappTrigger('sync', Object.assign({}, message.values, {_seq: message.seq}));
  clearTimeout(host.__lossappResend);
  host.__lossappResend = setTimeout(() => {
    if (sync.inflight === message.seq) { giveUp(sync); send(host); }
  }, RESEND_MS);
}

function onInput(host, c, el, redraw) {
  const st = host.__lossapp;
  const v = Number(el.input.value);
  st.values[c.id] = v;
  el.out.textContent = v.toFixed(el.places);
  el.input.setAttribute('aria-valuetext', el.out.textContent);
  setUrl({[c.id]: el.out.textContent});
  touch(host.__lossappSync, c.id);
  redraw();
  announce(c.id, v);
  clearTimeout(host.__lossappTimer);
  // no patch fits (two frame sliders moved, or one beyond its table): ask the server at once
  const wait = st.frameIds.length && st.frames && !framesFit(st) ? 0 : SYNC_MS;
  host.__lossappTimer = setTimeout(() => { host.__lossappTimer = null; send(host); }, wait);
}

function buildControl(host, key, c, redraw) {
  const wrap = document.createElement('div');
  wrap.className = 'lossapp-control' + (c.role === 'marker' ? ' lossapp-wide' : '');
  const id = `lossapp-${key}-${c.id}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  const text = document.createElement('span');
  text.textContent = c.label;
  const out = document.createElement('output');
  out.htmlFor = id;
  const input = document.createElement('input');
  input.type = 'range';
  input.id = id;
  input.min = c.min; input.max = c.max; input.step = c.step;
  input.dataset.param = c.id;
  if (c.help) { input.title = c.help; label.title = c.help; }
  // a lesson step's locked slider shows its value but does not move; a hidden one is not shown
  if (c.locked) input.disabled = true;
  if (c.hidden) wrap.hidden = true;
  const el = {input, out, text, places: decimals(c.step)};
  showValue(el, host.__lossapp.values[c.id]);
  input.addEventListener('input', () => onInput(host, c, el, redraw));
  label.append(text, out);
  wrap.append(label, input);
  return [wrap, el];
}

// Build the sliders (again only when their ids or roles change; a new range is set on the same inputs, so a
// slider held down keeps its focus) and keep the values the visitor chose across server updates.
export function setupControls(host, data, setTriggerValue, redraw) {
  const box = host.querySelector('.lossapp-controls');
  const controls = data.controls || [];
  const signature = JSON.stringify(controls.map((c) => [c.id, c.role, !!c.locked, !!c.hidden]));
  if (!host.__lossappSync) host.__lossappSync = newSync();
  const sync = host.__lossappSync;
  host.__lossappTrigger = setTriggerValue;
  acknowledge(sync, data.ack || 0);
  const prev = host.__lossapp;
  const steps = Object.fromEntries(controls.map((c) => [c.id, c.step]));
  if (!prev || prev.signature !== signature) {
    // a value stepped in the browser that the server has not applied yet stays (inside the new range)
    const kept = (c) => (prev && newerInBrowser(sync, c.id) && c.id in prev.values
      ? Math.min(Math.max(prev.values[c.id], c.min), c.max) : c.value);
    const values = Object.fromEntries(controls.map((c) => [c.id, kept(c)]));
    const focused = document.activeElement && box.contains(document.activeElement)
      ? document.activeElement.dataset.param : null;
    host.__lossapp = {signature, controls, values, names: data.names || {}, labels: data.labels || {},
                      server: Object.fromEntries(controls.map((c) => [c.id, c.value])), inputs: {},
                      frameIds: controls.filter((c) => c.role === 'frame').map((c) => c.id), steps};
    box.replaceChildren();
    for (const c of controls) {
      const [wrap, el] = buildControl(host, data.key, c, redraw);
      host.__lossapp.inputs[c.id] = el;
      box.append(wrap);
    }
    if (focused && host.__lossapp.inputs[focused]) host.__lossapp.inputs[focused].input.focus();
    if (controls.some((c) => c.role === 'marker') && data.readout !== false) addReadout(host, null);
  } else {
    prev.names = data.names || {};
    prev.controls = controls;  // same sliders; a property the server may change (a range, a shift's factor)
    prev.steps = steps;
    for (const c of controls) {
      const el = prev.inputs[c.id];
      if (el && (String(c.min) !== el.input.min || String(c.max) !== el.input.max
                 || String(c.step) !== el.input.step)) {
        el.input.min = c.min; el.input.max = c.max; el.input.step = c.step;
        el.places = decimals(c.step);
        showValue(el, prev.values[c.id]);
      }
      if (el && el.text.textContent !== c.label) el.text.textContent = c.label;
      prev.server[c.id] = c.value;
      // the server's value (its own choice, a default that follows another slider, a clamp) unless the
      // browser holds a step the server has not applied yet
      if (newerInBrowser(sync, c.id) || prev.values[c.id] === c.value) continue;
      prev.values[c.id] = c.value;
      if (el) showValue(el, c.value);
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
  // the reply to a message: what was stepped meanwhile goes now (unless the slider is still moving)
  if (!host.__lossappTimer) send(host);
}

// A chart without sliders of its own that follows other charts' "frame" sliders (data.follow: their ids and
// the values the server saw, {id: value}).
export function setupFollower(host, data, redraw) {
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
