"""The Robust regression page (AppTest): its curve sections, Barron's alpha morphing through its named members
(the browser's patches are what the page draws at that alpha, and the lit name is the member's), and "what does
each loss estimate?" (closed forms where they exist, losscore's gradients elsewhere), with bad input reported."""

from __future__ import annotations

import math

import numpy as np
import pytest
from apptest_charts import _decode, chart, charts, frame_patches, load_page, stats

import losscore as lc
from lossapp import robust_figures as rf
from lossapp.registry import page_of
from lossapp.sections.robust import MAX_VALUES, PRESETS
from losscore.catalog import CATALOG
from losscore.location import best_constant, mean_loss

PAGE = "2b_Robust_regression.py"
ROBUST = ("LogCoshLoss", "PseudoHuberLoss", "QuantileLoss", "EpsilonInsensitiveLoss", "TukeyBiweightLoss",
          "GeneralRobustLoss")


def _member_labels(notes: list[str]) -> dict[str, bool]:
    """The named members' labels (annotations 1..5) and whether each is lit (bold)."""
    return {n.split(">")[-3 if n.startswith("<b>") else -2].split("<")[0]: n.startswith("<b>") for n in notes[1:]}


def test_page_explains_every_robust_loss_with_its_curve():
    at = load_page(PAGE)
    assert {page_of(name).file for name in ROBUST} == {PAGE}
    titles = [h.value for h in at.subheader]
    for name in ROBUST:
        assert CATALOG[name].title in titles
        c = chart(at, f"{CATALOG[name].short_id}_chart")
        loss = next(t for t in c.data if t["meta"]["role"] == "loss")
        x, y = _decode(loss["x"]), _decode(loss["y"])
        want = lc.__dict__[name]()(x, np.zeros_like(x))  # drawn at label 0, the loss's defaults
        np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-7)
    assert "One dial, five classic losses: Barron's alpha" in titles
    assert "What does each loss estimate?" in titles


