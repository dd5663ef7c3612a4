"""The Training lab page (AppTest) and its figure builders: every control moves the numbers it should, and
the charts plot exactly what lossapp.training computed."""

from __future__ import annotations

import base64
import statistics
import time

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from apptest_charts import chart, charts, frame_patches, payload, set_control
from streamlit.testing.v1 import AppTest

from lossapp import training_figures as tfig
from lossapp.live_chart import COMPONENT_NAME
from lossapp.training import (
    BLOB_CENTRE,
    BLOB_DIRECTION,
    CLASSIFIER_LOSSES,
    REGRESSION_LOSSES,
    TRUE_INTERCEPT,
    TRUE_SLOPE,
    blob_data,
    run_classifier,
    run_regression,
    step_at,
)

PAGE = "../app_pages/9_Training_lab.py"

#: The page's controls, in the order of lossapp.training's run functions, with their defaults.
REG_KEYS = ("lab_out", "lab_outsz", "lab_noise", "lab_rseed", "lab_rlr", "lab_rsteps", "lab_rho")
REG_DEFAULTS = (8, 15.0, 0.5, 0, 0.1, 300, 1.0)
CLF_KEYS = ("lab_sep", "lab_flip", "lab_cseed", "lab_clr", "lab_csteps", "lab_margin")
CLF_DEFAULTS = (3.0, 2, 0, 0.1, 300, 1.0)
#: The same, in the order the page shows them (under the section's main chart, with live charts).
REG_SHOWN = [("lab_out", 8), ("lab_outsz", 15.0), ("lab_noise", 0.5), ("lab_rho", 1.0), ("lab_rlr", 0.1),
             ("lab_rsteps", 300), ("lab_rseed", 0)]
CLF_SHOWN = [("lab_sep", 3.0), ("lab_flip", 2), ("lab_margin", 1.0), ("lab_clr", 0.1), ("lab_csteps", 300),
             ("lab_cseed", 0)]
REG_TABLE, CLF_TABLE = 0, 1
REG_CHART, REG_CURVES, CLF_CHART, CLF_CURVES = 0, 1, 2, 3


def load(**query: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.query_params.update(query)
    return rerun(at)


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, index: int) -> pd.DataFrame:
    return at.dataframe[index].value


def traces(at: AppTest, index: int) -> list[dict]:
    return charts(at)[index].data


def decode(arr) -> np.ndarray:
    """A plotly JSON array: a plain list, or a base64 typed array {"dtype", "bdata"}."""
    if isinstance(arr, dict):
        return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=np.dtype(arr["dtype"]))
    return np.asarray(arr, dtype=float)


def role(data: list[dict], name: str) -> list[dict]:
    return [t for t in data if t.get("meta", {}).get("role") == name]


# -- what the page should show, computed here straight from lossapp.training --------------------------------------
def expected_regression(settings, progress=100) -> pd.DataFrame:
    run = run_regression(*settings)
    step = step_at(progress, run.steps)
    rows = []
    for name in REGRESSION_LOSSES:
        slope, intercept = run.fits[name].params[step]
        rows.append({"loss": name, "slope": slope, "intercept": intercept, "slope error": abs(slope - TRUE_SLOPE),
                     "intercept error": abs(intercept - TRUE_INTERCEPT), "mean loss": run.fits[name].loss[step]})
    return pd.DataFrame(rows)


def expected_classifier(settings, progress=100) -> pd.DataFrame:
    run = run_classifier(*settings)
    step = step_at(progress, run.steps)
    rows = []
    for name in CLASSIFIER_LOSSES:
        w1, w2, b = run.fits[name].params[step]
        scores = run.data.points @ np.array([w1, w2]) + b
        margins = run.data.y * scores
        pushing = len(margins) if name == "LogisticLoss" else int(np.sum(margins < run.margin))
        rows.append({"loss": name, "w₁": w1, "w₂": w2, "b": b, "accuracy": np.mean(np.sign(scores) == run.data.y),
                     "mean loss": run.fits[name].loss[step], "points still pushing": pushing})
    return pd.DataFrame(rows)


