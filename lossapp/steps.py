"""The tutorial as a sequence of steps: every section of every page, once, in the order the app tells its story.

A step's ``id`` is the section's anchor (``/Regression#huber``) and the value that picks it alone from the
address (``?step=huber`` in presentation mode, ``?section=huber`` in an embed); the page scripts ask
:func:`lossapp.page.shown` before drawing each section. Lecture mode, lessons and single-section embeds all walk
this list. Nothing here imports Streamlit.

>>> [s.id for s in steps_of("Regression")]
['l1', 'l2', 'huber']
>>> step("huber").page, neighbours("l2")
('Regression', ('l1', 'huber'))
"""

from __future__ import annotations

from dataclasses import dataclass

from lossapp.registry import PAGES

__all__ = ["STEPS", "Step", "neighbours", "step", "steps_of"]


@dataclass(frozen=True)
class Step:
    """One section of one page."""

    #: Anchor and address value: lower case, digits and hyphens.
    id: str
    #: The page's ``url_path`` in :data:`lossapp.registry.PAGES`.
    page: str
    #: A short title (buttons, the lesson builder, the contents of lecture mode).
    title: str


STEPS: tuple[Step, ...] = (
    Step("values", "Basics", "One value per example, and weights"),
    Step("dense", "Basics", "Gradients through a Dense layer"),
    Step("batch-axis", "Basics", "Which axis holds the examples?"),
    Step("l1", "Regression", "L1 loss"),
    Step("l2", "Regression", "L2 loss"),
    Step("huber", "Regression", "Huber loss"),
    Step("logcosh", "Robust_regression", "Log-cosh loss"),
    Step("phuber", "Robust_regression", "Pseudo-Huber loss"),
    Step("quantile", "Robust_regression", "Quantile loss"),
    Step("epsins", "Robust_regression", "Epsilon-insensitive loss"),
    Step("tukey", "Robust_regression", "Tukey biweight loss"),
    Step("barron", "Robust_regression", "Barron's general robust loss"),
    Step("barron-alpha", "Robust_regression", "Barron's alpha: one dial, five classic losses"),
    Step("estimate", "Robust_regression", "What does each loss estimate?"),
    Step("bce", "Binary_classification", "Sigmoid binary cross-entropy"),
    Step("from-sigmoid", "Binary_classification", "Which from_sigmoid setting?"),
    Step("logistic", "Binary_classification", "Logistic loss"),
    Step("hinge", "Binary_classification", "Hinge loss"),
    Step("sqhinge", "Binary_classification", "Squared hinge loss"),
    Step("softmax-example", "Softmax_cross_entropy", "The tutorial's example, and one logit moving"),
    Step("softmax-sliders", "Softmax_cross_entropy", "Logits as sliders"),
    Step("fused", "Softmax_cross_entropy", "Why softmax and log are fused"),
    Step("kl", "Distributions", "KL divergence: the tutorial's example"),
    Step("kl-directions", "Distributions", "KL in both directions"),
    Step("kl-js", "Distributions", "Forward KL, reverse KL and Jensen-Shannon"),
    Step("poisson", "Distributions", "Poisson negative log-likelihood"),
    Step("poisson-counts", "Distributions", "A batch of counts"),
    Step("stirling", "Distributions", "compute_full and Stirling's formula"),
    Step("triplet", "Embeddings", "Triplet loss"),
    Step("cosine", "Embeddings", "Cosine embedding loss"),
    Step("sdml", "Embeddings", "SDML loss"),
    Step("infonce", "Embeddings", "InfoNCE: the temperature"),
    Step("margins", "Embeddings", "CosFace and ArcFace: the margins"),
    Step("ctc", "Sequences", "CTC loss"),
    Step("dice-jaccard", "Segmentation", "Dice and Jaccard on a small mask"),
    Step("tversky", "Segmentation", "Tversky: false positives against false negatives"),
    Step("compare", "Compare", "Compare losses"),
    Step("training-regression", "Training_lab", "Fitting a line through outliers"),
    Step("training-classifier", "Training_lab", "Training a linear classifier"),
    Step("own-data", "Your_own_data", "Your own data"),
)
_BY_ID = {s.id: s for s in STEPS}
_PAGE_PATHS = {p.url_path for p in PAGES}
assert len(_BY_ID) == len(STEPS), "step ids must be unique"
assert all(s.page in _PAGE_PATHS for s in STEPS), "every step must name a page of the registry"


def step(step_id: str) -> Step:
    """The step with this id; ValueError naming the known ids otherwise."""
    if step_id not in _BY_ID:
        raise ValueError(f"step_id must be one of {', '.join(_BY_ID)}; got {step_id!r}")
    return _BY_ID[step_id]


def steps_of(page: str) -> list[Step]:
    """The steps of the page whose ``url_path`` is ``page``, in order."""
    return [s for s in STEPS if s.page == page]


def neighbours(step_id: str) -> tuple[str | None, str | None]:
    """The ids of the steps before and after ``step_id`` (None at either end)."""
    i = STEPS.index(step(step_id))
    return (STEPS[i - 1].id if i > 0 else None, STEPS[i + 1].id if i + 1 < len(STEPS) else None)
