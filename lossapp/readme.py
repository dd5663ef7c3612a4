"""Generate the README's page list and loss table from the catalog and the pages folder.

Run ``python -m lossapp.readme`` after changing the catalog or the pages; ``tests/test_readme.py`` fails when
the README is out of date.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from losscore.catalog import CATALOG, FAMILIES

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- generated:catalog:start -->", "<!-- generated:catalog:end -->"


def page_title(path: Path) -> str:
    """The sidebar name Streamlit derives from a page file name (``3_Binary_classification.py``)."""
    stem = re.sub(r"^\d+_", "", path.stem)
    return stem.replace("_", " ")


def page_summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def pages_table(root: Path = ROOT) -> str:
    rows = ["| Page | What it shows |", "| --- | --- |", f"| Home | {page_summary(root / 'app.py')} |"]
    for path in sorted((root / "pages").glob("*.py"), key=lambda p: int(p.name.split("_", 1)[0])):
        rows.append(f"| {page_title(path)} | {page_summary(path)} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def losses_table() -> str:
    rows = ["| Family | Loss | Parameters (default) | Label convention | PyTorch counterpart |",
            "| --- | --- | --- | --- | --- |"]
    for spec in CATALOG.values():
        params = ", ".join(f"`{p.name}={p.default!r}`" for p in spec.params)
        torch = next((c for c in spec.counterparts if c.startswith("PyTorch")), "")
        torch = torch.removeprefix("PyTorch: ")
        name = f"`{spec.name}`" + (f" (alias `{'`, `'.join(spec.aliases)}`)" if spec.aliases else "")
        rows.append(f"| {spec.family} | {name} | {params} | {_cell(spec.label_convention)} | {_cell(torch)} |")
    return "\n".join(rows)


def differences_list() -> str:
    lines = []
    for spec in CATALOG.values():
        for diff in spec.differences:
            lines.append(f"- `{spec.name}`: {diff}")
    return "\n".join(lines)


def generated_section(root: Path = ROOT) -> str:
    families = ", ".join(FAMILIES)
    return "\n\n".join([
        START,
        "### Pages",
        pages_table(root),
        f"### Losses ({len(CATALOG)}; families: {families})",
        losses_table(),
        "### Where losscore deliberately differs from MXNet 1.9.1",
        differences_list(),
        END,
    ])


def render(readme: str, root: Path = ROOT) -> str:
    """``readme`` with its generated section replaced by a fresh one."""
    if START not in readme or END not in readme:
        raise ValueError(f"README has no {START} ... {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + generated_section(root) + tail


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
