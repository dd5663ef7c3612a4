"""optax's spellings (JAX on the CPU): ``code`` gives one value per sample of ``pred`` and ``label`` (jax arrays).
optax's losses are plain functions, elementwise or per sample, with no reduction and no weights: the snippet
writer multiplies by weight × sample_weight."""

from __future__ import annotations

from . import MARGIN_INPUTS, MASK_INPUTS, Spelling, log_input
from .written_out import JAX, asymmetric, barron, tukey

_ELEM = "none: one value per element (optax never reduces; take the mean yourself)"
_HINGE = "optax.hinge_loss(predictor_outputs, targets) has margin 1 and takes ±1 targets as they are."
_STIRLING = "jnp.where(label > 1, label * jnp.log(label) - label + 0.5 * jnp.log(2 * jnp.pi * label), 0)"

#: Written for the classes on the last axis; the snippet's example puts them there.
_AXIS_ELSEWHERE = Spelling(when=lambda p: int(p["axis"]) not in (-1, 1),
                           reason="the spelling here puts the classes on the last axis: move them there first.")
#: Written for Gluon's default layouts, (N, T, C) and (N, L).
_OTHER_LAYOUT = Spelling(when=lambda p: (p["layout"], p["label_layout"]) != ("NTC", "NT"),
                         reason="the spelling here is for layout='NTC', label_layout='NT': transpose to these first.")

