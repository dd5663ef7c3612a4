"""Embedding losses: triplet, cosine embedding (the tutorial's two examples) and SDML, with editable vectors."""

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import figures
from lossapp.controls import BIND, SAMPLE_WEIGHT, array_input, param_control, param_controls
from lossapp.model import Curve, CurveView
from lossapp.page import setup_page
from lossapp.views import chart, clean, cosine_terms, cosine_vs_angle, fmt, sdml_terms, show_counterparts, triplet_terms
from losscore.catalog import CATALOG

present = setup_page("Embeddings")

st.title("Embedding losses")
if not present:
    st.markdown(
        "These losses have no labels in the usual sense. They look at vectors a network produced (embeddings) "
        "and ask for a geometry: similar things close together or pointing the same way, different things "
        "apart. Their gradients are vectors too, so the plots draw them as arrows: each arrow is the "
        "direction gradient descent would move that embedding (minus the gradient)."
    )

# -- triplet ------------------------------------------------------------------------------------------------------
TRIPLET = CATALOG["TripletLoss"]
st.header(TRIPLET.title)
st.latex(TRIPLET.formula)
st.markdown(TRIPLET.summary)
if not present:
    st.markdown(
        "In the tutorial's picture the anchor is a handwritten A, the positive another A and the negative a "
        "Z. The loss is zero as soon as the Z is farther from the anchor than the other A by the margin (in "
        "squared distance); until then it pulls the anchor and the positive together and pushes the negative "
        "away. Note that Gluon uses squared distances, unlike PyTorch's TripletMarginLoss."
    )
left, right = st.columns([1, 1.6], gap="medium")
with left:
    tparams = param_controls(TRIPLET, "tri")
    anchor = array_input("anchor (pred)", "0, 0", "tri_a", help="The anchor embedding, e.g. an image of an A.")
    positive = array_input("positive", "2, 0", "tri_p", help="An embedding of the same kind (another A).")
    negative = array_input("negative", "1, 1", "tri_n", help="An embedding of a different kind (a Z).")


vectors = (anchor, positive, negative)
if all(v is not None for v in vectors):
    if len({v.size for v in vectors}) != 1:
        left.error(f"positive and negative need as many numbers as the anchor ({anchor.size}); got "
                   f"{positive.size} and {negative.size}.")
    else:
        t = triplet_terms(tuple(anchor), tuple(positive), tuple(negative), tparams["margin"], tparams["weight"])
        with right:
            m1, m2, m3 = st.columns(3)
            m1.metric("triplet loss", fmt(t["loss"]))
            m2.metric("‖positive − anchor‖²", fmt(t["d_pos"]))
            m3.metric("‖negative − anchor‖²", fmt(t["d_neg"]))
            names = ("anchor", "positive", "negative")
            if anchor.size == 2:
                fig = figures.vectors_figure(
                    {n: v for n, v in zip(names, vectors, strict=True)},
                    {f"−grad {n}": (v, -g) for n, v, g in zip(names, vectors, t["grads"], strict=True)},
                    present=present,
                )
                steps = [(np.round(-g, 3) + 0.0).tolist() for g in t["grads"]]  # + 0.0: no "-0.0"
                alt = (f"Anchor at {anchor.tolist()}, positive at {positive.tolist()}, negative at "
                       f"{negative.tolist()}; loss {fmt(t['loss'])}; descent arrows "
                       + "; ".join(f"{n} {s}" for n, s in zip(names, steps, strict=True)))
                st.plotly_chart(fig, config=figures.CONFIG, key="tri_plot", alt=alt)
                st.caption(alt)
            st.dataframe(pd.DataFrame(clean(t["grads"]), index=[f"dL/d{n}" for n in names],
                                      columns=[f"dim {j}" for j in range(anchor.size)]), width="content")
if not present:
    show_counterparts(TRIPLET)

