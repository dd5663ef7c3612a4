"""Query parameters: out-of-range values are clamped with a notice, garbage falls back to the default with a notice,
unknown keys are ignored; nothing a visitor sends reaches eval/exec/pickle or unescaped HTML."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from apptest_charts import control_value
from streamlit.testing.v1 import AppTest

from lossapp import urlstate
from lossapp.controls import parse_array
from lossapp.urlstate import check_bool, check_choice, check_number, md_escape, quote_token

ROOT = Path(__file__).resolve().parents[1]

GARBAGE = ["nan", "NaN", "inf", "-inf", "1e309", "-1e309", "abc", "<script>alert(1)</script>", "../../etc/passwd",
           "%00", "1,5", "0x10", "1..2", "1" * 100, "javascript:alert(1)", "[x](http://evil.example)"]


# -- the decisions -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, seed, value, notice", [
    (None, False, None, None),
    ("", False, None, None),  # ?key= : Streamlit shows the default, as a cleared control
    ("2.5", False, None, None),
    ("0.1", False, None, None),
    ("10", False, None, None),
    ("99", True, 10.0, "`rho` = 99 in the link is above the largest value 10; using 10."),
    ("-4", True, 0.1, "`rho` = -4 in the link is below the smallest value 0.1; using 0.1."),
    ("1e308", True, 10.0, "`rho` = 1e+308 in the link is above the largest value 10; using 10."),
    (["1", "2"], False, None, "`rho` appears 2 times in the link; using the default 1."),
])
def test_check_number(raw, seed, value, notice):
    d = check_number(raw, "rho", low=0.1, high=10.0, default=1.0)
    assert (d.seed, d.value, d.notice) == (seed, value, notice)


@pytest.mark.parametrize("raw", GARBAGE)
def test_garbage_numbers_fall_back_to_the_default_without_echoing_the_value(raw):
    d = check_number(raw, "rho", low=0.1, high=10.0, default=1.0)
    assert not d.seed
    assert d.notice and "using the default 1" in d.notice
    assert raw not in d.notice and "<" not in d.notice and "](" not in d.notice


@pytest.mark.parametrize("raw, seed, value, noticed", [
    ("3", False, None, False), ("3.0", True, 3, False), ("2.6", True, 3, True), ("12", True, 10, True),
    ("-5", True, 1, True), ("abc", False, None, True),
])
def test_check_number_integer(raw, seed, value, noticed):
    d = check_number(raw, "steps", low=1, high=10, default=8, integer=True)
    if raw == "3.0":  # a whole number written with a decimal point is the same value: no notice, no change
        assert (d.seed, d.notice) == (False, None)
        return
    assert (d.seed, d.value, d.notice is not None) == (seed, value, noticed)


@pytest.mark.parametrize("raw, seed, value, noticed", [
    ("1", False, None, False), ("-1", False, None, False), ("1.0", True, 1.0, False), ("0.4", True, 1.0, True),
    ("-7", True, -1.0, True), ("0", True, 1.0, True),  # a tie goes to the larger option
    ("one", False, None, True), ("1e309", False, None, True),
])
def test_check_choice_numeric(raw, seed, value, noticed):
    d = check_choice(raw, "hinge_label", options=[-1.0, 1.0], labels=["-1", "1"], default=1.0)
    assert (d.seed, d.value, d.notice is not None) == (seed, value, noticed)


def test_check_choice_text_options():
    opts = ["signed", "binary"]
    assert check_choice("binary", "f", options=opts, labels=opts, default="signed") == urlstate.KEEP
    d = check_choice("<script>", "f", options=opts, labels=opts, default="signed")
    assert (d.seed, d.notice) == (False, "`f` in the link is not one of signed, binary; using the default signed.")


@pytest.mark.parametrize("raw, seed, value, noticed", [
    ("true", False, None, False), ("False", False, None, False), ("1", True, True, False), ("off", True, False, False),
    ("maybe", False, None, True), ("<b>", False, None, True),
])
def test_check_bool(raw, seed, value, noticed):
    d = check_bool(raw, "t", default=False)
    assert (d.seed, d.value, d.notice is not None) == (seed, value, noticed)


def test_markdown_escaping_defuses_links_images_html_and_directives():
    for text in ["[x](http://evil.example)", "![p](http://evil.example/p.png)", "<img src=x onerror=alert(1)>",
                 ":red[boom]", "$\\frac{1}{0}$", "www.evil.example", "**bold**", "`code`"]:
        escaped = md_escape(text)
        assert not re.search(r"(?<!\\)[\[\]()<>*`$:]", escaped), escaped
    assert quote_token("x" * 100).endswith("…'") and len(quote_token("x" * 100)) < 40


def test_parse_array_quotes_typed_text_escaped_and_short():
    with pytest.raises(ValueError) as info:
        parse_array("1, [x](http://evil.example)", "weights")
    message = str(info.value)
    assert "](" not in message and "\\[x\\]\\(http\\:" in message


# -- in the pages ---------------------------------------------------------------------------------------------------
def run_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(f"../app_pages/{page}", default_timeout=30)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "link" in w.value]


def test_out_of_range_value_is_clamped_with_one_notice_at_the_top():
    at = run_page("2_Regression.py", huber_rho="99", l2_sw="-3")
    assert control_value(at, "huber_rho") == 5.0
    assert control_value(at, "l2_sw") == 0.0
    [box] = notices(at)
    assert "`l2_sw` = -3 in the link is below the smallest value 0; using 0." in box
    assert "`huber_rho` = 99 in the link is above the largest value 5; using 5." in box
    assert at.main.children[0].type == "alert" or box == at.warning[0].value  # first element on the page
    at.run()  # shown once: the next run (the visitor moves something) no longer repeats it
    assert notices(at) == [] and control_value(at, "huber_rho") == 5.0 and control_value(at, "l2_sw") == 0.0


@pytest.mark.parametrize("raw", GARBAGE)
def test_garbage_in_a_link_leaves_the_default_and_says_so(raw):
    at = run_page("2_Regression.py", huber_rho=raw)
    assert control_value(at, "huber_rho") == 1.0
    [box] = notices(at)
    assert "`huber_rho`" in box and "using the default 1" in box
    assert raw not in box


def test_toggle_radio_and_int_controls_from_a_link():
    at = run_page("3_Binary_classification.py", bce_fromsig="yes", hinge_label="0.3", logistic_format="<b>")
    assert at.toggle(key="bce_fromsig").value is True
    assert at.radio(key="hinge_label").value == 1.0
    assert at.radio(key="logistic_format").value == "signed"
    box = " ".join(notices(at))
    assert "`hinge_label` = 0.3" in box and "`logistic_format`" in box and "<b>" not in box


def test_unknown_keys_are_ignored_and_valid_values_are_used():
    at = run_page("2_Regression.py", huber_rho="2.5", nonsense="1", script="<script>alert(1)</script>")
    assert control_value(at, "huber_rho") == 2.5
    assert notices(at) == []


# -- nothing from a visitor is run or rendered as HTML ----------------------------------------------------------------
APP_CODE = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "lossapp").glob("*.py")),
            *sorted((ROOT / "losscore").glob("*.py"))]
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "joblib"}
#: The one module allowed pickle: the caches pickle the results of the app's own functions and unpickle only the
#: bytes they made themselves, in memory, as st.cache_data does (test_caching.py checks nothing else goes in).
PICKLE_OK = {"lossapp/caching.py"}
HTML_CALLS = {"html"}  # st.html and components.html render HTML whatever they are given


def _package_path(node: ast.AST) -> bool:
    """``Path(__file__).parent`` joined with string literals: a file of the package, not anything a visitor sends."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _package_path(node.left) and isinstance(node.right, ast.Constant) and isinstance(node.right.value, str)
    return (isinstance(node, ast.Attribute) and node.attr == "parent" and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "Path"
            and [ast.dump(a) for a in node.value.args] == [ast.dump(ast.Name("__file__", ast.Load()))])


