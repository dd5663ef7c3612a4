"""Distribution sections: the tutorial's KL example, KL in both directions, a batch of Poisson counts and
compute_full's Stirling term."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import deep_dives as dd
from lossapp import deep_figures, figures, input_checks
from lossapp.bound_widgets import bound_radio, bound_toggle
from lossapp.caching import cache_data
from lossapp.charts import captioned_chart, curve_chart, memo_curve_figure, memo_figure
from lossapp.controls import BIND, array_input, control_key, format_array, param_controls
from lossapp.counterparts import show_counterparts
from lossapp.formatting import fmt, nums
from lossapp.frames import SliderDef, frame_table, marker_columns, section_sliders, show_stats
from lossapp.live_chart import ClientSlider, Stat, live_charts_enabled, plotly_chart
from lossapp.model import Curve, CurveView
from lossapp.offline_export import offline_download
from lossapp.predict_panel import gate, kl_example_questions, kl_questions, predict_on
from lossapp.side_notes import folded, notes_and_inputs, side_note
from losscore import KLDivLoss
from losscore.catalog import CATALOG


@cache_data(max_entries=256, show_spinner=False)
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


@cache_data(max_entries=256, show_spinner=False)
def kl_bars(q_weights: tuple, pred: tuple, as_logits: bool) -> dict:
    """Both KL directions for the section's weights (NaN throughout where a distribution's weights are all 0)."""
    q = dd.normalise_rows(np.array([q_weights], dtype=np.float64))[0]
    if as_logits:
        return dd.kl_both_ways(q, logits=np.array(pred))
    return dd.kl_both_ways(q, p=dd.normalise_rows(np.array([pred], dtype=np.float64))[0])


@cache_data(max_entries=256, show_spinner=False)
def poisson_counts(counts: tuple, rate: float, compute_full: bool) -> dict:
    return dd.poisson_counts_view(counts, rate, compute_full, lo=0.05, hi=10.0, num=399)


@cache_data(max_entries=64, show_spinner=False)
def stirling(tmax: int) -> dict:
    return dd.stirling_table(tmax)


@st.fragment
def kl_tutorial_section(present: bool) -> None:
    """The tutorial's KL example with every parameter, both directions and the sum-vs-mean point."""
    spec = CATALOG["KLDivLoss"]
    left, right = (st.container(), st.container()) if present else st.columns([1, 1.6], gap="medium")
    with left, folded(present, "Inputs"):
        params = param_controls(spec, "kl", defaults={"from_logits": False}, skip=("weight",))
        (params["weight"],), sliders = section_sliders(st, [KL_WEIGHT])
        pred = array_input("pred (network output)", "0.39056206, 1.3068528, 0.39056206, -0.30258512", "kl_pred",
                           ndim=2, help="One row per example; rows separated by ';'. Log-probabilities when "
                                        "from_logits is on, raw scores when it is off.")
        target = array_input("label (target distribution)", "0.3, 0.4, 0.1, 0.2", "kl_label", ndim=2,
                             help="Target probabilities, the same shape as pred (entries >= 0).")
        sample_weight = array_input("sample_weight", "1", "kl_sw", help="One weight per example, or a single number.")
    result = None
    if pred is not None and target is not None and sample_weight is not None:
        if pred.shape != target.shape:
            left.error(f"label: expected the shape of pred, {pred.shape[0]} row(s) of {pred.shape[1]}; got "
                       f"{target.shape[0]} row(s) of {target.shape[1]}.")
        else:
            try:
                result = kl_terms(tuple(map(tuple, pred)), tuple(map(tuple, target)), tuple(sample_weight),
                                  params["from_logits"], params["axis"], params["weight"])
            except (ValueError, TypeError) as exc:
                left.error(str(exc))
    with right:
        if result is not None:
            assert pred is not None and target is not None and sample_weight is not None  # result came from them
            values, grad, probs, terms = result
            if note := input_checks.distribution_warning(target, "label", "KL divergence", axis=params["axis"]):
                st.warning(note)
            q0, p0 = target[0], probs[0]
            reverse = _reverse_kl(tuple(q0), tuple(p0)) if q0.sum() > 0 and p0.sum() > 0 else math.nan
            # predict first: the value KLDivLoss returns and which direction is larger, before the numbers
            if predict_on("kl") and not gate("kl", (bars_key(pred, target, params, present), tuple(sample_weight),
                                                    params["weight"]),
                                             kl_example_questions(float(values[0]), _forward_kl(tuple(q0), tuple(p0))
                                                                  if q0.sum() > 0 and p0.sum() > 0 else math.nan,
                                                                  reverse)):
                return
            stats = kl_tutorial_stats(values[0], pred[0].size, reverse)
            if not sliders:
                show_stats(stats)
            if len(values) > 1:
                st.caption("Every example: " + ", ".join(fmt(v) for v in values))
            _kl_example_view(pred, target, sample_weight, params, result, sliders, stats, reverse, present)
            total = probs.sum(axis=params["axis"])
            if params["from_logits"] and not np.allclose(total, 1.0, atol=1e-3):
                st.warning(f"With from_logits=True, pred should hold log-probabilities, but exp(pred) sums to "
                           f"{', '.join(fmt(t) for t in np.atleast_1d(total))} instead of 1. Either pass "
                           "log-softmax outputs or turn from_logits off.")
            if not present:
                st.caption(
                    "Terms where q is larger than p are positive, the others negative; only their sum is a "
                    "divergence, and it is zero only when p equals q. KLDivLoss measures KL(q ‖ p) with the "
                    "label q first; the third number swaps the roles and is in general a different number."
                )
    if not present:
        show_counterparts(spec)


