"""Hypothesis drives every page: random combinations of widget values, and random query strings, never raise.

Each example loads a page in AppTest, then makes a few random moves: a slider to any step, any option of a
radio, select box, select slider or button group, a random subset of a multiselect, a toggle, a button click,
hostile text in a text box, a random small file in an uploader. After every move the page must run without an
exception. The query-string test opens each page with a random link: known keys of the page and unknown ones,
with garbage values (NaN, 1e309, script tags, path fragments, Markdown links), valid values and out-of-range
numbers; the page must run, and no visitor text may come back as a live Markdown link or image.

The hypothesis profile is derandomised (tests/conftest.py): the same examples every run.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from apptest_charts import charts
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from lossapp import registry

ROOT = Path(__file__).resolve().parents[1]

#: The app (its router runs the home page) and every other page's script.
PAGES = ["app.py", *sorted(p.file for p in registry.PAGES if p is not registry.HOME)]
WIDGET_EXAMPLES = 15
QUERY_EXAMPLES = 15
MOVES = 4

#: No shrinking: a failing example is a few moves long already, and shrinking page runs takes minutes.
FUZZ = settings(max_examples=WIDGET_EXAMPLES, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: Text a classroom types into boxes (and a forged link puts into them).
HOSTILE_TEXT = [
    "", " ", "1, 2, 3", "1; 2; 3", "1 2\n3 4", "[1, 2]", "nan", "inf", "-inf", "1e309", "1e-320", "abc", "1,,2",
    "0x10", "1_000", "<script>alert(1)</script>", "[x](http://evil.example)", "![p](http://evil.example/p.png)",
    "../../etc/passwd", "%00", "\x00", "ℵ", "😀", "1e308, -1e308", "0, 0, 0", "-1, 1", "CAT", "1" * 500,
    ", ".join(["1"] * 300), "1;2,3;4,5,6",
]
GARBAGE_VALUES = [
    "nan", "NaN", "inf", "-inf", "1e309", "-1e309", "", "abc", "<script>alert(1)</script>", "../../etc/passwd",
    "%2e%2e%2f", "[x](http://evil.example)", "![p](http://evil.example/p.png)", "http://evil.example",
    "www.evil.example", "true", "False", "1", "0", "-1",
    "1e6", "-1e6", "0.5", "99", "-99", "3.5", "1" * 80, "regression", "classification", "L1Loss", "upload",
]
UNKNOWN_KEYS = ["x", "present", "embed", "embed_options", "__proto__", "../x", "page", "key", "a" * 40]
FILES = [
    ("data.csv", b"prediction,label\n0.5,1\n2,0\n"),
    ("scores.csv", b"1,2,3,0\n4,5,6,2\n"),
    ("binary.csv", bytes(range(256))),
    ("empty.csv", b""),
    ("ragged.csv", b"1,2\n3\n"),
    ("text.csv", b"a,b\nc,d\n"),
]
#: A visitor's Markdown link or image that survived unescaped (escaped text reads \[x\]\(http...), or a bare
#: address Markdown would turn into a link (lossapp.urlstate.md_escape breaks it with a zero-width space).
LIVE_LINK = re.compile(r"(?<!\\)\]\((?:https?:|javascript:|//)", re.IGNORECASE)
BARE_ADDRESS = re.compile(r"https?://evil|www\.evil", re.IGNORECASE)


@pytest.fixture(autouse=True, scope="module")
def full_error_details():
    """Tests see the real message of an exception (.streamlit/config.toml hides it from visitors)."""
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    yield
    config.set_option("client.showErrorDetails", before)


def load(page: str, query: dict | None = None) -> AppTest:
    path = f"../{page}" if page == "app.py" else f"../app_pages/{page}"
    at = AppTest.from_file(path, default_timeout=60)
    if query:
        at.query_params.update(query)
    run(at, f"{page} ?{query}")
    return at


def run(at: AppTest, what: str) -> None:
    at.run()
    assert not at.exception, (what, [e.value for e in at.exception])
    texts = [e.value for kind in ("markdown", "caption", "error", "warning", "info", "success")
             for e in at.get(kind) if isinstance(getattr(e, "value", None), str)]
    live = [t for t in texts if LIVE_LINK.search(t) or BARE_ADDRESS.search(t.replace("\\", ""))]
    assert not live, (what, live)


# -- widgets ----------------------------------------------------------------------------------------------------
KINDS = ("slider", "select_slider", "number_input", "radio", "selectbox", "multiselect", "checkbox", "toggle",
         "text_input", "text_area", "button", "button_group", "file_uploader")


def widgets(at: AppTest) -> list:
    found = []
    for kind in KINDS:
        for w in at.get(kind):
            if not getattr(w, "disabled", False):
                found.append(w)
    return found


def _label_value(w, label: str):
    """A value that the widget formats as ``label`` (AppTest takes raw option values)."""
    candidates = [label]
    try:
        number = float(label)
        candidates += [number, int(number)] if number.is_integer() else [number]
    except ValueError:
        pass
    for c in candidates:
        try:
            if str(w.format_func(c)) == label:
                return c
        except Exception:  # noqa: BLE001 - a format_func that only takes numbers
            continue
    return label  # AppTest falls back to matching the label itself


def move(data, w, what: str) -> str:
    """Give widget ``w`` a random value a visitor could give it; returns a description for failure messages."""
    kind = w.type if hasattr(w, "type") else type(w).__name__
    if kind == "slider":
        lo, hi, step = w.min, w.max, w.step or 1
        n = int(round((hi - lo) / step))
        # the ends of the range as often as any inner step: range sliders then also get equal ends
        steps = st.one_of(st.just(0), st.just(max(n, 0)), st.integers(0, max(n, 0)))
        pick = lambda: lo + step * data.draw(steps, label=what)  # noqa: E731
        if isinstance(w.value, (tuple, list)):
            a, b = sorted((pick(), pick()))
            w.set_range(a, b)
            return f"{w.key}=({a}, {b})"
        v = pick()
        v = int(v) if isinstance(w.value, int) and not isinstance(w.value, bool) else float(v)
        w.set_value(v)
        return f"{w.key}={v}"
    if kind == "number_input":
        lo = w.min if w.min is not None else -1e6
        hi = w.max if w.max is not None else 1e6
        if isinstance(w.value, int) and not isinstance(w.value, bool):
            v = data.draw(st.integers(int(lo), int(hi)), label=what)
        else:
            v = data.draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False), label=what)
        w.set_value(v)
        return f"{w.key}={v}"
    if kind in ("radio", "selectbox"):
        label = data.draw(st.sampled_from(w.options), label=what)
        w.set_value(_label_value(w, label))
        return f"{w.key}={label}"
    if kind == "select_slider":
        labels = data.draw(st.lists(st.sampled_from(w.options), min_size=2, max_size=2), label=what)
        if isinstance(w.value, (tuple, list)):
            a, b = sorted(labels, key=w.options.index)
            w.set_range(_label_value(w, a), _label_value(w, b))
            return f"{w.key}=({a}, {b})"
        w.set_value(_label_value(w, labels[0]))
        return f"{w.key}={labels[0]}"
    if kind == "multiselect":
        labels = data.draw(st.lists(st.sampled_from(w.options), unique=True, max_size=len(w.options)), label=what)
        w.set_value([_label_value(w, label) for label in labels])
        return f"{w.key}={labels}"
    if kind == "button_group":
        label = data.draw(st.sampled_from(w.options), label=what)
        w.set_value(_label_value(w, label))
        return f"{w.key}={label}"
    if kind in ("checkbox", "toggle"):
        v = data.draw(st.booleans(), label=what)
        w.set_value(v)
        return f"{w.key}={v}"
    if kind in ("text_input", "text_area"):
        text = data.draw(st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40)), label=what)
        limit = getattr(w.proto, "max_chars", 0) or None
        text = text[:limit] if limit else text
        w.set_value(text)
        return f"{w.key}={text!r}"
    if kind == "button":
        w.click()
        return f"click {w.label!r}"
    if kind == "file_uploader":
        name, content = data.draw(st.sampled_from(FILES), label=what)
        w.set_value((name, content, "text/csv"))
        return f"upload {name}"
    raise AssertionError(f"unhandled widget kind {kind}")


@pytest.mark.parametrize("page", PAGES)
@FUZZ
@given(data=st.data())
def test_random_widget_moves_never_raise(page, data):
    at = load(page)
    done = []
    for step in range(MOVES):
        found = widgets(at)
        if not found:
            return
        w = found[data.draw(st.integers(0, len(found) - 1), label=f"widget {step}")]
        done.append(move(data, w, f"value {step}"))
        run(at, f"{page}: {done}")


# -- query strings -------------------------------------------------------------------------------------------------
@cache
def page_keys(page: str) -> tuple[str, ...]:
    """The keys of a page's widgets with default settings (the URL parameters it reads)."""
    at = load(page)
    return tuple(sorted({w.key for w in widgets(at) if w.key}))


