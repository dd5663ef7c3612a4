"""Lessons: the address form of a lesson (round trip, checks on forged links), the built-in lessons, and a lesson
in a running page (step k draws its section alone with the step's values, locks, previous / next)."""

from __future__ import annotations

import base64
import json

import pytest
from apptest_charts import charts, load_page
from streamlit.testing.v1 import AppTest

from lossapp import lessons
from lossapp.lessons import Lesson, LessonError, LessonStep, decode, encode
from lossapp.locks import HIDE_MARKER
from lossapp.steps import STEPS

HUBER = Lesson("Huber, fixed", (
    LessonStep("huber", {"huber_rho": "2", "huber_pred": "3"}, "Why is the gradient flat out here?",
               lock=("huber_rho",), hide=("huber_weight",)),
    LessonStep("l1", {"l1_pred": "-2"}, "And L1?", predict=True),
))


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _code(data) -> str:
    return _b64(json.dumps(data))


def test_a_lesson_survives_the_address_and_stays_short():
    code = encode(HUBER)
    assert decode(code) == HUBER
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    for name in lessons.builtin_names():
        lesson = lessons.builtin(name)
        assert decode(encode(lesson)) == lesson
        assert len(encode(lesson)) <= lessons.MAX_CODE_CHARS


def test_the_built_in_lessons_are_the_files_the_tutorial_first():
    assert lessons.builtin_names()[0] == "tutorial"
    assert {"tutorial", "outliers", "margins"} <= set(lessons.builtin_names())
    tutorial = lessons.builtin("tutorial")
    # every section of the Gluon tutorial, in its order (the losses beyond it have lessons of their own to come)
    assert [s.id for s in tutorial.steps] == [s.id for s in STEPS if not s.beyond]
    for name in lessons.builtin_names():
        lesson = lessons.builtin(name)
        assert all(s.prompt for s in lesson.steps), name
        raw = json.loads((lessons.BUILTIN_DIR / f"{name}.json").read_text())
        assert lesson.title == raw["title"] and len(lesson) == len(raw["steps"])
    outliers, margins = lessons.builtin("outliers"), lessons.builtin("margins")
    assert {"l1", "l2", "huber", "compare"} <= {s.id for s in outliers.steps}
    assert {"hinge", "logistic"} <= {s.id for s in margins.steps}
    assert any(s.predict for s in outliers.steps) and any(s.predict for s in margins.steps)


@pytest.mark.parametrize("code, says", [
    ("", "empty"),
    ("A" * (lessons.MAX_CODE_CHARS + 1), "more than a lesson can be"),
    ("<script>alert(1)</script>", "not a lesson code"),
    ("eyJ0aXRsZSI6", "could not be read"),  # cut short
    (_code([1, 2]), "not a title and a list of steps"),
    (_code({"title": "x", "steps": []}), "no steps"),
    (_code({"title": "x", "steps": [{"id": "nope"}]}), "names no section"),
    (_code({"title": "x", "steps": [{"id": "l1", "evil": 1}]}), "fields no lesson step has"),
    (_code({"title": "x", "steps": [{"id": "l1", "values": {"section": "l2"}}]}), "not a control"),
    (_code({"title": "x", "steps": [{"id": "l1", "values": {"l1_pred": "9" * 65}}]}), "short text or number"),
    (_code({"title": "x", "steps": [{"id": "l1", "values": {"l1_pred": {"a": 1}}}]}), "short text or number"),
    (_code({"title": "x", "steps": [{"id": "l1", "lock": ["<b>"]}]}), "not a control name"),
    (_code({"title": "x", "steps": [{"id": "l1", "predict": "yes"}]}), "neither true nor false"),
    (_code({"title": "x", "steps": [{"id": "l1", "prompt": "p" * 601}]}), "longer than 600"),
    (_code({"title": "x", "steps": [{"id": "l1"}] * (lessons.MAX_STEPS + 1)}), "more than 40 steps"),
    (_b64('{"title": "x", "steps": [' + "[" * 40 + "]" * 40 + "]}"), "not a step"),
    (_b64("[" * 2000 + "]" * 2000), "could not be read"),  # deeper than the JSON parser recurses
])
def test_forged_lessons_are_refused_with_a_sentence(code, says):
    with pytest.raises(LessonError, match=says) as exc:
        lessons.resolve(code)
    assert "<" not in str(exc.value) and "evil" not in str(exc.value)  # the input is never quoted


def test_a_lesson_too_long_for_a_link_says_so():
    long = Lesson("x", tuple(LessonStep(s.id, prompt="é" * 500) for s in STEPS[:20]))
    with pytest.raises(LessonError, match="too long for a link"):
        encode(long)


def test_the_step_number_is_clamped_and_read_safely():
    two = Lesson("x", (LessonStep("l1"), LessonStep("l2")))
    assert [lessons.position(raw, two) for raw in (None, "1", "2", "9", "0", "-4", "x", "1e9", "9" * 400)] == \
        [1, 1, 2, 2, 1, 1, 1, 1, 1]


# -- in a running page ----------------------------------------------------------------------------------------------
def _q(at: AppTest, key: str) -> str | None:
    """The address's value of ``key`` after the run (AppTest keeps one value as text, several as a list)."""
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _controls(at: AppTest) -> dict[str, dict]:
    return {s["id"]: s for c in charts(at) for s in c.controls}


