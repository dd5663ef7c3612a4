"""Reusable page sections: a loss-vs-prediction explainer for one loss, and the small helpers pages share.

Data flow of a section: widgets → plain values → cached losscore computations on plain tuples →
:class:`~lossapp.model.CurveView` → ``lossapp.figures.curve_figure`` → ``st.plotly_chart``, with the same view
handed to the accessible description (``st.caption(view.alt_text())``) and to the export panel.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from lossapp import figures
from lossapp.controls import SAMPLE_WEIGHT, control_key, label_param, param_control, param_controls
from lossapp.model import Curve, CurveView
from losscore import (
    CosineEmbeddingLoss,
    KLDivLoss,
    L2Loss,
    SDMLLoss,
    SigmoidBinaryCrossEntropyLoss,
    SoftmaxCrossEntropyLoss,
    TripletLoss,
)
from losscore.catalog import CATALOG, LossSpec, make_loss
from losscore.sweep import prediction_grid, sweep

try:  # written by another engineer; the charts work without it
    from lossapp.export import export_panel
except ImportError:  # pragma: no cover - depends on the tree
    export_panel = None

__all__ = [
    "SHORT_IDS",
    "CurveRange",
    "chart",
    "clean",
    "view_fingerprint",
    "curve_range",
    "curve_section",
    "curve_view",
    "fmt",
    "point_value",
    "short_name",
    "show_counterparts",
    "sweep_arrays",
]


#: Below this size a displayed number is noise and shows as 0: rounding (1 - cos of identical vectors is
#: -2.2e-16) or the 1e-12 that KLDivLoss adds inside its log (KL of a distribution from itself is 4e-12).
TINY = 1e-9


def clean(values: Any) -> np.ndarray:
    """``values`` as floats with rounding noise (|v| < TINY) set to 0, for tables.

    >>> clean([1.0, -2.2e-16, 1e-8]).tolist()
    [1.0, 0.0, 1e-08]
    """
    arr = np.asarray(values, dtype=np.float64)
    return np.where(np.abs(arr) < TINY, 0.0, arr)


def fmt(value: float, digits: int = 4) -> str:
    """A number as the pages print it: fixed decimals for ordinary sizes, 'inf'/'nan' spelled out.

    >>> fmt(9.000123), fmt(float("inf")), fmt(float("nan")), fmt(123456.0), fmt(-0.0), fmt(-2.2e-16), fmt(1e-8)
    ('9.0001', 'inf', 'nan', '1.235e+05', '0.0000', '0.0000', '1e-08')
    """
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v) < TINY:
        return f"{0.0:.{digits}f}"
    if abs(v) >= 1e5 or abs(v) < 10 ** (-digits):
        return f"{v:.{digits}g}"
    return f"{v:.{digits}f}"


@dataclass(frozen=True)
class CurveRange:
    """The prediction axis of a chart: grid ends, grid spacing, marker step, axis title, marker key suffix."""

    lo: float
    hi: float
    dx: float
    step: float
    title: str
    suffix: str

    @property
    def num(self) -> int:
        return int(round((self.hi - self.lo) / self.dx)) + 1


def curve_range(name: str, params: dict[str, Any]) -> CurveRange:
    """The x-axis a loss needs with these parameters.

    Scores and logits use the tutorial's [-5, 5]. A probability input (SigmoidBCE with from_sigmoid) lives
    in (0, 1), kept away from the ends where -log(0) is about 27.6 and the gradient about 10^12. PoissonNLL
    plots either the log-rate or the rate itself. Grid spacing divides the marker step, so the marker always
    sits on a plotted point.
    """
    if name == "SigmoidBinaryCrossEntropyLoss" and params.get("from_sigmoid"):
        return CurveRange(0.01, 0.99, 0.001, 0.01, "prediction (a probability: the net ends in a sigmoid)", "prob")
    if name == "PoissonNLLLoss":
        if params.get("from_logits", True):
            return CurveRange(-2.5, 2.5, 0.005, 0.05, "prediction = log of the rate", "pred")
        return CurveRange(0.01, 10.0, 0.01, 0.05, "prediction = the rate itself", "rate")
    return CurveRange(-5.0, 5.0, 0.01, 0.05, "prediction", "pred")


#: Where the marker starts when the x-axis is a probability or a rate.
_MARKER_START = {"prob": 0.5, "rate": 1.0}


def _split(name: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = CATALOG[name]
    init = {p.name: params[p.name] for p in spec.params if p.where == "init" and p.name in params}
    forward = {p.name: params[p.name] for p in spec.params if p.where == "forward" and p.name in params}
    return init, forward


@st.cache_data(max_entries=512, show_spinner=False)
def sweep_arrays(name: str, params: tuple[tuple[str, Any], ...], label: float, sample_weight: float,
                 lo: float, hi: float, num: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, loss, dL/dpred) of ``name`` over ``num`` predictions from lo to hi, label fixed (cached)."""
    init, forward = _split(name, dict(params))
    loss = make_loss(name, **init)
    s = sweep(loss, prediction_grid(lo, hi, num), label, sample_weight=sample_weight, **forward)
    return s.x, s.values + 0.0, s.grad + 0.0  # + 0.0 turns -0.0 (e.g. a flat hinge times -label) into 0.0