KL_WEIGHT = SliderDef.of(CATALOG["KLDivLoss"].param("weight"), control_key("kl", "weight"))


def _kl_example_view(pred: np.ndarray, target: np.ndarray, sample_weight: np.ndarray, params: dict,
                     result: tuple, sliders: tuple, stats: list[Stat], reverse: float, present: bool) -> None:
    """Example 0's bars (with the browser-side weight scaling the numbers under them), caption and terms table."""
    values, grad, probs, terms = result
    what = "exp(pred)" if params["from_logits"] else "softmax(pred)"
    bars = bars_key(pred, target, params, present)
    frames = None
    if sliders:  # the weight scales the divergence (and leaves the bars as they are)
        at_one = values[0] / params["weight"] if params["weight"] else kl_terms(
            tuple(map(tuple, pred)), tuple(map(tuple, target)), tuple(sample_weight), params["from_logits"],
            params["axis"], 1.0)[0][0]
        frames = {KL_WEIGHT.key: frame_table(sliders[0], lambda w: {"stats": np.stack(
            [w * at_one, w * at_one / pred[0].size, np.full(w.size, reverse)], axis=1)})}
    plotly_chart(
        memo_figure("kl_bars", bars, lambda: figures.bar_figure(
            [f"class {j}" for j in range(pred.shape[1])],
            {"target q": target[0], f"prediction p = {what}": probs[0]}, y_title="probability",
            present=present)),
        key="kl_bars",
        alt=f"Bars of the target distribution {target[0].round(4).tolist()} and the prediction "
            f"{probs[0].round(4).tolist()} for example 0.",
        sliders=sliders, stats=stats if sliders else (), frames=frames,
    )
    st.caption(f"Example 0: target q = {target[0].round(4).tolist()}; prediction p = {what} = "
               f"{probs[0].round(4).tolist()}.")
    st.dataframe(pd.DataFrame({"q": target[0], f"p = {what}": probs[0], "q·(log q − log p)": terms[0],
                               "dL/dpred": grad[0]}, index=[f"class {j}" for j in range(pred.shape[1])]),
                 width="content")


