"""lossapp.caching: Streamlit's caches, called with every argument by name."""

from __future__ import annotations

import inspect

import pytest
import streamlit.type_util

from lossapp.caching import cache_data, cache_resource


@pytest.mark.parametrize("decorator", [cache_data, cache_resource])
def test_positional_and_named_calls_share_one_cache_entry(decorator):
    calls = []

    @decorator(max_entries=8, show_spinner=False)
    def area(width: float, height: float = 1.0, _note: str = "") -> float:
        calls.append((width, height))
        return width * height

    area.clear()
    assert area(2.0, 3.0) == 6.0
    assert area(2.0, height=3.0) == 6.0 and area(width=2.0, height=3.0, _note="not hashed") == 6.0
    assert calls == [(2.0, 3.0)]  # one computation for the three spellings
    assert area(2.0) == 2.0 and calls[-1] == (2.0, 1.0)
    area.clear()
    area(2.0, 3.0)
    assert len(calls) == 3


def test_streamlit_never_looks_up_the_signature_per_call(monkeypatch):
    @cache_data(max_entries=8, show_spinner=False)
    def total(a: int, b: int, c: int) -> int:
        return a + b + c

    lookups = []
    real = streamlit.type_util.get_func_parameters
    monkeypatch.setattr(streamlit.type_util, "get_func_parameters",
                        lambda fn: lookups.append(fn) or real(fn))
    assert total(1, 2, 3) == 6 and total(1, 2, c=4) == 7
    assert lookups == []


def test_bad_calls_raise_type_errors_like_the_function_would():
    @cache_data(max_entries=8, show_spinner=False)
    def pair(a: int, b: int = 0) -> tuple:
        return a, b

    with pytest.raises(TypeError, match=r"takes 2 arguments; got 3"):
        pair(1, 2, 3)
    with pytest.raises(TypeError, match=r"got \['a'\] twice"):
        pair(1, a=2)
    assert inspect.signature(pair) == inspect.signature(pair.__wrapped__)


def test_functions_with_star_args_are_refused():
    with pytest.raises(TypeError, match="named arguments only"):
        cache_data(show_spinner=False)(lambda *values: sum(values))


NO_RUNTIME = "No runtime found"

# Run in a fresh interpreter, as a script or a notebook would: no Streamlit server, nothing imported yet.
_IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
import lossapp
names = sorted(m.name for m in pkgutil.walk_packages(lossapp.__path__, "lossapp."))
for name in names:
    importlib.import_module(name)
from lossapp.curve_views import curve_view
view = curve_view("HuberLoss", {"rho": 2.0}, 0.5)  # calls make the functions' caches
assert view.curves[0].loss.size > 100
curve_view("HuberLoss", {"rho": 2.0}, 0.5)
print("imported", len(names), flush=True)
print("=== own function", file=sys.stderr, flush=True)
import streamlit as st
@st.cache_data
def own(x):
    return x
own(1)
"""


def test_importing_and_calling_lossapp_outside_a_server_logs_no_runtime_notice():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _IMPORT_EVERYTHING], capture_output=True, text=True, timeout=240,
                          check=False)
    assert done.returncode == 0, done.stderr
    count = int(done.stdout.split("imported", 1)[1])
    assert count >= 15  # every module of the package, views and pages' helpers included
    ours, theirs = done.stderr.split("=== own function", 1)
    assert NO_RUNTIME not in ours, ours
    # only our own caches are quiet: Streamlit still tells anyone else's function about its fallback
    assert NO_RUNTIME in theirs


def test_a_cache_cleared_outside_a_server_logs_no_runtime_notice(caplog):
    @cache_data(max_entries=4, show_spinner=False)
    def double(x: int) -> int:
        return 2 * x

    with caplog.at_level("WARNING", logger="streamlit"):
        assert double(2) == 4 and double(x=2) == 4
        double.clear()
        assert double(3) == 6
    assert NO_RUNTIME not in caplog.text


def test_plain_values_are_keyed_with_their_types_and_copied_like_cache_data():
    calls = []

    @cache_data(max_entries=8, show_spinner=False)
    def box(x: object) -> dict:
        calls.append(x)
        return {"x": x, "items": [1, 2]}

    assert box(1)["x"] == 1 and type(box(1.0)["x"]) is float and box(True)["x"] is True
    assert len(calls) == 3  # 1, 1.0 and True are three entries, as Streamlit's hashing keeps them
    mine = box((1, "a"))
    mine["items"].append(3)  # the caller's copy, not the cache's
    assert box((1, "a"))["items"] == [1, 2] and len(calls) == 4


def test_cache_resource_shares_one_object_and_max_entries_evicts_the_oldest():
    calls = []

    @cache_resource(max_entries=2, show_spinner=False)
    def thing(n: int) -> list:
        calls.append(n)
        return [n]

    assert thing(1) is thing(1)
    thing(2)
    thing(3)  # evicts 1, the least recently used
    thing(2)
    assert calls == [1, 2, 3]
    thing(1)
    assert calls == [1, 2, 3, 1]


def test_arguments_that_are_not_plain_values_still_use_streamlits_cache():
    import numpy as np

    calls = []

    @cache_data(max_entries=8, show_spinner=False)
    def total(values: np.ndarray) -> float:
        calls.append(1)
        return float(values.sum())

    assert total(np.arange(4.0)) == 6.0 and total(np.arange(4.0)) == 6.0
    assert len(calls) == 1  # hashed by content by Streamlit
