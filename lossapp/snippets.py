""""Run it yourself" code for a chart: losscore, MXNet Gluon, PyTorch, Keras 3 and optax, written from the
spelling tables of :mod:`lossapp.spellings` (what each framework calls the loss, with which inputs, labels and
parameters) by one writer per kind of framework.

Each snippet reproduces the chart's numbers at a few predictions (every prediction its own sample, all against
the view's label): the losscore one asserts them; the others print them beside the app's and leave
``results[name] = (values, grads)``, which tests/test_export_run.py runs in the real frameworks. A loss a framework
has no spelling of gets a comment saying why, never a made-up class name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from losscore.catalog import CATALOG, LossSpec, make_loss

from .examples import example
from .model import Curve, CurveView
from .spellings import FRAMEWORKS, Spelling, spelling

__all__ = ["MXNET_FLOAT32", "SNIPPET_FRAMEWORKS", "Section", "snippet_points", "snippets"]

#: The tabs of the export panel, in order.
SNIPPET_FRAMEWORKS: tuple[str, ...] = ("losscore", *FRAMEWORKS)


def _param_source(view: CurveView, name: str, curve: Curve | None = None) -> dict[str, Any]:
    """The parameters of one plotted loss. ``view.params`` may be flat (shared by every loss), keyed by loss name
    (``{"HuberLoss": {"rho": 2.0}, ...}``), or keyed by curve name when one loss is drawn twice with different
    settings (``{"from_sigmoid=True": {"from_sigmoid": True}, ...}``)."""
    for key in ((curve.name,) if curve is not None else ()) + (name,):
        own = view.params.get(key)
        if isinstance(own, dict):
            return own
    return view.params


def _loss_params(source: dict[str, Any], spec: LossSpec) -> dict[str, Any]:
    """The catalog parameter values of one loss (defaults for those not in ``source``)."""
    known = {p.name for p in spec.params}
    values = spec.defaults()
    values.update({k: _plain(v) for k, v in source.items() if k in known})
    return values


def _plain(v: Any) -> Any:
    """numpy scalars to Python ones, so the snippets print ``2.5`` rather than ``np.float64(2.5)``."""
    return v.item() if isinstance(v, np.generic) else v


def _curve_for(view: CurveView, index: int, name: str) -> Curve | None:
    """The curve drawn for ``loss_names[index]``: same position when the counts agree, else by name."""
    if len(view.curves) == len(view.loss_names):
        return view.curves[index]
    spec = CATALOG.get(name)
    for c in view.curves:
        if c.name == name or name in c.name or (spec is not None and spec.title in c.name):
            return c
    return view.curves[0] if len(view.curves) == 1 else None


def snippet_points(curve: Curve, count: int = 5, marker: float | None = None) -> np.ndarray:
    """Indices of a few grid points to reproduce: evenly spread, plus the one nearest the marker."""
    n = curve.x.size
    idx = set(np.linspace(0, n - 1, min(count, n)).round().astype(int).tolist())
    if marker is not None and n:
        idx.add(int(np.argmin(np.abs(curve.x - marker))))
    keep = [i for i in sorted(idx) if np.isfinite(curve.loss[i]) and np.isfinite(curve.grad[i])]
    return np.asarray(keep, dtype=int)


def _num(v: float) -> str:
    return repr(float(v))


def _fmt_list(values: np.ndarray) -> str:
    """Exact values (they are compared against)."""
    return "[" + ", ".join(_num(v) for v in values) + "]"


def _fmt_array(values: np.ndarray) -> str:
    """An array of any rank as nested lists of exact values."""
    if values.ndim <= 1:
        return _fmt_list(values.reshape(-1))
    return "[" + ", ".join(_fmt_array(row) for row in values) + "]"


def _fmt_shown(values: np.ndarray) -> str:
    """Values for a reader to compare by eye: 8 significant digits."""
    return "[" + ", ".join(f"{float(v):.8g}" for v in values) + "]"


def comment(text: str, width: int = 100) -> list[str]:
    """``text`` as ``# `` comment lines of at most ``width`` characters."""
    lines, line = [], "#"
    for word in text.split():
        if len(line) + 1 + len(word) > width and line != "#":
            lines.append(line)
            line = "#  "
        line += " " + word
    lines.append(line)
    return lines


def _call_args(params: dict[str, Any], spec: LossSpec, where: str) -> str:
    return ", ".join(f"{p.name}={params[p.name]!r}" for p in spec.params if p.where == where)


