"""Streamlit widgets bound to the page address, each checking the link's value first (a bad value
falls back with a notice), and browser-side sliders made from catalog parameters."""

from __future__ import annotations

from typing import Any

from lossapp import locks, urlstate
from lossapp.controls import BIND, bound_slider
from lossapp.live_chart import ClientSlider, client_slider, live_charts_enabled


def client_param(param, key: str, default: Any = None, *, role: str = "scale", factor: float = 1.0,
                 label: str | None = None, curve: str = "") -> ClientSlider:
    """A catalog parameter (a weight, pos_weight, a margin) as a browser-side slider with its range and help
    (labelled with the parameter's name unless ``label`` is given; ``curve``: see ClientSlider)."""
    return client_slider(key, label or param.name, low=float(param.low), high=float(param.high),
                         step=float(param.step), default=float(param.default if default is None else default),
                         role=role, help=param.help, factor=factor, curve=curve)


def marker_control(box, label: str, low: float, high: float, value: float, step: float, *, key: str,
                   help: str) -> tuple[float, ClientSlider | None]:
    """A marker slider: browser-side under the chart with live charts (returned, for :func:`chart`), else a
    Streamlit slider in ``box``. Returns the value and the browser-side slider (None for a Streamlit one)."""
    if live_charts_enabled():
        s = client_slider(key, label, low=low, high=high, step=step, default=value, role="marker", help=help)
        return s.value, s
    return float(bound_slider(box, label, low, high, value, step, key=key, help=help)), None


def bound_number(box, label: str, low, high, value, step, **kw):
    """``box.number_input`` bound to the URL, the link's value checked first."""
    urlstate.guard_number(kw["key"], low=low, high=high, default=value, integer=isinstance(value, int))
    kw.setdefault("bind", BIND)
    return box.number_input(label, low, high, value, step, **locks.disabled(box, kw["key"], kw))


def bound_radio(box, label: str, options, **kw):
    """``box.radio`` bound to the URL, the link's value checked first (an unknown option falls back with a notice)."""
    options = list(options)
    shown = kw.get("format_func", str)
    urlstate.guard_choice(kw["key"], options=options, default=options[kw.get("index", 0)],
                          labels=[shown(o) for o in options])
    kw.setdefault("bind", BIND)
    return box.radio(label, options, **locks.disabled(box, kw["key"], kw))


def bound_toggle(box, label: str, value: bool, **kw):
    """``box.toggle`` bound to the URL, the link's value checked first."""
    urlstate.guard_bool(kw["key"], default=value)
    kw.setdefault("bind", BIND)
    return box.toggle(label, value, **locks.disabled(box, kw["key"], kw))
