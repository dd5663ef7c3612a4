"""The catalog's entries for the classification losses beyond Gluon (see :mod:`losscore.catalog`): focal,
label-smoothing, Poly and asymmetric losses on logits; the multiclass hinge, modified Huber, perceptron and 0-1
losses on scores."""

from __future__ import annotations

from . import focal, margin
from .spec import WEIGHT, LossSpec, Param, margin_param

__all__ = ["SPECS"]

#: The binary margin losses read ±1 labels: the app offers the label as a choice of the two.
_SIGNED = {"label_choices": (-1.0, 1.0)}

_GAMMA_HELP = "The focusing exponent: how fast confident, right examples fade out of the loss (0: none)."

SPECS: tuple[LossSpec, ...] = (
    LossSpec(
        name="SigmoidFocalLoss",
        short_id="focal", colour="#E69F00", dash="dash",
        cls=focal.SigmoidFocalLoss,
        family="classification",
        title="Sigmoid focal loss",
        formula=(
            r"\begin{gathered} L = \frac{1}{M}\sum_i w\,s_i\,\alpha_t\,(1 - p_t)^\gamma\,\mathrm{BCE}(x_i, z_i) \\ "
            r"p_t = z\,\sigma(x) + (1 - z)(1 - \sigma(x)),\ \alpha_t = \alpha z + (1 - \alpha)(1 - z) "
            r"\end{gathered}"
        ),
        summary=(
            "Binary cross-entropy times (1 - p_t)^gamma, where p_t is the probability given to the right "
            "answer. Easy examples, which a detector sees by the hundred thousand, have p_t near 1 and fade out; "
            "the hard ones keep nearly their full cross-entropy. alpha weighs positives against negatives "
            "(a negative alpha switches it off); gamma = 0 without alpha is plain sigmoid cross-entropy."
        ),
        label_convention="Labels z in [0, 1]: 0/1 for detection (soft labels follow torchvision's formula).",
        params=(
            Param("alpha", "float", 0.25, "Weight of the positive class (1 - alpha for negatives); below 0: "
                  "no class weight, as torchvision's alpha=-1.", -1.0, 1.0, 0.05),
            Param("gamma", "float", 2.0, _GAMMA_HELP, 0.0, 5.0, 0.1),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: torchvision.ops.sigmoid_focal_loss(pred, label, alpha=alpha, gamma=gamma, reduction='none'), "
            "then a mean over the non-batch axes.",
            "Keras: keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=alpha, gamma=gamma, "
            "from_logits=True).",
        ),
        curve="classification",
        default_label=1.0,
        label_range=(0.0, 1.0),
    ),
    LossSpec(
        name="SoftmaxFocalLoss",
        short_id="sfocal", colour="#E69F00", dash="dot",
        cls=focal.SoftmaxFocalLoss,
        family="classification",
        title="Softmax focal loss",
        formula=r"L = -(1 - p_y)^\gamma \log p_y,\quad p = \mathrm{softmax}(x)",
        summary=(
            "The focal idea over C classes: softmax cross-entropy scaled by (1 - p_y)^gamma, so rows the "
            "network already gets right with confidence contribute almost nothing and the gradient goes to the "
            "rows it still gets wrong. gamma = 0 is softmax cross-entropy."
        ),
        label_convention="Whole class indices in [0, C), one per row.",
        params=(Param("gamma", "float", 2.0, _GAMMA_HELP, 0.0, 5.0, 0.1), WEIGHT),
        counterparts=(
            "PyTorch: no built-in (torchvision has only the sigmoid form); -(1 - p) ** gamma * log p with "
            "log p = log_softmax(x, dim=1).gather(1, y[:, None]).",
            "Keras: keras.losses.CategoricalFocalCrossentropy(alpha=1.0, gamma=gamma, from_logits=True) on one-hot "
            "labels.",
        ),
    ),
    LossSpec(
        name="LabelSmoothingCrossEntropyLoss",
        short_id="lsce", colour="#D55E00", dash="dash",
        cls=focal.LabelSmoothingCrossEntropyLoss,
        family="classification",
        title="Label-smoothing cross-entropy",
        formula=(
            r"\begin{gathered} L = -\sum_c q_c \log \mathrm{softmax}(x)_c \\ "
            r"q = (1 - \epsilon)\,\mathrm{onehot}(y) + \epsilon / C \end{gathered}"
        ),
        summary=(
            "Softmax cross-entropy against a softened target: 1 - epsilon on the label and epsilon spread evenly "
            "over all C classes. The loss is then smallest at a finite gap between the logits, so the network "
            "stops pushing the right logit up forever and its probabilities stay better calibrated."
        ),
        label_convention="Whole class indices in [0, C), one per row.",
        params=(Param("epsilon", "float", 0.1, "The probability mass spread evenly over all classes.",
                      0.0, 1.0, 0.01), WEIGHT),
        counterparts=(
            "PyTorch: torch.nn.CrossEntropyLoss(reduction='none', label_smoothing=epsilon).",
            "Keras: keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=epsilon) on one-hot "
            "labels.",
        ),
    ),
    LossSpec(
        name="PolyLoss",
        short_id="poly", colour="#F0E442", dash="solid",
        cls=focal.PolyLoss,
        family="classification",
        title="PolyLoss (Poly-1)",
        formula=r"L = -\log p_y + \epsilon\,(1 - p_y),\quad p = \mathrm{softmax}(x)",
        summary=(
            "Cross-entropy is the series sum_j (1 - p_y)^j / j; Poly-1 changes the weight of its first term from "
            "1 to 1 + epsilon. A positive epsilon keeps pushing examples the network already gets right (their "
            "gradient is (1 + epsilon p_y) times cross-entropy's); epsilon = 0 is cross-entropy."
        ),
        label_convention="Whole class indices in [0, C), one per row.",
        params=(Param("epsilon", "float", 1.0, "Extra weight on the first polynomial term 1 - p_y (>= -1).",
                      -1.0, 5.0, 0.1), WEIGHT),
        counterparts=(
            "PyTorch: no built-in; torch.nn.CrossEntropyLoss(reduction='none')(x, y) + epsilon * "
            "(1 - torch.softmax(x, 1).gather(1, y[:, None])[:, 0]).",
            "Keras: no built-in.",
        ),
    ),
    LossSpec(
        name="AsymmetricLoss",
        short_id="asl", colour="#D55E00", dash="dashdot",
        label_linear=True,
        cls=focal.AsymmetricLoss,
        family="classification",
        title="Asymmetric loss (multi-label)",
        formula=(
            r"\begin{gathered} L = \frac{1}{M}\sum_i w\,s_i\big(-z_i (1 - p_i)^{\gamma_+}\log p_i "
            r"- (1 - z_i)\,p_{m,i}^{\gamma_-}\log(1 - p_{m,i})\big) \\ "
            r"p = \sigma(x),\ p_m = \max(p - m, 0) \end{gathered}"
        ),
        summary=(
            "For multi-label images, where most labels of an image are negatives: negatives get a stronger focal "
            "factor than positives (gamma_neg > gamma_pos) and their probability is shifted down by the margin "
            "clip, so easy negatives (p <= clip) cost nothing at all. With every parameter 0 it is sigmoid "
            "cross-entropy."
        ),
        label_convention="Labels z in {0, 1}, one per class (a label in between mixes the two terms).",
        params=(
            Param("gamma_pos", "float", 0.0, "Focusing exponent of the positives.", 0.0, 5.0, 0.1),
            Param("gamma_neg", "float", 4.0, "Focusing exponent of the negatives.", 0.0, 8.0, 0.1),
            Param("clip", "float", 0.05, "The probability margin m: negatives with p <= m are dropped.",
                  0.0, 0.5, 0.01),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: no built-in; the authors' AsymmetricLoss (Alibaba-MIIL/ASL) sums where losscore averages, and "
            "clamps p at 1e-8 (so it flattens below a logit of -18.4).",
            "Keras: no built-in.",
        ),
        curve="classification",
        default_label=1.0,
        label_range=(0.0, 1.0),
    ),
    LossSpec(
        name="MulticlassHingeLoss",
        short_id="mchinge", colour="#CC79A7", dash="dot",
        cls=margin.MulticlassHingeLoss,
        family="classification",
        title="Multiclass hinge loss",
        formula=r"L = \frac{1}{C}\sum_{c \ne y} \max(0,\ m - x_y + x_c)",
        summary=(
            "The SVM hinge for C classes (Weston and Watkins): every wrong class whose score comes within the "
            "margin of the right one pays the shortfall. Divided by C, as PyTorch's MultiMarginLoss does."
        ),
        label_convention="Whole class indices in [0, C), one per row.",
        params=(margin_param(1.0), WEIGHT),
        counterparts=(
            "PyTorch: torch.nn.MultiMarginLoss(margin=m, reduction='none') (it divides by C too).",
            "Keras: keras.losses.CategoricalHinge is the Crammer-Singer form: only the largest wrong score pays.",
        ),
    ),
    LossSpec(
        name="ModifiedHuberLoss",
        short_id="mhuber", colour="#0072B2", dash="dash",
        cls=margin.ModifiedHuberLoss,
        family="classification",
        title="Modified Huber loss",
        formula=(
            r"\begin{gathered} L = \frac{1}{M}\sum_i w\,s_i \begin{cases} \max(0, 1 - z_i)^2 & z_i \ge -1 \\ "
            r"-4 z_i & z_i < -1 \end{cases} \\ z_i = \mathrm{pred}_i\cdot\mathrm{label}_i \end{gathered}"
        ),
        summary=(
            "The squared hinge near the margin, a straight line (slope 4) for badly wrong scores: smooth like the "
            "squared hinge, but a mislabelled example costs linearly, not quadratically. scikit-learn's "
            "SGDClassifier offers it because its scores also give probabilities: (clip(score, -1, 1) + 1) / 2."
        ),
        label_convention="Labels in {-1, +1}.",
        params=(WEIGHT,),
        counterparts=(
            "PyTorch: no built-in; torch.where(z >= -1, torch.clamp(1 - z, min=0) ** 2, -4 * z) with "
            "z = label * pred.",
            "scikit-learn: SGDClassifier(loss='modified_huber').",
        ),
        curve="classification",
        default_label=1.0,
        label_range=(-1.0, 1.0),
        extra=_SIGNED,
    ),
    LossSpec(
        name="PerceptronLoss",
        short_id="percep", colour="#009E73", dash="dashdot",
        cls=margin.PerceptronLoss,
        family="classification",
        title="Perceptron loss",
        formula=r"L = \frac{1}{M}\sum_i w\,s_i \max(0,\ -\mathrm{pred}_i\cdot\mathrm{label}_i)",
        summary=(
            "The hinge with margin 0: only wrong signs pay, by how wrong they are. Any separating line is a "
            "minimum, however close to the points, which is why the perceptron finds a separator but not a good "
            "one. Its gradient at a score of 0 is -label, so training can start from zero weights."
        ),
        label_convention="Labels in {-1, +1}.",
        params=(WEIGHT,),
        counterparts=(
            "PyTorch: no built-in; torch.clamp(-label * pred, min=0).",
            "scikit-learn: SGDClassifier(loss='perceptron') and Perceptron.",
        ),
        curve="classification",
        default_label=1.0,
        label_range=(-1.0, 1.0),
        extra=_SIGNED,
    ),
    LossSpec(
        name="ZeroOneLoss",
        short_id="zeroone", colour="#D55E00", dash="dot",
        cls=margin.ZeroOneLoss,
        family="classification",
        title="0-1 loss",
        formula=r"L = \frac{1}{M}\sum_i w\,s_i\,[\,\mathrm{pred}_i\cdot\mathrm{label}_i \le 0\,]",
        summary=(
            "The error rate itself: 1 for a wrong sign, 0 for a right one. It is what a classifier is judged by, "
            "but its gradient is 0 wherever it exists, so it cannot be trained on; the hinge, logistic and "
            "modified Huber losses are convex surrogates that lie above it."
        ),
        label_convention="Labels in {-1, +1}; a score of exactly 0 counts as wrong.",
        params=(WEIGHT,),
        counterparts=(
            "PyTorch: no loss (nothing to differentiate); (label * pred <= 0).float() as a metric.",
            "scikit-learn: sklearn.metrics.zero_one_loss on predicted classes.",
        ),
        curve="classification",
        default_label=1.0,
        label_range=(-1.0, 1.0),
        extra=_SIGNED,
    ),
)
