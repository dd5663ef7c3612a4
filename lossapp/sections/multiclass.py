"""Losses over C classes along one axis: the lead d of the right class's logit over the C − 1 others (all 0).
Label smoothing with epsilon on a browser-side slider (the Softmax cross-entropy page), and cross-entropy beside
softmax focal, Poly-1, label smoothing and the multiclass hinge (the Modern classification page)."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from lossapp.bound_widgets import bound_radio
from lossapp.caching import cache_data
from lossapp.charts import captioned_chart, curve_chart, memo_figure
from lossapp.controls import BIND, control_key, param_control
from lossapp.counterparts import show_counterparts
from lossapp.figures import curve_figure
from lossapp.formatting import fmt
from lossapp.frames import SliderDef, frame_table, section_sliders, show_stats
from lossapp.live_chart import Stat, plotly_chart
from lossapp.model import Curve, CurveView
from lossapp.side_notes import beside
from losscore.catalog import CATALOG, make_loss

#: The right class's lead over the others: far enough right to see label smoothing's minimum for C up to 100.
D = np.linspace(-6.0, 12.0, 721)
CLASSES = (2, 3, 5, 10, 100)
EPSILON = SliderDef("ls_eps", "smoothing ε (epsilon)", 0.0, 0.5, 0.1, 0.01,
                    "The probability mass spread evenly over all C classes: the target is (1 − ε)·onehot + ε/C.")


def along_lead(name: str, params: dict, n_classes: int, d: np.ndarray = D) -> tuple[np.ndarray, np.ndarray]:
    """The loss of catalog loss ``name`` (a loss of logits and a class index) for one example whose right class
    (0) leads the C − 1 others (all 0) by each of ``d``, and its derivative with respect to that lead."""
    logits = np.zeros((d.size, n_classes))
    logits[:, 0] = d
    values, grad = make_loss(name, **params).value_and_grad(logits, np.zeros(d.size))
    return values + 0.0, grad[:, 0] + 0.0


def best_lead(epsilon: float, n_classes: int) -> float:
    """Where label smoothing's loss is smallest: softmax gives the right class 1 − ε + ε/C there, a lead of
    log(1 + C (1 − ε) / ε) (infinite without smoothing)."""
    return math.inf if epsilon <= 0 else math.log1p(n_classes * (1 - epsilon) / epsilon)


# -- label smoothing (Softmax cross-entropy page) ----------------------------------------------------------------

def _smoothing_rows(epsilons: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    rows = [along_lead("LabelSmoothingCrossEntropyLoss", {"epsilon": float(e)}, n_classes) for e in epsilons]
    return np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows])


def _minimum_line(epsilon: float, n_classes: int) -> tuple[float, str]:
    """The vertical line at the best lead (at the right edge, saying so, when there is none or it is off-chart)."""
    d = best_lead(epsilon, n_classes)
    if d > D[-1]:
        return float(D[-1]), "no minimum: the loss falls forever" if math.isinf(d) else f"minimum at d = {d:.2f}"
    return d, f"minimum at d = {d:.2f}"


def smoothing_texts(epsilons: np.ndarray, n_classes: int) -> np.ndarray:
    """The numbers under the chart per ε: the best lead, the right class's probability and the loss there."""
    rows = []
    for e in epsilons:
        d = best_lead(float(e), n_classes)
        p = 1 - e + e / n_classes
        floor = 0.0 if e == 0 else float(along_lead("LabelSmoothingCrossEntropyLoss", {"epsilon": float(e)},
                                                    n_classes, np.array([d]))[0][0])
        rows.append(["∞" if math.isinf(d) else fmt(d), fmt(p), fmt(floor)])
    return np.array(rows, dtype=object)


SMOOTHING_STATS = (
    ("best lead d*", "log(1 + C(1 − ε)/ε): the right logit stops being pushed up here."),
    ("p_y at d*", "The right class's softmax probability at the minimum: 1 − ε + ε/C."),
    ("loss at d*", "The smallest loss there is: the entropy of the smoothed target, not 0."),
)


@cache_data(max_entries=64, show_spinner=False)
def smoothing_view(epsilon: float, n_classes: int) -> CurveView:
    ce, ce_grad = along_lead("SoftmaxCrossEntropyLoss", {}, n_classes)
    ls, ls_grad = _smoothing_rows(np.array([epsilon]), n_classes)
    return CurveView(
        title=f"Cross-entropy and label smoothing (ε = {epsilon:g}) with {n_classes} classes",
        curves=(Curve("cross-entropy", D, ce, ce_grad), Curve("label smoothing", D, ls[0], ls_grad[0])),
        x_title=f"lead d of the right logit over the other {n_classes - 1} (all 0)", grad_title="dL/dd",
        y_limits=(0.0, 12.0),  # an autoranged axis that refits as ε moves in the browser
        loss_names=("SoftmaxCrossEntropyLoss", "LabelSmoothingCrossEntropyLoss"),
        params={"epsilon": epsilon},
    )


@cache_data(max_entries=16, show_spinner=False)
def smoothing_frames(epsilon: float, n_classes: int) -> dict:
    """The ε slider's frames over its whole range: the smoothing traces (2, 3), the minimum's line (shapes 0, 1;
    annotation 0) and the numbers."""
    def columns(values: np.ndarray) -> dict:
        loss, grad = _smoothing_rows(values, n_classes)
        lines = [_minimum_line(float(e), n_classes) for e in values]
        xs = np.array([x for x, _ in lines])
        return {"traces": {2: {"y": loss}, 3: {"y": grad}},
                "shapes": {0: {"x0": xs, "x1": xs}, 1: {"x0": xs, "x1": xs}},
                "annotations": {0: {"x": xs, "text": [t for _, t in lines]}},
                "stats": smoothing_texts(values, n_classes)}

    return {EPSILON.key: frame_table(EPSILON.at(epsilon), columns)}