def query_strategy(page: str):
    keys = st.sampled_from(list(page_keys(page)) + UNKNOWN_KEYS)
    value = st.one_of(st.sampled_from(GARBAGE_VALUES), st.text(max_size=20),
                      st.floats(allow_nan=True, allow_infinity=True).map(repr),
                      st.lists(st.sampled_from(GARBAGE_VALUES), min_size=2, max_size=3))
    return st.dictionaries(keys, value, min_size=1, max_size=6)


@pytest.mark.parametrize("page", PAGES)
@settings(FUZZ, max_examples=QUERY_EXAMPLES)
@given(data=st.data())
def test_random_query_strings_never_raise(page, data):
    query = data.draw(query_strategy(page), label="query")
    at = load(page, query)
    run(at, f"{page} ?{query} (second run)")


@cache
def text_keys(page: str) -> tuple[str, ...]:
    at = load(page)
    return tuple(sorted(w.key for kind in ("text_input", "text_area") for w in at.get(kind) if w.key))


#: Pages with no text box: checked below, so a text box added to one of them joins this test.
NO_TEXT_BOXES = {"app.py", "2_Regression.py", "3_Binary_classification.py", "8_Compare.py", "9_Training_lab.py",
                 "11_Segmentation.py", "11_Modern_classification.py"}


