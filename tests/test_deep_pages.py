"""AppTest of the deep-dive views on pages 4-7 (softmax cross-entropy, distributions, embeddings, sequences):
the issue's examples, every new widget moving the numbers on screen, deep links, bad input, and the charts
plotting losscore's numbers. Script-run times are printed (run pytest with -s to see them)."""

from __future__ import annotations

import base64
import json
import math
import statistics
import time

import numpy as np
import pytest
from apptest_charts import chart as chart_with_key
from apptest_charts import charts as all_charts
from apptest_charts import client_control, load_page, set_control, stats
from streamlit.testing.v1 import AppTest

from lossapp import ctc_lattice
from losscore import (
    CTCLoss,
    KLDivLoss,
    PoissonNLLLoss,
    SDMLLoss,
    SoftmaxCrossEntropyLoss,
    TripletLoss,
    stirling_log_factorial,
)

SOFTMAX, DISTRIBUTIONS, EMBEDDINGS, SEQUENCES = ("4_Softmax_cross_entropy.py", "5_Distributions.py",
                                                 "6_Embeddings.py", "7_Sequences.py")


load = load_page


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """The numbers shown as metrics, or (with live charts) under the chart whose sliders move them."""
    return {m.label: m.value for m in at.metric} | stats(at)


def metric(at: AppTest, label: str) -> float:
    return float(metrics(at)[label])


def decode(arr) -> np.ndarray:
    """A plotly JSON array: a plain list (None for NaN), or a base64 typed array {"dtype", "bdata"[, "shape"]}."""
    if isinstance(arr, dict):
        out = np.frombuffer(base64.b64decode(arr["bdata"]), dtype=np.dtype(arr["dtype"]))
        if "shape" in arr:
            out = out.reshape([int(n) for n in str(arr["shape"]).split(",")])
        return out
    return np.array(arr, dtype=float)


def chart(at: AppTest, key: str) -> dict:
    """The plotly spec of the chart with this key."""
    return chart_with_key(at, key).spec


def traces(spec: dict, role: str) -> list[dict]:
    return [t for t in spec["data"] if (t.get("meta") or {}).get("role") == role]


