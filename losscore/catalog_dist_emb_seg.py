"""The catalog's entries for the losses beyond Gluon's of three families: divergences (reverse KL, Jensen-Shannon),
contrastive and margin-softmax embeddings (InfoNCE, CosFace, ArcFace) and segmentation overlaps (Dice, Jaccard,
Tversky). See :mod:`losscore.catalog`."""

from __future__ import annotations

from . import contrastive, divergence, segmentation
from .spec import WEIGHT, LossSpec, Param

__all__ = ["SPECS"]

_FROM_LOGITS = Param("from_logits", "bool", True, "pred already holds log-probabilities.")
_AXIS = Param("axis", "int", -1, "The class axis.", -1, 1, 1)
_SMOOTH = Param("smooth", "float", 1.0, "Added to the ratio's numerator and denominator (empty masks, small "
                "objects).", 0.0, 10.0, 0.1)
_SCALE = Param("scale", "float", 30.0, "S: the cosines are multiplied by it before the softmax.", 1.0, 64.0, 1.0)
_SEG_LABELS = "Masks of 0/1 pixels (entries in [0, 1]) with as many elements as pred, which holds logits."
_SEG_EMPTY = ("segmentation-models-pytorch returns 0 for a sample whose mask is empty and averages over the whole "
              "batch at once; losscore gives each sample its own value, also for an empty mask.")

