"""PyTorch's spellings (torch 2.13): ``code`` gives one value per sample of ``pred`` and ``label`` (tensors); the
snippet writer multiplies it by weight × sample_weight, which torch's losses do not take as Gluon's do."""

from __future__ import annotations

from . import MARGIN_INPUTS, MASK_INPUTS, Spelling, log_input
from .written_out import TORCH, asymmetric, barron, tukey

_NONE = "reduction='none': one value per element (the default 'mean' averages the whole batch)"

#: Written for the classes on the last axis; the snippet's example puts them there.
_AXIS_ELSEWHERE = Spelling(when=lambda p: int(p["axis"]) not in (-1, 1),
                           reason="the spelling here puts the classes on the last axis: move them there first.")
#: Written for Gluon's default layouts, (N, T, C) and (N, L).
_OTHER_LAYOUT = Spelling(when=lambda p: (p["layout"], p["label_layout"]) != ("NTC", "NT"),
                         reason="the spelling here is for layout='NTC', label_layout='NT': transpose to these first.")

TABLE: dict[str, tuple[Spelling, ...]] = {
    "L1Loss": (Spelling("torch.nn.L1Loss(reduction='none')(pred, label)", inputs="values", labels="any real label",
                        reduction=_NONE, params="weight: multiply the result"),),
    "L2Loss": (Spelling("0.5 * torch.nn.MSELoss(reduction='none')(pred, label)", inputs="values",
                        labels="any real label", reduction=_NONE, params="Gluon L2Loss = 0.5 × MSELoss",
                        trap="MSELoss has no factor one half: its gradient is twice Gluon's."),),
    "HuberLoss": (Spelling("torch.nn.SmoothL1Loss(reduction='none', beta={rho})(pred, label)", inputs="values",
                           labels="any real label", reduction=_NONE,
                           params="Gluon HuberLoss(rho) = SmoothL1Loss(beta=rho) = torch.nn.HuberLoss(delta=rho) / rho",
                           trap="torch.nn.HuberLoss(delta) is rho times SmoothL1Loss(beta): same shape, another "
                           "scale (pytorch #48595)."),),
    "SigmoidBinaryCrossEntropyLoss": (
        Spelling("torch.nn.BCEWithLogitsLoss(reduction='none', pos_weight=pos_weight)(pred, label)",
                 setup=("pos_weight = torch.tensor({pos_weight}, dtype=torch.{dtype})",),
                 when=lambda p: not p["from_sigmoid"], inputs="logits", labels="0/1 or soft targets (float)",
                 reduction=_NONE, params="pos_weight: a tensor, one per class",
                 trap="BCELoss on logits (or BCEWithLogitsLoss on probabilities) applies the sigmoid zero or two "
                 "times."),
        Spelling("torch.nn.BCELoss(reduction='none')(pred, label)", when=lambda p: float(p["pos_weight"]) == 1.0,
                 inputs="probabilities", labels="0/1 or soft targets (float)", reduction=_NONE,
                 params="from_sigmoid=True is BCELoss",
                 trap="BCELoss clamps log at -100 where Gluon adds 1e-12 inside the log."),
        Spelling("-({pos_weight} * label * torch.log(pred + 1e-12) + (1 - label) * torch.log(1 - pred + 1e-12))",
                 builtin=False, inputs="probabilities", labels="0/1 or soft targets", reduction="elementwise",
                 params="BCELoss has no pos_weight: Gluon's formula written out (eps = 1e-12)"),
    ),
    "SoftmaxCrossEntropyLoss": (
        _AXIS_ELSEWHERE,
        Spelling("torch.nn.CrossEntropyLoss(reduction='none')(pred, label.long())",
                 when=lambda p: p["sparse_label"] and not p["from_logits"], inputs="logits (classes on axis 1)",
                 labels="class indices (int64)", reduction=_NONE, params="classes on axis 1 (Gluon: the last)",
                 trap="Labels must be int64 class indices; float targets are read as probabilities."),
        Spelling("torch.nn.CrossEntropyLoss(reduction='none')(pred, label)", when=lambda p: not p["from_logits"],
                 inputs="logits", labels="probability distributions (float)", reduction=_NONE,
                 params="dense labels: CrossEntropyLoss's probability targets"),
        Spelling("torch.nn.NLLLoss(reduction='none')(pred, label.long())", when=lambda p: p["sparse_label"],
                 inputs="log-probabilities", labels="class indices (int64)", reduction=_NONE,
                 params="from_logits=True (pred holds log-probabilities) is NLLLoss"),
        Spelling("-(label * pred).sum(-1)", builtin=False, inputs="log-probabilities",
                 labels="probability distributions", reduction="per sample",
                 params="dense labels on log-probabilities: the cross-entropy written out"),
    ),
    "HingeLoss": (Spelling("torch.relu({margin} - pred * label)", builtin=False, inputs="scores",
                           labels="±1", reduction="elementwise",
                           params="no binary hinge class (MultiMarginLoss is multiclass, HingeEmbeddingLoss another "
                           "loss): written out",
                           trap="relu, not clamp(min=0): clamp's slope at the margin is -label, Gluon's 0."),),
    "SquaredHingeLoss": (Spelling("torch.relu({margin} - pred * label) ** 2", builtin=False, inputs="scores",
                                  labels="±1", reduction="elementwise", params="no class: written out"),),
    "LogisticLoss": (
        Spelling("torch.nn.BCEWithLogitsLoss(reduction='none')(pred, (label + 1) / 2)",
                 when=lambda p: p["label_format"] == "signed", inputs="logits", labels="±1, mapped to (y + 1) / 2",
                 reduction=_NONE, params="signed labels: BCEWithLogitsLoss on (y + 1) / 2",
                 trap="SoftMarginLoss equals it only at labels exactly ±1: at a label of 0 it is log 2 everywhere."),
        Spelling("torch.nn.BCEWithLogitsLoss(reduction='none')(pred, label)", inputs="logits", labels="0/1",
                 reduction=_NONE, params="binary labels: BCEWithLogitsLoss as it is"),
    ),
    "KLDivLoss": (
        _AXIS_ELSEWHERE,
        Spelling("torch.nn.KLDivLoss(reduction='none')(pred, label).sum(-1)", when=lambda p: p["from_logits"],
                 inputs="log-probabilities (input), probabilities (target)", labels="probability distributions",
                 reduction="reduction='none', summed over classes ('batchmean' is the mean of these)",
                 params="input = log-probabilities, target = probabilities (log_target=False)",
                 trap="Passing probabilities as input, or swapping input and target, runs silently and is wrong "
                 "(pytorch #7464, #38227); reduction='mean' divides by the classes too."),
        Spelling("torch.nn.KLDivLoss(reduction='none')(torch.log_softmax(pred, -1), label).sum(-1)",
                 inputs="logits, log_softmax applied first", labels="probability distributions",
                 reduction="summed over classes", params="from_logits=False: log_softmax the input first"),
    ),
    "PoissonNLLLoss": (
        Spelling("torch.nn.PoissonNLLLoss(log_input={from_logits}, full={compute_full}, eps={epsilon}, "
                 "reduction='none')(pred, label)", inputs="log-rates (log_input=True) or rates",
                 labels="counts ≥ 0", reduction=_NONE,
                 params="from_logits → log_input, compute_full → full, epsilon → eps",
                 trap="full=True adds Stirling's term only for targets > 1, as Gluon does."),
    ),
    "TripletLoss": (
        Spelling("torch.nn.TripletMarginWithDistanceLoss(distance_function=lambda a, b: ((a - b) ** 2).sum(-1), "
                 "margin={margin}, reduction='none')(pred, positive, negative)", inputs="anchor, positive, negative",
                 labels="none", reduction=_NONE, params="squared Euclidean distance as the distance_function",
                 trap="TripletMarginLoss uses plain (not squared) distances plus eps: another loss."),
    ),
    "CosineEmbeddingLoss": (
        Spelling("torch.nn.CosineEmbeddingLoss(margin={margin}, reduction='none')(pred, x2, label)",
                 inputs="two batches of vectors", labels="±1", reduction=_NONE, params="margin as is",
                 trap="It adds 1e-12 to each squared norm: tiny vectors differ from Gluon."),
    ),
    "SDMLLoss": (
        Spelling("torch.nn.KLDivLoss(reduction='none')(torch.log_softmax(-((pred[:, None] - x2[None]) ** 2)"
                 ".sum(-1), 1), target).sum(1)", builtin=False,
                 setup=("n = pred.shape[0]",
                        "target = torch.full((n, n), {smoothing_parameter} / (n - 1), dtype=pred.dtype)",
                        "target.fill_diagonal_(1 - {smoothing_parameter})"),
                 inputs="two batches of embeddings", labels="none", reduction="per row",
                 params="no built-in: KL between the smoothed identity and softmax(-squared distances)"),
    ),
    "CTCLoss": (
        _OTHER_LAYOUT,
        Spelling("torch.nn.CTCLoss(blank=pred.shape[-1] - 1, reduction='none')(torch.log_softmax(pred, -1)"
                 ".transpose(0, 1), label.clamp(min=0).long(), input_lengths, target_lengths)",
                 setup=("input_lengths = torch.full((pred.shape[0],), pred.shape[1], dtype=torch.long)",
                        "target_lengths = (label >= 0).sum(1)"),
                 inputs="log-probabilities in (T, N, C)", labels="class indices, lengths given apart",
                 reduction=_NONE, params="blank=C-1 (torch's default is 0); log_softmax and (T, N, C) layout",
                 trap="Logits instead of log-probabilities, or the default blank=0, run and give other numbers."),
    ),
}


