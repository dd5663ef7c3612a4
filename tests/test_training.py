"""lossapp.training: the gradients are right, the fits behave as the theory says, and runs are reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from lossapp import training
from lossapp.training import (
    TRUE_INTERCEPT,
    TRUE_SLOPE,
    blob_data,
    classifier_losses,
    gradient_descent,
    mean_loss_and_grad,
    regression_data,
    regression_losses,
    run_classifier,
    run_classifiers,
    run_regression,
    run_regressions,
    step_at,
    total_loss,
    train_many,
)

REGRESSION = dict(n_outliers=8, outlier_size=15.0, noise=0.5, seed=0, lr=0.1, steps=300, rho=1.0)
CLASSIFIER = dict(separation=3.0, n_flipped=2, seed=0, lr=0.1, steps=300, margin=1.0)


def all_losses():
    return [*regression_losses(0.7).items(), *classifier_losses(1.3).items()]


# -- gradients --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, loss", all_losses(), ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chain_rule_gradient_equals_a_finite_difference_of_the_total_loss(name, loss, seed):
    rng = np.random.default_rng(100 + seed)
    if name in training.REGRESSION_LOSSES:
        data = regression_data(5, 12.0, 0.8, seed)
        design, y = data.design, data.y
    else:
        data = blob_data(2.0, 4, seed)
        design, y = data.design, data.y
    theta = rng.normal(0.0, 0.7, design.shape[1])
    n = len(y)
    _, grad_mean, g = mean_loss_and_grad(loss, design, y, theta)
    # what the lab uses: dL/dw = sum(g * x), dL/db = sum(g); it trains on the mean, i.e. that over N
    by_hand = np.array([*(g @ design[:, :-1]), g.sum()])
    np.testing.assert_allclose(grad_mean * n, by_hand, rtol=1e-12, atol=1e-12)
    h = 1e-6
    numeric = np.empty_like(theta)
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = h
        numeric[j] = (total_loss(loss, design, y, theta + e) - total_loss(loss, design, y, theta - e)) / (2 * h)
    np.testing.assert_allclose(by_hand, numeric, rtol=1e-5, atol=1e-5)
    assert np.abs(numeric).max() > 1e-3  # a real check, not zero against zero


def test_one_step_of_gradient_descent_moves_by_lr_times_the_gradient():
    data = regression_data(3, 10.0, 0.5, 4)
    loss = regression_losses(1.0)["L2Loss"]
    fit = gradient_descent("L2Loss", loss, data.design, data.y, 0.05, 1)
    _, grad, _ = mean_loss_and_grad(loss, data.design, data.y, np.zeros(2))
    np.testing.assert_array_equal(fit.params[0], [0.0, 0.0])
    np.testing.assert_allclose(fit.params[1], -0.05 * grad, rtol=1e-14)
    # for L2 from zero weights: the mean of -y and -y*x, exactly
    np.testing.assert_allclose(grad, [-np.mean(data.y * data.x), -np.mean(data.y)], rtol=1e-12)


# -- regression -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_without_outliers_every_loss_recovers_the_true_line(seed):
    run = run_regression(0, 15.0, 0.5, seed, 0.1, 300, 1.0)
    for name, fit in run.fits.items():
        slope, intercept = fit.final
        assert abs(slope - TRUE_SLOPE) < 0.15, name
        assert abs(intercept - TRUE_INTERCEPT) < 0.15, name
    # noiseless: L2 and Huber land on the line itself; L1's constant-size steps leave a small wobble
    clean = run_regression(0, 15.0, 0.0, seed, 0.1, 300, 1.0)
    for name in ("L2Loss", "HuberLoss"):
        np.testing.assert_allclose(clean.fits[name].final, [TRUE_SLOPE, TRUE_INTERCEPT], atol=1e-3)
    np.testing.assert_allclose(clean.fits["L1Loss"].final, [TRUE_SLOPE, TRUE_INTERCEPT], atol=0.1)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("n_outliers, size", [(8, 15.0), (5, 20.0), (10, 10.0)])
def test_outliers_drag_l2_but_not_huber_or_l1(seed, n_outliers, size):
    run = run_regression(n_outliers, size, 0.5, seed, 0.1, 300, 1.0)
    err = {name: abs(fit.final[0] - TRUE_SLOPE) for name, fit in run.fits.items()}
    assert err["L2Loss"] > 0.8  # the line is visibly tilted
    assert err["L2Loss"] > 3 * err["HuberLoss"]
    assert err["L2Loss"] > 3 * err["L1Loss"]
    assert err["HuberLoss"] < 0.25 and err["L1Loss"] < 0.25
    # and the intercept: L2's line is pulled down, Huber's stays close
    assert run.fits["L2Loss"].final[1] < TRUE_INTERCEPT - 0.8
    assert abs(run.fits["HuberLoss"].final[1] - TRUE_INTERCEPT) < 0.25


def test_l2_matches_least_squares_and_bigger_outliers_pull_it_further():
    run = run_regression(8, 15.0, 0.5, 0, 0.2, 500, 1.0)
    exact, *_ = np.linalg.lstsq(run.data.design, run.data.y, rcond=None)
    np.testing.assert_allclose(run.fits["L2Loss"].final, exact, atol=1e-6)
    errors = [abs(run_regression(8, s, 0.5, 0, 0.1, 300, 1.0).fits["L2Loss"].final[0] - TRUE_SLOPE)
              for s in (0.0, 5.0, 10.0, 20.0)]
    assert errors == sorted(errors) and errors[-1] > 10 * errors[0]


def test_a_huge_rho_turns_huber_into_l2():
    run = run_regression(8, 15.0, 0.5, 0, 0.1, 300, 5.0)
    small = run_regression(8, 15.0, 0.5, 0, 0.1, 300, 0.5)
    err = {r: abs(x.fits["HuberLoss"].final[0] - TRUE_SLOPE) for r, x in (("big", run), ("small", small))}
    assert err["big"] > 3 * err["small"]  # with rho = 5 a residual of 15 is already "only" 3 rhos away


@pytest.mark.parametrize("name", training.REGRESSION_LOSSES)
def test_regression_training_loss_decreases(name):
    fit = run_regression(**REGRESSION).fits[name]
    assert fit.loss[-1] < 0.9 * fit.loss[0]  # (the outliers keep L2's optimum high: 11.3 -> 9.9)
    assert fit.loss[-1] <= fit.loss.min() + 0.02 * fit.loss[0]  # the end is (about) the best point
    # every step goes down until the loss is within 1% of where it ends (L1 then chatters around its minimum)
    settled = int(np.argmax(fit.loss <= 1.01 * fit.loss[-1]))
    assert settled >= 1 and np.all(np.diff(fit.loss[: settled + 1]) < 0)
    assert np.ptp(fit.loss[settled:]) < 0.02 * fit.loss[0]
    if name == "L2Loss":
        assert np.all(np.diff(fit.loss) <= 1e-12)  # a smooth quadratic with a small step: strictly monotone


def test_outliers_keep_their_places_when_the_count_changes():
    few, many = regression_data(3, 15.0, 0.5, 7), regression_data(6, 15.0, 0.5, 7)
    np.testing.assert_array_equal(many.x[: len(few.x)], few.x)
    np.testing.assert_array_equal(many.y[: len(few.y)], few.y)
    assert few.n_outliers == 3 and many.n_outliers == 6
    offsets = TRUE_SLOPE * many.x + TRUE_INTERCEPT - many.y
    assert np.all(offsets[many.outlier] > 15.0 - 4 * 0.5)
    assert np.all(np.abs(offsets[~many.outlier]) < 4 * 0.5)
    assert np.all((many.x[many.outlier] >= 2.0) & (many.x[many.outlier] <= 3.0))


# -- classifier -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_separable_blobs_are_separated_by_every_loss(seed):
    run = run_classifier(8.0, 0, seed, 0.1, 300, 1.0)
    proj = run.data.points @ np.array(training.BLOB_DIRECTION)
    y = run.data.y
    assert proj[y > 0].min() > proj[y < 0].max()  # the data really are separable
    for name in training.CLASSIFIER_LOSSES:
        assert run.accuracy(name) == 1.0, name
        scores = run.scores(name)
        assert np.all(np.sign(scores) == y), name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hinge_reaches_zero_on_separated_data_and_logistic_does_not(seed):
    run = run_classifier(8.0, 0, seed, 0.1, 300, 1.0)
    hinge, logistic = run.fits["HingeLoss"], run.fits["LogisticLoss"]
    assert hinge.final_loss == 0.0
    assert run.pushing("HingeLoss") == 0  # nothing left to push: training has stopped
    stopped = int(np.argmax(hinge.loss == 0.0))
    assert np.all(hinge.params[stopped:] == hinge.params[stopped])  # the weights freeze once the loss is 0
    assert np.all(run.data.y * run.scores("HingeLoss") >= 1.0)  # every point is beyond the margin
    assert logistic.final_loss > 0.0
    assert run.pushing("LogisticLoss") == len(run.data.y)  # every point still pulls
    assert np.all(np.diff(logistic.loss) < 0)  # and it keeps improving, a little, at every step


def test_hinge_only_pushes_points_inside_the_margin():
    run = run_classifier(**CLASSIFIER)
    for name in ("HingeLoss", "SquaredHingeLoss"):
        m = run.data.y * run.scores(name)
        assert run.pushing(name) == int(np.sum(m < run.margin)), name
        for step in (0, 40, 150):
            m = run.data.y * run.scores(name, step)
            assert run.pushing(name, step) == int(np.sum(m < run.margin))
    assert run.pushing("HingeLoss", 0) == len(run.data.y)  # from w = 0 every point is at score 0 < margin


def test_squared_hinge_punishes_violators_quadratically():
    data = blob_data(3.0, 2, 0)
    theta = np.array([0.3, 0.2, -0.1])
    margins = data.y * (data.design @ theta)
    for name, expected in (("HingeLoss", np.maximum(0, 1 - margins)), ("SquaredHingeLoss",
                                                                        np.maximum(0, 1 - margins) ** 2)):
        loss = classifier_losses(1.0)[name]
        np.testing.assert_allclose(loss(data.design @ theta, data.y), expected, rtol=1e-12)


@pytest.mark.parametrize("name", training.CLASSIFIER_LOSSES)
def test_classifier_training_loss_decreases(name):
    fit = run_classifier(**CLASSIFIER).fits[name]
    assert not fit.diverged
    assert fit.loss[-1] < 0.5 * fit.loss[0]
    assert fit.loss[-1] <= fit.loss.min() + 1e-9


def test_flipped_labels_are_counted_and_lower_the_accuracy():
    clean = run_classifier(8.0, 0, 0, 0.1, 300, 1.0)
    dirty = run_classifier(8.0, 6, 0, 0.1, 300, 1.0)
    np.testing.assert_array_equal(clean.data.points, dirty.data.points)
    assert int(dirty.data.flipped.sum()) == 6 and int((dirty.data.y != dirty.data.y_true).sum()) == 6
    for name in training.CLASSIFIER_LOSSES:
        assert dirty.accuracy(name) <= 1 - 6 / 100 + 1e-12  # a line cannot fit the six wrong labels


def test_a_too_large_learning_rate_is_reported_as_diverged():
    run = run_classifier(0.0, 0, 0, 1.0, 500, 3.0)
    fit = run.fits["SquaredHingeLoss"]
    assert fit.diverged and fit.steps < 500
    assert np.all(np.isfinite(fit.params)) and np.all(np.isfinite(fit.loss))
    assert not run.fits["LogisticLoss"].diverged and run.fits["LogisticLoss"].steps == 500


# -- reproducibility, history and speed ------------------------------------------------------------------------
def test_same_seed_same_results_and_a_new_seed_new_data():
    a, b = run_regression(**REGRESSION), run_regression(**REGRESSION)
    for name in a.fits:
        np.testing.assert_array_equal(a.fits[name].params, b.fits[name].params)
        np.testing.assert_array_equal(a.fits[name].loss, b.fits[name].loss)
    c, d = run_classifier(**CLASSIFIER), run_classifier(**CLASSIFIER)
    np.testing.assert_array_equal(c.data.points, d.data.points)
    for name in c.fits:
        np.testing.assert_array_equal(c.fits[name].params, d.fits[name].params)
    other = run_regression(**{**REGRESSION, "seed": 1})
    assert not np.array_equal(other.data.x, a.data.x)
    assert not np.array_equal(other.fits["L2Loss"].final, a.fits["L2Loss"].final)


def test_history_has_one_row_per_step_and_matches_the_loss():
    run = run_regression(**REGRESSION)
    for name, fit in run.fits.items():
        assert fit.params.shape == (301, 2) and fit.loss.shape == (301,)
        np.testing.assert_array_equal(fit.params[0], [0.0, 0.0])
        for step in (0, 17, 300):
            mean = total_loss(regression_losses(1.0)[name], run.data.design, run.data.y, fit.at(step)) / 68
            assert fit.loss_at(step) == pytest.approx(mean, rel=1e-12)
        np.testing.assert_array_equal(fit.at(10_000), fit.final)


def test_step_at_maps_progress_to_steps():
    assert [step_at(p, 200) for p in (0, 25, 50, 100, 150, -5)] == [0, 50, 100, 200, 200, 0]


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError, match="n_outliers"):
        regression_data(training.MAX_OUTLIERS + 1, 1.0, 0.1, 0)
    with pytest.raises(ValueError, match="n_flipped"):
        blob_data(1.0, 1000, 0)
    with pytest.raises(ValueError, match="learning rate"):
        run_regression(**{**REGRESSION, "lr": 0.0})


# -- many runs at once (the settings sliders' neighbours) ----------------------------------------------------------
def _assert_same_fit(batched, alone, label: str) -> None:
    assert batched.steps == alone.steps and batched.diverged == alone.diverged, label
    np.testing.assert_allclose(batched.params, alone.params, rtol=1e-11, atol=1e-12, err_msg=label)
    np.testing.assert_allclose(batched.loss, alone.loss, rtol=1e-11, atol=1e-12, err_msg=label)
    np.testing.assert_allclose(batched.grad, alone.grad, rtol=1e-11, atol=1e-12, err_msg=label)


def test_runs_trained_together_equal_the_runs_trained_alone():
    """Different data sizes (outlier counts, padded), seeds, learning rates, step counts and rho: each batched
    run is the plain gradient descent with losscore's loss at its own rho (the batch evaluates HuberLoss at
    rho = 1 on rescaled residuals)."""
    settings = [(8, 15.0, 0.5, 0, 0.1, 300, 1.0), (0, 15.0, 0.5, 0, 0.1, 300, 1.0), (30, 3.0, 1.5, 7, 0.25, 120, 0.3),
                (12, 20.0, 0.0, 3, 0.05, 0, 4.5), (5, 9.5, 2.0, 11, 0.3, 500, 2.0)]
    for s, run in zip(settings, run_regressions(settings), strict=True):
        data = regression_data(*s[:4])
        np.testing.assert_array_equal(run.data.x, data.x)
        for name, loss in regression_losses(s[6]).items():
            _assert_same_fit(run.fits[name], gradient_descent(name, loss, data.design, data.y, s[4], s[5]),
                             f"{s} {name}")


def test_classifier_runs_trained_together_equal_the_runs_trained_alone_even_when_one_diverges():
    """Margins differ (the hinges are rescaled), and the first run blows up early (its SquaredHingeLoss): it stops
    there, with its history cut, while the others train on to their own step counts."""
    settings = [(0.0, 0, 0, 1.0, 500, 3.0), (3.0, 2, 0, 0.1, 300, 1.0), (6.0, 20, 4, 0.6, 80, 0.25),
                (1.0, 5, 9, 0.02, 450, 2.05)]
    runs = run_classifiers(settings)
    assert runs[0].fits["SquaredHingeLoss"].diverged and runs[0].fits["SquaredHingeLoss"].steps < 500
    for s, run in zip(settings, runs, strict=True):
        data = blob_data(*s[:3])
        for name, loss in classifier_losses(s[5]).items():
            _assert_same_fit(run.fits[name], gradient_descent(name, loss, data.design, data.y, s[3], s[4]),
                             f"{s} {name}")


def test_a_batch_of_one_is_the_plain_run_and_a_margin_of_zero_still_trains():
    alone = run_regression(**REGRESSION)
    batched = train_many("HuberLoss", alone.data.design[None], alone.data.y[None], np.array([0.1]),
                         np.array([300]), np.array([1.0]))[0]
    _assert_same_fit(batched, alone.fits["HuberLoss"], "HuberLoss")
    # a margin of 0 cannot be rescaled: those runs get the loss at their own margin
    data = blob_data(3.0, 2, 0)
    design, y = np.stack([data.design] * 2), np.stack([data.y] * 2)
    fits = train_many("HingeLoss", design, y, np.array([0.1, 0.1]), np.array([50, 50]), np.array([0.0, 1.0]))
    for fit, margin in zip(fits, (0.0, 1.0), strict=True):
        _assert_same_fit(fit, gradient_descent("HingeLoss", classifier_losses(margin)["HingeLoss"], data.design,
                                               data.y, 0.1, 50), f"margin {margin}")


def test_batched_training_rejects_bad_settings():
    with pytest.raises(ValueError, match="rho"):
        run_regressions([(8, 15.0, 0.5, 0, 0.1, 300, 1.0), (8, 15.0, 0.5, 0, 0.1, 300, -1.0)])
    with pytest.raises(ValueError, match="learning rate"):
        run_classifiers([(3.0, 2, 0, 0.1, 300, 1.0), (3.0, 2, 0, 0.0, 300, 1.0)])
    with pytest.raises(ValueError, match="steps"):
        train_many("L2Loss", np.zeros((1, 3, 2)), np.zeros((1, 3)), np.array([0.1]), np.array([-1]))
