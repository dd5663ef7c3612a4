"""Plotly charts that stay on the page and redraw in place when a widget moves.

``st.plotly_chart`` names its element after a hash of the figure, so every new figure (every slider step) makes
the browser throw the old chart away and build a new one from nothing, which costs about 100 ms on a 2-core
machine (bench/ui_latency.py). :func:`plotly_chart` keeps one ``<div>`` per chart ``key`` instead: a small
Streamlit component (``st.components.v2``) hands each new figure to ``Plotly.react``, which updates the drawing
that is already there.

The component runs plotly.js from the plotly Python package (the same release our figures are built for). It is
served by Streamlit's static file serving (``server.enableStaticServing`` in ``.streamlit/config.toml``) from
``static/plotly.min.js``, which :func:`ensure_plotly_js` copies out of the installed package (the copy is
git-ignored). The component's own JavaScript (ES modules) and CSS are files in ``lossapp/frontend``, which
Streamlit serves (and browsers cache) because the installed ``lossapp`` package declares them
(``lossapp/pyproject.toml``); the component is registered on first use inside a script run. Where the package is
not installed or the copy is impossible (a read-only checkout), or when ``LOSSAPP_PLAIN_CHARTS=1`` is set,
charts fall back to ``st.plotly_chart``. No chart offers to upload itself (:func:`private_config`).

Charts adopt the app theme's text colour and font (from the component's ``--st-*`` CSS properties), so the
transparent figures of :mod:`lossapp.figures` read in the light and the dark theme alike. Each chart is an image
for assistive technology (``role="img"``) named by its alt text.

Even a redraw in place waits for a script run (about 100 ms or more per key press on these machines, most of it
Streamlit's own round trip). Controls that only pick among numbers the chart already holds need none:
browser-side sliders (:class:`ClientSlider`) are drawn under the chart as labelled native range inputs and
applied by the browser (scale the curves by a weight, slide them by a label, move the marker and read the loss
and gradient there).
The page address follows each step; once the slider has been still for a moment, one "sync" message tells the
server, which checks the values (:func:`apply_sync`) and keeps them in ``st.query_params``, where
:func:`client_slider` reads them on the next run. Messages are numbered, one is in flight at a time, and the
chart is told the number of the last one applied, so a late reply never undoes a newer step in the browser
(``frontend/sync.js``).

Sections with small charts go further with "frame" sliders (:mod:`lossapp.frames`): the server sends, for each
slider, the chart's changing parts and the numbers under the chart (:class:`Stat`) at every value of that slider
with the others held, and the browser lays the one for the slider's value over the chart. Other charts of the
section can follow those sliders.

A chart that is drawn already and out of view (scrolled away, in a closed tab or expander) is not redrawn until
some part of it comes into view (an ``IntersectionObserver``): a slider step redraws the charts one can see, and a
chart scrolled to shows the latest state before it is seen in full. Its accessible name is the server's and is
set at once either way.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import streamlit as st
from streamlit import runtime
from streamlit.errors import StreamlitAPIException

from lossapp import locks, urlstate
from lossapp.controls import decimals_of
from lossapp.figures import CONFIG

__all__ = [
    "ROOT",
    "STATIC_PLOTLY",
    "ClientSlider",
    "Stat",
    "apply_sync",
    "chart_json",
    "chart_config",
    "client_slider",
    "component_data",
    "ensure_plotly_js",
    "live_charts_enabled",
    "payload_bytes",
    "plotly_chart",
    "shown_range",
    "slider_values",
]

_LOG = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
#: Where Streamlit's static serving finds plotly.js (served as ``<base>/app/static/plotly.min.js``).
STATIC_PLOTLY = ROOT / "static" / "plotly.min.js"
PACKAGE_PLOTLY = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

#: "<package>.<component>" as declared in lossapp/pyproject.toml
COMPONENT_NAME = "lossapp.live_chart"

# One chart container per key; plotly draws into it. `data-testid` lets tests find the charts. Client-side controls
# (see ClientSlider) are built into the second box when a chart has them.
_HTML = ('<div class="lossapp-chart" data-testid="lossappChart" role="img"></div>'
         '<div class="lossapp-controls" data-testid="lossappControls"></div>')

#: Where the component's JavaScript (ES modules, entry ``index.js``) and CSS live: served by Streamlit as files
#: the browser caches, under the component's ``asset_dir`` (declared in ``lossapp/pyproject.toml``).
FRONTEND = Path(__file__).resolve().parent / "frontend"
#: Set to 0 to draw without the plotly speed-up patch (``frontend/plotly_patch.js``).
PATCH_ENV = "LOSSAPP_PLOTLY_PATCH"

#: The plotly toolbar's buttons that would send a chart off the server (Plotly Cloud, Chart Studio).
UPLOAD_BUTTONS = ("sendChartToCloud", "sendDataToCloud", "editInChartStudio")


def private_config(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with every way of uploading the chart switched off: nothing a visitor does leaves the server.

    >>> c = private_config({"modeBarButtonsToRemove": ["lasso2d"]})
    >>> c["showSendToCloud"], c["showEditInChartStudio"], c["displaylogo"], c["modeBarButtonsToRemove"][:2]
    (False, False, False, ['lasso2d', 'sendChartToCloud'])
    """
    remove = list(config.get("modeBarButtonsToRemove") or [])
    remove += [b for b in UPLOAD_BUTTONS if b not in remove]
    return dict(config, displaylogo=False, showSendToCloud=False, showEditInChartStudio=False, showLink=False,
                modeBarButtonsToRemove=remove)


