"""The formulas no framework builds in (Tukey's biweight, Barron's general robust loss, the asymmetric loss),
written once and spelled in each framework's operation names (:class:`Ops`), so the PyTorch, Keras 3 and optax
tables say the same thing and cannot drift apart.

>>> tukey(TORCH)[0].render({"c": 2.0})
'2.0 ** 2 / 6 * (1 - (1 - torch.clamp((pred - label) / 2.0, -1, 1) ** 2) ** 3)'
>>> barron(JAX, "robust_loss_jax")[1].render({"alpha": 0.0, "scale": 2.0})  # the Cauchy limit
'jnp.log1p(0.5 * ((pred - label) / 2.0) ** 2)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import Spelling

__all__ = ["JAX", "KERAS", "TORCH", "Ops", "asymmetric", "barron", "tukey"]


@dataclass(frozen=True)
class Ops:
    """One framework's names of the elementwise operations the formulas use."""

    framework: str
    clip: str  #: clip(x, low, high)
    log: str
    log1p: str
    expm1: str
    sigmoid: str
    log_sigmoid: str
    relu: str


TORCH = Ops("torch", "torch.clamp", "torch.log", "torch.log1p", "torch.expm1", "torch.sigmoid",
            "torch.nn.functional.logsigmoid", "torch.relu")
KERAS = Ops("Keras", "keras.ops.clip", "keras.ops.log", "keras.ops.log1p", "keras.ops.expm1", "keras.ops.sigmoid",
            "keras.ops.log_sigmoid", "keras.ops.relu")
JAX = Ops("optax", "jnp.clip", "jnp.log", "jnp.log1p", "jnp.expm1", "jax.nn.sigmoid", "jax.nn.log_sigmoid",
          "jax.nn.relu")

_X = "((pred - label) / {scale})"


def _of_values(code: str, **conventions: Any) -> Spelling:
    """A written-out regression loss of pred and label."""
    return Spelling(code, builtin=False, inputs="values", labels="any real label", reduction="elementwise",
                    **conventions)


def _of_logits(code: str, **conventions: Any) -> Spelling:
    """A written-out multi-label loss of logits and 0/1 labels."""
    return Spelling(code, builtin=False, inputs="logits", labels="0/1 per class (float)", reduction="elementwise",
                    **conventions)


def tukey(ops: Ops) -> tuple[Spelling, ...]:
    """The biweight with the residual clipped at ±c first: the loss is then flat, and its gradient 0, beyond c."""
    u = f"{ops.clip}((pred - label) / {{c}}, -1, 1)"
    return (_of_values(f"{{c}} ** 2 / 6 * (1 - (1 - {u} ** 2) ** 3)",
                       params=f"no such loss in {ops.framework}: c²/6 (1 - (1 - u²)³), u = {ops.clip}(d / c, -1, 1), "
                       "written out",
                       trap=f"Without the {ops.clip} the polynomial rises again past c (as u⁶) instead of staying "
                       "flat at c²/6."),)


def barron(ops: Ops, reference: str) -> tuple[Spelling, ...]:
    """The general formula, and its limits at alpha = 2 and 0 (where it divides by zero) apart; ``reference``:
    where Barron's own code for this framework lives."""
    return (
        _of_values(f"0.5 * {_X} ** 2", when=lambda p: float(p["alpha"]) == 2.0,
                   params="alpha = 2: the L2 limit, x²/2 with x = d / scale"),
        _of_values(f"{ops.log1p}(0.5 * {_X} ** 2)", when=lambda p: float(p["alpha"]) == 0.0,
                   params="alpha = 0: the Cauchy limit, log(x²/2 + 1) with x = d / scale"),
        _of_values(f"abs({{alpha}} - 2) / {{alpha}} * {ops.expm1}({{alpha}} / 2 * {ops.log1p}({_X} ** 2 "
                   "/ abs({alpha} - 2)))",
                   params=f"no such loss in {ops.framework} (Barron's own code: {reference}): |a-2|/a ((x²/|a-2| "
                   "+ 1)^(a/2) - 1), x = d / scale, written out with expm1 and log1p",
                   trap="The formula divides by zero at alpha = 0 and 2: those are limits (their own spellings "
                   "here); (1 + t)^(a/2) - 1 without expm1 and log1p loses the small residuals' digits."),
    )


def asymmetric(ops: Ops, params: str) -> tuple[Spelling, ...]:
    """The paper's formula; with clip = 0, log(1 - p) as log_sigmoid(-x), exact where 1 - p rounds to 0."""
    pos = f"label * {ops.sigmoid}(-pred) ** {{gamma_pos}} * {ops.log_sigmoid}(pred)"
    shifted = f"{ops.relu}({ops.sigmoid}(pred) - {{clip}})"
    return (
        _of_logits(f"-({pos} + (1 - label) * {ops.sigmoid}(pred) ** {{gamma_neg}} * {ops.log_sigmoid}(-pred))",
                   when=lambda p: float(p["clip"]) == 0.0,
                   params=f"clip = 0: no shift, log(1 - p) = {ops.log_sigmoid}(-x) written out"),
        _of_logits(f"-({pos} + (1 - label) * {shifted} ** {{gamma_neg}} * {ops.log}(1 - {shifted}))",
                   params=f"{params}: the paper's formula written out, p_m = relu(p - clip)",
                   trap="The authors' AsymmetricLoss (Alibaba-MIIL/ASL) sums over the labels and clamps p at 1e-8 "
                   f"(flat below a logit of -18.4); {ops.log}({ops.sigmoid}(x)) turns -inf once the sigmoid "
                   f"underflows, {ops.log_sigmoid} never."),
    )