def assert_table(shown: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(shown.columns) == list(expected.columns)
    assert shown["loss"].tolist() == expected["loss"].tolist()
    for col in expected.columns[1:]:
        np.testing.assert_allclose(shown[col].to_numpy(dtype=float), expected[col].to_numpy(dtype=float),
                                   rtol=1e-12, atol=0, err_msg=col)


# -- defaults -------------------------------------------------------------------------------------------------------
def test_defaults_show_the_training_results_and_l2_is_dragged_by_the_outliers():
    at = load()
    assert at.title[0].value == "Training lab"
    reg, clf = table(at, REG_TABLE), table(at, CLF_TABLE)
    assert_table(reg, expected_regression(REG_DEFAULTS))
    assert_table(clf, expected_classifier(CLF_DEFAULTS))
    err = dict(zip(reg["loss"], reg["slope error"], strict=True))
    assert err["L2Loss"] > 1.0 and err["L2Loss"] > 3 * err["HuberLoss"] and err["L2Loss"] > 3 * err["L1Loss"]
    pushing = dict(zip(clf["loss"], clf["points still pushing"], strict=True))
    assert pushing["LogisticLoss"] == 100 and pushing["HingeLoss"] < 40  # hinge ignores the easy points
    assert len(charts(at)) == 4
    assert not at.warning


# -- every control ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key, value",
    [("lab_out", 0), ("lab_outsz", 5.0), ("lab_noise", 1.5), ("lab_rseed", 3), ("lab_rlr", 0.05),
     ("lab_rsteps", 100), ("lab_rho", 2.5)],
)
def test_each_regression_control_moves_the_regression_numbers(key, value):
    at = load()
    before_reg, before_clf = table(at, REG_TABLE), table(at, CLF_TABLE)
    set_control(at, key, value)
    rerun(at)
    settings = tuple(value if k == key else d for k, d in zip(REG_KEYS, REG_DEFAULTS, strict=True))
    after = table(at, REG_TABLE)
    assert_table(after, expected_regression(settings))
    changed = [name for name, a, b in zip(after["loss"], after["slope"], before_reg["slope"], strict=True) if a != b]
    if key == "lab_rho":
        assert changed == ["HuberLoss"]  # rho is Huber's alone: L1 and L2 did not move
    else:
        assert changed == list(REGRESSION_LOSSES)
    assert_table(table(at, CLF_TABLE), before_clf)  # the other experiment is untouched


@pytest.mark.parametrize(
    "key, value",
    [("lab_sep", 5.0), ("lab_flip", 6), ("lab_cseed", 4), ("lab_clr", 0.3), ("lab_csteps", 120),
     ("lab_margin", 2.0)],
)
def test_each_classifier_control_moves_the_classifier_numbers(key, value):
    at = load()
    before_reg, before_clf = table(at, REG_TABLE), table(at, CLF_TABLE)
    set_control(at, key, value)
    rerun(at)
    settings = tuple(value if k == key else d for k, d in zip(CLF_KEYS, CLF_DEFAULTS, strict=True))
    after = table(at, CLF_TABLE)
    assert_table(after, expected_classifier(settings))
    changed = [name for name, a, b in zip(after["loss"], after["w₁"], before_clf["w₁"], strict=True) if a != b]
    if key == "lab_margin":
        assert changed == ["HingeLoss", "SquaredHingeLoss"]  # LogisticLoss has no margin
    else:
        assert changed == list(CLASSIFIER_LOSSES)
    assert_table(table(at, REG_TABLE), before_reg)


@pytest.mark.parametrize("key, index, expected, defaults",
                         [("lab_rprog", REG_TABLE, expected_regression, REG_DEFAULTS),
                          ("lab_cprog", CLF_TABLE, expected_classifier, CLF_DEFAULTS)])
def test_progress_rewinds_to_an_earlier_step(key, index, expected, defaults):
    at = load()
    set_control(at, key, 50)
    rerun(at)
    assert_table(table(at, index), expected(defaults, progress=50))
    heading = "After 150 of 300 steps"
    assert any(heading in m.value for m in at.markdown)
    set_control(at, key, 0)
    rerun(at)
    start = table(at, index)
    value_cols = [c for c in start.columns if c not in ("loss", "accuracy", "points still pushing", "mean loss",
                                                        "slope error", "intercept error")]
    assert (start[value_cols].to_numpy() == 0).all()  # every run starts from zero weights


def test_the_url_sets_every_control():
    query = dict(zip(REG_KEYS, ("3", "9.5", "0.2", "11", "0.2", "150", "0.5"), strict=True))
    query |= dict(zip(CLF_KEYS, ("6", "0", "5", "0.2", "200", "1.5"), strict=True))
    at = load(**query, lab_rprog="40", lab_cprog="75")
    assert_table(table(at, REG_TABLE), expected_regression((3, 9.5, 0.2, 11, 0.2, 150, 0.5), progress=40))
    assert_table(table(at, CLF_TABLE), expected_classifier((6.0, 0, 5, 0.2, 200, 1.5), progress=75))


