"""Exports of a loss-vs-prediction chart: a publication figure (PNG/SVG), the plotted numbers (CSV), and
"run it yourself" code for losscore, MXNet Gluon and PyTorch.

Everything here works from the same :class:`~lossapp.model.CurveView` the page hands to the plotly builder, so a
download always holds the numbers on screen. Only :func:`export_panel` touches Streamlit; the rest is plain
Python (matplotlib through ``matplotlib.figure.Figure`` and the Agg canvas: no pyplot, no global figure state, so
rendering is safe on the worker thread Streamlit uses for deferred downloads).

>>> import numpy as np
>>> from lossapp.model import Curve, CurveView
>>> x = np.array([-1.0, 0.0, 1.0])
>>> view = CurveView("Demo", (Curve("L1Loss", x, np.abs(x), np.sign(x)),), loss_names=("L1Loss",))
>>> print(csv_text(view), end="")
prediction,L1Loss loss,L1Loss dL/dpred
-1.0,1.0,-1.0
0.0,0.0,0.0
1.0,1.0,1.0
>>> file_stem(view)
'demo'
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from losscore.catalog import CATALOG, LossSpec

from .figures import colour_of
from .model import Curve, CurveView

__all__ = [
    "FIGSIZE",
    "OKABE_ITO",
    "PNG_DPI",
    "csv_text",
    "export_panel",
    "file_stem",
    "matplotlib_figure",
    "png_bytes",
    "snippet_points",
    "snippets",
    "svg_bytes",
]

#: Okabe & Ito's colour-blind-safe palette. Curves take the colour the app's chart gives them
#: (:func:`lossapp.figures.colour_of`: one fixed colour per loss, else this palette in order); black is kept
#: for the marker.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999", "#F0E442", "#000000")
#: A second cue besides colour, so curves stay distinguishable in greyscale print.
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)), (0, (3, 1, 1, 1, 1, 1)))
#: Figure size in inches; with :data:`PNG_DPI` the PNG is 1200 x 900 pixels.
FIGSIZE = (8.0, 6.0)
PNG_DPI = 150
_INK = "#222222"
_GRID = "#DDDDDD"


# -- figure --------------------------------------------------------------------------------------------------
def matplotlib_figure(view: CurveView) -> Figure:
    """A light-theme, print-ready figure of the view: loss on top, its gradient below, one shared x-axis.

    Curves use the Okabe-Ito colours of the on-screen chart plus distinct line styles (for greyscale print).
    When ``view.marker`` is set, a dashed vertical line marks that prediction, each curve gets a dot there, and
    the loss panel shows the tangent line.
    """
    fig = Figure(figsize=FIGSIZE, dpi=100, facecolor="white", layout="constrained")
    FigureCanvasAgg(fig)
    ax_loss, ax_grad = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 2)})
    for ax in (ax_loss, ax_grad):
        ax.set_facecolor("white")
        ax.grid(True, color=_GRID, linewidth=0.6)
        ax.tick_params(colors=_INK, labelsize=9)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        for spine in ("left", "bottom"):
            ax.spines[spine].set_color(_INK)
    ax_grad.axhline(0.0, color=_INK, linewidth=0.8)

    for i, curve in enumerate(view.curves):
        color = colour_of(view, i)
        style = LINESTYLES[i % len(LINESTYLES)]
        ax_loss.plot(curve.x, curve.loss, color=color, linestyle=style, linewidth=2.0, label=curve.name)
        ax_grad.plot(curve.x, curve.grad, color=color, linestyle=style, linewidth=2.0, label=curve.name)

    if view.marker is not None and view.curves:
        _draw_marker(view, ax_loss, ax_grad)

    title = view.title
    if view.label is not None:
        title += f"  (label = {view.label:g})"
    fig.suptitle(title, color=_INK, fontsize=13)
    ax_loss.set_ylabel(view.y_title, color=_INK)
    ax_grad.set_ylabel(view.grad_title, color=_INK)
    ax_grad.set_xlabel(view.x_title, color=_INK)
    lo = min(float(np.min(c.x)) for c in view.curves) if view.curves else 0.0
    hi = max(float(np.max(c.x)) for c in view.curves) if view.curves else 1.0
    if hi > lo:
        ax_grad.set_xlim(lo, hi)
    _autoscale_finite(ax_loss, [c.loss for c in view.curves])
    _autoscale_finite(ax_grad, [c.grad for c in view.curves])
    if view.curves:
        ax_loss.legend(frameon=True, facecolor="white", edgecolor=_GRID, fontsize=9, loc="best")
    return fig


def _draw_marker(view: CurveView, ax_loss, ax_grad) -> None:
    assert view.marker is not None  # drawn only for a view that has one
    m = float(view.marker)
    for ax in (ax_loss, ax_grad):
        ax.axvline(m, color="#000000", linestyle=(0, (4, 3)), linewidth=1.0, alpha=0.7)
    span = max(float(np.ptp(view.curves[0].x)), 1e-12) * 0.12
    for i, curve in enumerate(view.curves):
        color = colour_of(view, i)
        value, slope = curve.at(m)
        if not (np.isfinite(value) and np.isfinite(slope)):
            continue
        tx = np.array([m - span, m + span])
        ax_loss.plot(tx, value + slope * (tx - m), color=color, linewidth=1.2, alpha=0.8)
        ax_loss.plot([m], [value], marker="o", markersize=6, color=color, markeredgecolor="#000000", zorder=5)
        ax_grad.plot([m], [slope], marker="o", markersize=6, color=color, markeredgecolor="#000000", zorder=5)
    ax_loss.annotate(f"prediction = {m:g}", xy=(m, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -12),
                     textcoords="offset points", fontsize=8, color=_INK)


def _autoscale_finite(ax, arrays: list[np.ndarray]) -> None:
    """Fit the y range to the finite values (matplotlib would otherwise fail on an all-inf curve)."""
    finite = [a[np.isfinite(a)] for a in arrays]
    finite = [a for a in finite if a.size]
    if not finite:
        return
    lo = min(float(a.min()) for a in finite)
    hi = max(float(a.max()) for a in finite)
    pad = (hi - lo) * 0.06 or max(abs(hi), 1.0) * 0.1
    ax.set_ylim(lo - pad, hi + pad)


def png_bytes(view: CurveView, dpi: int = PNG_DPI) -> bytes:
    """The figure as PNG (1200 x 900 pixels at the default dpi)."""
    buf = io.BytesIO()
    matplotlib_figure(view).savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def svg_bytes(view: CurveView) -> bytes:
    """The figure as SVG (text kept as paths, so it looks the same without the fonts installed)."""
    buf = io.BytesIO()
    matplotlib_figure(view).savefig(buf, format="svg", facecolor="white", metadata={"Date": None})
    return buf.getvalue()


# -- CSV -----------------------------------------------------------------------------------------------------
def _num(v: float) -> str:
    """Shortest text that reads back to exactly the same double (``repr``), with plain nan/inf spellings."""
    return repr(float(v))


def csv_text(view: CurveView) -> str:
    """The plotted numbers: an x column, then ``<curve> loss`` and ``<curve> dL/dpred`` for every curve.

    Values are written with ``repr`` so parsing them back gives the plotted doubles exactly. When curves do not
    share one grid, rows follow the sorted union of their x values and a curve's cells are empty where it has
    no point.
    """
    header = [view.x_title]
    for c in view.curves:
        header += [f"{c.name} {view.y_title}", f"{c.name} {view.grad_title}"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    if not view.curves:
        return out.getvalue()
    first = view.curves[0].x
    if all(c.x.shape == first.shape and np.array_equal(c.x, first) for c in view.curves):
        cols = [first] + [a for c in view.curves for a in (c.loss, c.grad)]
        for values in zip(*cols, strict=True):
            writer.writerow([_num(v) for v in values])
        return out.getvalue()
    xs = np.unique(np.concatenate([c.x for c in view.curves]))
    lookup = [{float(x): k for k, x in enumerate(c.x)} for c in view.curves]
    for x in xs:
        row = [_num(x)]
        for c, where in zip(view.curves, lookup, strict=True):
            k = where.get(float(x))
            row += ["", ""] if k is None else [_num(c.loss[k]), _num(c.grad[k])]
        writer.writerow(row)
    return out.getvalue()


def file_stem(view: CurveView) -> str:
    """A file-name-safe stem from the view title, e.g. ``'huber-loss'``."""
    stem = re.sub(r"[^a-z0-9]+", "-", view.title.lower()).strip("-")
    return stem[:60].rstrip("-") or "loss-curve"


# -- "run it yourself" snippets ------------------------------------------------------------------------------

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


def _fmt_list(values: np.ndarray) -> str:
    """Exact values (they are compared against)."""
    return "[" + ", ".join(_num(v) for v in values) + "]"


def _fmt_shown(values: np.ndarray) -> str:
    """Values for a reader to compare by eye: 8 significant digits."""
    return "[" + ", ".join(f"{float(v):.8g}" for v in values) + "]"


def _note(spec: LossSpec, prefix: str) -> list[str]:
    return [n for n in spec.counterparts if n.startswith(prefix)]


def _comment(text: str, width: int = 100) -> list[str]:
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


class _Section:
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
        if self.curve is not None and self.spec is not None and self.spec.curve is not None:
            idx = snippet_points(self.curve, marker=view.marker)
            self.pred = self.curve.x[idx]
            self.loss = self.curve.loss[idx]
            self.grad = self.curve.grad[idx]
        else:
            self.pred = self.loss = self.grad = None

    @property
    def reproducible(self) -> bool:
        return self.pred is not None and self.pred.size > 0

    @property
    def rtol(self) -> str:
        return "1e-5" if self.dtype == "float32" else "1e-9"


def _header(view: CurveView, framework: str) -> list[str]:
    return [f'"""Run it yourself in {framework}: {view.title}."""', ""]


def _losscore_snippet(view: CurveView, sections: list[_Section]) -> str:
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
            lines += _comment(note)
        lines += [f"loss = {s.name}({_call_args(s.params, s.spec, 'init')})"]
        if not s.reproducible:
            lines += ["# The app builds this chart from vectors; see the loss's docstring for its inputs.",
                      f"print(loss)  # {s.spec.label_convention}"]
            continue
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


def _mxnet_snippet(view: CurveView, sections: list[_Section]) -> str:
    lines = _header(view, "MXNet Gluon 1.9")
    lines += ["# pip install mxnet==1.9.1", "from mxnet import autograd, gluon, nd", "", "results = {}"]
    for s in sections:
        lines += ["", f"# --- {s.title} ---"]
        if s.spec is None:
            continue
        lines += _comment(f"losscore.{s.name} mirrors gluon.loss.{s.name} of MXNet 1.9.1, with the same arguments.")
        for note in s.spec.differences:
            lines += _comment(f"losscore vs MXNet: {note}")
        lines += [f"loss = gluon.loss.{s.name}({_call_args(s.params, s.spec, 'init')})"]
        if not s.reproducible:
            lines += [f"# inputs: {s.spec.label_convention}", "print(loss)"]
            continue
        sw = "None" if s.sample_weight is None else f"nd.full(pred.shape, {s.sample_weight!r}, dtype={s.dtype!r})"
        if s.name == "PoissonNLLLoss":
            lines += _mxnet_poisson(s, sw)
        else:
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
        lines += [
            "print('loss', values)",
            "print('dL/dpred', grads)",
            f"# the app shows loss     {_fmt_shown(s.loss)}",
            f"# the app shows dL/dpred {_fmt_shown(s.grad)}",
            f"results[{s.title!r}] = (values, grads)",
        ]
    return "\n".join(lines) + "\n"


def _mxnet_poisson(s: _Section, sw: str) -> list[str]:
    """The MXNet lines of PoissonNLLLoss: one prediction at a time, its forward arguments positional."""
    assert s.spec is not None  # the caller skips losses outside the catalog
    full = bool(s.params.get("compute_full"))
    grad_loss = "loss"
    lines = []
    if full:
        plain = {**s.params, "compute_full": False}
        lines += _comment("MXNet 1.9.1 cannot record compute_full=True (it updates the Stirling term in place), "
                          "so the gradient comes from the same loss without it: the term does not depend on pred.")
        lines += [f"grad_loss = gluon.loss.PoissonNLLLoss({_call_args(plain, s.spec, 'init')})"]
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


def _torch_expression(s: _Section) -> tuple[list[str], str]:
    """Setup lines and the per-element loss expression of one curve loss in PyTorch (None if not mapped)."""
    p = s.params
    w = 1.0 if p.get("weight") is None else float(p["weight"])
    if s.sample_weight is not None:
        w *= s.sample_weight
    scale = "" if w == 1.0 else f"{w!r} * "
    name = s.name
    if name == "L1Loss":
        return [], f"{scale}torch.nn.L1Loss(reduction='none')(pred, label)"
    if name == "L2Loss":
        return [], f"{scale}0.5 * torch.nn.MSELoss(reduction='none')(pred, label)"
    if name == "HuberLoss":
        return [], f"{scale}torch.nn.SmoothL1Loss(reduction='none', beta={float(p['rho'])!r})(pred, label)"
    if name == "SigmoidBinaryCrossEntropyLoss":
        pw = float(p.get("pos_weight", 1.0))
        if not p.get("from_sigmoid"):
            setup = [f"pos_weight = torch.tensor({pw!r}, dtype=torch.{s.dtype})"]
            return setup, f"{scale}torch.nn.BCEWithLogitsLoss(reduction='none', pos_weight=pos_weight)(pred, label)"
        if pw == 1.0:
            return [], f"{scale}torch.nn.BCELoss(reduction='none')(pred, label)"
        return (["# torch.nn.BCELoss has no pos_weight: write Gluon's formula out (eps = 1e-12)"],
                f"{scale}-({pw!r} * label * torch.log(pred + 1e-12) + (1 - label) * torch.log(1 - pred + 1e-12))")
    if name == "HingeLoss":
        return [], f"{scale}torch.clamp({float(p['margin'])!r} - pred * label, min=0)"
    if name == "SquaredHingeLoss":
        return [], f"{scale}torch.clamp({float(p['margin'])!r} - pred * label, min=0) ** 2"
    if name == "LogisticLoss":
        if p.get("label_format") == "binary":
            return [], f"{scale}torch.nn.BCEWithLogitsLoss(reduction='none')(pred, label)"
        # torch.nn.SoftMarginLoss equals this only at labels exactly -1 and +1 (at 0 it is log 2 everywhere)
        return (["# Gluon maps a signed label y to (y + 1) / 2, then takes sigmoid cross-entropy; "
                 "SoftMarginLoss agrees", "# only for labels exactly -1 and +1"],
                f"{scale}torch.nn.BCEWithLogitsLoss(reduction='none')(pred, (label + 1) / 2)")
    if name == "PoissonNLLLoss":
        cls = (f"torch.nn.PoissonNLLLoss(log_input={bool(p['from_logits'])!r}, full={bool(p['compute_full'])!r}, "
               f"eps={float(p['epsilon'])!r}, reduction='none')")
        return [], f"{scale}{cls}(pred, label)"
    return [], ""


def _torch_snippet(view: CurveView, sections: list[_Section]) -> str:
    lines = _header(view, "PyTorch")
    lines += ["import torch", "", "results = {}"]
    for s in sections:
        lines += ["", f"# --- {s.title} ---"]
        if s.spec is None:
            continue
        notes = _note(s.spec, "PyTorch")
        for note in notes:
            lines += _comment(f"Gluon {s.name} -> {note}")
        setup, expr = _torch_expression(s) if s.reproducible else ([], "")
        if not expr:
            lines += [f"# inputs: {s.spec.label_convention}"]
            continue
        lines += [
            f"pred = torch.tensor({_fmt_list(s.pred)}, dtype=torch.{s.dtype}, requires_grad=True)",
            f"label = torch.full_like(pred, {s.label!r})",
            *setup,
            f"loss = {expr}",
            "loss.sum().backward()",
            "values, grads = loss.detach().numpy(), pred.grad.numpy()",
            "print('loss', values)",
            "print('dL/dpred', grads)",
            f"# the app shows loss     {_fmt_shown(s.loss)}",
            f"# the app shows dL/dpred {_fmt_shown(s.grad)}",
            f"results[{s.title!r}] = (values, grads)",
        ]
    return "\n".join(lines) + "\n"


def snippets(view: CurveView) -> dict[str, str]:
    """Code reproducing the view's numbers at a few predictions, keyed "losscore", "MXNet Gluon", "PyTorch".

    Each covers every loss in ``view.loss_names`` with ``view.params`` and ``view.label``, and carries the
    catalog's correspondence notes as comments. The losscore snippet checks itself with
    ``np.testing.assert_allclose`` against the plotted values and leaves each sweep in ``results[name]``; the
    MXNet and PyTorch snippets print their numbers beside the app's and leave ``results[name] = (values, grads)``
    (tests/test_export_run.py runs them in the real frameworks).
    """
    names = view.loss_names or tuple(c.name for c in view.curves if c.name in CATALOG)
    sections = [_Section(view, i, name) for i, name in enumerate(names)]
    if not sections:
        note = f"# This chart ({view.title}) is not the curve of a catalog loss; the page's text explains it.\n"
        return {framework: note for framework in ("losscore", "MXNet Gluon", "PyTorch")}
    return {
        "losscore": _losscore_snippet(view, sections),
        "MXNet Gluon": _mxnet_snippet(view, sections),
        "PyTorch": _torch_snippet(view, sections),
    }


# -- Streamlit -----------------------------------------------------------------------------------------------
def export_panel(view: CurveView, key: str, html: Callable[[], str] | None = None) -> None:
    """Downloads (PNG, SVG, CSV, and with ``html`` an interactive HTML file of the section: the callable makes
    it, see :mod:`lossapp.section_html`) and "Run it yourself" snippets for one chart, in one expander.

    The expander is lazy: while it is closed (as it starts) nothing inside it is built or sent, so a slider
    step does not pay for buttons and highlighted code nobody is looking at; opening it reruns the chart's
    section once (``on_change="rerun"``) and it stays open, following the settings, until closed. The PNG and
    SVG are rendered only when their button is clicked (a callable ``data``, run by Streamlit on a worker
    thread), and ``on_click="ignore"`` keeps a download from rerunning the page.
    """
    import streamlit as st

    box = st.expander("Download (PNG, SVG, CSV) and run it yourself", icon=":material/download:",
                      key=f"{key}_export", on_change="rerun")
    if not box.open:
        return
    stem = file_stem(view)
    with box:
        cols = st.columns(4 if html is not None else 3, gap="small")
        png_col, svg_col, csv_col = cols[:3]
        png_col.download_button(
            "PNG", data=functools.partial(png_bytes, view), file_name=f"{stem}.png", mime="image/png",
            key=f"{key}_png", on_click="ignore", icon=":material/image:", width="stretch",
            help="The chart as a 1200 x 900 PNG (light theme, colour-blind-safe palette).",
        )
        svg_col.download_button(
            "SVG", data=functools.partial(svg_bytes, view), file_name=f"{stem}.svg", mime="image/svg+xml",
            key=f"{key}_svg", on_click="ignore", icon=":material/draw:", width="stretch",
            help="The chart as a scalable vector graphic, for papers and slides.",
        )
        csv_col.download_button(
            "CSV", data=functools.partial(csv_text, view), file_name=f"{stem}.csv", mime="text/csv",
            key=f"{key}_csv", on_click="ignore", icon=":material/table:", width="stretch",
            help="The plotted numbers: prediction, then loss and gradient per curve.",
        )
        if html is not None:
            cols[3].download_button(
                "HTML", data=html, file_name=f"{stem}.html", mime="text/html", key=f"{key}_html",
                on_click="ignore", icon=":material/html:", width="stretch",
                help="This section in one file that works offline, sliders and all: for docs sites, slides and "
                     "notes (about 5 MB: plotly.js is inside).",
            )
        st.markdown("**Run it yourself** with the settings above:")
        code = snippets(view)
        for tab, text in zip(st.tabs(list(code)), code.values(), strict=True):
            tab.code(text, language="python", wrap_lines=True)
