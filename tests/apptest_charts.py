"""The charts of an AppTest run, whichever way the app drew them.

``lossapp.live_chart.plotly_chart`` shows a chart as a custom component (``bidi_component`` elements whose JSON
data holds the figure) or, with live charts off, as ``st.plotly_chart``. Tests read both through :func:`charts`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from streamlit.testing.v1 import AppTest

from lossapp.live_chart import COMPONENT_NAME


@dataclass(frozen=True)
class Chart:
    key: str  #: the key the page gave the chart
    raw: str  #: the figure's plotly JSON, as sent to the browser
    alt: str  #: the accessible description

    @property
    def spec(self) -> dict:
        return json.loads(self.raw)

    @property
    def data(self) -> list[dict]:
        return self.spec["data"]


def _key(element_id: str) -> str:
    return element_id.rsplit("-", 1)[-1]


def charts(at: AppTest) -> list[Chart]:
    """Every chart on the page, in page order (live charts are either on or off for a whole process, so the two
    kinds never mix)."""
    found = []
    for node in at.get("bidi_component") + at.get("plotly_chart"):
        proto = node.proto
        if hasattr(proto, "component_name"):
            if proto.component_name != COMPONENT_NAME:
                continue
            data = json.loads(proto.json)
            found.append(Chart(_key(proto.id), data["figure"], data["alt"]))
        else:
            found.append(Chart(_key(proto.id), proto.spec, proto.alt))
    return found


def chart(at: AppTest, key: str) -> Chart:
    """The chart the page shows under ``key``."""
    for c in charts(at):
        if c.key == key:
            return c
    raise KeyError(f"no chart {key!r}; have {[c.key for c in charts(at)]}")
