"""Keras 3's spellings (jax backend, ``KERAS_BACKEND=jax``): ``code`` gives the values of ``pred`` and ``label``
(arrays of shape (N, 1) for the curve losses: Keras's losses average the last axis, so each row is one sample).

Keras's losses take ``(y_true, y_pred)``: the label first. ``reduction=None`` keeps one value per sample (the
default, "sum_over_batch_size", averages the batch)."""

from __future__ import annotations

from . import MARGIN_INPUTS, MASK_INPUTS, Spelling, log_input
from .written_out import KERAS, asymmetric, barron, tukey

_NONE = "reduction=None: one value per sample (the mean over the last axis); the default averages the batch"
#: keras.ops.mean on the jax backend computes in result_type(dtype, "float32"), which is float32 for float64 input.
_ABS_AT_0 = ("Keras takes |y_true - y_pred| and jax the slope of |x| at 0 as 1, so dL/dpred at exactly pred = label "
             "is -1 (losscore, MXNet and torch: 0).")
_HINGE_KINK = ("At exactly pred × label = 1, jnp.maximum splits the slope: dL/dpred = -label/2 there (losscore: "
               "0).")
_F32 = "Keras 3.15 takes the per-sample mean in float32 even for float64 inputs: agrees to float32 precision."
_ORDER = "Arguments are (y_true, y_pred), the label first; swapped, most losses run and give other numbers."
_HINGE_LABELS = ("keras.losses.Hinge turns labels into ±1 (2y - 1) when every label is 0 or 1: a label of 0 means "
                 "-1 to Keras but 0 to Gluon.")
_STIRLING = ("keras.ops.where(label > 1, label * keras.ops.log(label) - label + 0.5 * keras.ops.log(2 * np.pi * "
             "label), 0)")


def _keras_hinge_fits(p) -> bool:
    """keras.losses.Hinge / SquaredHinge have margin 1 and read an all-0/1 label batch as 0 → -1."""
    return float(p["margin"]) == 1.0 and p.get("label") != 0.0


#: Written for the classes on the last axis; the snippet's example puts them there.
_AXIS_ELSEWHERE = Spelling(when=lambda p: int(p["axis"]) not in (-1, 1),
                           reason="the spelling here puts the classes on the last axis: move them there first.")
#: Written for Gluon's default layouts, (N, T, C) and (N, L).
_OTHER_LAYOUT = Spelling(when=lambda p: (p["layout"], p["label_layout"]) != ("NTC", "NT"),
                         reason="the spelling here is for layout='NTC', label_layout='NT': transpose to these first.")

