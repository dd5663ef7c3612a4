"""lossapp.deep_dives and lossapp.deep_figures: the numbers of the deep-dive views are losscore's, the quantities
derived here (lattice, per-step CTC loss, geometry, Stirling's error) are right, and the figures plot them."""

from __future__ import annotations

import doctest
import itertools
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from lossapp import ctc_lattice, deep_figures, figures
from lossapp import deep_dives as dd
from lossapp.model import Curve, CurveView
from losscore import (
    CosineEmbeddingLoss,
    CTCLoss,
    KLDivLoss,
    PoissonNLLLoss,
    SDMLLoss,
    SoftmaxCrossEntropyLoss,
    TripletLoss,
    stirling_log_factorial,
)


def test_doctests_of_the_deep_dive_modules():
    for module in (dd, deep_figures):
        result = doctest.testmod(module)
        assert result.failed == 0


def traces(fig, role):
    return [t for t in fig.data if t.meta and t.meta.get("role") == role]


# -- CTC ------------------------------------------------------------------------------------------------------------
WORDS = ["CAT", "BOOK", "HELLO", "A", "AA", "MISSISSIPPI"]


def ctc(word, steps, preset="random", strength=2.0, seed=0, extra="", **kw):
    vocab = ctc_lattice.ctc_vocabulary(word, extra)
    x = ctc_lattice.ctc_preset_scores(word, vocab, steps, preset, strength, seed)
    return x, vocab, ctc_lattice.ctc_analysis(x, word, vocab, **kw)


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("preset", ["aligned", "peaky", "uniform", "random"])
def test_ctc_posteriors_sum_to_one_per_time_step(word, preset):
    steps = ctc_lattice.ctc_min_steps(word) + 3
    _, _, r = ctc(word, steps, preset)
    assert r["feasible"]
    np.testing.assert_allclose(r["states"].sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(r["class_posteriors"].sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(r["probs"].sum(axis=1), 1.0, atol=1e-12)
    # posterior mass only sits on lattice cells that lie on a complete path
    assert np.all(r["states"][~r["valid"]] < 1e-12)
    assert np.array_equal(r["valid"], r["from_start"] & r["to_end"])


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("preset", ["aligned", "peaky"])
@pytest.mark.parametrize("extra_steps", [0, 1, 4, 9])
def test_ctc_greedy_decode_of_a_preset_matches_the_label(word, preset, extra_steps):
    steps = ctc_lattice.ctc_min_steps(word) + extra_steps
    x, vocab, r = ctc(word, steps, preset, strength=3.0, extra="XYZ")
    assert r["decoded"] == word == r["collapsed"]
    assert [vocab[k] if k < len(vocab) - 1 else ctc_lattice.BLANK for k in x.argmax(axis=1)] == [
        vocab[k] for k in r["best"]]


def test_ctc_greedy_steps_merge_then_drop_blanks():
    vocab = ctc_lattice.ctc_vocabulary("CAT")
    x = np.zeros((6, 4))
    for t, k in enumerate([1, 1, 3, 0, 0, 2]):  # C C blank A A T
        x[t, k] = 5.0
    r = ctc_lattice.ctc_analysis(x, "CAT", vocab)
    assert r["best_symbols"] == ["C", "C", ctc_lattice.BLANK_STATE, "A", "A", "T"]
    assert r["merged"] == ["C", ctc_lattice.BLANK_STATE, "A", "T"]
    assert r["collapsed"] == r["decoded"] == "CAT"


@pytest.mark.parametrize("word, steps", [("CAT", 5), ("CAT", 8), ("BOOK", 6), ("HELLO", 9), ("AA", 4)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ctc_loss_and_gradient_are_losscores_and_the_step_losses_add_up_to_it(word, steps, seed):
    x, vocab, r = ctc(word, steps, "random", 3.0, seed, weight=2.0, sample_weight=1.5)
    lab = np.array([[vocab.index(ch) for ch in word]], dtype=float)
    values, grad = CTCLoss(weight=2.0).value_and_grad(x[None], lab, sample_weight=np.array([1.5]))
    assert r["value"] == pytest.approx(float(values[0]), rel=1e-12)
    np.testing.assert_allclose(r["grad"], grad[0], atol=1e-12)
    np.testing.assert_allclose(r["grad"], 3.0 * (r["probs"] - r["class_posteriors"]), atol=1e-9)
    assert float(np.nansum(r["step_loss"])) == pytest.approx(-r["log_likelihood"], rel=1e-9)
    assert r["value"] == pytest.approx(3.0 * -r["log_likelihood"], rel=1e-9)
    assert np.all(r["step_loss"] >= -1e-12)


def assert_same_analysis(r: dict, alone: dict) -> None:
    """A batched CTC analysis ``r`` says what the analysis of its matrix alone says (arrays to rounding)."""
    assert r.keys() == alone.keys()
    for key, value in alone.items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            np.testing.assert_allclose(r[key], value, rtol=1e-12, atol=1e-14, err_msg=key)
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(r[key], value, err_msg=key)
        elif isinstance(value, float) and math.isfinite(value):
            assert r[key] == pytest.approx(value, rel=1e-12, abs=1e-14), key
        else:
            assert r[key] == value, key


@pytest.mark.parametrize("layout, label_layout", [("NTC", "NT"), ("TNC", "TN")])
def test_ctc_analyses_of_a_batch_are_each_analysis_alone(layout, label_layout):
    # scores at three strengths and temperatures, with valid steps 8, 5 and 2 (too few for CAT: infeasible)
    vocab = ctc_lattice.ctc_vocabulary("CAT", "O")
    xs = np.stack([ctc_lattice.ctc_preset_scores("CAT", vocab, 8, "random", s, 4) / temp
                   for s, temp in ((1.0, 1.0), (3.0, 0.5), (5.0, 2.0))])
    kw = dict(layout=layout, label_layout=label_layout, weight=1.5, sample_weight=0.5, label_length=3)
    batch = ctc_lattice.ctc_analyses(xs, "CAT", vocab, pred_lengths=[8, 5, 2], **kw)
    assert [r["feasible"] for r in batch] == [True, True, False]
    for x, plen, r in zip(xs, (8, 5, 2), batch, strict=True):
        alone = ctc_lattice.ctc_analysis(x, "CAT", vocab, pred_length=plen, **kw)
        assert_same_analysis(r, alone)


def test_ctc_analyses_of_matrices_of_different_lengths_are_each_analysis_alone():
    # T = 9, 6 and 2 padded to 9 (CAT needs 3 steps: T = 2 is infeasible, with fewer steps than letters)
    vocab = ctc_lattice.ctc_vocabulary("CAT")
    mats = [ctc_lattice.ctc_preset_scores("CAT", vocab, t, "random", 2.0, 5) for t in (9, 6, 2)]
    padded = np.zeros((3, 9, len(vocab)))
    for i, m in enumerate(mats):
        padded[i, :len(m)] = m
    for layout, label_layout in (("NTC", "NT"), ("TNC", "TN")):
        batch = ctc_lattice.ctc_analyses(padded, "CAT", vocab, steps=[9, 6, 2], pred_lengths=[9, 4, 2], layout=layout,
                                label_layout=label_layout)
        for m, plen, r in zip(mats, (9, 4, 2), batch, strict=True):
            alone = ctc_lattice.ctc_analysis(m, "CAT", vocab, pred_length=plen, layout=layout,
                                             label_layout=label_layout)
            assert_same_analysis(r, alone)
    with pytest.raises(ValueError, match="pred_lengths <= steps <= 9"):
        ctc_lattice.ctc_analyses(padded, "CAT", vocab, steps=[9, 6, 2], pred_lengths=[9, 7, 2])


def test_ctc_layouts_change_shapes_not_numbers():
    _, _, a = ctc("CAT", 7, "random", 2.0, 3)
    _, _, b = ctc("CAT", 7, "random", 2.0, 3, layout="TNC", label_layout="TN")
    assert a["value"] == b["value"] and np.array_equal(a["grad"], b["grad"])
    assert (a["pred_shape"], a["label_shape"]) == ((1, 7, 4), (1, 3))
    assert (b["pred_shape"], b["label_shape"]) == ((7, 1, 4), (3, 1))


def count_lattice_paths(valid, edges, steps):
    """Complete paths through the lattice, by dynamic programming over its edges."""
    n = valid.shape[1]
    ways = np.zeros(n)
    ways[:2] = valid[0, :2]
    for t in range(steps - 1):
        nxt = np.zeros(n)
        for tt, s, s2 in edges:
            if tt == t:
                nxt[s2] += ways[s]
        ways = nxt
    return ways[-2:].sum() if n > 1 else ways[-1]


@pytest.mark.parametrize("word, steps", [("CAT", 3), ("CAT", 4), ("CAT", 8), ("BOOK", 5), ("BOOK", 7), ("AB", 3),
                                         ("A", 1), ("AA", 3), ("HELLO", 8)])
def test_ctc_lattice_counts_exactly_the_alignments(word, steps):
    # uniform scores: every path has probability C^-T, so p(label) * C^T is the number of alignments
    _, vocab, r = ctc(word, steps, "uniform")
    paths = count_lattice_paths(r["valid"], r["edges"], steps)
    assert paths == pytest.approx(math.exp(r["log_likelihood"]) * len(vocab) ** steps, rel=1e-9)
    blank = ctc_lattice.BLANK_STATE
    brute = sum(ctc_lattice.ctc_collapse([vocab[k] if k < len(vocab) - 1 else blank for k in p])[1] == word
                for p in itertools.product(range(len(vocab)), repeat=steps)) if len(vocab) ** steps < 70_000 else None
    if brute is not None:
        assert paths == brute


def test_ctc_lattice_known_shape():
    lat = ctc_lattice.ctc_lattice([2, 0, 2, 1, 2], 2, 3, 3)  # "AB" over 3 steps
    assert sorted(lat["edges"]) == [(0, 0, 1), (0, 1, 1), (0, 1, 2), (0, 1, 3), (1, 1, 3), (1, 2, 3), (1, 3, 3),
                                     (1, 3, 4)]
    skip = ctc_lattice.ctc_lattice([2, 0, 2, 0, 2], 2, 5, 5)["skip"]  # "AA": no skip over the blank between the As
    assert not skip.any()


@pytest.mark.parametrize("word, steps, plen, llen", [("BOOK", 4, None, None), ("CAT", 2, None, None),
                                                     ("CAT", 8, 2, None), ("CAT", 6, 0, None),
                                                     ("HELLO", 3, None, None)])
def test_ctc_infeasible_label_is_flagged_not_computed(word, steps, plen, llen):
    _, _, r = ctc(word, steps, "aligned", pred_length=plen, label_length=llen)
    assert not r["feasible"]
    assert r["value"] == math.inf and r["log_likelihood"] == -math.inf
    assert not r["valid"].any() and r["edges"] == []
    assert not (r["from_start"] & r["to_end"]).any()  # the reachable regions never meet
    assert not r["grad"].any() and not r["states"].any()
    assert np.isnan(r["step_loss"]).all()
    assert r["need"] == ctc_lattice.ctc_min_steps(r["target"]) > (steps if plen is None else plen)


def test_ctc_label_wider_than_t_but_shortened_by_label_length_is_fine():
    _, vocab, r = ctc("HELLO", 3, "uniform", label_length=2)  # "HE" in 3 steps
    assert r["feasible"] and r["label_shape"] == (1, 3)
    assert math.exp(-r["value"]) == pytest.approx(5 / len(vocab) ** 3)  # HE, HHE, HEE, -HE, H-E, HE-: ... 5 of them


def test_ctc_pred_and_label_lengths():
    _, _, r = ctc("CAT", 6, "uniform", pred_length=3, label_length=1)
    assert r["value"] == pytest.approx(math.log(64 / 6))
    assert np.isnan(r["step_loss"][3:]).all() and not r["probs"][3:].any()
    assert r["target"] == "C" and r["state_names"] == [ctc_lattice.BLANK_STATE, "C", ctc_lattice.BLANK_STATE]


def test_ctc_presets():
    vocab = ctc_lattice.ctc_vocabulary("CAT", "OG")
    assert vocab == ["A", "C", "G", "O", "T", "blank"]
    assert not ctc_lattice.ctc_preset_scores("CAT", vocab, 5, "uniform", 3.0, 0).any()
    r1 = ctc_lattice.ctc_preset_scores("CAT", vocab, 5, "random", 3.0, 1)
    assert np.array_equal(r1, ctc_lattice.ctc_preset_scores("CAT", vocab, 5, "random", 3.0, 1))
    assert not np.array_equal(r1, ctc_lattice.ctc_preset_scores("CAT", vocab, 5, "random", 3.0, 2))
    peaky = ctc_lattice.ctc_preset_scores("BOOK", ctc_lattice.ctc_vocabulary("BOOK"), 10, "peaky", 2.0, 0)
    assert (peaky.argmax(axis=1) != 3).sum() == 4  # one spike per letter, blank elsewhere
    too_short = ctc_lattice.ctc_preset_scores("BOOK", ctc_lattice.ctc_vocabulary("BOOK"), 3, "aligned", 2.0, 0)
    assert too_short.shape == (3, 4)  # letters are skipped: the scores cannot spell the word either


# -- triplet ---------------------------------------------------------------------------------------------------------
def test_triplet_the_tutorials_a_a_z():
    t = dd.triplet_view((0.0, 0.0), (2.0, 0.0), (1.0, 1.0), 1.0, 1.0, 0.25)
    assert (t["d_pos"], t["d_neg"], t["loss"]) == (4.0, 2.0, 3.0)
    np.testing.assert_array_equal(np.array(t["grads"]), [[-2.0, 2.0], [4.0, 0.0], [-2.0, -2.0]])
    assert t["r_margin"] == pytest.approx(math.sqrt(5)) and t["r_pos"] == 2.0
    assert t["loss_after"] < t["loss"]


@pytest.mark.parametrize("seed", range(12))
def test_triplet_gradients_are_losscores_and_the_margin_circle_decides_the_loss(seed):
    rng = np.random.default_rng(seed)
    a, p, n = (tuple(rng.uniform(-3, 3, 2)) for _ in range(3))
    margin, weight, lr = float(rng.uniform(0, 3)), float(rng.uniform(0.5, 2)), 0.1
    t = dd.triplet_view(a, p, n, margin, weight, lr)
    values, grads = TripletLoss(margin=margin, weight=weight).value_and_grad(
        np.array([a]), np.array([p]), np.array([n]), wrt=("pred", "positive", "negative"))
    assert t["loss"] == pytest.approx(float(values[0]))
    for mine, theirs in zip(t["grads"], grads, strict=True):
        np.testing.assert_allclose(mine, theirs[0], atol=1e-12)
    outside = math.dist(a, n) > t["r_margin"]
    assert (t["loss"] == 0) == outside or abs(math.dist(a, n) - t["r_margin"]) < 1e-9
    moved = [np.array(v) - lr * g for v, g in zip((a, p, n), t["grads"], strict=True)]
    np.testing.assert_allclose(np.array(t["moved"]), np.array(moved))


def test_triplet_figure_arrows_are_minus_eta_times_losscores_gradient():
    a, p, n, lr = np.array([0.0, 0.0]), np.array([2.0, 0.0]), np.array([1.0, 1.0]), 0.25
    t = dd.triplet_view(tuple(a), tuple(p), tuple(n), 1.0, 1.0, lr)
    fig = deep_figures.embedding_figure({"anchor": a, "positive": p, "negative": n},
                                        arrows={f"step {k}": (v, -lr * g) for k, v, g in
                                                zip(("a", "p", "n"), (a, p, n), t["grads"], strict=True)},
                                        circles=[("margin", a, t["r_margin"], "dash")])
    arrows = traces(fig, "arrow")
    assert [tr.meta["vector"] for tr in arrows] == [(-lr * g).tolist() for g in t["grads"]]
    assert [(tr.x[0], tr.y[0]) for tr in arrows] == [(0.0, 0.0), (2.0, 0.0), (1.0, 1.0)]
    (circle,) = fig.layout.shapes
    assert (circle.type, circle.name, circle.line.dash) == ("circle", "margin", "dash")
    assert [circle.x0, circle.y0, circle.x1, circle.y1] == pytest.approx([-math.sqrt(5), -math.sqrt(5), math.sqrt(5),
                                                                          math.sqrt(5)])
    # an arrow takes the colour of the point it starts from
    colours = {tr.meta["name"]: tr.marker.color for tr in traces(fig, "point")}
    assert arrows[0].line.color == colours["anchor"] and arrows[2].line.color == colours["negative"]


# -- cosine embedding ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("margin", [-0.5, 0.0, 0.3, 0.9])
def test_cosine_loss_against_the_angle_for_both_labels(margin):
    r = dd.cosine_angle_view(1.0, margin, 1.0, 1.0)
    theta = r["theta"]
    np.testing.assert_allclose(r["curves"][1.0][0], 1 - np.cos(theta), atol=1e-12)
    np.testing.assert_allclose(r["curves"][-1.0][0], np.maximum(0, np.cos(theta) - margin), atol=1e-12)
    np.testing.assert_allclose(r["curves"][1.0][1], np.sin(theta), atol=1e-9)  # d(1 - cos θ)/dθ
    assert r["margin_angle"] == pytest.approx(math.acos(margin))
    # the dissimilar pair pays exactly while θ is below arccos(margin)
    pays = r["curves"][-1.0][0] > 1e-12
    assert np.all(theta[pays] < r["margin_angle"] + 1e-9)


@pytest.mark.parametrize("theta", [0.2, 1.0, 2.5])
@pytest.mark.parametrize("label", [1.0, -1.0])
def test_cosine_vectors_and_gradients_are_losscores_and_perpendicular(theta, label):
    r = dd.cosine_angle_view(theta, -0.2, 2.0, 1.5)
    at = r["at"][label]
    values, (g1, g2) = CosineEmbeddingLoss(margin=-0.2, weight=2.0).value_and_grad(
        r["x1"][None], r["x2"][None], np.array([label]), np.array([1.5]), wrt=("input1", "input2"))
    assert at["loss"] == pytest.approx(float(values[0]))
    np.testing.assert_allclose(at["g1"], g1[0], atol=1e-12)
    np.testing.assert_allclose(at["g2"], g2[0], atol=1e-12)
    assert abs(at["g1"] @ r["x1"]) < 1e-12 and abs(at["g2"] @ r["x2"]) < 1e-12  # they turn, never stretch
    h = 1e-6
    fd = (dd.cosine_angle_view(theta + h, -0.2, 2.0, 1.5)["at"][label]["loss"]
          - dd.cosine_angle_view(theta - h, -0.2, 2.0, 1.5)["at"][label]["loss"]) / (2 * h)
    assert at["dtheta"] == pytest.approx(fd, abs=1e-6)


# -- KL ---------------------------------------------------------------------------------------------------------------
def test_kl_the_tutorials_example_both_ways():
    q, p = np.array([0.3, 0.4, 0.1, 0.2]), np.array([0.2, 0.5, 0.2, 0.1])
    r = dd.kl_both_ways(q, p=p)
    assert round(r["kl_qp"], 4) == 0.1017 and round(r["mean_qp"], 4) == 0.0254
    assert r["kl_pq"] == pytest.approx(float((p * np.log(p / q)).sum()))
    assert round(r["kl_pq"], 4) != round(r["kl_qp"], 4)  # not symmetric
    np.testing.assert_allclose(r["terms_qp"].sum(), r["kl_qp"], atol=1e-9)
    np.testing.assert_allclose(r["terms_pq"].sum(), r["kl_pq"], atol=1e-9)
    z = np.array([0.39056206, 1.3068528, 0.39056206, -0.30258512])  # the tutorial's raw outputs
    lz = dd.kl_both_ways(q, logits=z)
    assert lz["loss"] == pytest.approx(float(KLDivLoss(from_logits=False)(z[None], q[None])[0]))
    assert lz["loss"] == pytest.approx(lz["kl_qp"], abs=1e-9) and round(lz["loss"], 4) == 0.1017
    np.testing.assert_allclose(lz["p"], p, atol=1e-7)


def test_kl_zeros_make_one_direction_infinite():
    q, p = np.array([0.5, 0.5, 0.0]), np.array([0.4, 0.3, 0.3])
    r = dd.kl_both_ways(q, p=p)
    assert math.isfinite(r["kl_qp"]) and r["kl_pq"] == math.inf
    assert r["terms_pq"][2] == math.inf and r["terms_qp"][2] == 0
    r = dd.kl_both_ways(p, p=q)
    assert r["kl_qp"] == math.inf and math.isfinite(r["kl_pq"])
    with pytest.raises(ValueError, match="at least one class"):
        dd.normalise((0.0, 0.0))
    np.testing.assert_allclose(dd.normalise((1.0, 3.0)), [0.25, 0.75])


# -- Poisson ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("full", [False, True])
def test_poisson_counts_both_parametrisations_agree_and_bottom_out_at_the_mean(full):
    counts = (2.0, 0.0, 3.0, 1.0, 4.0, 2.0)
    r = dd.poisson_counts_view(counts, 1.0, full, lo=0.05, hi=10.0, num=399)
    t = np.array(counts)
    rates = r["rates"]
    np.testing.assert_allclose(r["rate"]["loss"], r["logits"]["loss"], atol=1e-6)  # up to epsilon
    np.testing.assert_allclose(r["logits"]["grad"], rates - t.mean(), atol=1e-12)
    np.testing.assert_allclose(r["rate"]["grad"], 1 - t.mean() / (rates + 1e-8), atol=1e-9)
    assert rates[np.argmin(r["rate"]["loss"])] == pytest.approx(t.mean(), abs=0.025)
    loss = PoissonNLLLoss(from_logits=True, compute_full=full)
    assert r["logits"]["at"] == pytest.approx(float(loss(np.zeros(6), t)[0]))
    assert r["rate"]["slope"] == pytest.approx(1 - t.mean(), abs=1e-6)
    assert r["logits"]["slope"] == pytest.approx(1 - t.mean())
    full_shift = float(stirling_log_factorial(t).mean())
    assert r["stirling_mean"] == pytest.approx(full_shift)
    plain = dd.poisson_counts_view(counts, 1.0, False)
    assert r["rate"]["at"] - plain["rate"]["at"] == pytest.approx(full_shift if full else 0.0)
    assert r["exact"] == pytest.approx(plain["rate"]["at"] + r["lgamma_mean"], abs=1e-6)
    assert r["hist_freq"].sum() == pytest.approx(1.0) and r["pmf"].sum() == pytest.approx(1.0)  # last bar: the tail


def test_stirling_against_lgamma():
    tab = dd.stirling_table(40)
    np.testing.assert_array_equal(tab["stirling"], stirling_log_factorial(tab["t"]))
    np.testing.assert_allclose(tab["exact"], [math.lgamma(t + 1) for t in range(41)])
    assert tab["error"][0] == tab["error"][1] == 0.0
    t = tab["t"][2:]
    np.testing.assert_allclose(tab["error"][2:], 1 / (12 * t), rtol=0.05)  # the next term of Stirling's series
    assert np.all(np.diff(tab["error"][2:]) < 0) and np.all(tab["error"][2:] > 0)
    assert round(tab["error"][2], 4) == 0.0413


def test_poisson_pmf():
    np.testing.assert_allclose(dd.poisson_pmf(np.arange(60), 3.5).sum(), 1.0)
    assert dd.poisson_pmf(np.array([0.0]), 2.0)[0] == pytest.approx(math.exp(-2))


# -- SDML ------------------------------------------------------------------------------------------------------------
def test_sdml_matrices_and_gradients():
    x1 = ((0.0, 0.0), (3.0, 0.0), (0.0, 3.0))
    x2 = ((0.5, 0.0), (3.0, 1.0), (2.0, 2.0))
    r = dd.sdml_view(x1, x2, 0.3)
    np.testing.assert_allclose(r["p"].sum(axis=1), 1.0)
    np.testing.assert_allclose(r["q"], [[0.7, 0.15, 0.15], [0.15, 0.7, 0.15], [0.15, 0.15, 0.7]])
    np.testing.assert_allclose(r["dist"][0], [0.25, 10.0, 8.0])
    kl = (r["q"] * (np.log(r["q"]) - np.log(r["p"]))).sum(axis=1)
    np.testing.assert_allclose(r["values"], kl, atol=1e-9)
    values, (g1, g2) = SDMLLoss(smoothing_parameter=0.3).value_and_grad(np.array(x1), np.array(x2), wrt=("x1", "x2"))
    np.testing.assert_allclose(r["g1"], g1)
    np.testing.assert_allclose(r["g2"], g2)
    assert list(r["nearest"]) == [0, 1, 2]


# -- softmax cross-entropy -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("logits, y", [((2.0, 1.0, 0.1), 0), ((2.0, 1.0, 0.1, -1.0, 0.5), 3), ((0.0, 0.0, 0.0), 2)])
def test_softmax_gradient_is_softmax_minus_onehot(logits, y):
    r = dd.softmax_view(logits, y, 0.0)
    p = np.exp(np.array(logits) - max(logits))
    p /= p.sum()
    np.testing.assert_allclose(r["p"], p)
    np.testing.assert_allclose(r["sparse_grad"], p - np.eye(len(logits))[y], atol=1e-12)
    assert r["sparse"] == pytest.approx(-math.log(p[y]))
    assert r["dense"] == pytest.approx(r["sparse"]) and np.allclose(r["dense_grad"], r["sparse_grad"])
    s = dd.softmax_view(logits, y, 0.2)
    q = 0.8 * np.eye(len(logits))[y] + 0.2 / len(logits)
    np.testing.assert_allclose(s["soft"], q)
    np.testing.assert_allclose(s["dense_grad"], p - q, atol=1e-12)
    assert s["dense"] == pytest.approx(float(-(q * np.log(p)).sum()))
    assert abs(s["dense_grad"].sum()) < 1e-12
    loss = SoftmaxCrossEntropyLoss(sparse_label=False)
    assert s["dense"] == pytest.approx(float(loss(np.array([logits]), q[None])[0]))


def test_softmax_naive_two_step_overflows_where_fused_does_not():
    r = dd.softmax_view((1000.0, 0.0), 0, 0.0)
    assert math.isnan(r["naive64"]) and math.isnan(r["naive32"]) and r["sparse"] == pytest.approx(0.0)
    r = dd.softmax_view((100.0, 0.0), 1, 0.0)
    assert r["naive64"] == pytest.approx(100.0) and r["naive32"] == math.inf and r["sparse"] == pytest.approx(100.0)
    r = dd.softmax_view((5.0, 1.0, 0.0), 1, 0.0)
    assert r["naive32"] == pytest.approx(r["sparse"], rel=1e-5) and r["naive64"] == pytest.approx(r["sparse"])


# -- figures ---------------------------------------------------------------------------------------------------------
def ctc_figures():
    x, vocab, r = ctc("CAT", 8, "aligned", 3.0)
    return r, vocab, [
        deep_figures.ctc_probs_figure(r["probs"], vocab, r["best"], title="p"),
        deep_figures.ctc_lattice_figure(r["states"], r["valid"], r["edges"], r["state_names"], title="lattice"),
    ]


def test_every_deep_builder_produces_a_valid_plotly_figure():
    r, vocab, figs = ctc_figures()
    tab = dd.stirling_table(10)
    figs += [
        deep_figures.stirling_figure(tab["t"], tab["exact"], tab["stirling"], present=True),
        deep_figures.embedding_figure({"a": (0, 0), "b": (1, 1)}, arrows={"s": ((0, 0), (0.5, 0.5))},
                                      rays={"r": ((0, 0), (1, 1))}, segments=[("d", (0, 0), (1, 1))],
                                      circles=[("c", (0, 0), 1.0, "dot")], legend=False),
        figures.curve_figure(CurveView(title="", curves=(Curve("c", np.array([0.0, 1.0]), np.array([0.0, 1.0]),
                                                              np.array([1.0, 1.0])),)), vlines=[(0.0, "zero")]),
    ]
    for fig in figs:
        go.Figure(fig.to_dict())  # raises if any property is invalid
        assert fig.layout.paper_bgcolor == "rgba(0, 0, 0, 0)"


def test_ctc_lattice_figure_of_an_infeasible_label_shows_where_paths_run_out():
    _, _, r = ctc("BOOK", 4, "aligned")
    fig = deep_figures.ctc_lattice_figure(r["states"], r["valid"], r["edges"], r["state_names"],
                                          from_start=r["from_start"], to_end=r["to_end"])
    assert not traces(fig, "heatmap") and not traces(fig, "edge")
    (reach,) = traces(fig, "reach")
    z = np.array(reach.z, dtype=float)
    assert np.array_equal(z == 0, r["from_start"].T) and np.array_equal(z == 1, r["to_end"].T)
    go.Figure(fig.to_dict())


def test_ctc_figures_plot_the_numbers():
    r, vocab, (probs_fig, lattice_fig) = ctc_figures()
    (heat,) = traces(probs_fig, "heatmap")
    np.testing.assert_allclose(np.array(heat.z), r["probs"].T)
    (greedy,) = traces(probs_fig, "greedy")
    assert list(greedy.y) == list(r["best"]) and list(greedy.x) == list(range(8))
    (lat,) = traces(lattice_fig, "heatmap")
    z = np.array(lat.z, dtype=float)
    np.testing.assert_allclose(np.nansum(z, axis=0), 1.0, atol=1e-9)  # each step's posteriors sum to 1
    assert np.array_equal(np.isnan(z), ~r["valid"].T)
    (edges,) = traces(lattice_fig, "edge")
    assert edges.meta["count"] == len(r["edges"]) and len(edges.x) == 3 * len(r["edges"])


def test_stirling_figure_error_bars():
    tab = dd.stirling_table(12)
    fig = deep_figures.stirling_figure(tab["t"], tab["exact"], tab["stirling"])
    (bars,) = traces(fig, "error")
    np.testing.assert_allclose(np.array(bars.y), tab["error"])
    assert bars.xaxis == "x2" and traces(fig, "exact")[0].xaxis == "x"


def test_frozen_figures_serialise_the_same_and_once():
    tab = dd.stirling_table(5)
    plain = deep_figures.stirling_figure(tab["t"], tab["exact"], tab["stirling"])
    frozen = deep_figures.freeze(deep_figures.stirling_figure(tab["t"], tab["exact"], tab["stirling"]))
    assert isinstance(frozen, deep_figures.FrozenFigure) and frozen.to_dict() is frozen.to_dict()
    assert pio.to_json(frozen, validate=False) == pio.to_json(plain, validate=False)


def test_vlines_cross_both_panels():
    shapes, notes = figures.vline_parts([(2.0, "two")])
    assert [(s["xref"], s["yref"], s["x0"], s["x1"]) for s in shapes] == [("x", "y domain", 2.0, 2.0),
                                                                         ("x2", "y2 domain", 2.0, 2.0)]
    assert [(n["x"], n["text"]) for n in notes] == [(2.0, "two")]