def _literal_text(node: ast.AST) -> bool:
    """A string literal, or an f-string of literals and the text of a package file (the present mode's CSS)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) or (
            isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Call) and not v.value.args
            and isinstance(v.value.func, ast.Attribute) and v.value.func.attr == "read_text"
            and _package_path(v.value.func.value)) for v in node.values)
    return False


def _module_constants(tree: ast.Module) -> set[str]:
    """Names assigned exactly once, at module level, to a string literal (or the text of a package file)."""
    counts: dict[str, int] = {}
    literal: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    counts[t.id] = counts.get(t.id, 0) + 1
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if _literal_text(node.value):
                literal.add(node.targets[0].id)
    return {n for n in literal if counts.get(n) == 1}


def _is_constant(node: ast.AST, constants: set[str]) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or (
        isinstance(node, ast.Name) and node.id in constants)


@pytest.mark.parametrize("path", APP_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_eval_exec_pickle_and_html_only_from_constants(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _module_constants(tree)
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            forbidden = FORBIDDEN_MODULES - ({"pickle"} if str(path.relative_to(ROOT)) in PICKLE_OK else set())
            assert not {m.split(".")[0] for m in mods} & forbidden, where
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        # eval/exec in any form (pandas' DataFrame.eval and pd.eval evaluate text too); compile as the builtin
        assert name not in FORBIDDEN_CALLS or (name == "compile" and isinstance(func, ast.Attribute)), \
            f"{where}: {name}()"
        kwargs = {k.arg: k.value for k in node.keywords}
        if name in ("load", "loads") and "allow_pickle" in kwargs:
            assert isinstance(kwargs["allow_pickle"], ast.Constant) and kwargs["allow_pickle"].value is False, where
        unsafe = kwargs.get("unsafe_allow_html")
        if unsafe is not None and not (isinstance(unsafe, ast.Constant) and unsafe.value is False):
            assert node.args and _is_constant(node.args[0], constants), \
                f"{where}: unsafe_allow_html renders something that is not a module constant"
        if name in HTML_CALLS and isinstance(func, ast.Attribute):
            assert node.args and _is_constant(node.args[0], constants), f"{where}: {name}() of a non-constant"


def test_the_scan_sees_the_one_known_html_use():
    """The presentation CSS is the app's only raw HTML, and it is a constant."""
    hits = [p for p in APP_CODE if "unsafe_allow_html" in p.read_text(encoding="utf-8")]
    assert ROOT / "lossapp" / "page.py" in hits


