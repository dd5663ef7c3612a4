"""losscore's ``value_and_grad`` against PyTorch CPU forward + backward, timed side by side in one process.

Run from the repository root::

    python bench/losscore_vs_torch.py            # full run (about a minute)
    python bench/losscore_vs_torch.py --quick    # smoke run: fewer repeats
    python bench/losscore_vs_torch.py --json results.json

Method. Every case is first checked numerically: the per-sample values and the gradient of their sum with
respect to the first input must agree with torch's result on float64 copies of the inputs (np.allclose, rtol
1e-4, atol 1e-5 times the largest reference magnitude); a case that disagrees is reported as FAIL and not timed.
(float64 rather than torch's float32 call, because in float32 torch's own CTC drifts by ~1e-4 from the exact
answer; the float32 deviation is recorded in the JSON.) Then both sides are warmed up and timed in
alternation, round by round (losscore then torch, torch then losscore on the next round, ...), so that load from
other processes hits both alike. Before each timed sample, the side about to be timed runs untimed for a
while (``--settle``, 20 ms by default): torch's OpenMP worker keeps spinning on a core for about 10 ms after
every torch call, so without this losscore's samples (which mostly follow torch's) would share a core with that
thread while torch's samples never meet anything similar; the untimed calls outlast it and bring the timed side
to its steady state. They run rather than sleep, because after an idle pause this VM needs several milliseconds
to run at full speed again. ``--settle 0`` times back to back as before. One timing sample is a batch of calls
long enough to dwarf the timer (at least ~2 ms); the table shows the median per-call time over the rounds, and
the ratio of the two medians.
torch runs with its default thread count (the number of cores), which the output states. When the load average
says other processes were busy, a warning and the best round of each side are printed too: torch's OpenMP
threads lose the most when a core is taken, so medians from a busy machine flatter losscore.

Targets (issue 19): every large elementwise loss at most 1.0x torch's time (L2 0.5x), SoftmaxCE and KLDiv at
most 1.1x, CTC at most 1.3x; curve-sized calls (1,000 points) under 50 us each and at most 0.5x torch, and a
small CTC (N=1, T=30, C=5) under 0.5 ms absolute. The host's SIMD level (what numpy's loops can use) is printed
with the table: numpy's float32 exp/log are vectorised from AVX2 on, log1p and exp2 only with AVX-512, so the
same code can rank differently on the two kinds of x86 host. A missed target is printed clearly, but
the exit code stays 0; only a crash or a numerical disagreement would be worth a non-zero code, and even those
are reported in the table rather than raised.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # running as `python bench/losscore_vs_torch.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

import losscore  # noqa: E402

RTOL = 1e-4
ATOL_SCALE = 1e-5  # atol = ATOL_SCALE * max |reference|, so float32 cancellation near 0 does not count as a miss
MIN_SAMPLE_SECONDS = 2e-3
#: Untimed calls of the timed side before each sample (see the docstring); torch's OpenMP worker spins ~10 ms.
SETTLE_SECONDS = 0.02


@dataclass
class Case:
    """One benchmark row: losscore's call, and torch's forward on (pred, *extras) for the same problem."""

    name: str
    kind: str  # "ratio": target is losscore time / torch time; "abs": target is seconds per losscore call
    target: float
    ours: Callable[[], tuple]
    torch_forward: Callable[..., torch.Tensor]  # (pred tensor, *extra tensors) -> per-sample values
    pred: np.ndarray
    extras: tuple = ()
    max_ratio: float | None = None  # for "abs" cases: also at most this ratio to torch
    result: dict = field(default_factory=dict)

    def torch_call(self, dtype: torch.dtype = torch.float32) -> Callable[[], tuple]:
        """torch's forward and backward as a call: per-sample values and d(sum of values)/d(pred).

        Float inputs are given to torch in ``dtype`` (float32 for timing, float64 for the reference);
        integer inputs (class indices, lengths) as they are.
        """

        def tensor(a):
            t = torch.from_numpy(np.ascontiguousarray(a))
            return t.to(dtype) if t.is_floating_point() else t

        x = tensor(self.pred).requires_grad_(True)
        extras = tuple(tensor(a) for a in self.extras)
        forward = self.torch_forward

        def run():
            out = forward(x, *extras)
            (grad,) = torch.autograd.grad(out.sum(), x)
            return out, grad

        return run


# -- the cases ------------------------------------------------------------------------------------------------
def build_cases(rng: np.random.Generator) -> tuple[list[Case], list[str]]:
    cases: list[Case] = []
    notes: list[str] = []
    f32 = np.float32

    # Large elementwise losses: 1,000,000 elements as (1000, 1000); per-sample mean over dim 1.
    shape = (1000, 1000)
    x = rng.standard_normal(shape, dtype=f32)
    y = rng.standard_normal(shape, dtype=f32)
    z01 = (rng.random(shape) < 0.5).astype(f32)
    zpm = 2 * z01 - 1
    rho = 1.0

    def big(name, target, loss, label, fwd):
        cases.append(Case(f"{name} 1000x1000", "ratio", target, lambda: loss.value_and_grad(x, label),
                          lambda p, t: fwd(p, t).mean(dim=1), x, (label,)))

    big("L2", 0.5, losscore.L2Loss(), y, lambda p, t: 0.5 * F.mse_loss(p, t, reduction="none"))
    big("L1", 1.0, losscore.L1Loss(), y, lambda p, t: F.l1_loss(p, t, reduction="none"))
    big("Huber", 1.0, losscore.HuberLoss(rho=rho), y, lambda p, t: F.smooth_l1_loss(p, t, reduction="none", beta=rho))
    big("SigmoidBCE", 1.0, losscore.SigmoidBinaryCrossEntropyLoss(), z01,
        lambda p, t: F.binary_cross_entropy_with_logits(p, t, reduction="none"))
    big("Hinge", 1.0, losscore.HingeLoss(), zpm, lambda p, t: torch.clamp(1 - p * t, min=0))
    big("SquaredHinge", 1.0, losscore.SquaredHingeLoss(), zpm, lambda p, t: torch.clamp(1 - p * t, min=0) ** 2)
    big("Logistic", 1.0, losscore.LogisticLoss(), zpm, lambda p, t: F.softplus(-p * t))

    # Softmax cross-entropy and KL divergence on (8192, 1000).
    n, c = 8192, 1000
    logits = rng.standard_normal((n, c), dtype=f32) * f32(3)
    labels = rng.integers(0, c, size=n)
    log_p = torch.log_softmax(torch.from_numpy(rng.standard_normal((n, c), dtype=f32)), dim=1).numpy()
    q = torch.softmax(torch.from_numpy(rng.standard_normal((n, c), dtype=f32)), dim=1).numpy()
    sce, kl = losscore.SoftmaxCrossEntropyLoss(), losscore.KLDivLoss(from_logits=True)
    cases += [
        Case("SoftmaxCE 8192x1000", "ratio", 1.1, lambda: sce.value_and_grad(logits, labels),
             lambda p, t: F.cross_entropy(p, t, reduction="none"), logits, (labels,)),
        Case("KLDiv 8192x1000", "ratio", 1.1, lambda: kl.value_and_grad(log_p, q),
             lambda p, t: F.kl_div(p, t, reduction="none").sum(dim=1), log_p, (q,)),
    ]

    # CTC, only if the sequence module is there (it is being written alongside this benchmark).
    try:
        from losscore import sequence
    except ImportError as exc:
        sequence = None
        notes.append(f"CTC: not available (losscore.sequence does not import: {exc})")

    def ctc_case(nb, steps, classes, label_len, kind, target):
        acts = rng.standard_normal((nb, steps, classes), dtype=f32)
        lab = rng.integers(0, classes - 1, size=(nb, label_len))  # blank is the last class
        lab_f = lab.astype(f32)
        in_len = np.full(nb, steps, dtype=np.int64)
        lab_len = np.full(nb, label_len, dtype=np.int64)
        ctc = sequence.CTCLoss()  # layout NTC, blank = C - 1

        def fwd(p, lab_t, in_len_t, lab_len_t):
            lp = torch.log_softmax(p, dim=2).transpose(0, 1)
            return F.ctc_loss(lp, lab_t, in_len_t, lab_len_t, blank=classes - 1, reduction="none")

        name = f"CTC N={nb} T={steps} C={classes} L={label_len}"
        return Case(name, kind, target, lambda: ctc.value_and_grad(acts, lab_f), fwd, acts, (lab, in_len, lab_len))

    if sequence is not None:
        cases.append(ctc_case(16, 100, 28, 20, "ratio", 1.3))

    # Curve-sized calls: 1,000 points, absolute target.
    m = 1000
    cx = np.linspace(-5, 5, m, dtype=f32)
    cy = rng.standard_normal(m, dtype=f32)
    c01 = (rng.random(m) < 0.5).astype(f32)
    cpm = np.where(rng.random(m) < 0.5, f32(1), f32(-1)).astype(f32)
    counts = rng.poisson(2.0, size=m).astype(f32)

    def curve(name, loss, label, fwd):
        cases.append(Case(f"{name} curve 1000", "abs", 50e-6, lambda: loss.value_and_grad(cx, label), fwd, cx,
                          (label,), max_ratio=0.5))

    curve("L1", losscore.L1Loss(), cy, lambda p, t: F.l1_loss(p, t, reduction="none"))
    curve("L2", losscore.L2Loss(), cy, lambda p, t: 0.5 * F.mse_loss(p, t, reduction="none"))
    curve("Huber", losscore.HuberLoss(rho=1.0), cy, lambda p, t: F.smooth_l1_loss(p, t, reduction="none", beta=1.0))
    curve("SigmoidBCE", losscore.SigmoidBinaryCrossEntropyLoss(), c01,
          lambda p, t: F.binary_cross_entropy_with_logits(p, t, reduction="none"))
    curve("Hinge", losscore.HingeLoss(), cpm, lambda p, t: torch.clamp(1 - p * t, min=0))
    curve("SquaredHinge", losscore.SquaredHingeLoss(), cpm, lambda p, t: torch.clamp(1 - p * t, min=0) ** 2)
    curve("Logistic", losscore.LogisticLoss(), cpm, lambda p, t: F.softplus(-p * t))
    curve("PoissonNLL", losscore.PoissonNLLLoss(), counts,  # losscore averages over every element: shape (1,)
          lambda p, t: F.poisson_nll_loss(p, t, log_input=True, full=False, reduction="none").mean().reshape(1))

    if sequence is not None:
        cases.append(ctc_case(1, 30, 5, 10, "abs", 0.5e-3))
    return cases, notes


# -- checking and timing --------------------------------------------------------------------------------------
def to_numpy(a) -> np.ndarray:
    return a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)


def max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Largest |a - b| / (|b| + atol) with the check's atol: 1.0 means just at the tolerance edge (x rtol)."""
    atol = ATOL_SCALE * float(np.abs(b).max()) / RTOL if b.size else 0.0
    return float((np.abs(a.astype(np.float64) - b) / (np.abs(b) + atol + 1e-300)).max())


