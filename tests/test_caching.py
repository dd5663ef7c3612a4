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
