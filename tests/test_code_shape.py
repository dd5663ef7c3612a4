"""The house rules that keep the code readable for the next person (issue 18): small modules, short functions,
the chart component's JavaScript and CSS in files of their own, never in Python strings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sorted([ROOT / "app.py", *(p for d in ("lossapp", "losscore", "app_pages") for p in (ROOT / d).rglob("*.py"))])
SCRIPTS = sorted((ROOT / "lossapp" / "frontend").glob("*.js"))

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
MAX_JS_LINES = 400
#: A CSS rule or a JavaScript statement block: a selector or a call, a brace, something with a colon or a
#: semicolon before the closing brace.
CODE_BLOCK = re.compile(r"[\w.#\-\])]\s*\{[^{}]*[:;][^{}]*\}")


def _name(p: Path) -> str:
    return str(p.relative_to(ROOT))


@pytest.mark.parametrize("path", PYTHON, ids=_name)
def test_python_modules_and_functions_stay_small(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{_name(path)}: split it by what its parts hold"
    long = [(n.name, n.end_lineno - n.lineno + 1) for n in ast.walk(ast.parse(text))
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and (n.end_lineno or n.lineno) - n.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == [], f"{_name(path)}: name the steps of {long}"


@pytest.mark.parametrize("path", PYTHON, ids=_name)
def test_no_javascript_or_css_inside_python_strings(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # docstrings may show code (a doctest, a formula); the rule is about strings the program uses
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and n.body and isinstance(n.body[0], ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            assert not CODE_BLOCK.search(node.value), f"{_name(path)}:{node.lineno}: CSS or JS in a string"


def test_the_code_block_pattern_sees_css_and_javascript_but_not_prose():
    assert CODE_BLOCK.search(".st-key-x { font-size: 2rem; }")
    assert CODE_BLOCK.search("if (a) { b(); }")
    assert not CODE_BLOCK.search("The loss {value} is small; see the chart.")
    assert not CODE_BLOCK.search(r"L = \sum_c q_c \left(\log(q_c + 10^{-12}) - \log p_c\right)")


@pytest.mark.parametrize("path", SCRIPTS, ids=_name)
def test_javascript_files_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_JS_LINES, _name(path)


def test_the_rules_see_the_code():
    assert len(PYTHON) > 50 and len(SCRIPTS) >= 5