TABLE: dict[str, tuple[Spelling, ...]] = {
    "L1Loss": (Spelling("jnp.abs(pred - label)", builtin=False, inputs="values", labels="any real label",
                        reduction="elementwise", params="optax has no absolute-error loss: written out",
                        differs="jax takes the slope of |x| at 0 as 1, so dL/dpred at exactly pred = label is +1 "
                        "(losscore, MXNet and torch: 0)."),),
    "L2Loss": (Spelling("optax.l2_loss(pred, label)", inputs="values", labels="any real label", reduction=_ELEM,
                        params="optax.l2_loss is half the squared error, as Gluon's L2Loss",
                        trap="optax.squared_error is the full square (twice l2_loss)."),),
    "HuberLoss": (Spelling("optax.huber_loss(pred, label, delta={rho}) / {rho}", inputs="values",
                           labels="any real label", reduction=_ELEM,
                           params="Gluon HuberLoss(rho) = optax.huber_loss(delta=rho) / rho",
                           trap="optax's Huber is rho times Gluon's (0.5 d² near 0, not d² / 2rho)."),),
    "SigmoidBinaryCrossEntropyLoss": (
        Spelling("optax.sigmoid_binary_cross_entropy(pred, label)",
                 when=lambda p: not p["from_sigmoid"] and float(p["pos_weight"]) == 1.0, inputs="logits",
                 labels="0/1 or soft targets", reduction=_ELEM, params="(logits, labels): predictions first",
                 trap="Takes logits only; there is no probability form."),
        Spelling("-({pos_weight} * label * jax.nn.log_sigmoid(pred) + (1 - label) * jax.nn.log_sigmoid(-pred))",
                 builtin=False, when=lambda p: not p["from_sigmoid"], inputs="logits", labels="0/1 or soft targets",
                 reduction="elementwise", params="no pos_weight: written out with jax.nn.log_sigmoid"),
        Spelling("-({pos_weight} * label * jnp.log(pred + 1e-12) + (1 - label) * jnp.log(1 - pred + 1e-12))",
                 builtin=False, inputs="probabilities", labels="0/1 or soft targets", reduction="elementwise",
                 params="optax takes logits only: Gluon's probability formula written out (eps = 1e-12)"),
    ),
    "SoftmaxCrossEntropyLoss": (
        _AXIS_ELSEWHERE,
        Spelling("optax.softmax_cross_entropy_with_integer_labels(pred, label.astype(int))",
                 when=lambda p: p["sparse_label"] and not p["from_logits"], inputs="logits", labels="class indices",
                 reduction="one value per sample", params="(logits, labels): predictions first",
                 trap="optax's losses take raw logits; Gluon's from_logits=True means log-probabilities."),
        Spelling("optax.softmax_cross_entropy(pred, label)", when=lambda p: not p["from_logits"], inputs="logits",
                 labels="probability distributions", reduction="one value per sample",
                 params="dense labels → softmax_cross_entropy"),
        Spelling("-jnp.take_along_axis(pred, label.astype(int)[:, None], axis=-1)[:, 0]", builtin=False,
                 when=lambda p: p["sparse_label"], inputs="log-probabilities", labels="class indices",
                 reduction="per sample", params="Gluon's from_logits=True (log-probabilities): picked out directly"),
        Spelling("-jnp.sum(label * pred, axis=-1)", builtin=False, inputs="log-probabilities",
                 labels="probability distributions", reduction="per sample",
                 params="dense labels on log-probabilities: written out"),
    ),
    "HingeLoss": (
        Spelling("optax.hinge_loss(pred, label)", when=lambda p: float(p["margin"]) == 1.0, inputs="scores",
                 labels="±1", reduction=_ELEM, params="margin fixed at 1", trap=_HINGE,
                 differs="At exactly pred × label = 1, jnp.maximum splits the slope: dL/dpred = -label/2 there "
                 "(losscore: 0)."),
        Spelling("jax.nn.relu({margin} - pred * label)", builtin=False, inputs="scores", labels="±1",
                 reduction="elementwise", params="margin ≠ 1: written out"),
    ),
    "SquaredHingeLoss": (Spelling("jax.nn.relu({margin} - pred * label) ** 2", builtin=False, inputs="scores",
                                  labels="±1", reduction="elementwise", params="no squared hinge: written out"),),
    "LogisticLoss": (
        Spelling("optax.sigmoid_binary_cross_entropy(pred, (label + 1) / 2)",
                 when=lambda p: p["label_format"] == "signed", inputs="logits", labels="±1, mapped to (y + 1) / 2",
                 reduction=_ELEM, params="signed labels: sigmoid_binary_cross_entropy on (y + 1) / 2"),
        Spelling("optax.sigmoid_binary_cross_entropy(pred, label)", inputs="logits", labels="0/1", reduction=_ELEM,
                 params="binary labels as they are"),
    ),
    "KLDivLoss": (
        _AXIS_ELSEWHERE,
        Spelling("optax.kl_divergence(pred, label)", when=lambda p: p["from_logits"], inputs="log-probabilities",
                 labels="probability distributions", reduction="one value per sample (summed over the last axis)",
                 params="(log_predictions, targets): the prediction first, in log space",
                 trap="Argument order differs in every framework: optax (log_predictions, targets), torch (input = "
                 "log-probs, target), Keras (y_true, y_pred) in probabilities."),
        Spelling("optax.kl_divergence(jax.nn.log_softmax(pred), label)", inputs="logits, log_softmax applied first",
                 labels="probability distributions", reduction="per sample",
                 params="from_logits=False: log_softmax the logits first"),
    ),
    "PoissonNLLLoss": (
        Spelling("jnp.exp(pred) - label * pred", builtin=False,
                 when=lambda p: p["from_logits"] and not p["compute_full"], inputs="log-rates",
                 labels="counts ≥ 0", reduction="elementwise", params="optax has no Poisson loss: written out"),
        Spelling(f"jnp.exp(pred) - label * pred + {_STIRLING}", builtin=False, when=lambda p: p["from_logits"],
                 inputs="log-rates", labels="counts ≥ 0", reduction="elementwise",
                 params="with Stirling's term for targets > 1 (compute_full)"),
        Spelling("pred - label * jnp.log(pred + {epsilon})", builtin=False, when=lambda p: not p["compute_full"],
                 inputs="rates", labels="counts ≥ 0", reduction="elementwise", params="rates: written out"),
        Spelling(f"pred - label * jnp.log(pred + {{epsilon}}) + {_STIRLING}", builtin=False, inputs="rates",
                 labels="counts ≥ 0", reduction="elementwise", params="rates with Stirling's term: written out"),
    ),
    "TripletLoss": (
        Spelling("jax.nn.relu(jnp.sum((positive - pred) ** 2 - (negative - pred) ** 2, axis=-1) + {margin})",
                 builtin=False, inputs="anchor, positive, negative", labels="none", reduction="per triple",
                 params="optax.losses.triplet_margin_loss uses plain (not squared) distances: written out"),
    ),
    "CosineEmbeddingLoss": (
        Spelling("jnp.where(label == 1, 1 - optax.cosine_similarity(pred, x2), "
                 "jax.nn.relu(optax.cosine_similarity(pred, x2) - {margin}))", builtin=False,
                 inputs="two batches of vectors", labels="±1", reduction="per pair",
                 params="optax.cosine_similarity has no labels or margin: the rest written out",
                 trap="optax.cosine_distance is 1 - cos, the similar-pair half only."),
    ),
    "SDMLLoss": (
        Spelling("jnp.sum(target * (jnp.log(target + 1e-12) - jax.nn.log_softmax(-jnp.sum((pred[:, None] - "
                 "x2[None]) ** 2, axis=-1), axis=1)), axis=1)", builtin=False,
                 setup=("n = pred.shape[0]",
                        "target = jnp.full((n, n), {smoothing_parameter} / (n - 1)).at[jnp.diag_indices(n)]"
                        ".set(1 - {smoothing_parameter})"),
                 inputs="two batches of embeddings", labels="none", reduction="per row",
                 params="no built-in: KL between the smoothed identity and softmax(-squared distances)"),
    ),
    "CTCLoss": (
        _OTHER_LAYOUT,
        Spelling("optax.ctc_loss(pred, jnp.zeros(pred.shape[:2]), jnp.maximum(label, 0).astype(jnp.int32), "
                 "(label < 0).astype(pred.dtype), blank_id=pred.shape[-1] - 1)",
                 inputs="logits (batch, time, classes)", labels="class indices with paddings given apart",
                 reduction="one value per sequence", params="blank_id = C-1; paddings 1.0 where padded",
                 trap="optax's blank_id defaults to 0; Gluon's blank is the last class."),
    ),
}


