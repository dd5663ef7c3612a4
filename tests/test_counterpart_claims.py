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


# -- Basics: backward() on a vector of losses ------------------------------------------------------------------
def _page_text(page: str) -> str:
    from apptest_charts import load_page

    at = load_page(page)
    assert not at.exception, [e.value for e in at.exception]
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_basics_says_backward_on_a_vector_backpropagates_the_sum():
    from lossapp.sections.basics import BACKWARD_SUMS

    assert "`backward()` on a vector backpropagates the **sum**" in BACKWARD_SUMS
    assert "loss.sum().backward()" in BACKWARD_SUMS
    assert BACKWARD_SUMS in _page_text("1_Basics.py")


def test_backward_sentence_holds_in_pytorch_and_matches_the_apps_gradient():
    torch = pytest.importorskip("torch")
    from lossapp.sections.basics import dense_gradients

    g = dense_gradients(0, (2.0, 2.0), 1e-4)
    w = torch.tensor(g["w"], requires_grad=True)
    b = torch.tensor(g["b"], requires_grad=True)
    loss = 0.5 * (torch.tensor(g["x"]) @ w.T + b - torch.tensor([[2.0], [2.0]])) ** 2  # L2Loss, one per example
    with pytest.raises(RuntimeError, match="scalar outputs"):  # PyTorch refuses a vector
        loss.backward(retain_graph=True)
    loss.sum().backward(retain_graph=True)
    np.testing.assert_allclose(w.grad.numpy(), g["dw"], rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), g["db"], rtol=1e-12)
    w.grad, b.grad = None, None
    loss.backward(gradient=torch.ones_like(loss))  # the other way the sentence names: the same sum
    np.testing.assert_allclose(w.grad.numpy(), g["dw"], rtol=1e-12)


# -- Softmax: the worked numbers of the defaults ---------------------------------------------------------------
def test_softmax_caption_arithmetic_is_exact():
    from losscore.catalog import make_loss

    text = _page_text("4_Softmax_cross_entropy.py")
    assert "≈ 10 − 1 = 9.0001" not in text
    values = make_loss("SoftmaxCrossEntropyLoss")(np.array([[1.0, 10.0], [8.0, 2.0]]), np.array([0, 1]))
    a, b = (float(v) for v in values)
    assert f"(10 − 1) + log(1 + e⁻⁹) = 9 + {a - 9:.6f} = {a:.6f}" in text
    assert f"(8 − 2) + log(1 + e⁻⁶) = 6 + {b - 6:.6f} = {b:.6f}" in text
    assert np.log1p(np.exp(-9.0)) == pytest.approx(a - 9, rel=1e-6)