#: torchvision.ops.sigmoid_focal_loss's own formula (PyPI's torchvision wheel does not load beside the CPU torch,
#: so the snippet writes it out rather than import it).
_FOCAL = ("torch.nn.functional.binary_cross_entropy_with_logits(pred, label, reduction='none') * (1 - (torch.sigmoid("
          "pred) * label + (1 - torch.sigmoid(pred)) * (1 - label))) ** {gamma}")
_FOCAL_PARAMS = ("torchvision.ops.sigmoid_focal_loss(pred, label, alpha, gamma, reduction='none') computes this "
                 "formula, with the same alpha and gamma")

#: The losses beyond Gluon that torch (or torchvision) spells, or whose formula is written out here.
TABLE.update({
    "LogCoshLoss": (Spelling("torch.log(torch.cosh(pred - label))", builtin=False, inputs="values",
                             labels="any real label", reduction="elementwise",
                             params="no log-cosh class in torch: written out (cosh overflows past |d| ≈ 710)"),),
    "PseudoHuberLoss": (Spelling("{delta} ** 2 * (torch.sqrt(1 + ((pred - label) / {delta}) ** 2) - 1)",
                                 builtin=False, inputs="values", labels="any real label", reduction="elementwise",
                                 params="no class: delta² (sqrt(1 + (d/delta)²) - 1) written out",
                                 trap="torch.nn.HuberLoss(delta) is the piecewise Huber, not this smooth one."),),
    "EpsilonInsensitiveLoss": (Spelling("torch.relu(torch.abs(pred - label) - {epsilon})", builtin=False,
                                        inputs="values", labels="any real label", reduction="elementwise",
                                        params="no class: max(0, |d| - epsilon) written out"),),
    "SigmoidFocalLoss": (
        Spelling(f"{_FOCAL} * ({{alpha}} * label + (1 - {{alpha}}) * (1 - label))", builtin=False,
                 when=lambda p: p["alpha"] >= 0, inputs="logits", labels="0/1 (float)", reduction="elementwise",
                 params=_FOCAL_PARAMS, trap="alpha weighs the positives (1 - alpha the negatives): 0.25 favours "
                 "the negatives."),
        Spelling(_FOCAL, builtin=False, inputs="logits", labels="0/1 (float)", reduction="elementwise",
                 params=_FOCAL_PARAMS + "; alpha < 0 switches the class weight off, in both"),
    ),
    "ModifiedHuberLoss": (Spelling("torch.where(pred * label >= -1, torch.relu(1 - pred * label) ** 2, "
                                   "-4 * pred * label)", builtin=False, inputs="scores", labels="±1",
                                   reduction="elementwise", params="no class: written out"),),
    "PerceptronLoss": (Spelling("torch.clamp(-pred * label, min=0)", builtin=False, inputs="scores", labels="±1",
                                reduction="elementwise", params="no class: max(0, -y x) written out",
                                trap="clamp, not relu: at a score of 0 the slope is -y (relu's is 0)."),),
    "QuantileLoss": (Spelling("{tau} * torch.relu(label - pred) + (1 - {tau}) * torch.relu(pred - label)",
                              builtin=False, inputs="values", labels="any real label",
                              reduction="elementwise", params="pinball loss written out: tau per unit under, "
                              "1 - tau per unit over (relu keeps the slope 0 at the kink, as losscore)"),),
    "ZeroOneLoss": (Spelling("(pred * label <= 0).to(pred.dtype) + 0 * pred",
                             builtin=False, inputs="scores", labels="±1",
                             reduction="elementwise", params="[y x <= 0] written out; its gradient is 0 everywhere "
                             "(the + 0 * pred only gives autograd a path)"),),
})