#: A trigger message longer than this is not one the page sent (a sync message is well under 1 kB).
TRIGGER_MAX_CHARS = 65_536


def guard_trigger_parsing() -> None:
    """Make Streamlit read an unreadable component message as no message.

    Streamlit parses a component's trigger messages with ``json.loads`` and lets through anything but a
    ``JSONDecodeError``: one nested 100,000 deep (RecursionError) or holding a 5,000-digit integer (ValueError),
    sent from the browser console, ends the page's run before any callback of ours sees it. Its parser is
    wrapped (once) so that such a message, or one over :data:`TRIGGER_MAX_CHARS`, counts as none.
    """
    from streamlit.components.v2.bidi_component import main as bidi_main

    original = bidi_main.deserialize_trigger_list
    if getattr(original, "lossapp_guarded", False):
        return

    def guarded(s: str | None) -> list[Any] | None:
        if isinstance(s, str) and len(s) > TRIGGER_MAX_CHARS:
            return None
        try:
            return original(s)
        except (RecursionError, ValueError):
            return None

    guarded.lossapp_guarded = True  # type: ignore[attr-defined]
    bidi_main.deserialize_trigger_list = guarded


_COMPONENT: Any = None


def _chart_component() -> Any:
    """The registered component (registered on first use, inside a script run: Streamlit resolves the file
    paths against the installed package's asset_dir then), or None when the package is not installed."""
    global _COMPONENT
    if _COMPONENT is None and runtime.exists():
        guard_trigger_parsing()
        try:
            _COMPONENT = st.components.v2.component(COMPONENT_NAME, html=_HTML, css="chart.css", js="index.js",
                                                    isolate_styles=False)
        except StreamlitAPIException:
            _COMPONENT = False
            _LOG.warning("The chart component's files are not installed (pip install -e lossapp): plain charts.")
    return _COMPONENT or None


def ensure_plotly_js(target: Path = STATIC_PLOTLY, source: Path = PACKAGE_PLOTLY) -> bool:
    """Make sure ``target`` is a copy of the installed package's plotly.js; True when it is (or now is).

    The copy is written to a temporary file first and renamed, so a browser never gets half a file.
    """
    try:
        if target.exists() and target.stat().st_size == source.stat().st_size:
            return True
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".plotly-", suffix=".js")
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        return True
    except OSError:
        return False


