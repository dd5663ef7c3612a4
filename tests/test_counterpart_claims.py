"""What the catalog's counterpart notes say about PyTorch, checked against PyTorch itself (torch 2.13 CPU)."""

from __future__ import annotations

import numpy as np
import pytest

from losscore.catalog import CATALOG

COSINE_FORMULA = "cos = x·y / sqrt((|x|² + 1e-12)(|y|² + 1e-12))"


def _pytorch_note(name: str) -> str:
    return next(c for c in CATALOG[name].counterparts if c.startswith("PyTorch"))


def _cos_of_the_note(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The note's formula, row by row."""
    dot = (x * y).sum(-1)
    return dot / np.sqrt(((x * x).sum(-1) + 1e-12) * ((y * y).sum(-1) + 1e-12))


def test_cosine_note_states_pytorchs_epsilon_exactly():
    note = _pytorch_note("CosineEmbeddingLoss")
    assert COSINE_FORMULA in note
    assert "1e-8" not in note
    assert "0.9901" in note


def test_cosine_note_formula_is_what_pytorch_computes():
    torch = pytest.importorskip("torch")
    assert torch.__version__.startswith("2.13.")
    rng = np.random.default_rng(17)
    # ordinary vectors, tiny ones (where the epsilon decides) and the note's own example
    x = np.concatenate([rng.normal(size=(4, 3)), 1e-7 * rng.normal(size=(4, 3)), [[1e-7, 0.0, 0.0]]])
    y = np.concatenate([rng.normal(size=(4, 3)), 1e-7 * rng.normal(size=(4, 3)), [[1e-7, 0.0, 0.0]]])
    label = np.ones(len(x))
    got = torch.nn.CosineEmbeddingLoss(reduction="none")(
        torch.tensor(x), torch.tensor(y), torch.tensor(label)).numpy()
    np.testing.assert_allclose(got, 1.0 - _cos_of_the_note(x, y), rtol=1e-9, atol=1e-12)
    assert round(float(got[-1]), 4) == 0.9901
    # the old sentence (norms floored at 1e-8) would give loss 0 for the example: it is not what PyTorch does
    n = np.linalg.norm(x[-1])
    floored = 1.0 - x[-1] @ y[-1] / (max(n, 1e-8) * max(n, 1e-8))
    assert abs(floored - got[-1]) > 0.9
