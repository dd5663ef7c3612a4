export function setUrl(values) {
  const url = new URL(window.location.href);
  for (const [k, v] of Object.entries(values)) url.searchParams.set(k, String(v));
  window.history.replaceState(window.history.state, '', url);
}

export function announce(id, value) {
  window.dispatchEvent(new CustomEvent('lossapp-slider', {detail: {id, value}}));
}