#: log p of the divergences' prediction: pred itself (from_logits=True) or log_softmax of the logits.
_LOG_P = {True: "pred", False: "torch.log_softmax(pred, -1)"}  # the first that fits is used: True first
_P = {True: "torch.exp(pred)", False: "torch.softmax(pred, -1)"}
_LOG_M = "torch.log(({p} + label) / 2)"
_NORMALISE = "torch.nn.functional.normalize({x}, dim=1)"
_COS_CENTERS = f"{_NORMALISE.format(x='pred')} @ {_NORMALISE.format(x='centers')}.T"
_ONE_HOT = "torch.nn.functional.one_hot(label.long(), centers.shape[0]).to(pred.dtype)"
_SIG = "torch.sigmoid(pred)"
_MASK_SUM = "per sample: summed over H and W"
_SMP = ("segmentation-models-pytorch averages over the whole batch at once and returns 0 for an empty mask; this "
        "gives each sample its own value.")


#: The divergences, embeddings and overlaps beyond Gluon: torch's own functions where one fits, else written out.
TABLE.update({
    "ReverseKLDivLoss": (
        _AXIS_ELSEWHERE,
        *(Spelling(f"torch.nn.KLDivLoss(reduction='none', log_target=True)(torch.log(label + 1e-12), {lp}).sum(-1)",
                   when=log_input if fl else None,
                   inputs="log-probabilities, as the target" if fl else "logits, log_softmax applied first",
                   labels="probability distributions", reduction="reduction='none', summed over classes",
                   params="KL(p || q) is KLDivLoss with the roles swapped: input = log(label + 1e-12), target = "
                   "log p with log_target=True (losscore adds the same 1e-12 to q)",
                   trap="In the usual order (input = log p, target = label) it is the forward KLDivLoss: both run "
                   "silently (pytorch #7464); without log_target=True the target is read as probabilities.")
          for fl, lp in _LOG_P.items()),
    ),
    "JensenShannonLoss": (
        _AXIS_ELSEWHERE,
        *(Spelling(f"0.5 * (torch.nn.functional.kl_div({_LOG_M.format(p=_P[fl])}, {lp}, reduction='none', "
                   f"log_target=True) + torch.nn.functional.kl_div({_LOG_M.format(p=_P[fl])}, label, "
                   "reduction='none')).sum(-1)", builtin=False,
                   when=log_input if fl else None,
                   inputs="log-probabilities" if fl else "logits, log_softmax applied first",
                   labels="probability distributions", reduction="reduction='none', summed over classes",
                   params="no Jensen-Shannon in torch: ½ KL(p || m) + ½ KL(q || m) with m = (p + q) / 2, each "
                   "kl_div(log m, ...) (the target in kl_div's second slot)",
                   trap="scipy.spatial.distance.jensenshannon is the square root of this (a distance).")
          for fl, lp in _LOG_P.items()),
    ),
    "InfoNCELoss": (Spelling(
        f"torch.nn.functional.cross_entropy({_NORMALISE.format(x='pred')} @ {_NORMALISE.format(x='positive')}.T "
        "/ {temperature}, torch.arange(pred.shape[0]), reduction='none')", builtin=False,
        inputs="anchors (N, D), positives (N, D)", labels="none: row i of positive is anchor i's match",
        reduction="reduction='none': one value per anchor",
        params="no InfoNCE in torch: cross_entropy over the cosines / temperature, the matching row as the class",
        trap="pytorch-metric-learning's NTXentLoss returns the mean, and finds no positive pair (loss 0) when "
        "ref_labels is the labels tensor itself; SimCLR's symmetric NT-Xent has 2N - 2 negatives per anchor."),),
    "CosFaceLoss": (Spelling(
        f"torch.nn.functional.cross_entropy({{scale}} * ({_COS_CENTERS} - {{margin}} * {_ONE_HOT}), label.long(), "
        "reduction='none')", builtin=False, inputs=MARGIN_INPUTS, labels="class indices (int64)",
        reduction="reduction='none': one value per embedding",
        params="no CosFace in torch: cross_entropy over S (cos - m at the true class)",
        trap="one_hot gives int64, and int64 times a float is float32 in torch: cast it to pred's dtype; "
        "pytorch-metric-learning's CosFaceLoss has scale 64 by default (here 30) and returns the mean."),),
    "ArcFaceLoss": (Spelling(
        f"torch.nn.functional.cross_entropy(arcface_logits({_COS_CENTERS}, label, {{scale}}, {{margin}}), "
        "label.long(), reduction='none')", builtin=False,
        setup=("import math", "",
               "def arcface_logits(cos, label, scale, margin):",
               "    # S cos(theta + m) at the true class; past theta = pi - m, S (cos theta - m sin m)",
               "    theta = torch.acos(cos.clamp(-1, 1))",
               "    target = torch.where(theta <= math.pi - margin, torch.cos(theta + margin), "
               "cos - margin * math.sin(margin))",
               "    return scale * torch.where(torch.nn.functional.one_hot(label.long(), cos.shape[1]) == 1, "
               "target, cos)", ""),
        inputs=MARGIN_INPUTS, labels="class indices (int64)", reduction="reduction='none': one value per embedding",
        params="no ArcFace in torch: cross_entropy over S cos(theta + m) at the true class (margin in radians)",
        trap="pytorch-metric-learning's ArcFaceLoss takes the margin in degrees (28.6 = 0.5 rad) and scale 64."),),
    "DiceLoss": (Spelling(
        f"1 - (2 * ({_SIG} * label).sum((1, 2)) + {{smooth}}) / (({_SIG} + label).sum((1, 2)) + {{smooth}})",
        builtin=False, inputs=MASK_INPUTS, labels="0/1 masks (N, H, W)", reduction=_MASK_SUM,
        params="no Dice in torch: written out; segmentation_models_pytorch DiceLoss('binary', smooth=s / 2) is its "
        "batch mean (its smooth is half this one)", trap=_SMP),),
    "JaccardLoss": (Spelling(
        f"1 - (({_SIG} * label).sum((1, 2)) + {{smooth}}) / (({_SIG} + label - {_SIG} * label).sum((1, 2)) "
        "+ {smooth})", builtin=False, inputs=MASK_INPUTS, labels="0/1 masks (N, H, W)", reduction=_MASK_SUM,
        params="no Jaccard in torch: intersection over union (p + t - p t per pixel) written out", trap=_SMP),),
    "TverskyLoss": (Spelling(
        f"1 - (({_SIG} * label).sum((1, 2)) + {{smooth}}) / (({_SIG} * label + {{alpha}} * {_SIG} * (1 - label) "
        f"+ {{beta}} * (1 - {_SIG}) * label).sum((1, 2)) + {{smooth}})", builtin=False, inputs=MASK_INPUTS,
        labels="0/1 masks (N, H, W)", reduction=_MASK_SUM,
        params="no Tversky in torch: TP / (TP + alpha FP + beta FN) with smooth, written out", trap=_SMP),),
})


