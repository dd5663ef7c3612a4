// Starts the chart component in an offline section file (lossapp/section_html.py inlines it after the bundle).
(() => {
  // No server: the address stays as it is (the file's sliders do not read it), each sync message is
  // acknowledged at once, and a frame slider's patches hold the other frame sliders at their exported values.
  history.replaceState = () => {};
  const {acknowledge} = window.__lossappModules['sync.js'];
  const {announce} = window.__lossappModules['url.js'];
  for (const host of document.querySelectorAll('.lossapp-host')) {
    const data = JSON.parse(document.getElementById(host.dataset.payload).textContent);
    host.addEventListener('input', (event) => {
      const st = host.__lossapp;
      const id = event.target.dataset && event.target.dataset.param;
      if (!st || !st.frameIds || !st.frameIds.includes(id)) return;
      for (const other of st.frameIds) {
        if (other === id || st.values[other] === st.server[other]) continue;
        st.values[other] = st.server[other];
        const el = st.inputs[other];
        if (el) {
          el.input.value = st.server[other];
          el.out.textContent = Number(st.server[other]).toFixed(el.places);
          el.input.setAttribute('aria-valuetext', el.out.textContent);
        }
        announce(other, st.server[other]);
      }
    }, true);
    window.lossappChart({parentElement: host, data, setTriggerValue: (name, value) => {
      if (name === 'sync' && value && host.__lossappSync) acknowledge(host.__lossappSync, value._seq);
    }});
  }
})();
