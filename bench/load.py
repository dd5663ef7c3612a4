"""Load test: N concurrent sessions move widgets against one Streamlit server; errors, rerun latency, server CPU.

Run from the repository root::

    python bench/load.py                          # 8 sessions, 60 s, a server started for the run
    python bench/load.py --sessions 32 --json bench/results/load-32.json
    python bench/load.py --sessions 64 --duration 120 --no-browser
    python bench/load.py --url http://127.0.0.1:8080 --server-pid 1234 --server-pid 1235   # e.g. behind nginx

Why not browsers. A headless Chromium costs more CPU than the server it tests: eight of them on two cores time
out on their own. So each simulated session here speaks Streamlit's own protocol, with the protobuf messages
that ship in the ``streamlit`` package, as the browser does:

1. ``GET /<page>`` and ``GET /_stcore/health`` (which sets the ``_streamlit_xsrf`` cookie);
2. a WebSocket to ``/_stcore/stream`` offering the subprotocols ``streamlit`` and the XSRF token, with the
   cookie and an ``Origin`` header;
3. a ``BackMsg.rerun_script`` naming the page, answered by the first script run (``ForwardMsg`` deltas, then
   ``script_finished``); the ids, values, ranges or options and fragment ids of its Streamlit widgets (sliders,
   checkboxes and toggles, radios and selectboxes, number inputs) are read from the deltas;
4. then, until the time is up: change one widget (a slider by one to three steps, a checkbox flipped, another
   option, a number input by one step; a ``WidgetState`` in the field the browser uses, sent with the widget's
   ``fragment_id`` like the browser does, so a widget inside a fragment reruns only that fragment), wait for
   ``script_finished``, think for a while, repeat.

One rerun's latency is the time from sending the widget change to receiving ``script_finished``. Errors are
exception elements in a run, a run that ends with a compile error or never finishes (``--timeout``), and failed
connections; the run must end with zero. Sessions think ``--think`` seconds on average (uniformly 0.5 to 1.5
times it) between moves, like a person reading the chart; ``--think 0`` is a stress test.

Beside the simulated sessions, one real browser (Debian's Chromium through Playwright, unless ``--no-browser``)
opens the same page and presses the arrow key on the L1 "prediction marker" slider again and again (a slider the
browser applies itself, lossapp.live_chart.ClientSlider); after each press it checks that the loss shown under
the chart is L1Loss's value at the slider's new position, as computed by losscore, and waits for the one script
run that tells the server the new value. Its wrong readings count as errors; its latency is key press -> the
right loss shown.

Server CPU is read from ``/proc/<pid>/stat`` (user + system time of the server process and its children)
between the end of the warm-up and the end of the run, and divided by the reruns served in that window (the
simulated sessions' and the browser's): the CPU one rerun costs. ``users per core`` is how many people moving a
control every ``--user-interval`` seconds (default 1) one fully busy core can serve:
``user_interval / cpu_per_rerun``.

The exit code is 1 when any error happened (so CI can run it), else 0.
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402 - a dependency of streamlit itself
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from tests.browser.harness import (  # noqa: E402 - needs ROOT on sys.path
    CHROMIUM,
    CHROMIUM_FLAGS,
    STATE_OBSERVER,
    free_port,
    start_server,
    stop_server,
    wait_healthy,
)

FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile (q in [0, 100]) of a non-empty list."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes ``pids`` and their reaped children, in seconds."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def machine_load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# -- one simulated session --------------------------------------------------------------------------------------
@dataclass
class Widget:
    """A Streamlit widget of the page a session can change as a visitor would: a slider (moved by steps), a
    checkbox or toggle (flipped), a radio or selectbox (another option), a multiselect or segmented control (another
    choice of options), a number input (stepped)."""

    id: str
    kind: str  #: "slider", "checkbox", "choice", "multi" (a multiselect or segmented control) or "number"
    label: str
    value: float | bool | str | tuple[str, ...]
    fragment_id: str
    lo: float = 0.0
    hi: float = 0.0
    step: float = 0.0
    integer: bool = False
    options: tuple[str, ...] = ()

    def moved(self, rng: random.Random) -> float | bool | str | tuple[str, ...]:
        """The value after one visitor's change."""
        if self.kind == "checkbox":
            return not self.value
        if self.kind == "choice":
            return rng.choice([o for o in self.options if o != self.value] or list(self.options))
        if self.kind == "multi":
            single = self.step == 1  # a single-select segmented control: one option at a time
            picked = rng.sample(self.options, 1 if single else rng.randint(1, min(4, len(self.options))))
            return tuple(picked)
        steps = rng.choice((-3, -2, -1, 1, 2, 3)) if self.kind == "slider" else rng.choice((-1, 1))
        new = float(self.value) + steps * self.step
        if not self.lo <= new <= self.hi:
            new = float(self.value) - steps * self.step
        new = min(max(new, self.lo), self.hi)
        return float(round(new)) if self.integer else round(new, 10)

    def write(self, state) -> None:
        """This widget's value into a ``WidgetState`` proto, in the field the browser uses for its kind."""
        state.id = self.id
        if self.kind == "slider":
            state.double_array_value.data.append(float(self.value))
        elif self.kind == "checkbox":
            state.bool_value = bool(self.value)
        elif self.kind == "choice":
            state.string_value = str(self.value)
        elif self.kind == "multi":
            state.string_array_value.data.extend(self.value)  # type: ignore[arg-type]
        elif self.integer:
            state.int_value = int(self.value)
        else:
            state.double_value = float(self.value)


