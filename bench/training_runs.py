"""How long one Training lab run takes (one loss, 500 steps): what a settings slider's move waits for on the server.

    python bench/training_runs.py            # medians of 5 runs per loss; target below 150 ms each

A benchmark, not a test: the time depends on the host and its load.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lossapp import training  # noqa: E402 - needs ROOT on sys.path
from lossapp.training import (  # noqa: E402
    blob_data,
    classifier_losses,
    gradient_descent,
    regression_data,
    regression_losses,
)

TARGET_S = 0.15


def main() -> int:
    worst = 0.0
    cases = {"regression": (regression_data(training.MAX_OUTLIERS - 2, 15.0, 0.5, 0), regression_losses(1.0)),
             "classifier": (blob_data(3.0, 2, 0), classifier_losses(1.0))}
    for which, (data, losses) in cases.items():
        times = {}
        for name, loss in losses.items():
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                gradient_descent(name, loss, data.design, data.y, 0.05, 500)
                runs.append(time.perf_counter() - start)
            times[name] = statistics.median(runs)
        worst = max(worst, *times.values())
        print(f"{which}: " + ", ".join(f"{n} {t * 1000:.1f} ms" for n, t in times.items()) + " per 500-step run")
    print(f"slowest {worst * 1000:.1f} ms (target < {TARGET_S * 1000:.0f} ms)")
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
