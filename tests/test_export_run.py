"""The "run it yourself" snippets, run in the real frameworks: every curve loss, at its defaults and with each
parameter moved, at the labels the page allows, and every other loss on its example inputs (lossapp.examples)
with each switch flipped, in losscore and PyTorch (in this process), Keras 3 on the jax backend and optax (one
subprocess of this venv, KERAS_BACKEND=jax) and MXNet Gluon 1.9.1 (in its own venv, ``.venv-mxnet``, made by
``make test``: MXNet needs numpy 1.23). Each snippet's numbers (values and gradients) must be losscore's, except
where the catalog documents an MXNet difference, which is then asserted as documented.

Nothing is skipped silently: a loss a framework has no spelling of must have a code-less entry with its reason
in that framework's table (lossapp.spellings), and its snippet must say so (test_every_loss_is_spelled_or_listed).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lossapp import export, snippets
from lossapp.curve_views import curve_view
from lossapp.examples import EXAMPLES, NO_EXAMPLE
from lossapp.model import Curve, CurveView
from lossapp.sections.curves import fs_view
from lossapp.spellings import FRAMEWORKS, TABLES
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
    ("HingeLoss", ""): (-1.0, 1.0, 0.5, 0.0),  # 0: keras.losses.Hinge would read it as -1 (written out there)
    ("SquaredHingeLoss", ""): (-1.0, 1.0, 0.5, 0.0),
    ("LogisticLoss", "signed"): (-1.0, 1.0, 0.0, 0.5),
    ("LogisticLoss", "binary"): (0.0, 1.0, 0.3),
    ("PoissonNLLLoss", ""): (0.0, 3.0),
}

def labels(name: str, fmt: str = "") -> tuple[float, ...]:
    spec = CATALOG[name]
    return LABELS.get((name, fmt)) or tuple(dict.fromkeys((spec.default_label, *spec.label_range)))


#: Parameters that only act together with another one moved (epsilon only without from_logits, ...).
COMBINED: dict[str, tuple[dict[str, Any], ...]] = {
    "SigmoidBinaryCrossEntropyLoss": ({"from_sigmoid": True, "pos_weight": 3.0},),
    "PoissonNLLLoss": ({"from_logits": False, "epsilon": 1e-3}, {"from_logits": False, "compute_full": True}),
    "SigmoidFocalLoss": ({"alpha": -1.0},),  # no class weight
    # the limits where Barron's formula divides by zero (spelled apart), and the page's lowest alpha
    "GeneralRobustLoss": ({"alpha": 2.0}, {"alpha": 0.0}, {"alpha": -10.0}),
    "AsymmetricLoss": ({"clip": 0.0}, {"gamma_neg": 0.0, "clip": 0.0}),  # no shift (spelled apart); then BCE
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
#: Predictions exactly at a kink, where frameworks pick different slopes (marker 1 is a grid point).
VIEWS.update({f"{name} at its kink, label 1": curve_view(name, CATALOG[name].defaults(), 1.0, marker=1.0)
              for name in ("HingeLoss", "SquaredHingeLoss", "L1Loss") if name in CATALOG})
#: Binary classification's from_sigmoid chart: SigmoidBCE twice, from_sigmoid on and off, on the same q.
VIEWS.update({f"from_sigmoid chart, label {y:g}": fs_view(0.9, y) for y in (0.0, 1.0)})
#: Parameters of the losses without a curve that their examples do not move, and why.
NOT_MOVED: dict[str, str] = {
    "axis": "the examples' classes are on the last axis; axis only says where they are",
}


def example_settings(name: str) -> list[dict[str, Any]]:
    """Defaults, then each switch flipped and each number moved (but those in NOT_MOVED)."""
    spec = CATALOG[name]
    return [{}] + [{p.name: moved(p)} for p in spec.params if p.name not in NOT_MOVED]


#: The losses without a loss-vs-prediction curve (softmax along one logit, cosine against the angle, ...): their
#: snippets compute the loss on the example inputs of lossapp.examples, with the page's parameters.
OTHERS = {
    f"{name}[{','.join(f'{k}={v}' for k, v in params.items()) or 'defaults'}]": CurveView(
        f"{name} chart", (Curve("other", np.linspace(0.0, 1.0, 5), np.zeros(5), np.zeros(5)),), marker=0.5,
        label=0.0, loss_names=(name,), params={**spec.defaults(), **params, "sample_weight": 0.5})
    for name, spec in CATALOG.items() if spec.curve is None for params in example_settings(name)
}
ALL = {**VIEWS, **OTHERS}


IDS = list(ALL)


def sections(view: CurveView) -> list[snippets.Section]:
    return [snippets.Section(view, i, n) for i, n in enumerate(view.loss_names)]


def test_the_cases_cover_every_loss_parameter_and_label():
    assert len(CURVE_LOSSES) >= 8
    for name in CURVE_LOSSES:
        keys = [k for k in VIEWS if k.startswith(name + "[")]
        for p in CATALOG[name].params:
            assert any(f"{p.name}=" in k for k in keys), (name, p.name)
    assert "LogisticLoss[defaults,sw=1.0,label=0.0]" in VIEWS  # signed labels, 0 among them
    assert sum(1 for k in VIEWS if "[" in k) >= 90
    for name, spec in CATALOG.items():
        if spec.curve is None:
            assert (name in EXAMPLES) != (name in NO_EXAMPLE), f"{name}: give it an example or list it in NO_EXAMPLE"
            keys = [k for k in OTHERS if k.startswith(name + "[")]
            for p in spec.params:
                assert p.name in NOT_MOVED or any(f"{p.name}=" in k for k in keys), (name, p.name)
    for view in ALL.values():  # every case has numbers to compare, but the losses listed without an example
        assert all(s.reproducible or s.name in NO_EXAMPLE for s in sections(view))


# -- running ---------------------------------------------------------------------------------------------
def results_of(namespace: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {k: (np.asarray(v[0], dtype=np.float64).ravel(), np.asarray(v[1], dtype=np.float64).ravel())
            if isinstance(v, tuple) else (v.values, v.grad)  # losscore's curves: whole sweeps
            for k, v in namespace["results"].items()}


def run_here(code: str) -> tuple[dict, str]:
    """Execute a snippet in this interpreter; its ``results`` and what it printed."""
    namespace: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet>", "exec"), namespace)  # our own generated code
    return results_of(namespace), out.getvalue()


#: Runs snippets in another interpreter: a JSON file of [key, code] pairs (argv[2]) in, {key: {results, printed,
#: error}} out on stdout.
_RUNNER = r"""
import contextlib, io, json, sys, traceback
exec(sys.argv[1])  # the framework check
out = {}
for key, code in json.load(open(sys.argv[2])):
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
MXNET_CHECK = 'import mxnet; assert mxnet.__version__ == "1.9.1", mxnet.__version__'
JAX_CHECK = ('import jax, keras, optax; assert keras.backend.backend() == "jax"; '
             'assert (jax.__version__, keras.__version__, optax.__version__) == ("0.10.2", "3.15.1", "0.2.8")')


