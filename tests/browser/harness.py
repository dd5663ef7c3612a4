"""Helpers shared by the browser tests and ``bench/ui_latency.py``: a Streamlit server on a free port, the
app's pages as Streamlit names them, and in-page probes of the script state and the plotly charts.

Nothing here sleeps to wait for the app: waits are on the health endpoint, on the app's own
``data-test-script-state`` attribute, or on values read from the page.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
SLIDER = '[data-testid="stSlider"] input[type="range"]'
#: A slider that the browser applies to its chart without a script run (lossapp.live_chart.ClientSlider).
CLIENT_SLIDER = '[data-testid="lossappControls"] input[type="range"]'
#: The values at the marker under a chart with client-side sliders.
READOUT = '[data-testid="lossappReadout"]'
#: A drawn chart: lossapp.live_chart's container once plotly has drawn into it (or st.plotly_chart's, when the
#: app runs with LOSSAPP_PLAIN_CHARTS=1).
CHART = '[data-testid="lossappChart"].js-plotly-plot, [data-testid="stPlotlyChart"] .js-plotly-plot'
#: Every chart container, drawn or not (the chart component's wrapper is on the page before its HTML is).
CHART_BOX = ('[data-testid="lossappChart"], [data-testid="stPlotlyChart"], '
             '[data-testid="stBidiComponentRegular"]')
SIDEBAR_LINK = '[data-testid="stSidebarNav"] a'


# -- server --------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log_path: Path, script: Path | None = None, cwd: Path | None = None
                 ) -> subprocess.Popen:
    """``streamlit run`` the app (or another ``script``, from ``cwd``: its own folder unless given) on a loopback
    port."""
    script = ROOT / "app.py" if script is None else script
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]
    log = open(log_path, "wb")  # noqa: SIM115 - closed when the process is reaped
    return subprocess.Popen(cmd, cwd=cwd or script.parent, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before becoming healthy")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)  # polling interval of the health check, not a wait for app state
    raise TimeoutError(f"{url} did not become healthy within {timeout} s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


#: Log file of every server started here, by base URL (the app hides exception details from visitors, so the
#: traceback is only in the log; :func:`exceptions` quotes it).
SERVER_LOGS: dict[str, Path] = {}


@contextmanager
def running_server(log_dir: Path) -> Iterator[str]:
    """A Streamlit server of the app on a free port; yields its base URL once it answers its health check."""
    port = free_port()
    log_path = Path(log_dir) / f"streamlit-{port}.log"
    proc = start_server(port, log_path)
    url = f"http://127.0.0.1:{port}"
    SERVER_LOGS[url] = log_path
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        stop_server(proc)


# -- pages ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AppPage:
    """One page after the home page, from ``lossapp.registry``: its script, its URL path and its sidebar label."""

    file: Path
    url_path: str
    label: str

    @property
    def id(self) -> str:
        return self.url_path.lower()


def app_pages() -> list[AppPage]:
    """The app's pages after the home page, in sidebar order."""
    from lossapp.registry import HOME, PAGES

    return [AppPage(p.path, p.url_path, p.title) for p in PAGES if p is not HOME]