class Section:
    """What every framework's snippet needs to know about one loss of the view."""

    def __init__(self, view: CurveView, index: int, name: str) -> None:
        self.name = name
        self.spec = CATALOG.get(name)
        self.curve = _curve_for(view, index, name)
        source = _param_source(view, name, self.curve)
        self.params = _loss_params(source, self.spec) if self.spec else dict(source)
        self.title = name if self.curve is None or self.curve.name == name else f"{name}: {self.curve.name}"
        # sample_weight is a forward argument of most losses; a chart applies one value to every point
        sw = source.get("sample_weight")
        self.sample_weight = None if sw is None or float(sw) == 1.0 else float(sw)
        if view.label is not None:
            self.label = float(view.label)
        else:
            self.label = float(self.spec.default_label) if self.spec else 0.0
        self.dtype = "float32" if self.curve is not None and self.curve.x.dtype == np.float32 else "float64"
        self.pred = self.loss = self.grad = None
        #: For a loss without a curve: small fixed inputs (lossapp.examples) instead of the chart's predictions
        self.inputs: dict[str, np.ndarray] | None = None
        if self.curve is not None and self.spec is not None and self.spec.curve is not None:
            idx = snippet_points(self.curve, marker=view.marker)
            self.pred = self.curve.x[idx]
            self.loss = self.curve.loss[idx]
            self.grad = self.curve.grad[idx]
        elif self.spec is not None:
            self.inputs = example(name, self.params)
        if self.inputs is not None:
            self.sample_weight = None  # an example has no sample weights (triplet and SDML take none)
            self.dtype = "float64"
            try:
                values, grad = make_loss(name, **self.params).value_and_grad(*self.inputs.values())
            except ValueError:  # parameters the example does not fit (classes on another axis): no numbers
                self.inputs = None
            else:
                self.loss, self.grad = np.asarray(values).ravel(), np.asarray(grad).ravel()

    @property
    def reproducible(self) -> bool:
        return self.inputs is not None or (self.pred is not None and self.pred.size > 0)

    @property
    def rtol(self) -> str:
        return "1e-5" if self.dtype == "float32" else "1e-9"

    def spelling(self, framework: str) -> Spelling:
        return spelling(framework, self.name, self.params, self.label)

    @property
    def scale(self) -> float:
        """weight × sample_weight: what the frameworks without Gluon's weights multiply their values by."""
        w = 1.0 if self.params.get("weight") is None else float(self.params["weight"])
        return w * (self.sample_weight or 1.0)


def no_builtin(framework: str, name: str, reason: str = "") -> list[str]:
    """The lines a snippet holds for a loss the framework has no spelling of: a note, no code."""
    return comment(f"{framework} has no built-in {name}: {reason or 'not spelled here yet.'} Run the losscore "
                   "snippet, or write the formula on the page out.")


def convention_notes(sp: Spelling) -> list[str]:
    """The spelling's conventions as comment lines (what the conventions panel shows too)."""
    lines = comment(f"inputs: {sp.inputs}; labels: {sp.labels}; reduction: {sp.reduction}.")
    if sp.params:
        lines += comment(f"parameters: {sp.params}")
    if sp.trap:
        lines += comment(f"trap: {sp.trap}")
    if sp.differs:
        lines += comment(f"differs from losscore: {sp.differs}")
    return lines


def _header(view: CurveView, framework: str) -> list[str]:
    return [f'"""Run it yourself in {framework}: {view.title}."""', ""]