def caption_text(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def shown(at: AppTest) -> tuple:
    """Everything a reader sees as numbers: metrics, captions, markdown and every chart's data."""
    charts = tuple(c.raw for c in all_charts(at))
    return tuple(metrics(at).items()), caption_text(at), tuple(m.value for m in at.markdown), charts


class ClientWidget:
    """A browser-side slider seen like an AppTest widget: label, help, value; ``set_value`` puts the value in
    the page address, where the browser would."""

    def __init__(self, at: AppTest, key: str) -> None:
        self.at, self.key = at, key
        control = client_control(at, key)
        self.label, self.help, self.value = control["label"], control["help"], control["value"]

    def set_value(self, value) -> None:
        set_control(self.at, self.key, value)


def widget(at: AppTest, key: str):
    for kind in ("slider", "radio", "toggle", "text_input", "text_area", "number_input"):
        for w in getattr(at, kind):
            if w.key == key:
                return w
    return ClientWidget(at, key)


# -- script time ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", [SOFTMAX, DISTRIBUTIONS, EMBEDDINGS, SEQUENCES])
def test_deep_page_script_time(page):
    at = load(page)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        rerun(at)
        times.append(time.perf_counter() - start)
    print(f"\n{page}: AppTest script run median {statistics.median(times) * 1000:.1f} ms")
    assert statistics.median(times) < 1.0  # generous: the 50 ms target is the benchmark's (bench/ui_latency.py)


# -- every new control moves what is shown --------------------------------------------------------------------------
WIDGET_CHANGES = [
    (SOFTMAX, "sm_n", 5), (SOFTMAX, "sm_z0", -3.0), (SOFTMAX, "sm_z1", 4.0), (SOFTMAX, "sm_z2", 2.5),
    (SOFTMAX, "sm_z3", 1.0), (SOFTMAX, "sm_scale", 20), (SOFTMAX, "sm_y", 2), (SOFTMAX, "sm_kind", "dense"),
    (SOFTMAX, "sm_eps", 0.5),
    (DISTRIBUTIONS, "klb_n", 5), (DISTRIBUTIONS, "klb_in", "logits"), (DISTRIBUTIONS, "klb_q0", 0.9),
    (DISTRIBUTIONS, "klb_q1", 0.05), (DISTRIBUTIONS, "klb_q2", 0.5), (DISTRIBUTIONS, "klb_q3", 0.0),
    (DISTRIBUTIONS, "klb_p0", 0.7), (DISTRIBUTIONS, "klb_p1", 0.1), (DISTRIBUTIONS, "klb_p2", 0.0),
    (DISTRIBUTIONS, "klb_p3", 0.4), (DISTRIBUTIONS, "pn_counts", "5, 7, 6"), (DISTRIBUTIONS, "pn_rate", 3.0),
    (DISTRIBUTIONS, "pn_full", True), (DISTRIBUTIONS, "pn_tmax", 30),
    (EMBEDDINGS, "tri_ex", "easy"), (EMBEDDINGS, "tri_ax", -1.0), (EMBEDDINGS, "tri_ay", 0.5),
    (EMBEDDINGS, "tri_px", 1.0), (EMBEDDINGS, "tri_py", -0.5), (EMBEDDINGS, "tri_nx", 2.5),
    (EMBEDDINGS, "tri_ny", -2.0), (EMBEDDINGS, "tri_lr", 0.05),
    (EMBEDDINGS, "cos_theta", 0.5), (EMBEDDINGS, "cos_margin", 0.5), (EMBEDDINGS, "sdml_lr", 0.1),
    (SEQUENCES, "ctc_extra", "OG"), (SEQUENCES, "ctc_scores", "peaky"), (SEQUENCES, "ctc_temp", 2.0),
    (SEQUENCES, "ctc_t", 5), (SEQUENCES, "ctc_sharp", 6.0), (SEQUENCES, "ctc_word", "DOG"),
]


@pytest.mark.parametrize("page, key, value", WIDGET_CHANGES, ids=[f"{k}={v}" for _, k, v in WIDGET_CHANGES])
def test_every_new_widget_changes_the_numbers_shown(page, key, value):
    at = load(page)
    w = widget(at, key)
    assert w.label and w.help, f"{key} needs a visible label and help text"
    before = shown(at)
    if hasattr(w, "input"):
        w.input(value)
    else:
        w.set_value(value)
    rerun(at)
    assert shown(at) != before


DEEP_LINKS = [
    (SOFTMAX, {"sm_n": "3", "sm_z1": "4.5", "sm_y": "2", "sm_kind": "dense", "sm_eps": "0.3", "sm_scale": "7"}),
    (DISTRIBUTIONS, {"klb_n": "3", "klb_in": "logits", "klb_q1": "0.8", "klb_z2": "-1.5", "pn_counts": "1, 1, 4",
                     "pn_rate": "2.5", "pn_full": "true", "pn_tmax": "25"}),
    (EMBEDDINGS, {"tri_ex": "semi-hard", "tri_mode": "2-D", "tri_nx": "0.3", "tri_lr": "0.1", "cos_theta": "0.8",
                  "sdml_lr": "0.4"}),
    (SEQUENCES, {"ctc_word": "DOG", "ctc_extra": "C", "ctc_scores": "random", "ctc_temp": "0.5", "ctc_seed": "9",
                 "ctc_t": "6"}),
]


@pytest.mark.parametrize("page, query", DEEP_LINKS, ids=[p for p, _ in DEEP_LINKS])
def test_every_new_control_is_read_from_the_url(page, query):
    at = load(page, **query)
    for key, text in query.items():
        value = widget(at, key).value
        if isinstance(value, bool):
            assert value == (text == "true"), key
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            assert float(value) == float(text), key
        else:
            assert str(value) == text, key


# -- softmax cross-entropy -------------------------------------------------------------------------------------------
def test_softmax_sliders_show_softmax_loss_and_the_gradient_softmax_minus_onehot():
    at = load(SOFTMAX)
    x = np.array([2.0, 1.0, 0.1, -1.0])
    loss, grad = SoftmaxCrossEntropyLoss().value_and_grad(x[None], np.array([0]))
    assert metrics(at)["cross-entropy, sparse label y"] == f"{loss[0]:.4f}"
    bars = {t["meta"]["series"]: decode(t["y"]) for t in traces(chart(at, "sm_bars"), "bar")}
    p = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    np.testing.assert_allclose(bars["softmax p"], p, atol=1e-12)
    np.testing.assert_allclose(bars["label q (sparse)"], [1, 0, 0, 0])
    np.testing.assert_allclose(bars["gradient p − q"], grad[0], atol=1e-12)
    np.testing.assert_allclose(bars["gradient p − q"], p - np.eye(4)[0], atol=1e-12)
    # dense, smoothed label: (1 - ε) onehot + ε / K, with ε = 0.1
    q = 0.9 * np.eye(4)[0] + 0.1 / 4
    dense = SoftmaxCrossEntropyLoss(sparse_label=False)(x[None], q[None])[0]
    assert metrics(at)["cross-entropy, dense label"] == f"{dense:.4f}"
    at.radio(key="sm_kind").set_value("dense")
    set_control(at, "sm_eps", 0.0)
    rerun(at)
    assert metrics(at)["cross-entropy, dense label"] == metrics(at)["cross-entropy, sparse label y"]
    bars = {t["meta"]["series"]: decode(t["y"]) for t in traces(chart(at, "sm_bars"), "bar")}
    np.testing.assert_allclose(bars["gradient p − q"], p - np.eye(4)[0], atol=1e-12)


def test_softmax_sliders_naive_version_overflows_next_to_the_fused_one():
    at = load(SOFTMAX)
    naive32, naive64, fused = "softmax then −log, float32", "softmax then −log, float64", "fused (log-sum-exp)"
    assert metrics(at)[naive32] == metrics(at)[naive64] == metrics(at)[fused]
    set_control(at, "sm_scale", 50)  # logits 100, 50, 5, -50: exp(100) overflows float32 only
    rerun(at)
    assert metrics(at)[naive32] in ("nan", "inf") and metrics(at)[naive64] == metrics(at)[fused]
    set_control(at, "sm_z0", 10.0)
    set_control(at, "sm_scale", 100)  # logit 1000: float64 overflows too
    at.radio(key="sm_y").set_value(1)
    rerun(at)
    assert metrics(at)[naive32] in ("nan", "inf") and metrics(at)[naive64] in ("nan", "inf")
    assert metric(at, fused) == pytest.approx(900.0, abs=1e-3)  # 1000 - 100
    assert "overflows float32 (limit 88.7) and float64" in caption_text(at)


# -- KL --------------------------------------------------------------------------------------------------------------
KL_QP, KL_PQ = "KL(q ‖ p): what KLDivLoss returns", "KL(p ‖ q): the reverse"
KL_MEAN = "KL(q ‖ p) ÷ K: older MXNet's mean"


def test_kl_bars_the_worked_example_both_directions_and_the_sum_vs_mean_point():
    at = load(DISTRIBUTIONS)
    q, p = np.array([0.3, 0.4, 0.1, 0.2]), np.array([0.2, 0.5, 0.2, 0.1])
    assert metrics(at)[KL_QP] == "0.1017" and metrics(at)[KL_MEAN] == "0.0254"
    reverse = float((p * np.log(p / q)).sum())
    assert metrics(at)[KL_PQ] == f"{reverse:.4f}" != metrics(at)[KL_QP]
    assert metrics(at)["the other direction, KL(p ‖ q), example 0"] == f"{reverse:.4f}"
    terms = {t["meta"]["series"]: decode(t["y"]) for t in traces(chart(at, "klb_terms"), "bar")}
    np.testing.assert_allclose(terms["q·log(q/p), adds up to KL(q ‖ p)"], q * np.log(q / p), atol=1e-9)
    np.testing.assert_allclose(terms["p·log(p/q), adds up to KL(p ‖ q)"], p * np.log(p / q), atol=1e-9)


def test_kl_bars_from_logits():
    at = load(DISTRIBUTIONS, klb_in="logits")
    z = np.array([0.39, 1.31, 0.39, -0.3])  # the tutorial's outputs at the sliders' 0.01 step
    q = np.array([0.3, 0.4, 0.1, 0.2])
    expected = KLDivLoss(from_logits=False)(z[None], q[None])[0]
    assert metrics(at)[KL_QP] == f"{expected:.4f}"
    assert f"returns {expected:.4f}" in caption_text(at)
    set_control(at, "klb_z1", 3.0)
    rerun(at)
    z[1] = 3.0
    assert metrics(at)[KL_QP] == f"{KLDivLoss(from_logits=False)(z[None], q[None])[0]:.4f}"


def test_kl_bars_zeros_and_bad_input():
    at = load(DISTRIBUTIONS, klb_q2="0")
    assert metrics(at)[KL_PQ] == "inf" and metrics(at)[KL_QP] != "inf"
    assert "Infinite terms are left out" in caption_text(at)
    at = load(DISTRIBUTIONS, klb_p0="0")
    assert metrics(at)[KL_QP] == "inf"
    at = load(DISTRIBUTIONS, klb_n="2", klb_q0="0", klb_q1="0")
    assert any("target q: every weight is 0" in e.value for e in at.error)
    assert metrics(at).get(KL_QP, "nan") == "nan"  # no number (live charts keep the sliders, to move them back)


# -- Poisson ---------------------------------------------------------------------------------------------------------
POIS = "PoissonNLLLoss of the batch at μ"


def test_poisson_counts_loss_vs_rate_both_ways():
    at = load(DISTRIBUTIONS)
    t = np.array([2.0, 0.0, 3.0, 1.0, 4.0, 2.0])
    assert metric(at, POIS) == pytest.approx(float(PoissonNLLLoss()(np.zeros(6), t)[0]), abs=1e-4)  # μ = 1
    assert metric(at, "dL/dμ (from_logits=False)") == pytest.approx(1 - t.mean(), abs=1e-4)
    assert metric(at, "dL/dlog μ (from_logits=True)") == pytest.approx(1 - t.mean(), abs=1e-4)
    assert metric(at, "best rate: the mean count") == 2.0
    for key, x_of in (("pn_rate_chart", lambda r: r), ("pn_logits_chart", np.log)):
        spec = chart(at, key)
        (curve,) = traces(spec, "loss")
        x, y = decode(curve["x"]), decode(curve["y"])
        assert x[np.argmin(y)] == pytest.approx(x_of(2.0), abs=0.03)  # the minimum sits at the mean count
        assert "mean count" in json.dumps(spec["layout"]["annotations"])
    set_control(at, "pn_rate", 2.0)
    rerun(at)
    assert metric(at, POIS) == pytest.approx(2 - 2 * math.log(2), abs=1e-4)
    assert metric(at, "dL/dμ (from_logits=False)") == pytest.approx(0.0, abs=1e-4)
    assert metric(at, "dL/dlog μ (from_logits=True)") == pytest.approx(0.0, abs=1e-4)
    at.toggle(key="pn_full").set_value(True)
    rerun(at)
    loss = PoissonNLLLoss(compute_full=True)(np.full(6, math.log(2)), t)[0]
    assert metric(at, POIS) == pytest.approx(float(loss), abs=1e-4)
    assert f"average {float(stirling_log_factorial(t).mean()):.4f}" in caption_text(at)


@pytest.mark.parametrize("text, message", [("2, -1", "a count below 0"), ("2, 1.5", "not all whole numbers"),
                                           ("2, x", "is not a number"), (", ".join(["1"] * 51), "more than the 50"),
                                           ("2, 1e16", "a count above 1000")])
def test_poisson_counts_bad_input(text, message):
    at = load(DISTRIBUTIONS)
    at.text_input(key="pn_counts").input(text)
    rerun(at)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert POIS not in metrics(at)


def test_stirling_next_to_lgamma_with_the_error_per_count():
    at = load(DISTRIBUTIONS)
    assert metrics(at)["error at t = 2"] == "0.0413"
    spec = chart(at, "pn_stirling")
    (bars,) = traces(spec, "error")
    t = decode(bars["x"])
    exact = np.array([math.lgamma(v + 1) for v in t])
    np.testing.assert_allclose(decode(bars["y"]), exact - stirling_log_factorial(t), atol=1e-12)
    assert t[-1] == 15
    set_control(at, "pn_tmax", 40)
    rerun(at)
    expected = math.lgamma(41) - float(stirling_log_factorial(np.array([40.0]))[0])
    assert metric(at, "error at the largest count shown") == pytest.approx(expected, abs=1e-4)
    assert "t=40:" in caption_text(at)


# -- triplet ---------------------------------------------------------------------------------------------------------
def triplet_arrows(at):
    """The arrows drawn on the triplet chart (a point that does not move has its arrow hidden)."""
    return {t["meta"]["name"]: (t["x"][0], t["y"][0], t["meta"]["vector"])
            for t in traces(chart(at, "tri_plot"), "arrow") if t.get("visible", True)}


def test_triplet_the_tutorials_a_a_z_with_losscores_gradient_arrows():
    at = load(EMBEDDINGS)
    assert widget(at, "tri_ex").value == "AAZ" and widget(at, "tri_mode").value == "2-D"
    assert metrics(at)["triplet loss"] == "3.0000"  # Z nearer the anchor than the other A: 4 - 2 + 1
    a, p, n = np.array([[0.0, 0.0]]), np.array([[2.0, 0.0]]), np.array([[1.0, 1.0]])
    _, grads = TripletLoss().value_and_grad(a, p, n, wrt=("pred", "positive", "negative"))
    arrows = triplet_arrows(at)
    for name, start, g in zip(("anchor A", "positive A", "negative Z"), (a, p, n), grads, strict=True):
        x0, y0, vec = arrows[f"−η·grad {name}"]
        assert (x0, y0) == tuple(start[0])
        np.testing.assert_allclose(vec, -0.25 * g[0], atol=1e-12)  # the arrows are −η × losscore's gradient
    (margin_circle,) = [s for s in chart(at, "tri_plot")["layout"]["shapes"] if s["line"]["dash"] == "dash"]
    assert (margin_circle["x1"] - margin_circle["x0"]) / 2 == pytest.approx(math.sqrt(4 + 1))
    assert metrics(at)["loss after one step"] == "0.0000"
    set_control(at, "tri_lr", 0.05)
    rerun(at)
    after = metric(at, "loss after one step")
    assert 0 < after < 3
    np.testing.assert_allclose(triplet_arrows(at)["−η·grad anchor A"][2], -0.05 * grads[0][0], atol=1e-12)


def test_triplet_sliders_move_the_points_and_the_numbers():
    at = load(EMBEDDINGS)
    set_control(at, "tri_nx", -2.0)  # the Z moves away: d− = 5 > 4 + 1... on the circle, loss 0
    rerun(at)
    assert metrics(at)["‖negative − anchor‖²"] == "5.0000" and metrics(at)["triplet loss"] == "0.0000"
    assert not triplet_arrows(at)  # no gradient, no arrows
    set_control(at, "tri_margin", 2.0)
    set_control(at, "tri_ax", 0.5)
    set_control(at, "tri_px", 3.0)
    rerun(at)
    a, p, n = np.array([[0.5, 0.0]]), np.array([[3.0, 0.0]]), np.array([[-2.0, 1.0]])  # 6.25 - 7.25 + 2 = 1
    values, grads = TripletLoss(margin=2.0).value_and_grad(a, p, n, wrt=("pred", "positive", "negative"))
    assert metric(at, "triplet loss") == pytest.approx(float(values[0]), abs=1e-4)
    np.testing.assert_allclose(triplet_arrows(at)["−η·grad negative Z"][2], -0.25 * grads[2][0], atol=1e-12)
    assert at.dataframe[0].value.loc["dL/dnegative"].tolist() == pytest.approx(grads[2][0].tolist())


@pytest.mark.parametrize("example, loss", [("semi-hard", 1 - 1.44 + 1), ("easy", 0.0), ("AAZ", 3.0)])
def test_triplet_examples(example, loss):
    at = load(EMBEDDINGS, tri_ex="easy" if example != "easy" else "AAZ")
    at.radio(key="tri_ex").set_value(example)
    rerun(at)
    pts, _ = __import__("lossapp.sections.triplet", fromlist=["TRIPLET_EXAMPLES"]).TRIPLET_EXAMPLES[example]
    assert [widget(at, f"tri_{k}").value for k in ("ax", "ay", "px", "py", "nx", "ny")] == [v for pt in pts for v in pt]
    assert metric(at, "triplet loss") == pytest.approx(loss, abs=1e-4)
    # the examples fill the typed vectors too
    at.radio(key="tri_mode").set_value("vectors")
    rerun(at)
    assert widget(at, "tri_n").value == ", ".join(f"{v:g}" for v in pts[2])
    assert metric(at, "triplet loss") == pytest.approx(loss, abs=1e-4)


# -- cosine ----------------------------------------------------------------------------------------------------------
def test_cosine_loss_vs_angle_for_both_labels_with_the_margin():
    at = load(EMBEDDINGS, cos_margin="0.5")
    spec = chart(at, "cos_curve_chart")
    curves = {t["name"]: (decode(t["x"]), decode(t["y"])) for t in traces(spec, "loss")}
    theta, one = curves["label 1"]
    np.testing.assert_allclose(one, 1 - np.cos(theta), atol=1e-12)
    np.testing.assert_allclose(curves["label −1"][1], np.maximum(0, np.cos(theta) - 0.5), atol=1e-12)
    xs = {s["x0"] for s in spec["layout"]["shapes"]}
    assert any(abs(x - math.acos(0.5)) < 1e-12 for x in xs)  # the margin's angle is marked
    assert "arccos(margin)" in json.dumps(spec["layout"]["annotations"])
    assert metric(at, "loss at θ") == pytest.approx(1 - math.cos(1.57), abs=1e-4)
    assert metric(at, "loss at θ for the other label (-1)") == 0.0  # cos 1.57 < 0.5
    set_control(at, "cos_theta", 0.5)
    rerun(at)
    assert metric(at, "loss at θ for the other label (-1)") == pytest.approx(math.cos(0.5) - 0.5, abs=1e-4)


def test_cosine_vectors_in_the_plane():
    at = load(EMBEDDINGS, cos_theta="0.8")
    spec = chart(at, "cos_vectors")
    rays = {t["meta"]["name"]: t["meta"]["vector"] for t in traces(spec, "vector")}
    np.testing.assert_allclose(rays["input1 "], [math.cos(0.8), math.sin(0.8)])
    np.testing.assert_allclose(rays["input2 "], [1.0, 0.0])
    arrows = {t["meta"]["name"]: np.array(t["meta"]["vector"]) for t in traces(spec, "arrow")}
    assert abs(arrows["−½·grad input1"] @ np.array(rays["input1 "])) < 1e-12  # perpendicular: turns, not stretches
    assert np.linalg.norm(arrows["−½·grad input1"]) == pytest.approx(0.5 * math.sin(0.8), abs=1e-9)  # label 1


# -- SDML ------------------------------------------------------------------------------------------------------------
def test_sdml_distance_and_target_heatmaps_and_arrows():
    at = load(EMBEDDINGS)
    x1 = np.array([[0, 0], [3, 0], [0, 3]], dtype=float)
    x2 = np.array([[0.5, 0], [3, 1], [2, 2]], dtype=float)
    (d,) = traces(chart(at, "sdml_d"), "heatmap")
    np.testing.assert_allclose(decode(d["z"]).reshape(3, 3), ((x1[:, None] - x2[None]) ** 2).sum(-1))
    (p,) = traces(chart(at, "sdml_p"), "heatmap")
    np.testing.assert_allclose(decode(p["z"]).reshape(3, 3).sum(axis=1), 1.0)
    (q,) = traces(chart(at, "sdml_q"), "heatmap")
    np.testing.assert_allclose(decode(q["z"]).reshape(3, 3), [[0.7, 0.15, 0.15], [0.15, 0.7, 0.15], [0.15, 0.15, 0.7]])
    _, (g1, g2) = SDMLLoss().value_and_grad(x1, x2, wrt=("x1", "x2"))
    arrows = {t["meta"]["name"]: t["meta"]["vector"] for t in traces(chart(at, "sdml_pairs"), "arrow")}
    np.testing.assert_allclose(arrows["−η·grad x1[0]"], -0.25 * g1[0], atol=1e-12)
    np.testing.assert_allclose(arrows["−η·grad x2[2]"], -0.25 * g2[2], atol=1e-12)
    set_control(at, "sdml_smooth", 0.6)
    rerun(at)
    (q,) = traces(chart(at, "sdml_q"), "heatmap")
    np.testing.assert_allclose(decode(q["z"]).reshape(3, 3).diagonal(), 0.4)
    at.text_input(key="sdml_x1").input("0, 0, 1; 1, 1, 1; 2, 2, 2")
    at.text_input(key="sdml_x2").input("0, 0, 0; 1, 1, 0; 2, 2, 1")
    rerun(at)
    assert "needs 2-D embeddings" in caption_text(at)


# -- CTC -------------------------------------------------------------------------------------------------------------
def ctc_numbers(at):
    lattice = traces(chart(at, "ctc_states"), "heatmap")[0]
    z = np.array([[np.nan if v is None else v for v in row] for row in lattice["z"]], dtype=float) if isinstance(
        lattice["z"], list) else decode(lattice["z"])
    return z


def test_ctc_cat_by_default_posteriors_sum_to_one_and_greedy_matches_the_label():
    at = load(SEQUENCES)
    assert widget(at, "ctc_word").value == "CAT" and widget(at, "ctc_t").value >= 5
    assert metrics(at)["best path decodes to"] == "CAT"
    assert any("which matches the label" in m.value for m in at.markdown)
    z = ctc_numbers(at)  # states down, steps across; cells off every complete path are empty
    np.testing.assert_allclose(np.nansum(z, axis=0), 1.0, atol=1e-9)
    steps = decode(traces(chart(at, "ctc_steps"), "bar")[0]["y"])
    assert steps.sum() == pytest.approx(metric(at, "CTC loss"), abs=1e-4)
    probs = traces(chart(at, "ctc_softmax"), "heatmap")[0]
    greedy = traces(chart(at, "ctc_softmax"), "greedy")[0]
    pz = np.array(probs["z"], dtype=float) if isinstance(probs["z"], list) else decode(probs["z"])
    assert list(greedy["y"]) == pz.argmax(axis=0).tolist()


@pytest.mark.parametrize("preset", ["aligned", "peaky"])
@pytest.mark.parametrize("word, steps", [("CAT", 5), ("CAT", 12), ("BOOK", 5), ("HELLO", 9)])
def test_ctc_greedy_decode_of_a_preset_matches_the_label(preset, word, steps):
    at = load(SEQUENCES, ctc_word=word, ctc_t=str(steps), ctc_scores=preset)
    assert metrics(at)["best path decodes to"] == word
    np.testing.assert_allclose(np.nansum(ctc_numbers(at), axis=0), 1.0, atol=1e-9)


def test_ctc_loss_and_gradient_are_losscores():
    at = load(SEQUENCES, ctc_scores="random", ctc_seed="4", ctc_temp="0.5", ctc_extra="G")
    vocab = ctc_lattice.ctc_vocabulary("CAT", "G")
    x = ctc_lattice.ctc_preset_scores("CAT", vocab, 8, "random", 3.0, 4) / 0.5
    lab = np.array([[vocab.index(c) for c in "CAT"]], dtype=float)
    values, grad = CTCLoss().value_and_grad(x[None], lab)
    assert metric(at, "CTC loss") == pytest.approx(float(values[0]), abs=1e-4)
    g = traces(chart(at, "ctc_grad"), "heatmap")[0]
    gz = np.array(g["z"], dtype=float) if isinstance(g["z"], list) else decode(g["z"])
    np.testing.assert_allclose(gz, grad[0].T, atol=1e-12)
    assert g["y"] == vocab


@pytest.mark.parametrize("query, need", [({"ctc_t": "2"}, 3), ({"ctc_word": "HELLO", "ctc_t": "5"}, 6),
                                         ({"ctc_word": "BOOK", "ctc_t": "4"}, 5)])
def test_ctc_infeasible_label_is_shown_as_infeasible_not_as_a_number(query, need):
    at = load(SEQUENCES, **query)
    assert metrics(at)["CTC loss"] == "infeasible"
    assert f"needs at least {need} time steps" in at.warning[0].value
    assert "no cell lies on a complete path" in caption_text(at)
    spec = chart(at, "ctc_states")
    assert not traces(spec, "heatmap")  # no posteriors to show
    (reach,) = traces(spec, "reach")  # where paths from the start can be, and where the end is still reachable
    labels = {v for row in reach["text"] for v in row}
    assert labels <= {"from the start", "to the end", ""} and "from the start" in labels
    with pytest.raises(KeyError):
        chart(at, "ctc_steps")


def test_ctc_temperature_flattens_and_sharpens():
    at = load(SEQUENCES)
    base = metric(at, "CTC loss")
    set_control(at, "ctc_temp", 0.5)
    rerun(at)
    assert metric(at, "CTC loss") < base
    set_control(at, "ctc_temp", 3.0)
    rerun(at)
    assert metric(at, "CTC loss") > base


def test_ctc_edit_the_activations():
    at = load(SEQUENCES)
    at.radio(key="ctc_scores").set_value("edit")
    rerun(at)
    aligned = metric(at, "CTC loss")
    text = at.text_area(key="ctc_x").value
    assert len(text.splitlines()) == 8 and text.splitlines()[0] == "0, 3, 0, 0"  # starts from what was shown
    assert widget(at, "ctc_t").proto.disabled
    rows = ["0, 5, 0, 0", "5, 0, 0, 0", "0, 0, 5, 0", "0, 0, 0, 5", "0, 0, 0, 5"]
    at.text_area(key="ctc_x").input("\n".join(rows))
    rerun(at)
    x = np.array([[float(v) for v in r.split(",")] for r in rows])
    expected = CTCLoss()(x[None], np.array([[1.0, 0.0, 2.0]]))[0]
    assert metric(at, "CTC loss") == pytest.approx(float(expected), abs=1e-4) != aligned
    assert "CTC loss" in metrics(at) and metrics(at)["best path decodes to"] == "CAT"
    at.text_area(key="ctc_x").input("0, 5, 0\n1, 2, 3")
    rerun(at)
    assert any("expected 4 columns" in e.value and "A, C, T, blank" in e.value for e in at.error)
    at.text_area(key="ctc_x").input("0, 5, 0, x")
    rerun(at)
    assert any("'x' is not a number" in e.value for e in at.error)
    at.text_area(key="ctc_x").input("1, 1, 1, 1")
    rerun(at)
    assert metrics(at)["CTC loss"] == "infeasible"  # one step cannot hold three letters


def test_ctc_edit_mode_follows_a_new_word():
    at = load(SEQUENCES)
    at.radio(key="ctc_scores").set_value("edit")
    rerun(at)
    at.text_input(key="ctc_word").input("DOG")
    rerun(at)
    assert not at.error and metrics(at)["best path decodes to"] == "DOG"
    assert at.text_area(key="ctc_x").value.splitlines()[0].count(",") == 3  # D, G, O, blank


def test_ctc_edited_activations_from_the_url():
    at = load(SEQUENCES, ctc_scores="edit", ctc_x="0, 4, 0, 0\n4, 0, 0, 0\n0, 0, 4, 0")
    assert metrics(at)["best path decodes to"] == "CAT"
    x = np.array([[0, 4, 0, 0], [4, 0, 0, 0], [0, 0, 4, 0]], dtype=float)
    assert metric(at, "CTC loss") == pytest.approx(float(CTCLoss()(x[None], np.array([[1.0, 0.0, 2.0]]))[0]),
                                                   abs=1e-4)


def test_ctc_lengths_follow_t_and_never_exceed_it():
    at = load(SEQUENCES)
    assert widget(at, "ctc_plen").value == 8
    set_control(at, "ctc_t", 3)  # shorter than pred_lengths was: no error, pred_lengths follows
    rerun(at)
    assert widget(at, "ctc_plen").value == 3 and metrics(at)["CTC loss"] != "infeasible"
    set_control(at, "ctc_t", 10)
    rerun(at)
    assert widget(at, "ctc_plen").value == 10
    set_control(at, "ctc_plen", 6)
    set_control(at, "ctc_t", 12)
    rerun(at)
    assert widget(at, "ctc_plen").value == 6  # a length the reader chose stays
    at.text_input(key="ctc_word").input("HI")
    rerun(at)
    assert widget(at, "ctc_llen").value == 2


@pytest.mark.parametrize("query, message", [({"ctc_extra": "O1"}, "other than the letters A-Z"),
                                            ({"ctc_word": "c4t"}, "not a word of 1 to 12 letters")])
def test_ctc_bad_text_is_reported(query, message):
    at = load(SEQUENCES, **query)
    assert any(message in e.value for e in at.error)
    assert "CTC loss" not in metrics(at)