def kl_tutorial_stats(value: float, entries: int, reverse: float) -> list[Stat]:
    """The numbers of the tutorial's KL example: example 0's divergence (summed over classes, as MXNet 1.9.1),
    the per-class mean older MXNet returned, and the reverse direction."""
    return [
        Stat("KL divergence, example 0 (MXNet 1.9.1: sum over classes)", fmt(value)),
        Stat("per-class mean (older MXNet; the tutorial's \"0.02\")", fmt(value / entries),
             f"The same terms averaged over the {entries} entries of the example instead of summed."),
        Stat("the other direction, KL(p ‖ q), example 0", fmt(reverse),
             "Σ p (log p − log q): the same two distributions with the roles swapped (before weights)"),
    ]


@cache_data(max_entries=256, show_spinner=False)
def _reverse_kl(q: tuple, p: tuple) -> float:
    return dd.kl_both_ways(dd.normalise(q), p=dd.normalise(p))["kl_pq"]


@cache_data(max_entries=256, show_spinner=False)
def _forward_kl(q: tuple, p: tuple) -> float:
    """KL(q ‖ p) of the normalised distributions, before weights (the predict question compares directions)."""
    return dd.kl_both_ways(dd.normalise(q), p=dd.normalise(p))["kl_qp"]


def bars_key(pred: np.ndarray, target: np.ndarray, params: dict, present: bool) -> tuple:
    """What the KL example's bars (and its predict question) depend on."""
    return (tuple(map(tuple, pred)), tuple(map(tuple, target)), params["from_logits"], params["axis"], present)


#: Starting values of the editable bars (the first K are used): the tutorial's target and prediction.
KLB_Q = (0.3, 0.4, 0.1, 0.2, 0.1, 0.1)


KLB_P = (0.2, 0.5, 0.2, 0.1, 0.1, 0.1)


KLB_Z = (0.39, 1.31, 0.39, -0.3, 0.0, 0.0)


KLB_TEXT = (
    "KL divergence is not a distance: swapping the two distributions changes the number. KL(q ‖ p), "
    "what KLDivLoss computes with the label q as the first argument, weighs every class by the target "
    "q, so it punishes hard a prediction that leaves out a class the target uses (p near 0 where q is "
    "not: the term q·log(q/p) blows up), while it barely notices probability that p spends on classes q "
    "does not use. The reverse, KL(p ‖ q), does the opposite. Set a target weight to 0 to see the "
    "reverse become infinite, or a predicted probability to 0 to see KLDivLoss do so. The sliders give "
    "weights that are rescaled to sum to 1; with logits, the prediction is their softmax and goes to "
    "the loss raw with from_logits=False."
)


