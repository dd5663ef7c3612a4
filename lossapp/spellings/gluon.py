"""MXNet Gluon 1.9.1's spellings: the tutorial's fourteen losses, whose signatures losscore copies.

``code`` is the constructor; Gluon blocks take their forward arguments positionally (``loss(pred, label,
sample_weight, ...)``), which the snippet writer adds. A loss Gluon does not have gets an entry saying so.
"""

from __future__ import annotations

from . import Spelling

_MEAN = "one value per sample: the mean over the non-batch axes"

TABLE: dict[str, tuple[Spelling, ...]] = {
    "L1Loss": (Spelling("gluon.loss.L1Loss(weight={weight})", inputs="values", labels="any real label",
                        reduction=_MEAN, params="weight scales every value"),),
    "L2Loss": (Spelling("gluon.loss.L2Loss(weight={weight})", inputs="values", labels="any real label",
                        reduction=_MEAN, params="weight scales every value",
                        trap="Half the squared error: 0.5 * MSE, not MSE."),),
    "HuberLoss": (Spelling("gluon.loss.HuberLoss(rho={rho}, weight={weight})", inputs="values",
                           labels="any real label", reduction=_MEAN,
                           params="rho: where the quadratic part (d² / 2rho) hands over to the linear (|d| - rho/2)",
                           trap="Divided by rho: Gluon's Huber is Smooth L1 (torch), not torch's or keras's Huber."),),
    "SigmoidBinaryCrossEntropyLoss": (
        Spelling("gluon.loss.SigmoidBinaryCrossEntropyLoss(from_sigmoid={from_sigmoid}, weight={weight})",
                 inputs="logits (probabilities with from_sigmoid=True)", labels="0/1 or soft targets in [0, 1]",
                 reduction=_MEAN, params="pos_weight is a forward argument (after sample_weight), not a "
                 "constructor argument", trap="from_sigmoid=True on logits (or False on probabilities) applies the "
                 "sigmoid zero or two times."),),
    "SoftmaxCrossEntropyLoss": (
        Spelling("gluon.loss.SoftmaxCrossEntropyLoss(axis={axis}, sparse_label={sparse_label}, "
                 "from_logits={from_logits}, weight={weight})",
                 inputs="logits (log-probabilities with from_logits=True)",
                 labels="class indices (sparse_label) or distributions", reduction="one value per sample",
                 params="axis: the class axis (default -1, the last)",
                 trap="from_logits=True means pred already holds log-probabilities, not raw logits."),),
    "HingeLoss": (Spelling("gluon.loss.HingeLoss(margin={margin}, weight={weight})", inputs="scores",
                           labels="±1", reduction=_MEAN, params="margin m: max(0, m - pred·label)"),),
    "SquaredHingeLoss": (Spelling("gluon.loss.SquaredHingeLoss(margin={margin}, weight={weight})", inputs="scores",
                                  labels="±1", reduction=_MEAN, params="margin m: max(0, m - pred·label)²"),),
    "LogisticLoss": (Spelling("gluon.loss.LogisticLoss(label_format={label_format}, weight={weight})",
                              inputs="scores (logits)", labels="±1 ('signed', mapped to (y + 1) / 2) or 0/1 ('binary')",
                              reduction=_MEAN, params="label_format says how labels are written"),),
    "KLDivLoss": (Spelling("gluon.loss.KLDivLoss(from_logits={from_logits}, axis={axis}, weight={weight})",
                           inputs="log-probabilities (logits with from_logits=False)",
                           labels="probability distributions", reduction="one value per sample (summed over classes)",
                           params="from_logits=False applies log-softmax first",
                           trap="pred first, then label: KL(label || softmax(pred)); pred must be log-probabilities "
                           "by default."),),
    "PoissonNLLLoss": (
        Spelling("gluon.loss.PoissonNLLLoss(from_logits={from_logits}, compute_full={compute_full}, weight={weight})",
                 inputs="log-rates (rates with from_logits=False)", labels="counts ≥ 0",
                 reduction="one value: the mean over every element, the batch included",
                 params="epsilon is a forward argument: loss(pred, label, sample_weight, epsilon)",
                 trap="Keyword forward arguments fail (Block.__call__() got an unexpected keyword argument "
                 "'epsilon'): pass them positionally."),),
    "TripletLoss": (Spelling("gluon.loss.TripletLoss(margin={margin}, weight={weight})",
                             inputs="embeddings: anchor (pred), positive, negative", labels="none",
                             reduction="one value per triple",
                             params="margin m on squared Euclidean distances",
                             trap="Squared distances, unlike torch's TripletMarginLoss."),),
    "CosineEmbeddingLoss": (Spelling("gluon.loss.CosineEmbeddingLoss(margin={margin}, weight={weight})",
                                     inputs="two batches of vectors", labels="±1 (similar / dissimilar)",
                                     reduction="one value per pair, shape (N, 1)",
                                     params="margin m: max(0, cos - m) for dissimilar pairs"),),
    "SDMLLoss": (Spelling("gluon.loss.SDMLLoss(smoothing_parameter={smoothing_parameter})",
                          inputs="two batches of embeddings, row i of each a pair", labels="none (the pairing)",
                          reduction="one value per row", params="smoothing_parameter: mass on the other pairs"),),
    "CTCLoss": (Spelling("gluon.loss.CTCLoss(layout={layout}, label_layout={label_layout}, weight={weight})",
                         inputs="unnormalised scores (softmax applied inside)", labels="class indices padded with -1",
                         reduction="one value per sequence", params="the blank is the last class",
                         trap="torch's CTCLoss takes log-probabilities in (T, N, C) and blank 0 by default."),),
}

#: The losses beyond the tutorial: MXNet Gluon 1.9.1 has none of them.
TABLE.update({name: (Spelling(reason="MXNet Gluon 1.9.1 has no such loss; losscore's class is the reference."),)
              for name in ("LogCoshLoss", "QuantileLoss", "PseudoHuberLoss", "TukeyBiweightLoss",
                           "EpsilonInsensitiveLoss", "GeneralRobustLoss", "SigmoidFocalLoss", "SoftmaxFocalLoss",
                           "LabelSmoothingCrossEntropyLoss", "PolyLoss", "AsymmetricLoss", "MulticlassHingeLoss",
                           "ModifiedHuberLoss", "PerceptronLoss", "ZeroOneLoss", "ReverseKLDivLoss",
                           "JensenShannonLoss", "InfoNCELoss", "CosFaceLoss", "ArcFaceLoss", "DiceLoss",
                           "JaccardLoss", "TverskyLoss")})