def _losscore_snippet(view: CurveView, sections: list[Section]) -> str:
    classes = sorted({s.name for s in sections if s.spec})
    lines = _header(view, "losscore (numpy only)")
    lines += ["import numpy as np", ""]
    if classes:
        lines += [f"from losscore import {', '.join(classes)}"]
    lines += ["from losscore.sweep import sweep", "", "results = {}"]
    for s in sections:
        lines += ["", f"# --- {s.title} ---"]
        if s.spec is None:
            lines += [f"# {s.name} is not in the losscore catalog."]
            continue
        for note in s.spec.counterparts:
            lines += comment(note)
        lines += [f"loss = {s.name}({_call_args(s.params, s.spec, 'init')})"]
        if not s.reproducible:
            lines += ["# The app builds this chart from vectors; see the loss's docstring for its inputs.",
                      f"print(loss)  # {s.spec.label_convention}"]
            continue
        assert s.loss is not None and s.grad is not None  # reproducible: a curve's points or an example's
        if s.inputs is not None:
            lines += _example_arrays(s, "np.array({}, dtype=np.float64)")
            lines += [
                f"values, grads = loss.value_and_grad({', '.join(s.inputs)})",
                "values, grads = values.ravel(), grads.ravel()",
                *_print_values(),
                f"np.testing.assert_allclose(values, {_fmt_list(s.loss)}, rtol=1e-9, atol=1e-12)",
                f"np.testing.assert_allclose(grads, {_fmt_list(s.grad)}, rtol=1e-9, atol=1e-12)",
                f"results[{s.title!r}] = (values, grads)",
            ]
            continue
        assert s.pred is not None
        forward = _call_args(s.params, s.spec, "forward")
        if s.sample_weight is not None:
            forward = ", ".join(a for a in (f"sample_weight={s.sample_weight!r}", forward) if a)
        lines += [
            f"pred = np.array({_fmt_list(s.pred)}, dtype=np.{s.dtype})",
            "# sweep() treats every prediction as its own sample, all against the same label",
            f"curve = sweep(loss, pred, label={s.label!r}{', ' + forward if forward else ''})",
            f"print({s.name + ' loss'!r}, curve.values)",
            f"print({s.name + ' dL/dpred'!r}, curve.grad)",
            "# the numbers the app plots at these predictions:",
            f"np.testing.assert_allclose(curve.values, {_fmt_list(s.loss)}, rtol={s.rtol}, atol=1e-12)",
            f"np.testing.assert_allclose(curve.grad, {_fmt_list(s.grad)}, rtol={s.rtol}, atol=1e-12)",
            f"results[{s.title!r}] = curve",
        ]
    return "\n".join(lines) + "\n"


def _example_arrays(s: Section, make: str, pred: str | None = None) -> list[str]:
    """The example's inputs as literal arrays: ``make`` formats one (``pred`` formats the first, if given)."""
    assert s.inputs is not None
    lines = comment("The app draws this loss from vectors; here it is on a small example (every row one sample), "
                    "with the parameters above.")
    for i, (k, v) in enumerate(s.inputs.items()):
        lines.append(f"{k} = {(pred if i == 0 and pred else make).format(_fmt_array(v))}")
    return lines


def _print_values() -> list[str]:
    return ["print('loss', values)", "print('dL/dpred', grads)"]


def _shown(s: Section) -> list[str]:
    assert s.loss is not None and s.grad is not None  # only reproducible sections get here
    return [
        *_print_values(),
        f"# the app shows loss     {_fmt_shown(s.loss)}",
        f"# the app shows dL/dpred {_fmt_shown(s.grad)}",
        f"results[{s.title!r}] = (values, grads)",
    ]


def _mxnet_snippet(view: CurveView, sections: list[Section]) -> str:
    lines = _header(view, "MXNet Gluon 1.9")
    lines += ["# pip install mxnet==1.9.1", "from mxnet import autograd, gluon, nd", "", "results = {}"]
    for s in sections:
        lines += ["", f"# --- {s.title} ---"]
        if s.spec is None:
            continue
        sp = s.spelling("MXNet Gluon")
        if not sp.code:
            lines += no_builtin("MXNet Gluon 1.9.1", s.name, sp.reason)
            continue
        lines += comment(f"losscore.{s.name} mirrors gluon.loss.{s.name} of MXNet 1.9.1, with the same arguments.")
        for note in s.spec.differences:
            lines += comment(f"losscore vs MXNet: {note}")
        lines += convention_notes(sp)
        lines += [f"loss = {sp.render(s.params, s.dtype)}"]
        if not s.reproducible:
            lines += [f"# inputs: {s.spec.label_convention}", "print(loss)"]
            continue
        sw = "None" if s.sample_weight is None else f"nd.full(pred.shape, {s.sample_weight!r}, dtype={s.dtype!r})"
        if s.inputs is not None:
            lines += _mxnet_example(s)
        elif s.name == "PoissonNLLLoss":
            lines += _mxnet_poisson(s, sp, sw)
        else:
            assert s.pred is not None
            fwd = "" if s.sample_weight is None else f", {sw}"
            if float(s.params.get("pos_weight", 1.0)) != 1.0:
                # only when it is not 1: Gluon's default (None) is the branch whose gradient at 0 the notes give
                fwd = f", {sw}, nd.full(pred.shape, {s.params['pos_weight']!r}, dtype={s.dtype!r})"
                if not s.params.get("from_sigmoid") and 0.0 in s.pred:
                    lines += ["# with pos_weight, MXNet 1.9.1's gradient at exactly pred = 0 is 1 - z instead"]
            lines += [
                "# shape (N, 1): every prediction is its own sample",
                f"pred = nd.array({_fmt_list(s.pred)}, dtype={s.dtype!r}).reshape((-1, 1))",
                f"label = nd.full(pred.shape, {s.label!r}, dtype={s.dtype!r})",
                "pred.attach_grad()",
                "with autograd.record():",
                f"    out = loss(pred, label{fwd})",
                "out.backward()",
                "values, grads = out.asnumpy(), pred.grad.asnumpy().ravel()",
            ]
        lines += _shown(s)
    return "\n".join(lines) + "\n"