@st.fragment
def kl_bars_section(present: bool) -> None:
    """Target and prediction as sliders (probabilities, or logits through softmax) and KL in both directions."""
    st.subheader("Both directions: KL(q ‖ p) and KL(p ‖ q)", anchor="kl-directions")
    left, right = notes_and_inputs(KLB_TEXT, present)
    with left:
        k = int(bound_radio(st, "number of classes K", [2, 3, 4, 5, 6], index=2, key="klb_n", horizontal=True,
                            bind=BIND, help="How many classes the two distributions have."))
        mode = bound_radio(st, "prediction given as", ["probabilities", "logits"], key="klb_in", horizontal=True,
                           bind=BIND, captions=["from_logits=True: the loss gets log p", "from_logits=False: the loss "
                                                                                          "applies log-softmax"],
                           help="How the prediction reaches KLDivLoss. from_logits=True means pred already holds "
                                  "log-probabilities.")
        q_w, pred, sliders = kl_sliders(k, mode)
        st.caption(KL_WEIGHTS_NOTE)
    checks = [("target q", q_w)] + ([("prediction p", pred)] if mode == "probabilities" else [])
    problems = [f"{name}: every weight is 0. Expected at least one class with a weight above 0."
                for name, w in checks if sum(w) <= 0]
    for msg in problems:
        left.error(msg)
    if problems and not sliders:  # with browser-side sliders the chart stays, to move them back
        return
    r = kl_bars(tuple(q_w), tuple(pred), mode == "logits")
    if predict_on("kl-directions") and not problems:  # the charts and numbers wait for the student's guesses
        with right:
            if not gate("kl-directions", (tuple(q_w), tuple(pred), mode),
                        kl_questions(r["q"], r["p"], float(r["kl_qp"]), float(r["kl_pq"]))):
                return
    classes = [f"class {j}" for j in range(k)]
    stats = [Stat(label, fmt(r[entry]), help.format(k=k)) for label, entry, help in KL_STATS]
    with right:
        if not sliders:
            show_stats(stats)
        key = (tuple(q_w), tuple(pred), mode, present)
        dist = memo_figure("klb_dist", key, lambda: figures.bar_figure(
            classes, {"target q": r["q"], "prediction p": r["p"]}, y_title="probability", present=present,
            height=280))
        dist_alt = f"Bars of the target q = {nums(r['q'])} and the prediction p = {nums(r['p'])}."
        shown_qp = np.where(np.isfinite(r["terms_qp"]), r["terms_qp"], np.nan)
        shown_pq = np.where(np.isfinite(r["terms_pq"]), r["terms_pq"], np.nan)
        terms = memo_figure("klb_terms", key, lambda: figures.bar_figure(
            classes, {"q·log(q/p), adds up to KL(q ‖ p)": shown_qp, "p·log(p/q), adds up to KL(p ‖ q)": shown_pq},
            y_title="term", present=present, height=280))
        note = " Infinite terms are left out of the chart." if not (np.isfinite(r["terms_qp"]).all()
                                                                    and np.isfinite(r["terms_pq"]).all()) else ""
        terms_alt = (f"Bars of the per-class terms: q·log(q/p) = {nums(r['terms_qp'])} (sum {fmt(r['kl_qp'])}); "
                     f"p·log(p/q) = {nums(r['terms_pq'])} (sum {fmt(r['kl_pq'])})." + note)
        if sliders:
            dist_frames, terms_frames = kl_frames(tuple(q_w), tuple(pred), mode)
            sent = [plotly_chart(dist, key="klb_dist", alt=dist_alt, sliders=sliders, stats=stats,
                                 frames=dist_frames)]
            st.caption(dist_alt)
            sent.append(plotly_chart(terms, key="klb_terms", alt=terms_alt, follow=sliders, frames=terms_frames))
            st.caption(terms_alt)
            offline_download("kl-directions", sent, formula=CATALOG["KLDivLoss"].formula, paragraphs=(KLB_TEXT,))
        else:
            captioned_chart(dist, "klb_dist", dist_alt)
            captioned_chart(terms, "klb_terms", terms_alt)
        if mode == "logits" and not problems:
            st.caption(f"KLDivLoss(from_logits=False) on the logits {nums(pred, 2)} returns {fmt(r['loss'])}, the "
                       f"same KL(q ‖ p) as the log of their softmax with from_logits=True.")


#: The numbers of the KL section: (label, entry of the KL view, help).
KL_STATS = (
    ("KL(q ‖ p): what KLDivLoss returns", "kl_qp", "Σ q (log q − log p), summed over the classes as MXNet 1.9.1 does"),
    ("KL(p ‖ q): the reverse", "kl_pq", "Σ p (log p − log q)"),
    ("KL(q ‖ p) ÷ K: older MXNet's mean", "mean_qp", "The same terms averaged over the {k} classes instead of summed"),
)


#: Logit sliders move in 0.01 steps (the tutorial's outputs are 0.39 and 1.31): the browser gets the patches
#: for this many steps either side of each one's value, and asks the server beyond.
KL_LOGIT_WINDOW = 50


