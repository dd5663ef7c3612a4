"""The Modern classification page and the label-smoothing section of the Softmax cross-entropy page (AppTest):
focal gamma beside cross-entropy with the easy examples' share of the gradient, label smoothing's minimum, the
multiclass comparison and the 0-1 loss under its surrogates with its three x-axes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from apptest_charts import _decode, chart, charts, frame_patches, load_page, stats

import losscore as lc
from lossapp.sections import focal, multiclass, surrogates
from lossapp.steps import steps_of

MODERN, SOFTMAX = "11_Modern_classification.py", "4_Softmax_cross_entropy.py"


def _trace(c, curve: str, role: str) -> np.ndarray:
    return next(_decode(t["y"]) for t in c.data if t.get("meta", {}).get("curve") == curve
                and t["meta"]["role"] == role)


def test_the_page_draws_every_section_in_the_order_of_its_steps():
    at = load_page(MODERN)
    assert [c.key for c in charts(at)] == ["focal_chart", "fg_chart", "fg_bars", "asl_chart", "mc_chart",
                                           "mhuber_chart", "percep_chart", "zeroone_chart", "sur_chart"]
    anchors = [h.proto.anchor for h in at.subheader]
    assert anchors == [s.id for s in steps_of("Modern_classification")]


@pytest.mark.parametrize("step", [s.id for s in steps_of("Modern_classification")])
def test_each_section_can_be_drawn_alone(step):
    at = load_page(MODERN, section=step)
    assert [h.proto.anchor for h in at.subheader] == [step]


# -- focal gamma -------------------------------------------------------------------------------------------------

def test_gamma_slider_frames_cover_its_range_and_gamma_zero_is_cross_entropy():
    at = load_page(MODERN)
    c = chart(at, "fg_chart")
    gamma = next(s for s in c.controls if s["id"] == "fg_gamma")
    assert (gamma["min"], gamma["max"], gamma["step"], gamma["value"], gamma["role"]) == (0, 5, 0.25, 2, "frame")
    assert len(c.frames["fg_gamma"]["values"]) == 21  # every value: no round trip while it moves
    bce = _trace(c, "cross-entropy", "loss")
    (curves, patch), (bars, bar_patch) = frame_patches(at, "fg_gamma", 0.0)
    assert (curves.key, bars.key) == ("fg_chart", "fg_bars")
    np.testing.assert_allclose(patch["traces"]["2"]["y"], bce, rtol=1e-6)  # focal loss at gamma 0
    # the numbers: at gamma 0 focal loss gives the easy examples the same share as cross-entropy
    texts = patch["stats"]
    assert texts[0] == texts[1] and texts[2] == texts[3] and texts[4] == "1.000×"
    np.testing.assert_allclose(bar_patch["traces"]["2"]["y"], _decode(bars.data[1]["y"]), rtol=1e-6)


def test_focal_takes_the_gradient_away_from_easy_examples():
    gammas = np.array([0.0, 0.5, 1.0, 2.0, 5.0])
    shares = focal.gradient_shares(gammas)
    np.testing.assert_allclose(shares["focal"].sum(axis=1), 1.0)
    np.testing.assert_allclose(shares["focal"][0], shares["bce"])
    easy = shares["focal"][:, 2]
    assert (np.diff(easy) < 0).all() and easy[3] < shares["bce"][2] / 3  # gamma 2: under a third of BCE's share
    assert (np.diff(shares["total"]) < 0).all()
    # most examples are easy, yet under cross-entropy they do not send most of the gradient: the hard ones do
    assert shares["examples"][2] > 0.5


def test_the_sections_sentences_about_gamma_two_hold():
    # "costs 100 times less ... about 35 times less gradient; p_t = 0.5: 4 times less ... 1.7 times less"
    loss = lc.SigmoidFocalLoss(alpha=-1.0, gamma=2.0)
    for p_t, loss_ratio, grad_ratio in ((0.9, 100.0, 35.0), (0.5, 4.0, 1.7)):
        x = np.array([math.log(p_t / (1 - p_t))])
        f, fg = loss.value_and_grad(x, [1.0])
        b, bg = lc.SigmoidBCELoss().value_and_grad(x, [1.0])
        assert b[0] / f[0] == pytest.approx(loss_ratio, rel=1e-4)
        assert bg[0] / fg[0] == pytest.approx(grad_ratio, rel=0.02)


def test_without_live_charts_gamma_is_a_streamlit_slider(monkeypatch):
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    at = load_page(MODERN, section="focal-gamma", fg_gamma="0")
    assert next(s for s in at.slider if s.key == "fg_gamma").value == 0.0
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["BCE: share from p_t > 0.9"] == metrics["focal: share from p_t > 0.9"]


def test_a_bad_gamma_in_the_address_gets_a_notice_not_a_traceback():
    at = load_page(MODERN, section="focal-gamma", fg_gamma="9")
    assert any("fg_gamma" in w.value for w in at.warning)
    assert next(s for s in chart(at, "fg_chart").controls if s["id"] == "fg_gamma")["value"] == 5


# -- label smoothing -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("epsilon, n_classes", [(0.1, 5), (0.37, 10), (0.02, 2)])
def test_label_smoothing_minimum_sits_where_the_section_says(epsilon, n_classes):
    d_star = multiclass.best_lead(epsilon, n_classes)
    values, grad = multiclass.along_lead("LabelSmoothingCrossEntropyLoss", {"epsilon": epsilon}, n_classes,
                                         np.array([d_star - 0.01, d_star, d_star + 0.01]))
    assert abs(grad[1]) < 1e-12 and grad[0] < 0 < grad[2] and values[1] < min(values[0], values[2])
    q = np.full(n_classes, epsilon / n_classes)
    q[0] += 1 - epsilon
    assert values[1] == pytest.approx(-(q * np.log(q)).sum())  # the entropy of the smoothed target


def test_label_smoothing_section_frames_move_the_curve_line_and_numbers():
    at = load_page(SOFTMAX, section="label-smoothing")
    assert [c.key for c in charts(at)] == ["ls_chart"]
    c = chart(at, "ls_chart")
    assert len(c.frames["ls_eps"]["values"]) == 51
    (_, patch), = frame_patches(at, "ls_eps", 0.0)
    np.testing.assert_allclose(patch["traces"]["2"]["y"], _trace(c, "cross-entropy", "loss"), rtol=1e-6)
    assert patch["annotations"]["0"]["text"] == "no minimum: the loss falls forever"
    assert patch["stats"][0] == "∞"
    (_, patch), = frame_patches(at, "ls_eps", 0.25)
    d_star = math.log1p(5 * 0.75 / 0.25)
    assert patch["shapes"]["0"]["x0"] == pytest.approx(d_star)
    assert patch["annotations"]["0"]["text"] == f"minimum at d = {d_star:.2f}"
    assert stats(at)["best lead d*"] == "3.8286"  # ε = 0.1, C = 5: log(1 + 5 · 0.9 / 0.1) = log 46


# -- the multiclass comparison ------------------------------------------------------------------------------------

def test_multiclass_curves_follow_their_parameters():
    at = load_page(MODERN, section="multiclass", mcsfocal_gamma="0", mcpoly_eps="0", mc_c="3")
    c = chart(at, "mc_chart")
    ce = _trace(c, "cross-entropy", "loss")
    np.testing.assert_allclose(_trace(c, "softmax focal", "loss"), ce, rtol=1e-6)  # gamma 0 is cross-entropy
    np.testing.assert_allclose(_trace(c, "Poly-1", "loss"), ce, rtol=1e-6)  # so is epsilon 0
    hinge = _trace(c, "multiclass hinge", "loss")
    np.testing.assert_allclose(hinge, 2 / 3 * np.maximum(0, 1 - multiclass.D), atol=1e-6)  # (C - 1)/C max(0, m - d)


# -- the 0-1 loss under its surrogates ----------------------------------------------------------------------------

@pytest.mark.parametrize("axis", list(surrogates.AXES))
@pytest.mark.parametrize("label", [-1.0, 1.0])
def test_surrogates_lie_on_or_above_the_zero_one_loss_except_the_perceptron(axis, label):
    view = surrogates.surrogate_view(axis, label)
    curves = {c.name: c for c in view.curves}
    zero_one = curves["0-1"]
    assert (zero_one.grad == 0).all()
    for name, c in curves.items():
        if name not in ("0-1", "perceptron"):
            assert (c.loss >= zero_one.loss - 1e-12).all(), name
    assert (curves["perceptron"].loss < zero_one.loss).any()


def test_the_probability_axis_differentiates_by_the_probability():
    view = surrogates.surrogate_view("probability", 1.0)
    logistic = next(c for c in view.curves if c.name == "logistic (in bits)")
    q = logistic.x
    np.testing.assert_allclose(logistic.loss, -np.log2(q), rtol=1e-9)  # log2(1 + e^-s) at s = logit(q)
    np.testing.assert_allclose(logistic.grad, -1 / (q * math.log(2)), rtol=1e-9)  # d/dq of -log2(q)
    margin = surrogates.surrogate_view("margin y·s", 1.0)
    assert margin.curves[0].x[0] == -3.0 and margin.label is None
    assert surrogates.surrogate_view("raw score", -1.0).curves[1].loss[0] == 0.0  # hinge at s = -3, y = -1


def test_the_axis_switch_redraws_the_chart():
    at = load_page(MODERN, section="surrogates")
    assert [r.key for r in at.radio] == ["sur_axis", "sur_label"]
    titles = {}
    for axis in surrogates.AXES:
        at.radio(key="sur_axis").set_value(axis).run()
        assert not at.exception
        layout = chart(at, "sur_chart").spec["layout"]
        titles[axis] = (layout["xaxis2"]["title"]["text"], layout["yaxis2"]["title"]["text"])
        assert ("sur_label" in [r.key for r in at.radio]) == (axis != "margin y·s")
        assert layout["shapes"][0]["x0"] == surrogates.boundary(axis)
    assert titles == {axis: surrogates.AXES[axis] for axis in surrogates.AXES}


def test_a_bad_axis_in_the_address_falls_back_with_a_notice():
    at = load_page(MODERN, section="surrogates", sur_axis="<script>")
    assert at.radio(key="sur_axis").value == "raw score"
    assert at.warning



def test_compare_offers_the_new_curves_but_its_presets_stay_the_tutorials():
    from lossapp.sections.compare import CURVE_LOSSES, PRESETS

    assert PRESETS["classification"] == (
        ["LogisticLoss", "HingeLoss", "SquaredHingeLoss", "SigmoidBinaryCrossEntropyLoss"], 1.0)
    assert {"SigmoidFocalLoss", "AsymmetricLoss", "ModifiedHuberLoss", "PerceptronLoss", "ZeroOneLoss"} <= set(
        CURVE_LOSSES)
