"""Small fixed inputs for the losses whose chart is not a loss-vs-prediction curve (softmax cross-entropy, the
divergences, triplet, cosine, SDML, CTC, the contrastive and margin-softmax embeddings, the mask overlaps), so
that their "run it yourself" snippets compute something every framework can check: the same arrays, written
out, in losscore, MXNet, PyTorch, Keras and optax.

An example is the loss's forward inputs in losscore's (and Gluon's) order, by the names the spellings of
:mod:`lossapp.spellings` use; the gradient is taken with respect to the first (``pred``).

>>> ex = example("TripletLoss", {"margin": 1.0})
>>> list(ex), ex["pred"].shape
(['pred', 'positive', 'negative'], (3, 4))
>>> example("HuberLoss", {}) is None
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["EXAMPLES", "NO_EXAMPLE", "example"]

Inputs = dict[str, np.ndarray]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _distributions(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Rows of positive probabilities (Keras clips entries below 1e-7; none here)."""
    q = rng.uniform(0.1, 1.0, shape).round(2)
    return q / q.sum(axis=-1, keepdims=True)


def _softmax_ce(p: dict[str, Any]) -> Inputs:
    rng = _rng(21)
    logits = rng.normal(size=(3, 4)).round(2)
    pred = _log_softmax(logits) if p.get("from_logits") else logits
    label = np.array([3.0, 0.0, 1.0]) if p.get("sparse_label", True) else _distributions(rng, (3, 4))
    return {"pred": pred, "label": label}


def _kl(p: dict[str, Any]) -> Inputs:
    rng = _rng(22)
    logits = rng.normal(size=(3, 4)).round(2)
    return {"pred": _log_softmax(logits) if p.get("from_logits", True) else logits,
            "label": _distributions(rng, (3, 4))}


def _triplet(p: dict[str, Any]) -> Inputs:
    rng = _rng(23)
    return {k: rng.normal(size=(3, 4)).round(2) for k in ("pred", "positive", "negative")}


def _cosine(p: dict[str, Any]) -> Inputs:
    rng = _rng(24)
    return {"pred": rng.normal(size=(4, 3)).round(2), "x2": rng.normal(size=(4, 3)).round(2),
            "label": np.array([1.0, -1.0, 1.0, -1.0])}


def _sdml(p: dict[str, Any]) -> Inputs:
    rng = _rng(25)
    return {"pred": rng.normal(size=(4, 3)).round(2), "x2": rng.normal(size=(4, 3)).round(2)}


def _ctc(p: dict[str, Any]) -> Inputs:
    rng = _rng(26)
    # N = 2 sequences of T = 5 steps over C = 4 classes (3 symbols and the blank, the last); labels padded with -1
    pred = rng.normal(size=(2, 5, 4)).round(2)
    label = np.array([[0.0, 1.0, -1.0], [2.0, 2.0, 1.0]])
    return {"pred": pred.transpose(1, 0, 2) if p.get("layout") == "TNC" else pred,
            "label": label.T if p.get("label_layout") == "TN" else label}


def _info_nce(p: dict[str, Any]) -> Inputs:
    rng = _rng(27)
    # N = 4 anchors and their positives, D = 3: row i of positive is anchor i's match, the other rows negatives
    return {"pred": rng.normal(size=(4, 3)).round(2), "positive": rng.normal(size=(4, 3)).round(2)}


def _margin_softmax(p: dict[str, Any]) -> Inputs:
    rng = _rng(28)
    # N = 4 embeddings of D = 3 against C = 3 class centres: three near their centre, the last 135 degrees from it
    # (past pi - margin for a margin above 0.78 rad, where ArcFace's logit turns to cos - m sin m)
    label = np.array([0.0, 2.0, 1.0, 2.0])
    centers = rng.normal(size=(3, 3)).round(2)
    pred = centers[label.astype(int)] * np.array([[1.0], [1.0], [1.0], [-1.0]]) + rng.normal(scale=0.5, size=(4, 3))
    return {"pred": pred.round(2), "label": label, "centers": centers}


def _masks(p: dict[str, Any]) -> Inputs:
    rng = _rng(29)
    # N = 3 masks of 2 x 3 pixels, logits against 0/1 masks; the last mask is empty (smooth decides its loss)
    label = rng.integers(0, 2, size=(3, 2, 3)).astype(np.float64)
    label[-1] = 0.0
    return {"pred": rng.normal(scale=2.0, size=(3, 2, 3)).round(2), "label": label}


#: The example of each loss without a curve, from its parameters (some change what the inputs must hold).
EXAMPLES: dict[str, Callable[[dict[str, Any]], Inputs]] = {
    "SoftmaxCrossEntropyLoss": _softmax_ce,
    "KLDivLoss": _kl,
    "TripletLoss": _triplet,
    "CosineEmbeddingLoss": _cosine,
    "SDMLLoss": _sdml,
    "CTCLoss": _ctc,
    "ReverseKLDivLoss": _kl,
    "JensenShannonLoss": _kl,
    "InfoNCELoss": _info_nce,
    "CosFaceLoss": _margin_softmax,
    "ArcFaceLoss": _margin_softmax,
    "DiceLoss": _masks,
    "JaccardLoss": _masks,
    "TverskyLoss": _masks,
}


def _class_scores(p: dict[str, Any]) -> Inputs:
    """Logits (or scores) of 3 samples over 4 classes and a class index each, as _softmax_ce's sparse case."""
    rng = _rng(27)
    return {"pred": rng.normal(size=(3, 4)).round(2), "label": np.array([2.0, 0.0, 3.0])}


#: The softmax-family losses on class indices beyond Gluon.
EXAMPLES.update({name: _class_scores for name in ("SoftmaxFocalLoss", "LabelSmoothingCrossEntropyLoss", "PolyLoss",
                                                   "MulticlassHingeLoss")})


def example(name: str, params: dict[str, Any]) -> Inputs | None:
    """The example inputs of ``name`` with these parameters (None for a loss without one)."""
    build = EXAMPLES.get(name)
    return None if build is None else build(params)


#: The losses without a curve that have no example inputs here yet, and why: their snippets say so and compute
#: nothing (tests/test_export_run.py checks that every such loss is listed here or has an example).
NO_EXAMPLE: dict[str, str] = {}