_READY: bool | None = None


def live_charts_enabled() -> bool:
    """Whether charts use the redraw-in-place component (plotly.js in place, static serving on, the component's
    files installed, not opted out). Decided once inside a Streamlit server."""
    global _READY
    if os.environ.get("LOSSAPP_PLAIN_CHARTS", "") not in ("", "0"):
        return False
    if _READY is None:
        ready = (bool(st.get_option("server.enableStaticServing")) and ensure_plotly_js()
                 and _chart_component() is not None)
        if not runtime.exists():
            return ready
        _READY = ready
    return _READY


def _kept_on(fig: go.Figure, name: str, make: Callable[[], str]) -> str:
    """``make()``, worked out once per figure object and kept on the figure as attribute ``name`` (where the
    figure takes one)."""
    kept = getattr(fig, name, None)
    if kept is None:
        kept = make()
        try:
            setattr(fig, name, kept)
        except (AttributeError, ValueError):
            pass
    return kept


def chart_json(fig: go.Figure) -> str:
    """The figure as plotly JSON (arrays base64-encoded), computed once per figure object.

    Cached figures (``lossapp.charts``) are shown on many runs; their JSON is kept on the figure itself, so they
    must not be modified after their first display (they are not: they are frozen or treated as read-only).
    """
    return _kept_on(fig, "_lossapp_json", lambda: fig.to_json(validate=False))


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def payload_bytes(fig: go.Figure, data: dict[str, Any]) -> bytes:
    """What the component receives: ``data`` with ``"figure"`` (the figure's JSON as a string) as UTF-8 JSON
    bytes, which Streamlit passes on as they are.

    Given a dict or a list, Streamlit would serialise it to JSON twice on every run (once to send, once sorted for
    the element's identity), figure and frame tables included: 2.4 to 8.6 ms a page run here for 100 to 700 kB of
    charts. Bytes it sends as they are and identifies by their hash. The figure's JSON string literal is kept on
    the figure (cached figures are shown on many runs); the rest is serialised once per run.
    """
    literal = _kept_on(fig, "_lossapp_json_literal", lambda: json.dumps(chart_json(fig)))
    parts = ['"figure":' + literal]
    for name, value in data.items():
        parts.append(json.dumps(name) + ":" + _compact(value))
    return ("{" + ",".join(parts) + "}").encode()


def _static_url() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return ("/" + base if base else "") + "/app/static/plotly.min.js"


#: What a browser-side slider can do (see :class:`ClientSlider`).
ROLES = ("scale", "shift", "mix", "pscale", "marker", "frame", "xlo", "xhi")


def shown_range(start: float, end: float, width: float, low: float, high: float) -> tuple[float, float]:
    """The part of the x-axis an "xlo" / "xhi" slider pair shows: from the smaller value to the larger, widened
    to at least ``width`` inside [``low``, ``high``] (the browser's script does the same).

    >>> shown_range(-5, 5, 0.5, -10, 10), shown_range(3, 1, 0.5, -10, 10), shown_range(2, 2, 0.5, -10, 10)
    ((-5.0, 5.0), (1.0, 3.0), (2.0, 2.5))
    >>> shown_range(10, 10, 0.5, -10, 10)
    (9.5, 10.0)
    """
    a, b = sorted((float(start), float(end)))
    if b - a < width:
        if a + width <= high:
            b = a + width
        else:
            a = b - width
    return a + 0.0, b + 0.0