def test_separable_blobs_hinge_stops_logistic_keeps_pushing():
    at = load(lab_sep="8", lab_flip="0")
    clf = table(at, CLF_TABLE).set_index("loss")
    assert (clf["accuracy"] == 1.0).all()
    assert clf.loc["HingeLoss", "mean loss"] == 0.0 and clf.loc["HingeLoss", "points still pushing"] == 0
    assert clf.loc["LogisticLoss", "mean loss"] > 0.0 and clf.loc["LogisticLoss", "points still pushing"] == 100


def test_a_diverging_run_is_reported():
    at = load(lab_sep="0", lab_clr="1", lab_margin="3", lab_csteps="500")
    fit = run_classifier(0.0, 2, 0, 1.0, 500, 3.0).fits["SquaredHingeLoss"]
    assert fit.diverged and fit.steps < 500
    assert [w.value for w in at.warning] == [
        f"SquaredHingeLoss diverged: training stopped after {fit.steps} steps. Lower the learning rate."
    ]


# -- controls and text --------------------------------------------------------------------------------------------
def test_every_control_has_a_label_help_and_a_short_lab_key():
    at = load()
    widgets = list(at.slider)
    browser_side = [s for c in charts(at) for s in c.controls]  # "show training at" of the regression section
    assert len(widgets) + len(browser_side) == 15
    keys = [w.key for w in widgets] + [s["id"] for s in browser_side]
    assert len(set(keys)) == len(keys)
    assert all(k.startswith("lab_") and len(k) <= 16 for k in keys), keys
    for w in widgets:
        assert w.label and w.help, w.key
    for s in browser_side:
        assert s["label"] and s["help"], s["id"]


def test_presentation_mode_folds_the_long_text_but_keeps_charts_and_numbers():
    normal = load()
    steps = [load(present="1"), load(present="1", step="training-classifier")]  # one screen per section

    def long_text(at):  # long markdown outside the side notes' expanders
        folded = {m.value for e in at.expander for m in e.markdown}
        return [m.value for m in at.markdown
                if len(m.value) > 200 and not m.value.startswith("<style>") and m.value not in folded]

    assert len(long_text(normal)) == 5 and all(long_text(at) == [] for at in steps)
    assert all(e.label == "Notes" for at in steps for e in at.expander) and steps[0].expander
    assert [len(charts(at)) for at in steps] == [2, 2]
    assert_table(table(steps[0], REG_TABLE), table(normal, REG_TABLE))


def test_every_chart_is_described_with_its_numbers():
    at = load()
    shown = charts(at)
    captions = [c.value for c in at.caption]
    for shown_chart in shown:
        assert shown_chart.alt and shown_chart.alt in captions
    run = run_regression(*REG_DEFAULTS)
    scatter = shown[REG_CHART].alt
    assert "68 training points" in scatter and "8 of them outliers" in scatter
    for name, fit in run.fits.items():
        assert f"{name} y = {tfig._g(fit.final[0])}x" in scatter
    clf = run_classifier(*CLF_DEFAULTS)
    panels = shown[CLF_CHART].alt
    for name in CLASSIFIER_LOSSES:
        assert f"{name}: boundary {tfig._g(clf.fits[name].final[0])}·x₁" in panels
        assert f"training accuracy {clf.accuracy(name):.0%}" in panels
    assert f"LogisticLoss from 0.693 to {tfig._g(clf.fits['LogisticLoss'].final_loss)}" in shown[CLF_CURVES].alt


