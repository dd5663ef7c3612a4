"""The sections of reverse KL and Jensen-Shannon (Distributions), InfoNCE and the margin losses (Embeddings) and
the Segmentation page: their browser-side patches show what the page shows at that value, their numbers are
losscore's, and what they teach (mode-seeking, boundaries, Tversky's asymmetry) holds in those numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from apptest_charts import chart, charts, load_page, stats
from test_frame_sections import test_a_frame_patch_shows_what_the_page_shows_at_that_value as patch_check

import losscore as lc
from lossapp.sections import contrastive, divergences, segmentation

DISTRIBUTIONS, EMBEDDINGS, SEGMENTATION = "5_Distributions.py", "6_Embeddings.py", "11_Segmentation.py"

CASES = [
    (DISTRIBUTIONS, "div_mu", 2.0, {}),
    (DISTRIBUTIONS, "div_sigma", 0.6, {"div_mu": "-2"}),
    (EMBEDDINGS, "nce_t", 0.5, {}),
    (EMBEDDINGS, "nce_t", 0.02, {"nce_k": "7"}),
    (EMBEDDINGS, "mg_cos", 0.6, {}),
    (EMBEDDINGS, "mg_arc", 1.5, {"mg_scale": "10"}),  # ArcFace's boundary at (90° − 86°) / 2
    (EMBEDDINGS, "mg_scale", 8.0, {}),
    (SEGMENTATION, "seg_c", 3.0, {}),
    (SEGMENTATION, "seg_w", 4.5, {"seg_mask": "large object"}),
    (SEGMENTATION, "seg_k", 6.0, {"seg_mask": "two objects"}),
    (SEGMENTATION, "seg_w", 0.0, {"seg_mask": "empty"}),
    (SEGMENTATION, "tv_alpha", 0.9, {}),
    (SEGMENTATION, "tv_beta", 0.2, {"tv_w": "4"}),
    (SEGMENTATION, "tv_w", 4.0, {"tv_alpha": "0.1", "tv_beta": "0.9"}),
]


@pytest.mark.parametrize("page, key, value, query", CASES, ids=[f"{k}={v}" for _, k, v, _ in CASES])
def test_a_frame_patch_shows_what_the_page_shows_at_that_value(page, key, value, query):
    patch_check(page, key, value, query)


def test_every_new_section_has_its_charts_and_alt_texts():
    keys = {DISTRIBUTIONS: {"div_dist", "div_landscape"},
            EMBEDDINGS: {"nce_probs", "nce_curve", "mg_logits", "mg_loss"},
            SEGMENTATION: {"seg_mask_chart", "seg_grad_chart", "tv_curve", "tv_bars"}}
    for page, want in keys.items():
        shown = {c.key: c for c in charts(load_page(page))}
        assert want <= set(shown), page
        assert all(len(shown[k].alt) > 40 for k in want)


# -- distributions ---------------------------------------------------------------------------------------------
def test_forward_kl_covers_both_modes_and_reverse_kl_seeks_one():
    (fw_mu, fw_sigma, _), (rv_mu, rv_sigma, _), (_, _, js_best) = divergences.best_settings()
    assert fw_mu == 0.0 and fw_sigma > 1.5  # in the middle, wide enough for both bumps
    assert abs(rv_mu) == 2.0 and rv_sigma == pytest.approx(divergences.MODE_WIDTH, abs=0.1)  # on one mode
    assert 0 < js_best < math.log(2)  # bounded; here it also prefers covering both (js_mu = 0)


def test_divergence_numbers_are_losscores():
    at = load_page(DISTRIBUTIONS, div_mu="1.5", div_sigma="0.8")
    shown = stats(at)
    log_p = divergences.bump_log_probs(1.5, 0.8)
    q = divergences.target()[None]
    assert shown["KL(q ‖ p)"] == f"{lc.KLDivLoss()(log_p, q)[0]:.4f}"
    assert shown["KL(p ‖ q)"] == f"{lc.ReverseKLDivLoss()(log_p, q)[0]:.4f}"
    assert shown["JS(p, q)"] == f"{lc.JensenShannonLoss()(log_p, q)[0]:.4f}"


# -- embeddings --------------------------------------------------------------------------------------------------
def test_temperature_moves_the_softmax_from_uniform_to_the_hardest_negative():
    hot, cold = contrastive.nce_view(4, 2.0), contrastive.nce_view(4, 0.02)
    assert 0.75 * math.log(5) < hot["loss"] < math.log(5) and hot["hardest"] < 0.4  # toward uniform
    assert [contrastive.nce_view(4, t)["loss"] for t in (0.1, 0.5, 1.0, 2.0)] == sorted(
        contrastive.nce_view(4, t)["loss"] for t in (0.1, 0.5, 1.0, 2.0))
    assert cold["loss"] < 1e-3 and cold["hardest"] > 0.99
    a, p = contrastive.nce_batch(4)
    assert hot["mean"] == pytest.approx(float(lc.InfoNCELoss(temperature=2.0)(a, p).mean()), rel=1e-12)


def test_margin_boundaries():
    r = contrastive.margin_view(30.0, 0.35, 0.5)
    plain, cosface, arcface = (math.degrees(b) for b in r["bounds"])
    assert plain == pytest.approx(45.0, abs=0.05)
    assert arcface == pytest.approx((90.0 - math.degrees(0.5)) / 2, abs=0.05)  # a constant angle
    # CosFace: cos θ − m = cos(90° − θ) = sin θ
    assert math.cos(math.radians(cosface)) - 0.35 == pytest.approx(math.sin(math.radians(cosface)), abs=2e-3)
    assert arcface < plain and cosface < plain
    assert math.isnan(contrastive.margin_view(30.0, 1.0, 0.5)["bounds"][1])  # a margin of 1: class 0 never wins
    at = load_page(EMBEDDINGS, mg_cos="1")
    assert stats(at)["CosFace: class 0 wins up to"] == "never wins"


# -- segmentation -------------------------------------------------------------------------------------------------
def test_overlap_numbers_are_losscores_and_dice_goes_flat_on_a_confident_miss():
    at = load_page(SEGMENTATION, seg_c="15", seg_w="0", seg_k="2")  # the object is missed, confidently
    shown = stats(at)
    x = segmentation.logits(15.0, 0.0, 2.0)[None]
    t = segmentation.mask_of(segmentation.MASKS["small object"])[None]
    assert shown["Dice loss"] == f"{lc.DiceLoss()(x, t)[0]:.4f}"
    assert shown["Jaccard loss"] == f"{lc.JaccardLoss()(x, t)[0]:.4f}"
    assert float(shown["Dice loss"]) > 0.75
    r = segmentation.overlap_view((6, 7, 8), 15.0, 0.0, 2.0)
    assert np.abs(r["dice_grad"][6:9]).max() < 1e-3  # the sigmoid saturates: Dice barely pulls
    np.testing.assert_allclose(r["bce_grad"][6:9], -1 / 16, rtol=1e-3)  # BCE still pulls each missed pixel


def test_tversky_beta_makes_a_too_small_prediction_cost_more():
    recall = segmentation.tversky_view(0.1, 0.9, 1.5)
    precision = segmentation.tversky_view(0.9, 0.1, 1.5)
    assert recall["value"] > precision["value"]  # too small: missed pixels, which beta weighs
    assert recall["best"] > 3.0 >= precision["best"]  # recall-minded: the best prediction over-segments


@pytest.mark.parametrize("page, query", [
    (SEGMENTATION, {"seg_mask": "nonsense", "seg_c": "99", "tv_alpha": "-3"}),
    (EMBEDDINGS, {"nce_k": "40", "nce_t": "0", "mg_arc": "abc"}),
    (DISTRIBUTIONS, {"div_sigma": "0", "div_mu": "1e9"}),
])
def test_bad_addresses_leave_working_pages(page, query):
    at = load_page(page, **query)  # no exception: values are clamped or ignored
    assert charts(at)


@pytest.mark.parametrize("page, section, kept, dropped", [
    (SEGMENTATION, "tversky", "Tversky loss", "Soft Dice loss"),
    (EMBEDDINGS, "margins", "CosFace (additive cosine margin)", "InfoNCE / NT-Xent contrastive loss"),
    (DISTRIBUTIONS, "kl-js", "Reverse Kullback-Leibler divergence", "Kullback-Leibler divergence"),
])
def test_a_section_alone(page, section, kept, dropped):
    at = load_page(page, section=section)
    titles = [h.value for h in at.header]
    assert kept in titles and dropped not in titles


def test_plain_charts_show_the_same_numbers_as_metrics(monkeypatch):
    live = stats(load_page(SEGMENTATION, tv_alpha="0.2"))
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    at = load_page(SEGMENTATION, tv_alpha="0.2")
    assert at.slider(key="tv_alpha").value == 0.2
    shown = {m.label: m.value for m in at.metric}
    assert live and all(shown[label] == text for label, text in live.items())
    assert chart(at, "tv_curve").alt.startswith("Tversky loss with alpha 0.2")
    np.testing.assert_allclose(segmentation.tversky_view(0.2, 0.5, 1.5)["value"], float(shown["Tversky loss"]),
                               atol=5e-5)
