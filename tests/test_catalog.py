"""The catalog describes every Gluon loss correctly, and the sweep helper reproduces the tutorial's curves."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import losscore as lc
from losscore.catalog import CATALOG, FAMILIES, by_family, make_loss
from losscore.sweep import prediction_grid, sweep

GLUON_LOSSES = {
    "L1Loss", "L2Loss", "HuberLoss", "SigmoidBinaryCrossEntropyLoss", "SoftmaxCrossEntropyLoss", "KLDivLoss",
    "CTCLoss", "HingeLoss", "SquaredHingeLoss", "LogisticLoss", "TripletLoss", "PoissonNLLLoss",
    "CosineEmbeddingLoss", "SDMLLoss",
}
#: Beyond Gluon (issue 21): divergences, contrastive and margin-softmax embeddings, segmentation overlaps.
DIST_EMB_SEG_LOSSES = {
    "ReverseKLDivLoss", "JensenShannonLoss", "InfoNCELoss", "CosFaceLoss", "ArcFaceLoss", "DiceLoss", "JaccardLoss",
    "TverskyLoss",
}


ROBUST_LOSSES = {
    "LogCoshLoss", "QuantileLoss", "PseudoHuberLoss", "TukeyBiweightLoss", "EpsilonInsensitiveLoss",
    "GeneralRobustLoss",
}


def test_catalog_has_every_gluon_loss_once():
    from losscore import catalog_gluon

    assert {s.name for s in (*catalog_gluon.SPECS, catalog_gluon.ctc_spec())} == GLUON_LOSSES <= set(CATALOG)
    assert ROBUST_LOSSES <= set(CATALOG)
    assert all(CATALOG[name].family == "regression" for name in ROBUST_LOSSES)
    assert DIST_EMB_SEG_LOSSES <= set(CATALOG)
    assert {n for n, s in CATALOG.items() if s.family == "segmentation"} == {"DiceLoss", "JaccardLoss", "TverskyLoss"}
    assert all(getattr(lc, name) is spec.cls for name, spec in CATALOG.items())
    for spec in CATALOG.values():
        for alias in spec.aliases:
            assert getattr(lc, alias) is spec.cls


def test_families_partition_the_catalog_in_order():
    names = [s.name for fam in FAMILIES for s in by_family(fam)]
    assert names == list(CATALOG)
    with pytest.raises(ValueError, match="family must be one of"):
        by_family("vision")


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_parameters_match_the_real_signatures(name):
    spec = CATALOG[name]
    init = inspect.signature(spec.cls.__init__).parameters
    forward = inspect.signature(spec.cls._forward).parameters
    for p in spec.params:
        where = init if p.where == "init" else forward
        assert p.name in where, f"{name}.{p.name} is not a {p.where} parameter"
        if p.where == "init":
            assert init[p.name].default == p.default or p.name == "weight", (name, p.name)
        if p.kind in ("float", "int"):
            assert p.low <= p.default <= p.high and p.step > 0
        if p.kind == "choice":
            assert p.default in p.choices
    loss = make_loss(name)
    assert isinstance(loss, spec.cls)


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_entry_is_documented(name):
    spec = CATALOG[name]
    assert spec.family in FAMILIES
    assert spec.formula and spec.summary and spec.label_convention and spec.title
    assert any(c.startswith("PyTorch") for c in spec.counterparts)
    assert spec.cls.__doc__ and ">>>" in spec.cls.__doc__  # formula, shapes and a runnable example


def test_make_loss_keeps_only_constructor_parameters():
    loss = make_loss("SigmoidBinaryCrossEntropyLoss", from_sigmoid=True, pos_weight=3.0, weight=2.0)
    assert loss.from_sigmoid is True and loss.weight == 2.0


@pytest.mark.parametrize("name", [n for n, s in CATALOG.items() if s.curve])
def test_sweep_matches_direct_evaluation(name):
    spec = CATALOG[name]
    loss = make_loss(name)
    grid = prediction_grid(0.05, 0.95, 101) if getattr(loss, "from_sigmoid", False) else prediction_grid()
    curve = sweep(loss, grid, spec.default_label)
    assert curve.values.shape == curve.grad.shape == grid.shape
    for k in (0, 333, 500, 1000):
        one = loss(grid[k:k + 1], [spec.default_label])  # a batch of one is the per-point value
        assert curve.values[k] == pytest.approx(float(one[0]), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", [n for n, s in CATALOG.items() if s.curve])
def test_label_shift_is_declared_exactly_where_the_curve_slides_with_the_label(name):
    """label_shift (the app slides such curves sideways in the browser when the label moves) holds for every
    parameter setting tried, and fails for every loss that does not declare it."""
    spec = CATALOG[name]
    lo, hi = spec.label_range
    x = prediction_grid(-10.0, 10.0, 2001)
    # epsilon-insensitive's gradient jumps at |d| = epsilon, where the rounding of a shifted grid picks the side
    eps = [p.default for p in spec.params if p.name == "epsilon" and spec.curve == "regression"]
    slides = True
    for params in ({}, {"rho": 0.3, "weight": 2.5}, {"rho": 4.0}):
        loss = make_loss(name, **{k: v for k, v in params.items() if k in {p.name for p in spec.params}})
        at_low = sweep(loss, x, lo)
        for label in (lo + 0.3 * (hi - lo), hi):
            moved = sweep(loss, x, label)
            shift = int(round((label - lo) / 0.01))  # grid points: the curve at this label is at_low moved right
            off = np.all([np.abs(np.abs(x[shift:] - label) - e) > 1e-9 for e in eps], axis=0) if eps else ...
            same = (np.allclose(moved.values[shift:], at_low.values[:x.size - shift], rtol=1e-9, atol=1e-9)
                    and np.allclose(moved.grad[shift:][off], at_low.grad[:x.size - shift][off], rtol=1e-9,
                                    atol=1e-9))
            slides &= bool(same)
    assert slides == spec.label_shift


@pytest.mark.parametrize("name", [n for n, s in CATALOG.items() if s.curve])
def test_label_linear_is_declared_exactly_where_two_curves_give_every_label(name):
    """label_linear (the app mixes the curves at labels 0 and 1 in the browser when the label moves) holds for
    every setting tried, except PoissonNLL's compute_full, and fails for every loss that does not declare it."""
    spec = CATALOG[name]
    lo, hi = spec.label_range
    settings = [{}, {"from_sigmoid": True, "pos_weight": 2.5}, {"from_logits": False}, {"compute_full": True}]
    linear = []
    for params in settings:
        known = {k: v for k, v in params.items() if k in {p.name for p in spec.params}}
        if params and not known:
            continue
        loss = make_loss(name, **{k: v for k, v in known.items() if spec.param(k).where == "init"})
        fwd = {k: v for k, v in known.items() if spec.param(k).where == "forward"}
        positive = known.get("from_sigmoid") or known.get("from_logits") is False  # probabilities or rates
        grid = prediction_grid(0.05, 0.95, 91) if positive else prediction_grid(-5.0, 5.0, 201)
        at0, at1 = sweep(loss, grid, 0.0, **fwd), sweep(loss, grid, 1.0, **fwd)
        ok = True
        for z in (lo + 0.3 * (hi - lo), hi):
            at = sweep(loss, grid, z, **fwd)
            ok &= bool(np.allclose(at.values, (1 - z) * at0.values + z * at1.values, rtol=1e-9, atol=1e-9)
                       and np.allclose(at.grad, (1 - z) * at0.grad + z * at1.grad, rtol=1e-9, atol=1e-9))
        linear.append((known.get("compute_full", False), ok))
    if spec.label_linear:
        assert all(ok for full, ok in linear if not full) and not any(ok for full, ok in linear if full)
    else:
        assert not any(ok for _, ok in linear)