@pytest.mark.parametrize("page, key, raw, shown", [
    ("2_Regression.py", "huber_pred", "99", 5.0),  # the marker slider of a curve section
    ("3_Binary_classification.py", "fs_q", "7", 0.99),
    ("8_Compare.py", "cmp_label", "-40", -5.0),
    ("8_Compare.py", "cmp_pred", "1e3", 5.0),
])
def test_directly_made_sliders_clamp_link_values_with_a_notice(page, key, raw, shown):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(f"../app_pages/{page}", default_timeout=30)
    at.query_params[key] = raw
    at.run()
    assert not at.exception
    assert control_value(at, key) == pytest.approx(shown)
    notices = [w.value for w in at.warning]
    assert any(f"`{key}`" in n and f"using {shown:g}" in n for n in notices), notices


def test_compare_preset_from_a_link_falls_back_with_a_notice():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app_pages/8_Compare.py", default_timeout=30)
    at.query_params["cmp_preset"] = "<script>"
    at.run()
    assert not at.exception
    assert any("`cmp_preset`" in w.value and "regression" in w.value for w in at.warning)
    assert "<script>" not in " ".join(w.value for w in at.warning)


@pytest.mark.parametrize("key, raw, expected, notice", [
    ("cmp_range", ["-30", "3"], (-10.0, 3.0), "`cmp_lo` = -30 in the link is below the smallest value -10"),
    ("cmp_range", ["nan", "3"], (-5.0, 3.0), "`cmp_lo` in the link is not a finite number; using the default -5"),
    ("cmp_range", ["4"], (-5.0, 5.0), "`cmp_range` in the link is not two numbers"),
    ("cmp_losses", ["L1Loss", "<script>"], ["L1Loss"], "1 entry of `cmp_losses`"),
])
def test_compare_range_and_loss_list_from_a_link(key, raw, expected, notice):
    """The range as one parameter (what the Streamlit range slider writes) is read into the browser-side start
    and end sliders, each checked like any link value."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app_pages/8_Compare.py", default_timeout=30)
    at.query_params[key] = raw
    at.run()
    assert not at.exception
    if key == "cmp_range":
        assert (control_value(at, "cmp_lo"), control_value(at, "cmp_hi")) == expected
    else:
        assert tuple(at.multiselect(key=key).value) == tuple(expected)
    texts = [w.value for w in at.warning]
    assert any(notice in t for t in texts), texts
    assert "<script>" not in " ".join(texts)


# -- values Streamlit's own URL seeding would choke on ------------------------------------------------------------
@pytest.mark.parametrize("page, key, query, shown, notice", [
    ("7_Sequences.py", "ctc_seed", {"ctc_seed": "inf", "ctc_scores": "random"}, 0, "not a finite number"),
    ("7_Sequences.py", "ctc_seed", {"ctc_seed": "1e400", "ctc_scores": "random"}, 0, "not a finite number"),
    ("7_Sequences.py", "ctc_seed", {"ctc_seed": "-inf"}, 0, "not a finite number"),
    ("1_Basics.py", "basics_seed", {"basics_seed": "inf"}, 0, "not a finite number"),
    ("1_Basics.py", "basics_seed", {"basics_seed": "nan"}, 0, "not a finite number"),
    ("1_Basics.py", "basics_seed", {"basics_seed": "1" * 40}, 10_000, "above the largest value 10000"),
    ("1_Basics.py", "basics_seed", {"basics_seed": "2.5"}, 2, "not a whole number"),
])
def test_integer_number_inputs_take_a_checked_value_from_any_link(page, key, query, shown, notice):
    """Streamlit parses a bound number input's link value itself (int(float("inf")) raised OverflowError and
    replaced the page with an error): the guard takes the value it rejected or corrected out of Streamlit's way."""
    at = run_page(page, **query)
    assert at.number_input(key=key).value == shown
    assert any(f"`{key}`" in n and notice in n for n in notices(at)), notices(at)
    assert at.query_params.get(key) in (None, [str(shown)], str(shown))  # the address no longer holds the value
    at.run()
    assert not at.exception and at.number_input(key=key).value == shown