@dataclass(frozen=True)
class ClientSlider:
    """A slider that the browser applies to a curve chart by itself, with no script run per step.

    ``role`` is "scale" (the loss and gradient traces are multiplied by the product of every scale slider: a loss
    ``weight`` or a ``sample_weight``; one with a ``curve`` scales only that curve's traces), "shift" (the curves
    slide right by the value: the label of a loss of pred − label, drawn at label 0 over a range wide enough for
    every label), "mix" (the label z of a loss linear in its label: the curves are (1 − z) times the figure's, drawn
    at label 0, plus z times ``mix``'s, the same traces at label 1; a "pscale" slider multiplies that label-1 part:
    SigmoidBCE's pos_weight), "marker" (the marker, its tangent and the dashed guides move to the grid point nearest
    the value, and the chart shows the loss and gradient there), "frame" (the chart shows the patch the server
    computed for that value, see :func:`plotly_chart`'s ``frames``), or "xlo" / "xhi" (a pair: the start and
    end of the part of the x-axis shown, :func:`shown_range`; the figure covers their whole range, and a marker
    slider keeps inside the part shown). ``id`` is the slider's query parameter. The figure sent with such
    sliders must be drawn at scale 1 and shift 0 (its marker is moved anyway).
    """

    id: str
    label: str
    low: float
    high: float
    step: float
    value: float
    role: str
    help: str = ""
    #: For "shift": the curves slide by factor × value (a hinge's margin slides by the label, ±1).
    factor: float = 1.0
    #: For "scale": the one curve it scales (a curve's name, its traces' ``meta.curve``); every curve when empty.
    curve: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(map(repr, ROLES))}; got {self.role!r}")
        if not (self.low < self.high and self.step > 0):
            raise ValueError(f"{self.id}: need low < high and step > 0; got {self.low}, {self.high}, {self.step}")

    def snap(self, value: float) -> float:
        """``value`` clamped to the range and moved to the nearest step, as the browser's slider would."""
        v = min(max(float(value), self.low), self.high)
        k = round((v - self.low) / self.step)
        return round(min(self.low + k * self.step, self.high), decimals_of(self.step) + 1) + 0.0

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        return {"id": d["id"], "label": d["label"], "min": d["low"], "max": d["high"], "step": d["step"],
                "value": d["value"], "role": d["role"], "help": d["help"], "factor": d["factor"],
                **({"curve": d["curve"]} if d["curve"] else {})}


def client_slider(key: str, label: str, *, low: float, high: float, step: float, default: float, role: str,
                  help: str = "", factor: float = 1.0, curve: str = "") -> ClientSlider:
    """The :class:`ClientSlider` ``key`` with its value from the page address (checked like a bound widget's:
    out-of-range values are clamped and anything else falls back to ``default``, each with a notice, and the
    address is corrected so the notice is shown once)."""
    probe = ClientSlider(key, label, low, high, step, default, role, help)
    urlstate.note_key(key)
    values = st.query_params.get_all(key)
    raw: str | list[str] | None = None if not values else values[0] if len(values) == 1 else values
    decision = urlstate.check_number(raw, key, low=low, high=high, default=default)
    if decision.notice:
        urlstate.add_notice(decision.notice)
    if decision.seed:
        value = float(decision.value)
    elif decision.notice or raw is None or (isinstance(raw, str) and not raw.strip()):
        value = float(default)
    else:
        value = float(raw if isinstance(raw, str) else raw[0])
    value = probe.snap(value)
    if decision.notice or decision.seed:
        st.query_params[key] = f"{value:g}"
    return ClientSlider(key, label, low, high, step, value, role, help, factor, curve)


#: A sync message holds one entry per slider of a chart and its number: anything longer, or a number written
#: in more characters than this, is not one the page sent.
SYNC_MAX_ENTRIES = 64
SYNC_MAX_TEXT = 40
#: The entry of a sync message that holds its number (see lossapp/frontend/sync.js).
SEQ_KEY = "_seq"


