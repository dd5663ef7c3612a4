"""``st.cache_data`` and ``st.cache_resource`` for the pages, called with every argument by name.

To key a cached call, Streamlit looks up the function's signature once per positional argument of every call,
which adds up over a page's dozens of cached calls. These decorators take the same options and give the same
caching, but name the arguments once, when the function is decorated, so Streamlit receives keywords only. The
cache key is the same either way: Streamlit hashes ``(name, value)`` pairs in order.

Outside a Streamlit server (a script, a notebook, a unit test importing ``lossapp``) ``st.cache_data`` falls
back to an in-memory cache and logs "No runtime found, using MemoryCacheStorageManager" when a function is
decorated and again when its cache is made: about 30 lines for one import. That fallback is what such a caller
wants, so these decorators drop that one notice while they set up a cache outside a server, and nothing else
(Streamlit's other messages, and the notice for anyone else's functions, still show).

>>> @cache_data(max_entries=8, show_spinner=False)
... def twice(x: int, y: int = 1) -> int:
...     return 2 * x * y
>>> twice(3), twice(3, y=2), twice.__wrapped__(1)
(6, 12, 2)
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import streamlit as st
from streamlit import runtime

if TYPE_CHECKING:
    from streamlit.runtime.caching.cache_utils import CachedFunc

__all__ = ["cache_data", "cache_resource"]


_NO_RUNTIME = "No runtime found, using MemoryCacheStorageManager"
_DATA_LOGGER = logging.getLogger("streamlit.runtime.caching.cache_data_api")


class _DropNoRuntime(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _NO_RUNTIME


@contextlib.contextmanager
def _quiet_without_runtime() -> Iterator[None]:
    """Drop the in-memory fallback notice of ``st.cache_data`` during the block, when no server runs."""
    if runtime.exists():
        yield
        return
    notice = _DropNoRuntime()
    _DATA_LOGGER.addFilter(notice)
    try:
        yield
    finally:
        _DATA_LOGGER.removeFilter(notice)


def _by_name(cached: CachedFunc[..., Any], fn: Callable) -> Callable:
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
        if ready:
            return cached(**kwargs)
        with _quiet_without_runtime():  # the first call makes the function's cache
            out = cached(**kwargs)
        ready.append(True)
        return out

    ready: list[bool] = []

    def clear(*args: Any, **kwargs: Any) -> None:
        with _quiet_without_runtime():
            cached.clear(*args, **kwargs)

    call.clear = clear  # type: ignore[attr-defined]
    return call


def cache_data(**options: Any) -> Callable[[Callable], Callable]:
    """``st.cache_data(**options)``, called with named arguments (see the module's docstring)."""
    def decorate(fn: Callable) -> Callable:
        with _quiet_without_runtime():  # decorating checks the options against the cache storage
            return _by_name(st.cache_data(**options)(fn), fn)

    return decorate


def cache_resource(**options: Any) -> Callable[[Callable], Callable]:
    """``st.cache_resource(**options)``, called with named arguments (see the module's docstring)."""
    return lambda fn: _by_name(st.cache_resource(**options)(fn), fn)