#: The losses beyond Gluon that optax spells, or whose formula is written out here.
TABLE.update({
    "LogCoshLoss": (Spelling("optax.log_cosh(pred, label)", inputs="values", labels="any real label",
                             reduction=_ELEM, params="(predictions, targets)"),),
    "PseudoHuberLoss": (Spelling("{delta} ** 2 * (jnp.sqrt(1 + ((pred - label) / {delta}) ** 2) - 1)",
                                 builtin=False, inputs="values", labels="any real label", reduction="elementwise",
                                 params="no pseudo-Huber in optax: written out",
                                 trap="optax.huber_loss is the piecewise Huber, not this smooth one."),),
    "EpsilonInsensitiveLoss": (Spelling("jax.nn.relu(jnp.abs(pred - label) - {epsilon})", builtin=False,
                                        inputs="values", labels="any real label", reduction="elementwise",
                                        params="no such loss in optax: written out"),),
    "SigmoidFocalLoss": (
        Spelling("optax.sigmoid_focal_loss(pred, label, alpha={alpha}, gamma={gamma})", when=lambda p: p["alpha"] >= 0,
                 inputs="logits", labels="0/1", reduction=_ELEM, params="the same alpha and gamma",
                 trap="alpha defaults to None (no class weight) in optax, 0.25 in torchvision and here."),
        Spelling("optax.sigmoid_focal_loss(pred, label, gamma={gamma})", inputs="logits", labels="0/1",
                 reduction=_ELEM, params="alpha < 0 (no class weight) → alpha=None"),
    ),
    "ModifiedHuberLoss": (Spelling("jnp.where(pred * label >= -1, jax.nn.relu(1 - pred * label) ** 2, "
                                   "-4 * pred * label)", builtin=False, inputs="scores", labels="±1",
                                   reduction="elementwise", params="no such loss in optax: written out"),),
    "PerceptronLoss": (Spelling("jnp.where(pred * label <= 0, -pred * label, 0.0)", builtin=False, inputs="scores",
                                labels="±1", reduction="elementwise",
                                params="written out with the slope -y at a score of 0, as losscore"),),
    "QuantileLoss": (Spelling("{tau} * jax.nn.relu(label - pred) + (1 - {tau}) * jax.nn.relu(pred - label)",
                              builtin=False, inputs="values", labels="any real label",
                              reduction="elementwise", params="pinball loss written out: tau per unit under, "
                              "1 - tau per unit over (relu keeps the slope 0 at the kink, as losscore)"),),
    "ZeroOneLoss": (Spelling("jnp.where(pred * label <= 0, 1.0, 0.0) + 0 * pred",
                             builtin=False, inputs="scores", labels="±1",
                             reduction="elementwise", params="[y x <= 0] written out; its gradient is 0 everywhere "
                             "(the + 0 * pred only gives autograd a path)"),),
})

