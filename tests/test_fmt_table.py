"""The number format table shared with the JavaScript copy of ``fmt`` (lossapp/frontend/format.js, whose node
test reads the same file): Python's ``fmt`` prints every case as the table says, so the two cannot drift apart."""

from __future__ import annotations

import json
import math
from pathlib import Path

from lossapp.formatting import fmt

TABLE = Path(__file__).with_name("fmt_cases.json")


def number(value: float | str) -> float:
    return {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}.get(value, value)  # type: ignore[arg-type]


def test_python_fmt_prints_every_case_of_the_shared_table():
    cases = json.loads(TABLE.read_text(encoding="utf-8"))["cases"]
    assert len(cases) > 500
    assert {d for _, d, _ in cases} >= {0, 1, 2, 4, 6}
    assert [c for c in cases if fmt(number(c[0]), c[1]) != c[2]] == []


def test_the_table_holds_the_cases_javascript_rounded_otherwise():
    """Exact ties (Python rounds half to even, JavaScript's toFixed away from zero) and the tiny numbers that
    JavaScript's toPrecision writes without an exponent."""
    cases = {(json.dumps(v), d): text for v, d, text in json.loads(TABLE.read_text(encoding="utf-8"))["cases"]}
    assert cases[("0.03125", 4)] == "0.0312" and cases[("123450.0", 4)] == "1.234e+05"
    assert cases[("5e-05", 4)] == "5e-05"