@pytest.mark.parametrize("name", [n for n, s in CATALOG.items() if s.positive_scale])
@pytest.mark.parametrize("from_sigmoid", [False, True])
def test_positive_scale_multiplies_the_label_one_part(name, from_sigmoid):
    spec = CATALOG[name]
    assert spec.label_linear and spec.param(spec.positive_scale).where == "forward"
    loss = make_loss(name, from_sigmoid=from_sigmoid)
    grid = prediction_grid(0.05, 0.95, 91) if from_sigmoid else prediction_grid(-5.0, 5.0, 201)
    at0, at1 = sweep(loss, grid, 0.0), sweep(loss, grid, 1.0, **{spec.positive_scale: 1.0})
    for z, p in ((0.3, 2.5), (1.0, 0.1), (0.0, 7.0), (0.85, 10.0)):
        at = sweep(loss, grid, z, **{spec.positive_scale: p})
        np.testing.assert_allclose(at.values, (1 - z) * at0.values + z * p * at1.values, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(at.grad, (1 - z) * at0.grad + z * p * at1.grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", [n for n, s in CATALOG.items() if s.curve])
def test_margin_shift_is_declared_exactly_where_the_margin_slides_the_curve(name):
    spec = CATALOG[name]
    margins = [p for p in spec.params if p.name == "margin"]
    x = prediction_grid(-10.0, 10.0, 2001)
    slides = bool(margins)
    for label in ((-1.0, 1.0) if slides else ()):
        at0 = sweep(make_loss(name, margin=0.0), x, label)
        for m in (0.5, 2.0):
            moved = sweep(make_loss(name, margin=m), x, label)
            k = int(round(m / 0.01))
            a, b = (slice(k, None), slice(None, -k)) if label > 0 else (slice(None, -k), slice(k, None))
            slides &= bool(np.allclose(moved.values[a], at0.values[b], atol=1e-9)
                           and np.allclose(moved.grad[a], at0.grad[b], atol=1e-9))
    assert slides == (spec.margin_shift == "margin")


@pytest.mark.parametrize("name", [n for n, s in CATALOG.items() if s.curve])
def test_sweep_gradient_is_the_slope_of_the_curve(name):
    spec = CATALOG[name]
    loss = make_loss(name, margin=1.0)
    x = prediction_grid(-4.0, 4.0, 8001)
    curve = sweep(loss, x, spec.default_label)
    slope = np.gradient(curve.values, x)
    smooth = np.ones_like(x, dtype=bool)
    eps = [p.default for p in spec.params if p.name == "epsilon" and spec.curve == "regression"]
    for kink in (-1.0, 0.0, 1.0, *eps, *(-e for e in eps)):  # L1 at 0, Huber at +-rho, hinges at the margin,
        # epsilon-insensitive at +-epsilon
        smooth &= np.abs(x - kink) > 0.01
    np.testing.assert_allclose(curve.grad[smooth], slope[smooth], rtol=1e-3, atol=1e-3)


def test_tutorial_regression_and_classification_curves():
    x = prediction_grid(-5, 5, 101)
    l1 = sweep(lc.L1Loss(), x, 0.0)
    np.testing.assert_allclose(l1.values, np.abs(x))
    l2 = sweep(lc.L2Loss(), x, 0.0)
    np.testing.assert_allclose(l2.values, 0.5 * x**2)
    logistic = sweep(lc.LogisticLoss(), x, 1.0)
    np.testing.assert_allclose(logistic.values, np.log1p(np.exp(-x)))
    hinge = sweep(lc.HingeLoss(), x, 1.0)
    np.testing.assert_allclose(hinge.values, np.maximum(0, 1 - x))
    assert hinge.at(0.0) == (1.0, -1.0)


def test_sweep_weights_and_forward_arguments():
    x = prediction_grid(-3, 3, 61)
    plain = sweep(lc.SigmoidBCELoss(), x, 1.0)
    weighted = sweep(lc.SigmoidBCELoss(), x, 1.0, pos_weight=3.0)
    np.testing.assert_allclose(weighted.values, 3 * plain.values)
    poisson = sweep(lc.PoissonNLLLoss(weight=2.0), x, 2.0, sample_weight=0.5)
    np.testing.assert_allclose(poisson.values, np.exp(x) - 2.0 * x)
    np.testing.assert_allclose(poisson.grad, np.exp(x) - 2.0)


def test_sweep_rejects_vector_losses_and_bad_grids():
    with pytest.raises(ValueError, match="no loss-vs-prediction curve"):
        sweep(lc.CosineEmbeddingLoss(), [0.0, 1.0], 1.0)
    with pytest.raises(ValueError, match="x must be a 1-D grid"):
        sweep(lc.L1Loss(), [[0.0, 1.0]], 1.0)
    with pytest.raises(TypeError, match="loss must be a losscore loss"):
        sweep("L1Loss", [0.0], 0.0)
    with pytest.raises(ValueError, match="start must be a number below stop"):
        prediction_grid(1, -1)


def test_every_loss_has_its_short_id_colour_and_dash():
    """The app's per-loss style lives in the catalog: every loss has every entry, and the old tables read it."""
    from lossapp import figures, training_figures
    from lossapp.sections import compare

    ids = [spec.short_id for spec in CATALOG.values()]
    assert len(set(ids)) == len(ids)
    for name, spec in CATALOG.items():
        assert spec.short_id.isidentifier() and spec.short_id.islower() and len(spec.short_id) <= 8, name
        assert spec.colour in figures.PALETTE, name  # colour-blind safe
        assert spec.dash in figures.DASHES, name
        assert spec.counterparts, name
    curves = {name for name, spec in CATALOG.items() if spec.curve}
    assert compare.SHORT_IDS == {name: CATALOG[name].short_id for name in curves}
    assert figures.LOSS_COLOURS == {name: CATALOG[name].colour for name in curves}
    assert training_figures.LOSS_DASHES == {name: spec.dash for name, spec in CATALOG.items()}
    # two curve losses that share a colour are told apart by their dash
    for a in curves:
        for b in curves - {a}:
            assert CATALOG[a].colour != CATALOG[b].colour or CATALOG[a].dash != CATALOG[b].dash, (a, b)