# -- the charts plot the training results ------------------------------------------------------------------------
def test_page_charts_plot_the_training_results():
    at = load(lab_rprog="30", lab_out="12")
    settings = (12, *REG_DEFAULTS[1:])
    run = run_regression(*settings)
    step = step_at(30, 300)
    data = traces(at, REG_CHART)
    fits = {t["meta"]["loss"]: t for t in role(data, "fit")}
    assert list(fits) == list(REGRESSION_LOSSES)
    for name, trace in fits.items():
        slope, intercept = run.fits[name].params[step]
        x, y = decode(trace["x"]), decode(trace["y"])
        np.testing.assert_allclose(y, slope * x + intercept, rtol=1e-12, atol=1e-12)
    (points,) = role(data, "points")
    (outliers,) = role(data, "outliers")
    np.testing.assert_array_equal(decode(outliers["x"]), run.data.x[run.data.outlier])
    np.testing.assert_array_equal(decode(points["y"]), run.data.y[~run.data.outlier])
    assert len(decode(outliers["x"])) == 12
    curves = {t["meta"]["loss"]: t for t in role(traces(at, REG_CURVES), "curve")}
    for name, trace in curves.items():
        np.testing.assert_allclose(decode(trace["y"]), tfig.relative_loss(run.fits[name].loss), rtol=1e-12)
    now = {t["meta"]["loss"]: t for t in role(traces(at, REG_CURVES), "now")}
    for name, trace in now.items():
        assert decode(trace["x"]).tolist() == [step]
        np.testing.assert_allclose(decode(trace["y"]), [tfig.relative_loss(run.fits[name].loss)[step]], rtol=1e-12)

    clf = run_classifier(*CLF_DEFAULTS)
    data = traces(at, CLF_CHART)
    for t in role(data, "boundary") + role(data, "margin"):
        w1, w2, b = clf.fits[t["meta"]["loss"]].final
        x, y = decode(t["x"]), decode(t["y"])
        np.testing.assert_allclose(w1 * x + w2 * y + b, t["meta"]["level"], atol=1e-9)
    levels = sorted((t["meta"]["loss"], t["meta"]["level"]) for t in role(data, "boundary") + role(data, "margin"))
    assert levels == sorted([("LogisticLoss", 0.0), ("HingeLoss", 0.0), ("HingeLoss", 1.0), ("HingeLoss", -1.0),
                             ("SquaredHingeLoss", 0.0), ("SquaredHingeLoss", 1.0), ("SquaredHingeLoss", -1.0)])
    flipped = role(data, "flipped")
    assert len(flipped) == 3 and all(len(decode(t["x"])) == 2 and t.get("visible", True) is True for t in flipped)
    for t in role(data, "points"):
        mine = clf.data.y == t["meta"]["label"]
        np.testing.assert_array_equal(decode(t["x"]), clf.data.points[mine, 0])


# -- the builders on their own --------------------------------------------------------------------------------------
def test_regression_figure_lines_match_the_fits_at_any_step():
    run = run_regression(5, 12.0, 0.3, 2, 0.1, 200, 0.8)
    for step in (0, 13, 200, 999):
        fig = tfig.regression_figure(run, step)
        go.Figure(fig.to_dict())  # valid plotly, although built without validation
        for t in fig.data:
            if t.meta and t.meta["role"] == "fit":
                slope, intercept = run.fits[t.meta["loss"]].at(step)
                assert (t.meta["slope"], t.meta["intercept"]) == (slope, intercept)
                np.testing.assert_allclose(np.asarray(t.y), slope * np.asarray(t.x) + intercept, rtol=1e-12)
        true = next(t for t in fig.data if t.meta["role"] == "true")
        np.testing.assert_allclose(np.asarray(true.y), TRUE_SLOPE * np.asarray(true.x) + TRUE_INTERCEPT)


def test_classifier_figure_has_one_panel_per_loss_and_margins_only_for_hinges():
    run = run_classifier(2.0, 4, 3, 0.2, 150, 0.7)
    fig = tfig.classifier_figure(run, 80)
    go.Figure(fig.to_dict())
    panels = {}
    for t in fig.data:
        if t.meta["role"] in ("boundary", "margin"):
            panels.setdefault(t.meta["loss"], set()).add((t.xaxis, t.meta["level"]))
            w1, w2, b = run.fits[t.meta["loss"]].at(80)
            np.testing.assert_allclose(w1 * np.asarray(t.x) + w2 * np.asarray(t.y) + b, t.meta["level"], atol=1e-9)
    assert panels == {"LogisticLoss": {("x", 0.0)}, "HingeLoss": {("x2", 0.0), ("x2", 0.7), ("x2", -0.7)},
                      "SquaredHingeLoss": {("x3", 0.0), ("x3", 0.7), ("x3", -0.7)}}
    titles = [(t.xaxis, t.text[0]) for t in fig.data if t.meta["role"] == "title"]
    assert titles == [(x, f"<b>{n.removesuffix('Loss')}</b><br>accuracy {run.accuracy(n, 80):.0%}")
                      for x, n in zip(("x", "x2", "x3"), CLASSIFIER_LOSSES, strict=True)]
    # every panel has the fixed ranges of panel_box, its title over the middle of its top
    x0, x1, y0, y1 = fig.layout.xaxis.range + fig.layout.yaxis.range
    assert (x0, x1, y0, y1) == tfig.panel_box(run.data)
    assert all(t.x[0] == (x0 + x1) / 2 and t.y[0] == y1 for t in fig.data if t.meta["role"] == "title")