TABLE: dict[str, tuple[Spelling, ...]] = {
    "L1Loss": (Spelling("keras.losses.MeanAbsoluteError(reduction=None)(label, pred)", inputs="values",
                        labels="any real label", reduction=_NONE, params="weight: multiply the result",
                        trap=_ORDER, differs=f"{_F32} {_ABS_AT_0}"),),
    "L2Loss": (Spelling("0.5 * keras.losses.MeanSquaredError(reduction=None)(label, pred)",
                        differs=_F32, inputs="values",
                        labels="any real label", reduction=_NONE, params="Gluon L2Loss = 0.5 × MeanSquaredError",
                        trap="MeanSquaredError has no factor one half."),),
    "HuberLoss": (Spelling("keras.losses.Huber(delta={rho}, reduction=None)(label, pred) / {rho}",
                           differs=_F32, inputs="values",
                           labels="any real label", reduction=_NONE,
                           params="Gluon HuberLoss(rho) = keras.losses.Huber(delta=rho) / rho",
                           trap="keras's Huber is rho times Gluon's (0.5 d² near 0, not d² / 2rho) (pytorch #48595 "
                           "is the same mix-up in torch)."),),
    "SigmoidBinaryCrossEntropyLoss": (
        Spelling("keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)(label, pred)", differs=_F32,
                 when=lambda p: not p["from_sigmoid"] and float(p["pos_weight"]) == 1.0, inputs="logits",
                 labels="0/1 or soft targets", reduction=_NONE, params="from_sigmoid=False → from_logits=True",
                 trap="from_logits defaults to False: logits passed without it are clipped as if probabilities "
                 "(tensorflow #31930, keras-io #1439)."),
        Spelling("-({pos_weight} * label * keras.ops.log_sigmoid(pred) + (1 - label) * keras.ops.log_sigmoid(-pred))",
                 builtin=False, when=lambda p: not p["from_sigmoid"], inputs="logits", labels="0/1 or soft targets",
                 reduction="elementwise", params="BinaryCrossentropy has no pos_weight: written out with log_sigmoid"),
        Spelling("keras.losses.BinaryCrossentropy(from_logits=False, reduction=None)(label, pred)", differs=_F32,
                 when=lambda p: float(p["pos_weight"]) == 1.0, inputs="probabilities", labels="0/1 or soft targets",
                 reduction=_NONE, params="from_sigmoid=True → from_logits=False",
                 trap="Keras clips probabilities to [1e-7, 1 - 1e-7] where Gluon adds 1e-12 inside the log."),
        Spelling("-({pos_weight} * label * keras.ops.log(pred + 1e-12) "
                 "+ (1 - label) * keras.ops.log(1 - pred + 1e-12))",
                 builtin=False, inputs="probabilities", labels="0/1 or soft targets", reduction="elementwise",
                 params="no pos_weight: Gluon's formula written out (eps = 1e-12)"),
    ),
    "SoftmaxCrossEntropyLoss": (
        _AXIS_ELSEWHERE,
        Spelling("keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)(label, pred)",
                 when=lambda p: p["sparse_label"] and not p["from_logits"], inputs="logits", labels="class indices",
                 reduction=_NONE, params="sparse_label=True → SparseCategoricalCrossentropy",
                 trap="Keras's from_logits=True means raw logits; Gluon's from_logits=True means log-probabilities."),
        Spelling("keras.losses.CategoricalCrossentropy(from_logits=True, reduction=None)(label, pred)",
                 when=lambda p: not p["from_logits"], inputs="logits", labels="probability distributions",
                 reduction=_NONE, params="dense labels → CategoricalCrossentropy",
                 trap="Keras's from_logits=True means raw logits; Gluon's from_logits=True means log-probabilities."),
        Spelling("-keras.ops.take_along_axis(pred, keras.ops.cast(label, 'int32')[:, None], axis=-1)[:, 0]",
                 builtin=False, when=lambda p: p["sparse_label"], inputs="log-probabilities", labels="class indices",
                 reduction="per sample", params="Gluon's from_logits=True (log-probabilities): picked out directly",
                 trap="Keras's from_logits=True would apply log_softmax again: the same values, other gradients."),
        Spelling("-keras.ops.sum(label * pred, axis=-1)", builtin=False, inputs="log-probabilities",
                 labels="probability distributions", reduction="per sample",
                 params="dense labels on log-probabilities: the cross-entropy written out"),
    ),
    "HingeLoss": (
        Spelling("keras.losses.Hinge(reduction=None)(label, pred)", differs=f"{_F32} {_HINGE_KINK}",
                 when=_keras_hinge_fits, inputs="scores",
                 labels="±1 (0/1 converted)", reduction=_NONE, params="margin fixed at 1", trap=_HINGE_LABELS),
        Spelling("keras.ops.relu({margin} - pred * label)", builtin=False, inputs="scores", labels="±1",
                 reduction="elementwise", params="margin ≠ 1 or a label of 0: written out", trap=_HINGE_LABELS),
    ),
    "SquaredHingeLoss": (
        Spelling("keras.losses.SquaredHinge(reduction=None)(label, pred)",
                 differs=_F32, when=_keras_hinge_fits, inputs="scores",
                 labels="±1 (0/1 converted)", reduction=_NONE, params="margin fixed at 1", trap=_HINGE_LABELS),
        Spelling("keras.ops.relu({margin} - pred * label) ** 2", builtin=False, inputs="scores", labels="±1",
                 reduction="elementwise", params="margin ≠ 1 or a label of 0: written out", trap=_HINGE_LABELS),
    ),
    "LogisticLoss": (
        Spelling("keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)((label + 1) / 2, pred)",
                 differs=_F32,
                 when=lambda p: p["label_format"] == "signed", inputs="logits", labels="±1, mapped to (y + 1) / 2",
                 reduction=_NONE, params="signed labels: BinaryCrossentropy(from_logits=True) on (y + 1) / 2",
                 trap="from_logits=True is needed: the scores are logits."),
        Spelling("keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)(label, pred)",
                 differs=_F32, inputs="logits",
                 labels="0/1", reduction=_NONE, params="binary labels as they are"),
    ),
    "KLDivLoss": (
        _AXIS_ELSEWHERE,
        Spelling("keras.losses.KLDivergence(reduction=None)(label, keras.ops.exp(pred))",
                 when=lambda p: p["from_logits"], inputs="probabilities (exp of Gluon's log-probabilities)",
                 labels="probability distributions", reduction="reduction=None: one value per sample (summed over "
                 "the last axis)", params="takes probabilities: pass exp(pred); (y_true, y_pred) = (label, prediction)",
                 trap="Keras takes probabilities, torch log-probabilities; both clip or not differently (Keras "
                      "clips to [1e-7, 1])."),
        Spelling("keras.losses.KLDivergence(reduction=None)(label, keras.ops.softmax(pred))",
                 inputs="probabilities (softmax of the logits)", labels="probability distributions",
                 reduction=_NONE, params="from_logits=False: softmax the logits first"),
    ),
    "PoissonNLLLoss": (
        Spelling("keras.ops.exp(pred) - label * pred", builtin=False,
                 when=lambda p: p["from_logits"] and not p["compute_full"], inputs="log-rates", labels="counts ≥ 0",
                 reduction="elementwise", params="keras.losses.Poisson takes rates: the log-rate form written out"),
        Spelling(f"keras.ops.exp(pred) - label * pred + {_STIRLING}", builtin=False, when=lambda p: p["from_logits"],
                 inputs="log-rates", labels="counts ≥ 0", reduction="elementwise",
                 params="compute_full: Stirling's term for targets > 1 written out"),
        Spelling("keras.losses.Poisson(reduction=None)(label, pred)",
                 differs=_F32, when=lambda p: not p["compute_full"],
                 setup=("keras.config.set_epsilon({epsilon})  # Poisson adds keras's epsilon (1e-7) inside the log",),
                 after=("keras.config.set_epsilon(1e-7)",), inputs="rates", labels="counts ≥ 0", reduction=_NONE,
                 params="epsilon → keras.config.set_epsilon (a global: Keras's Poisson adds backend.epsilon())",
                 trap="Keras's Poisson takes rates, not log-rates, and adds 1e-7 where Gluon adds epsilon."),
        Spelling(f"keras.losses.Poisson(reduction=None)(label, pred) + {_STIRLING}[:, 0]", differs=_F32,
                 setup=("keras.config.set_epsilon({epsilon})  # Poisson adds keras's epsilon (1e-7) inside the log",),
                 after=("keras.config.set_epsilon(1e-7)",), inputs="rates", labels="counts ≥ 0", reduction=_NONE,
                 params="compute_full: Stirling's term for targets > 1 added by hand"),
    ),
    "TripletLoss": (
        Spelling("keras.ops.relu(keras.ops.sum((positive - pred) ** 2 - (negative - pred) ** 2, axis=-1) + {margin})",
                 builtin=False, inputs="anchor, positive, negative", labels="none", reduction="per triple",
                 params="no built-in (TensorFlow Addons had TripletSemiHardLoss): written out"),
    ),
    "CosineEmbeddingLoss": (
        Spelling("keras.ops.where(label == 1, 1 + keras.losses.cosine_similarity(x2, pred), "
                 "keras.ops.relu(-keras.losses.cosine_similarity(x2, pred) - {margin}))", builtin=False,
                 inputs="two batches of vectors", labels="±1", reduction="per pair",
                 params="keras.losses.cosine_similarity is -cos without labels or margin: the rest written out",
                 trap="keras.losses.CosineSimilarity is minus the cosine (lower is more similar)."),
    ),
    "SDMLLoss": (
        Spelling("keras.ops.sum(target * (keras.ops.log(target + 1e-12) - keras.ops.log_softmax("
                 "-keras.ops.sum((pred[:, None] - x2[None]) ** 2, axis=-1), axis=1)), axis=1)", builtin=False,
                 setup=("n = pred.shape[0]", "target = np.full((n, n), {smoothing_parameter} / (n - 1))",
                        "np.fill_diagonal(target, 1 - {smoothing_parameter})"),
                 inputs="two batches of embeddings", labels="none", reduction="per row",
                 params="no built-in: KL between the smoothed identity and softmax(-squared distances)"),
    ),
    "CTCLoss": (
        _OTHER_LAYOUT,
        Spelling("keras.ops.ctc_loss(label, pred, keras.ops.sum(label >= 0, axis=1), keras.ops.full((pred.shape[0],), "
                 "pred.shape[1]), mask_index=pred.shape[-1] - 1)",
                 inputs="logits (batch, time, classes)", labels="class indices padded, lengths given apart",
                 reduction="one value per sequence", params="mask_index = the blank = C-1",
                 trap="keras.losses.CTC uses blank 0 (mask_index=0); Gluon's blank is the last class.",
                 differs="Keras 3.15's ctc_loss computes in float32 even for float64 inputs: agrees to float32 "
                 "precision."),
    ),
}