#: log p and p of the divergences' prediction: pred itself (from_logits=True) or from the logits.
_LOG_P = {True: "pred", False: "jax.nn.log_softmax(pred)"}  # the first that fits is used: True first
_P = {True: "jnp.exp(pred)", False: "jax.nn.softmax(pred)"}
_UNIT = "{x} / jnp.linalg.norm({x}, axis=1, keepdims=True)"
_COS_CENTERS = f"({_UNIT.format(x='pred')}) @ ({_UNIT.format(x='centers')}).T"
_DICE_AXIS = ("dice_loss reads the last axis as the classes (softmax over it when it is longer than 1): masks "
              "(N, H, W) need a class axis of 1, [..., None], for the sigmoid.")


#: The divergences, embeddings and overlaps beyond Gluon: optax's functions where one fits, else written out.
TABLE.update({
    "ReverseKLDivLoss": (
        _AXIS_ELSEWHERE,
        *(Spelling(f"optax.losses.kl_divergence_with_log_targets(jnp.log(label + 1e-12), {lp})",
                   when=log_input if fl else None,
                   inputs="log-probabilities, as log_targets" if fl else "logits, log_softmax applied first",
                   labels="probability distributions", reduction="one value per sample (summed over the last axis)",
                   params="KL(p || q): (log_predictions, log_targets) = (log(label + 1e-12), log p), the roles "
                   "swapped (losscore adds the same 1e-12 to q)",
                   trap="optax.kl_divergence(log p, label) is the forward KLDivLoss: the direction is only in "
                   "which argument holds the prediction. optax 0.2.8 has kl_divergence_with_log_targets in "
                   "optax.losses only (optax.kl_divergence_with_log_targets is an AttributeError).")
          for fl, lp in _LOG_P.items()),
    ),
    "JensenShannonLoss": (
        _AXIS_ELSEWHERE,
        *(Spelling(f"0.5 * (optax.losses.kl_divergence_with_log_targets(jnp.log(({_P[fl]} + label) / 2), {lp}) "
                   f"+ optax.losses.kl_divergence(jnp.log(({_P[fl]} + label) / 2), label))", builtin=False,
                   when=log_input if fl else None,
                   inputs="log-probabilities" if fl else "logits, log_softmax applied first",
                   labels="probability distributions", reduction="one value per sample (summed over the last axis)",
                   params="no Jensen-Shannon in optax: ½ KL(p || m) + ½ KL(q || m), m = (p + q) / 2, from its KL "
                   "functions with log m as log_predictions")
          for fl, lp in _LOG_P.items()),
    ),
    "InfoNCELoss": (Spelling(
        f"optax.softmax_cross_entropy_with_integer_labels(({_UNIT.format(x='pred')}) @ "
        f"({_UNIT.format(x='positive')}).T / {{temperature}}, jnp.arange(pred.shape[0]))", builtin=False,
        inputs="anchors (N, D), positives (N, D)", labels="none: row i of positive is anchor i's match",
        reduction="one value per anchor",
        params="cross-entropy over the cosines / temperature, the matching row as the class",
        trap="optax.ntxent(embeddings, labels, temperature) returns one scalar, a mean over every positive pair "
        "of one batch grouped by labels (default temperature 0.07): not this per-anchor value."),),
    "CosFaceLoss": (Spelling(
        f"optax.softmax_cross_entropy_with_integer_labels({{scale}} * ({_COS_CENTERS} - {{margin}} * "
        "jax.nn.one_hot(label, centers.shape[0])), label.astype(int))", builtin=False, inputs=MARGIN_INPUTS,
        labels="class indices", reduction="one value per embedding",
        params="no CosFace in optax: softmax cross-entropy over S (cos - m at the true class)"),),
    "ArcFaceLoss": (Spelling(
        f"optax.softmax_cross_entropy_with_integer_labels(arcface_logits({_COS_CENTERS}, label, {{scale}}, "
        "{margin}), label.astype(int))", builtin=False,
        setup=("import math", "",
               "def arcface_logits(cos, label, scale, margin):",
               "    # S cos(theta + m) at the true class; past theta = pi - m, S (cos theta - m sin m)",
               "    theta = jnp.arccos(jnp.clip(cos, -1, 1))",
               "    target = jnp.where(theta <= math.pi - margin, jnp.cos(theta + margin), "
               "cos - margin * math.sin(margin))",
               "    return scale * jnp.where(jax.nn.one_hot(label, cos.shape[1]) == 1, target, cos)", ""),
        inputs=MARGIN_INPUTS, labels="class indices", reduction="one value per embedding",
        params="no ArcFace in optax: softmax cross-entropy over S cos(theta + m) at the true class (radians)"),),
    "DiceLoss": (Spelling("optax.losses.binary_dice_loss(pred, label, smooth={smooth} / 2)", inputs=MASK_INPUTS,
                          labels="0/1 masks (N, H, W)",
                          reduction="one value per sample (summed over H and W, averaged over its one class)",
                          params="smooth → smooth / 2: optax writes Dice as (TP + s) / (TP + (FP + FN) / 2 + s)",
                          trap="Passing smooth as it is gives another loss near small masks; binary_dice_loss "
                          "takes logits (apply_sigmoid=True by default)."),),
    "JaccardLoss": (Spelling("optax.losses.dice_loss(pred[..., None], label[..., None], smooth={smooth}, alpha=1.0, "
                             "beta=1.0)", inputs=MASK_INPUTS, labels="0/1 masks (N, H, W)",
                             reduction="one value per sample (reduction='mean' over the one class)",
                             params="Jaccard is dice_loss with alpha = beta = 1 (FP and FN weighed fully)",
                             trap=_DICE_AXIS),),
    "TverskyLoss": (Spelling("optax.losses.dice_loss(pred[..., None], label[..., None], smooth={smooth}, "
                             "alpha={alpha}, beta={beta})", inputs=MASK_INPUTS, labels="0/1 masks (N, H, W)",
                             reduction="one value per sample (reduction='mean' over the one class)",
                             params="alpha weighs the false positives, beta the false negatives, as here",
                             trap=_DICE_AXIS),),
})