# -- cosine embedding ---------------------------------------------------------------------------------------------
COS = CATALOG["CosineEmbeddingLoss"]
st.header(COS.title)
st.latex(COS.formula)
st.markdown(COS.summary)
EXAMPLES = {
    "same": ("1, 0, 1, 0, 1, 0", "1, 0, 1, 0, 1, 0", 1.0),
    "orthogonal": ("1, 0, 1, 0, 1, 0", "0, 1, 0, 1, 0, 1", -1.0),
}
EXAMPLE_NAMES = {"same": "identical vectors, label 1", "orthogonal": "orthogonal vectors, label −1"}


def load_example() -> None:
    x, y, label = EXAMPLES[st.session_state["cos_example"]]
    st.session_state["cos_x"], st.session_state["cos_y"], st.session_state["cos_label"] = x, y, label


if not present:
    st.markdown(
        "The tutorial's two examples both come out at 0, for different reasons. Identical vectors have "
        "cosine 1, so a similar pair (label 1) costs 1 − 1 = 0. The second pair is described as opposite, but "
        "[1, 0, 1, 0, 1, 0] and [0, 1, 0, 1, 0, 1] are orthogonal: their cosine is 0, and a dissimilar pair "
        "(label −1) only pays for the part of the cosine above the margin, max(0, 0 − 0) = 0. Truly opposite "
        "vectors would have cosine −1. The tutorial's formula also leaves out that margin; raise it and a "
        "dissimilar pair is let off more easily, lower it below zero and orthogonal pairs start to cost."
    )
c_left, c_right = st.columns([1, 1.6], gap="medium")
with c_left:
    example = st.radio(
        "Tutorial example", list(EXAMPLES), key="cos_example", on_change=load_example, bind=BIND, horizontal=True,
        captions=[EXAMPLE_NAMES[k] for k in EXAMPLES],
        help="Fills in the vectors and label of one of the tutorial's examples; edit them afterwards.",
    )
    x_default, y_default, label_default = EXAMPLES[example]
    x = array_input("input1", x_default, "cos_x", help="The first embedding.")
    y = array_input("input2", y_default, "cos_y", help="The second embedding, as many numbers as input1.")
    label = float(st.radio("label", [1.0, -1.0], index=[1.0, -1.0].index(label_default), key="cos_label",
                           horizontal=True, bind=BIND, format_func=lambda v: f"{v:g}",
                           captions=["similar pair", "dissimilar pair"],
                           help="1: the pair should point the same way; −1: it should not."))
    cparams = param_controls(COS, "cos")
    sample_weight = param_control(SAMPLE_WEIGHT, "cos_sw")


if x is not None and y is not None:
    if x.size != y.size:
        c_left.error(f"input2: expected {x.size} numbers, like input1; got {y.size}.")
    else:
        r = cosine_terms(tuple(x), tuple(y), label, cparams["margin"], cparams["weight"], sample_weight)
        with c_right:
            m1, m2 = st.columns(2)
            m1.metric("cosine similarity", fmt(r["cos"]))
            m2.metric("cosine embedding loss", fmt(r["loss"]))
            st.dataframe(pd.DataFrame(clean([x, y, r["ga"], r["gb"]]), index=["input1", "input2", "dL/dinput1",
                                                                      "dL/dinput2"],
                                      columns=[f"dim {j}" for j in range(x.size)]), width="content")
st.markdown("**The loss as the angle between the two vectors opens**")
if not present:
    st.caption(
        "Two unit vectors in the plane, the second fixed at (1, 0), the first rotated by θ. The gradient "
        "panel is dL/dθ, from losscore's gradient with respect to input1 through the chain rule. For label 1 "
        "the loss is 1 − cos θ; for label −1 it is zero until cos θ drops below the margin."
    )
theta, values, dtheta = cosine_vs_angle(label, cparams["margin"], cparams["weight"], sample_weight)
a_left, a_right = st.columns([1, 2.4], gap="medium")
with a_left:
    angle = float(st.slider("angle θ (radians)", 0.0, 3.14, 1.57, 0.01, key="cos_theta", bind=BIND,
                            help="Where to read off the loss and its derivative."))