@st.cache_data(max_entries=2048, show_spinner=False)
def point_value(name: str, params: tuple[tuple[str, Any], ...], label: float, sample_weight: float,
                pred: float) -> tuple[float, float]:
    """The exact loss and dL/dpred at one prediction, from losscore's own forward call (cached)."""
    init, forward = _split(name, dict(params))
    loss = make_loss(name, **init)
    arrays = {k: (np.array([v], dtype=np.float64) if k != "epsilon" else v) for k, v in forward.items()}
    values, grad = loss.value_and_grad(np.array([pred], dtype=np.float64), np.array([label], dtype=np.float64),
                                       np.array([sample_weight], dtype=np.float64), **arrays)
    return float(values[0]) + 0.0, float(grad[0]) + 0.0


def curve_view(name: str, params: dict[str, Any], label: float, sample_weight: float = 1.0,
               marker: float | None = None, rng: CurveRange | None = None, title: str | None = None) -> CurveView:
    """The CurveView of one loss with these parameters (what the chart, alt text and export all use)."""
    rng = rng or curve_range(name, params)
    x, values, grad = sweep_arrays(name, tuple(sorted(params.items())), float(label), float(sample_weight),
                                   rng.lo, rng.hi, rng.num)
    spec = CATALOG[name]
    shown = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())
    return CurveView(
        title=title or (f"{spec.name} ({shown})" if shown else spec.name),
        curves=(Curve(spec.name, x, values, grad),),
        marker=marker,
        x_title=rng.title,
        label=float(label),
        loss_names=(spec.name,),
        params={**params, "sample_weight": float(sample_weight)},
    )


def view_fingerprint(view: CurveView) -> tuple:
    """A hashable summary of everything a CurveView's figure depends on (the arrays by content digest)."""
    digest = hashlib.blake2b(digest_size=16)
    for c in view.curves:
        for arr in (c.x, c.loss, c.grad):
            digest.update(np.ascontiguousarray(arr).tobytes())
    return (view.title, view.x_title, view.y_title, view.grad_title, view.marker, view.label, view.loss_names,
            tuple(c.name for c in view.curves), digest.hexdigest())


@st.cache_resource(max_entries=128, show_spinner=False)
def _cached_figure(fingerprint: tuple, present: bool, _view: CurveView):
    # Keyed on the fingerprint only; st.plotly_chart serialises the figure without mutating it, so one object
    # can be shared between reruns and sessions.
    return figures.curve_figure(_view, present=present)