#: Class indices as one-hot rows (optax's softmax losses take distributions), and the picked class's entry.
_ONE_HOT = "jax.nn.one_hot(label.astype(int), pred.shape[-1])"
_PICK = "jnp.take_along_axis({}, label.astype(int)[:, None], axis=-1)[:, 0]"
_ONE_HOT_LABELS = "class indices, one-hot encoded first (jax.nn.one_hot)"

#: The robust regression and softmax-family losses beyond Gluon: built-ins where optax has them, else written out.
TABLE.update({
    "TukeyBiweightLoss": tukey(JAX),
    "GeneralRobustLoss": barron(JAX, "robust_loss_jax in google-research/google-research"),
    "SoftmaxFocalLoss": (Spelling(f"-(1 - {_PICK.format('jax.nn.softmax(pred)')}) ** {{gamma}} "
                                  f"* {_PICK.format('jax.nn.log_softmax(pred)')}", builtin=False,
                                  inputs="logits (N, C)", labels="class indices", reduction="per sample",
                                  params="optax has only the sigmoid focal loss: -(1 - p_y)^gamma log p_y written out",
                                  trap="optax.sigmoid_focal_loss on one-hot labels is another loss: a sigmoid per "
                                  "class."),),
    "LabelSmoothingCrossEntropyLoss": (
        Spelling(f"optax.softmax_cross_entropy(pred, optax.smooth_labels({_ONE_HOT}, {{epsilon}}))",
                 inputs="logits (N, C)", labels=_ONE_HOT_LABELS, reduction="one value per sample",
                 params="epsilon → smooth_labels(labels, alpha=epsilon), the same target: 1 - epsilon on the label "
                 "plus epsilon / C on every class",
                 trap="smooth_labels takes one-hot (float) labels: class indices must be one-hot encoded first."),),
    "PolyLoss": (Spelling(f"optax.losses.poly_loss_cross_entropy(pred, {_ONE_HOT}, epsilon={{epsilon}})",
                          inputs="logits (N, C)", labels=_ONE_HOT_LABELS, reduction="one value per sample",
                          params="epsilon → epsilon (keyword-only); in optax.losses, not at optax's top level",
                          trap="optax's epsilon defaults to 2.0 (the paper's ImageNet value), losscore's to 1.0."),),
    "MulticlassHingeLoss": (
        Spelling(f"jnp.sum(jax.nn.relu({{margin}} + pred - {_PICK.format('pred')}[:, None]) * (1 - {_ONE_HOT}), "
                 "axis=-1) / pred.shape[-1]", builtin=False, inputs="scores (N, C)", labels="class indices",
                 reduction="per sample",
                 params="the sum over wrong classes of relu(margin - x_y + x_c), over C, written out",
                 trap="optax.multiclass_hinge_loss is the Crammer-Singer hinge: only the largest wrong score pays, "
                 "margin 1, no division by C."),),
    "AsymmetricLoss": asymmetric(JAX, "not in optax (sigmoid_focal_loss has one gamma and no shift)"),
})