#: Next to the KL sliders: they are weights, not the probabilities the bars show (q0 = 0.50 reads 0.4167).
KL_WEIGHTS_NOTE = ("The sliders set **weights**, not probabilities: each distribution is its weights divided by "
                   "their sum, which the bars show: target weights 0.5, 0.4, 0.1, 0.2 (sum 1.2) give "
                   "q = 0.4167, 0.3333, 0.0833, 0.1667.")


def kl_slider_defs(k: int, mode: str) -> tuple[list[SliderDef], list[SliderDef]]:
    """The KL section's sliders: the target's k weights, and the prediction's k weights or logits."""
    q = [SliderDef(f"klb_q{j}", f"target weight, class {j}", 0.0, 1.0, KLB_Q[j], 0.01,
                   f"Target weight of class {j} (rescaled so the weights sum to 1).") for j in range(k)]
    if mode == "logits":
        p = [SliderDef(f"klb_z{j}", f"logit, class {j}", -5.0, 5.0, KLB_Z[j], 0.01,
                       f"Network output for class {j}; the prediction is the softmax.") for j in range(k)]
    else:
        p = [SliderDef(f"klb_p{j}", f"predicted weight, class {j}", 0.0, 1.0, KLB_P[j], 0.01,
                       f"Predicted weight of class {j} (rescaled so the weights sum to 1).") for j in range(k)]
    return q, p


def kl_sliders(k: int, mode: str) -> tuple[list[float], list[float], tuple[ClientSlider, ...]]:
    """The target's and the prediction's slider values, and the browser-side sliders (with live charts; else
    Streamlit sliders in two columns here)."""
    q_defs, p_defs = kl_slider_defs(k, mode)
    if live_charts_enabled():
        values, sliders = section_sliders(st, q_defs + p_defs)
        return values[:k], values[k:], sliders
    cq, cp = st.columns(2)
    q_w, _ = section_sliders(cq, q_defs)
    pred, _ = section_sliders(cp, p_defs)
    return q_w, pred, ()


@cache_data(max_entries=64, show_spinner=False)
def kl_frames(q_w: tuple, pred: tuple, mode: str) -> tuple[dict, dict]:
    """The KL section's bars and numbers for every value of each slider, the others held: frames of the
    distributions chart (with the numbers) and of the terms chart."""
    k = len(q_w)
    q_defs, p_defs = kl_slider_defs(k, mode)
    base = np.array(q_w + pred, dtype=np.float64)
    dist_frames, terms_frames = {}, {}
    for j, d in enumerate(q_defs + p_defs):
        value = base[j]
        s = d.at(value)
        rows: dict[str, dict] = {}

        def columns(values: np.ndarray, j: int = j, rows: dict = rows) -> dict:
            grid = np.tile(base, (values.size, 1))
            grid[:, j] = values
            q = dd.normalise_rows(grid[:, :k])
            r = (dd.kl_rows(q, logits=grid[:, k:]) if mode == "logits"
                 else dd.kl_rows(q, p=dd.normalise_rows(grid[:, k:])))
            rows["terms"] = {0: {"y": np.where(np.isfinite(r["terms_qp"]), r["terms_qp"], np.nan)},
                             1: {"y": np.where(np.isfinite(r["terms_pq"]), r["terms_pq"], np.nan)}}
            return {"traces": {0: {"y": r["q"]}, 1: {"y": r["p"]}},
                    "stats": np.stack([r[entry] for _, entry, _ in KL_STATS], axis=1)}

        window = KL_LOGIT_WINDOW if d.key.startswith("klb_z") else None
        dist_frames[d.key] = frame_table(s, columns, window)
        terms_frames[d.key] = frame_table(s, lambda values, rows=rows: {"traces": rows["terms"]}, window)  # type: ignore[misc]  # mypy#15459
    return dist_frames, terms_frames


#: Largest count the Poisson batch takes: the histogram has a bar per count up to the largest.
MAX_COUNT = 1000