def test_pages_without_text_boxes_are_the_listed_ones():
    assert {page for page in PAGES if not text_keys(page)} == NO_TEXT_BOXES


@pytest.mark.parametrize("page", [p for p in PAGES if p not in NO_TEXT_BOXES])
def test_links_and_markup_in_every_text_box_come_back_as_text(page):
    """Every text box of the page gets a Markdown link, a bare address, an image and a script tag from the link;
    whatever the page says about them, none is a live link (``run`` checks) and nothing raises."""
    keys = text_keys(page)
    for payload in ("1, [x](http://evil.example)", "[a](//e.co)", "http://evil.example", "www.evil.example, 2",
                    "![p](http://evil.example/p.png)", "<script>alert(1)</script>"):
        load(page, dict.fromkeys(keys, payload))


# -- every address parameter, hostile ------------------------------------------------------------------------------
#: What a forged link puts where a number, an option or a switch goes: each of these ended a page's run in
#: Streamlit's own URL seeding (``int(float("inf"))`` in an integer number input) until lossapp.urlstate dropped it.
HOSTILE_LINK_VALUES = ["inf", "-inf", "nan", "1e400", "1" * 40, "-" + "9" * 40, "text"]
#: Widgets whose options decide which other widgets a page shows (a mode, a loss, a preset).
CHOOSERS = ("radio", "selectbox", "button_group", "toggle", "checkbox")