view = CurveView(
    title=f"CosineEmbeddingLoss against the angle between the vectors (label {label:g}, margin "
          f"{cparams['margin']:g})",
    curves=(Curve("CosineEmbeddingLoss", theta, values, dtheta),), marker=angle,
    x_title="angle θ between input1 and input2 (radians)", grad_title="dL/dθ", label=label,
    loss_names=("CosineEmbeddingLoss",), params={**cparams, "sample_weight": sample_weight},
)
with a_left:
    value, slope = view.curves[0].at(angle)
    st.metric("loss at θ", fmt(value))
    st.metric("dL/dθ", fmt(slope))
with a_right:
    chart(view, "cos_curve", present=present)
if not present:
    show_counterparts(COS)

# -- SDML ---------------------------------------------------------------------------------------------------------
SDML = CATALOG["SDMLLoss"]
st.header(SDML.title)
st.latex(SDML.formula)
st.markdown(SDML.summary)
if not present:
    st.markdown(
        "Row i of x1 and row i of x2 are a matching pair, for example two views of the same object. Each x1 "
        "row turns its squared distances to all x2 rows into a softmax over −distance and is scored against "
        "targets that put 1 − α on its partner and spread α over the others. There are no labels to type: "
        "the other pairs in the batch serve as negatives. Like MXNet, the loss ignores `weight`."
    )
s_left, s_right = st.columns([1, 1.6], gap="medium")
with s_left:
    sparams = param_controls(SDML, "sdml")
    x1 = array_input("x1", "0, 0; 3, 0; 0, 3", "sdml_x1", ndim=2, help="One embedding per row (B rows, B >= 2).")
    x2 = array_input("x2", "0.5, 0; 3, 1; 2, 2", "sdml_x2", ndim=2, help="The partner of each x1 row, same shape.")


if x1 is not None and x2 is not None:
    try:
        r = sdml_terms(tuple(map(tuple, x1)), tuple(map(tuple, x2)), sparams["smoothing_parameter"])
    except (ValueError, TypeError) as exc:
        s_left.error(str(exc))
        r = None
    if r is not None:
        rows = [f"x1[{i}]" for i in range(len(x1))]
        cols = [f"x2[{j}]" for j in range(len(x2))]
        with s_right:
            st.metric("SDML loss, mean over the batch", fmt(float(np.mean(r["values"]))),
                      help="Gluon returns one value per row: " + ", ".join(fmt(v) for v in r["values"]))
            st.caption("Per row: " + ", ".join(f"{name} {fmt(v)}" for name, v in zip(rows, r["values"],
                                                                                     strict=True)))
            h1, h2 = st.columns(2)
            with h1:
                st.plotly_chart(figures.heatmap_figure(r["p"], x_labels=cols, y_labels=rows,
                                                       title="P: softmax(−distance) per row", zmin=0, zmax=1,
                                                       present=present),
                                config=figures.CONFIG, key="sdml_p",
                                alt="Heatmap of the predicted matching probabilities P, rows x1, columns x2.")
            with h2:
                st.plotly_chart(figures.heatmap_figure(r["q"], x_labels=cols, y_labels=rows,
                                                       title="Q: smoothed targets", zmin=0, zmax=1, present=present),
                                config=figures.CONFIG, key="sdml_q",
                                alt="Heatmap of the smoothed target matrix Q, rows x1, columns x2.")
            st.caption("P (left, each row sums to 1) against Q (right): the loss is the KL divergence of each "
                       "row of P from the same row of Q. Values are written in the cells.")
            st.markdown("**Squared distances ‖x1[i] − x2[j]‖²**")
            st.dataframe(pd.DataFrame(r["dist"], index=rows, columns=cols), width="content")
if not present:
    show_counterparts(SDML)
