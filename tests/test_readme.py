"""The README's page list and loss table are generated from the catalog and are up to date."""

from lossapp.readme import LOSSES_DOC, ROOT, losses_doc, render
from lossapp.registry import PAGES
from losscore.catalog import CATALOG


def test_readme_generated_section_is_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render(text) == text, "README.md is stale: run `.venv/bin/python -m lossapp.readme`"
    assert LOSSES_DOC.read_text(encoding="utf-8") == losses_doc(), "docs/losses.md is stale: same command"


def test_readme_stays_a_newcomers_page():
    assert len((ROOT / "README.md").read_bytes()) <= 10_240  # details go to docs/, bench/RESULTS.md, deploy/


def test_readme_lists_every_loss_and_page():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    full = LOSSES_DOC.read_text(encoding="utf-8")
    for name in CATALOG:
        assert f"`{name}`" in text and f"| `{name}`" in full
    for page in PAGES:
        assert f"| {page.title} |" in text


def test_readme_quick_start_has_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.splitlines() if line.startswith("make ")]
    assert commands == ["make run", "make test"]
