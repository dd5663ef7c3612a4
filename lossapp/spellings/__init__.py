"""Every framework's spelling of every catalog loss, as data: one module per framework, each a table keyed by
catalog loss name (:data:`TABLES`). The "run it yourself" snippets (:mod:`lossapp.snippets`) and the conventions
panel (:mod:`lossapp.conventions`) both read these tables, so what the panel says is what the snippets run, and
tests/test_export_run.py runs every snippet in the real framework.

A table entry is a tuple of :class:`Spelling` variants: the first whose ``when`` accepts the parameters (and the
label) is the one used. A variant without ``code`` says why the framework has no spelling (``reason``); a variant
with ``builtin=False`` is the formula written out in the framework's own operations, labelled so.

>>> from lossapp.spellings import spelling
>>> spelling("PyTorch", "HuberLoss", {"rho": 2.0}).render({"rho": 2.0})
"torch.nn.SmoothL1Loss(reduction='none', beta=2.0)(pred, label)"
>>> spelling("Keras 3", "HuberLoss", {"rho": 2.0}).render({"rho": 2.0})
'keras.losses.Huber(delta=2.0, reduction=None)(label, pred) / 2.0'
>>> spelling("MXNet Gluon", "BrandNewLoss", {}).code
''
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["FRAMEWORKS", "TABLES", "Spelling", "spelling", "variants"]


@dataclass(frozen=True)
class Spelling:
    """One framework's way of writing one loss, and the conventions a reader must get right to use it.

    ``code`` is an expression of ``pred`` and ``label`` (the framework's arrays, one prediction per sample) giving
    one loss value per sample, with ``{param}`` placeholders for the catalog parameters (their ``repr``) and
    ``{dtype}``; ``setup`` lines run before it and ``after`` lines after it. Empty ``code``: no spelling,
    ``reason`` says why.
    """

    code: str = ""
    #: False: no built-in fits, so ``code`` writes the formula out in the framework's operations.
    builtin: bool = True
    #: What ``pred`` must hold: "logits", "probabilities", "log-probabilities", "scores", "values", "rates", ...
    inputs: str = ""
    #: The label format the spelling expects (0/1, ±1, class indices, distributions, ...).
    labels: str = ""
    #: What the framework reduces by default, and what the spelling asks for.
    reduction: str = ""
    #: How the catalog's parameters map onto the framework's (names, constants, factors).
    params: str = ""
    #: The mistake people make with it (the frameworks' issue trackers are full of them).
    trap: str = ""
    #: Which parameter values (the mapping also holds "label") this variant is for; None: any.
    #: Where its numbers differ from losscore's (a kink's gradient, precision); the tests assert exactly this.
    differs: str = ""
    when: Callable[[Mapping[str, Any]], bool] | None = None
    setup: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    reason: str = ""

    def render(self, params: Mapping[str, Any], dtype: str = "float64") -> str:
        """``code`` with the parameter values filled in."""
        return self.code.format(**_values(params, dtype))

    def render_lines(self, lines: tuple[str, ...], params: Mapping[str, Any], dtype: str = "float64") -> list[str]:
        return [line.format(**_values(params, dtype)) for line in lines]


def _values(params: Mapping[str, Any], dtype: str) -> dict[str, str]:
    out = {k: repr(_plain(v)) for k, v in params.items()}
    out["dtype"] = dtype
    return out


def _plain(v: Any) -> Any:
    """numpy scalars to Python ones (``2.5``, not ``np.float64(2.5)``)."""
    return v.item() if isinstance(v, np.generic) else v


#: What the embedding-margin and overlap losses take, the same in every framework's table.
MARGIN_INPUTS = "embeddings (N, D), class centres (C, D)"
MASK_INPUTS = "logits (N, H, W), the sigmoid applied inside"


def log_input(p: Mapping[str, Any]) -> bool:
    """A divergence spelling's condition: pred holds log-probabilities (from_logits=True)."""
    return bool(p["from_logits"])


def _tables() -> dict[str, dict[str, tuple[Spelling, ...]]]:
    from . import gluon, jax_optax, keras3, pytorch

    return {"MXNet Gluon": gluon.TABLE, "PyTorch": pytorch.TABLE, "Keras 3": keras3.TABLE,
            "optax": jax_optax.TABLE}


#: The frameworks besides losscore, in the order the export and the conventions panel show them.
FRAMEWORKS: tuple[str, ...] = ("MXNet Gluon", "PyTorch", "Keras 3", "optax")
TABLES: dict[str, dict[str, tuple[Spelling, ...]]] = _tables()


def variants(framework: str, name: str) -> tuple[Spelling, ...]:
    """Every variant of one loss in one framework (empty when the table does not list the loss)."""
    return TABLES[framework].get(name, ())


def spelling(framework: str, name: str, params: Mapping[str, Any], label: float | None = None) -> Spelling:
    """The variant of ``name`` in ``framework`` for these parameter values and label; a loss the table does not
    list gets a code-less entry saying so (never a made-up class name)."""
    values = {**params, "label": label}
    for v in variants(framework, name):
        if v.when is None or v.when(values):
            return v
    return Spelling(reason=f"{framework} has no spelling of {name} here yet (not in lossapp.spellings).")
