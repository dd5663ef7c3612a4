"""The "conventions" panel of a loss: its five spellings (losscore, MXNet Gluon, PyTorch, Keras 3, optax) with
what each expects (inputs as logits, probabilities or log-probabilities; label format; reduction), how the
parameters map, and the trap to watch. Read from the same tables the exported snippets are written from
(:mod:`lossapp.spellings`), so the panel says what the tested snippets run.

>>> rows = conventions_rows("HuberLoss")
>>> [r.framework for r in rows]
['losscore', 'MXNet Gluon', 'PyTorch', 'Keras 3', 'optax']
>>> rows[2].spelling
"torch.nn.SmoothL1Loss(reduction='none', beta=1.0)(pred, label)"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from losscore.catalog import CATALOG, LossSpec

from .spellings import FRAMEWORKS, Spelling, spelling, variants

__all__ = ["ConventionRow", "conventions_markdown", "conventions_panel", "conventions_rows"]


@dataclass(frozen=True)
class ConventionRow:
    """One framework's line of the panel."""

    framework: str
    spelling: str
    builtin: bool
    inputs: str
    labels: str
    reduction: str
    params: str
    trap: str


def _losscore_row(spec: LossSpec, params: dict[str, Any]) -> ConventionRow:
    init = ", ".join(f"{p.name}={params[p.name]!r}" for p in spec.params if p.where == "init")
    forward = ", ".join(f"{p.name}={params[p.name]!r}" for p in spec.params if p.where == "forward")
    gluon = spelling("MXNet Gluon", spec.name, params)
    return ConventionRow(
        "losscore", f"losscore.{spec.name}({init})(pred, label{', ' + forward if forward else ''})", True,
        gluon.inputs or "see the label convention", spec.label_convention,
        "one value per sample (weight and sample_weight applied)",
        "the catalog's parameters, Gluon's names; forward arguments by keyword",
        " ".join(spec.differences) or gluon.trap)


def _row(framework: str, sp: Spelling, name: str, params: dict[str, Any]) -> ConventionRow:
    if not sp.code:
        return ConventionRow(framework, f"no built-in {name}: {sp.reason}", False, "", "", "", "", "")
    return ConventionRow(framework, sp.render(params), sp.builtin, sp.inputs, sp.labels, sp.reduction, sp.params,
                         " ".join(t for t in (sp.trap, sp.differs) if t))


def conventions_rows(name: str, params: dict[str, Any] | None = None,
                     label: float | None = None) -> list[ConventionRow]:
    """The five spellings of a catalog loss with these parameters (the catalog's defaults for those not given)."""
    spec = CATALOG[name]
    values = {**spec.defaults(), **(params or {})}
    return [_losscore_row(spec, values)] + [_row(fw, spelling(fw, name, values, label), name, values)
                                            for fw in FRAMEWORKS]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "–"


def conventions_markdown(name: str, params: dict[str, Any] | None = None) -> str:
    """The panel as Markdown: a table of the five spellings, then every other variant a framework has (for other
    parameter values), so a reader sees, say, BCELoss beside BCEWithLogitsLoss."""
    rows = conventions_rows(name, params)
    head = ["Framework", "Spelling", "Inputs", "Labels", "Reduction", "Parameters", "Trap to watch"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        code = f"`{r.spelling}`" if r.spelling and not r.spelling.startswith("no built-in") else r.spelling
        if r.spelling and not r.builtin and not r.spelling.startswith("no built-in"):
            code += " (no built-in: the formula written out)"
        lines.append("| " + " | ".join(_cell(c) for c in (f"**{r.framework}**", code, r.inputs, r.labels,
                                                             r.reduction, r.params, r.trap)) + " |")
    values = {**CATALOG[name].defaults(), **(params or {})}
    shown = {(r.framework, r.spelling) for r in rows}
    others = []
    for fw in FRAMEWORKS:
        for v in variants(fw, name):
            code = v.render(values) if v.code else ""
            if code and (fw, code) not in shown:
                others.append(f"- {fw}: `{code}`: {v.params or v.inputs}")
    if others:
        lines += ["", "Other settings of the parameters:", *others]
    return "\n".join(lines)


def conventions_panel(spec: LossSpec, params: dict[str, Any] | None = None) -> None:
    """The panel, in an expander (under a loss's section, next to its equivalents)."""
    import streamlit as st

    with st.expander(f"{spec.name}: conventions in five frameworks (inputs, labels, reduction, traps)",
                     icon=":material/translate:"):
        st.markdown(conventions_markdown(spec.name, params))
        st.caption("Each spelling is run and checked against losscore in the project's tests; the export under a "
                   "chart gives the same code with your settings.")
