"""Predict, then reveal (the pure state machine and questions, and a curve section and Compare in AppTest), and
each section's reset to the tutorial's values."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_charts import charts, load_page

from lossapp.predict import (
    PREDICT_STEPS,
    PredictState,
    again,
    choice_question,
    commit,
    judge,
    minimisers,
    number_question,
    phase,
    stale,
)
from lossapp.predict_panel import KL_DIRECTIONS, ctc_questions, curve_questions, kl_example_questions, toggle_key


def test_predict_switches_have_distinct_short_address_keys():
    keys = [toggle_key(s) for s in PREDICT_STEPS]
    assert len(set(keys)) == len(keys) and all(len(k) <= 16 for k in keys), keys


def test_the_state_machine_hidden_guess_revealed_and_asked_again():
    s = PredictState()
    assert phase(s) == "hidden" and not stale(s, ("L2", 1.0))
    q = number_question("min", "minimum?", 0.0, 0.0)
    s = commit(s, ("L2", 1.0), {"min": 0.5}, (judge(q, 0.5),))
    assert phase(s) == "revealed" and s.verdicts[0].distance == 0.5
    assert not stale(s, ("L2", 1.0)) and stale(s, ("L2", 2.0))  # moved since: still revealed, marked stale
    assert phase(again(s)) == "hidden"
    with pytest.raises(ValueError, match="guesses"):
        commit(s, ("L2", 1.0), {})


def test_verdicts_say_how_far_the_guess_was():
    q = number_question("grad", "gradient?", 2.0, 2.0, tol=0.1)
    assert judge(q, 2.05).right and judge(q, 2.05).distance == pytest.approx(0.05)
    wrong = judge(q, -1.0)
    assert not wrong.right and wrong.distance == 3.0 and "3 off" in wrong.text and "sign was wrong" in wrong.text
    flat = number_question("min", "minimum?", 1.0, 5.0)
    assert judge(flat, 3.0).right and judge(flat, 0.0).distance == 1.0
    c = choice_question("worst", "which?", ["L1Loss", "L2Loss"], "L2Loss")
    assert judge(c, "L2Loss").right and not judge(c, "L1Loss").right
    with pytest.raises(ValueError):
        judge(q, float("nan"))
    with pytest.raises(ValueError):
        choice_question("x", "x", ["a"], "b")


def test_minimisers_of_a_bowl_a_flat_bottom_and_a_slope():
    x = np.linspace(-5, 5, 1001)
    assert minimisers(x, x**2)[:2] == (0.0, 0.0)
    lo, hi, edge = minimisers(x, np.maximum(0.0, 1.0 - x))  # the hinge at label 1, margin 1
    assert (lo, hi) == pytest.approx((1.0, 5.0)) and edge
    assert minimisers(x, np.log1p(np.exp(-x)))[:3] == (5.0, 5.0, True)  # logistic keeps falling
    q = curve_questions(x, np.maximum(0.0, 1.0 - x), 2.0, 0.0)
    assert "flat" in q[0].note and judge(q[0], 3.0).right


def _reveal(at, section: str, guesses: dict) -> None:
    for qid, value in guesses.items():
        widget = at.number_input(key=f"{section}_guess_{qid}") if not isinstance(value, str) \
            else at.radio(key=f"{section}_guess_{qid}")
        widget.set_value(value)
    at.button(key=f"FormSubmitter:{section}_predict_form-Reveal").click().run()
    assert not at.exception


@pytest.mark.parametrize("plain", [False, True], ids=["live", "plain"])
def test_a_curve_section_hides_its_chart_and_numbers_until_the_guess(plain, monkeypatch):
    if plain:
        monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    else:
        monkeypatch.delenv("LOSSAPP_PLAIN_CHARTS", raising=False)
    at = load_page("2_Regression.py", section="l2", l2_predict="true", l2_pred="1.5")
    assert not charts(at) and not at.metric  # hidden: no chart, no readout, no caption with the values
    assert not any("1.5" in c.value and "gradient" in c.value for c in at.caption)
    # one guess missing: still hidden, and the page says why
    _reveal(at, "l2", {"min": 0.0})
    assert any("every question" in w.value for w in at.warning) and not charts(at)
    _reveal(at, "l2", {"min": 0.5, "grad": -1.0})
    texts = [s.value for s in at.success] + [i.value for i in at.info]
    assert any("You said 0.5; the answer is 0 (0.5 off)" in t for t in texts)
    assert any("You said -1; the answer is 1.5 (2.5 off). The sign was wrong." in t for t in texts)
    assert [c.key for c in charts(at)] == ["l2_chart"]
    if plain:
        assert float([m.value for m in at.metric][1]) == 1.5  # the gradient readout is back
        at.slider(key="l2_pred").set_value(3.0).run()  # exploring after the reveal keeps the chart
        assert charts(at) and any("controls have moved" in c.value for c in at.caption)
    at.button(key="l2_predict_again").click().run()
    assert not charts(at) and at.number_input(key="l2_guess_min").value is None


def test_compare_asks_which_loss_the_point_hurts_most():
    at = load_page("8_Compare.py", compare_predict="true", cmp_pred="4")
    assert not charts(at) and not at.dataframe
    assert at.radio(key="compare_guess_worst").options == ["L1Loss", "L2Loss", "HuberLoss"]
    _reveal(at, "compare", {"worst": "L2Loss"})
    assert any("the answer is L2Loss" in s.value and "L2Loss 8, L1Loss 4, HuberLoss 3.5" in s.value
               for s in at.success)
    assert charts(at) and at.dataframe


def test_reset_puts_a_section_back_to_the_tutorials_values(monkeypatch):
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    at = load_page("2_Regression.py", huber_rho="2.5", huber_pred="3", l1_pred="4")
    assert at.slider(key="huber_rho").value == 2.5
    at.slider(key="huber_weight").set_value(2.0).run()
    at.button(key="huber_reset").click().run()
    assert not at.exception
    assert (at.slider(key="huber_rho").value, at.slider(key="huber_pred").value,
            at.slider(key="huber_weight").value) == (1.0, 2.0, 1.0)
    assert not {"huber_rho", "huber_pred", "huber_weight"} & set(at.query_params)
    assert at.slider(key="l1_pred").value == 4.0  # another section keeps its values


def test_reset_of_browser_side_sliders(monkeypatch):
    monkeypatch.delenv("LOSSAPP_PLAIN_CHARTS", raising=False)
    at = load_page("2_Regression.py", section="huber", huber_rho="2.5", huber_pred="3")
    values = {s["id"]: s["value"] for c in charts(at) for s in c.controls}
    assert (values["huber_rho"], values["huber_pred"]) == (2.5, 3.0)
    at.button(key="huber_reset").click().run()
    values = {s["id"]: s["value"] for c in charts(at) for s in c.controls}
    assert (values["huber_rho"], values["huber_pred"]) == (1.0, 2.0)


def test_reset_inside_a_lesson_goes_back_to_the_steps_values():
    at = load_page("2_Regression.py", lesson="outliers", lstep="5", section="huber", huber_pred="0.5")
    assert at.button(key="huber_reset").label == "Back to this step's values"
    at.query_params["huber_rho"] = "3"  # as the browser-side slider's sync would leave it
    at.query_params["huber_pred"] = "2"
    at.button(key="huber_reset").click().run()
    values = {s["id"]: s["value"] for c in charts(at) for s in c.controls}
    assert (values["huber_rho"], values["huber_pred"]) == (1.0, 0.5)


def test_kl_asks_for_both_directions_before_the_bars():
    at = load_page("5_Distributions.py", section="kl-directions", kl_dir_predict="true")
    assert not charts(at)
    assert "q = [" in at.number_input(key="kl-directions_guess_qp").label
    _reveal(at, "kl-directions", {"qp": 0.0, "pq": 0.0})
    texts = [s.value for s in at.success] + [i.value for i in at.info]
    assert any("KL(q ‖ p)" in t and "off" in t for t in texts) and any("not symmetric" in t for t in texts)
    assert [c.key for c in charts(at)] == ["klb_dist", "klb_terms"]


def test_the_kl_example_asks_for_the_value_and_the_larger_direction():
    at = load_page("5_Distributions.py", section="kl", kl_predict="true")
    assert not charts(at) and not at.dataframe  # the bars, the numbers and the terms wait for the guesses
    assert at.radio(key="kl_guess_larger").options == list(KL_DIRECTIONS)
    _reveal(at, "kl", {"value": 0.02, "larger": KL_DIRECTIONS[1]})
    texts = [s.value for s in at.success] + [i.value for i in at.info]
    # the tutorial's numbers: KLDivLoss returns 0.1017 (MXNet 1.9.1 sums), KL(q ‖ p) 0.1017 > KL(p ‖ q) 0.09979
    assert any("You said 0.02; the answer is 0.1017 (0.0817 off)" in t and "older MXNet" in t for t in texts)
    assert any(f"the answer is {KL_DIRECTIONS[0]}" in t and "KL(p ‖ q) = 0.09979" in t for t in texts)
    assert charts(at) and at.dataframe


def test_ctc_asks_which_path_before_the_charts():
    at = load_page("7_Sequences.py", ctc_predict="true")
    assert not charts(at) and not any("Best path" in m.value for m in at.markdown)
    spells = at.radio(key="ctc_guess_spells")
    assert "CAT" in spells.options and "(nothing)" in spells.options
    prefer = at.radio(key="ctc_guess_prefer")
    _reveal(at, "ctc", {"spells": "(nothing)", "prefer": prefer.options[0]})
    texts = [s.value for s in at.success] + [i.value for i in at.info]
    # the default scores are aligned with CAT: the best path spells it, and the label (every path) beats that path
    assert any("You said (nothing); the answer is CAT. Not this time." in t for t in texts)
    assert any("the answer is the label CAT, all its paths together" in t and "CTCLoss is −log" in t for t in texts)
    assert charts(at) and any("Best path" in m.value for m in at.markdown)


def test_kl_and_ctc_questions_follow_the_values():
    q = kl_example_questions(0.3, 0.1, 0.2)
    assert judge(q[0], 0.31).right and q[1].answer_option == KL_DIRECTIONS[1]
    assert len(kl_example_questions(0.1, 0.1, 0.1)) == 1  # equal directions: nothing to choose
    assert kl_example_questions(float("inf"), 1.0, 1.0) == []
    c = ctc_questions("", "CAT", 0.3, 0.2)
    assert c[0].answer_option == "(nothing)" and "CA" in c[0].options
    assert c[1].answer_option == "that single best path"
    assert len(ctc_questions("CAT", "CAT", 0.3, None)) == 1  # infeasible label: only the best path is asked