@pytest.mark.parametrize(("separation", "seed"), [(0.0, 0), (2.0, 3), (3.0, 7), (8.0, 11)])
def test_panel_box_holds_the_points_and_both_blobs_in_whole_numbers_and_no_more(separation, seed):
    """Whole-number ranges that take in every point with 0.5 around it and BLOB_REACH around both blob centres,
    and would lose one of them if any side moved in by 1."""
    data = blob_data(separation, 2, seed)
    x0, x1, y0, y1 = tfig.panel_box(data)
    assert all(float(v).is_integer() for v in (x0, x1, y0, y1))
    offset = np.array(BLOB_DIRECTION) * separation / 2
    centres = np.array([np.add(BLOB_CENTRE, offset), np.subtract(BLOB_CENTRE, offset)])
    need_lo = np.minimum(data.points.min(axis=0) - 0.5, centres.min(axis=0) - tfig.BLOB_REACH)
    need_hi = np.maximum(data.points.max(axis=0) + 0.5, centres.max(axis=0) + tfig.BLOB_REACH)
    assert x0 <= need_lo[0] < x0 + 1 and x1 - 1 < need_hi[0] <= x1
    assert y0 <= need_lo[1] < y0 + 1 and y1 - 1 < need_hi[1] <= y1


def test_panel_box_stays_put_over_most_seed_steps():
    """What the box is for: a new seed mostly keeps the panels' ranges (then a step only moves traces)."""
    boxes = [tfig.panel_box(blob_data(3.0, 2, seed)) for seed in range(100)]
    kept = sum(a == b for a, b in zip(boxes[:-1], boxes[1:], strict=True))
    assert kept >= 80, kept  # 84 of 99; with the points' own extent, 8


def test_loss_curves_figure_plots_each_history_and_marks_the_step():
    run = run_classifier(3.0, 2, 0, 0.1, 100, 1.0)
    fig = tfig.loss_curves_figure(run.fits, 40, present=True)
    go.Figure(fig.to_dict())
    curves = [t for t in fig.data if t.meta["role"] == "curve"]
    assert [t.meta["loss"] for t in curves] == list(CLASSIFIER_LOSSES)
    for t in curves:  # each as a fraction of its start: the losses' raw scales are not comparable
        loss = run.fits[t.meta["loss"]].loss
        np.testing.assert_allclose(np.asarray(t.y), loss / loss[0], rtol=1e-12)
        np.testing.assert_array_equal(np.asarray(t.x), np.arange(101))
    marks = [t for t in fig.data if t.meta["role"] == "now"]
    assert [(t.x[0], t.y[0]) for t in marks] == [(40, tfig.relative_loss(run.fits[n].loss)[40])
                                                 for n in CLASSIFIER_LOSSES]
    # the step line spans the fixed y range, which holds every curve; the x range every step
    step_line = next(t for t in fig.data if t.meta["role"] == "step")
    y0, y1 = fig.layout.yaxis.range
    assert list(step_line.x) == [40, 40] and list(step_line.y) == [y0, y1]
    losses = np.concatenate([tfig.relative_loss(f.loss) for f in run.fits.values()])
    assert y0 < losses.min() and losses.max() < y1
    x0, x1 = fig.layout.xaxis.range
    assert x0 < 0 and 100 < x1 < 105
    assert fig.layout.xaxis.autorange is False and fig.layout.yaxis.autorange is False


def test_the_loss_curves_on_a_log_axis_have_their_range_in_decades():
    run = run_regression(8, 15.0, 0.5, 0, 0.1, 300, 1.0)
    fig = tfig.loss_curves_figure(run.fits, 300, log_y=True)
    y0, y1 = fig.layout.yaxis.range
    losses = np.concatenate([tfig.relative_loss(f.loss) for f in run.fits.values()])
    assert 10 ** y0 < losses.min() and losses.max() < 10 ** y1 and y1 - y0 < np.log10(losses.max() / losses.min()) + 2
    step_line = next(t for t in fig.data if t.meta["role"] == "step")
    np.testing.assert_allclose(step_line.y, [10 ** y0, 10 ** y1])


def test_the_regression_chart_has_a_fixed_range_over_the_points_and_the_true_line():
    run = run_regression(8, 15.0, 0.5, 0, 0.1, 300, 1.0)
    fig = tfig.regression_figure(run, 300)
    y0, y1 = fig.layout.yaxis.range
    assert y0 <= run.data.y.min() and run.data.y.max() <= y1 and (y0 / 5).is_integer() and (y1 / 5).is_integer()
    assert fig.layout.xaxis.range == (-3.2, 3.2)