#: The losses beyond Gluon that Keras spells, or whose formula is written out here.
TABLE.update({
    "LogCoshLoss": (Spelling("keras.losses.LogCosh(reduction=None)(label, pred)", differs=_F32, inputs="values",
                             labels="any real label", reduction=_NONE, params="no parameters", trap=_ORDER),),
    "PseudoHuberLoss": (Spelling("{delta} ** 2 * (keras.ops.sqrt(1 + ((pred - label) / {delta}) ** 2) - 1)",
                                 builtin=False, inputs="values", labels="any real label", reduction="elementwise",
                                 params="no class: written out",
                                 trap="keras.losses.Huber is the piecewise Huber, not this smooth one."),),
    "EpsilonInsensitiveLoss": (Spelling("keras.ops.relu(keras.ops.abs(pred - label) - {epsilon})", builtin=False,
                                        inputs="values", labels="any real label", reduction="elementwise",
                                        params="no class: max(0, |d| - epsilon) written out"),),
    "SigmoidFocalLoss": (
        Spelling("keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha={alpha}, gamma={gamma}, "
                 "from_logits=True, reduction=None)(label, pred)", differs=_F32, when=lambda p: p["alpha"] >= 0,
                 inputs="logits", labels="0/1", reduction=_NONE,
                 params="alpha → alpha with apply_class_balancing=True; gamma → gamma",
                 trap="apply_class_balancing defaults to False (alpha is then ignored); from_logits to False."),
        Spelling("keras.losses.BinaryFocalCrossentropy(gamma={gamma}, from_logits=True, reduction=None)(label, pred)",
                 differs=_F32, inputs="logits", labels="0/1", reduction=_NONE,
                 params="alpha < 0 (no class weight) → apply_class_balancing=False"),
    ),
    "ModifiedHuberLoss": (Spelling("keras.ops.where(pred * label >= -1, keras.ops.relu(1 - pred * label) ** 2, "
                                   "-4 * pred * label)", builtin=False, inputs="scores", labels="±1",
                                   reduction="elementwise", params="no class: written out"),),
    "PerceptronLoss": (Spelling("keras.ops.where(pred * label <= 0, -pred * label, 0.0)", builtin=False,
                                inputs="scores", labels="±1", reduction="elementwise",
                                params="no class: max(0, -y x) written out, slope -y at a score of 0"),),
    "QuantileLoss": (Spelling("{tau} * keras.ops.relu(label - pred) + (1 - {tau}) * keras.ops.relu(pred - label)",
                              builtin=False, inputs="values", labels="any real label",
                              reduction="elementwise", params="pinball loss written out: tau per unit under, "
                              "1 - tau per unit over (relu keeps the slope 0 at the kink, as losscore)"),),
    "ZeroOneLoss": (Spelling("keras.ops.cast(pred * label <= 0, pred.dtype) + 0 * pred",
                             builtin=False, inputs="scores", labels="±1",
                             reduction="elementwise", params="[y x <= 0] written out; its gradient is 0 everywhere "
                             "(the + 0 * pred only gives autograd a path)"),),
})