def test_step_k_draws_its_section_alone_with_its_values_and_locks():
    at = load_page("2_Regression.py", lesson="outliers", lstep="2", section="l2", l2_pred="4")
    assert [h.value for h in at.subheader] == ["L2 loss (half the squared error)"]  # the section alone
    assert "step 2 of 6" in at.markdown[0].value
    assert any("4 units away" in i.value for i in at.info)  # the prompt
    controls = _controls(at)
    assert controls["l2_pred"]["value"] == 4.0
    assert controls["l2_label"].get("locked") is True and not controls["l2_pred"].get("locked")
    assert not at.button(key="lesson_prev").disabled and not at.button(key="lesson_next").disabled


def test_a_lesson_link_without_its_section_goes_to_the_step_view():
    at = load_page("2_Regression.py", lesson="outliers", lstep="3")  # step 3 is L1 on this page
    assert _q(at, "section") == "l1" and _q(at, "l1_pred") == "4"
    assert [h.value for h in at.subheader] == ["L1 loss (mean absolute error)"] and not at.exception
    assert at.toggle(key="l1_predict").value is True and not charts(at)  # this step predicts first


def test_locked_and_hidden_streamlit_controls(monkeypatch):
    """With Streamlit widgets (plain charts), a locked control is disabled and a hidden one is preceded by the
    marker the page CSS hides; the step's values apply."""
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    code = encode(HUBER)
    at = load_page("2_Regression.py", lesson=code, lstep="1", section="huber", huber_rho="2", huber_pred="3")
    rho = at.slider(key="huber_rho")
    assert rho.value == 2.0 and rho.disabled
    assert at.slider(key="huber_pred").value == 3.0 and not at.slider(key="huber_pred").disabled
    assert at.slider(key="huber_weight").disabled
    assert HIDE_MARKER in [h.proto.body for h in at.get("html")]


def test_next_and_previous_apply_each_steps_values():
    at = load_page("2_Regression.py", lesson="outliers", lstep="1", section="l2", l2_pred="1", l2_predict="true")
    assert at.toggle(key="l2_predict").value is True and not charts(at)  # step 1 predicts first
    assert at.button(key="lesson_prev").disabled
    at.button(key="lesson_next").click().run()
    assert not at.exception
    assert _q(at, "lstep") == "2" and _q(at, "l2_pred") == "4"
    assert at.toggle(key="l2_predict").value is False  # step 2 does not predict first
    assert _controls(at)["l2_pred"]["value"] == 4.0 and _controls(at)["l2_label"].get("locked")
    at.button(key="lesson_prev").click().run()
    assert _q(at, "lstep") == "1" and at.toggle(key="l2_predict").value is True


def test_next_to_another_page_switches_page():
    at = AppTest.from_file("../app.py", default_timeout=30)
    at.query_params.update({"lesson": "outliers", "lstep": "6"})  # step 6 is Compare; the router opens Home
    at.run()
    assert not at.exception
    assert _q(at, "section") == "compare" and _q(at, "cmp_pred") == "4"
    assert any(h.value == "Compare losses" for h in at.title)
    assert at.get("button_group")[0].disabled  # cmp_preset is locked in that step


@pytest.mark.parametrize("raw", ["nope!", "A" * 7000, _code({"title": "x", "steps": [{"id": "zzz"}]})])
def test_a_bad_lesson_in_the_address_gives_a_message_and_the_page(raw):
    at = load_page("2_Regression.py", lesson=raw)
    assert any("without the lesson" in e.value for e in at.error)
    assert len(charts(at)) == 3  # the whole page, unlocked
    assert not any(s.get("locked") for c in charts(at) for s in c.controls)


def test_leaving_the_lesson_shows_the_whole_page():
    at = load_page("2_Regression.py", lesson="outliers", lstep="2", section="l2", l2_pred="4")
    at.button(key="lesson_leave").click().run()
    assert "lesson" not in at.query_params and len(charts(at)) == 3
    assert not any(s.get("locked") for c in charts(at) for s in c.controls)


def test_the_builder_adds_the_view_on_screen_as_a_step():
    at = load_page("2_Regression.py", section="huber", huber_rho="2.5")
    at.toggle(key="lb_open").set_value(True).run()
    at.text_area(key="lb_prompt").set_value("Look at [this](http://evil.example)").run()
    at.multiselect(key="lb_lock").set_value(["huber_rho"]).run()
    at.button(key="lb_add").click().run()
    assert not at.exception
    address = at.sidebar.code[0].value
    assert address.startswith("/Regression?lesson=")
    code = address.split("lesson=")[1].split("&")[0]
    built = decode(code)
    assert built.steps == (LessonStep("huber", {"huber_rho": "2.5"}, "Look at [this](http://evil.example)",
                                      lock=("huber_rho",)),)
    # the link opens the step: the value applied and the control locked, the prompt shown as text
    opened = load_page("2_Regression.py", **dict(p.split("=", 1) for p in address.split("?")[1].split("&")))
    assert any("this" in i.value and "](http" not in i.value for i in opened.info)
    assert _controls(opened)["huber_rho"]["value"] == 2.5 and _controls(opened)["huber_rho"]["locked"]


def test_home_lists_the_built_in_lessons():
    at = AppTest.from_file("../app.py", default_timeout=30)
    at.run()
    labels = [p.proto.label for p in at.get("page_link")]
    for name in lessons.builtin_names():
        lesson = lessons.builtin(name)
        assert f"{lesson.title} ({len(lesson)} steps)" in labels