@pytest.mark.parametrize(("values", "log", "expected"), [
    ([np.array([-13.2, 9.1])], False, [-15.0, 10.0]),
    ([np.array([0.31, 0.42])], False, [0.3, 0.45]),
    ([np.array([2.0, 2.0])], False, [1.5, 2.5]),
    ([np.array([0.02, 3.0, np.inf, np.nan])], True, [-2.0, 1.0]),
    ([np.array([np.nan])], False, [-1.0, 1.0]),
])
def test_snapped_range_covers_the_values_on_a_round_grid(values, log, expected):
    assert tfig.snapped_range(values, log=log) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(5))
def test_line_in_box_returns_the_chord_of_the_box(seed):
    rng = np.random.default_rng(seed)
    box = (-2.0, 3.0, -1.0, 4.0)
    for _ in range(50):
        w, c = rng.normal(size=2), rng.normal() * 2
        seg = tfig.line_in_box(w, c, box)
        # does the line meet the box? compare the signs of w·p - c at the four corners
        corners = np.array([[box[0], box[2]], [box[0], box[3]], [box[1], box[2]], [box[1], box[3]]])
        side = corners @ w - c
        if side.min() > 0 or side.max() < 0:
            assert seg is None
            continue
        xs, ys = seg
        np.testing.assert_allclose(w[0] * xs + w[1] * ys, c, atol=1e-9)
        assert np.all((xs >= box[0] - 1e-9) & (xs <= box[1] + 1e-9) & (ys >= box[2] - 1e-9) & (ys <= box[3] + 1e-9))
        on_edge = np.isclose(xs, box[0]) | np.isclose(xs, box[1]) | np.isclose(ys, box[2]) | np.isclose(ys, box[3])
        assert on_edge.all()
    assert tfig.line_in_box((0.0, 0.0), 1.0, box) is None


def test_lines_in_box_gives_each_line_its_own_chord():
    """Many lines at once (as the "show training at" frames need them), axis-parallel and degenerate ones
    among them: row k is line k's chord, with NaN and ok False where a line misses the box."""
    rng = np.random.default_rng(7)
    box = (-2.0, 3.0, -1.0, 4.0)
    w = np.concatenate([rng.normal(size=(200, 2)), [[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [1.0, 0.0]]])
    c = np.concatenate([rng.normal(size=200) * 3, [1.0, 2.5, 2.0, 9.0]])
    xs, ys, ok = tfig.lines_in_box(w, c, box)
    assert xs.shape == ys.shape == (204, 2) and ok.shape == (204,)
    corners = np.array([[box[0], box[2]], [box[0], box[3]], [box[1], box[2]], [box[1], box[3]]])
    for k in range(len(c)):
        side = corners @ w[k] - c[k]
        meets = bool(w[k].any()) and side.min() <= 0 <= side.max()
        assert ok[k] == meets, k
        if not meets:
            assert np.isnan(xs[k]).all() and np.isnan(ys[k]).all()
            continue
        np.testing.assert_allclose(w[k, 0] * xs[k] + w[k, 1] * ys[k], c[k], atol=1e-9)
        assert np.hypot(*(xs[k, 1] - xs[k, 0], ys[k, 1] - ys[k, 0])) > 0
    assert ok[-3] and sorted(xs[-3]) == [2.5, 2.5] and sorted(ys[-3]) == [-1.0, 4.0]  # the vertical x = 2.5
    assert not ok[-1]  # x = 9 is right of the box


def test_a_rerun_is_quick_once_the_runs_are_cached():
    at = load()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        rerun(at)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"\n9_Training_lab.py: AppTest script run median {median * 1000:.1f} ms")
    assert median < 1.0  # generous, as for the other pages; about 35 ms on a laptop


