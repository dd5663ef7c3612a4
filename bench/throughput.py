"""Rerun throughput of every page against a bare Streamlit page, side by side on one machine.

Two servers of the same Streamlit build and config run at once: the app and ``bench/bare_page.py`` (a slider and
a line of text). In each round, every page and the bare page in turn get N protocol-level sessions that rerun
the page as fast as the server answers (no think time) for a few seconds; a page's figure is its reruns per
second (changing its Streamlit widgets as a visitor would, or rerunning it as it is when it has none) divided by
the bare page's in the same round, and the table shows the median over the rounds.

    python bench/throughput.py                     # 4 sessions, 8 s a page, 3 rounds
    python bench/throughput.py --pages Distributions Compare --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import machine_load, run_load  # noqa: E402 - needs ROOT on sys.path
from lossapp import registry  # noqa: E402
from tests.browser.harness import free_port, start_server, stop_server, wait_healthy  # noqa: E402

BARE = "(bare page)"


def measure(base: str, page: str, pid: int, args: argparse.Namespace, seed: int) -> dict:
    """The sessions change the page's Streamlit widgets, as visitors would (a widget inside a fragment reruns only
    its fragment); a page with none (every control in the browser) is rerun as it is, the cost of a reload."""
    result = asyncio.run(run_load(base, args.sessions, args.duration, args.warmup, 0.0, [page], args.timeout,
                                  False, seed, [pid]))
    if result["errors"] and all("shows no widget" in e for e in result["error_samples"]):
        result = asyncio.run(run_load(base, args.sessions, args.duration, args.warmup, 0.0, [page], args.timeout,
                                      False, seed, [pid], rerun_only=True))
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", "-n", type=int, default=4)
    ap.add_argument("--duration", type=float, default=8.0, help="measured seconds per page and round")
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--pages", nargs="*", help="url paths (default: every page of the registry)")
    ap.add_argument("--floor", type=float, default=0.8, help="the ratio every page should reach")
    args = ap.parse_args(argv)
    pages = args.pages or [p.url_path for p in registry.PAGES]

    logs = Path(tempfile.mkdtemp(prefix="lossapp-throughput-"))
    app_port, bare_port = free_port(), free_port()
    app = start_server(app_port, logs / "app.log", cwd=ROOT)
    bare = start_server(bare_port, logs / "bare.log", script=ROOT / "bench" / "bare_page.py", cwd=ROOT)
    targets = [(BARE, f"http://127.0.0.1:{bare_port}", "", bare.pid)]
    targets += [(p or "Home", f"http://127.0.0.1:{app_port}", p, app.pid) for p in pages]
    ratios: dict[str, list[float]] = {name: [] for name, *_ in targets}
    rates: dict[str, list[float]] = {name: [] for name, *_ in targets}
    cpu: dict[str, list[float]] = {name: [] for name, *_ in targets}
    load_before = machine_load()
    try:
        wait_healthy(targets[0][1], bare)
        wait_healthy(targets[1][1], app)
        for _name, base, page, pid in targets:  # a first visit of every page before any timing (imports, caches)
            asyncio.run(run_load(base, 1, 0.5, 0.0, 0.0, [page], args.timeout, False, 0, [pid], rerun_only=True))
        for rnd in range(args.rounds):
            bare_rate = None
            for name, base, page, pid in targets:
                r = measure(base, page, pid, args, rnd)
                if r["errors"]:
                    print(f"{name}: {r['errors']} errors, e.g. {r['error_samples'][:1]}", file=sys.stderr)
                    return 1
                rate = r["reruns_per_s"]
                bare_rate = rate if name == BARE else bare_rate
                rates[name].append(rate)
                cpu[name].append(r.get("cpu_ms_per_rerun", float("nan")))
                ratios[name].append(rate / bare_rate)
    finally:
        stop_server(app)
        stop_server(bare)

    print(f"{args.sessions} sessions, {args.duration:g} s a page, {args.rounds} rounds; load average before "
          f"{load_before}, after {machine_load()}")
    print("| page | reruns/s (median) | server CPU ms per rerun | vs bare page (median of rounds) |")
    print("| --- | ---: | ---: | ---: |")
    worst = min((statistics.median(v), k) for k, v in ratios.items() if k != BARE)
    for name in ratios:
        print(f"| {name} | {statistics.median(rates[name]):.1f} | {statistics.median(cpu[name]):.1f} | "
              f"{statistics.median(ratios[name]):.2f}x |")
    print(f"slowest: {worst[1]} at {worst[0]:.2f}x (floor {args.floor:g}x)")
    return 0 if worst[0] >= args.floor else 2


if __name__ == "__main__":
    sys.exit(main())