def widget_of(el, fragment_id: str, known: Widget | None) -> Widget | None:
    """The movable widget an element delta shows, or None (a disabled widget, or a kind the sessions skip)."""
    kind = el.WhichOneof("type")
    w = getattr(el, kind, None) if kind else None
    if w is None or getattr(w, "disabled", False) or getattr(w, "form_id", ""):
        return None
    out: Widget | None = None
    if kind == "slider" and w.type == w.SLIDER and len(w.default) == 1:
        out = Widget(w.id, "slider", w.label, w.value[0] if w.set_value and w.value else w.default[0], fragment_id,
                     w.min, w.max, w.step, w.data_type == w.INT)
    elif kind == "checkbox":
        out = Widget(w.id, "checkbox", w.label, w.value if w.set_value else w.default, fragment_id)
    elif kind in ("radio", "selectbox") and len(w.options) > 1:
        value = w.raw_value if w.set_value and w.raw_value else w.options[max(w.default, 0)]
        out = Widget(w.id, "choice", w.label, value, fragment_id, options=tuple(w.options))
    elif kind == "multiselect" and len(w.options) > 1:
        value = tuple(w.raw_values) if w.set_value else tuple(w.options[i] for i in w.default)
        out = Widget(w.id, "multi", w.label, value, fragment_id, options=tuple(w.options))
    elif kind == "button_group" and len(w.options) > 1:
        options = tuple(o.content for o in w.options)
        value = tuple(w.raw_values) if w.set_value else tuple(options[i] for i in w.default)
        out = Widget(w.id, "multi", w.label, value, fragment_id, step=float(w.click_mode == w.SINGLE_SELECT),
                     options=options)
    elif kind == "number_input" and w.step > 0 and w.has_min and w.has_max:
        out = Widget(w.id, "number", w.label, w.value if w.set_value else w.default, fragment_id, w.min, w.max,
                     w.step, w.data_type == w.INT)
    if out is not None and known is not None:
        out.value = known.value  # the session's own value wins over the echo
    return out


@dataclass
class SessionStats:
    reruns: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    timed_reruns: int = 0  # reruns that finished after the warm-up


