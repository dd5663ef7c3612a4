"""The "run it yourself" snippets, run in the real frameworks: every curve loss, at its defaults and with each
parameter moved, at the labels the page allows, in losscore, PyTorch (in this process) and MXNet Gluon 1.9.1
(in its own venv, ``.venv-mxnet``, made by ``make test``: MXNet needs numpy 1.23). Each snippet's numbers must
be the app's, except where the catalog documents an MXNet difference, which is then asserted as documented.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lossapp import export, snippets
from lossapp.curve_views import curve_view
from lossapp.model import Curve, CurveView
from lossapp.sections.curves import fs_view
from losscore.catalog import CATALOG

ROOT = Path(__file__).resolve().parents[1]
MXNET_PYTHON = Path(os.environ.get("MXNET_PYTHON", ROOT / ".venv-mxnet" / "bin" / "python"))
CURVE_LOSSES = [name for name, spec in CATALOG.items() if spec.curve is not None]

#: Labels each loss is run at: the page's range, its ends, and a value inside it where the loss takes one (a loss
#: not listed: its default label and the ends of its range, :func:`labels`).
LABELS: dict[tuple[str, str], tuple[float, ...]] = {
    ("L1Loss", ""): (0.0, 1.5),
    ("L2Loss", ""): (0.0, 1.5),
    ("HuberLoss", ""): (0.0, 1.5),
    ("SigmoidBinaryCrossEntropyLoss", ""): (0.0, 1.0, 0.3),
    ("HingeLoss", ""): (-1.0, 1.0, 0.5),
    ("SquaredHingeLoss", ""): (-1.0, 1.0, 0.5),
    ("LogisticLoss", "signed"): (-1.0, 1.0, 0.0, 0.5),
    ("LogisticLoss", "binary"): (0.0, 1.0, 0.3),
    ("PoissonNLLLoss", ""): (0.0, 3.0),
}

#: The curve losses a framework has no spelling of, with the reason: their snippet must say so and hold no code
#: (a curve loss neither spelled nor listed here fails test_every_curve_loss_is_spelled_or_listed).
NOT_SPELLED: dict[tuple[str, str], str] = {}
FRAMEWORKS = ("MXNet Gluon", "PyTorch")


def labels(name: str, fmt: str = "") -> tuple[float, ...]:
    spec = CATALOG[name]
    return LABELS.get((name, fmt)) or tuple(dict.fromkeys((spec.default_label, *spec.label_range)))


#: Parameters that only act together with another one moved (epsilon only without from_logits, ...).
COMBINED: dict[str, tuple[dict[str, Any], ...]] = {
    "SigmoidBinaryCrossEntropyLoss": ({"from_sigmoid": True, "pos_weight": 3.0},),
    "PoissonNLLLoss": ({"from_logits": False, "epsilon": 1e-3}, {"from_logits": False, "compute_full": True}),
}


def moved(p) -> Any:
    """A value of catalog parameter ``p`` other than its default, inside the page's range."""
    if p.kind == "bool":
        return not p.default
    if p.kind == "choice":
        return next(c for c in p.choices if c != p.default)
    value = round(p.low + 0.7 * (p.high - p.low), 6)
    return value if value != p.default else p.high


def settings(name: str) -> list[tuple[dict[str, Any], float]]:
    """(parameters, sample weight) of every run of one loss: defaults, each parameter moved, the combinations."""
    spec = CATALOG[name]
    runs = [({}, 1.0), ({}, 0.4)] + [({p.name: moved(p)}, 1.0) for p in spec.params]
    return runs + [(combo, 1.0) for combo in COMBINED.get(name, ())]


def case_views() -> dict[str, CurveView]:
    """Every run as the page builds it (lossapp.curve_views.curve_view: the page's x-axis, marker and numbers)."""
    views = {}
    for name in CURVE_LOSSES:
        for params, sw in settings(name):
            fmt = params.get("label_format", CATALOG[name].defaults().get("label_format", "")) \
                if name == "LogisticLoss" else ""
            for label in labels(name, fmt):
                full = {**CATALOG[name].defaults(), **params}  # a page passes every parameter
                marker = 0.25  # the page's marker start: 0.5 on a probability axis, 1 on a rate axis
                if full.get("from_sigmoid") or full.get("from_logits") is False:
                    marker = 0.5 if name == "SigmoidBinaryCrossEntropyLoss" else 1.0
                key = f"{name}[{','.join(f'{k}={v}' for k, v in params.items()) or 'defaults'},sw={sw},label={label}]"
                views[key] = curve_view(name, full, label, sample_weight=sw, marker=marker)
    # views of several losses at once, as the comparison pages draw them (results keyed by loss name)
    views["regression trio"] = _several(["L1Loss", "L2Loss", "HuberLoss"], {"rho": 2.5, "weight": 1.5}, 1.5)
    views["classification trio"] = _several(["HingeLoss", "LogisticLoss", "SigmoidBinaryCrossEntropyLoss"],
                                            {}, 1.0)
    return views


