"""What each remaining machine part of losscore earns, measured with and without it in one process.

Run from the repository root::

    python bench/kernel_parts.py              # every part, every case (a few minutes)
    python bench/kernel_parts.py --only CTC   # cases whose name contains CTC

Parts, each switched off by patching the module for the "without" side:

- the pool thread (``_kernels.THREADS`` 2 vs 1) on the exp/log row kernels: wall time, which is what it buys
  on a quiet host, and CPU time of both threads (the work it adds). On a busy host there is no free core and
  the wall times only show the cost.
- row blocks (``_kernels._BLOCK`` 2^18 elements, ``_PARALLEL_BLOCK`` 2^16 for the exp/log kernels, vs one block
  for the whole input), on one thread: CPU time of the calling thread, which preemption by other processes does
  not inflate.
- the exp/log kernels' smaller blocks (``_PARALLEL_BLOCK`` 2^16 vs 2^18 elements), with both threads: wall time.
- CTC in probability space vs log space (``sequence._SMALL_LATTICE`` raised above the lattice), on one thread.

Each case alternates the two sides over interleaved rounds (the order flips every round) and reports medians
and the ratio without / with: above 1 the part earns its place.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import losscore  # noqa: E402
from losscore import _kernels, sequence  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from losscore_vs_torch import simd_level  # noqa: E402


def _problems() -> dict[str, Callable[[], object]]:
    rng = np.random.default_rng(0)
    f32 = np.float32
    x = rng.standard_normal((1000, 1000), dtype=f32)
    y = rng.standard_normal((1000, 1000), dtype=f32)
    z01 = (rng.random((1000, 1000)) < 0.5).astype(f32)
    logits = rng.standard_normal((8192, 1000), dtype=f32) * 3
    labels = rng.integers(0, 1000, 8192)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    q = np.exp(rng.standard_normal((8192, 1000), dtype=f32))
    q /= q.sum(axis=1, keepdims=True)
    acts = rng.standard_normal((16, 100, 28), dtype=f32)
    lab = rng.integers(0, 27, (16, 20))
    return {
        "L2 1000x1000": lambda: losscore.L2Loss().value_and_grad(x, y),
        "Huber 1000x1000": lambda: losscore.HuberLoss().value_and_grad(x, y),
        "SigmoidBCE 1000x1000": lambda: losscore.SigmoidBCELoss().value_and_grad(x, z01),
        "Logistic 1000x1000": lambda: losscore.LogisticLoss().value_and_grad(x, 2 * z01 - 1),
        "SoftmaxCE 8192x1000": lambda: losscore.SoftmaxCELoss().value_and_grad(logits, labels),
        "KLDiv 8192x1000": lambda: losscore.KLDivLoss(from_logits=True).value_and_grad(log_p, q),
        "CTC N=16 T=100 C=28 L=20": lambda: sequence.CTCLoss().value_and_grad(acts, lab),
    }


# part -> (cases it applies to, clock, patches for "with", patches for "without")
PARTS = {
    "pool thread (wall)": (("SigmoidBCE", "Logistic", "SoftmaxCE", "KLDiv"), time.perf_counter,
                           {"THREADS": 2}, {"THREADS": 1}),
    "pool thread (CPU, both threads)": (("SigmoidBCE", "Logistic", "SoftmaxCE", "KLDiv"), time.process_time,
                                        {"THREADS": 2}, {"THREADS": 1}),
    "row blocks (CPU)": (("L2", "Huber", "SigmoidBCE", "SoftmaxCE", "KLDiv"), time.thread_time,
                         {"THREADS": 1}, {"THREADS": 1, "_BLOCK": 1 << 40, "_PARALLEL_BLOCK": 1 << 40}),
    "2^16 exp/log blocks (wall)": (("SigmoidBCE", "Logistic", "SoftmaxCE", "KLDiv"), time.perf_counter,
                                   {"THREADS": 2}, {"THREADS": 2, "_PARALLEL_BLOCK": 1 << 18}),
    "CTC probability space (CPU)": (("CTC",), time.thread_time, {}, {"_SMALL_LATTICE": 1 << 40}),
}


def _patched(values: dict) -> contextlib.AbstractContextManager:
    if not values:
        return contextlib.nullcontext()
    return mock.patch.multiple(sequence if "_SMALL_LATTICE" in values else _kernels, **values)


def _sample(fn: Callable[[], object], clock: Callable[[], float], seconds: float = 0.05) -> float:
    start = clock()
    calls = 0
    while True:
        fn()
        calls += 1
        elapsed = clock() - start
        if elapsed >= seconds:
            return elapsed / calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="interleaved rounds per case (default 11)")
    parser.add_argument("--only", metavar="TEXT", help="run only the cases whose name contains TEXT")
    args = parser.parse_args(argv)
    problems = _problems()
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs; SIMD: {simd_level()}")
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f}; {args.rounds} interleaved rounds, medians\n")
    print("| part | case | with | without | without / with |")
    print("|---|---|---:|---:|---:|")
    for part, (kinds, clock, with_it, without_it) in PARTS.items():
        for name, fn in problems.items():
            if not name.startswith(kinds) or (args.only and args.only.lower() not in name.lower()):
                continue
            times: dict[str, list[float]] = {"with": [], "without": []}
            sides = [("with", with_it), ("without", without_it)]
            for _side, values in sides:  # warm up both
                with _patched(values):
                    fn()
            for r in range(args.rounds):
                for side, values in sides if r % 2 == 0 else sides[::-1]:
                    with _patched(values):
                        times[side].append(_sample(fn, clock))
            a, b = statistics.median(times["with"]), statistics.median(times["without"])
            print(f"| {part} | {name} | {a * 1e3:.2f} ms | {b * 1e3:.2f} ms | {b / a:.2f} |", flush=True)
    print(f"\nload average (1 min) at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
