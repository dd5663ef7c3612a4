"""The chart component's ES modules (``lossapp/frontend/*.js``) as one classic script, for a page with no server.

A file opened from disk cannot import modules from other files (Chromium refuses module loads from ``file://``),
so the offline export (:mod:`lossapp.section_html`) inlines this bundle: each module becomes a function scope run
once, in import order, whose exports the modules that import them read. The modules keep to a small subset of
module syntax, which :func:`bundle` checks: named imports from a sibling ``./name.js`` on one line each, and
``export function|async function|const|let|class name`` or one ``export default function``.

>>> js = bundle({"a.js": "export const A = 1;", "b.js": "import {A as one} from './a.js';\\nexport default "
...              "function () { return one; }"}, "b.js", "lossappChart")
>>> "const {A: one} = __m[\\"a.js\\"];" in js, js.index('__m["a.js"] =') < js.index('__m["b.js"] =')
(True, True)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

__all__ = ["FRONTEND", "bundle", "frontend_bundle", "script_text"]

FRONTEND = Path(__file__).resolve().parent / "frontend"

_IMPORT = re.compile(r"^import\s*\{([^}]*)\}\s*from\s*'\./([\w-]+\.js)';?[ \t]*$", re.M)
_EXPORT = re.compile(r"^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)", re.M)
_DEFAULT = re.compile(r"^export\s+default\s+", re.M)


def _imports(source: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(module, [(exported name, local name), ...]), ...]`` of a module's import lines."""
    out = []
    for names, module in _IMPORT.findall(source):
        pairs = []
        for part in (p.strip() for p in names.split(",")):
            if part:
                name, _, local = part.partition(" as ")
                pairs.append((name.strip(), (local or name).strip()))
        out.append((module, pairs))
    return out


def _module_body(name: str, source: str) -> str:
    """The module as the body of a function that returns its exports."""
    if re.search(r"^\s*(import|export)\b", _EXPORT.sub("", _IMPORT.sub("", source)).replace("export default", ""),
                 re.M):
        raise ValueError(f"{name}: only one-line named imports of './x.js' and named exports can be bundled")
    lines = [f"const {{{', '.join(n if n == loc else f'{n}: {loc}' for n, loc in pairs)}}} = __m[{_q(mod)}];"
             for mod, pairs in _imports(source)]
    exports = _EXPORT.findall(source)
    body = _IMPORT.sub("", source)
    body = re.sub(r"^export\s+(?=(?:async\s+)?(?:function|const|let|class)\b)", "", body, flags=re.M)
    if len(_DEFAULT.findall(body)) > 1:
        raise ValueError(f"{name}: more than one default export")
    if _DEFAULT.search(body):
        body = _DEFAULT.sub("const __default = ", body)
        exports.append("default: __default")
    return "\n".join([*lines, body.strip(), f"return {{{', '.join(exports)}}};"])


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bundle(sources: Mapping[str, str], entry: str, global_name: str) -> str:
    """One classic script holding the modules ``sources`` (file name -> text) that ``entry`` needs, each run
    after those it imports; the entry's default export becomes ``window[global_name]``."""
    order: list[str] = []

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in stack:
            raise ValueError(f"import cycle: {' -> '.join((*stack, name))}")
        if name not in sources:
            raise ValueError(f"{stack[-1] if stack else 'entry'} imports {name}, which is not among the sources")
        for module, _ in _imports(sources[name]):
            visit(module, (*stack, name))
        order.append(name)

    visit(entry, ())
    parts = ["(() => {", "const __m = {};"]
    for name in order:
        parts.append(f"__m[{_q(name)}] = (() => {{\n{_module_body(name, sources[name])}\n}})();")
    parts.append(f"window[{_q(global_name)}] = __m[{_q(entry)}].default;")
    parts.append("window.__lossappModules = __m;")
    parts.append("})();")
    return "\n".join(parts)


@functools.cache
def frontend_bundle() -> str:
    """The chart component (``frontend/index.js`` and what it imports) as ``window.lossappChart``; its modules
    stay reachable as ``window.__lossappModules`` (the offline page acknowledges slider messages with sync.js)."""
    sources = {p.name: p.read_text(encoding="utf-8") for p in FRONTEND.glob("*.js")}
    return bundle(sources, "index.js", "lossappChart")


def script_text(js: str) -> str:
    """``js`` made safe to sit inside an HTML ``<script>`` element: a ``</script`` in it (in a string or a regex)
    would end the element early, so it is spelled ``<\\/script``, which JavaScript reads as the same characters.
    ``<!--`` has no such spelling that is valid everywhere in code; a script holding it is refused."""
    if "<!--" in js:
        raise ValueError("js: holds '<!--', which cannot be inlined in an HTML page safely")
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.I)
