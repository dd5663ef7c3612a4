"""The charts of an AppTest run, whichever way the app drew them.

``lossapp.live_chart.plotly_chart`` shows a chart as a custom component (``bidi_component`` elements whose JSON
data holds the figure) or, with live charts off, as ``st.plotly_chart``. Tests read both through :func:`charts`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

import numpy as np
from streamlit.testing.v1 import AppTest

from lossapp.live_chart import COMPONENT_NAME


@dataclass(frozen=True)
class Chart:
    key: str  #: the key the page gave the chart
    raw: str  #: the figure's plotly JSON, as sent to the browser
    alt: str  #: the accessible description
    controls: list[dict] = field(default_factory=list)  #: browser-side sliders (lossapp.live_chart.ClientSlider)
    names: dict = field(default_factory=dict)  #: short names of the curves for the value readout
    readout: bool = True  #: whether the browser shows the values at the marker
    labels: dict = field(default_factory=dict)  #: per curve, the readout's own (loss, gradient) labels
    mix: dict = field(default_factory=dict)  #: for a "mix" slider: trace index -> y at label 1
    stats: list = field(default_factory=list)  #: numbers shown under the chart: [label, text, help]
    frames: dict = field(default_factory=dict)  #: per "frame" slider, the patches for each of its values
    xrange: list | None = None  #: the part of the x-axis shown when the figure is wider

    @property
    def spec(self) -> dict:
        return json.loads(self.raw)

    @property
    def data(self) -> list[dict]:
        return self.spec["data"]


def load_page(page: str, **query: str) -> AppTest:
    """Run ``app_pages/<page>`` in AppTest with ``query`` in its address; fails on an exception."""
    at = AppTest.from_file(f"../app_pages/{page}", default_timeout=30)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _key(element_id: str) -> str:
    return element_id.rsplit("-", 1)[-1]


def payload(proto) -> dict:
    """What a live chart's component received (``plotly_chart`` sends its payload as JSON bytes, which Streamlit
    neither serialises again nor scans)."""
    assert proto.WhichOneof("data") == "bytes", "the payload goes as bytes"
    return json.loads(proto.bytes)


def charts(at: AppTest) -> list[Chart]:
    """Every chart on the page, in page order (live charts are either on or off for a whole process, so the two
    kinds never mix)."""
    found = []
    for node in at.get("bidi_component") + at.get("plotly_chart"):
        proto = node.proto
        if hasattr(proto, "component_name"):
            if proto.component_name != COMPONENT_NAME:
                continue
            data = payload(proto)
            found.append(Chart(_key(proto.id), data["figure"], data["alt"], data.get("controls", []),
                               data.get("names", {}), data.get("readout", True), data.get("labels", {}),
                               data.get("mix", {}), data.get("stats", []), data.get("frames", {}),
                               data.get("xrange")))
        else:
            found.append(Chart(_key(proto.id), proto.spec, proto.alt))
    return found


def chart(at: AppTest, key: str) -> Chart:
    """The chart the page shows under ``key``."""
    for c in charts(at):
        if c.key == key:
            return c
    raise KeyError(f"no chart {key!r}; have {[c.key for c in charts(at)]}")


def _decode(arr) -> np.ndarray:
    if isinstance(arr, dict):
        return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=np.dtype(arr["dtype"])).astype(np.float64)
    return np.asarray(arr, dtype=np.float64)


def readouts(at: AppTest) -> dict[str, str]:
    """What the browser shows under each chart with browser-side sliders: ``"{short}: loss"`` and
    ``"{short}: gradient"`` at the marker, worked out from the data the page sends (the curves at scale 1, the
    sliders' values) the way lossapp.live_chart's script does: product of the scale sliders times the curve, slid
    right by the shift slider, mixed between labels 0 and 1 by a mix slider, at the grid point nearest the marker,
    formatted like the pages' numbers."""
    from lossapp.formatting import fmt

    out = {}
    for c in charts(at):
        marker = next((s["value"] for s in c.controls if s["role"] == "marker"), None)
        if marker is None or not c.readout:
            continue
        scale = float(np.prod([s["value"] for s in c.controls if s["role"] == "scale"]))
        shift = float(sum(s.get("factor", 1.0) * s["value"] for s in c.controls if s["role"] == "shift"))
        z = next((s["value"] for s in c.controls if s["role"] == "mix"), None)
        p = float(np.prod([s["value"] for s in c.controls if s["role"] == "pscale"]))
        curves: dict[str, dict] = {}
        for k, t in enumerate(c.data):
            role = t.get("meta", {}).get("role")
            if role in ("loss", "grad"):
                curves.setdefault(t["meta"]["curve"], {})["x"] = _decode(t["x"])
                y = _decode(t["y"])
                if z is not None and str(k) in c.mix:
                    y = (1 - z) * y + z * p * _decode(c.mix[str(k)])
                curves[t["meta"]["curve"]][role] = y
        for name, cv in curves.items():
            i = int(np.argmin(np.abs(cv["x"] + shift - marker)))
            short = c.names.get(name, name)
            loss_label, grad_label = c.labels.get(name, (f"{short}: loss", f"{short}: gradient"))
            out[loss_label] = fmt(scale * cv["loss"][i] + 0.0)
            out[grad_label] = fmt(scale * cv["grad"][i] + 0.0)
    return out


def stats(at: AppTest) -> dict[str, str]:
    """The numbers shown under the charts with browser-side "frame" sliders, by label (with live charts off,
    the pages show the same numbers as ``st.metric``)."""
    return {label: text for c in charts(at) for label, text, _ in c.stats}


def frame_patches(at: AppTest, key: str, value: float) -> list[tuple[Chart, dict]]:
    """What the browser lays over each chart that moves with the "frame" slider ``key`` when it moves to
    ``value`` (the others where the page put them): ``(chart, {"traces": {index: {attribute: list}}, "shapes":
    {index: {attribute: number}}, "annotations": {index: {attribute: text}}, "axes": {axis: {"range": [lo, hi]}},
    "stats": [text, ...] or None,
    "missing": bool})``, decoded from the patches the
    page sent the way lossapp.live_chart's script does ("missing": no patch, the browser asks the server)."""
    from lossapp.formatting import fmt

    found = []
    for c in charts(at):
        table = c.frames.get(key)
        if table is None:
            continue
        k = int(np.argmin(np.abs(np.array(table["values"]) - value)))
        assert abs(table["values"][k] - value) < 1e-9, f"{value} is not a value of the slider {key}"
        if "patches" in table:
            found.append((c, table["patches"][k]))
            continue
        traces = {index: {attr: arr["list"][k] if "list" in arr else _rows(arr)[k].tolist()
                          for attr, arr in attrs.items()}
                  for index, attrs in table.get("traces", {}).items()}
        for index, factors in table.get("scale", {}).items():  # the drawn trace times a number per row
            drawn = _decode(c.data[int(index)]["y"]).astype(np.float64)
            traces.setdefault(index, {})["y"] = (drawn * float(_rows(factors)[k][0])).tolist()
        shapes, notes = ({index: {attr: arr["list"][k] if "list" in arr else float(_rows(arr)[k][0])
                                  for attr, arr in attrs.items()}
                          for index, attrs in table.get(part, {}).items()} for part in ("shapes", "annotations"))
        texts = (None if "stats" not in table else table["stats"]["list"][k] if "list" in table["stats"]
                 else [fmt(v) for v in _rows(table["stats"])[k]])
        axes = {axis: {attr: arr["list"][k] if "list" in arr else _rows(arr)[k].tolist() for attr, arr in attrs.items()}
                for axis, attrs in table.get("layout", {}).items()}
        found.append((c, {"traces": traces, "shapes": shapes, "annotations": notes, "axes": axes, "stats": texts,
                          "missing": k in table.get("missing", [])}))
    if not found:
        raise KeyError(f"no chart with a frame slider {key!r}")
    return found


def _rows(arr) -> np.ndarray:
    """A typed column as one row per slider value (a matrix per value when its shape has three numbers)."""
    flat = _decode(arr)
    if not (isinstance(arr, dict) and "shape" in arr):
        return flat.reshape(flat.size, -1)
    dims = [int(n) for n in str(arr["shape"]).split(",")]
    return flat.reshape(dims if len(dims) == 3 else (dims[0], -1))


def client_control(at: AppTest, key: str) -> dict:
    """The browser-side slider ``key`` as the page sent it (id, label, min, max, step, value, role, help)."""
    for c in charts(at):
        for s in c.controls:
            if s["id"] == key:
                return s
    raise KeyError(f"no browser-side slider {key!r} on the page")


def set_control(at: AppTest, key: str, value) -> None:
    """Move the control ``key``: a Streamlit slider (or toggle) if the page has one, else the browser-side
    slider of that name, which the page reads from the address (where the browser puts it)."""
    for kind in ("slider", "toggle", "radio"):
        try:
            getattr(at, kind)(key=key).set_value(value)
            return
        except KeyError:
            continue
    if not any(s["id"] == key for c in charts(at) for s in c.controls):
        raise KeyError(f"no control {key!r} on the page")
    at.query_params[key] = f"{value:g}" if isinstance(value, float) else str(value)


def control_value(at: AppTest, key: str):
    """The value of the slider ``key``: a Streamlit slider's, or the browser-side slider's as the page sent it."""
    try:
        return at.slider(key=key).value
    except KeyError:
        pass
    try:
        return client_control(at, key)["value"]
    except KeyError:
        raise KeyError(f"no slider {key!r} on the page") from None
