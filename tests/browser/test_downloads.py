"""The export buttons under a chart download files that open, and downloading does not rerun the app."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from lossapp.export import FIGSIZE, PNG_DPI
from losscore import L1Loss
from losscore.sweep import sweep

from .harness import app_pages, exceptions, open_export, runs, wait_loaded

HAS_REGRESSION = any(p.url_path == "Regression" for p in app_pages())


def download(page, label: str) -> tuple[str, bytes]:
    button = page.locator('[data-testid="stDownloadButton"] button', has_text=label).first
    with page.expect_download() as info:
        button.click()
    d = info.value
    assert d.failure() is None
    return d.suggested_filename, Path(d.path()).read_bytes()


@pytest.mark.skipif(not HAS_REGRESSION, reason="app_pages/2_Regression.py not written yet")
def test_png_svg_and_csv_downloads_open(server, page):
    page.goto(f"{server}/Regression")
    wait_loaded(page)
    assert page.locator('[data-testid="stDownloadButton"]').count() == 0  # built only when asked for
    open_export(page)
    before = runs(page)

    name, png = download(page, "PNG")
    assert name.endswith(".png") and name.startswith("l1loss")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    w, h = (round(v * PNG_DPI) for v in FIGSIZE)
    assert imread(io.BytesIO(png), format="png").shape[:2] == (h, w)

    name, svg = download(page, "SVG")
    assert name.endswith(".svg")
    assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"

    name, data = download(page, "CSV")
    assert name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == ["prediction", "L1Loss loss", "L1Loss dL/dpred"]
    table = np.array(rows[1:], dtype=float)
    assert table.shape[0] > 100
    # the first chart is L1Loss with default settings (label 0, weight 1): the CSV holds losscore's numbers
    expected = sweep(L1Loss(), table[:, 0], 0.0)
    np.testing.assert_array_equal(table[:, 1], expected.values)
    np.testing.assert_array_equal(table[:, 2], expected.grad)

    assert runs(page) == before, "a download reran the script"
    assert exceptions(page) == []
    assert page.console_errors == []