#: p of the divergences' prediction: exp(pred) (from_logits=True: log-probabilities) or softmax of the logits.
_P = {True: "keras.ops.exp(pred)", False: "keras.ops.softmax(pred)"}  # the first that fits is used: True first
_KLD = "keras.losses.KLDivergence(reduction=None)"
_UNIT = "keras.ops.normalize({x})"
_COS_CENTERS = f"{_UNIT.format(x='pred')} @ keras.ops.transpose({_UNIT.format(x='centers')})"
_SPARSE_CE = "keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)"
_SIG = "keras.ops.sigmoid(pred)"
_MASK_SUM = "per sample: summed over H and W (axis=(1, 2))"
_NO_SMOOTH = ("keras.losses.Dice and Tversky have no smooth (Keras's epsilon, 1e-7, in the denominator only), take "
              "probabilities, and with axis=None pool the whole batch into one value.")


def _per_sample(pixels: str) -> str:
    return f"keras.ops.sum({pixels}, axis=(1, 2))"


_TP = _per_sample(f"{_SIG} * label")
_UNION = _per_sample(f"{_SIG} + label - {_SIG} * label")
_TVERSKY_DEN = _per_sample(f"{_SIG} * label + {{alpha}} * {_SIG} * (1 - label) + {{beta}} * (1 - {_SIG}) * label")


