// The pager component (lossapp/pager.py registers it). With data {prev, next} (CSS selectors of the pager's
// buttons) it presses them on a presenter's keys; with data {anchors} (section ids in page order) it keeps the
// address's #fragment on the section in view as the page scrolls.

const NEXT_KEYS = new Set(['ArrowRight', 'PageDown']);
const PREV_KEYS = new Set(['ArrowLeft', 'PageUp']);
const EDITABLE_INPUTS = new Set(['range', 'text', 'number', 'search', 'email', 'password', 'url', 'tel', '']);
// Roles whose widgets take arrow keys themselves (Streamlit's sliders are role="slider" divs).
const KEY_ROLES = new Set(['slider', 'spinbutton', 'textbox', 'combobox', 'listbox', 'option', 'menu',
  'menuitem', 'tab', 'radio', 'grid', 'gridcell', 'searchbox']);

// Whether a key event is aimed at a control that uses the key (a slider, a text box, a select, ...).
export function inControl(el) {
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const tag = node.tagName;
    if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
    if (tag === 'INPUT' && EDITABLE_INPUTS.has((node.getAttribute('type') || '').toLowerCase())) return true;
    if (node.isContentEditable) return true;
    if (KEY_ROLES.has(node.getAttribute('role'))) return true;
  }
  return false;
}

// 'next', 'prev' or null for a keydown event: a clicker's PageDown / PageUp or the arrow keys, without
// modifiers (Alt+Left is the browser's Back), not typed into a control.
export function stepOf(event) {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.isComposing) return null;
  const dir = NEXT_KEYS.has(event.key) ? 'next' : PREV_KEYS.has(event.key) ? 'prev' : null;
  if (!dir) return null;
  const path = typeof event.composedPath === 'function' ? event.composedPath() : [];
  const target = path.length ? path[0] : event.target;
  return inControl(target) ? null : dir;
}

// The id of the section in view: the last whose heading is above `line` (px from the viewport's top), or null
// above the first. `tops` are [id, top] in page order.
export function sectionAt(tops, line) {
  let found = null;
  for (const [id, top] of tops) {
    if (top <= line) found = id;
    else break;
  }
  return found;
}

// The address with its fragment set to `id` (none for null), search kept.
export function withFragment(href, id) {
  const url = new URL(href);
  url.hash = id ? `#${id}` : '';
  return url.toString();
}

function setupKeys(data) {
  const doc = document;
  const onKey = (event) => {
    if (event.defaultPrevented) return;
    const dir = stepOf(event);
    // the shown button: Streamlit also keeps a hidden copy of a button that has a tooltip
    const button = dir && Array.from(doc.querySelectorAll(data[dir])).find((b) => b.getClientRects().length);
    if (!button || button.disabled) return;
    event.preventDefault();  // PageDown would scroll the page first
    button.click();
  };
  doc.addEventListener('keydown', onKey);
  return () => doc.removeEventListener('keydown', onKey);
}

function setupAnchors(anchors) {
  let pending = false;
  const update = () => {
    pending = false;
    const tops = [];
    for (const id of anchors) {
      const el = document.getElementById(id);
      if (el) tops.push([id, el.getBoundingClientRect().top]);
    }
    const id = sectionAt(tops, window.innerHeight * 0.3);
    const current = decodeURIComponent(window.location.hash.slice(1)) || null;
    if (id !== current) window.history.replaceState(window.history.state, '', withFragment(window.location.href, id));
  };
  const onScroll = () => {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(update);
    }
  };
  // Streamlit scrolls its main block, not the window: listen to every scroll, in the capture phase.
  document.addEventListener('scroll', onScroll, {capture: true, passive: true});
  return () => document.removeEventListener('scroll', onScroll, {capture: true});
}

export default function ({data}) {
  if (!data) return undefined;
  if (Array.isArray(data.anchors)) return setupAnchors(data.anchors);
  if (data.prev && data.next) return setupKeys(data);
  return undefined;
}
