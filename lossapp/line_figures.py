"""Plain line charts (several named series over one x grid, an optional marked x) as trace and layout dicts, for
the sections whose charts are not loss-against-prediction curves (divergences against a bump's mean, overlap
losses against a mask's size, logits against an angle)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from lossapp.figures import _axis, _layout

__all__ = ["lines_spec"]

#: A series: its y values, colour and dash.
Series = tuple[Sequence[float] | np.ndarray, str, str]


def lines_spec(x: Sequence[float] | np.ndarray, series: Mapping[str, Series], *, x_title: str = "",
               y_title: str = "", present: bool = False, height: int = 300, marker: float | None = None,
               y_max: float | None = None, vlines: Sequence[tuple[float, str, str]] = ()
               ) -> tuple[list[dict], dict]:
    """One line per series (``meta.role == "line"``); ``marker`` draws a dashed vertical line at that x (the
    slider's value, shape ``name == "marker guide"``); ``vlines`` are more vertical lines (x, name, colour);
    ``y_max`` caps the y axis (a steep series would flatten the others), from 0 or the data's minimum."""
    xs = np.asarray(x, dtype=float)
    data = [dict(type="scatter", mode="lines", x=xs, y=np.asarray(y, dtype=float), name=name,
                 line=dict(color=colour, dash=dash, width=3 if present else 2),
                 meta={"role": "line", "series": name}, hovertemplate="%{y:.4g}")
            for name, (y, colour, dash) in series.items()]
    shapes = []
    if marker is not None:
        shapes.append(dict(type="line", name="marker guide", x0=float(marker), x1=float(marker), y0=0, y1=1,
                           yref="paper", line=dict(color="#555555", dash="dash", width=1)))
    for at, name, colour in vlines:
        shapes.append(dict(type="line", name=name, x0=float(at), x1=float(at), y0=0, y1=1, yref="paper",
                           line=dict(color=colour, dash="dot", width=2)))
    yaxis = _axis(y_title)
    if y_max is not None:
        finite = np.concatenate([np.asarray(y, dtype=float).ravel() for y, _, _ in series.values()])
        finite = finite[np.isfinite(finite)]
        low = min(0.0, float(finite.min())) if finite.size else 0.0
        yaxis["range"] = [low, float(y_max)]
    layout = _layout(height, present, xaxis=_axis(x_title, range=[float(xs[0]), float(xs[-1])]), yaxis=yaxis,
                     shapes=shapes)
    return data, layout