def test_show_training_at_moves_both_regression_charts_in_the_browser():
    """With live charts the regression section's "show training at" slider is browser-side: the scatter carries
    the fitted lines for every value (the same lines the server draws at that step) and the loss-curve chart
    follows it."""
    at = load(lab_rprog="100")
    scatter, curves = chart(at, "lab_reg_chart"), chart(at, "lab_rcurve_chart")
    controls = [(s["id"], s["role"], s["value"]) for s in scatter.controls]
    assert controls == [(k, "frame", float(v)) for k, v in REG_SHOWN] + [("lab_rprog", "frame", 100.0)]
    assert not curves.controls
    data = payload([e for e in at.get("bidi_component") if e.proto.id.endswith("lab_rcurve_chart")][0].proto)
    assert data["follow"] == {k: float(v) for k, v in REG_SHOWN} | {"lab_rprog": 100.0}
    assert scatter.frames["lab_rprog"]["values"] == [float(v) for v in range(101)]
    run = run_regression(*REG_DEFAULTS)
    fits = {i: t["meta"]["loss"] for i, t in enumerate(scatter.data) if t.get("meta", {}).get("role") == "fit"}
    nows = {i: t["meta"]["loss"] for i, t in enumerate(curves.data) if t.get("meta", {}).get("role") == "now"}
    step_line = next(i for i, t in enumerate(curves.data) if t.get("meta", {}).get("role") == "step")
    assert len(fits) == len(nows) == 3
    for value in (0, 37, 100):
        step = step_at(value, run.steps)
        patches = {c.key: patch for c, patch in frame_patches(at, "lab_rprog", value)}
        for i, name in fits.items():
            slope, intercept = run.fits[name].at(step)
            xs = decode(scatter.data[i]["x"])
            fitted = patches["lab_reg_chart"]["traces"][str(i)]
            np.testing.assert_allclose(fitted["y"], slope * xs + intercept, rtol=1e-6)  # float32: only drawn
            assert fitted["hovertemplate"].startswith(f"{name}: y = ")
        for i, name in nows.items():
            assert patches["lab_rcurve_chart"]["traces"][str(i)] == {"x": [step], "y": [run.fits[name].loss[step]]}
        assert patches["lab_rcurve_chart"]["traces"][str(step_line)] == {"x": [step, step]}


def test_show_training_at_moves_the_classifier_panels_in_the_browser():
    at = load(lab_cprog="100")
    panels = chart(at, "lab_clf_chart")
    assert [(s["id"], s["role"]) for s in panels.controls] == [(k, "frame") for k, _ in CLF_SHOWN] + [
        ("lab_cprog", "frame")]
    raw = {e.proto.id.rsplit("-", 1)[-1]: payload(e.proto) for e in at.get("bidi_component")
           if e.proto.component_name == COMPONENT_NAME}  # the charts, not the pager's anchor follower
    assert raw["lab_ccurve_chart"]["follow"] == {k: float(v) for k, v in CLF_SHOWN} | {"lab_cprog": 100.0}
    run = run_classifier(*CLF_DEFAULTS)
    lines = {i: t["meta"] for i, t in enumerate(panels.data) if t.get("meta", {}).get("role") in ("boundary", "margin")}
    assert len(lines) == 7  # every boundary and margin line is a trace, even where it misses the box
    box = tfig.panel_box(run.data)
    for value in (0, 10, 64, 100):
        step = step_at(value, run.steps)
        patch = {c.key: p for c, p in frame_patches(at, "lab_cprog", value)}["lab_clf_chart"]
        for i, meta in lines.items():
            w1, w2, b = run.fits[meta["loss"]].at(step)
            xs, ys = np.array(patch["traces"][str(i)]["x"]), np.array(patch["traces"][str(i)]["y"])
            assert xs.shape == ys.shape == (2,)
            if tfig.line_in_box((w1, w2), meta["level"] - b, box) is None:  # misses the panel: a gap
                assert np.isnan(xs).all() and np.isnan(ys).all()
            else:  # float32 end points (only drawn)
                np.testing.assert_allclose(w1 * xs + w2 * ys + b, meta["level"],
                                           atol=1e-5 * (1 + abs(w1) + abs(w2)) * float(np.abs(xs).max() + 1))
        titles = [patch["traces"][str(i)]["text"] for i, t in enumerate(panels.data)
                  if t.get("meta", {}).get("role") == "title"]
        assert titles == [[f"<b>{n.removesuffix('Loss')}</b><br>accuracy {run.accuracy(n, step):.0%}"]
                          for n in CLASSIFIER_LOSSES]
        assert not (patch["shapes"] or patch["annotations"] or patch["axes"]), "scrubbing moves only traces"
    # at step 0 the weights are zero: no line yet, drawn as gaps
    start = {c.key: p for c, p in frame_patches(at, "lab_cprog", 0)}["lab_clf_chart"]["traces"]
    assert all(np.isnan(start[str(i)]["x"]).all() for i in lines)