class Session:
    """A visitor's tab: an HTTP warm-up, then a WebSocket over which the script runs."""

    def __init__(self, base: str, page: str, seed: int, timeout: float, rerun_only: bool = False):
        self.rerun_only = rerun_only
        self.base = base.rstrip("/")
        self.page = page
        self.rng = random.Random(seed)
        self.timeout = timeout
        self.widgets: dict[str, Widget] = {}
        self.page_hash = ""
        self.stats = SessionStats()
        self.ws = None

    def _http(self) -> tuple[str, str]:
        """The requests a browser makes before the WebSocket; returns (cookie header, xsrf token)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for path in (f"/{self.page}", "/_stcore/health", "/_stcore/host-config"):
            with opener.open(self.base + path, timeout=self.timeout) as r:
                r.read()
        cookies = {c.name: c.value for c in jar}
        return "; ".join(f"{k}={v}" for k, v in cookies.items()), cookies.get("_streamlit_xsrf", "")

    async def connect(self) -> None:
        cookie, xsrf = await asyncio.to_thread(self._http)
        parts = urllib.parse.urlsplit(self.base)
        scheme = "wss" if parts.scheme == "https" else "ws"
        headers = {"Origin": f"{parts.scheme}://{parts.netloc}"}
        if cookie:
            headers["Cookie"] = cookie
        protocols = ["streamlit", xsrf] if xsrf else ["streamlit"]
        self.ws = await websockets.connect(f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
                                           subprotocols=protocols, additional_headers=headers, max_size=None,
                                           open_timeout=self.timeout)

    async def _run(self, client_state_setup) -> tuple[float, str | None]:
        """Send one rerun_script request and read until script_finished; returns (seconds, error or None)."""
        msg = BackMsg()
        client_state_setup(msg.rerun_script)
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        error = None
        while True:
            data = await asyncio.wait_for(self.ws.recv(), self.timeout)
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = fm.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":  # st.navigation: the page that runs, not the router script (app.py)
                self.page_hash = fm.navigation.page_script_hash or self.page_hash
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                ek = el.WhichOneof("type")
                if ek == "exception":
                    error = f"exception in the page: {el.exception.type} {el.exception.message[:200]}"
                else:
                    w = widget_of(el, fm.delta.fragment_id, self.widgets.get(getattr(getattr(el, ek), "id", "")))
                    if w is not None:
                        self.widgets[w.id] = w
            elif kind == "script_finished":
                if fm.script_finished not in FINISHED_OK:
                    error = error or f"script finished with status {fm.script_finished}"
                return time.perf_counter() - start, error

    async def first_run(self) -> None:
        def setup(cs):
            cs.query_string = ""
            cs.page_name = self.page

        _, error = await self._run(setup)
        if error:
            raise RuntimeError(error)
        if not self.widgets and not self.rerun_only:
            raise RuntimeError(f"page {self.page!r} shows no widget to move")

    async def move(self) -> tuple[float, str | None]:
        """Move one slider of the page by one to three steps (bouncing off its ends); with ``rerun_only``, run
        the page again as it is (what a widget change costs the server, whatever the widget)."""
        if self.rerun_only:
            def same(cs):
                cs.page_script_hash = self.page_hash
            return await self._run(same)
        s = self.rng.choice(list(self.widgets.values()))
        s.value = s.moved(self.rng)

        def setup(cs):
            cs.page_script_hash = self.page_hash
            cs.fragment_id = s.fragment_id
            for other in self.widgets.values():
                other.write(cs.widget_states.widgets.add())

        return await self._run(setup)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def run_session(base: str, page: str, seed: int, warm_until: float, stop_at: float, think: float,
                      timeout: float, rerun_only: bool = False) -> SessionStats:
    session = Session(base, page, seed, timeout, rerun_only)
    try:
        await session.connect()
        await session.first_run()
        while time.monotonic() < stop_at:
            seconds, error = await session.move()
            session.stats.reruns += 1
            if error:
                session.stats.errors.append(error)
            if time.monotonic() >= warm_until:
                session.stats.timed_reruns += 1
                session.stats.latencies_ms.append(seconds * 1000)
            if think > 0:
                await asyncio.sleep(think * session.rng.uniform(0.5, 1.5))
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, never hidden
        session.stats.errors.append(f"{type(exc).__name__}: {exc}"[:300])
    finally:
        try:
            await session.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
    return session.stats


# -- the browser beside the load --------------------------------------------------------------------------------
@dataclass
class BrowserStats:
    checks: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


MARKER = '[data-testid="lossappControls"] input[data-param="l1_pred"]'
L1_LOSS = '[data-testid="lossappReadout"] dd'


async def run_browser(base: str, stop_at: float, warm_until: float) -> BrowserStats:
    """A real page in Chromium: press the arrow key on L1's marker and check the loss it shows, until stop_at."""
    import logging

    from playwright.async_api import async_playwright

    # lossapp's caches warn that there is no runtime in this process; that is expected here
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    from lossapp.formatting import fmt
    from losscore import L1Loss

    stats = BrowserStats()
    if not Path(CHROMIUM).exists():
        stats.errors.append(f"no Chromium at {CHROMIUM}; run with --no-browser or install it (make chromium)")
        return stats
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)
            await page.add_init_script(STATE_OBSERVER)
            await page.goto(f"{base}/Regression")
            await page.wait_for_function("window.__stRuns > 0")
            thumb = page.locator(MARKER).first
            await thumb.wait_for()
            key, presses = "ArrowRight", 0
            while time.monotonic() < stop_at:
                before = await page.evaluate("window.__stRuns")
                value_before = float(await thumb.input_value())
                if value_before >= 4.5:
                    key = "ArrowLeft"
                elif value_before <= -4.5:
                    key = "ArrowRight"
                start = time.perf_counter()
                await thumb.press(key)
                value = float(await thumb.input_value())
                expected = fmt(float(L1Loss()([value], [0.0])[0]))
                try:
                    await page.wait_for_function(
                        "([sel, want]) => document.querySelector(sel).innerText.trim() === want",
                        arg=[L1_LOSS, expected], timeout=5_000)
                except Exception:  # noqa: BLE001 - a wrong reading, reported below
                    pass
                elapsed = (time.perf_counter() - start) * 1000
                shown = (await page.locator(L1_LOSS).first.inner_text()).strip()
                # the browser then tells the server (one script run, once the slider has been still a moment)
                await page.wait_for_function(
                    "(n) => window.__stRuns > n && document.querySelector('[data-testid=\"stApp\"]')"
                    ".getAttribute('data-test-script-state') === 'notRunning'", arg=before)
                stats.checks += 1
                presses += 1
                if time.monotonic() >= warm_until:
                    stats.latencies_ms.append(elapsed)
                if value == value_before:
                    stats.errors.append(f"press {presses}: the marker did not move from {value_before}")
                if shown != expected:
                    stats.errors.append(f"press {presses}: marker {value} shows L1 loss {shown}, "
                                        f"expected {expected}")
                if await page.locator('[data-testid="stException"]').count():
                    stats.errors.append(f"press {presses}: an exception is shown on the page")
                await asyncio.sleep(0.5)  # a person looks at the result before the next press
        except Exception as exc:  # noqa: BLE001 - counted as an error of the run
            stats.errors.append(f"browser: {type(exc).__name__}: {exc}"[:300])
        finally:
            await browser.close()
    return stats


