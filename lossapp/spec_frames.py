"""Frames of sections whose charts are rebuilt whole at each slider value: a builder of the chart's (traces,
layout) dicts from the sliders' settings, and optionally the row of numbers under it (see
:func:`lossapp.frames.frame_table` and :func:`lossapp.frames.figure_columns`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lossapp.frames import SliderDef, figure_columns, frame_table

__all__ = ["Settings", "settings_frames", "slider_grid"]

#: The value of each of a section's sliders, by address key.
Settings = dict[str, float]


def slider_grid(d: SliderDef) -> np.ndarray:
    """Every value the slider can take, low to high (rounded, so that they print as typed).

    >>> slider_grid(SliderDef("k", "k", 0.0, 1.0, 0.5, 0.25, "")).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    return np.round(d.low + d.step * np.arange(int(round((d.high - d.low) / d.step)) + 1), 10)


def settings_frames(defs: Sequence[SliderDef], now: Settings, build: Callable[[Settings], tuple[list[dict], dict]],
                    stats: Callable[[Settings], Sequence[Any]] | None = None) -> dict[str, Any]:
    """The frame table of each slider in ``defs`` for one chart: ``build(settings)`` at every value of that
    slider, the others held at ``now``; with ``stats``, the numbers under the chart at each value (floats, or
    the texts as shown)."""
    shown = build(now)
    out = {}
    for d in defs:
        s = d.at(now[d.key])

        def columns(values: np.ndarray, d: SliderDef = d) -> dict[str, Any]:
            settings = [{**now, d.key: float(v)} for v in values]
            cols = figure_columns(shown, [build(x) for x in settings])
            if stats is not None:
                rows = [list(stats(x)) for x in settings]
                cols["stats"] = rows if rows and isinstance(rows[0][0], str) else np.array(rows, dtype=np.float64)
            return cols

        out[s.id] = frame_table(s, columns)
    return out
