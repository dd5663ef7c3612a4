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


# -- Sequences: the tutorial's "best path" sentence ------------------------------------------------------------
def _brute_force_labelling_probs(probs: np.ndarray) -> dict[tuple, float]:
    """p(labelling) by adding up every path of T steps (the blank is the last class)."""
    import itertools

    blank = probs.shape[1] - 1
    out: dict[tuple, float] = {}
    for path in itertools.product(range(probs.shape[1]), repeat=probs.shape[0]):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        key = tuple(c for c in merged if c != blank)
        out[key] = out.get(key, 0.0) + float(np.prod(probs[np.arange(len(path)), path]))
    return out


def test_best_path_labelling_probability_is_the_sum_over_its_paths():
    from lossapp.ctc_lattice import ctc_analysis

    rng = np.random.default_rng(3)
    for _ in range(5):
        scores = rng.normal(scale=1.5, size=(4, 3))  # classes A, B and the blank
        r = ctc_analysis(scores, "AB", ["A", "B", "-"])
        probs = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
        brute = _brute_force_labelling_probs(probs)
        decoded = tuple("AB".index(ch) for ch in r["decoded"])
        assert np.exp(r["decoded_log_likelihood"]) == pytest.approx(brute[decoded], rel=1e-9)
        assert np.exp(r["log_likelihood"]) == pytest.approx(brute[(0, 1)], rel=1e-9)


def test_sequences_flags_the_tutorials_best_path_claim():
    from lossapp.ctc_lattice import ctc_analysis
    from lossapp.sections.ctc import TUTORIAL_BEST_PATH, best_path_odds

    # the flag's own example: the best path spells nothing, the label A is more likely
    r = ctc_analysis(np.log([[0.4, 0.6], [0.4, 0.6]]), "A", ["A", "-"])
    assert r["decoded"] == ""
    odds = best_path_odds(r)
    assert "That one path has probability 0.36" in odds
    assert "The label A is more likely** (p = 0.64)" in odds
    brute = _brute_force_labelling_probs(np.array([[0.4, 0.6], [0.4, 0.6]]))
    assert brute[()] == pytest.approx(0.36) and brute[(0,)] == pytest.approx(0.64)
    assert "p = 0.36" in TUTORIAL_BEST_PATH and "= 0.64" in TUTORIAL_BEST_PATH
    # where greedy decoding finds the label, no claim that it did not
    r = ctc_analysis(np.log([[0.9, 0.1], [0.2, 0.8]]), "A", ["A", "-"])
    assert r["decoded"] == "A" and "more likely" not in best_path_odds(r)
    text = _page_text("7_Sequences.py")
    assert TUTORIAL_BEST_PATH in [i.value for i in _infos("7_Sequences.py")]
    assert "That one path has probability" in text


def _infos(page: str):
    from apptest_charts import load_page

    return load_page(page).info