#: The Gluon losses that take float32 only in MXNet 1.9.1 (their snippets say why; they agree to float32 precision).
MXNET_FLOAT32 = {
    "CTCLoss": "MXNet's CTC operator takes float32 only on the CPU.",
    "CosineEmbeddingLoss": "Gluon's CosineEmbeddingLoss makes float32 constants inside: float64 inputs fail.",
    "SDMLLoss": "Gluon's SDMLLoss makes float32 constants inside: float64 inputs fail.",
}


def _mxnet_example(s: Section) -> list[str]:
    assert s.inputs is not None
    why = MXNET_FLOAT32.get(s.name)
    dtype = "float32" if why else "float64"
    return [
        *([f"# float32: {why}"] if why else []),
        *_example_arrays(s, f"nd.array({{}}, dtype={dtype!r})"),
        "pred.attach_grad()",
        "with autograd.record():",
        f"    out = loss({', '.join(s.inputs)})  # Gluon blocks take their inputs positionally",
        "out.backward()",
        "values, grads = out.asnumpy().ravel(), pred.grad.asnumpy().ravel()",
    ]


def _mxnet_poisson(s: Section, sp: Spelling, sw: str) -> list[str]:
    """The MXNet lines of PoissonNLLLoss: one prediction at a time, its forward arguments positional."""
    assert s.spec is not None and s.pred is not None  # the caller skips losses outside the catalog
    full = bool(s.params.get("compute_full"))
    grad_loss = "loss"
    lines = []
    if full:
        lines += comment("MXNet 1.9.1 cannot record compute_full=True (it updates the Stirling term in place), "
                         "so the gradient comes from the same loss without it: the term does not depend on pred.")
        lines += [f"grad_loss = {sp.render({**s.params, 'compute_full': False}, s.dtype)}"]
        grad_loss = "grad_loss"
    if full and s.label == 0.0:
        lines += ["# with compute_full, MXNet 1.9.1 gives nan at a target of 0 (0 * log 0): see the note above"]
    lines += [
        "# PoissonNLLLoss returns one mean over every element, so evaluate one prediction at a time. Gluon blocks",
        "# take their forward arguments positionally: (pred, target, sample_weight, epsilon)",
        "values, grads = [], []",
        f"for p in {_fmt_list(s.pred)}:",
        f"    pred = nd.array([[p]], dtype={s.dtype!r})",
        f"    label = nd.full(pred.shape, {s.label!r}, dtype={s.dtype!r})",
    ]
    if full:
        lines += [f"    values.append(loss(pred, label, {sw}, {s.params['epsilon']!r}).asscalar())"]
    lines += [
        "    pred.attach_grad()",
        "    with autograd.record():",
        f"        out = {grad_loss}(pred, label, {sw}, {s.params['epsilon']!r})",
        "    out.backward()",
    ]
    if not full:
        lines += ["    values.append(out.asscalar())"]
    lines += ["    grads.append(pred.grad.asscalar())"]
    return lines


def _scaled(s: Section, expr: str) -> str:
    w = s.scale
    return expr if w == 1.0 else f"{w!r} * ({expr})"


def _torch_lines(s: Section, sp: Spelling) -> list[str]:
    if s.inputs is not None:
        inputs = _example_arrays(s, "torch.tensor({}, dtype=torch.float64)",
                                 pred="torch.tensor({}, dtype=torch.float64, requires_grad=True)")
    else:
        assert s.pred is not None
        inputs = [f"pred = torch.tensor({_fmt_list(s.pred)}, dtype=torch.{s.dtype}, requires_grad=True)",
                  f"label = torch.full_like(pred, {s.label!r})"]
    return [
        *inputs,
        *sp.render_lines(sp.setup, s.params, s.dtype),
        f"loss = {_scaled(s, sp.render(s.params, s.dtype))}",
        "loss.sum().backward()",
        "values, grads = loss.detach().numpy().ravel(), pred.grad.numpy().ravel()",
        *sp.render_lines(sp.after, s.params, s.dtype),
    ]