def chart(view: CurveView, key: str, *, present: bool = False, export: bool = True) -> None:
    """Plot a CurveView with its text description, then the export panel (when lossapp.export provides it).

    Presentation mode leaves the export panel out: downloads and code are clutter on a projector.
    """
    fig = _cached_figure(view_fingerprint(view), present, view)
    alt = view.alt_text()
    st.plotly_chart(fig, config=figures.CONFIG, key=f"{key}_chart", alt=alt)
    st.caption(alt)
    if export and export_panel is not None and not present:
        export_panel(view, key)


def short_name(spec: LossSpec) -> str:
    """The shortest Gluon name of a loss (its alias, when it has one): SigmoidBCELoss, SoftmaxCELoss.

    >>> short_name(CATALOG["SigmoidBinaryCrossEntropyLoss"]), short_name(CATALOG["HuberLoss"])
    ('SigmoidBCELoss', 'HuberLoss')
    """
    return min((spec.name, *spec.aliases), key=len)


def show_counterparts(spec: LossSpec) -> None:
    """The catalog's notes on PyTorch/Keras equivalents and where losscore differs from MXNet, in an expander."""
    with st.expander("Equivalents in PyTorch and Keras, and differences from MXNet"):
        st.markdown("\n".join(f"- {c}" for c in spec.counterparts))
        if spec.differences:
            st.markdown("**Where losscore differs from MXNet 1.9.1**")
            st.markdown("\n".join(f"- {d}" for d in spec.differences))


#: Short ids of the losses with a loss-vs-prediction curve, used in widget keys (``cmp_huber_rho``).
SHORT_IDS: dict[str, str] = {
    "L1Loss": "l1",
    "L2Loss": "l2",
    "HuberLoss": "huber",
    "SigmoidBinaryCrossEntropyLoss": "bce",
    "LogisticLoss": "logistic",
    "HingeLoss": "hinge",
    "SquaredHingeLoss": "sqhinge",
    "PoissonNLLLoss": "poisson",
}


@st.fragment
def curve_section(name: str, key: str, *, present: bool = False, notes: str = "",
                  defaults: dict[str, Any] | None = None, header: bool = True) -> CurveView:
    """A whole explainer for one loss: formula, text, every parameter, label, chart with marker and tangent.

    Widget keys are ``{key}_{param}`` (``huber_rho``), ``{key}_label`` (``{key}_label01`` for 0/1 labels),
    ``{key}_sw`` (sample weight) and
    ``{key}_pred`` for the marker (``{key}_prob`` / ``{key}_rate`` when the x-axis is a probability or a rate).
    Returns the CurveView it plotted. It is a fragment: moving one of its widgets reruns only this section.
    """
    spec = CATALOG[name]
    if header:
        st.subheader(spec.title, anchor=key)
    st.latex(spec.formula)
    st.markdown(spec.summary)
    if notes and not present:
        st.markdown(notes)
    left, right = st.columns([1, 2.4], gap="medium")
    with left:
        params = param_controls(spec, key, defaults=defaults)
        lparam = label_param(spec, params)
        # a different key when the label convention changes, so a stored -1 never meets the {0, 1} choice
        lkey = control_key(key, "label") + ("01" if lparam.choices == (0.0, 1.0) else "")
        label = param_control(lparam, lkey)
        sample_weight = param_control(SAMPLE_WEIGHT, control_key(key, "sample_weight"))
        rng = curve_range(name, params)
        start = _MARKER_START.get(rng.suffix, 1.0) if rng.suffix != "pred" else (
            2.0 if spec.curve == "regression" and name != "PoissonNLLLoss" else 0.5)
        marker = float(st.slider(
            "prediction marker", rng.lo, rng.hi, float(start), rng.step, key=f"{key}_{rng.suffix}",
            help="Where to read off the loss and its gradient; the dotted line is the tangent there.",
            bind="query-params", format="%.2f",
        ))
        value, grad = point_value(name, tuple(sorted(params.items())), float(label), float(sample_weight), marker)
        short = short_name(spec)
        st.metric(f"{short}: loss", fmt(value), help=f"{spec.name} at prediction {marker:g}, label {label:g}")
        st.metric(f"{short}: gradient", fmt(grad), help=f"dL/dpred of {spec.name} at prediction {marker:g}")
    with right:
        view = curve_view(name, params, label, sample_weight, marker, rng)
        chart(view, key, present=present)
    if not present:
        show_counterparts(spec)
    return view