def _sync_number(raw: Any) -> float | None:
    """A finite number from a sync message's entry, or None; sizes are checked before converting (a 400-digit
    integer would raise OverflowError, a long text costs time to parse)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return float(raw) if raw.bit_length() <= 64 else None
    if isinstance(raw, str):
        if len(raw) > SYNC_MAX_TEXT:
            return None
        try:
            raw = float(raw)
        except ValueError:
            return None
    if isinstance(raw, float) and math.isfinite(raw):
        return raw
    return None


def apply_sync(payload: Any, sliders: Sequence[ClientSlider]) -> dict[str, str]:
    """The address values to store for a "sync" message from the browser: each known slider's value, checked
    against its range and snapped to its steps; anything else in the message is ignored, and a message of
    another shape or size (a list, nested values, hundreds of entries) gives nothing.

    >>> s = ClientSlider("rho", "rho", 0.1, 5.0, 0.1, 1.0, "frame")
    >>> apply_sync({"rho": 2.3, "_seq": 4}, [s]), apply_sync({"rho": 10**400}, [s]), apply_sync({"rho": [[1]]}, [s])
    ({'rho': '2.3'}, {}, {})
    """
    if not isinstance(payload, dict) or len(payload) > SYNC_MAX_ENTRIES:
        return {}
    out = {}
    for s in sliders:
        value = _sync_number(payload.get(s.id))
        if value is not None:
            out[s.id] = f"{s.snap(value):g}"
    return out


def sync_seq(payload: Any) -> int | None:
    """The number of a sync message (a positive integer the page counts up), or None."""
    seq = payload.get(SEQ_KEY) if isinstance(payload, dict) and len(payload) <= SYNC_MAX_ENTRIES else None
    if isinstance(seq, int) and not isinstance(seq, bool) and 0 < seq < 2**53:
        return seq
    return None


def _ack_key(component_key: str) -> str:
    return f"_lossapp_ack_{component_key}"


def _sync_callback(component_key: str, sliders: Sequence[ClientSlider]) -> Callable[[], None]:
    def on_sync() -> None:
        try:  # the message as Streamlit parsed it; one it cannot read (nested too deep) counts as none
            state = st.session_state.get(component_key)
            payload = None
            if state is not None:
                try:
                    payload = state["sync"]
                except (KeyError, TypeError):
                    payload = getattr(state, "sync", None)
        except (RecursionError, ValueError, TypeError):
            return
        for k, v in apply_sync(payload, sliders).items():
            st.query_params[k] = v
        seq = sync_seq(payload)
        if seq is not None:  # the reply tells the page which message it answers
            st.session_state[_ack_key(component_key)] = seq

    return on_sync


@dataclass(frozen=True)
class Stat:
    """A number shown under a chart with browser-side sliders, like ``st.metric``: ``text`` is the value as
    shown (a frame patch brings the texts for its slider value, in the same order)."""

    label: str
    text: str
    help: str = ""


def slider_values(s: ClientSlider) -> list[float]:
    """Every value the browser's range input ``s`` can take, from ``low`` to ``high`` in steps (as snapped)."""
    count = int(math.floor((s.high - s.low) / s.step + 1e-9)) + 1
    values = [s.snap(s.low + k * s.step) for k in range(count)]
    if values[-1] < s.high:
        values.append(s.snap(s.high))
    return values


