// The chart component's entry point (lossapp/live_chart.py registers it): draws the server's figure into the
// chart's box, builds the browser-side sliders or follows another chart's, and cleans up when Streamlit
// unmounts the component.
import {startDraw, unwatchView, watchView} from './draw.js';
import {setupControls, setupFollower} from './sliders.js';

export default function ({parentElement, data: sent, setTriggerValue}) {
  // sent as UTF-8 JSON bytes (see payload_bytes)
  const data = ArrayBuffer.isView(sent) ? JSON.parse(new TextDecoder().decode(sent)) : sent;
  const gd = parentElement.querySelector('.lossapp-chart');
  if (!gd || !data) return undefined;
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
    unwatchView(host);
    if (window.Plotly) window.Plotly.purge(gd);
  };
}