def _several(names: list[str], params: dict[str, Any], label: float) -> CurveView:
    curves = tuple(curve_view(n, params, label).curves[0] for n in names)
    return CurveView(f"{len(names)} losses", curves, marker=0.25, label=label, loss_names=tuple(names),
                     params=params)


VIEWS = case_views()
#: Binary classification's from_sigmoid chart: SigmoidBCE twice, from_sigmoid on and off, on the same q.
VIEWS.update({f"from_sigmoid chart, label {y:g}": fs_view(0.9, y) for y in (0.0, 1.0)})
IDS = list(VIEWS)
#: Charts of the losses without a loss-vs-prediction curve (softmax along one logit, cosine against the angle,
#: ...): their snippets name the class with the page's parameters and must run too.
OTHERS = {
    name: CurveView(f"{name} chart", (Curve("other", np.linspace(0.0, 1.0, 5), np.zeros(5), np.zeros(5)),),
                    marker=0.5, label=0.0, loss_names=(name,), params={**spec.defaults(), "sample_weight": 0.5})
    for name, spec in CATALOG.items() if spec.curve is None
}


def sections(view: CurveView) -> list[snippets.Section]:
    return [snippets.Section(view, i, n) for i, n in enumerate(view.loss_names)]


def test_the_cases_cover_every_curve_loss_parameter_and_label():
    assert len(CURVE_LOSSES) >= 8
    for name in CURVE_LOSSES:
        keys = [k for k in VIEWS if k.startswith(name + "[")]
        for p in CATALOG[name].params:
            assert any(f"{p.name}=" in k for k in keys), (name, p.name)
    assert "LogisticLoss[defaults,sw=1.0,label=0.0]" in VIEWS  # signed labels, 0 among them
    assert sum(1 for k in VIEWS if "[" in k) >= 90


# -- running ---------------------------------------------------------------------------------------------
def run_here(code: str) -> tuple[dict, str]:
    """Execute a snippet in this interpreter; its ``results`` and what it printed."""
    namespace: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet>", "exec"), namespace)  # our own generated code
    results = {k: (np.asarray(v[0], dtype=np.float64).ravel(), np.asarray(v[1], dtype=np.float64).ravel())
               if isinstance(v, tuple) else (v.values, v.grad)  # losscore's: whole sweeps
               for k, v in namespace["results"].items()}
    return results, out.getvalue()


#: Runs snippets in the MXNet venv: a JSON list of [key, code] on stdin, {key: {results, printed, error}} out.
_RUNNER = r"""
import contextlib, io, json, sys, traceback
import mxnet
assert mxnet.__version__ == "1.9.1", mxnet.__version__
out = {}
for key, code in json.load(sys.stdin):
    namespace, printed = {}, io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "<" + key + ">", "exec"), namespace)
        results = {k: [[float(x) for x in v[0]], [float(x) for x in v[1]]] for k, v in namespace["results"].items()}
        out[key] = {"results": results, "printed": printed.getvalue(), "error": None}
    except Exception:
        out[key] = {"results": {}, "printed": printed.getvalue(), "error": traceback.format_exc()}
sys.stdout.write("\n=== results\n" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def mxnet_runs() -> dict[str, dict]:
    """Every MXNet snippet, run in one subprocess of the MXNet venv (importing MXNet takes seconds)."""
    if not MXNET_PYTHON.exists():
        why = f"no MXNet venv at {MXNET_PYTHON}: `make test` makes it (make .venv-mxnet/.deps)"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    jobs = [[key, export.snippets(view)["MXNet Gluon"]] for key, view in {**VIEWS, **OTHERS}.items()]
    start = time.perf_counter()
    done = subprocess.run([str(MXNET_PYTHON), "-c", _RUNNER], input=json.dumps(jobs), capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout.split("\n=== results\n", 1)[1])
    print(f"\n{len(jobs)} MXNet snippets in {time.perf_counter() - start:.1f} s")
    return runs


# -- comparing -------------------------------------------------------------------------------------------
def assert_matches(key: str, view: CurveView, results: dict, printed: str, framework: str) -> None:
    secs = [s for s in sections(view) if (framework, s.name) not in NOT_SPELLED]
    assert list(results) == [s.title for s in secs]
    assert printed.count("loss ") >= len(secs) and printed.count("dL/dpred ") >= len(secs)
    for s in secs:
        values, grads = results[s.title]
        want_values, want_grads = s.loss.astype(np.float64), s.grad.astype(np.float64)
        if framework == "MXNet Gluon":
            want_values, want_grads = mxnet_documented(s, want_values, want_grads)
        assert values.shape == want_values.shape, (key, s.title)
        np.testing.assert_allclose(values, want_values, rtol=1e-9, atol=1e-12,
                                   err_msg=f"{framework} loss of {key} {s.title} at {s.pred}")
        np.testing.assert_allclose(grads, want_grads, rtol=1e-9, atol=1e-12,
                                   err_msg=f"{framework} dL/dpred of {key} {s.title} at {s.pred}")


def mxnet_documented(s: snippets.Section, values: np.ndarray, grads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The app's numbers with MXNet 1.9.1's documented differences (catalog ``differences``) applied."""
    values, grads = values.copy(), grads.copy()
    notes = " ".join(s.spec.differences)
    if "sigma(0) - z; MXNet 1.9.1 returns -z there" in notes and not s.params.get("from_sigmoid"):
        z = (s.label + 1) / 2 if s.params.get("label_format") == "signed" else s.label
        at0 = s.pred == 0
        # with a pos_weight (said in the snippet), Gluon's other branch: relu(-pred) and |pred| count 0 at 0
        grads[at0] = 1.0 - z if float(s.params.get("pos_weight", 1.0)) != 1.0 else -z
        grads[at0] *= float(s.params["weight"]) * (s.sample_weight or 1.0)
    if s.name == "PoissonNLLLoss" and s.params["compute_full"] and s.label == 0.0:
        assert "compute_full with a target of 0 gives NaN in MXNet 1.9.1" in notes
        values[:] = np.nan
    return values, grads