#: The divergences, embeddings and overlaps beyond Gluon: Keras's losses where one fits, else written out.
TABLE.update({
    "ReverseKLDivLoss": (
        _AXIS_ELSEWHERE,
        *(Spelling(f"{_KLD}({p}, label)", when=log_input if fl else None,
                   inputs=("probabilities (exp of the log-probabilities)" if fl else "probabilities (softmax of the "
                           "logits)") + ", as y_true", labels="probability distributions, as y_pred",
                   reduction="reduction=None: one value per sample (summed over the last axis)",
                   params="KL(p || q) is KLDivergence(y_true=p, y_pred=q): the prediction in the label's slot",
                   trap="KLDivergence(label, p) is the forward KLDivLoss; Keras clips both arguments to [1e-7, 1] "
                   "where losscore adds 1e-12 to q.")
          for fl, p in _P.items()),
    ),
    "JensenShannonLoss": (
        _AXIS_ELSEWHERE,
        *(Spelling(f"0.5 * ({_KLD}({p}, ({p} + label) / 2) + {_KLD}(label, ({p} + label) / 2))", builtin=False,
                   when=log_input if fl else None,
                   inputs="log-probabilities, exp applied first" if fl else "logits, softmax applied first",
                   labels="probability distributions",
                   reduction="reduction=None: one value per sample (summed over the last axis)",
                   params="no Jensen-Shannon in Keras: ½ KL(p || m) + ½ KL(q || m), m = (p + q) / 2, each a "
                   "KLDivergence(y_true, m)",
                   trap="KLDivergence clips to [1e-7, 1]: entries of p or q below 1e-7 count as 1e-7.")
          for fl, p in _P.items()),
    ),
    "InfoNCELoss": (Spelling(
        f"{_SPARSE_CE}(keras.ops.arange(pred.shape[0]), {_UNIT.format(x='pred')} @ keras.ops.transpose("
        f"{_UNIT.format(x='positive')}) / {{temperature}})", builtin=False,
        inputs="anchors (N, D), positives (N, D)", labels="none: row i of positive is anchor i's match",
        reduction="reduction=None: one value per anchor",
        params="no InfoNCE in Keras: SparseCategoricalCrossentropy over the cosines / temperature, the matching "
        "row as the class", trap=_ORDER),),
    "CosFaceLoss": (Spelling(
        f"{_SPARSE_CE}(label, {{scale}} * ({_COS_CENTERS} - {{margin}} * keras.ops.one_hot(keras.ops.cast(label, "
        "'int32'), centers.shape[0])))", builtin=False, inputs=MARGIN_INPUTS, labels="class indices",
        reduction="reduction=None: one value per embedding",
        params="no CosFace in Keras: SparseCategoricalCrossentropy over S (cos - m at the true class)", trap=_ORDER),),
    "ArcFaceLoss": (Spelling(
        f"{_SPARSE_CE}(label, arcface_logits({_COS_CENTERS}, label, {{scale}}, {{margin}}))", builtin=False,
        setup=("import math", "",
               "def arcface_logits(cos, label, scale, margin):",
               "    # S cos(theta + m) at the true class; past theta = pi - m (cos < -cos m), S (cos theta - m sin m)",
               "    # cos(theta + m) = cos theta cos m - sin theta sin m: keras.ops.cos and arccos compute in float32",
               "    sin = keras.ops.sqrt(1 - keras.ops.clip(cos, -1, 1) ** 2)",
               "    target = keras.ops.where(cos >= -math.cos(margin), cos * math.cos(margin) - sin * "
               "math.sin(margin), cos - margin * math.sin(margin))",
               "    true_class = keras.ops.one_hot(keras.ops.cast(label, 'int32'), cos.shape[1]) == 1",
               "    return scale * keras.ops.where(true_class, target, cos)", ""),
        inputs=MARGIN_INPUTS, labels="class indices", reduction="reduction=None: one value per embedding",
        params="no ArcFace in Keras: SparseCategoricalCrossentropy over S cos(theta + m) at the true class "
        "(radians), cos(theta + m) expanded as cos theta cos m - sin theta sin m (as the paper's code)",
        trap="Keras 3.15's keras.ops.cos, sin and arccos compute in float32 for float64 inputs (jax backend): "
        "cos(arccos(c) + m) loses precision, the expanded form does not."),),
    "DiceLoss": (Spelling(f"1 - (2 * {_TP} + {{smooth}}) / ({_per_sample(_SIG + ' + label')} + {{smooth}})",
                          builtin=False, inputs=MASK_INPUTS, labels="0/1 masks (N, H, W)", reduction=_MASK_SUM,
                          params="keras.losses.Dice has no smooth: written out", trap=_NO_SMOOTH),),
    "JaccardLoss": (Spelling(f"1 - ({_TP} + {{smooth}}) / ({_UNION} + {{smooth}})", builtin=False,
                             inputs=MASK_INPUTS, labels="0/1 masks (N, H, W)", reduction=_MASK_SUM,
                             params="no Jaccard in Keras: intersection over union (p + t - p t per pixel) written "
                             "out", trap=_NO_SMOOTH),),
    "TverskyLoss": (Spelling(f"1 - ({_TP} + {{smooth}}) / ({_TVERSKY_DEN} + {{smooth}})", builtin=False,
                             inputs=MASK_INPUTS, labels="0/1 masks (N, H, W)", reduction=_MASK_SUM,
                             params="keras.losses.Tversky has no smooth: written out",
                             trap=_NO_SMOOTH + " Its alpha weighs the missed pixels and beta the false alarms (the "
                             "reverse of its docstring and of this loss's alpha and beta)."),),
})


