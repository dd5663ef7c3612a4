"""What the catalog records about a loss: :class:`Param` (one adjustable parameter) and :class:`LossSpec`.

Kept apart from :mod:`losscore.catalog` so that the catalog's entries can live in one module per group of losses
(:mod:`losscore.catalog_gluon` holds the tutorial's fourteen) while :data:`losscore.catalog.CATALOG` stays the one
place that lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["WEIGHT", "LossSpec", "Param", "margin_param"]


@dataclass(frozen=True)
class Param:
    """One adjustable parameter of a loss.

    ``where`` says whether it goes to the constructor ("init") or is a forward argument ("forward").
    ``kind`` is "float", "int", "bool" or "choice"; ``low``/``high``/``step`` give a sensible UI range.
    """

    name: str
    kind: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[Any, ...] = ()
    where: str = "init"


@dataclass(frozen=True)
class LossSpec:
    """Everything the app and docs need to know about one loss."""

    name: str
    cls: type
    family: str
    title: str
    formula: str
    summary: str
    label_convention: str
    params: tuple[Param, ...]
    counterparts: tuple[str, ...]
    #: Widget keys and address parameters of this loss start with it (``huber_rho``, ``cmp_huber_rho``).
    short_id: str
    #: Its line colour wherever it is drawn (the Okabe & Ito palette; the hinge pair shares one, told apart by
    #: dash) and its dash pattern where several losses share a chart (so they stay apart in grey scale).
    colour: str
    dash: str
    differences: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    #: "regression" (label 0 by default) or "classification" (label 1) for losses with a loss-vs-prediction
    #: curve of one scalar prediction; None for losses that need a dedicated view.
    curve: str | None = None
    default_label: float = 0.0
    label_range: tuple[float, float] = (-5.0, 5.0)
    #: True when the loss depends on pred − label only: a new label slides the curve sideways, unchanged.
    label_shift: bool = False
    #: True when the loss and its gradient are linear in the label (for PoissonNLL only without compute_full,
    #: whose Stirling term is not): two curves, at labels 0 and 1, give the curve of every label.
    label_linear: bool = False
    #: The parameter that multiplies the label-1 part of a loss linear in its label (SigmoidBCE's pos_weight):
    #: (1 − z)·L(label 0) + z·p·L(label 1, p = 1) gives the curve of every label z and every p.
    positive_scale: str | None = None
    #: The parameter whose value v slides the curve right by label·v (the hinges' margin, labels ±1): the curve
    #: at v is the curve at 0 moved sideways.
    margin_shift: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no parameter {name!r}")

    def defaults(self, where: str | None = None) -> dict[str, Any]:
        """Default values of the parameters (only constructor or forward ones if ``where`` is given)."""
        return {p.name: p.default for p in self.params if where is None or p.where == where}


WEIGHT = Param("weight", "float", 1.0, "Global scale applied to every loss value.", 0.0, 5.0, 0.1)


def margin_param(default: float, low: float = 0.0, high: float = 3.0) -> Param:
    return Param("margin", "float", default, "The margin the hinge asks for.", low, high, 0.05)