@st.fragment
def label_smoothing_section(present: bool) -> None:
    """Cross-entropy and label-smoothing cross-entropy along the right class's lead, ε on a slider."""
    spec = CATALOG["LabelSmoothingCrossEntropyLoss"]
    st.header("Label smoothing: a loss with a finite best answer", anchor="label-smoothing")
    st.latex(spec.formula)
    if not present:
        st.markdown(
            "Cross-entropy with a one-hot label keeps falling as the right logit pulls away from the others: "
            "it is only 0 at an infinite lead, so training keeps inflating the logits and the model grows "
            "over-confident. Label smoothing aims at (1 − ε) on the right class and ε/C on every class, so "
            "the loss has a minimum at a finite lead d* = log(1 + C(1 − ε)/ε), where its gradient crosses "
            "zero: past it the right logit is pushed back. Here one example's right class leads the other "
            "C − 1 logits, all 0, by d."
        )
    left, right = beside(present, (1, 2.4))
    with left:
        n_classes = int(bound_radio(st, "number of classes C", list(CLASSES), index=2, key="ls_c", horizontal=True,
                                    bind=BIND, help="How many classes the example could belong to."))
        values, sliders = section_sliders(st, [EPSILON])
    epsilon = float(values[0])
    view = smoothing_view(epsilon, n_classes)
    line = _minimum_line(epsilon, n_classes)
    fig = memo_figure("ls_curves", (epsilon, n_classes, present),
                      lambda: curve_figure(view, present=present, vlines=(line,)))
    texts = smoothing_texts(np.array([epsilon]), n_classes)[0]
    stats = [Stat(label, text, help) for (label, help), text in zip(SMOOTHING_STATS, texts, strict=True)]
    alt = view.alt_text()[:-1] + f". Label smoothing's {line[1]}."
    with right:
        if sliders:
            plotly_chart(fig, key="ls_chart", alt=alt, sliders=sliders, stats=stats,
                         frames=smoothing_frames(epsilon, n_classes))
            st.caption(alt)
        else:
            captioned_chart(fig, "ls_chart", alt)
            show_stats(stats)
    if not present:
        show_counterparts(spec)


# -- the multiclass losses side by side (Modern classification page) -------------------------------------------

#: The losses of the comparison: (catalog name, name on the chart).
MULTICLASS = (
    ("SoftmaxCrossEntropyLoss", "cross-entropy"),
    ("SoftmaxFocalLoss", "softmax focal"),
    ("PolyLoss", "Poly-1"),
    ("LabelSmoothingCrossEntropyLoss", "label smoothing"),
    ("MulticlassHingeLoss", "multiclass hinge"),
)


@cache_data(max_entries=64, show_spinner=False)
def multiclass_view(params: tuple[tuple[str, tuple[tuple[str, float], ...]], ...], n_classes: int) -> CurveView:
    """Every loss of :data:`MULTICLASS` with its parameters (``(name, ((param, value), ...))`` pairs)."""
    by_name = dict(params)
    curves = []
    for name, shown in MULTICLASS:
        values, grad = along_lead(name, dict(by_name.get(name, ())), n_classes)
        curves.append(Curve(shown, D, values, grad))
    return CurveView(
        title=f"Multiclass losses of one example with {n_classes} classes", curves=tuple(curves),
        x_title=f"lead d of the right logit over the other {n_classes - 1} (all 0)", grad_title="dL/dd",
        loss_names=tuple(name for name, _ in MULTICLASS), y_title="loss (clipped at 8)", y_limits=(-0.5, 8.0),
    )


#: The one parameter of each loss that the comparison offers, under its own widget key.
MULTICLASS_PARAMS = (("SoftmaxFocalLoss", "gamma"), ("PolyLoss", "epsilon"),
                     ("LabelSmoothingCrossEntropyLoss", "epsilon"), ("MulticlassHingeLoss", "margin"))


@st.fragment
def multiclass_section(present: bool) -> None:
    """Cross-entropy beside softmax focal, Poly-1, label smoothing and the multiclass hinge."""
    st.subheader("Many classes: cross-entropy and its variants", anchor="multiclass")
    if not present:
        st.markdown(
            "The losses that take one class index per example, as functions of how far the right class's logit "
            "leads the others. Cross-entropy falls towards 0 and never gets there. The softmax focal loss is "
            "cross-entropy times (1 − p_y)^γ: flat once the example is right. Poly-1 adds ε(1 − p_y): a "
            "steeper push for examples that are nearly right (ε > 0) or a gentler one (ε < 0). Label smoothing "
            "has a minimum at a finite lead, and the multiclass hinge is exactly 0 once the lead passes the "
            "margin."
        )
    left, right = st.columns([1, 2.4], gap="medium")
    with left:
        n_classes = int(bound_radio(st, "number of classes C", list(CLASSES), index=2, key="mc_c", horizontal=True,
                                    bind=BIND, help="How many classes the example could belong to."))
        chosen = []
        for name, param in MULTICLASS_PARAMS:
            spec = CATALOG[name]
            value = param_control(spec.param(param), control_key(f"mc{spec.short_id}", param),
                                  label=f"{param} of {name}")
            chosen.append((name, ((param, float(value)),)))
    view = multiclass_view(tuple(chosen), n_classes)
    with right:
        curve_chart(view, "mc", present)
    if not present:
        st.caption("The multiclass hinge is PyTorch's MultiMarginLoss: its sum over the wrong classes is divided "
                   "by C, so here it is (C − 1)/C · max(0, m − d).")