@pytest.mark.parametrize("key", IDS)
def test_losscore_snippet_gives_the_apps_numbers(key):
    view = VIEWS[key]
    results, printed = run_here(export.snippets(view)["losscore"])  # it also asserts them itself
    assert_matches(key, view, results, printed, "losscore")


@pytest.mark.parametrize("key", IDS)
def test_pytorch_snippet_gives_the_apps_numbers(key):
    import torch

    assert torch.__version__.startswith("2.13.0")
    view = VIEWS[key]
    results, printed = run_here(export.snippets(view)["PyTorch"])
    assert_matches(key, view, results, printed, "PyTorch")


@pytest.mark.parametrize("key", IDS)
def test_mxnet_snippet_runs_and_gives_the_apps_numbers(key, mxnet_runs):
    run = mxnet_runs[key]
    assert run["error"] is None, run["error"]
    results = {k: (np.asarray(v[0], dtype=np.float64), np.asarray(v[1], dtype=np.float64))
               for k, v in run["results"].items()}
    assert_matches(key, VIEWS[key], results, run["printed"], "MXNet Gluon")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_curve_loss_is_spelled_or_listed(framework):
    """Nothing is skipped silently: a curve loss either has code in the framework (run above) or is listed in
    NOT_SPELLED with its reason, and then its snippet says so instead of guessing a class name."""
    assert {fw for fw, _ in NOT_SPELLED} <= set(FRAMEWORKS) and all(NOT_SPELLED.values())
    for name in CURVE_LOSSES:
        code = export.snippets(curve_view(name, CATALOG[name].defaults(), CATALOG[name].default_label))[framework]
        ast.parse(code)
        note = f"has no built-in {name}:" in code
        if (framework, name) in NOT_SPELLED:
            assert note and "results[" not in code and f"gluon.loss.{name}" not in code, (framework, name)
        else:
            assert not note and "results[" in code, f"{name}: spell it in {framework} or list it in NOT_SPELLED"


def test_signed_logistic_label_0_in_pytorch_is_not_log_2_everywhere():
    """The issue's case: SoftMarginLoss gave log 2 at every prediction; Gluon's (y + 1) / 2 gives 2.5067 at ±5."""
    view = curve_view("LogisticLoss", {"label_format": "signed"}, 0.0)
    results, _ = run_here(export.snippets(view)["PyTorch"])
    values, _ = results["LogisticLoss"]
    np.testing.assert_allclose(values[[0, -1]], [2.5067153, 2.5067153], rtol=1e-7)
    code = [line for line in export.snippets(view)["PyTorch"].splitlines() if not line.startswith("#")]
    assert not [line for line in code if "SoftMarginLoss" in line]


def test_mxnet_poisson_snippet_passes_epsilon_positionally():
    view = curve_view("PoissonNLLLoss", {"from_logits": False, "epsilon": 1e-3}, 3.0, marker=1.0)
    code = export.snippets(view)["MXNet Gluon"]
    assert "loss(pred, label, None, 0.001)" in code and "epsilon=" not in code.split("loss = ", 1)[1]



@pytest.mark.parametrize("name", list(OTHERS))
def test_snippets_of_the_losses_without_a_curve_run(name, mxnet_runs):
    import torch  # noqa: F401 - the PyTorch snippet imports it

    code = export.snippets(OTHERS[name])
    results, printed = run_here(code["losscore"])
    assert results == {} and f"{name}(" in printed
    assert run_here(code["PyTorch"]) == ({}, "")  # notes only: PyTorch has no such class to run
    run = mxnet_runs[name]
    assert run["error"] is None, run["error"]
    assert run["results"] == {} and f"{name}(" in run["printed"]