def check(case: Case) -> str | None:
    """None if losscore agrees with torch's float64 reference on values and gradient, else what disagrees.

    The reference is torch's own forward and backward on float64 copies of the inputs: the exact answer for
    float32 inputs. Against it, losscore (float32) must pass np.allclose(rtol=RTOL, atol=ATOL_SCALE * max|ref|).
    torch's float32 call, the one that is timed, is compared too; its deviation is recorded for information
    (long float32 recurrences such as CTC's drift by about 1e-4 relative in either implementation).
    """
    ours = case.ours()
    reference = case.torch_call(torch.float64)()
    timed = case.torch_call(torch.float32)()
    dev32 = 0.0
    for what, a, ref, t32 in zip(("values", "grad"), ours, reference, timed, strict=True):
        a, ref, t32 = to_numpy(a), to_numpy(ref), to_numpy(t32)
        if a.shape != ref.shape:
            return f"{what}: shape {a.shape} vs torch {ref.shape}"
        if a.dtype != np.float32:
            return f"{what}: dtype {a.dtype}, expected float32"
        atol = ATOL_SCALE * float(np.abs(ref).max())
        if not np.allclose(a, ref, rtol=RTOL, atol=atol):
            err = np.abs(a.astype(np.float64) - ref) - RTOL * np.abs(ref)
            i = np.unravel_index(int(np.argmax(err)), a.shape)
            return f"{what}: differ at {tuple(int(k) for k in i)}: {a[i]!r} vs torch (float64) {ref[i]!r}"
        dev32 = max(dev32, max_rel_diff(a, t32) * RTOL)
        case.result[f"{what}_max_rel_err_vs_float64"] = max_rel_diff(a, ref) * RTOL
    case.result["max_rel_diff_vs_torch_float32"] = dev32
    return None