#: The picked class's log-probability and probability, from (N, C) logits and class indices.
_LOG_P_Y = "torch.log_softmax(pred, -1).gather(-1, label.long()[:, None])[:, 0]"
_P_Y = "torch.softmax(pred, -1).gather(-1, label.long()[:, None])[:, 0]"
_INDICES = "class indices (int64; .long())"

#: The robust regression and softmax-family losses beyond Gluon: built-ins where torch has them, else written out.
TABLE.update({
    "TukeyBiweightLoss": tukey(TORCH),
    "GeneralRobustLoss": barron(TORCH, "jonbarron/robust_loss_pytorch"),
    "SoftmaxFocalLoss": (Spelling(f"-(1 - {_P_Y}) ** {{gamma}} * {_LOG_P_Y}", builtin=False,
                                  inputs="logits (N, C)", labels=_INDICES, reduction="per sample",
                                  params="no class in torch: -(1 - p_y)^gamma log p_y written out; gamma as is",
                                  trap="torchvision.ops.sigmoid_focal_loss on one-hot targets is another loss: a "
                                  "sigmoid per class, alpha = 0.25 by default."),),
    "LabelSmoothingCrossEntropyLoss": (
        Spelling("torch.nn.CrossEntropyLoss(reduction='none', label_smoothing={epsilon})(pred, label.long())",
                 inputs="logits (N, C)", labels=_INDICES, reduction=_NONE,
                 params="epsilon → label_smoothing, the same target: 1 - epsilon on the label plus epsilon / C on "
                 "every class",
                 trap="Class indices must be int64: float ones fail ('expected target dtype to be Long'), and "
                 "float (N, C) targets are read as probabilities (smoothed too)."),),
    "PolyLoss": (Spelling(f"torch.nn.functional.cross_entropy(pred, label.long(), reduction='none') + {{epsilon}} "
                          f"* (1 - {_P_Y})", builtin=False, inputs="logits (N, C)", labels=_INDICES,
                          reduction="per sample",
                          params="no class in torch: cross-entropy + epsilon (1 - p_y) written out",
                          trap="reduction='none' on the cross-entropy, or the mean of the batch is added to "
                          "every sample's epsilon term."),),
    "MulticlassHingeLoss": (
        Spelling("torch.nn.MultiMarginLoss(margin={margin}, reduction='none')(pred, label.long())",
                 inputs="scores (N, C)", labels=_INDICES, reduction=_NONE,
                 params="margin → margin; p=1 (the default; p=2 squares each term)",
                 trap="It divides the sum over the wrong classes by C, all the classes (as losscore does): the SVM "
                 "literature's sum is C times it."),),
    "AsymmetricLoss": asymmetric(TORCH, "no class in torch"),
})
