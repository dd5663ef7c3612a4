"""One section as a self-contained interactive HTML file: for docs sites, slides and students' notes, offline.

The file holds the section's title, formula (MathML, which browsers draw without fonts or scripts from
elsewhere), text and charts, and everything the charts need: plotly.js from the installed plotly package, the
chart component's own modules (:func:`lossapp.js_bundle.frontend_bundle`, the same code the app runs) and what
the app sends that component (figure, browser-side sliders, precomputed frames). Opened from disk with no
network, its sliders move the charts as in the app. Nothing in it points at another site.

Offline there is no server to answer the sliders: each sync message is acknowledged at once, the page address
stays as it is, and when a section has several "frame" sliders (whose patches hold the others at the values
exported) moving one puts the others back to those values.

:func:`section_html` is a plain function (texts and chart payloads in, HTML out); ``lossapp.export`` offers it
as a download.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import plotly

from lossapp.js_bundle import FRONTEND, frontend_bundle, script_text

__all__ = ["PLOTLY_JS", "SectionDoc", "curve_doc", "formula_html", "formula_lines", "inline_markdown", "section_html"]

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

#: The payload entries that only mean something next to the server (where plotly.js is served, which sync
#: message the server last applied).
_SERVER_ONLY = ("src", "ack")


@dataclass(frozen=True)
class SectionDoc:
    """What the file says around its charts."""

    title: str
    #: LaTeX (drawn as MathML), or "" for none.
    formula: str = ""
    #: Paragraphs in the app's light markdown (``code``, **bold**, *italic*).
    paragraphs: tuple[str, ...] = ()
    #: Where the section lives in the app (a link at the foot of the file), or "".
    source_url: str = ""
    #: Notes shown in small print after the charts.
    notes: tuple[str, ...] = field(default=())


def curve_doc(step_id: str, loss_names: Sequence[str], fallback_title: str, source_url: str = "") -> SectionDoc:
    """The texts of a chart of catalog curves: with a single loss, its title, formula and summary from the
    catalog; else the step's title (``fallback_title`` for a chart that is not a step of its own).

    >>> d = curve_doc("l1", ["L1Loss"], "x")
    >>> d.title, d.formula.startswith("L = "), d.paragraphs[0][:7]
    ('L1 loss (mean absolute error)', True, 'Charges')
    >>> curve_doc("compare", ["L1Loss", "L2Loss"], "x").title, curve_doc("cmp", ["L1Loss", "L2Loss"], "x").title
    ('Compare losses', 'x')
    """
    from lossapp.steps import STEPS
    from losscore.catalog import CATALOG

    title = next((s.title for s in STEPS if s.id == step_id), fallback_title)
    if len(loss_names) == 1 and loss_names[0] in CATALOG:
        spec = CATALOG[loss_names[0]]
        return SectionDoc(spec.title, spec.formula, (spec.summary,), source_url)
    return SectionDoc(title, "", (), source_url)


@cache
def _plotly_js() -> str:
    return script_text(PLOTLY_JS.read_text(encoding="utf-8"))


_STACKED = re.compile(r"^\s*\\begin\{(gathered|aligned)\}(.*)\\end\{\1\}\s*$", re.S)


def formula_lines(latex: str) -> list[str]:
    r"""A formula stacked in a ``gathered`` or ``aligned`` block as its lines, with that block's alignment marks
    dropped (browsers' MathML has no line breaks, and the converter would print the marks); else the formula.

    >>> formula_lines(r"\begin{aligned} a \begin{cases} b & c \\ d \end{cases} \\ &= e \end{aligned}")
    ['a \\begin{cases} b & c \\\\ d \\end{cases}', '= e']
    """
    m = _STACKED.match(latex)
    if not m:
        return [latex]
    lines: list[str] = []
    line: list[str] = []
    depth = 0
    for token in re.finditer(r"\\begin\{|\\end\{|\\\\|\\&|&|\\?[^\\&]+|\\", m.group(2)):
        text = token.group()
        depth += (text == "\\begin{") - (text == "\\end{")
        if depth == 0 and text == "\\\\":
            lines.append("".join(line))
            line = []
        elif not (depth == 0 and text == "&"):
            line.append(text)
    lines.append("".join(line))
    return [s.strip() for s in lines if s.strip()]


def formula_html(latex: str) -> str:
    """``latex`` as display MathML, one block per line of a stacked formula; a formula the converter cannot
    read is shown as its LaTeX source instead."""
    from latex2mathml.converter import convert

    try:
        return "".join(convert(line, display="block") for line in formula_lines(latex))
    except Exception:  # noqa: BLE001 - the converter raises many kinds of errors on TeX it does not know
        return f'<pre class="formula-source">{html.escape(latex)}</pre>'


_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def inline_markdown(text: str) -> str:
    """The light markdown of the app's texts as HTML, every character of ``text`` escaped first.

    >>> inline_markdown("a `x<1` and **b** or *c* <i>")
    'a <code>x&lt;1</code> and <strong>b</strong> or <em>c</em> &lt;i&gt;'
    """
    out = html.escape(text, quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(r"<em>\1</em>", out)


def _payload(chart: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    """The chart's payload for the file: what only the server needs dropped, and each "frame" slider's range
    cut to the values its table covers (a fine slider's table covers a window around its value, and there is
    no server to work out more)."""
    data = json.loads(chart) if isinstance(chart, (bytes, str)) else dict(chart)
    if not isinstance(data, dict) or not isinstance(data.get("figure"), str):
        raise ValueError("charts: each must be a chart component payload with the figure as a JSON string")
    data = {k: v for k, v in data.items() if k not in _SERVER_ONLY}
    frames = data.get("frames") or {}
    controls = []
    for c in data.get("controls") or ():
        values = (frames.get(c.get("id")) or {}).get("values")
        if c.get("role") == "frame" and values:
            c = dict(c, min=max(c["min"], values[0]), max=min(c["max"], values[-1]))
        controls.append(c)
    if controls:
        data["controls"] = controls
    return data


def _json_script(value: Any) -> str:
    """JSON for a ``<script type="application/json">``: ``</`` and ``<!--`` cannot end it (``\\u003c``)."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")




