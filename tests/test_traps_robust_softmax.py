"""The traps the spelling tables state for Tukey, Barron, softmax focal, label smoothing, Poly, multiclass hinge and
the asymmetric loss, each run in the framework it is about (tests/test_export_run.py proves the spellings
themselves; this proves what the tables say goes wrong without them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from lossapp.spellings import spelling
from losscore import MulticlassHingeLoss, SoftmaxFocalLoss

X = np.array([[1.25, 0.78, 0.96, -1.08], [0.87, -0.17, -0.19, 1.12], [-0.44, -1.28, -0.47, -1.2]])
Y = np.array([2, 0, 3])


def test_torch_label_smoothing_wants_int64_indices_and_smooths_probability_targets_too():
    ce = torch.nn.CrossEntropyLoss(reduction="none", label_smoothing=0.1)
    x, y = torch.tensor(X), torch.tensor(Y, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="expected target dtype to be Long"):
        ce(x, y)
    onehot = torch.nn.functional.one_hot(y.long(), 4).double()
    np.testing.assert_allclose(ce(x, onehot).numpy(), ce(x, y.long()).numpy(), rtol=1e-12)
    assert "expected target dtype to be Long" in spelling("PyTorch", "LabelSmoothingCrossEntropyLoss", {}).trap


def test_torch_logsigmoid_stays_finite_where_log_of_sigmoid_does_not():
    x = torch.tensor([-800.0], dtype=torch.float64)
    assert torch.log(torch.sigmoid(x)).item() == -np.inf
    assert torch.nn.functional.logsigmoid(x).item() == -800.0
    assert "turns -inf once the sigmoid underflows" in spelling("PyTorch", "AsymmetricLoss", {"clip": 0.05}).trap


def test_barrons_general_formula_breaks_at_its_limits_which_are_spelled_apart():
    general = spelling("PyTorch", "GeneralRobustLoss", {"alpha": 1.0, "scale": 1.0})
    pred, label = torch.tensor([1.5], dtype=torch.float64), torch.tensor([0.0], dtype=torch.float64)
    with pytest.raises(ZeroDivisionError):  # alpha = 0: |a - 2| / a
        eval(general.render({"alpha": 0.0, "scale": 1.0}), {"torch": torch, "pred": pred, "label": label})
    at_2 = eval(general.render({"alpha": 2.0, "scale": 1.0}), {"torch": torch, "pred": pred, "label": label})
    assert torch.isnan(at_2).all()  # 0 * expm1(log1p(x² / 0))
    for alpha in (0.0, 2.0):
        assert spelling("PyTorch", "GeneralRobustLoss", {"alpha": alpha, "scale": 1.0}) != general


def test_tukey_without_the_clip_rises_again_past_c():
    d, c = np.array([4.0, 8.0]), 4.0
    unclipped = c**2 / 6 * (1 - (1 - (d / c) ** 2) ** 3)
    assert unclipped[1] > 10 * unclipped[0]  # c²/6 at c, then as u⁶
    assert "rises again past c" in spelling("optax", "TukeyBiweightLoss", {}).trap


#: Keras 3 and optax, in a subprocess: Keras picks its backend when first imported (as in test_export_run.py).
_JAX_TRAPS = textwrap.dedent("""
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp, keras, numpy as np, optax, json, sys
    keras.config.set_floatx("float64")
    x, y = jnp.array(json.loads(sys.argv[1])), jnp.array(json.loads(sys.argv[2]))
    onehot = jax.nn.one_hot(y, 4)
    out = {
        "focal_default": np.asarray(keras.losses.CategoricalFocalCrossentropy(from_logits=True, reduction=None)(
            onehot, x)).tolist(),
        "focal_alpha_1": np.asarray(keras.losses.CategoricalFocalCrossentropy(alpha=1.0, from_logits=True,
                                                                              reduction=None)(onehot, x)).tolist(),
        "focal_grad_saturated": np.asarray(jax.grad(lambda p: keras.losses.CategoricalFocalCrossentropy(
            alpha=1.0, from_logits=True, reduction=None)(jnp.array([[1.0, 0, 0, 0]]), p).sum())(
            jnp.array([[20.0, 0, 0, 0]]))).tolist(),
        "keras_categorical_hinge": np.asarray(keras.losses.CategoricalHinge(reduction=None)(onehot, x)).tolist(),
        "optax_multiclass_hinge": np.asarray(optax.losses.multiclass_hinge_loss(x, y)).tolist(),
        "poly_at_top_level": hasattr(optax, "poly_loss_cross_entropy"),
        "poly_default": np.asarray(optax.losses.poly_loss_cross_entropy(x, onehot)).tolist(),
        "poly_eps_2": np.asarray(optax.losses.poly_loss_cross_entropy(x, onehot, epsilon=2.0)).tolist(),
    }
    try:
        keras.losses.SparseCategoricalCrossentropy(label_smoothing=0.1)
        out["sparse_smoothing"] = True
    except TypeError:
        out["sparse_smoothing"] = False
    print(json.dumps(out))