# -- in-page probes ------------------------------------------------------------------------------------------
#: Installed with ``page.add_init_script``: follows script runs without polling. It reads the protobuf
#: ``ForwardMsg`` frames the server sends over the websocket (top-level field 4, ``new_session``, opens a run;
#: field 6, ``script_finished``, closes it unless its status says a rerun follows) and counts them in
#: ``window.__stStarts`` / ``window.__stRuns``. The ``data-test-script-state`` attribute alone is not enough: a
#: run that ends within one frame never shows "running" there. ``window.__stDone`` is the start count at the
#: last finish (every run started by then is over). Hooks can register in ``window.__stHooks``
#: (called with "start"/"finish" and the time).
STATE_OBSERVER = """
(() => {
  if (window.__stRuns !== undefined) return;
  window.__stStarts = 0;
  window.__stRuns = 0;
  window.__stDone = 0;
  window.__stHooks = [];
  const topLevelFields = (buffer) => {
    const b = new Uint8Array(buffer);
    let i = 0;
    const fields = [];
    const varint = () => {
      let value = 0, shift = 0, byte;
      do { byte = b[i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80 && i < b.length);
      return value;
    };
    while (i < b.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) fields.push([field, varint()]);
      else if (wire === 2) { const n = varint(); fields.push([field, null]); i += n; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else break;
    }
    return fields;
  };
  const onMessage = (event) => {
    if (!(event.data instanceof ArrayBuffer)) return;
    const now = performance.now();
    for (const [field, value] of topLevelFields(event.data)) {
      if (field === 4) { window.__stStarts += 1; window.__stHooks.forEach((h) => h('start', now)); }
      // status 2 is FINISHED_EARLY_FOR_RERUN: another run follows at once, so the app is not idle yet
      if (field === 6 && value !== 2) {
        window.__stRuns += 1;
        window.__stDone = window.__stStarts;  // every run started so far has finished or given way
        window.__stHooks.forEach((h) => h('finish', now));
      }
    }
  };
  const Native = window.WebSocket;
  class ObservedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', onMessage);
    }
  }
  window.WebSocket = ObservedWebSocket;
})();
"""

#: Installed with ``page.add_init_script`` after :data:`STATE_OBSERVER`: whenever the texts of a list of numbers
#: under a chart (``.lossapp-readout``) change, it notes on that element how many script runs had started
#: (``__startsAtChange``). A mutation observer runs right after the change, so a test learns whether the numbers
#: came before any script run even when the machine is too busy to poll every frame. (Started, not finished:
#: a run's new elements reach the page before the message that it finished.)
READOUT_OBSERVER = """
(() => {
  if (window.__readoutObserver) return;
  const note = (box) => {
    const text = box.textContent;
    if (text === box.__seenText) return;
    box.__seenText = text;
    box.__startsAtChange = window.__stStarts || 0;
  };
  window.__readoutObserver = new MutationObserver((mutations) => {
    const boxes = new Set();
    for (const m of mutations) {
      const node = m.target.nodeType === Node.ELEMENT_NODE ? m.target : m.target.parentElement;
      const box = node && node.closest('.lossapp-readout');
      if (box) boxes.add(box);
    }
    boxes.forEach(note);
  });
  window.__readoutObserver.observe(document, {subtree: true, childList: true, characterData: true});
})();
"""

#: A compact fingerprint of every plotly chart's traces (x/y data, typed or base64-encoded, plus names).
CHART_SIGNATURE = """
() => Array.from(document.querySelectorAll('CHART')).map((gd) =>
  JSON.stringify([(gd.data || []).map((t) => [t.name, t.x, t.y]),
                  ((gd.layout || {}).shapes || []).map((s) => [s.x0, s.x1, s.xanchor, s.yanchor])])).join('|')
""".replace("CHART", CHART)


#: Console errors Streamlit itself causes on a deep link to a page: the frontend first looks for the server
#: under the page's path (``/Regression/_stcore/health`` and ``.../host-config``), gets 404, then finds it at
#: the root (https://github.com/streamlit/streamlit/issues/7074). They say nothing about the app.
BASE_PATH_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


def is_base_path_probe(message_text: str, url: str) -> bool:
    return "404" in message_text and bool(BASE_PATH_PROBE.search(url.split("?")[0]))


def exceptions(pg) -> list[str]:
    """Texts of the exception boxes on the page (empty when the page ran cleanly), followed by the end of the
    server's log when there are any."""
    boxes = [t[:600] for t in pg.locator(EXCEPTION).all_inner_texts()]
    if boxes:
        origin = "/".join(pg.url.split("/")[:3])
        log = SERVER_LOGS.get(origin)
        if log is not None and log.exists():
            boxes.append("server log: ..." + log.read_text(errors="replace")[-3000:])
    return boxes


def wait_idle(pg, timeout: float = 60_000) -> None:
    """Wait until the script state reads "not running" (which it also does before the first run starts)."""
    pg.wait_for_selector(IDLE, timeout=timeout)


def wait_loaded(pg, timeout: float = 60_000) -> None:
    """After a ``goto``: wait until the first script run has finished and every chart holds data."""
    wait_run_after(pg, 0, timeout)
    wait_charts_drawn(pg, timeout)


