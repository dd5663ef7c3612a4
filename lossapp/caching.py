"""The pages' caches: ``st.cache_data`` / ``st.cache_resource`` semantics at a dictionary lookup's cost.

Almost every cached call here takes plain values (numbers, strings, tuples of them). For those, Streamlit's caches
spend about a millisecond a hit hashing the arguments, and a page run makes dozens of hits; these decorators key
such calls by the values themselves (with their types, so 1, 1.0 and True stay apart) in an in-process LRU of
``max_entries`` and keep Streamlit's behaviour otherwise: ``cache_data`` hands every caller its own copy (the
result is kept pickled, as Streamlit keeps it: unpickling is several times faster than a deep copy of lists of
numbers; only bytes pickled here are ever unpickled), ``cache_resource`` the one shared object, arguments
named with a leading underscore are not part of the key, and ``.clear()`` empties the cache. A call with any
other argument (an array, an object) goes to Streamlit's own cache, by name, as before. Streamlit's "Clear
caches" menu does not reach the plain-value entries; ``max_entries`` bounds them.

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
import pickle
import threading
from collections import OrderedDict
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


_SCALARS = (str, int, float, bool, bytes, type(None))


def _plain_key(value: Any) -> Any:
    """A dictionary key for a plain value (its type included), or raise TypeError for anything else."""
    if type(value) in _SCALARS:
        return type(value), value
    if type(value) is tuple:
        return tuple, tuple(_plain_key(v) for v in value)
    raise TypeError("not a plain value")


class _PlainCache:
    """An LRU of at most ``max_entries`` results, keyed by plain argument values; with ``copy`` they are kept
    pickled and every caller gets its own copy, so no caller's change reaches the cache."""

    def __init__(self, max_entries: int | None, copy: bool):
        self.max_entries, self.copy = max_entries, copy
        self.store: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> tuple[bool, Any]:
        with self.lock:
            if key not in self.store:
                return False, None
            self.store.move_to_end(key)
            held = self.store[key]
        return True, (pickle.loads(held) if self.copy else held)

    def put(self, key: Any, value: Any) -> None:
        held = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) if self.copy else value
        with self.lock:
            self.store[key] = held
            while self.max_entries is not None and len(self.store) > self.max_entries:
                self.store.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.store.clear()


def _by_name(cached: CachedFunc[..., Any], fn: Callable, plain: _PlainCache) -> Callable:
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
        try:
            key = tuple((k, _plain_key(v)) for k, v in sorted(kwargs.items()) if not k.startswith("_"))
        except TypeError:
            key = None
        if key is not None:
            found, value = plain.get(key)
            if found:
                return value
            value = fn(**kwargs)
            plain.put(key, value)  # cache_data keeps its own copy: this caller may change the value it gets
            return value
        if ready:
            return cached(**kwargs)
        with _quiet_without_runtime():  # the first call makes the function's cache
            out = cached(**kwargs)
        ready.append(True)
        return out

    ready: list[bool] = []

    def clear(*args: Any, **kwargs: Any) -> None:
        plain.clear()
        with _quiet_without_runtime():
            cached.clear(*args, **kwargs)

    call.clear = clear  # type: ignore[attr-defined]
    return call


def cache_data(**options: Any) -> Callable[[Callable], Callable]:
    """``st.cache_data(**options)``, called with named arguments (see the module's docstring)."""
    def decorate(fn: Callable) -> Callable:
        with _quiet_without_runtime():  # decorating checks the options against the cache storage
            cached = st.cache_data(**options)(fn)
        return _by_name(cached, fn, _PlainCache(options.get("max_entries"), copy=True))

    return decorate


def cache_resource(**options: Any) -> Callable[[Callable], Callable]:
    """``st.cache_resource(**options)``, called with named arguments (see the module's docstring)."""
    return lambda fn: _by_name(st.cache_resource(**options)(fn), fn, _PlainCache(options.get("max_entries"),
                                                                                   copy=False))