@st.fragment
def poisson_counts_section(present: bool) -> None:
    """A batch of counts and one predicted rate: the loss against the rate passed as μ and as log μ."""
    st.subheader("A batch of counts and one predicted rate", anchor="poisson-counts")
    side_note(
        "Here the label is real data: a handful of observed counts, all predicted by the same rate μ. The "
        "loss is their average negative log-likelihood, lowest where μ equals the mean count. The same "
        "prediction can reach the loss in two ways. With from_logits=False the network outputs μ itself "
        "(it must stay positive), and the gradient is mean(1 − t/μ): huge and negative for small rates. "
        "With from_logits=True (the default) it outputs log μ, any real number, and the gradient is "
        "mean(μ − t): gentle for small rates, growing with the rate. Same loss values at the same rate, "
        "different landscapes for gradient descent.", present
    )
    left, right = st.columns([1, 1.6], gap="medium")
    with left:
        counts = array_input("observed counts t", "2, 0, 3, 1, 4, 2", "pn_counts",
                             help="Counts of one batch, whole numbers >= 0 (e.g. events per hour), up to 50 values.")
        (rate,), sliders = section_sliders(st, [PN_RATE])
        full = bool(bound_toggle(st, "compute_full", False, key="pn_full", bind=BIND,
                                 help="Add Stirling's approximation of log(t!), turning the loss into a true negative "
                                        "log-likelihood; a constant, so no gradient changes."))
    if counts is None:
        return
    problem = _counts_problem(counts)
    if problem:
        left.error(problem)
        return
    r = poisson_counts(tuple(counts), rate, full)
    stats = [Stat(label, fmt(value), help) for label, value, help in (
        ("PoissonNLLLoss of the batch at μ", r["rate"]["at"],
         "Averaged over the counts, as Gluon does; the same value either way of passing μ"),
        ("dL/dμ (from_logits=False)", r["rate"]["slope"], "mean(1 − t/μ)"),
        ("dL/dlog μ (from_logits=True)", r["logits"]["slope"], "mean(μ − t)"),
        ("best rate: the mean count", r["mean"], "where both gradients are zero"),
    )]
    with right:
        if not sliders:
            show_stats(stats, per_row=2)
        hist = memo_figure("pn_hist", (tuple(counts), rate, present), lambda: figures.bar_figure(
            r["hist_labels"], {"observed share of the counts": r["hist_freq"], "Poisson P(t | μ)": r["pmf"]},
            x_title="count t", y_title="probability", present=present, height=260))
        hist_alt = (f"Bars of how often each count occurs in the data, {nums(r['hist_freq'], 3)}, next to the "
                    f"Poisson probabilities at μ = {rate:g}, {nums(r['pmf'], 3)}, for counts 0 to "
                    f"{r['hist_labels'][-1]} (the last bar: that count or more).")
        views = _poisson_views(r, rate, full)
        if sliders:  # the rate moves the bars and both markers in the browser
            sent = [plotly_chart(hist, key="pn_hist", alt=hist_alt, sliders=sliders, stats=stats,
                                 frames=poisson_frames(tuple(counts), full, present, "pn_hist"))]
            st.caption(hist_alt)
        else:
            captioned_chart(hist, "pn_hist", hist_alt)
    # the two landscapes side by side across the whole page: in the right column they were too narrow for
    # their axis titles and the "mean count" label
    c1, c2 = st.columns(2, gap="medium")
    for (name, (view, lines)), col in zip(views.items(), (c1, c2), strict=True):
        with col:
            if sliders:
                sent.append(plotly_chart(memo_curve_figure(view, present, lines), key=f"pn_{name}_chart",
                                         alt=view.alt_text(), follow=sliders,
                                         frames=poisson_frames(tuple(counts), full, present, name)))
                st.caption(view.alt_text())
            else:
                curve_chart(view, f"pn_{name}", present, lines)
    if sliders:
        offline_download("poisson-counts", sent, formula=CATALOG["PoissonNLLLoss"].formula)
    st.caption(
        f"compute_full={full}: the loss is {fmt(r['rate']['at'])}. The exact average negative "
        f"log-likelihood, μ − t·log μ + log(t!) with log(t!) from lgamma, is {fmt(r['exact'])}; compute_full adds "
        f"the Stirling term (average {fmt(r['stirling_mean'])}) where the exact log(t!) averages "
        f"{fmt(r['lgamma_mean'])}."
    )



