"""losscore: every MXNet Gluon loss in numpy, with exact analytic gradients and MXNet 1.9.1's numbers.

>>> import losscore
>>> losscore.L2Loss()([1.0, 1.0], [2.0, 2.0])
array([0.5, 0.5], dtype=float32)
"""

from ._base import Loss
from .classification import (
    HingeLoss,
    LogisticLoss,
    SigmoidBCELoss,
    SigmoidBinaryCrossEntropyLoss,
    SoftmaxCELoss,
    SoftmaxCrossEntropyLoss,
    SquaredHingeLoss,
)
from .contrastive import ArcFaceLoss, CosFaceLoss, InfoNCELoss
from .ctc_decoding import CTCAlignment, ctc_alignment_posteriors, ctc_alignments, ctc_greedy_decode
from .distribution import KLDivLoss, PoissonNLLLoss, stirling_log_factorial
from .divergence import JensenShannonLoss, ReverseKLDivLoss
from .embedding import CosineEmbeddingLoss, SDMLLoss, TripletLoss
from .focal import AsymmetricLoss, LabelSmoothingCrossEntropyLoss, PolyLoss, SigmoidFocalLoss, SoftmaxFocalLoss
from .margin import ModifiedHuberLoss, MulticlassHingeLoss, PerceptronLoss, ZeroOneLoss
from .regression import HuberLoss, L1Loss, L2Loss
from .robust import (
    EpsilonInsensitiveLoss,
    GeneralRobustLoss,
    LogCoshLoss,
    PseudoHuberLoss,
    QuantileLoss,
    TukeyBiweightLoss,
)
from .segmentation import DiceLoss, JaccardLoss, TverskyLoss
from .sequence import CTCLoss, ctc_feasible

__all__ = [
    "ArcFaceLoss",
    "AsymmetricLoss",
    "CTCAlignment",
    "CTCLoss",
    "CosFaceLoss",
    "CosineEmbeddingLoss",
    "DiceLoss",
    "EpsilonInsensitiveLoss",
    "GeneralRobustLoss",
    "HingeLoss",
    "HuberLoss",
    "InfoNCELoss",
    "JaccardLoss",
    "JensenShannonLoss",
    "KLDivLoss",
    "L1Loss",
    "L2Loss",
    "LabelSmoothingCrossEntropyLoss",
    "LogCoshLoss",
    "LogisticLoss",
    "Loss",
    "ModifiedHuberLoss",
    "MulticlassHingeLoss",
    "PerceptronLoss",
    "PoissonNLLLoss",
    "PolyLoss",
    "PseudoHuberLoss",
    "QuantileLoss",
    "ReverseKLDivLoss",
    "SDMLLoss",
    "SigmoidBCELoss",
    "SigmoidBinaryCrossEntropyLoss",
    "SigmoidFocalLoss",
    "SoftmaxCELoss",
    "SoftmaxCrossEntropyLoss",
    "SoftmaxFocalLoss",
    "SquaredHingeLoss",
    "TripletLoss",
    "TukeyBiweightLoss",
    "TverskyLoss",
    "ZeroOneLoss",
    "ctc_alignment_posteriors",
    "ctc_alignments",
    "ctc_feasible",
    "ctc_greedy_decode",
    "stirling_log_factorial",
]