SPECS: tuple[LossSpec, ...] = (
    LossSpec(
        name="ReverseKLDivLoss",
        short_id="rkl", colour="#D55E00", dash="dash",
        cls=divergence.ReverseKLDivLoss,
        family="distribution",
        title="Reverse Kullback-Leibler divergence",
        formula=r"L = \sum_c p_c\big(\log p_c - \log(q_c + 10^{-12})\big)",
        summary=(
            "KL with the arguments swapped: the prediction p is charged for putting mass where the target q has "
            "none. A prediction too simple for q therefore settles on one of q's modes (mode-seeking), where "
            "KL(q||p) spreads it over all of them (mass-covering). Variational inference minimises this direction."
        ),
        label_convention="Labels are probability distributions along the class axis (entries >= 0); pred holds "
                         "log-probabilities (from_logits=True) or logits.",
        params=(_FROM_LOGITS, _AXIS, WEIGHT),
        counterparts=(
            "PyTorch: torch.nn.functional.kl_div(torch.log(q + 1e-12), pred, reduction='none', log_target=True) "
            "summed over the class axis: the target distribution goes in the input slot (the arguments swapped).",
            "Keras: keras.losses.KLDivergence(pred_probs, q) with the arguments swapped.",
        ),
    ),
    LossSpec(
        name="JensenShannonLoss",
        short_id="js", colour="#CC79A7", dash="dot",
        cls=divergence.JensenShannonLoss,
        family="distribution",
        title="Jensen-Shannon divergence",
        formula=(
            r"L = \tfrac12\sum_c p_c\log\tfrac{p_c}{m_c} + \tfrac12\sum_c q_c\log\tfrac{q_c}{m_c},\ "
            r"m = \tfrac{p + q}{2}"
        ),
        summary=(
            "The symmetric, bounded cousin of KL: each distribution is compared with their average, so the value "
            "never exceeds log 2 and stays finite where one side has no mass. The GAN discriminator's optimum "
            "measures this divergence; its gradient vanishes when p and q do not overlap at all."
        ),
        label_convention="Labels are probability distributions along the class axis (entries >= 0); pred holds "
                         "log-probabilities (from_logits=True) or logits.",
        params=(_FROM_LOGITS, _AXIS, WEIGHT),
        counterparts=(
            "PyTorch: no built-in; 0.5 * (F.kl_div(log_m, log_p, log_target=True) + F.kl_div(log_m, q)) summed "
            "over the classes, with log_m = log((p + q) / 2).",
            "SciPy: scipy.spatial.distance.jensenshannon(p, q) ** 2 (it returns the square root, in nats by "
            "default, and normalises p and q first).",
        ),
    ),
    LossSpec(
        name="InfoNCELoss",
        short_id="nce", colour="#E69F00", dash="solid",
        cls=contrastive.InfoNCELoss,
        family="embedding",
        title="InfoNCE / NT-Xent contrastive loss",
        formula=(
            r"L_i = -\log\frac{e^{\cos(a_i, p_i)/\tau}}{\sum_{j=1}^{N} e^{\cos(a_i, p_j)/\tau}}"
        ),
        summary=(
            "Contrastive learning (SimCLR, CLIP, MoCo): each anchor must recognise its own positive among the "
            "batch's positives, the other N - 1 acting as negatives. The temperature sets how sharply the "
            "softmax singles out the hardest negatives: low temperatures push hard on the nearest impostors."
        ),
        label_convention="No labels: row i of pred (the anchors) and row i of positive are the matching pair.",
        params=(
            Param("temperature", "float", 0.1, "τ: the cosines are divided by it before the softmax.",
                  0.01, 2.0, 0.01),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: F.cross_entropy(F.normalize(a) @ F.normalize(p).T / tau, torch.arange(N), "
            "reduction='none'); pytorch-metric-learning's NTXentLoss(temperature=tau)(a, labels, "
            "ref_emb=p, ref_labels=labels.clone()) with labels = torch.arange(N) is its mean (pass labels itself "
            "as ref_labels and pml finds no positive pair: the loss is 0).",
            "Keras: no built-in.",
        ),
        differences=(
            "One direction (anchors against positives), N - 1 negatives per anchor; SimCLR's symmetric NT-Xent "
            "concatenates both views (2N - 2 negatives).",
        ),
    ),
    LossSpec(
        name="CosFaceLoss",
        short_id="cosface", colour="#0072B2", dash="dash",
        cls=contrastive.CosFaceLoss,
        family="embedding",
        title="CosFace (additive cosine margin)",
        formula=(
            r"L_i = -\log\frac{e^{S(\cos\theta_{y_i} - m)}}{e^{S(\cos\theta_{y_i} - m)} + "
            r"\sum_{j \ne y_i} e^{S\cos\theta_j}}"
        ),
        summary=(
            "Face recognition's softmax on a sphere: embeddings and class centres are normalised, and the true "
            "class must beat every other class by m in cosine. The scale S makes the softmax sharp enough to "
            "train; the margin carves a gap between classes that plain softmax does not ask for."
        ),
        label_convention="Class indices in [0, C); centers is a (C, D) matrix of class centres.",
        params=(
            _SCALE,
            Param("margin", "float", 0.35, "m: subtracted from the true class's cosine.", 0.0, 1.0, 0.05),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: pytorch-metric-learning's CosFaceLoss(num_classes=C, embedding_size=D, margin=m, scale=S) "
            "with W = centers.T (its default scale is 64); plain torch: F.cross_entropy(S * (cos - m * "
            "one_hot(y)), y, reduction='none').",
            "Keras: no built-in.",
        ),
    ),
    LossSpec(
        name="ArcFaceLoss",
        short_id="arcface", colour="#009E73", dash="dashdot",
        cls=contrastive.ArcFaceLoss,
        family="embedding",
        title="ArcFace (additive angular margin)",
        formula=(
            r"L_i = -\log\frac{e^{S\cos(\theta_{y_i} + m)}}{e^{S\cos(\theta_{y_i} + m)} + "
            r"\sum_{j \ne y_i} e^{S\cos\theta_j}}"
        ),
        summary=(
            "Like CosFace, but the margin is an angle added to the true class's angle, a constant geodesic gap "
            "on the sphere. Past θ = π - m the logit falls linearly instead (cos θ - m sin m), so the loss keeps "
            "pushing a badly placed embedding the right way."
        ),
        label_convention="Class indices in [0, C); centers is a (C, D) matrix of class centres; margin in radians.",
        params=(
            _SCALE,
            Param("margin", "float", 0.5, "m (radians): added to the true class's angle.", 0.0, 1.5, 0.05),
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: pytorch-metric-learning's ArcFaceLoss(num_classes=C, embedding_size=D, "
            "margin=math.degrees(m), scale=S) with W = centers.T: its margin is in degrees (default 28.6 = 0.5 "
            "rad) and its default scale 64.",
            "Keras: no built-in.",
        ),
    ),
    LossSpec(
        name="DiceLoss",
        short_id="dice", colour="#0072B2", dash="solid",
        cls=segmentation.DiceLoss,
        family="segmentation",
        title="Soft Dice loss",
        formula=r"L = 1 - \frac{2\sum_i p_i t_i + s}{\sum_i p_i + \sum_i t_i + s},\ p = \sigma(x)",
        summary=(
            "One minus the soft F1 score of the mask. It looks at the overlap, not at pixels one by one, so a "
            "small object on a large background counts as much as a large one (per-pixel cross-entropy would "
            "be dominated by the background)."
        ),
        label_convention=_SEG_LABELS,
        params=(_SMOOTH, WEIGHT),
        counterparts=(
            "PyTorch: segmentation_models_pytorch.losses.DiceLoss('binary', smooth=s / 2) on one sample (it "
            "writes Dice as (TP + s) / (TP + (FP + FN) / 2 + s)).",
            "Keras: keras.losses.Dice (on probabilities, no smoothing term).",
        ),
        differences=(_SEG_EMPTY,),
    ),
    LossSpec(
        name="JaccardLoss",
        short_id="jaccard", colour="#D55E00", dash="dash",
        cls=segmentation.JaccardLoss,
        family="segmentation",
        title="Soft Jaccard (IoU) loss",
        formula=r"L = 1 - \frac{\sum_i p_i t_i + s}{\sum_i p_i + \sum_i t_i - \sum_i p_i t_i + s}",
        summary=(
            "One minus the soft intersection over union. It ranks masks as Dice does (IoU = Dice / (2 - Dice)) "
            "but charges partial overlaps more, which matches the IoU metric segmentation is scored with."
        ),
        label_convention=_SEG_LABELS,
        params=(_SMOOTH, WEIGHT),
        counterparts=(
            "PyTorch: segmentation_models_pytorch.losses.JaccardLoss('binary', smooth=s) on one sample.",
            "Keras: no built-in (keras.metrics.IoU is the hard metric).",
        ),
        differences=(_SEG_EMPTY,),
    ),
    LossSpec(
        name="TverskyLoss",
        short_id="tversky", colour="#CC79A7", dash="dot",
        cls=segmentation.TverskyLoss,
        family="segmentation",
        title="Tversky loss",
        formula=r"L = 1 - \frac{TP + s}{TP + \alpha\,FP + \beta\,FN + s}",
        summary=(
            "Dice and Jaccard with a dial: alpha weighs false positives, beta false negatives. beta > alpha makes "
            "missed pixels cost more than false alarms, trading precision for recall on small structures "
            "(alpha = beta = 1 is Jaccard; 1/2 is Dice)."
        ),
        label_convention=_SEG_LABELS,
        params=(
            Param("alpha", "float", 0.5, "Weight of the false positives (predicted, not in the mask).",
                  0.0, 1.0, 0.05),
            Param("beta", "float", 0.5, "Weight of the false negatives (in the mask, missed).", 0.0, 1.0, 0.05),
            _SMOOTH,
            WEIGHT,
        ),
        counterparts=(
            "PyTorch: segmentation_models_pytorch.losses.TverskyLoss('binary', alpha=alpha, beta=beta, smooth=s) "
            "on one sample.",
            "Keras: keras.losses.Tversky(alpha, beta) (on probabilities, no smoothing term).",
        ),
        differences=(_SEG_EMPTY,),
    ),
)
