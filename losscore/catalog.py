"""The catalog: every loss described once — family, formula, parameters, label convention, counterparts,
and how the app names and draws it (short id, colour, dash).

Pages, the README tables and tests read this module instead of keeping their own copies.

>>> from losscore.catalog import CATALOG, by_family
>>> CATALOG["HuberLoss"].family
'regression'
>>> [spec.name for spec in by_family("regression")][:3]
['L1Loss', 'L2Loss', 'HuberLoss']
>>> CATALOG["HuberLoss"].param("rho").default
1.0
"""

from __future__ import annotations

from typing import Any

from . import catalog_classification, catalog_dist_emb_seg, catalog_gluon, catalog_robust
from .spec import LossSpec, Param

__all__ = ["CATALOG", "FAMILIES", "LossSpec", "Param", "by_family", "make_loss"]

#: Families in the order the app and the README present them, with a one-line description.
FAMILIES: dict[str, str] = {
    "regression": "Real-valued targets: how far is the prediction from the label?",
    "classification": "Discrete targets: is the score on the right side, and by how much?",
    "distribution": "Targets that are probability distributions or counts.",
    "embedding": "Vectors compared with vectors: distances and angles, not labels.",
    "sequence": "Label sequences aligned to longer input sequences.",
    "segmentation": "Masks compared by their overlap: a whole image's pixels at once, not one by one.",
}


def _build() -> dict[str, LossSpec]:
    specs = [*catalog_gluon.SPECS, catalog_gluon.ctc_spec(), *catalog_robust.SPECS, *catalog_classification.SPECS,
             *catalog_dist_emb_seg.SPECS]
    order = list(FAMILIES)
    specs.sort(key=lambda s: order.index(s.family))  # stable: catalog order within a family
    return {s.name: s for s in specs}


#: Every loss, by Gluon class name, in presentation order.
CATALOG: dict[str, LossSpec] = _build()


def by_family(family: str) -> list[LossSpec]:
    """The losses of one family, in catalog order."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {list(FAMILIES)}; got {family!r}")
    return [s for s in CATALOG.values() if s.family == family]


def make_loss(name: str, **params: Any):
    """Instantiate a catalog loss from UI parameters, keeping only constructor parameters.

    >>> make_loss("HuberLoss", rho=2.0, pos_weight=3.0)
    HuberLoss(rho=2.0, weight=1.0, batch_axis=0)
    """
    spec = CATALOG[name]
    init = {p.name: params.get(p.name, p.default) for p in spec.params if p.where == "init"}
    return spec.cls(**init)