def _jax_lines(s: Section, sp: Spelling, column: bool) -> list[str]:
    """Keras 3 (``column``: arrays of shape (N, 1), as Keras's losses average the last axis) and optax: the loss
    as a function of pred, its values, and its gradient from jax.grad of their sum."""
    if s.inputs is not None:
        inputs = _example_arrays(s, "jnp.array({}, dtype=jnp.float64)")
    else:
        assert s.pred is not None
        shape = "[:, None]" if column else ""
        inputs = [
            *(["# shape (N, 1): Keras's losses average the last axis, so each row is one sample"] if column else []),
            f"pred = jnp.array({_fmt_list(s.pred)}, dtype=jnp.{s.dtype}){shape}",
            f"label = jnp.full_like(pred, {s.label!r})",
        ]
    return [
        *inputs,
        *sp.render_lines(sp.setup, s.params, s.dtype),
        "",
        "def per_sample(pred):",
        f"    return {_scaled(s, sp.render(s.params, s.dtype))}",
        "",
        "values = per_sample(pred)",
        "grads = jax.grad(lambda p: per_sample(p).sum())(pred)",
        "values, grads = np.asarray(values).ravel(), np.asarray(grads).ravel()",
        *sp.render_lines(sp.after, s.params, s.dtype),
    ]


#: The imports of each framework's snippet; Keras picks its backend when imported, so the variable comes first.
_IMPORTS = {
    "PyTorch": ["import torch"],
    "Keras 3": ["# pip install keras jax  (CPU)", "import os", "", 'os.environ["KERAS_BACKEND"] = "jax"',
                "import jax", "", 'jax.config.update("jax_enable_x64", True)  # float64, as the app computes',
                "import jax.numpy as jnp", "import keras", "import numpy as np", "",
                'keras.config.set_floatx("float64")'],
    "optax": ["# pip install optax jax  (CPU)", "import jax", "",
              'jax.config.update("jax_enable_x64", True)  # float64, as the app computes',
              "import jax.numpy as jnp", "import numpy as np", "import optax"],
}


def _framework_snippet(view: CurveView, sections: list[Section], framework: str) -> str:
    """The PyTorch, Keras 3 or optax snippet: one block per loss, from its spelling."""
    lines = _header(view, framework) + _IMPORTS[framework] + ["", "results = {}"]
    for s in sections:
        lines += ["", f"# --- {s.title} ---"]
        if s.spec is None:
            continue
        prefix = "PyTorch" if framework == "PyTorch" else "Keras" if framework == "Keras 3" else framework
        for note in (n for n in s.spec.counterparts if n.startswith(prefix)):
            lines += comment(f"Gluon {s.name} -> {note}")
        sp = s.spelling(framework)
        if not sp.code:
            lines += no_builtin(framework, s.name, sp.reason)
            continue
        if not sp.builtin:
            lines += comment(f"{framework} has no built-in that matches here: the formula, written out.")
        lines += convention_notes(sp)
        if not s.reproducible:
            lines += comment(f"{framework}: {sp.render(s.params, s.dtype)}")
            continue
        if framework == "PyTorch":
            lines += _torch_lines(s, sp)
        else:
            lines += _jax_lines(s, sp, column=framework == "Keras 3")
        lines += _shown(s)
    return "\n".join(lines) + "\n"


def snippets(view: CurveView) -> dict[str, str]:
    """Code reproducing the view's numbers at a few predictions, keyed by framework (:data:`SNIPPET_FRAMEWORKS`).

    Each covers every loss in ``view.loss_names`` with ``view.params`` and ``view.label``, and carries the
    spelling's conventions and the catalog's correspondence notes as comments. The losscore snippet checks itself
    with ``np.testing.assert_allclose`` against the plotted values and leaves each sweep in ``results[name]``; the
    others print their numbers beside the app's and leave ``results[name] = (values, grads)``.
    """
    names = view.loss_names or tuple(c.name for c in view.curves if c.name in CATALOG)
    sections = [Section(view, i, name) for i, name in enumerate(names)]
    if not sections:
        note = f"# This chart ({view.title}) is not the curve of a catalog loss; the page's text explains it.\n"
        return {framework: note for framework in SNIPPET_FRAMEWORKS}
    out = {"losscore": _losscore_snippet(view, sections), "MXNet Gluon": _mxnet_snippet(view, sections)}
    for framework in FRAMEWORKS[1:]:
        out[framework] = _framework_snippet(view, sections, framework)
    return out