def streamlit_bound(at: AppTest) -> set[str]:
    """The address parameters Streamlit bound to a widget in the last run (``bind="query-params"``)."""
    with at.session_state._state.query_params() as qp:
        return set(qp._bindings_by_param)


def bound_params(at: AppTest) -> set[str]:
    """The address parameters the last run read: the widgets Streamlit bound to the address, and the
    browser-side sliders (which the page reads from the address itself)."""
    return streamlit_bound(at) | {s["id"] for c in charts(at) for s in c.controls}


def _moves(at: AppTest):
    """Each other option of each chooser on the page, as the (parameter, value) a link gives it."""
    for kind in CHOOSERS:
        for w in at.get(kind):
            if not w.key:
                continue
            if kind in ("toggle", "checkbox"):
                yield w.key, "false" if w.value else "true"
            else:
                yield from ((w.key, label) for label in w.options)


@cache
def page_states(page: str, plain: bool) -> tuple[tuple[tuple[tuple[str, str], ...], frozenset[str]], ...]:
    """The states of a page that read address parameters the default state does not, each as (the address that
    reaches it, the parameters it reads): the default, then every option of every chooser of the default state
    that brings a new parameter. Found by running the page, so a widget added to any of them is found too.
    (``plain`` is part of the cache key: the caller sets the environment.)"""
    at = load(page)
    seen = bound_params(at)
    states = [((), frozenset(seen))]
    for key, value in list(_moves(at)):
        keys = bound_params(load(page, {key: value}))
        if keys - seen:
            states.append((((key, value),), frozenset(keys)))
            seen |= keys
    return tuple(states)


def _plain(monkeypatch, plain: bool) -> None:
    if plain:
        monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    else:
        monkeypatch.delenv("LOSSAPP_PLAIN_CHARTS", raising=False)


PLAIN = pytest.mark.parametrize("plain", [False, True], ids=["live", "plain"])


@PLAIN
@pytest.mark.parametrize("page", PAGES)
def test_every_bound_widget_checks_its_link_value(page, plain, monkeypatch):
    """Every widget bound to the address, in every state of the page, goes through lossapp.urlstate's guard (its
    key is in the registry), so no link value reaches Streamlit's URL seeding unchecked."""
    from lossapp import urlstate

    _plain(monkeypatch, plain)
    for address, _keys in page_states(page, plain):
        unguarded = streamlit_bound(load(page, dict(address))) - set(urlstate.REGISTRY)
        assert not unguarded, (page, address, sorted(unguarded))


#: Checks of text: a text box or a list of choices given "inf" shows its own message and the page stops before the
#: widgets that need its numbers, so a second run leaves these at their defaults to reach every other parameter.
TEXT_KINDS = ("text", "subset")


@PLAIN
@pytest.mark.parametrize("page", PAGES)
def test_hostile_values_for_every_address_parameter_leave_the_page_working(page, plain, monkeypatch):
    """Each address parameter the page reads (found from its widgets, in every state a chooser reaches) set to
    inf, -inf, nan, 1e400, a 40-digit integer and text: the page renders its title and runs to the end without
    an exception, also on the next run; every parameter was read in at least one of those runs."""
    from lossapp import urlstate

    _plain(monkeypatch, plain)
    for address, keys in page_states(page, plain):
        fixed = dict(address)
        free = [k for k in keys if k not in fixed]
        numeric = [k for k in free if urlstate.REGISTRY.get(k, "number") not in TEXT_KINDS]
        reached: set[str] = set()
        for value in HOSTILE_LINK_VALUES:
            for hostile in (free, numeric):
                at = load(page, {**dict.fromkeys(hostile, value), **fixed})
                assert at.get("title"), (page, value, "the page did not render its title")
                reached |= bound_params(at)
            run(at, f"{page} ?{fixed} and every other parameter {value!r} (second run)")
        assert keys <= reached, (page, address, sorted(keys - reached))
