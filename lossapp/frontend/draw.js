import {applyControls} from './curves.js';
import {movedFrames} from './frames.js';
import {speedUpArrayAttributes} from './plotly_patch.js';
import {showReadout} from './readout.js';
import {show} from './redraw.js';

export function loadPlotly(src) {
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

export function themeKey(host) {
  return themeFont(host).join('|');
}

function themed(layout, host) {
  const [text, font] = themeFont(host);
  const out = Object.assign({}, layout);
  out.font = Object.assign({color: text, family: font}, layout.font || {});
  out.autosize = true;
  delete out.width;
  const height = fittedHeight(layout, window.innerHeight);
  if (height) {
    out.height = height;
    const size = fittedFont(out.font.size, window.innerWidth);
    if (out.font.size && out.margin) {  // the room for tick labels shrinks with them
      const r = size / out.font.size;
      out.margin = Object.assign({}, out.margin, {l: Math.max(60, Math.round(out.margin.l * r)),
                                                  b: Math.max(48, Math.round(out.margin.b * r))});
    }
    out.font = Object.assign({}, out.font, {size});
  }
  return out;
}

// On a projector chart text is sized for a 1920 px wide screen; a narrower one (1024 px) shows it smaller, to
// keep its share of the screen, down to 15 px.
export function fittedFont(size, windowWidth) {
  if (!size || !windowWidth) return size;
  return Math.max(15, Math.round(size * Math.min(1, windowWidth / 1920)));
}

// Presentation mode asks a chart to fit the screen (layout.meta.fit = [share of the window's height, least
// height]): its height shrinks to that share on a short screen and never grows past the figure's own.
export function fittedHeight(layout, windowHeight) {
  const fit = layout && layout.meta && layout.meta.fit;
  if (!Array.isArray(fit) || !layout.height || !windowHeight) return null;
  return Math.round(Math.max(fit[1], Math.min(layout.height, windowHeight * fit[0])));
}

// A chart that is drawn already waits while it is out of view (scrolled away, or in a closed tab): what it should
// show next stays in gd.__lossappNext until any part of its component (chart, sliders, numbers) is on screen. A
// slider step then redraws the charts one can see, not every chart of the section. Printing draws them all.
let viewObserver = null;
let printing = false;
export function watchView(host, gd) {
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

export function unwatchView(host) {
  if (viewObserver) viewObserver.unobserve(host);
  host.__lossappGd = null;
  host.__lossappInView = undefined;
}

function outOfView(gd) {
  const host = gd.__lossappNext && gd.__lossappNext.host;
  return Boolean(!printing && gd._fullLayout && host && host.__lossappInView === false);
}

export function startDraw(gd) {
  draw(gd).catch((err) => { gd.textContent = 'The chart could not be drawn: ' + err.message; });
}

export async function draw(gd) {
  if (gd.__lossappBusy) return;
  gd.__lossappBusy = true;
  try {
    while (gd.__lossappNext && !outOfView(gd)) {
      const next = gd.__lossappNext;
      gd.__lossappNext = null;
      const Plotly = await loadPlotly(next.src);
      if (next.patch !== false) speedUpArrayAttributes(Plotly);  // data.patch: false switches it off
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
