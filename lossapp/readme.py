"""Generate the README's page table and loss tables from the page registry and the catalog.

Run ``python -m lossapp.readme`` after changing either; ``tests/test_readme.py`` fails when
the README is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lossapp.registry import by_group, page_of
from losscore.catalog import CATALOG, FAMILIES

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- generated:catalog:start -->", "<!-- generated:catalog:end -->"


def pages_table() -> str:
    rows = ["| Page | Address | What it shows |", "| --- | --- | --- |"]
    for group, pages in by_group().items():
        rows.append(f"| **{group}** | | |")
        rows.extend(f"| {p.title} | `/{p.url_path}` | {_cell(p.blurb)} |" for p in pages)
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def losses_table() -> str:
    rows = ["| Loss | Page | Parameters (default) | Label convention | PyTorch counterpart |",
            "| --- | --- | --- | --- | --- |"]
    for spec in CATALOG.values():
        params = ", ".join(f"`{p.name}={p.default!r}`" for p in spec.params)
        torch = next((c for c in spec.counterparts if c.startswith("PyTorch")), "")
        torch = torch.removeprefix("PyTorch: ")
        name = f"`{spec.name}`" + (f" (alias `{'`, `'.join(spec.aliases)}`)" if spec.aliases else "")
        page = page_of(spec.name).title
        rows.append(f"| {name} | {page} | {params} | {_cell(spec.label_convention)} | {_cell(torch)} |")
    return "\n".join(rows)


def differences_list() -> str:
    lines = []
    for spec in CATALOG.values():
        for diff in spec.differences:
            lines.append(f"- `{spec.name}`: {diff}")
    return "\n".join(lines)


def generated_section() -> str:
    families = ", ".join(FAMILIES)
    return "\n\n".join([
        START,
        "### Pages",
        pages_table(),
        f"### Losses ({len(CATALOG)}; families: {families})",
        losses_table(),
        "### Where losscore deliberately differs from MXNet 1.9.1",
        differences_list(),
        END,
    ])


def render(readme: str) -> str:
    """``readme`` with its generated section replaced by a fresh one."""
    if START not in readme or END not in readme:
        raise ValueError(f"README has no {START} ... {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + generated_section() + tail


def main() -> int:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        print("README.md updated")
    else:
        print("README.md already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
