"""Sequences: CTC loss on one word, with the alignments it sums over made visible."""

import math
import re

import numpy as np
import streamlit as st

from lossapp import figures
from lossapp.controls import BIND, SAMPLE_WEIGHT, param_control, param_controls
from lossapp.page import setup_page
from lossapp.views import ctc_example, ctc_path, fmt, show_counterparts
from losscore.catalog import CATALOG

present = setup_page("Sequences")
SPEC = CATALOG["CTCLoss"]
SCORES = {
    "aligned": "confident on one path that spells the word",
    "uniform": "every class equally likely (knows nothing)",
    "random": "random activations",
}

st.title("Sequence labels: CTC loss")
st.latex(SPEC.formula)
st.markdown(SPEC.summary)
if not present:
    st.markdown(
        "A handwriting or speech model outputs one score vector per time step, but the label is just the word, "
        "with no say about which step belongs to which letter. CTC adds a blank symbol and counts a path of "
        "per-step symbols as spelling the word if merging repeated symbols and then removing blanks gives the "
        "word: with five steps, C-C-A-blank-T and C-A-A-T-T both spell CAT. The loss is −log of the total "
        "probability of all such paths, so the network is free to choose the timing. Below, the alphabet is "
        "just the word's own letters plus the blank, so everything fits on screen."
    )

left, right = st.columns([1, 1.8], gap="medium")
with left:
    word_text = st.text_input("label word", "CAT", key="ctc_word", bind=BIND, max_chars=12,
                              help="Letters A to Z, at most 12. Repeated letters need a blank between them.")
    word = word_text.strip().upper()
    steps = int(st.slider("time steps T", 1, 30, 8, 1, key="ctc_t", bind=BIND,
                          help="How many score vectors the network produced for this input."))
    scores = st.radio("network scores", list(SCORES), captions=list(SCORES.values()), key="ctc_scores", bind=BIND,
                      help="What the per-step activations look like before the softmax.")
    sharpness = float(st.slider("score strength", 0.0, 10.0, 3.0, 0.5, key="ctc_sharp", bind=BIND,
                                disabled=scores == "uniform",
                                help="Activation of the chosen class per step (aligned) or noise scale (random)."))
    seed = int(st.number_input("random seed", 0, 10_000, 0, 1, key="ctc_seed", bind=BIND,
                               disabled=scores != "random", help="Seed of the random scores."))
    params = param_controls(SPEC, "ctc")
    sample_weight = param_control(SAMPLE_WEIGHT, "ctc_sw")
    pred_length = int(st.slider("pred_lengths", 0, steps, steps, 1, key="ctc_plen", bind=BIND,
                                help="How many of the T steps are real (the rest is padding the loss ignores)."))

valid = re.fullmatch(r"[A-Z]{1,12}", word) is not None
if not valid:
    left.error(f"label word: {word_text!r} is not a word of 1 to 12 letters A-Z. Expected something like CAT.")
else:
    with left:
        label_length = int(st.slider("label_lengths", 0, len(word), len(word), 1, key="ctc_llen", bind=BIND,
                                     help="How many letters of the label count (the rest is padding)."))
    target = word[:label_length]
    r = ctc_example(word, steps, scores, sharpness, seed, params["layout"], params["label_layout"],
                    params["weight"], sample_weight, pred_length, label_length)
    with right:
        m1, m2, m3 = st.columns(3)
        m1.metric("CTC loss", fmt(r["value"]),
                  help="weight × sample_weight × (−log p(word)); +inf when the word cannot fit in T steps")
        prob = math.exp(r["log_likelihood"]) if r["feasible"] else 0.0
        m2.metric("p(word | scores)", f"{prob:.4g}",
                  help="Total probability of every path that spells the label (its first label_lengths letters).")
        m3.metric("best path decodes to", r["decoded"] or "(nothing)",
                  help="The most likely class at each step, repeats merged, blanks dropped.")
        need = len(target) + sum(a == b for a, b in zip(target, target[1:], strict=False))
        if not r["feasible"]:
            st.warning(f"{target} needs at least {need} time steps (one per letter plus a blank between each pair "
                       f"of repeated letters); with {pred_length} valid steps no path spells it, so the loss is "
                       "+inf and the gradient is 0.")
        elif scores == "aligned" and ctc_path(word, steps) is not None and not present:
            st.caption("The scores favour one path that spells the word; the other alignments still add some "
                       "probability, which is why p(word) is larger than that path's own probability.")
        steps_labels = [f"t{t}" for t in range(steps)]
        alpha = r["alphabet"]
        st.plotly_chart(
            figures.heatmap_figure(r["softmax"].T, x_labels=steps_labels, y_labels=alpha, zmin=0, zmax=1,
                                   title="softmax of the scores: class probability per time step",
                                   present=present, height=110 + 34 * len(alpha)),
            config=figures.CONFIG, key="ctc_softmax",
            alt=f"Heatmap of the per-step class probabilities for {steps} steps and classes {', '.join(alpha)}.",
        )
        if r["feasible"]:
            states = r["state_names"]
            st.plotly_chart(
                figures.heatmap_figure(r["states"].T, x_labels=steps_labels,
                                       y_labels=[f"{i}: {s}" for i, s in enumerate(states)], zmin=0, zmax=1,
                                       title="where the word is: posterior of each label position per step",
                                       present=present, height=110 + 26 * len(states)),
                config=figures.CONFIG, key="ctc_states",
                alt="Heatmap of the alignment posteriors: for each step, the probability of being at each "
                    "position of the blank-padded word.",
            )
            if not present:
                st.caption(
                    "Rows are the word with a blank (·) before, between and after its letters, the states CTC's "
                    "forward-backward recursion walks through; each column sums to 1. The gradient of the loss "
                    "for the scores at step t is softmax minus these posteriors gathered by class."
                )
            st.plotly_chart(
                figures.heatmap_figure(r["grad"].T, x_labels=steps_labels, y_labels=alpha, diverging=True,
                                       title="dL/dscores (orange pushes a score down, blue up)",
                                       present=present, height=110 + 34 * len(alpha)),
                config=figures.CONFIG, key="ctc_grad",
                alt="Heatmap of the gradient of the CTC loss with respect to each score.",
            )
            total = float(np.abs(r["grad"]).sum())
            st.caption(f"Sum of |gradient| over all scores: {fmt(total)}.")
    if not present:
        st.caption(
            f"Shapes passed to CTCLoss: pred {r['pred_shape']} for layout {params['layout']}, label "
            f"{r['label_shape']} for label_layout {params['label_layout']}. The layouts only say where the batch "
            "and time axes are; the loss is the same."
        )
if not present:
    show_counterparts(SPEC)