#: Class indices as one-hot rows, which Keras's categorical losses take; the picked class's log-probability and
#: probability from (N, C) logits.
_ONE_HOT = "keras.ops.one_hot(keras.ops.cast(label, 'int32'), pred.shape[-1])"
_PICK = "keras.ops.take_along_axis({}, keras.ops.cast(label, 'int32')[:, None], axis=-1)[:, 0]"
_ONE_HOT_LABELS = "class indices, one-hot encoded first (keras.ops.one_hot)"
_NONE_CLASSES = "reduction=None: one value per sample (summed over the classes); the default averages the batch"

#: The robust regression and softmax-family losses beyond Gluon: built-ins where Keras has them, else written out.
TABLE.update({
    "TukeyBiweightLoss": tukey(KERAS),
    "GeneralRobustLoss": barron(KERAS, "robust_loss_jax in google-research/google-research"),
    "SoftmaxFocalLoss": (
        Spelling(f"keras.losses.CategoricalFocalCrossentropy(alpha=1.0, gamma={{gamma}}, from_logits=True, "
                 f"reduction=None)({_ONE_HOT}, pred)", inputs="logits (N, C)", labels=_ONE_HOT_LABELS,
                 reduction=_NONE_CLASSES, params="alpha=1.0 (no class weight); gamma → gamma",
                 trap="alpha defaults to 0.25, a quarter of the loss; from_logits to False. It clips the "
                 "probabilities to [1e-7, 1 - 1e-7]: flat (zero gradient) for a right class beyond 1 - 1e-7."),),
    "LabelSmoothingCrossEntropyLoss": (
        Spelling(f"keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing={{epsilon}}, "
                 f"reduction=None)({_ONE_HOT}, pred)", inputs="logits (N, C)", labels=_ONE_HOT_LABELS,
                 reduction=_NONE_CLASSES,
                 params="epsilon → label_smoothing, the same target: 1 - epsilon on the label plus epsilon / C on "
                 "every class",
                 trap="SparseCategoricalCrossentropy has no label_smoothing: one-hot the labels first."),),
    "PolyLoss": (Spelling("keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)(label, pred) "
                          f"+ {{epsilon}} * (1 - {_PICK.format('keras.ops.softmax(pred)')})", builtin=False,
                          inputs="logits (N, C)", labels="class indices", reduction="per sample",
                          params="no class in Keras: sparse cross-entropy + epsilon (1 - p_y) written out",
                          trap=_ORDER),),
    "MulticlassHingeLoss": (
        Spelling(f"keras.ops.sum(keras.ops.relu({{margin}} + pred - {_PICK.format('pred')}[:, None]) "
                 f"* (1 - {_ONE_HOT}), axis=-1) / pred.shape[-1]", builtin=False, inputs="scores (N, C)",
                 labels="class indices", reduction="per sample",
                 params="no class in Keras: the sum over wrong classes of relu(margin - x_y + x_c), over C, "
                 "written out",
                 trap="keras.losses.CategoricalHinge is the Crammer-Singer hinge: only the largest wrong score "
                 "pays, margin 1, no division by C; and it takes that score as max((1 - y) x) over all classes, so "
                 "when every wrong score is below 0 the right class's 0 counts instead."),),
    "AsymmetricLoss": asymmetric(KERAS, "no class in Keras (BinaryFocalCrossentropy has one gamma and no shift)"),
})
