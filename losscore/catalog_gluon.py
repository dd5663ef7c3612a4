"""The catalog's entries for the tutorial's fourteen losses, MXNet Gluon's own (see :mod:`losscore.catalog`)."""

from __future__ import annotations

from . import classification, distribution, embedding, regression, sequence
from .spec import WEIGHT, LossSpec, Param, margin_param

__all__ = ["SPECS"]


SPECS: tuple[LossSpec, ...] = (
    LossSpec(
        name="L1Loss",
        short_id="l1", colour="#E69F00", dash="dashdot",
        label_shift=True,
        cls=regression.L1Loss,
        family="regression",
        title="L1 loss (mean absolute error)",
        formula=r"L = \frac{1}{M}\sum_i w\,s_i\,\lvert \mathrm{pred}_i - \mathrm{label}_i \rvert",
        summary=(
            "Charges each unit of error the same, so one wild outlier costs no more than its distance. The "
            "gradient has the same size everywhere (±1), which means it does not shrink as you approach the "
            "label: plain gradient descent keeps overshooting and needs a decaying step size."
        ),
        label_convention="Any real label; label and pred have the same number of elements.",
        params=(WEIGHT,),
        counterparts=(
            "PyTorch: torch.nn.L1Loss(reduction='none'), then a mean over the non-batch axes.",
            "Keras: keras.losses.MeanAbsoluteError.",
        ),
        curve="regression",
    ),
    LossSpec(
        name="L2Loss",
        short_id="l2", colour="#0072B2", dash="solid",
        label_shift=True,
        cls=regression.L2Loss,
        family="regression",
        title="L2 loss (half the squared error)",
        formula=r"L = \frac{1}{M}\sum_i \frac{w}{2}\,s_i\,(\mathrm{pred}_i - \mathrm{label}_i)^2",
        summary=(
            "Smooth everywhere, and its gradient is the error itself, so steps shrink as the prediction "
            "closes in. Squaring makes large errors dominate: a few outliers can pull a fit far away."
        ),
        label_convention="Any real label; label and pred have the same number of elements.",
        params=(WEIGHT,),
        counterparts=(
            "PyTorch: L2Loss = 0.5 * torch.nn.MSELoss(reduction='none') averaged over the non-batch axes "
            "(note the factor one half).",
            "Keras: 0.5 * keras.losses.MeanSquaredError.",
        ),
        curve="regression",
    ),
    LossSpec(
        name="HuberLoss",
        short_id="huber", colour="#009E73", dash="dash",
        label_shift=True,
        cls=regression.HuberLoss,
        family="regression",
        title="Huber loss",
        formula=(
            # two lines (gathered): on one, the formula was wider than a phone's screen
            r"\begin{gathered} L = \frac{1}{M}\sum_i w\,s_i \begin{cases} \lvert d_i\rvert - \frac{\rho}{2} & "
            r"\lvert d_i\rvert > \rho \\ \frac{d_i^2}{2\rho} & \text{otherwise} \end{cases} \\ "
            r"d_i = \mathrm{pred}_i - \mathrm{label}_i \end{gathered}"
        ),
        summary=(
            "Quadratic near the label (small, shrinking gradients) and linear beyond rho (bounded gradients), "
            "so it converges like L2 but is pulled by outliers only as much as L1. Used in DQN."
        ),
        label_convention="Any real label; label and pred have the same number of elements.",
        params=(
            Param("rho", "float", 1.0, "Where the quadratic part hands over to the linear part.", 0.1, 5.0, 0.1),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: HuberLoss(rho) equals torch.nn.SmoothL1Loss(beta=rho) exactly, and "
            "torch.nn.HuberLoss(delta=rho) / rho.",
            "Keras: keras.losses.Huber(delta=rho) / rho.",
        ),
        curve="regression",
    ),
    LossSpec(
        name="SigmoidBinaryCrossEntropyLoss",
        short_id="bce", colour="#D55E00", dash="solid",
        label_linear=True,
        positive_scale="pos_weight",
        cls=classification.SigmoidBinaryCrossEntropyLoss,
        family="classification",
        title="Sigmoid binary cross-entropy",
        formula=(
            r"\begin{aligned} L = -\frac{1}{M}\sum_i w\,s_i\big(&p\,z_i\log\sigma(x_i) \\ "
            r"&+ (1 - z_i)\log(1 - \sigma(x_i))\big) \end{aligned}"
        ),
        summary=(
            "Cross-entropy of a yes/no prediction. By default pred is a raw score (logit) and the sigmoid is "
            "applied inside, in a form that never overflows. If your network already ends in a sigmoid, set "
            "from_sigmoid=True; otherwise the sigmoid is applied twice and the loss can never reach zero. "
            "pos_weight p scales the positive term to counter class imbalance."
        ),
        label_convention="Labels z in [0, 1] (hard 0/1 or soft targets).",
        params=(
            Param("from_sigmoid", "bool", False, "pred is already a probability (the net ends in a sigmoid)."),
            Param("pos_weight", "float", 1.0, "Scale of the positive term (forward argument).", 0.1, 10.0, 0.1,
                  where="forward"),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: torch.nn.BCEWithLogitsLoss(reduction='none', pos_weight=p); with from_sigmoid=True, "
            "torch.nn.BCELoss (which clamps log at -100 where Gluon adds 1e-12).",
            "Keras: keras.losses.BinaryCrossentropy(from_logits=not from_sigmoid).",
        ),
        differences=(
            "At exactly pred = 0 the gradient is the true derivative sigma(0) - z; MXNet 1.9.1 returns -z there "
            "(1 − z when a pos_weight is passed, whatever its value).",
        ),
        aliases=("SigmoidBCELoss",),
        curve="classification",
        default_label=1.0,
        label_range=(0.0, 1.0),
    ),
    LossSpec(
        name="SoftmaxCrossEntropyLoss",
        short_id="sce", colour="#D55E00", dash="solid",
        cls=classification.SoftmaxCrossEntropyLoss,
        family="classification",
        title="Softmax cross-entropy",
        formula=(
            r"\begin{gathered} L = -\sum_c q_c \log \mathrm{softmax}(x)_c \\"
            r" (q = \mathrm{onehot}(y)\ \text{for a sparse label } y) \end{gathered}"
        ),
        summary=(
            "The standard loss for picking one of C classes. Softmax and log are fused into a log-sum-exp, so "
            "logits of any size are safe; computing softmax first and then its log overflows or takes log(0). "
            "The gradient is simply softmax(x) - onehot(y)."
        ),
        label_convention="Sparse: whole class indices in [0, C). Dense: a distribution over the C classes.",
        params=(
            Param("sparse_label", "bool", True, "Labels are class indices (else full distributions)."),
            Param("from_logits", "bool", False, "pred already holds log-probabilities (no log-softmax applied)."),
            Param("axis", "int", -1, "The class axis.", -1, 1, 1),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: torch.nn.CrossEntropyLoss(reduction='none') with the classes on axis 1 (Gluon's default "
            "axis is -1); dense labels are CrossEntropyLoss's probability targets; from_logits=True is NLLLoss.",
            "Keras: keras.losses.SparseCategoricalCrossentropy(from_logits=True) / CategoricalCrossentropy.",
        ),
        differences=(
            "Sparse labels must be whole numbers in [0, C): MXNet truncates and clips them silently, losscore "
            "raises a ValueError.",
        ),
        aliases=("SoftmaxCELoss",),
        default_label=0.0,
    ),
    LossSpec(
        name="HingeLoss",
        short_id="hinge", colour="#CC79A7", dash="solid",
        margin_shift="margin",
        cls=classification.HingeLoss,
        family="classification",
        title="Hinge loss",
        formula=r"L = \frac{1}{M}\sum_i w\,s_i \max(0,\ m - \mathrm{pred}_i\cdot\mathrm{label}_i)",
        summary=(
            "The SVM loss: zero once the score has the right sign with at least the margin to spare, linear "
            "otherwise. Correct but unconfident predictions inside the margin still pay. Not differentiable at "
            "the margin (losscore, like MXNet, uses gradient 0 there)."
        ),
        label_convention="Labels in {-1, +1} (other values are used as given).",
        params=(margin_param(1.0), WEIGHT),
        counterparts=(
            "PyTorch: no direct class; torch.clamp(m - pred * label, min=0) (MultiMarginLoss is the multiclass "
            "version).",
            "Keras: keras.losses.Hinge (converts 0/1 labels to -1/1 itself).",
        ),
        curve="classification",
        default_label=1.0,
        label_range=(-1.0, 1.0),
    ),
    LossSpec(
        name="SquaredHingeLoss",
        short_id="sqhinge", colour="#CC79A7", dash="dash",
        margin_shift="margin",
        cls=classification.SquaredHingeLoss,
        family="classification",
        title="Squared hinge loss",
        formula=r"L = \frac{1}{M}\sum_i w\,s_i \max(0,\ m - \mathrm{pred}_i\cdot\mathrm{label}_i)^2",
        summary=(
            "The hinge squared: still zero beyond the margin, but smooth at it, and punishing badly wrong "
            "scores quadratically (so more sensitive to outliers than the plain hinge)."
        ),
        label_convention="Labels in {-1, +1}.",
        params=(margin_param(1.0), WEIGHT),
        counterparts=(
            "PyTorch: no direct class; torch.clamp(m - pred * label, min=0) ** 2.",
            "Keras: keras.losses.SquaredHinge.",
        ),
        curve="classification",
        default_label=1.0,
        label_range=(-1.0, 1.0),
    ),
    LossSpec(
        name="LogisticLoss",
        short_id="logistic", colour="#56B4E9", dash="solid",
        label_linear=True,
        cls=classification.LogisticLoss,
        family="classification",
        title="Logistic loss",
        formula=r"L = \frac{1}{M}\sum_i w\,s_i \log\big(1 + e^{-\mathrm{pred}_i\cdot y_i}\big)",
        summary=(
            "A smooth hinge: never exactly zero, it keeps rewarding more confident correct scores a little, "
            "and grows linearly for confidently wrong ones. It is sigmoid cross-entropy written for -1/+1 labels."
        ),
        label_convention="label_format='signed': labels in {-1, +1}; 'binary': labels in {0, 1}.",
        params=(
            Param("label_format", "choice", "signed", "How labels are written.", choices=("signed", "binary")),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: torch.nn.BCEWithLogitsLoss(reduction='none') on (y + 1) / 2 for signed labels "
            "(SoftMarginLoss equals it only at y = ±1); on the labels themselves for binary.",
            "Keras: keras.losses.BinaryCrossentropy(from_logits=True) on 0/1 labels.",
        ),
        differences=("At exactly pred = 0 the gradient is sigma(0) - z; MXNet 1.9.1 returns -z there.",),
        curve="classification",
        default_label=1.0,
        label_range=(-1.0, 1.0),
    ),
    LossSpec(
        name="KLDivLoss",
        short_id="kl", colour="#0072B2", dash="solid",
        cls=distribution.KLDivLoss,
        family="distribution",
        title="Kullback-Leibler divergence",
        formula=r"L = \sum_c q_c\big(\log(q_c + 10^{-12}) - \log p_c\big)",
        summary=(
            "How many extra nats you pay for coding samples of the target q with the prediction p. Zero only "
            "when p = q, and asymmetric: KL(q||p) punishes p for missing mass where q has it. By default pred "
            "must already be log-probabilities (from_logits=True); set from_logits=False to apply log-softmax."
        ),
        label_convention="Labels are probability distributions along the class axis (entries >= 0).",
        params=(
            Param("from_logits", "bool", True, "pred already holds log-probabilities."),
            Param("axis", "int", -1, "The class axis.", -1, 1, 1),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: torch.nn.KLDivLoss(reduction='none') summed over the class axis (input = log-probs); "
            "reduction='batchmean' is the mean of Gluon's per-sample values.",
            "Keras: keras.losses.KLDivergence (takes probabilities, not log-probabilities).",
        ),
        differences=(
            "MXNet 1.9 sums over the non-batch axes; MXNet before 1.8 averaged (the tutorial's 0.02 comes from "
            "that older mean).",
        ),
    ),
    LossSpec(
        name="PoissonNLLLoss",
        short_id="poisson", colour="#009E73", dash="solid",
        label_linear=True,
        cls=distribution.PoissonNLLLoss,
        family="distribution",
        title="Poisson negative log-likelihood",
        formula=r"L = \frac{1}{M}\sum_i \big(e^{x_i} - t_i x_i\big) \quad (\text{rates } \mu = e^{x})",
        summary=(
            "For count targets (cars per minute, clicks per hour): the negative log-likelihood of the counts "
            "under a Poisson with the predicted rate. Rates stay positive by predicting their log "
            "(from_logits=True). compute_full adds log(t!), approximated with Stirling's formula for t > 1."
        ),
        label_convention="Targets are counts >= 0 (any non-negative real is accepted).",
        params=(
            Param("from_logits", "bool", True, "pred is the log of the rate."),
            Param("compute_full", "bool", False, "Add Stirling's approximation of log(target!)."),
            Param("epsilon", "float", 1e-8, "Added to the rate inside the log (from_logits=False).", 0.0, 1e-3,
                  1e-8, where="forward"),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: torch.nn.PoissonNLLLoss(log_input=from_logits, full=compute_full, eps=epsilon) with "
            "reduction='mean' (the same Stirling term for targets > 1).",
            "Keras: keras.losses.Poisson (takes rates).",
        ),
        differences=(
            "compute_full with a target of 0 gives NaN in MXNet 1.9.1; losscore adds 0 (log 0! = 0). Gradients "
            "work with compute_full (MXNet cannot record it).",
            "The output is one value of shape (1,): the mean over all elements, the batch included.",
        ),
        curve="regression",
        default_label=1.0,
        label_range=(0.0, 10.0),
    ),
    LossSpec(
        name="TripletLoss",
        short_id="tri", colour="#009E73", dash="solid",
        cls=embedding.TripletLoss,
        family="embedding",
        title="Triplet loss",
        formula=(
            r"L = \max\big(0,\ \lVert \mathrm{pos} - \mathrm{pred}\rVert^2 - \lVert \mathrm{neg} - \mathrm{pred}"
            r"\rVert^2 + m\big)"
        ),
        summary=(
            "Learns embeddings from triples: an anchor should be closer to a positive (same kind) than to a "
            "negative (other kind) by at least the margin, in squared distance. Satisfied triples cost nothing."
        ),
        label_convention="No labels: positive and negative are vectors shaped like pred.",
        params=(margin_param(1.0, 0.0, 5.0), WEIGHT),
        counterparts=(
            "PyTorch: not TripletMarginLoss (plain, non-squared distances); "
            "TripletMarginWithDistanceLoss(distance_function=lambda a, b: ((a - b) ** 2).sum(-1), margin=m) matches.",
            "Keras: no built-in (TensorFlow Addons had TripletSemiHardLoss).",
        ),
    ),
    LossSpec(
        name="CosineEmbeddingLoss",
        short_id="cos", colour="#0072B2", dash="solid",
        cls=embedding.CosineEmbeddingLoss,
        family="embedding",
        title="Cosine embedding loss",
        formula=(
            r"L = \begin{cases} 1 - \cos(x, y) & \text{label} = 1 \\ \max(0,\ \cos(x, y) - m) & \text{label} = -1"
            r"\end{cases}"
        ),
        summary=(
            "Compares directions, not lengths: similar pairs (label 1) should point the same way, dissimilar "
            "pairs (label -1) should have cosine at most the margin."
        ),
        label_convention="Labels in {-1, +1}; other labels give 0.",
        params=(margin_param(0.0, -1.0, 1.0), WEIGHT),
        counterparts=(
            "PyTorch: torch.nn.CosineEmbeddingLoss(margin=m, reduction='none'); it adds 1e-12 to each squared "
            "norm, cos = x·y / sqrt((|x|² + 1e-12)(|y|² + 1e-12)), where Gluon divides by max(|x||y|, 1e-12), "
            "so the two differ for tiny vectors (x = y = (1e-7, 0, 0): PyTorch 0.9901, Gluon 0).",
            "Keras: keras.losses.CosineSimilarity is -cos, without labels or margin.",
        ),
        differences=(
            "Output shape is (N,) (MXNet: (N, 1)).",
            "A zero vector gives gradient 0 (MXNet: NaN).",
        ),
    ),
    LossSpec(
        name="SDMLLoss",
        short_id="sdml", colour="#CC79A7", dash="solid",
        cls=embedding.SDMLLoss,
        family="embedding",
        title="Smoothed deep metric learning loss",
        formula=(
            r"L_i = \sum_j Q_{ij}\big(\log Q_{ij} - \log \mathrm{softmax}_j(-\lVert x1_i - x2_j\rVert^2)\big),\ "
            r"Q_{ii} = 1 - \alpha,\ Q_{ij} = \tfrac{\alpha}{B - 1}"
        ),
        summary=(
            "Treats a batch of pairs as a classification problem: x1_i should be nearest to its own partner "
            "x2_i among all x2_j. The other pairs act as negatives, and smoothing keeps the targets soft."
        ),
        label_convention="No labels: row i of x1 and row i of x2 are the matching pair.",
        params=(
            Param("smoothing_parameter", "float", 0.3, "Target mass spread over the non-matching pairs.",
                  0.0, 0.9, 0.05),
        ),
        counterparts=(
            "PyTorch: no built-in; KLDivLoss between the smoothed identity and log_softmax(-cdist(x1, x2) ** 2).",
            "Keras: no built-in.",
        ),
        differences=(
            "weight and batch_axis are accepted but unused, as in MXNet.",
            "A batch of one pair raises a ValueError (MXNet: NaN).",
        ),
    ),
)


def ctc_spec() -> LossSpec:
    return LossSpec(
        name="CTCLoss",
        short_id="ctc", colour="#E69F00", dash="solid",
        cls=sequence.CTCLoss,
        family="sequence",
        title="Connectionist temporal classification (CTC)",
        formula=r"L = -\log \sum_{\pi \in \mathcal{B}^{-1}(l)} \prod_{t=1}^{T} \mathrm{softmax}(x_t)_{\pi_t}",
        summary=(
            "For sequence labels without a given alignment (speech, handwriting): sums the probability of "
            "every path through time that collapses to the label once repeats are merged and blanks removed. "
            "The blank is the last class."
        ),
        label_convention="Class indices in [0, C-1), padded with -1; class C-1 is the blank.",
        params=(
            Param("layout", "choice", "NTC", "Layout of pred.", choices=("NTC", "TNC")),
            Param("label_layout", "choice", "NT", "Layout of the label.", choices=("NT", "TN")),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: torch.nn.CTCLoss(blank=C-1, reduction='none') on log_softmax(pred) in (T, N, C) layout "
            "(torch's default blank is 0).",
            "Keras: keras.backend.ctc_batch_cost (blank is also the last class).",
        ),
        differences=(
            "A label too long for its sequence gives loss +inf and gradient 0 (MXNet: 0 and garbage).",
            "A batch whose labels are all empty works (MXNet: garbage).",
        ),
    )