def _read(name: str) -> str:
    """A file of the chart component's folder (the offline page's CSS and boot script live there, linted)."""
    return (FRONTEND / name).read_text(encoding="utf-8")


def _frame_sliders(data: Mapping[str, Any]) -> int:
    return sum(1 for c in data.get("controls") or () if c.get("role") == "frame")


def section_html(doc: SectionDoc, charts: Sequence[bytes | str | Mapping[str, Any]]) -> str:
    """The file: ``doc``'s texts and ``charts`` (what :func:`lossapp.live_chart.plotly_chart` sends the chart
    component: UTF-8 JSON bytes or the dict) with plotly.js and the component's code inlined."""
    payloads = [_payload(c) for c in charts]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{html.escape(doc.title)} · Loss functions explained</title>",
        f"<style>{_read('offline-page.css')}{_read('chart.css')}</style>",
        "</head><body><main>",
        f"<h1>{html.escape(doc.title)}</h1>",
    ]
    if doc.formula:
        parts.append(f'<div class="formula">{formula_html(doc.formula)}</div>')
    parts += [f"<p>{inline_markdown(p)}</p>" for p in doc.paragraphs]
    for i, data in enumerate(payloads):
        parts.append(f'<div class="lossapp-host" data-payload="lossapp-payload-{i}">'
                     '<div class="lossapp-chart" data-testid="lossappChart" role="img"></div>'
                     '<div class="lossapp-controls" data-testid="lossappControls"></div></div>')
        if data.get("alt"):
            parts.append(f'<p class="caption">{html.escape(str(data["alt"]))}</p>')
        if _frame_sliders(data) > 1:
            parts.append('<p class="note">In this file the sliders above the chart move one at a time: moving '
                         "one puts the others back where they were when the file was saved.</p>")
    parts += [f'<p class="note">{inline_markdown(n)}</p>' for n in doc.notes]
    link = (f' <a href="{html.escape(doc.source_url)}">Open this section in the app</a>.'
            if doc.source_url else "")
    parts.append(f"<footer>Saved from “Loss functions, explained live”; works offline.{link}</footer></main>")
    parts += [f'<script type="application/json" id="lossapp-payload-{i}">{_json_script(d)}</script>'
              for i, d in enumerate(payloads)]
    parts += [f"<script>{_plotly_js()}</script>", f"<script>{script_text(frontend_bundle())}</script>",
              f"<script>{_read('offline-boot.js')}</script>", "</body></html>"]
    return "\n".join(parts)
