"""Plain data passed from losscore computations to figure builders and exporters (no Streamlit here).

A page computes a :class:`CurveView` from widget values with losscore, then hands the same view to the plotly
builder (``lossapp.figures``) and to the exporters (``lossapp.export``), so what is shown, downloaded and
summarised in a snippet are always the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lossapp.formatting import short


@dataclass(frozen=True)
class Curve:
    """One loss curve and its gradient over a grid of predictions."""

    name: str
    x: np.ndarray
    loss: np.ndarray
    grad: np.ndarray

    def __post_init__(self) -> None:
        if not (self.x.shape == self.loss.shape == self.grad.shape and self.x.ndim == 1):
            raise ValueError(
                f"x, loss and grad must be 1-D arrays of one shape; got {self.x.shape}, {self.loss.shape}, "
                f"{self.grad.shape}"
            )

    def at(self, pred: float) -> tuple[float, float]:
        """Loss and gradient at ``pred`` (linear interpolation on the grid)."""
        return float(np.interp(pred, self.x, self.loss)), float(np.interp(pred, self.x, self.grad))


@dataclass(frozen=True)
class CurveView:
    """What one loss-vs-prediction chart shows: curves, an optional prediction marker, axis titles.

    ``y_limits`` / ``grad_limits`` clip an axis (see the fields). ``loss_names`` holds the catalog names of the
    plotted losses and ``params`` the parameter values they were
    computed with (for export snippets); ``label`` is the fixed label of the sweep.
    """

    title: str
    curves: tuple[Curve, ...]
    marker: float | None = None
    x_title: str = "prediction"
    y_title: str = "loss"
    grad_title: str = "dL/dpred"
    label: float | None = None
    loss_names: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    #: Bounds the loss (gradient) axis may not pass, so one steep curve does not flatten the others; the axis
    #: title should say the axis is clipped. None: fitted to the curves.
    y_limits: tuple[float, float] | None = None
    grad_limits: tuple[float, float] | None = None

    def alt_text(self) -> str:
        """A sentence describing the chart, for screen readers."""
        names = ", ".join(c.name for c in self.curves)
        lo, hi = float(self.curves[0].x[0]), float(self.curves[0].x[-1])
        text = (f"{self.title}: {self.y_title} and its gradient against {self.x_title} from {short(lo)} to "
                f"{short(hi)} for {names}")
        if self.label is not None:
            text += f", label fixed at {self.label:g}"
        if self.marker is not None:
            parts = []
            for c in self.curves:
                value, slope = c.at(self.marker)
                parts.append(f"{c.name} = {value:.4g} (gradient {slope:.4g})")
            text += f". At prediction {short(self.marker)}: " + "; ".join(parts)
        for what, limits in (("loss", self.y_limits), ("gradient", self.grad_limits)):
            if limits is not None:
                text += f". The {what} axis is clipped to {limits[0]:g} … {limits[1]:g}; the numbers are not"
        return text + "."