# -- the settings sliders, browser-side --------------------------------------------------------------------------
def _assert_patch_drawn(patch: dict, drawn: dict, label: str) -> None:
    """Every part of a frame patch equals what the page draws once the slider is really there (float32 for
    drawn numbers; a row may be longer than the drawn trace, NaN after its end)."""
    for index, attrs in patch["traces"].items():
        trace = drawn["data"][int(index)]
        for attr, row in attrs.items():
            where = f"{label}: trace {index} ({trace.get('meta')}) {attr}"
            if attr == "visible":
                assert row == trace.get("visible", True), where
                continue
            if isinstance(row, str) or (isinstance(row, list) and row and isinstance(row[0], str)):
                assert row == trace[attr], where
                continue
            got = np.asarray(row, dtype=float)
            want = decode(trace[attr]) if not isinstance(trace[attr], list) else np.asarray(
                [np.nan if v is None else v for v in trace[attr]], dtype=float)
            assert len(got) >= len(want) and np.isnan(got[len(want):]).all(), where
            np.testing.assert_allclose(got[:len(want)], want, rtol=2e-6, atol=1e-6, equal_nan=True, err_msg=where)
    layout = drawn["layout"]
    for index, attrs in patch["shapes"].items():
        for attr, value in attrs.items():
            assert value == pytest.approx(layout["shapes"][int(index)][attr]), f"{label}: shape {index} {attr}"
    for index, attrs in patch["annotations"].items():
        for attr, value in attrs.items():
            assert value == layout["annotations"][int(index)][attr], f"{label}: annotation {index}"
    for axis, attrs in patch["axes"].items():
        np.testing.assert_allclose(attrs["range"], layout[axis]["range"], rtol=1e-12, err_msg=f"{label}: {axis}")


@pytest.mark.parametrize("section, key, value", [
    ("regression", "lab_out", 11), ("regression", "lab_out", 5), ("regression", "lab_outsz", 13.5),
    ("regression", "lab_noise", 0.8), ("regression", "lab_rho", 0.7), ("regression", "lab_rlr", 0.13),
    ("regression", "lab_rsteps", 330), ("regression", "lab_rsteps", 270), ("regression", "lab_rseed", 3),
    ("classifier", "lab_sep", 2.25), ("classifier", "lab_flip", 0), ("classifier", "lab_flip", 5),
    ("classifier", "lab_margin", 1.15), ("classifier", "lab_clr", 0.07), ("classifier", "lab_csteps", 330),
    ("classifier", "lab_cseed", 2),
])
def test_each_settings_slider_moves_both_charts_in_the_browser_as_the_server_would(section, key, value):
    """With live charts every settings slider is browser-side: the page sends both charts of its section at the
    values around the slider's own (the runs trained there), and the patch for a value is what the page draws
    once the slider is really at that value, at the same "show training at" point."""
    main, curves = ("lab_reg_chart", "lab_rcurve_chart") if section == "regression" else (
        "lab_clf_chart", "lab_ccurve_chart")
    at = load(lab_rprog="60", lab_cprog="60")
    patches = {c.key: patch for c, patch in frame_patches(at, key, value)}
    assert set(patches) == {main, curves}
    assert all(not p["missing"] for p in patches.values())
    set_control(at, key, value)
    rerun(at)
    for name in (main, curves):
        _assert_patch_drawn(patches[name], chart(at, name).spec, f"{key}={value} {name}")
    assert patches[main]["traces"] or patches[main]["annotations"], "the main chart moves"


def test_settings_frames_cover_a_window_around_each_slider():
    at = load(lab_out="0", lab_rsteps="500", lab_sep="7.5")
    scatter, panels = chart(at, "lab_reg_chart"), chart(at, "lab_clf_chart")
    assert scatter.frames["lab_out"]["values"] == [0.0, 1.0, 2.0, 3.0]  # clipped at the end of the range
    assert scatter.frames["lab_rsteps"]["values"] == [470.0, 480.0, 490.0, 500.0]
    assert scatter.frames["lab_noise"]["values"] == pytest.approx([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    assert panels.frames["lab_sep"]["values"] == [6.75, 7.0, 7.25, 7.5, 7.75, 8.0]
    # a learning rate does not move the data: only the fitted lines are sent, not the points
    assert set(scatter.frames["lab_rlr"]["traces"]) == {"3", "4", "5"}
    assert "0" in scatter.frames["lab_rseed"]["traces"]  # another seed, other points (no outliers here)


def test_without_live_charts_the_settings_are_streamlit_sliders(monkeypatch):
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    at = load()
    assert {w.key for w in at.slider} == set(REG_KEYS + CLF_KEYS) | {"lab_rprog", "lab_cprog"}
    at.slider(key="lab_rho").set_value(2.5)
    at.slider(key="lab_flip").set_value(6)
    rerun(at)
    assert_table(table(at, REG_TABLE), expected_regression((8, 15.0, 0.5, 0, 0.1, 300, 2.5)))
    assert_table(table(at, CLF_TABLE), expected_classifier((3.0, 6, 0, 0.1, 300, 1.0)))