@pytest.mark.parametrize("raw, noticed", [("CAT", False), ("", False), ("A" * 13, True), (["A", "B"], True)])
def test_check_text(raw, noticed):
    d = urlstate.check_text(raw, "ctc_word", max_chars=12)
    assert not d.seed and bool(d.notice) == noticed
    assert d.notice is None or "AAAA" not in d.notice


def test_a_long_text_in_a_link_leaves_the_box_at_its_default():
    at = run_page("7_Sequences.py", ctc_word="A" * 200)
    assert at.text_input(key="ctc_word").value == "CAT"
    assert any("`ctc_word` in the link is 200 characters long" in n for n in notices(at))


def test_every_guard_is_in_the_registry_with_its_kind():
    run_page("1_Basics.py")
    assert urlstate.REGISTRY["basics_seed"] == "integer"
    assert urlstate.REGISTRY["basics_axis"] == "choice"
    assert urlstate.REGISTRY["basics_pred"] == "text"


def test_typed_arrays_are_capped():
    assert parse_array("1 2 3", "x", max_size=3).size == 3
    with pytest.raises(ValueError, match=r"x: 4 numbers; this box takes at most 3\."):
        parse_array("1 2; 3 4", "x", ndim=2, max_size=3)


def test_softmax_big_logits_are_capped_before_the_class_radio():
    """5,000 logits from a link took 13 s to run and drew a 5,000-option radio."""
    at = run_page("4_Softmax_cross_entropy.py", sce_big=" ".join(["1"] * 5000))
    assert any("logits: 5,000 numbers; this box takes at most 20." in e.value for e in at.error)
    assert not [r for r in at.radio if r.key == "sce_bigy"]