def _counts_problem(counts: np.ndarray) -> str | None:
    """What is wrong with the typed counts, as the message the page shows (None: nothing)."""
    if (counts < 0).any() or (counts != np.round(counts)).any() or counts.size > 50 or (counts > MAX_COUNT).any():
        what = (f"{counts.size} values, more than the 50 that fit on the chart" if counts.size > 50
                else f"{format_array(counts)}, which has a count below 0" if (counts < 0).any()
                else f"{format_array(counts)}, which has a count above {MAX_COUNT}" if (counts > MAX_COUNT).any()
                else f"{format_array(counts)}, which is not all whole numbers")
        return (f"observed counts t: got {what}. Expected up to 50 whole numbers from 0 to {MAX_COUNT}, "
                f"e.g. 2, 0, 3.")
    return None


def _poisson_views(r: dict, rate: float, full: bool) -> dict[str, tuple[CurveView, tuple]]:
    """The loss of the counts against the rate and against log rate: each view with its "mean count" line (when
    it is on the axis)."""
    views = {}
    for name, x_title, x, marker in (
        ("rate", "pred = rate μ (from_logits=False)", r["rates"], rate),
        ("logits", "pred = log μ (from_logits=True)", r["log_rates"], math.log(rate)),
    ):
        d = r[name]
        view = CurveView(
            title="PoissonNLLLoss of the counts", x_title=x_title,
            curves=(Curve(f"from_logits={name == 'logits'}", x, d["loss"], d["grad"]),), marker=marker,
            loss_names=("PoissonNLLLoss",), grad_title="dL/d" + ("μ" if name == "rate" else "log μ"),
            params={"from_logits": name == "logits", "compute_full": full},
        )
        best = r["mean"] if name == "rate" else math.log(r["mean"]) if r["mean"] > 0 else None
        views[name] = (view, ((best, "mean count"),) if best is not None and x[0] <= best <= x[-1] else ())
    return views

PN_RATE = SliderDef("pn_rate", "predicted rate μ (shared by every count)", 0.05, 10.0, 1.0, 0.05,
                    "The Poisson rate the model predicts; the charts mark it.")


@cache_data(max_entries=64, show_spinner=False)
def poisson_frames(counts: tuple, full: bool, present: bool, chart: str) -> dict:
    """The Poisson section's charts for every rate of its slider: the model's bars and the numbers under them
    (``chart="pn_hist"``), or the marker of the rate / log-rate curve chart (``"rate"``, ``"logits"``)."""
    s = PN_RATE.at()

    def columns(rates: np.ndarray) -> dict:
        base = poisson_counts(counts, PN_RATE.default, full)
        if chart == "pn_hist":
            at = dd.poisson_at(counts, rates, full)
            mean = np.full(rates.size, base["mean"])
            return {"traces": {1: {"y": dd.poisson_bars(base["hist_k"], rates)}},
                    "stats": np.stack([at["rate"]["at"], at["rate"]["slope"], at["logits"]["slope"], mean], axis=1)}
        d = base[chart]
        x = base["rates"] if chart == "rate" else base["log_rates"]
        curve = Curve(f"from_logits={chart == 'logits'}", x, d["loss"], d["grad"])
        view = CurveView(title="", x_title="", curves=(curve,), marker=float(x[0]))
        return marker_columns(figures.curve_figure(view, present=present), (curve,),
                              rates if chart == "rate" else np.log(rates))

    return {s.id: frame_table(s, columns)}