class Batch:
    """Snippets running in another interpreter, started at once so that the batches and this process's own
    tests share the cores; :meth:`results` waits for them."""

    def __init__(self, python: Path | str, check: str, jobs: list[list[str]], path: Path,
                 env: dict[str, str] | None = None) -> None:
        path.write_text(json.dumps(jobs))
        self.count, self.check, self.start = len(jobs), check, time.perf_counter()
        self.proc = subprocess.Popen([str(python), "-c", _RUNNER, check, str(path)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})

    def results(self) -> dict[str, dict]:
        out, err = self.proc.communicate(timeout=900)
        assert self.proc.returncode == 0, err[-3000:]
        print(f"\n{self.count} snippets in {time.perf_counter() - self.start:.1f} s ({self.check.split(';')[0]})")
        return json.loads(out.split("\n=== results\n", 1)[1])


@pytest.fixture(scope="module", autouse=True)
def batches(tmp_path_factory) -> Iterator[dict[str, Batch | str]]:
    """The MXNet batch (in the MXNet venv) and the Keras 3 + optax batch (this venv with KERAS_BACKEND=jax: the
    backend is chosen when keras is first imported, so not in this process, where other tests may import it)."""
    tmp = tmp_path_factory.mktemp("snippets")
    out: dict[str, Batch | str] = {}
    if MXNET_PYTHON.exists():
        jobs = [[k, export.snippets(v)["MXNet Gluon"]] for k, v in ALL.items()]
        out["mxnet"] = Batch(MXNET_PYTHON, MXNET_CHECK, jobs, tmp / "mxnet.json")
    else:
        out["mxnet"] = f"no MXNet venv at {MXNET_PYTHON}: `make test` makes it (make .venv-mxnet/.deps)"
    jobs = [[f"{fw}|{k}", export.snippets(v)[fw]] for fw in ("Keras 3", "optax") for k, v in ALL.items()]
    out["jax"] = Batch(sys.executable, JAX_CHECK, jobs, tmp / "jax.json",
                       {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"})
    yield out
    for batch in out.values():
        if isinstance(batch, Batch) and batch.proc.poll() is None:
            batch.proc.kill()
            batch.proc.communicate()


@pytest.fixture(scope="module")
def mxnet_runs(batches) -> dict[str, dict]:
    """Every MXNet snippet, run in one subprocess of the MXNet venv (importing MXNet takes seconds)."""
    batch = batches["mxnet"]
    if isinstance(batch, str):
        if os.environ.get("CI") == "true":
            pytest.fail(batch)
        pytest.skip(batch)
    return batch.results()


@pytest.fixture(scope="module")
def jax_runs(batches) -> dict[str, dict]:
    """Every Keras 3 and optax snippet, run in one subprocess."""
    batch = batches["jax"]
    assert isinstance(batch, Batch)
    return batch.results()


# -- comparing -------------------------------------------------------------------------------------------
def assert_matches(key: str, view: CurveView, results: dict, printed: str, framework: str) -> None:
    """Every loss of the view the framework spells gives losscore's numbers (MXNet: as documented); one it does
    not spell is absent from the results, and its snippet says why."""
    code = export.snippets(view)[framework]
    secs = []
    for s in sections(view):
        sp = s.spelling(framework) if framework != "losscore" else None
        if not s.reproducible:  # listed in NO_EXAMPLE (test_the_cases_cover_...): notes only, no numbers
            assert s.name in NO_EXAMPLE and s.title not in results, (key, s.title)
        elif sp is not None and not sp.code:
            assert sp.reason and f"has no built-in {s.name}:" in code and s.title not in results, (key, s.title)
        else:
            secs.append(s)
    assert list(results) == [s.title for s in secs]
    assert printed.count("loss ") >= len(secs) and printed.count("dL/dpred ") >= len(secs)
    for s in secs:
        values, grads = results[s.title]
        want_values, want_grads = s.loss.astype(np.float64), s.grad.astype(np.float64)
        rtol = 1e-9
        if framework == "MXNet Gluon":
            want_values, want_grads = mxnet_documented(s, want_values, want_grads)
            if s.name in snippets.MXNET_FLOAT32:
                rtol = 1e-5  # these Gluon losses take float32 only (the snippet says why)
        elif framework != "losscore":
            want_grads, rtol = spelling_documented(s, s.spelling(framework), want_grads)
        assert values.shape == want_values.shape, (key, s.title)
        atol = 1e-5 if rtol > 1e-9 else 1e-12  # float32: sums of terms of a few units lose ~1e-6 to cancellation
        np.testing.assert_allclose(values, want_values, rtol=rtol, atol=atol,
                                   err_msg=f"{framework} loss of {key} {s.title} at {s.pred}")
        np.testing.assert_allclose(grads, want_grads, rtol=rtol, atol=atol,
                                   err_msg=f"{framework} dL/dpred of {key} {s.title} at {s.pred}")


def mxnet_documented(s: snippets.Section, values: np.ndarray, grads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The app's numbers with MXNet 1.9.1's documented differences (catalog ``differences``) applied."""
    values, grads = values.copy(), grads.copy()
    assert s.spec is not None
    notes = " ".join(s.spec.differences)
    at_zero = "sigma(0) - z; MXNet 1.9.1 returns -z there" in notes and not s.params.get("from_sigmoid")
    if at_zero and s.pred is not None:
        z = (s.label + 1) / 2 if s.params.get("label_format") == "signed" else s.label
        at0 = s.pred == 0
        # with a pos_weight (said in the snippet), Gluon's other branch: relu(-pred) and |pred| count 0 at 0
        grads[at0] = 1.0 - z if float(s.params.get("pos_weight", 1.0)) != 1.0 else -z
        grads[at0] *= float(s.params["weight"]) * (s.sample_weight or 1.0)
    if s.name == "PoissonNLLLoss" and s.params["compute_full"] and s.label == 0.0:
        assert "compute_full with a target of 0 gives NaN in MXNet 1.9.1" in notes
        values[:] = np.nan
    return values, grads


def spelling_documented(s: snippets.Section, sp, grads: np.ndarray) -> tuple[np.ndarray, float]:
    """The app's gradients and the tolerance with what the spelling's ``differs`` says applied, exactly."""
    grads, rtol = grads.copy(), 1e-9
    if "float32" in sp.differs:
        rtol = 1e-6  # float32's precision, with room for a few roundings
    kink = re.search(r"dL/dpred at exactly pred = label is ([+-]1)", sp.differs)
    if kink:
        assert s.pred is not None
        grads[s.pred == s.label] = float(kink.group(1)) * s.scale
    if "At exactly pred × label = 1, jnp.maximum splits the slope: dL/dpred = -label/2" in sp.differs:
        assert s.pred is not None
        grads[s.pred * s.label == 1.0] = -s.label / 2 * s.scale
    return grads, rtol


@pytest.mark.parametrize("key", IDS)
def test_losscore_snippet_gives_the_apps_numbers(key):
    view = ALL[key]
    results, printed = run_here(export.snippets(view)["losscore"])  # it also asserts them itself
    assert_matches(key, view, results, printed, "losscore")


@pytest.mark.parametrize("key", IDS)
def test_pytorch_snippet_gives_the_apps_numbers(key):
    import torch

    assert torch.__version__.startswith("2.13.0")
    view = ALL[key]
    results, printed = run_here(export.snippets(view)["PyTorch"])
    assert_matches(key, view, results, printed, "PyTorch")


def _from_batch(run: dict) -> dict:
    assert run["error"] is None, run["error"]
    return {k: (np.asarray(v[0], dtype=np.float64), np.asarray(v[1], dtype=np.float64))
            for k, v in run["results"].items()}


@pytest.mark.timeout(900)  # the first one waits for the whole batch, on a loaded host too
@pytest.mark.parametrize("key", IDS)
def test_mxnet_snippet_runs_and_gives_the_apps_numbers(key, mxnet_runs):
    run = mxnet_runs[key]
    assert_matches(key, ALL[key], _from_batch(run), run["printed"], "MXNet Gluon")


@pytest.mark.timeout(900)
@pytest.mark.parametrize("framework", ["Keras 3", "optax"])
@pytest.mark.parametrize("key", IDS)
def test_jax_snippets_run_and_give_the_apps_numbers(key, framework, jax_runs):
    run = jax_runs[f"{framework}|{key}"]
    assert_matches(key, ALL[key], _from_batch(run), run["printed"], framework)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_loss_is_spelled_or_listed(framework):
    """Nothing is skipped silently: every catalog loss has an entry in every framework's table; an entry without
    code (for all parameters, or some) gives its reason, and the snippet then says so instead of guessing."""
    table = TABLES[framework]
    missing = [name for name in CATALOG if name not in table]
    assert not missing, f"spell {missing} in lossapp/spellings for {framework}, or list them with the reason"
    for name, variants in table.items():
        assert variants, name
        for v in variants:
            assert v.code or v.reason, (framework, name)
            assert v.code or not (v.inputs or v.trap), (framework, name)


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
