"""``st.cache_data`` and ``st.cache_resource`` for the pages, called with every argument by name.

To key a cached call, Streamlit looks up the function's signature once per positional argument of every call,
which adds up over a page's dozens of cached calls. These decorators take the same options and give the same
caching, but name the arguments once, when the function is decorated, so Streamlit receives keywords only. The
cache key is the same either way: Streamlit hashes ``(name, value)`` pairs in order.

>>> @cache_data(max_entries=8, show_spinner=False)
... def twice(x: int, y: int = 1) -> int:
...     return 2 * x * y
>>> twice(3), twice(3, y=2), twice.__wrapped__(1)
(6, 12, 2)
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import streamlit as st

__all__ = ["cache_data", "cache_resource"]


def _by_name(cached: Callable, fn: Callable) -> Callable:
    params = inspect.signature(fn).parameters.values()
    if any(p.kind in (p.VAR_POSITIONAL, p.POSITIONAL_ONLY) for p in params):
        raise TypeError(f"{fn.__qualname__}: cached functions here take named arguments only (no *args, no /)")
    names = tuple(p.name for p in params)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if args:
            if len(args) > len(names):
                raise TypeError(f"{fn.__qualname__}() takes {len(names)} arguments; got {len(args)}")
            named = dict(zip(names, args, strict=False))  # fewer arguments than names: the rest by name
            if named.keys() & kwargs.keys():
                raise TypeError(f"{fn.__qualname__}() got {sorted(named.keys() & kwargs.keys())} twice")
            kwargs = {**named, **kwargs}
        return cached(**kwargs)

    call.clear = cached.clear  # type: ignore[attr-defined]
    return call


def cache_data(**options: Any) -> Callable[[Callable], Callable]:
    """``st.cache_data(**options)``, called with named arguments (see the module's docstring)."""
    return lambda fn: _by_name(st.cache_data(**options)(fn), fn)


def cache_resource(**options: Any) -> Callable[[Callable], Callable]:
    """``st.cache_resource(**options)``, called with named arguments (see the module's docstring)."""
    return lambda fn: _by_name(st.cache_resource(**options)(fn), fn)
