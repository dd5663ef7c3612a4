"""The traps the spelling tables state about Keras 3 and optax for the divergence, embedding and overlap losses,
checked in those libraries (one subprocess with KERAS_BACKEND=jax and float64, as the snippets run: jax's x64
switch is global, so not in this process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import losscore as lc
from lossapp.examples import example
from lossapp.spellings import spelling
from losscore.catalog import CATALOG

_PROBE = r"""
import json, os
os.environ["KERAS_BACKEND"] = "jax"
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp, keras, numpy as np, optax
keras.config.set_floatx("float64")
pred, label = (jnp.array(v) for v in json.loads(os.environ["PROBE_INPUTS"]))
p = jax.nn.sigmoid(pred)
emb = jnp.array(np.random.default_rng(3).normal(size=(4, 3)))
out = {
    "dice": keras.losses.Dice(axis=(1, 2), reduction=None)(label, p).tolist(),
    "dice_pooled_shape": list(keras.losses.Dice(reduction=None)(label, p).shape),
    "tversky": keras.losses.Tversky(alpha=0.2, beta=0.7, axis=(1, 2), reduction=None)(label, p).tolist(),
    "keras_epsilon": keras.config.epsilon(),
    "trig_dtypes": [str(f(jnp.array([0.3])).dtype) for f in (keras.ops.cos, keras.ops.sin, keras.ops.arccos)],
    "exp_dtype": str(keras.ops.exp(jnp.array([0.3])).dtype),
    "optax_top_level": hasattr(optax, "kl_divergence_with_log_targets"),
    "optax_losses": hasattr(optax.losses, "kl_divergence_with_log_targets"),
    "dice_class_axis": optax.losses.dice_loss(pred[..., None], label[..., None]).tolist(),
    "dice_last_axis_as_classes": optax.losses.dice_loss(pred, label).tolist(),
    "ntxent_shape": list(optax.ntxent(emb, jnp.array([0, 0, 1, 1])).shape),
}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def probe() -> dict:
    ex = example("DiceLoss", {})
    assert ex is not None
    env = {**os.environ, "PROBE_INPUTS": json.dumps([ex["pred"].tolist(), ex["label"].tolist()]),
           "JAX_PLATFORMS": "cpu"}
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "pred": ex["pred"], "label": ex["label"]}


def _trap(framework: str, name: str) -> str:
    return spelling(framework, name, CATALOG[name].defaults()).trap


def test_keras_dice_and_tversky_have_no_smooth_and_tversky_swaps_alpha_and_beta(probe):
    assert "no smooth" in _trap("Keras 3", "DiceLoss") and "pool the whole batch" in _trap("Keras 3", "DiceLoss")
    pred, label = probe["pred"], probe["label"]
    p = 1 / (1 + np.exp(-pred))
    tp, sp, st = (p * label).sum((1, 2)), p.sum((1, 2)), label.sum((1, 2))
    eps = probe["keras_epsilon"]
    assert eps == 1e-7
    np.testing.assert_allclose(probe["dice"], 1 - 2 * tp / (sp + st + eps), rtol=1e-12)  # epsilon: denominator only
    assert not np.allclose(probe["dice"], lc.DiceLoss(smooth=1.0)(pred, label), rtol=1e-3)
    assert probe["dice_pooled_shape"] == []  # axis=None: one value for the batch
    # Keras's Tversky(alpha=0.2, beta=0.7) is this loss's alpha=0.7 (false positives), beta=0.2 (false negatives)
    assert "alpha weighs the missed pixels" in _trap("Keras 3", "TverskyLoss")
    swapped = 1 - tp / (tp + 0.7 * (sp - tp) + 0.2 * (st - tp) + eps)
    np.testing.assert_allclose(probe["tversky"], swapped, rtol=1e-12)
    np.testing.assert_allclose(probe["tversky"], lc.TverskyLoss(alpha=0.7, beta=0.2, smooth=0.0)(pred, label),
                               rtol=1e-6)
    assert not np.allclose(probe["tversky"], lc.TverskyLoss(alpha=0.2, beta=0.7, smooth=0.0)(pred, label),
                           rtol=1e-3)


def test_keras_trigonometry_is_float32_on_float64_inputs(probe):
    assert "compute in float32" in _trap("Keras 3", "ArcFaceLoss")
    assert probe["trig_dtypes"] == ["float32", "float32", "float32"] and probe["exp_dtype"] == "float64"


def test_optax_traps(probe):
    assert not probe["optax_top_level"] and probe["optax_losses"]
    assert "optax.losses only" in _trap("optax", "ReverseKLDivLoss")
    # on (N, H, W) without a class axis of 1, dice_loss reads W as classes: another loss
    assert "[..., None]" in _trap("optax", "JaccardLoss")
    np.testing.assert_allclose(probe["dice_class_axis"], lc.DiceLoss(smooth=2.0)(probe["pred"], probe["label"]),
                               rtol=1e-12)  # smooth 1 in optax's form is 2 in this one
    assert not np.allclose(probe["dice_last_axis_as_classes"], probe["dice_class_axis"], rtol=1e-3)
    assert probe["ntxent_shape"] == [] and "one scalar" in _trap("optax", "InfoNCELoss")