# -- Barron's alpha ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("alpha", "lit", "status"), [
    (2.0, "L2 (2)", "α = 2: L2 (α = 2)"),
    (1.0, "Charbonnier (1)", "α = 1: Charbonnier (α = 1)"),
    (0.0, "Cauchy (0)", "α = 0: Cauchy (α = 0)"),
    (-2.0, "Geman-McClure (−2)", "α = −2: Geman-McClure (α = −2)"),
    (-10.0, "Welsch (−∞)", "α = −10: close to Welsch (α = −∞)"),
    (0.5, None, "α = 0.5: between Cauchy (α = 0) and Charbonnier (α = 1)"),
    (2.7, None, "α = 2.7: beyond L2 (α = 2): steeper than a parabola"),
])
def test_morph_patch_lights_the_member_and_is_what_the_page_draws(alpha, lit, status):
    at = load_page(PAGE, section="barron-alpha")
    there = load_page(PAGE, section="barron-alpha", barron_morph_alpha=f"{alpha:g}")
    ((shown, patch),) = frame_patches(at, "barron_morph_alpha", alpha)
    assert not patch["missing"]
    drawn = chart(there, "barron_morph")
    texts = [a["text"] for a in drawn.spec["layout"]["annotations"]]
    assert [patch["annotations"].get(str(i), {}).get("text", a["text"])
            for i, a in enumerate(shown.spec["layout"]["annotations"])] == texts
    assert texts[0] == status
    labels = _member_labels(texts)
    assert len(labels) == 5 and [k for k, on in labels.items() if on] == ([lit] if lit else [])
    loss, grad = lc.GeneralRobustLoss(alpha=alpha).value_and_grad(rf.MORPH_X, np.zeros_like(rf.MORPH_X))
    np.testing.assert_allclose(patch["traces"]["0"]["y"], loss, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(patch["traces"]["1"]["y"], grad, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(_decode(drawn.data[0]["y"]), loss, rtol=1e-6, atol=1e-7)
    assert patch["stats"] == [text for _, text, _ in drawn.stats]
    assert stats(there)["member"] == status.split(": ", 1)[1]


def test_morph_named_members_are_the_papers_formulas():
    x = rf.MORPH_X
    named = {2.0: 0.5 * x**2, 1.0: np.sqrt(x**2 + 1) - 1, 0.0: np.log(0.5 * x**2 + 1),
             -2.0: 2 * x**2 / (x**2 + 4), -math.inf: -np.expm1(-0.5 * x**2)}
    for alpha, want in named.items():
        np.testing.assert_allclose(rf.barron_curve(alpha)[0], want, rtol=1e-12, atol=1e-15)


def test_morph_without_live_charts_is_a_streamlit_slider_with_metrics(monkeypatch):
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    at = load_page(PAGE, section="barron-alpha", barron_morph_alpha="-2")
    assert at.slider(key="barron_morph_alpha").value == -2.0
    assert {m.label: m.value for m in at.metric}["member"] == "Geman-McClure (α = −2)"
    assert "Geman-McClure" in charts(at)[0].alt


# -- what does each loss estimate? -------------------------------------------------------------------------------
def _table(at) -> dict[str, str]:
    df = at.dataframe[0].value
    return dict(zip(df.index, df["best constant"], strict=True))


def test_estimates_of_the_clean_preset_are_the_closed_forms():
    at = load_page(PAGE, section="estimate")
    y = np.array([float(v) for v in PRESETS["clean"].split(",")])
    table = _table(at)
    assert float(table["L2 loss"]) == pytest.approx(y.mean(), abs=5e-5)
    assert float(table["L1 loss"]) == pytest.approx(np.median(y), abs=5e-5)
    assert float(table["Quantile (tau = 0.5)"]) == pytest.approx(np.quantile(y, 0.5, method="inverted_cdf"))
    strip = chart(at, "est_strip")
    diamonds = {t["meta"]["curve"]: t["x"][0] for t in strip.data if t["meta"]["role"] == "estimate"}
    assert set(diamonds) == {name for name, _ in rf.ESTIMATORS}
    assert diamonds["L2Loss"] == pytest.approx(y.mean())


def test_outliers_pull_the_mean_and_leave_the_robust_estimates_in_the_bulk():
    at = load_page(PAGE, section="estimate", est_preset="with outliers")
    table = {k: float(v) for k, v in _table(at).items()}
    bulk = [float(v) for v in PRESETS["clean"].split(",")]
    assert table["L2 loss"] > max(bulk)  # the mean leaves the bulk
    for label in ("Tukey biweight loss", "Barron's general robust loss (alpha = 1)", "Huber loss",
                  "Log-cosh loss", "Pseudo-Huber"):
        assert min(bulk) < table[label] < max(bulk), label
    # Tukey ignores the outliers outright: its estimate is the clean data's
    clean = best_constant(lc.TukeyBiweightLoss(), bulk)
    assert table["Tukey biweight loss"] == pytest.approx(clean, abs=0.05)


def test_tau_and_alpha_and_edited_values_move_the_estimates():
    at = load_page(PAGE, section="estimate", est_tau="0.9", est_alpha="-2", est_values_0="1, 2, 3, 4, 100")
    table = {k: float(v) for k, v in _table(at).items()}
    assert table["Quantile (tau = 0.9)"] == 100.0  # the 0.9-quantile of five values is the largest
    assert table["L2 loss"] == pytest.approx(22.0)
    gm = best_constant(lc.GeneralRobustLoss(alpha=-2.0), [1, 2, 3, 4, 100])
    assert table["Barron's general robust loss (alpha = -2)"] == pytest.approx(gm, abs=5e-5)
    assert 2.0 < gm < 3.0  # Geman-McClure ignores the 100


@pytest.mark.parametrize(("text", "message"), [
    ("1, 2, x", "'x' is not a number"),
    ("", "nothing entered"),
    (", ".join(["1"] * (MAX_VALUES + 1)), f"this box takes at most {MAX_VALUES}"),
])
def test_bad_values_show_a_message_and_keep_the_page(text, message):
    at = load_page(PAGE, section="estimate", est_values_0=text)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert not [c for c in charts(at) if c.key.startswith("est_")]


def test_one_value_and_equal_values_have_that_value_as_every_estimate():
    at = load_page(PAGE, section="estimate", est_values_0="3, 3, 3")
    assert set(_table(at).values()) == {"3.0000"}


# -- losscore.location ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_best_constant_finds_the_closed_forms_and_the_deepest_valley(seed):
    rng = np.random.default_rng(seed)
    y = np.concatenate([rng.normal(5, 1, 15), rng.uniform(15, 30, 4)])
    assert best_constant(lc.L2Loss(), y) == pytest.approx(y.mean(), abs=1e-9)
    q8 = np.quantile(y, 0.8, method="inverted_cdf")
    for loss, ref in ((lc.L1Loss(), np.median(y)), (lc.QuantileLoss(tau=0.8), q8)):
        # piecewise linear: any minimiser is as good as the closed form
        found = mean_loss(loss, y, [best_constant(loss, y)])[0]
        assert found == pytest.approx(mean_loss(loss, y, [ref])[0], abs=1e-9)
    dense = np.linspace(y.min(), y.max(), 200_001)
    for loss in (lc.TukeyBiweightLoss(c=2.0), lc.GeneralRobustLoss(alpha=-2.0, scale=0.5), lc.HuberLoss(),
                 lc.LogCoshLoss()):
        c = best_constant(loss, y)
        brute = dense[np.argmin(mean_loss(loss, y, dense))]
        assert mean_loss(loss, y, [c])[0] <= mean_loss(loss, y, [brute])[0] + 1e-12, loss
        _, grad = loss.value_and_grad(np.full((1, y.size), c), y)
        assert abs(grad.sum()) < 1e-9, loss  # a smooth loss's minimum: the total gradient vanishes


def test_best_constant_checks_its_arguments():
    assert best_constant(lc.L2Loss(), [2.0]) == 2.0
    with pytest.raises(TypeError, match="loss must be a losscore loss"):
        mean_loss("L2Loss", [1.0], [0.0])
    with pytest.raises(ValueError, match="y must hold finite numbers"):
        best_constant(lc.L2Loss(), [1.0, np.nan])
    with pytest.raises(ValueError, match="y must not be empty"):
        best_constant(lc.L2Loss(), [])