def runs(pg) -> int:
    """Script runs completed since the page loaded (needs :data:`STATE_OBSERVER`)."""
    return int(pg.evaluate("window.__stRuns || 0"))


def starts(pg) -> int:
    """Script runs started since the page loaded (needs :data:`STATE_OBSERVER`)."""
    return int(pg.evaluate("window.__stStarts || 0"))


def starts_when(pg, condition: str, arg=None, timeout: float = 60_000) -> int:
    """Wait until the JavaScript function ``condition`` (given ``arg``) holds, checking every frame; return
    how many script runs had started at that frame. A test that a slider needed no script run compares this
    with the count before the key press: a count taken after the wait could include the one sync run that
    follows a slider at rest, which a busy machine reaches before the check."""
    return int(pg.wait_for_function(f"(arg) => (({condition})(arg)) ? {{starts: window.__stStarts || 0}} : false",
                                    arg=arg, polling="raf", timeout=timeout).json_value()["starts"])


def wait_start_after(pg, before: int, timeout: float = 60_000) -> None:
    """Wait until a script run that started after ``starts(pg) == before`` has finished."""
    pg.wait_for_function("(n) => window.__stDone > n", arg=before, timeout=timeout)


def wait_run_after(pg, before: int, timeout: float = 60_000) -> None:
    """Wait until a script run that started after ``runs(pg) == before`` has finished."""
    pg.wait_for_function(
        "(n) => window.__stRuns > n && document.querySelector('[data-testid=\"stApp\"]')"
        ".getAttribute('data-test-script-state') === 'notRunning'",
        arg=before, timeout=timeout,
    )


def chart_signature(pg) -> str:
    return pg.evaluate(CHART_SIGNATURE)


def tab_to(pg, selector: str, limit: int = 80) -> bool:
    """Press Tab from the top of the page until an element matching ``selector`` has the focus (at most
    ``limit`` presses); True if one did."""
    pg.locator("body").focus()
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if pg.evaluate("(sel) => document.activeElement.matches(sel)", selector):
            return True
    return False


def wait_chart_change(pg, before: str, timeout: float = 60_000) -> None:
    """Wait until some chart's data differs from ``before`` and the script is idle again."""
    pg.wait_for_function(
        f"(before) => ({CHART_SIGNATURE})() !== before && document.querySelector('[data-testid=\"stApp\"]')"
        ".getAttribute('data-test-script-state') === 'notRunning'",
        arg=before, timeout=timeout,
    )


#: True once no element is still a placeholder (Streamlit shows ``stSkeleton`` while it loads the code of a
#: lazily loaded element such as the plotly chart) and every plotly chart holds data and is not mid-draw.
ALL_DRAWN = """
() => document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
  && Array.from(document.querySelectorAll('CHART_BOX')).every((e) => {
    if (e.querySelector('.lossapp-pager')) return true;  // the pager's keys and anchors (lossapp/pager.py): no chart
    const gd = e.matches('.js-plotly-plot') ? e : e.querySelector('.js-plotly-plot');
    return gd && gd.data && gd.data.length > 0 && !gd.__lossappBusy;
  })
  && Array.from(document.querySelectorAll('READOUT')).every((r) => r.querySelector('dd'))
""".replace("CHART_BOX", CHART_BOX).replace("READOUT", READOUT)


def wait_charts_drawn(pg, timeout: float = 60_000) -> None:
    """Wait until every element has loaded its code and every plotly chart holds data and has finished drawing
    it (plotly holds the data as soon as a draw starts; a page's first draws can take a second or two more)."""
    pg.wait_for_function(ALL_DRAWN, timeout=timeout)


#: The label of the expander under each curve chart that holds its downloads and code (lossapp.export).
EXPORT_EXPANDER = "Download (PNG, SVG, CSV) and run it yourself"


def open_export(pg) -> None:
    """Open the first chart's export expander (built lazily: opening it reruns its section) and wait for it."""
    before = runs(pg)
    pg.get_by_text(EXPORT_EXPANDER).first.click()
    wait_run_after(pg, before)
    pg.locator('[data-testid="stDownloadButton"]').first.wait_for()
