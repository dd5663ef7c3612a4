"""UI latency of the app in headless Chromium: slider key press -> chart redrawn and script idle, per page.

Run from the repository root (needs Debian's chromium at /usr/bin/chromium, or CHROMIUM=/path)::

    python bench/ui_latency.py                      # every page, 3 sliders x 6 presses each
    python bench/ui_latency.py --presses 10 --sliders 4 --json ui_latency.json
    python bench/ui_latency.py --pages Regression Compare

What is measured.

* Cold first page: a new Streamlit server is started (Chromium is already running with a fresh tab open, so
  neither is counted); the clock runs from spawning the server to the first page (``/``) having finished its
  script run with every element loaded. The time to the health check answering is shown too. This is done ``--cold``
  times (a new server each time) and the median reported: one sample swings by half a second on this machine.
* Key press latency: on every page, the first ``--sliders`` sliders (Streamlit's, and the sliders under a live
  chart that the browser applies itself, in page order) get ``--presses`` arrow-key presses to
  the right, then as many back (turning round at either end). A probe installed in the page, timed with
  ``performance.now()``, records the keydown (capture phase), the widget value leaving over the websocket, the
  server's "run started" (``new_session``) and "script finished" messages (decoded from the websocket
  frames), the ``data-test-script-state`` attribute returning to idle, and every mutation inside a plotly chart
  (MutationObserver). The latency of a press is the later of "run finished, app idle" and "last chart
  mutation", minus the keydown. Presses on a slider that feeds no chart (a table, a metric) count with their
  idle time. Each press is waited for before the next one. A browser-side slider (``lossapp.live_chart``) causes no
  script run per press: its latency is keydown -> last chart mutation, and the one script run that follows once
  the slider is still (it tells the server the new values) is waited for and reported separately ("sync").
* Script run: every page script with ``streamlit.testing.v1.AppTest``: one warm-up run, then the median of
  ``--runs`` runs that each move the page's first slider to a new value (a cache miss, like a real key press),
  and the median of runs with nothing changed. The page is compiled once, as a server does (AppTest alone
  would compile it on every run). A run covers the whole page, even where the server would rerun only the
  fragment that holds the slider.

* Floor (unless ``--no-floor``): the same key presses on a bare Streamlit page (one slider and one line of
  text, served by the same Streamlit with the same settings), measured the same way. Whatever the app does,
  a key press cannot come back faster than that round trip, so the floor tells how much of each page's latency
  is the app's own.

Targets: key press p50 <= 60 ms and p95 <= 100 ms (per page and overall), script run <= 50 ms, cold first
page <= 3 s. Misses are printed clearly; the exit code stays 0 (this is a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.harness import (  # noqa: E402 - needs ROOT on sys.path
    CHART_SIGNATURE,
    CHROMIUM,
    CHROMIUM_FLAGS,
    CLIENT_SLIDER,
    SLIDER,
    STATE_OBSERVER,
    app_pages,
    exceptions,
    free_port,
    start_server,
    stop_server,
    wait_healthy,
    wait_loaded,
)

TARGET_P50_MS = 60.0
TARGET_P95_MS = 100.0
TARGET_SCRIPT_MS = 50.0
TARGET_COLD_S = 3.0
#: The browser window of the key presses (``--viewport``).
VIEWPORT = {"width": 1280, "height": 900}

#: Records, per arrow-key press: when it happened, when the browser sent the new widget value over the
#: websocket, when the server's "run started" and "script finished" messages arrived (from the harness's
#: STATE_OBSERVER, which must be installed first), when the ``data-test-script-state`` attribute turned idle, the
#: first and last mutation inside any plotly chart (or the numbers under one) after the press, and how many
#: were touched.
LATENCY_PROBE = """
(() => {
  window.__presses = [];
  window.__touched = [];
  let cur = null;
  let touched = new Set();
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (cur && cur.sent === null) cur.sent = performance.now();
    return send.call(this, data);
  };
  window.__stHooks.push((kind, now) => {
    if (!cur) return;
    if (kind === 'start' && cur.start === null) cur.start = now;
    if (kind === 'finish' && cur.start !== null && cur.finish === null) cur.finish = now;
  });
  document.addEventListener('keydown', (e) => {
    if (!e.key.startsWith('Arrow')) return;
    touched = new Set();
    cur = {t0: performance.now(), sent: null, start: null, finish: null, idle: null, chartFirst: null,
           chartLast: null};
    window.__presses.push(cur);
    window.__touched.push(touched);
  }, true);
  new MutationObserver((mutations) => {
    if (!cur) return;
    const now = performance.now();
    for (const m of mutations) {
      if (m.type === 'attributes' && m.attributeName === 'data-test-script-state') {
        if (m.target.getAttribute('data-test-script-state') === 'notRunning' && cur.start !== null) cur.idle = now;
        continue;
      }
      const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      // a chart, or the numbers under a chart (browser-side sliders may change only those)
      const plot = el && el.closest ? el.closest('.js-plotly-plot, .lossapp-readout') : null;
      if (plot) {
        if (cur.chartFirst === null) cur.chartFirst = now;
        cur.chartLast = now;
        touched.add(plot);
      }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})();
"""

#: What a browser-side slider changes: the charts, and the numbers under them.
DISPLAY_SIGNATURE = ("() => [(" + CHART_SIGNATURE + ")(), Array.from(document.querySelectorAll("
                     "'[data-testid=\"lossappReadout\"]')).map((r) => r.innerText).join('|')].join('#')")

#: The press is over once the server said "script finished" and the app shows the idle state.
PRESS_DONE = """
(i) => {
  const p = window.__presses[i];
  return p !== undefined && p.finish !== null && document.querySelector('[data-testid="stApp"]')
    .getAttribute('data-test-script-state') === 'notRunning';
}
"""


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile (q in [0, 100]) of a non-empty list."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


@dataclass
class Press:
    page: str
    slider: str
    latency_ms: float
    idle_ms: float
    chart_ms: float | None
    sent_ms: float
    started_ms: float
    charts_touched: int
    client: bool = False


@dataclass
class PageResult:
    page: str
    presses: list[Press] = field(default_factory=list)
    script_change_ms: float | None = None
    script_same_ms: float | None = None
    syncs_ms: list[float] = field(default_factory=list)
    note: str = ""

    def latencies(self) -> list[float]:
        return [p.latency_ms for p in self.presses]


# -- browser part ----------------------------------------------------------------------------------------------
def measure_cold_start(browser, log_dir: Path) -> tuple[dict, subprocess.Popen, str]:
    """Start the server and load ``/`` once; returns the timings and the (still running) server. The browser tab
    is opened before the server starts, as a visitor's browser is, so making it is not counted."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.add_init_script(STATE_OBSERVER)
    port = free_port()
    t_spawn = time.perf_counter()
    proc = start_server(port, log_dir / "streamlit.log")
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, proc)
    t_healthy = time.perf_counter()
    pg.goto(url + "/")
    wait_loaded(pg)
    t_idle = time.perf_counter()
    errors = exceptions(pg)
    context.close()
    return ({"healthy_s": t_healthy - t_spawn, "first_page_s": t_idle - t_spawn, "exceptions": errors},
            proc, url)


def _wait_press_done(pg, index: int, before_chart: str, expect_chart: bool) -> tuple[dict, bool]:
    """Wait for press ``index`` to end (script finished and idle again); then, if charts are expected to follow,
    for their data to change. Returns the probe's record and whether a chart changed."""
    pg.wait_for_function(PRESS_DONE, arg=index, timeout=30_000)
    changed = False
    if expect_chart:
        try:
            pg.wait_for_function(f"(before) => ({CHART_SIGNATURE})() !== before", arg=before_chart,
                                 timeout=3_000)
            changed = True
        except Exception:  # noqa: BLE001 - a playwright timeout: this slider feeds no chart
            changed = False
    # charts touched = plots mutated after the press that are still on the page (not replaced ones)
    record = pg.evaluate("(i) => ({...window.__presses[i], charts: Array.from(window.__touched[i])"
                         ".filter((p) => p.isConnected).length})", index)
    return record, changed


def measure_page(browser, url: str, app_page: str, path: str, sliders: int, presses: int,
                 viewport: dict[str, int] | None = None) -> PageResult:
    result = PageResult(app_page)
    context = browser.new_context(viewport=viewport or VIEWPORT)
    pg = context.new_page()
    pg.add_init_script(STATE_OBSERVER)
    pg.add_init_script(LATENCY_PROBE)
    pg.goto(url + path)
    wait_loaded(pg)
    if exceptions(pg):
        result.note = "exception on load: " + exceptions(pg)[0][:200]
        context.close()
        return result
    thumbs = pg.locator(f"{SLIDER}, {CLIENT_SLIDER}")
    count = min(thumbs.count(), sliders)
    if count == 0:
        result.note = "no slider"
    for k in range(count):
        thumb = thumbs.nth(k)
        name = thumb.get_attribute("aria-label") or thumb.evaluate(
            "(el) => (el.labels && el.labels[0] ? el.labels[0].innerText.split('\\n')[0] : '')") or f"slider {k}"
        client = bool(thumb.evaluate("(el) => !!el.closest('[data-testid=\"lossappControls\"]')"))
        low, high = float(thumb.get_attribute("min")), float(thumb.get_attribute("max"))
        plan = ["ArrowRight"] * presses + ["ArrowLeft"] * presses
        feeds_chart = True
        thumb.focus()
        for planned in plan:
            value = float(thumb.input_value())
            # turn round at either end, so that every press really moves the thumb (and reruns the page)
            key = "ArrowLeft" if value >= high else "ArrowRight" if value <= low else planned
            before_chart = pg.evaluate(CHART_SIGNATURE)
            before_display = pg.evaluate(DISPLAY_SIGNATURE) if client else None
            index = pg.evaluate("window.__presses.length")
            pg.keyboard.press(key)
            if client:
                try:  # a browser-side slider redraws its chart, or only the numbers under it
                    pg.wait_for_function(f"(before) => ({DISPLAY_SIGNATURE})() !== before", arg=before_display,
                                         timeout=5_000)
                except Exception:  # noqa: BLE001 - a playwright timeout
                    result.note = (result.note + "; " if result.note else "") + f"{name}: no redraw"
                    break
                pg.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
                rec = pg.evaluate("(i) => ({...window.__presses[i], charts: Array.from(window.__touched[i])"
                                  ".filter((p) => p.isConnected).length})", index)
                chart_ms = rec["chartLast"] - rec["t0"]
                result.presses.append(Press(
                    page=app_page, slider=name + " (browser-side)", latency_ms=chart_ms, idle_ms=float("nan"),
                    chart_ms=chart_ms, sent_ms=float("nan"), started_ms=float("nan"),
                    charts_touched=int(rec["charts"]), client=True,
                ))
                continue
            try:
                rec, changed = _wait_press_done(pg, index, before_chart, feeds_chart)
            except Exception:  # noqa: BLE001 - a playwright timeout: no rerun followed this press
                result.note = (result.note + "; " if result.note else "") + f"{name}: a press caused no rerun"
                break
            if feeds_chart and not changed:
                feeds_chart = False  # learnt on the first press; later presses only wait for idle
            idle = max(rec["finish"], rec["idle"] or 0.0)  # the attribute may skip "running" on a short run
            end = idle
            chart_ms = None
            if changed and rec["chartLast"] is not None:
                end = max(end, rec["chartLast"])
                chart_ms = rec["chartLast"] - rec["t0"]
            result.presses.append(Press(
                page=app_page, slider=name + ("" if feeds_chart else " (no chart)"),
                latency_ms=end - rec["t0"], idle_ms=idle - rec["t0"], chart_ms=chart_ms,
                sent_ms=(rec["sent"] - rec["t0"]) if rec["sent"] is not None else float("nan"),
                started_ms=(rec["start"] - rec["t0"]) if rec["start"] is not None else float("nan"),
                charts_touched=int(rec["charts"]),
            ))
        if client and result.presses:
            # the browser tells the server the new values once the slider is still: wait for that run to end
            last = pg.evaluate("window.__presses.length") - 1
            try:
                pg.wait_for_function(PRESS_DONE, arg=last, timeout=30_000)
                rec = pg.evaluate("(i) => window.__presses[i]", last)
                result.syncs_ms.append(rec["finish"] - rec["start"])
            except Exception:  # noqa: BLE001 - a playwright timeout
                result.note = (result.note + "; " if result.note else "") + f"{name}: the values never synced"
        if exceptions(pg):
            result.note = "exception after a key press: " + exceptions(pg)[0][:200]
            break
    context.close()
    return result


#: The floor page: a slider and a line of text, nothing else.
FLOOR_SCRIPT = """import streamlit as st

value = st.slider("value", 0, 100, 50)
st.write(f"value = {value}")
"""


def measure_floor(browser, tmp: Path, sliders: int, presses: int) -> PageResult:
    """Key press latency of a bare Streamlit page, started like the app (same config, same flags)."""
    folder = tmp / "floor"
    (folder / ".streamlit").mkdir(parents=True)
    (folder / ".streamlit" / "config.toml").write_text((ROOT / ".streamlit" / "config.toml").read_text())
    (folder / "floor.py").write_text(FLOOR_SCRIPT)
    port = free_port()
    proc = start_server(port, tmp / "floor.log", script=folder / "floor.py")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        return measure_page(browser, url, "(Streamlit floor)", "/", sliders, presses)
    finally:
        stop_server(proc)


# -- AppTest part ----------------------------------------------------------------------------------------------
def measure_script(script: Path, runs: int) -> tuple[float | None, float | None, str]:
    """Median wall time of a script run that moves the first slider (new value each time), and of a plain
    rerun, in AppTest."""
    import logging

    import streamlit.testing.v1.app_test as app_test
    import streamlit.testing.v1.local_script_runner as local_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest

    # cached functions called while the script module loads log a harmless "missing ScriptRunContext" warning
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    # AppTest compiles the page anew on every run (a new ScriptCache each time); a server compiles each page
    # once and keeps the bytecode. One cache for all runs times what a server does.
    shared = ScriptCache()
    app_test.ScriptCache = local_runner.ScriptCache = lambda: shared  # type: ignore[assignment, misc]
    at = AppTest.from_file(str(script), default_timeout=120)
    at.run()
    if at.exception:
        return None, None, "exception in AppTest: " + str(at.exception[0].value)[:200]
    same = []
    for _ in range(runs):
        t = time.perf_counter()
        at.run()
        same.append(time.perf_counter() - t)
    change = []
    index = next((i for i, w in enumerate(at.slider) if isinstance(w.value, (int, float))), None)
    if index is not None:
        first = at.slider[index]
        lo, hi, step, start, kind = float(first.min), float(first.max), float(first.step), first.value, type(
            first.value)
        ups = [start + k * step for k in range(1, runs + 1) if start + k * step <= hi + 1e-9]
        downs = [start - k * step for k in range(1, runs + 1) if start - k * step >= lo - 1e-9]
        for v in (ups + downs)[:runs]:
            at.slider[index].set_value(kind(round(v, 9)))  # a fresh handle: the element tree is rebuilt per run
            t = time.perf_counter()
            at.run()
            change.append(time.perf_counter() - t)
            if at.exception:
                return None, None, "exception in AppTest: " + str(at.exception[0].value)[:200]
    return (statistics.median(change) * 1e3 if change else None, statistics.median(same) * 1e3, "")


# -- report ----------------------------------------------------------------------------------------------------
def _median_text(values: list[float]) -> str:
    finite = [v for v in values if v == v]
    return f"{statistics.median(finite):.0f}" if finite else "-"


def verdict(ok: bool) -> str:
    return "ok  " if ok else "MISS"


def report(cold: dict, pages: list[PageResult]) -> tuple[list[str], list[str]]:
    lines, misses = [], []
    samples = cold.get("samples_s", [cold["first_page_s"]])
    lines.append(f"Cold first page (median of {len(samples)}: {', '.join(f'{v:.2f}' for v in samples)} s): server "
                 f"spawn -> health {cold['healthy_s']:.2f} s, -> first page idle {cold['first_page_s']:.2f} s "
                 f"(target <= {TARGET_COLD_S:g} s) {verdict(cold['first_page_s'] <= TARGET_COLD_S)}")
    if cold["first_page_s"] > TARGET_COLD_S:
        misses.append(f"cold first page {cold['first_page_s']:.2f} s > {TARGET_COLD_S:g} s")
    lines.append("")
    head = (f"{'page':<24}{'presses':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'sent':>7}{'started':>9}"
            f"{'idle':>7}{'charts':>8}{'script':>9}{'rerun':>8}")
    lines.append(head)
    lines.append("-" * len(head))
    everything = []
    for r in pages:
        lat = r.latencies()
        everything += lat
        script = f"{r.script_change_ms:.1f}" if r.script_change_ms is not None else "-"
        same = f"{r.script_same_ms:.1f}" if r.script_same_ms is not None else "-"
        if lat:
            p50, p95 = percentile(lat, 50), percentile(lat, 95)
            phases = [_median_text([getattr(p, k) for p in r.presses]) for k in ("sent_ms", "started_ms", "idle_ms")]
            charts = _median_text([p.charts_touched for p in r.presses])
            lines.append(f"{r.page:<24}{len(lat):>8}{p50:>9.0f}{p95:>9.0f}{max(lat):>9.0f}{phases[0]:>7}"
                         f"{phases[1]:>9}{phases[2]:>7}{charts:>8}{script:>9}{same:>8}  "
                         f"{verdict(p50 <= TARGET_P50_MS and p95 <= TARGET_P95_MS)}")
            if p50 > TARGET_P50_MS:
                misses.append(f"{r.page}: key press p50 {p50:.0f} ms > {TARGET_P50_MS:g} ms")
            if p95 > TARGET_P95_MS:
                misses.append(f"{r.page}: key press p95 {p95:.0f} ms > {TARGET_P95_MS:g} ms")
        else:
            lines.append(f"{r.page:<24}{0:>8}{'-':>9}{'-':>9}{'-':>9}{'-':>7}{'-':>9}{'-':>7}{'-':>8}{script:>9}"
                         f"{same:>8}")
        if r.script_change_ms is not None and r.script_change_ms > TARGET_SCRIPT_MS:
            misses.append(f"{r.page}: script run {r.script_change_ms:.1f} ms > {TARGET_SCRIPT_MS:g} ms")
        if r.note:
            lines.append(f"{'':<24}note: {r.note}")
    if everything:
        p50, p95 = percentile(everything, 50), percentile(everything, 95)
        lines.append("-" * len(head))
        lines.append(f"{'overall':<24}{len(everything):>8}{p50:>9.0f}{p95:>9.0f}{max(everything):>9.0f}"
                     f"{'':>48}  {verdict(p50 <= TARGET_P50_MS and p95 <= TARGET_P95_MS)}")
        if p50 > TARGET_P50_MS:
            misses.append(f"overall: key press p50 {p50:.0f} ms > {TARGET_P50_MS:g} ms")
        if p95 > TARGET_P95_MS:
            misses.append(f"overall: key press p95 {p95:.0f} ms > {TARGET_P95_MS:g} ms")
        for kind, client in (("browser-side sliders", True), ("Streamlit sliders", False)):
            lat = [p.latency_ms for r in pages for p in r.presses if p.client == client]
            if lat:
                lines.append(f"{kind:<24}{len(lat):>8}{percentile(lat, 50):>9.0f}{percentile(lat, 95):>9.0f}"
                             f"{max(lat):>9.0f}")
        syncs = [v for r in pages for v in r.syncs_ms]
        if syncs:
            lines.append(f"Sync runs after a browser-side slider came to rest: {len(syncs)}, median "
                         f"{statistics.median(syncs):.0f} ms (server run start -> finish; not a wait anyone sees).")
    lines.append("")
    lines.append(f"Targets: key press -> chart redrawn and script idle p50 <= {TARGET_P50_MS:g} ms, p95 <= "
                 f"{TARGET_P95_MS:g} ms; script run <= {TARGET_SCRIPT_MS:g} ms; cold first page <= "
                 f"{TARGET_COLD_S:g} s.")
    lines.append("Columns: p50/p95/max = key press -> script idle and chart redrawn; sent / started / idle = medians "
                 "(ms after the key press) of the widget value leaving over the websocket, the server's 'run "
                 "started' message arriving, and the run finished with the app idle; charts = median number of "
                 "plotly charts mutated per press; script / rerun = AppTest median run (ms) after moving the first "
                 "slider / with nothing changed.")
    return lines, misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=6, help="arrow presses each way per slider (default 6)")
    parser.add_argument("--sliders", type=int, default=3, help="sliders exercised per page (default 3)")
    parser.add_argument("--runs", type=int, default=7, help="AppTest runs per page for the median (default 7)")
    parser.add_argument("--pages", nargs="*", help="only these pages (URL names, e.g. Regression); home is 'app'")
    parser.add_argument("--no-apptest", action="store_true", help="skip the AppTest script-run timings")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-Streamlit floor measurement")
    parser.add_argument("--cold", type=int, default=3,
                        help="cold server starts timed to the first page; the median is reported (default 3)")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON to this path")
    parser.add_argument("--viewport", default="1280x900",
                        help="browser window of the key presses, WIDTHxHEIGHT (default 1280x900); a tall one "
                             "(1280x4000) keeps every chart of a page in view, so every chart a slider feeds "
                             "is redrawn (charts out of view wait until they are scrolled to)")
    args = parser.parse_args(argv)
    try:
        width, height = (int(v) for v in args.viewport.lower().split("x"))
    except ValueError:
        parser.error(f"--viewport: {args.viewport!r} is not WIDTHxHEIGHT, e.g. 1280x900")
    viewport = {"width": width, "height": height}

    from playwright.sync_api import sync_playwright

    targets = [("app", "/", ROOT / "app.py")] + [(p.url_path, f"/{p.url_path}", p.file) for p in app_pages()]
    if args.pages:
        targets = [t for t in targets if t[0] in args.pages]

    print(f"UI latency benchmark: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    load_before = os.getloadavg()
    print(f"Load average before: {load_before[0]:.2f} (1 min) — other processes on the machine inflate every number")
    print(f"Chromium {CHROMIUM}; {len(targets)} page(s); {args.sliders} slider(s) x {2 * args.presses} presses each; "
          f"window {width}x{height}")
    results: list[PageResult] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        starts = []  # several cold starts (one sample swings by half a second here); the last server stays up
        proc = None
        for k in range(max(1, args.cold)):
            if proc is not None:
                stop_server(proc)
            print(f"  cold start {k + 1} of {max(1, args.cold)} ...", flush=True)
            sample, proc, url = measure_cold_start(browser, Path(tmp))
            starts.append(sample)
        cold = {"healthy_s": statistics.median(c["healthy_s"] for c in starts),
                "first_page_s": statistics.median(c["first_page_s"] for c in starts),
                "samples_s": [round(c["first_page_s"], 3) for c in starts],
                "exceptions": [e for c in starts for e in c["exceptions"]]}
        try:
            for name, path, _ in targets:
                print(f"  browser: {name} ...", flush=True)
                results.append(measure_page(browser, url, name, path, args.sliders, args.presses, viewport))
        finally:
            stop_server(proc)
        floor = None
        try:
            if not args.no_floor:
                print("  browser: bare Streamlit page (floor) ...", flush=True)
                floor = measure_floor(browser, Path(tmp), 1, args.presses * args.sliders)
        finally:
            browser.close()
    if not args.no_apptest:
        for result, (name, _, script) in zip(results, targets, strict=True):
            print(f"  AppTest: {name} ...", flush=True)
            change, same, note = measure_script(script, args.runs)
            result.script_change_ms, result.script_same_ms = change, same
            if note:
                result.note = (result.note + "; " if result.note else "") + note

    lines, misses = report(cold, results)
    if floor is not None and floor.presses:
        lat = floor.latencies()
        lines.append(f"Floor: a bare Streamlit page (one slider, one line of text) answers a key press in p50 "
                     f"{percentile(lat, 50):.0f} ms, p95 {percentile(lat, 95):.0f} ms ({len(lat)} presses, same "
                     f"browser and settings): no page that waits for the server can be faster.")
    load_after = os.getloadavg()
    print()
    print(f"Load average after: {load_after[0]:.2f} (1 min), {load_after[1]:.2f} (5 min)")
    print("\n".join(lines))
    print()
    if misses:
        print(f"TARGETS MISSED ({len(misses)}):")
        for m in misses:
            print(f"  MISS  {m}")
    else:
        print("All targets met.")
    if args.json:
        args.json.write_text(json.dumps({
            "cold": cold,
            "floor": None if floor is None else {**asdict(floor), "presses": [asdict(p) for p in floor.presses]},
            "pages": [{**asdict(r), "presses": [asdict(p) for p in r.presses]} for r in results],
            "misses": misses,
            "load_average": {"before": load_before, "after": load_after},
            "targets": {"p50_ms": TARGET_P50_MS, "p95_ms": TARGET_P95_MS, "script_ms": TARGET_SCRIPT_MS,
                        "cold_s": TARGET_COLD_S},
        }, indent=2))
        print(f"Raw results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