# -- the whole run ----------------------------------------------------------------------------------------------
async def run_load(base: str, sessions: int, duration: float, warmup: float, think: float, pages: list[str],
                   timeout: float, browser: bool, seed: int, server_pids: list[int], rerun_only: bool = False) -> dict:
    start = time.monotonic()
    warm_until = start + warmup
    stop_at = warm_until + duration
    tasks = [asyncio.create_task(run_session(base, pages[i % len(pages)], seed * 1000 + i, warm_until, stop_at,
                                             think, timeout, rerun_only)) for i in range(sessions)]
    browser_task = asyncio.create_task(run_browser(base, stop_at, warm_until)) if browser else None
    await asyncio.sleep(max(0.0, warm_until - time.monotonic()))
    cpu0, wall0 = (cpu_seconds(server_pids) if server_pids else None), time.monotonic()
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    results = await asyncio.gather(*tasks)
    cpu1, wall1 = (cpu_seconds(server_pids) if server_pids else None), time.monotonic()
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    bstats = await browser_task if browser_task else None

    latencies = [v for r in results for v in r.latencies_ms]
    errors = [e for r in results for e in r.errors]
    timed = sum(r.timed_reruns for r in results)
    window = wall1 - wall0
    out = {
        "sessions": sessions,
        "pages": pages,
        "duration_s": round(window, 1),
        "think_s": think,
        "reruns": sum(r.reruns for r in results),
        "timed_reruns": timed,
        "reruns_per_s": round(timed / window, 2) if window > 0 else None,
        "errors": len(errors) + (len(bstats.errors) if bstats else 0),
        "error_samples": (errors + (bstats.errors if bstats else []))[:10],
        "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "generator_cpu_s": round((self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime), 1),
    }
    served = timed + (len(bstats.latencies_ms) if bstats else 0)  # the browser's presses are reruns too
    if cpu0 is not None and served:
        cpu = cpu1 - cpu0
        out["server_cpu_s"] = round(cpu, 1)
        out["server_cpu_share"] = round(cpu / window, 2)  # 1.0 = one core busy all the time
        out["reruns_served"] = served
        out["cpu_ms_per_rerun"] = round(cpu / served * 1000, 1)
        out["server_rss_mb"] = round(rss_mb(server_pids), 0)
    if bstats is not None:
        out["browser"] = {
            "checks": bstats.checks,
            "errors": len(bstats.errors),
            "p50_ms": round(percentile(bstats.latencies_ms, 50), 1) if bstats.latencies_ms else None,
            "p95_ms": round(percentile(bstats.latencies_ms, 95), 1) if bstats.latencies_ms else None,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", "-n", type=int, default=8, help="concurrent sessions, 1 to 64 (default 8)")
    ap.add_argument("--duration", type=float, default=60.0, help="measured seconds (default 60)")
    ap.add_argument("--warmup", type=float, default=10.0, help="seconds before measuring (default 10)")
    ap.add_argument("--think", type=float, default=1.0, help="mean seconds between a session's moves (default 1)")
    ap.add_argument("--page", action="append", dest="pages", help="page to load (repeatable; default Regression)")
    ap.add_argument("--url", help="an already running app (default: start one on a free port for the run)")
    ap.add_argument("--server-pid", type=int, action="append", default=[],
                    help="with --url: server processes whose CPU to measure (repeatable)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds a rerun may take before it is an error")
    ap.add_argument("--user-interval", type=float, default=1.0,
                    help="seconds between an active user's reruns, for users per core (default 1)")
    ap.add_argument("--no-browser", dest="browser", action="store_false", help="no Chromium session beside")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    if not 1 <= args.sessions <= 64:
        ap.error("--sessions must be between 1 and 64")
    pages = args.pages or ["Regression"]

    proc, pids, log_dir = None, list(args.server_pid), None
    base = args.url
    if base is None:
        log_dir = Path(tempfile.mkdtemp(prefix="lossapp-load-"))
        port = free_port()
        proc = start_server(port, log_dir / "streamlit.log")
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc)
        pids = [proc.pid]
    load_before = machine_load()
    try:
        result = asyncio.run(run_load(base, args.sessions, args.duration, args.warmup, args.think, pages,
                                      args.timeout, args.browser, args.seed, pids))
    finally:
        if proc is not None:
            stop_server(proc)
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "load_before": load_before, "load_after": machine_load()}
    if "cpu_ms_per_rerun" in result and result["cpu_ms_per_rerun"] > 0:
        result["user_interval_s"] = args.user_interval
        result["users_per_core"] = int(args.user_interval * 1000 / result["cpu_ms_per_rerun"])

    print(f"{result['sessions']} sessions on {', '.join(pages)} for {result['duration_s']} s "
          f"(think {args.think} s; load average before {load_before}, after {result['machine']['load_after']})")
    print(f"  reruns {result['timed_reruns']} ({result['reruns_per_s']}/s), errors {result['errors']}")
    print(f"  rerun latency p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms")
    if "cpu_ms_per_rerun" in result:
        print(f"  server CPU {result['server_cpu_s']} s = {result['server_cpu_share']} cores, "
              f"{result['cpu_ms_per_rerun']} ms per rerun, RSS {result['server_rss_mb']} MB; "
              f"users per core at one rerun every {args.user_interval:g} s: {result.get('users_per_core')}")
    if "browser" in result:
        b = result["browser"]
        print(f"  browser beside it: {b['checks']} checked presses, {b['errors']} wrong, "
              f"p50 {b['p50_ms']} ms, p95 {b['p95_ms']} ms")
    for e in result["error_samples"]:
        print(f"  error: {e}")
    print(f"  load generator CPU {result['generator_cpu_s']} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