def chart_config(config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plotly config a chart is drawn with: ``config`` (the app's default when None), resizing with its box,
    with no way to upload the chart."""
    return private_config(dict(CONFIG if config is None else config, responsive=True))


def plotly_chart(fig: go.Figure, *, key: str, alt: str, config: dict[str, Any] | None = None,
                 sliders: Sequence[ClientSlider] = (), names: dict[str, str] | None = None,
                 xrange: tuple[float, float] | None = None, readout: bool = True,
                 labels: dict[str, tuple[str, str]] | None = None, frames: dict[str, Any] | None = None,
                 follow: Sequence[ClientSlider] = (), mix: go.Figure | None = None,
                 stats: Sequence[Stat] = ()) -> bytes | None:
    """Show ``fig`` under the widget-like identity ``key``; later figures with the same key redraw in place.

    ``alt`` is the chart's accessible name (a sentence saying what the chart shows). ``sliders`` are drawn under
    the chart and applied to it in the browser (live charts only; callers check :func:`live_charts_enabled`
    and use Streamlit widgets otherwise); ``names`` are the short names the value readout uses per curve;
    ``xrange`` is the part of the x-axis shown when the figure is wider (for a "shift" slider). With a marker
    slider, the loss and gradient there are shown under the chart (``readout``), as "{short}: loss" and
    "{short}: gradient" unless ``labels`` gives a curve its own pair of labels. ``mix`` is the figure at label 1
    for a "mix" slider (same traces as ``fig``, at label 0).

    ``frames`` serves "frame" sliders: ``{slider id: {"values": [v0, v1, ...], "patches": [patch per value]}}``,
    each patch ``{"traces": {index: {"x": ..., "y": ...}}, "shapes": {index: {...}}, "annotations": {index:
    {...}}, "stats": [text per stat]}`` laid over the figure (indices as strings), worked out with every other
    slider at its current value; or the same as columns with a row per value (``lossapp.frames.frame_table``,
    which may also cover only a window of values or mark some ``missing``). ``stats`` are numbers shown under
    the chart (a frame patch replaces their texts). A chart with ``frames`` and ``follow`` (other charts' frame
    sliders) has no slider of its own and follows those as they move.
    """
    config = chart_config(config)
    component = _chart_component() if live_charts_enabled() else None
    if component is None:
        st.plotly_chart(fig, config=config, key=key, alt=alt)
        return None
    data = component_data(fig, key=key, alt=alt, config=config, sliders=sliders, names=names, xrange=xrange,
                          readout=readout, labels=labels, frames=frames, follow=follow, mix=mix, stats=stats)
    if "controls" in data:  # which sync message the server applied last (see frontend/sync.js)
        data["ack"] = st.session_state.get(_ack_key(key), 0)
    payload = payload_bytes(fig, data)
    if "controls" in data:
        component(key=key, data=payload, width="stretch", height="content",
                  on_sync_change=_sync_callback(key, tuple(s for s in sliders if not locks.locked(s.id))))
    else:
        component(key=key, data=payload, width="stretch", height="content")
    return payload


def component_data(fig: go.Figure, *, key: str, alt: str, config: dict[str, Any],
                   sliders: Sequence[ClientSlider] = (), names: dict[str, str] | None = None,
                   xrange: tuple[float, float] | None = None, readout: bool = True,
                   labels: dict[str, tuple[str, str]] | None = None, frames: dict[str, Any] | None = None,
                   follow: Sequence[ClientSlider] = (), mix: go.Figure | None = None,
                   stats: Sequence[Stat] = ()) -> dict[str, Any]:
    """What the chart component gets besides the figure (see :func:`plotly_chart` for the arguments; ``config``
    as given): the app sends it with each run, the offline export of a section (:mod:`lossapp.section_html`)
    writes it into the file."""
    data: dict[str, Any] = {"alt": alt, "config": config, "src": _static_url(), "key": key}
    if os.environ.get(PATCH_ENV, "") == "0":
        data["patch"] = False
    if frames is not None:
        data["frames"] = frames
    if stats:
        data["stats"] = [[s.label, s.text, s.help] for s in stats]
    if mix is not None:  # the loss and gradient traces of the figure at label 1, by trace index
        spec = json.loads(chart_json(mix))
        data["mix"] = {str(i): t["y"] for i, t in enumerate(spec["data"])
                       if (t.get("meta") or {}).get("role") in ("loss", "grad")}
    if follow and not sliders:
        data["follow"] = {s.id: s.value for s in follow}
        data["followSteps"] = {s.id: s.step for s in follow}
    elif sliders:
        # a lesson's locked sliders are drawn disabled (hidden ones not drawn), and a sync never moves them
        data["controls"] = [{**s.to_json(), **({"locked": True} if locks.locked(s.id) else {}),
                             **({"hidden": True} if locks.hidden(s.id) else {})} for s in sliders]
        data["names"] = dict(names or {})
        data["readout"] = bool(readout)
        if labels:
            data["labels"] = {k: list(v) for k, v in labels.items()}
        if xrange is not None:
            data["xrange"] = [float(xrange[0]), float(xrange[1])]
    return data