def per_call(fn: Callable, inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def batch_size(fn: Callable) -> int:
    """Calls per timing sample so that a sample lasts at least MIN_SAMPLE_SECONDS."""
    one = min(per_call(fn, 1) for _ in range(3))
    return max(1, math.ceil(MIN_SAMPLE_SECONDS / max(one, 1e-7)))


def sample(fn: Callable, inner: int, settle: float) -> float:
    """One timing sample of ``inner`` calls, after untimed calls of ``fn`` for ``settle`` seconds (if > 0)."""
    start = time.perf_counter()
    while time.perf_counter() - start < settle:
        fn()
    return per_call(fn, inner)


def time_case(case: Case, repeats: int, warmup: int, settle: float = SETTLE_SECONDS) -> None:
    mine, theirs_call = case.ours, case.torch_call(torch.float32)
    for _ in range(warmup):
        mine()
        theirs_call()
    n_ours, n_theirs = batch_size(mine), batch_size(theirs_call)
    ours, theirs = [], []
    for r in range(repeats):  # alternate which side goes first, so neither always follows the other
        if r % 2 == 0:
            ours.append(sample(mine, n_ours, settle))
            theirs.append(sample(theirs_call, n_theirs, settle))
        else:
            theirs.append(sample(theirs_call, n_theirs, settle))
            ours.append(sample(mine, n_ours, settle))
    mo, mt = statistics.median(ours), statistics.median(theirs)
    ratio = mo / mt
    ok = ratio <= case.target if case.kind == "ratio" else mo < case.target
    if case.max_ratio is not None:
        ok = ok and ratio <= case.max_ratio
    case.result.update(losscore_s=mo, torch_s=mt, ratio=ratio, passed=ok, repeats=repeats,
                       calls_per_sample={"losscore": n_ours, "torch": n_theirs},
                       median_round_ratio=statistics.median(a / b for a, b in zip(ours, theirs, strict=True)),
                       losscore_best_s=min(ours), torch_best_s=min(theirs), best_ratio=min(ours) / min(theirs))


def fmt_time(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def target_text(case: Case) -> str:
    text = f"<= {case.target:g}x" if case.kind == "ratio" else f"< {fmt_time(case.target)}"
    return text if case.max_ratio is None else f"{text}, <= {case.max_ratio:g}x"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def losscore_threads() -> int:
    try:
        from losscore import _kernels
    except ImportError:  # losscore before the kernels moved (for before/after runs)
        from losscore import _base as _kernels
    return _kernels.THREADS


def simd_level() -> str:
    """What numpy's SIMD loops can use on this host, as numpy.show_runtime() reports it."""
    from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__

    found = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    missing = [f for f in __cpu_dispatch__ if not __cpu_features__.get(f)]
    avx = "AVX-512" if __cpu_features__.get("AVX512F") else "AVX2" if __cpu_features__.get("AVX2") else "no AVX2"
    return (f"{avx} (numpy SIMD baseline {' '.join(__cpu_baseline__)}, found {' '.join(found) or '-'}, "
            f"not found {' '.join(missing) or '-'})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 5 timed rounds, 1 warm-up")
    parser.add_argument("--repeats", type=int, default=None, help="timed rounds per case (default 21; quick 5)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--only", metavar="TEXT", help="run only the cases whose name contains TEXT")
    parser.add_argument("--torch-threads", type=int, default=None, metavar="N",
                        help="torch's thread count (default: torch's own, the number of cores); with "
                             "LOSSCORE_THREADS=1 and 1 here both sides use one core, which a busy host disturbs less")
    parser.add_argument("--settle", type=float, default=SETTLE_SECONDS, metavar="SECONDS",
                        help=f"untimed calls before each timing sample (default {SETTLE_SECONDS:g}; 0: back to back)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (5 if args.quick else 21)
    warmup = 1 if args.quick else 3

    # torch's default thread count is the number of physical cores; set it explicitly so the run says what it used.
    threads = args.torch_threads or torch.get_num_threads()
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    cases, notes = build_cases(rng)
    if args.only:
        cases = [c for c in cases if args.only.lower() in c.name.lower()]

    print(f"losscore vs torch {torch.__version__} (CPU), numpy {np.__version__}, Python {platform.python_version()}")
    print(f"host: {cpu_model()}, {os.cpu_count()} CPUs; SIMD: {simd_level()}; "
          f"losscore threads: {losscore_threads()}")
    print(f"torch threads: {torch.get_num_threads()} ({'set by --torch-threads' if args.torch_threads else 'default'}; "
          f"os.cpu_count() = {os.cpu_count()}), "
          f"float32, {repeats} interleaved rounds after {warmup} warm-up call(s), medians per call")
    print(f"settle: {args.settle * 1e3:g} ms of untimed calls of the timed side before each sample"
          if args.settle > 0 else "settle: none (samples back to back)")
    print(f"numerical check before timing: values and gradient, np.allclose(rtol={RTOL:g}, "
          f"atol={ATOL_SCALE:g} * max|ref|) against torch on float64 copies of the inputs")
    load_before = os.getloadavg()[0]
    print(f"load average (1 min) at start: {load_before:.2f}\n")

    rows = []
    for case in cases:
        try:
            problem = check(case)
        except Exception as exc:  # a crash in one case should not hide the others
            problem = f"error: {type(exc).__name__}: {exc}"
        if problem is not None:
            case.result.update(passed=False, mismatch=problem)
        else:
            time_case(case, repeats, warmup, args.settle)
        rows.append(case)
        sys.stdout.flush()

    load_after = os.getloadavg()[0]
    print("| case | losscore median | torch median | ratio | target | result |")
    print("|---|---:|---:|---:|---|---|")
    for case in rows:
        r = case.result
        if "mismatch" in r:
            print(f"| {case.name} | - | - | - | {target_text(case)} | FAIL (numbers disagree) |")
            continue
        verdict = "pass" if r["passed"] else "**MISS**"
        print(f"| {case.name} | {fmt_time(r['losscore_s'])} | {fmt_time(r['torch_s'])} | {r['ratio']:.2f}x | "
              f"{target_text(case)} | {verdict} |")
    for note in notes:
        print(f"\n{note}")
    failed = [c for c in rows if not c.result.get("passed")]
    for case in failed:
        r = case.result
        if "mismatch" in r:
            print(f"\nFAIL {case.name}: losscore and torch disagree: {r['mismatch']}")
        else:
            got = f"{r['ratio']:.2f}x" if case.kind == "ratio" else fmt_time(r["losscore_s"])
            print(f"\nMISS {case.name}: {got}, target {target_text(case)}")
    if not failed:
        print("\nAll targets met.")
    print(f"\nload average (1 min) at end: {load_after:.2f}")
    if max(load_before, load_after) > (os.cpu_count() or 1) * 0.75:
        print("WARNING: other processes were using the CPUs during this run; torch's OpenMP threads suffer most "
              "from that, so its times (and the ratios) are unreliable. Re-run on a quiet machine.")
        print("For reference, the best round of each side (the least disturbed):")
        print("| case | losscore best | torch best | ratio |")
        print("|---|---:|---:|---:|")
        for case in rows:
            r = case.result
            if "best_ratio" in r:
                print(f"| {case.name} | {fmt_time(r['losscore_best_s'])} | {fmt_time(r['torch_best_s'])} | "
                      f"{r['best_ratio']:.2f}x |")

    if args.json:
        payload = {
            "torch": torch.__version__, "numpy": np.__version__, "torch_threads": torch.get_num_threads(),
            "simd": simd_level(), "losscore_threads": losscore_threads(),
            "cpu_count": os.cpu_count(), "repeats": repeats, "warmup": warmup, "settle_s": args.settle, "notes": notes,
            "load_average": [load_before, load_after],
            "cases": [{"case": c.name, "kind": c.kind, "target": c.target, **c.result} for c in rows],
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