@st.fragment
def stirling_section(present: bool) -> None:
    """compute_full's Stirling term next to the exact log(t!) it approximates, with the error per count."""
    st.subheader("compute_full: Stirling's formula against the exact log(t!)", anchor="stirling")
    side_note(
        "The full Poisson negative log-likelihood includes log(t!). compute_full adds it by Stirling's "
        "formula, t·log t − t + ½·log(2πt), and only for t > 1 (for t = 0 and 1, log(t!) is exactly 0). "
        "The exact value is lgamma(t + 1). The formula undershoots by roughly 1/(12t): 0.04 at t = 2, "
        "under 0.01 from t = 9 on, so the absolute error shrinks as counts grow while log(t!) itself grows. "
        "None of this reaches the gradient: log(t!) does not depend on the prediction.", present
    )
    left, right = st.columns([1, 2.4], gap="medium")
    with left:
        (tmax,), sliders = section_sliders(st, [PN_TMAX])
    tab = stirling(tmax)
    err = tab["error"]
    stats = [Stat("error at t = 2", fmt(err[2]), "lgamma(3) − Stirling(2) = log 2 − (2 log 2 − 2 + ½ log 4π)"),
             Stat("error at the largest count shown", fmt(err[tmax]), "lgamma(t + 1) − Stirling(t) at that count")]
    with left:
        if not sliders:
            show_stats(stats, per_row=1)
    with right:
        fig = memo_figure("stirling", (tmax, present), lambda: deep_figures.stirling_figure(
            tab["t"], tab["exact"], tab["stirling"], present=present))
        first = ", ".join(f"t={int(t)}: {err[int(t)]:.4f}" for t in tab["t"][2:min(tmax, 8) + 1])
        alt = (f"log(t!) for counts 0 to {tmax}: exact (lgamma) and Stirling's approximation, with the error "
               f"exact − Stirling below: {first}" + (f"; t={tmax}: {err[tmax]:.4f}" if tmax > 8 else "")
               + ". Zero for t = 0 and 1.")
        if sliders:
            sent = plotly_chart(fig, key="pn_stirling", alt=alt, sliders=sliders, stats=stats,
                                frames=stirling_frames(tmax))
            st.caption(alt)
            offline_download("stirling", [sent])
        else:
            captioned_chart(fig, "pn_stirling", alt)
    if not present:
        st.dataframe(pd.DataFrame({"exact log(t!) = lgamma(t + 1)": tab["exact"], "Stirling (compute_full)":
                                   tab["stirling"], "exact − Stirling": err, "relative error": tab["relative"]},
                                  index=pd.Index(tab["t"].astype(int), name="count t")), width="content")


PN_TMAX = SliderDef("pn_tmax", "largest count shown", 2, 60, 15, 1, "Counts 0 up to this value are compared.")


@cache_data(max_entries=64, show_spinner=False)
def stirling_frames(tmax: int) -> dict:
    """The Stirling chart for every largest count of its slider: counts past it are left out (NaN, not drawn),
    so every value's traces have the same length."""
    s = PN_TMAX.at(tmax)
    full = stirling(int(PN_TMAX.high))

    def columns(tops: np.ndarray) -> dict:
        shown = full["t"][None, :] <= tops[:, None]
        def cut(values: np.ndarray) -> np.ndarray:
            return np.where(shown, values[None, :], np.nan)

        return {"traces": {0: {"x": cut(full["t"]), "y": cut(full["exact"])},
                           1: {"x": cut(full["t"]), "y": cut(full["stirling"])},
                           2: {"x": cut(full["t"]), "y": cut(full["error"])}},
                "stats": np.stack([np.full(tops.size, full["error"][2]), full["error"][tops.astype(int)]], axis=1)}

    return {s.id: frame_table(s, columns)}