""")


@pytest.fixture(scope="module")
def jax_traps() -> dict:
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    run = subprocess.run([sys.executable, "-c", _JAX_TRAPS, str(X.tolist()), str(Y.tolist())], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_keras_focal_alpha_defaults_to_a_quarter_and_clips_probabilities(jax_traps):
    np.testing.assert_allclose(jax_traps["focal_default"], 0.25 * np.array(jax_traps["focal_alpha_1"]), rtol=1e-12)
    np.testing.assert_allclose(jax_traps["focal_alpha_1"], SoftmaxFocalLoss()(X, Y), rtol=1e-9)
    assert np.all(np.array(jax_traps["focal_grad_saturated"]) == 0.0)  # p_y > 1 - 1e-7: clipped, flat
    trap = spelling("Keras 3", "SoftmaxFocalLoss", {"gamma": 2.0}).trap
    assert "alpha defaults to 0.25" in trap and "[1e-7, 1 - 1e-7]" in trap


def test_keras_and_optax_multiclass_hinges_are_crammer_singer(jax_traps):
    scores_y = X[np.arange(3), Y]
    wrong = np.where(np.eye(4, dtype=bool)[Y], -np.inf, X)
    crammer_singer = np.maximum(0.0, 1.0 + wrong.max(axis=1) - scores_y)
    # Keras's max((1 - y) x) counts the right class as 0: below-zero wrong scores (row 2) count as 0
    keras_max = np.maximum(wrong.max(axis=1), 0.0)
    np.testing.assert_allclose(jax_traps["keras_categorical_hinge"], np.maximum(0.0, 1.0 + keras_max - scores_y),
                               rtol=1e-12)
    assert (wrong[2] < 0).all() and jax_traps["keras_categorical_hinge"][2] != pytest.approx(crammer_singer[2])
    assert "the right class's 0 counts instead" in spelling("Keras 3", "MulticlassHingeLoss", {"margin": 1.0}).trap
    np.testing.assert_allclose(jax_traps["optax_multiclass_hinge"], crammer_singer, rtol=1e-12)
    assert not np.allclose(crammer_singer, MulticlassHingeLoss()(X, Y))  # the Weston-Watkins sum over C: another
    for fw, name in (("Keras 3", "keras.losses.CategoricalHinge"), ("optax", "optax.multiclass_hinge_loss")):
        assert f"{name} is the Crammer-Singer hinge" in spelling(fw, "MulticlassHingeLoss", {"margin": 1.0}).trap


def test_optax_poly_defaults_to_epsilon_2_and_lives_in_optax_losses(jax_traps):
    assert not jax_traps["poly_at_top_level"]
    np.testing.assert_allclose(jax_traps["poly_default"], jax_traps["poly_eps_2"], rtol=1e-12)
    sp = spelling("optax", "PolyLoss", {"epsilon": 1.0})
    assert "defaults to 2.0" in sp.trap and "optax.losses.poly_loss_cross_entropy" in sp.code


def test_keras_sparse_crossentropy_has_no_label_smoothing(jax_traps):
    assert jax_traps["sparse_smoothing"] is False
    assert "SparseCategoricalCrossentropy has no label_smoothing" in spelling(
        "Keras 3", "LabelSmoothingCrossEntropyLoss", {"epsilon": 0.1}).trap