# -- cached computations behind the pages ------------------------------------------------------------------------
# They live here rather than in the page scripts so that each cached function is created once per process
# (a decorator inside a page would be re-created, and its source re-hashed, on every script run).


@st.cache_data(max_entries=256, show_spinner=False)
def l2_values(pred: tuple, label: tuple, weight: float, sample_weight: tuple | None = None) -> list[float]:
    sw = None if sample_weight is None else np.array(sample_weight)
    return L2Loss(weight=weight)(np.array(pred), np.array(label), sw).tolist()


@st.cache_data(max_entries=256, show_spinner=False)
def l2_batch(pred: tuple, label: tuple, batch_axis: int) -> list[float]:
    """L2Loss on a matrix with the examples along ``batch_axis``: one value per example."""
    return L2Loss(batch_axis=batch_axis)(np.array(pred), np.array(label)).tolist()


@st.cache_data(max_entries=256, show_spinner=False)
def dense_gradients(seed: int, y: tuple, h: float) -> dict:
    """Forward and backward of L2Loss(Dense(1)(X), y): chain rule with losscore's gradient vs finite differences."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, size=(2, 4))
    w = rng.uniform(-0.07, 0.07, size=(1, 4))  # the range of MXNet's default initializer for Dense weights
    b = np.zeros(1)
    labels = np.array(y, dtype=np.float64)
    loss = L2Loss()

    def total(w_, b_):
        return float(loss(x @ w_.T + b_, labels).sum())

    out = x @ w.T + b
    values, dout = loss.value_and_grad(out, labels)  # dout: dL/dout, shape (2, 1)
    dw = dout.T @ x
    db = dout.sum(axis=0)
    fd_w = np.zeros_like(w)
    for j in range(w.shape[1]):
        step = np.zeros_like(w)
        step[0, j] = h
        fd_w[0, j] = (total(w + step, b) - total(w - step, b)) / (2 * h)
    fd_b = np.array([(total(w, b + h) - total(w, b - h)) / (2 * h)])
    return dict(x=x, w=w, b=b, out=out, values=values, dout=dout, dw=dw, db=db, fd_w=fd_w, fd_b=fd_b)


@st.cache_data(max_entries=256, show_spinner=False)
def double_sigmoid_demo(q: float, label: float) -> dict:
    """The same network output q (already a probability) fed to the loss with both from_sigmoid settings."""
    grid = np.linspace(0.01, 0.99, 981)
    out = {}
    for flag in (True, False):
        loss = SigmoidBinaryCrossEntropyLoss(from_sigmoid=flag)
        values, grad = loss.value_and_grad(grid, np.full_like(grid, label))
        at, at_grad = loss.value_and_grad(np.array([q]), np.array([label]))
        out[flag] = (grid, values, grad, float(at[0]), float(at_grad[0]))
    return out


@st.cache_data(max_entries=256, show_spinner=False)
def softmax_ce(logits: tuple, label: tuple, label_shape: tuple, sample_weight: tuple, axis: int,
               sparse_label: bool, from_logits: bool, weight: float) -> tuple[np.ndarray, np.ndarray]:
    loss = SoftmaxCrossEntropyLoss(axis=axis, sparse_label=sparse_label, from_logits=from_logits, weight=weight)
    x = np.array(logits, dtype=np.float64)
    lab = np.array(label, dtype=np.float64).reshape(label_shape)
    return loss.value_and_grad(x, lab, np.array(sample_weight, dtype=np.float64))


@st.cache_data(max_entries=256, show_spinner=False)
def softmax_along_logit(row: tuple, k: int, true_class: int, from_logits: bool, weight: float):
    grid = np.linspace(-20.0, 20.0, 2001)
    x = np.tile(np.array(row, dtype=np.float64), (grid.size, 1))
    x[:, k] = grid
    loss = SoftmaxCrossEntropyLoss(from_logits=from_logits, weight=weight)
    values, grad = loss.value_and_grad(x, np.full(grid.size, true_class))
    return grid, values, grad[:, k]


@st.cache_data(max_entries=256, show_spinner=False)
def naive_vs_fused(row: tuple, y: int, dtype: str) -> dict:
    x = np.array(row, dtype=dtype)
    with np.errstate(all="ignore"):  # the point of the demo: overflow, inf / inf and log(0) happen here
        e = np.exp(x)
        p = e / e.sum()
        naive = -np.log(p[y])
    fused = SoftmaxCrossEntropyLoss()(x[None, :], np.array([y]))[0]
    return {"exp": e, "p": p, "naive": float(naive), "fused": float(fused)}


@st.cache_data(max_entries=256, show_spinner=False)
def kl_terms(pred: tuple, target: tuple, sample_weight: tuple, from_logits: bool, axis: int, weight: float):
    x, q = np.array(pred, dtype=np.float64), np.array(target, dtype=np.float64)
    loss = KLDivLoss(from_logits=from_logits, axis=axis, weight=weight)
    values, grad = loss.value_and_grad(x, q, np.array(sample_weight, dtype=np.float64))
    if from_logits:
        log_p = x
    else:
        shifted = x - x.max(axis=axis, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    with np.errstate(divide="ignore"):
        terms = q * (np.log(q + 1e-12) - log_p)
    return values, grad, np.exp(log_p), terms


@st.cache_data(max_entries=256, show_spinner=False)
def triplet_terms(a: tuple, p: tuple, n: tuple, margin: float, weight: float) -> dict:
    loss = TripletLoss(margin=margin, weight=weight)
    arrays = [np.array([v], dtype=np.float64) for v in (a, p, n)]
    values, grads = loss.value_and_grad(*arrays, wrt=("pred", "positive", "negative"))
    d_pos = float(((arrays[1] - arrays[0]) ** 2).sum())
    d_neg = float(((arrays[2] - arrays[0]) ** 2).sum())
    return {"loss": float(values[0]), "grads": [g[0] for g in grads], "d_pos": d_pos, "d_neg": d_neg}


@st.cache_data(max_entries=256, show_spinner=False)
def cosine_terms(x: tuple, y: tuple, label: float, margin: float, weight: float, sample_weight: float) -> dict:
    loss = CosineEmbeddingLoss(margin=margin, weight=weight)
    a, b = np.array([x], dtype=np.float64), np.array([y], dtype=np.float64)
    values, (ga, gb) = loss.value_and_grad(a, b, np.array([label]), np.array([sample_weight]),
                                           wrt=("input1", "input2"))
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    cos = float((a * b).sum() / norm) if norm > 0 else 0.0
    return {"loss": float(values[0]), "cos": cos, "ga": ga[0], "gb": gb[0]}


@st.cache_data(max_entries=256, show_spinner=False)
def cosine_vs_angle(label: float, margin: float, weight: float, sample_weight: float):
    """Rotate a unit vector away from (1, 0): the loss against the angle, and dL/dθ by the chain rule."""
    theta = np.linspace(0.0, np.pi, 1001)
    a = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    b = np.tile([1.0, 0.0], (theta.size, 1))
    loss = CosineEmbeddingLoss(margin=margin, weight=weight)
    values, ga = loss.value_and_grad(a, b, np.full(theta.size, label), np.full(theta.size, sample_weight),
                                     wrt="input1")
    da = np.stack([-np.sin(theta), np.cos(theta)], axis=1)  # d input1 / d theta
    return theta, values, (ga * da).sum(axis=1)


@st.cache_data(max_entries=256, show_spinner=False)
def sdml_terms(x1: tuple, x2: tuple, alpha: float) -> dict:
    loss = SDMLLoss(smoothing_parameter=alpha)
    a, b = np.array(x1, dtype=np.float64), np.array(x2, dtype=np.float64)
    values, (g1, g2) = loss.value_and_grad(a, b, wrt=("x1", "x2"))
    dist = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    p = np.exp(-(dist - dist.min(axis=1, keepdims=True)))
    p /= p.sum(axis=1, keepdims=True)
    return {"values": values, "g1": g1, "g2": g2, "dist": dist, "p": p, "q": loss.target_matrix(len(a), np.float64)}


def ctc_path(word: str, steps: int) -> list[int] | None:
    """A path of ``steps`` symbols (indices into the word's tokens) that collapses to ``word``, or None.

    The word's letters, with a blank (-1) between repeated letters, are stretched evenly over the steps.

    >>> ctc_path("CAT", 6)
    [0, 0, 1, 1, 2, 2]
    >>> ctc_path("OO", 3)
    [0, -1, 1]
    """
    tokens: list[int] = []
    for i, ch in enumerate(word):
        if i and word[i - 1] == ch:
            tokens.append(-1)
        tokens.append(i)
    if steps < len(tokens):
        return None
    return [tokens[t * len(tokens) // steps] for t in range(steps)]


@st.cache_data(max_entries=256, show_spinner=False)
def ctc_example(word: str, steps: int, scores: str, sharpness: float, seed: int, layout: str, label_layout: str,
                weight: float, sample_weight: float, pred_length: int | None = None,
                label_length: int | None = None) -> dict:
    """CTC on one word over ``steps`` time steps with a toy alphabet: the word's distinct letters plus the blank.

    ``scores`` picks the network's activations: "uniform" (all zero: every class equally likely at every step),
    "aligned" (``sharpness`` on the classes of one path that spells the word, 0 elsewhere) or "random"
    (normal noise of standard deviation ``sharpness``, seeded). Returns the loss through CTCLoss with the
    given layouts, the decoded best path, the probability of the word and the alignment posteriors.
    ``pred_length`` (valid steps, default T) and ``label_length`` (letters of the word used, default all) are
    CTCLoss's ``pred_lengths`` and ``label_lengths`` for this one sequence.
    """
    from losscore.sequence import CTCLoss, ctc_alignment_posteriors, ctc_greedy_decode

    letters = sorted(set(word))
    n_classes = len(letters) + 1  # the blank is the last class
    label = np.array([letters.index(ch) for ch in word], dtype=np.float64)
    x = np.zeros((steps, n_classes))
    if scores == "aligned":
        path = ctc_path(word, steps)
        if path is not None:
            for t, token in enumerate(path):
                x[t, n_classes - 1 if token < 0 else letters.index(word[token])] = sharpness
    elif scores == "random":
        x = np.random.default_rng(seed).normal(0.0, sharpness, size=(steps, n_classes))
    pred = x[None]  # (N=1, T, C)
    if layout == "TNC":
        pred = pred.transpose(1, 0, 2)
    lab = label[None] if label_layout == "NT" else label[:, None]
    loss = CTCLoss(layout=layout, label_layout=label_layout, weight=weight)
    plen = None if pred_length is None else np.array([pred_length])
    llen = None if label_length is None else np.array([label_length])
    values, grad = loss.value_and_grad(pred, lab, plen, llen, sample_weight=np.array([sample_weight]))
    grad_tc = grad[0] if layout == "NTC" else grad[:, 0]
    align = ctc_alignment_posteriors(x, label, pred_length, label_length)
    decoded = ctc_greedy_decode(x[None], plen)[0]
    return {
        "alphabet": [*letters, "blank"],
        "value": float(values[0]),
        "log_likelihood": align.log_likelihood,
        "feasible": align.feasible,
        "decoded": "".join(letters[k] for k in decoded),
        "softmax": align.softmax,
        "states": align.state_posteriors,
        "state_names": ["·" if k == n_classes - 1 else letters[k] for k in align.extended_label],
        "grad": grad_tc,
        "pred_shape": pred.shape,
        "label_shape": lab.shape,
    }
