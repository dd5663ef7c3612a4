"""Training lab sections: L1/L2/Huber fitting a line through outliers, and logistic/hinge/squared hinge training a
linear classifier, with the cached runs and their charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lossapp import training_figures as tfig
from lossapp import training_frames as tframes
from lossapp.caching import cache_data, cache_resource
from lossapp.controls import param_control
from lossapp.frames import SliderDef, frame_table, section_sliders, window_values
from lossapp.live_chart import ClientSlider, client_slider, live_charts_enabled, plotly_chart
from lossapp.side_notes import side_note
from lossapp.training import (
    MAX_OUTLIERS,
    N_PER_CLASS,
    TRUE_INTERCEPT,
    TRUE_SLOPE,
    ClassifierRun,
    RegressionRun,
    run_classifier,
    run_classifiers,
    run_regression,
    run_regressions,
    step_at,
)
from losscore.catalog import CATALOG, Param


# -- cached training runs (plain numbers in, plain dataclasses out) ------------------------------------------------
@cache_data(max_entries=256, show_spinner=False)
def regression_run(n_outliers: int, outlier_size: float, noise: float, seed: int, lr: float, steps: int,
                   rho: float) -> RegressionRun:
    return run_regression(n_outliers, outlier_size, noise, seed, lr, steps, rho)


@cache_data(max_entries=256, show_spinner=False)
def classifier_run(separation: float, n_flipped: int, seed: int, lr: float, steps: int,
                   margin: float) -> ClassifierRun:
    return run_classifier(separation, n_flipped, seed, lr, steps, margin)


@cache_resource(max_entries=64, show_spinner=False)
def regression_charts(settings: tuple, step: int, present: bool) -> tuple:
    """(scatter figure, its alt text, loss-curve figure, its alt text, the scatter's and the curves' frames for
    the browser-side "show training at" slider); figures are shared, never mutated."""
    run = regression_run(*settings)
    scatter = tfig.regression_figure(run, step, present=present)
    curves = tfig.loss_curves_figure(run.fits, step, log_y=True, present=present)
    assert PROGRESS.low is not None and PROGRESS.high is not None  # a range it has (see PROGRESS)
    values = range(int(PROGRESS.low), int(PROGRESS.high) + 1)
    return (scatter, tfig.regression_alt(run, step), curves, tfig.curves_alt(run.fits, step, log_y=True),
            tfig.progress_frames(scatter, run.fits, run.steps, values),
            tfig.progress_frames(curves, run.fits, run.steps, values))


@cache_resource(max_entries=64, show_spinner=False)
def classifier_charts(settings: tuple, step: int, present: bool) -> tuple:
    """As :func:`regression_charts`, for the classifier section."""
    run = classifier_run(*settings)
    panels = tfig.classifier_figure(run, step, present=present)
    curves = tfig.loss_curves_figure(run.fits, step, present=present)
    assert PROGRESS.low is not None and PROGRESS.high is not None  # a range it has (see PROGRESS)
    values = range(int(PROGRESS.low), int(PROGRESS.high) + 1)
    return (panels, tfig.classifier_alt(run, step), curves, tfig.curves_alt(run.fits, step),
            tfig.progress_frames(panels, run.fits, run.steps, values, run=run),
            tfig.progress_frames(curves, run.fits, run.steps, values))


# -- controls -------------------------------------------------------------------------------------------------------
OUTLIERS = Param("outliers", "int", 8, "How many extra points sit far below the true line at the right-hand end "
                 "(x between 2 and 3), where they have the most leverage on the slope.", 0, MAX_OUTLIERS, 1)
OUTLIER_SIZE = Param("outlier_size", "float", 15.0, "How far below the true line the outliers sit.", 0.0, 30.0, 0.5)
NOISE = Param("noise", "float", 0.5, "Standard deviation of the Gaussian noise added to every point's y.",
              0.0, 3.0, 0.1)
SEPARATION = Param("separation", "float", 3.0, "Distance between the centres of the two blobs (each has unit "
                   "spread). Around 5 and more they hardly overlap.", 0.0, 8.0, 0.25)
FLIPPED = Param("flipped", "int", 2, "How many points, chosen at random, get the wrong label: mislabelled "
                "training data.", 0, 20, 1)
SEED = Param("seed", "int", 0, "Seed of np.random.default_rng that draws the data; the same seed always gives "
             "the same points and the same training run.", 0, 99, 1)
PROGRESS = Param("progress", "int", 100, "Rewind training: show the models after this share of the steps "
                 "(100% is the end of training).", 0, 100, 1)


def lr_param(high: float, default: float) -> Param:
    return Param("learning rate", "float", default, "Step size of full-batch gradient descent on the mean loss: "
                 "θ ← θ − lr · ∇θ (mean loss). Too large and a run oscillates or blows up.", 0.01, high, 0.01)


STEPS = Param("steps", "int", 300, "How many gradient-descent updates each model gets, all starting from "
              "zero weights.", 50, 500, 10)


#: The settings sliders of each section, in the order they are shown: (key, label, parameter, help override, low
#: override) and the position of their value in the section's settings tuple (the run function's arguments).
REG_CONTROLS = (
    ("lab_out", "outliers", OUTLIERS, None, None, 0),
    ("lab_outsz", "outlier distance below the line", OUTLIER_SIZE, None, None, 1),
    ("lab_noise", "noise (standard deviation)", NOISE, None, None, 2),
    ("lab_rho", "Huber rho", CATALOG["HuberLoss"].param("rho"),
     "HuberLoss's threshold: residuals smaller than rho are squared, larger ones count linearly, so their pull "
     "on the line is capped.", None, 6),
    ("lab_rlr", "learning rate", lr_param(0.3, 0.1), None, None, 4),
    ("lab_rsteps", "training steps", STEPS, None, None, 5),
    ("lab_rseed", "data seed", SEED, None, None, 3),
)
CLF_CONTROLS = (
    ("lab_sep", "class separation", SEPARATION, None, None, 0),
    ("lab_flip", "flipped labels", FLIPPED, None, None, 1),
    ("lab_margin", "hinge margin", CATALOG["HingeLoss"].param("margin"),
     "The score HingeLoss and SquaredHingeLoss ask for on the correct side (LogisticLoss has no margin).", 0.1, 5),
    ("lab_clr", "learning rate", lr_param(1.0, 0.1), None, None, 3),
    ("lab_csteps", "training steps", STEPS, None, None, 4),
    ("lab_cseed", "data seed", SEED, None, None, 2),
)
#: With live charts the settings sliders are browser-side: the page sends, for each of them, the charts at this
#: many steps either side of its value (all those runs trained together, lossapp.training.run_regressions);
#: beyond them, or when two sliders moved, the chart waits for the server.
SETTINGS_WINDOW = 3


def slider_def(key: str, label: str, param: Param, help: str | None, low: float | None) -> SliderDef:
    """A settings control as a browser-side slider (ints stay ints)."""
    lo = param.low if low is None else low
    assert lo is not None and param.high is not None  # every setting is a number with a range
    if param.kind == "int":
        return SliderDef(key, label, int(lo), int(param.high), int(param.default), int(param.step or 1),
                         help or param.help)
    assert param.step is not None  # only an int's step may be left out
    return SliderDef(key, label, float(lo), float(param.high), float(param.default), float(param.step),
                     help or param.help)


REG_DEFS = tuple(slider_def(*c[:5]) for c in REG_CONTROLS)
CLF_DEFS = tuple(slider_def(*c[:5]) for c in CLF_CONTROLS)


def settings_controls(controls: tuple, defs: tuple[SliderDef, ...], box, live: bool
                      ) -> tuple[list, tuple[ClientSlider, ...]]:
    """The section's settings in run-argument order and, with live charts, its browser-side sliders (else the
    settings are Streamlit sliders in ``box``)."""
    values: list = [None] * len(controls)
    if live:
        shown, sliders = section_sliders(box, defs)
    else:
        with box:
            shown = [param_control(param, key, label=label, help=help_, low=low)
                     for key, label, param, help_, low, _ in controls]
        sliders = ()
    for (*_, pos), value in zip(controls, shown, strict=True):
        values[pos] = value
    return values, sliders


def neighbour_settings(settings: tuple, controls: tuple, defs: tuple[SliderDef, ...]) -> dict[str, list[tuple]]:
    """For each settings slider, the settings at each value of its window (the others held), in order."""
    out = {}
    for (*_, pos), d in zip(controls, defs, strict=True):
        rows = []
        for v in window_values(d.at(settings[pos]), SETTINGS_WINDOW):
            row = list(settings)
            row[pos] = int(round(v)) if d.integer else float(v)
            rows.append(tuple(row))
        out[d.key] = rows
    return out


@cache_resource(max_entries=16, show_spinner=False)
def neighbour_runs(settings: tuple, which: str) -> dict[str, list]:
    """The runs at :func:`neighbour_settings` (``which`` "regression" or "classifier"), all trained at once;
    shared, never mutated."""
    controls, defs, train = ((REG_CONTROLS, REG_DEFS, run_regressions) if which == "regression"
                             else (CLF_CONTROLS, CLF_DEFS, run_classifiers))
    wanted = neighbour_settings(settings, controls, defs)
    unique = list(dict.fromkeys(s for rows in wanted.values() for s in rows))
    runs = dict(zip(unique, train(unique), strict=True))
    return {key: [runs[s] for s in rows] for key, rows in wanted.items()}


@cache_resource(max_entries=32, show_spinner=False)
def settings_frames(settings: tuple, which: str, progress: float, present: bool) -> tuple[dict, dict]:
    """Frames of the section's two charts for every settings slider (:func:`frame_table` by slider id): the
    main chart's and the loss curves'; every run shown at ``progress`` percent of its own steps."""
    regression = which == "regression"
    controls, defs = (REG_CONTROLS, REG_DEFS) if regression else (CLF_CONTROLS, CLF_DEFS)
    columns = tframes.regression_setting_columns if regression else tframes.classifier_setting_columns
    run = (regression_run if regression else classifier_run)(*settings)
    main, _, curves, *_ = (regression_charts if regression else classifier_charts)(
        settings, step_at(progress, run.steps), present)
    runs = neighbour_runs(settings, which)
    main_frames, curve_frames = {}, {}
    for (*_, pos), d in zip(controls, defs, strict=True):
        main_cols, curve_cols = columns(main, curves, runs[d.key], progress)
        slider = d.at(settings[pos])
        main_frames[d.key] = frame_table(slider, lambda _values, c=main_cols: c, SETTINGS_WINDOW)  # type: ignore[misc]  # mypy#15459
        curve_frames[d.key] = frame_table(slider, lambda _values, c=curve_cols: c, SETTINGS_WINDOW)  # type: ignore[misc]  # mypy#15459
    return main_frames, curve_frames


def progress_control(key: str, live: bool) -> tuple[ClientSlider | None, float]:
    """The "show training at" slider: with live charts under the chart and moved in the browser (both charts of
    the section rewind at once; the table follows once it is still), else a Streamlit slider here."""
    if not live:
        return None, param_control(PROGRESS, key, label="show training at (% of steps)")
    assert PROGRESS.low is not None and PROGRESS.high is not None
    scrub = client_slider(key, "show training at (% of steps)", low=float(PROGRESS.low), high=float(PROGRESS.high),
                          step=1.0, default=float(PROGRESS.default), role="frame", help=PROGRESS.help)
    return scrub, scrub.value


def scrubbed_chart(fig, key: str, alt: str, scrub: ClientSlider | None, frames: dict, follow: bool = False,
                   settings: tuple[ClientSlider, ...] = (), settings_frames: dict | None = None) -> None:
    """A chart of a section, with the section's browser-side sliders (or following them) when there are any: the
    settings sliders and the progress slider, each with its frames."""
    if scrub is None:
        plotly_chart(fig, key=key, alt=alt)
        return
    sliders = (*settings, scrub)
    all_frames = {**(settings_frames or {}), scrub.id: frames}
    if follow:
        plotly_chart(fig, key=key, alt=alt, frames=all_frames, follow=sliders)
    else:
        plotly_chart(fig, key=key, alt=alt, sliders=sliders, frames=all_frames)


def results_table(heading: str, rows: list[dict], fits: dict, formats: dict[str, str]) -> None:
    """The per-loss numbers at the shown step, and a warning for every run that blew up."""
    st.markdown(f"**{heading}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="content",
                 column_config={name: st.column_config.NumberColumn(format=f) for name, f in formats.items()})
    for name, fit in fits.items():
        if fit.diverged:
            st.warning(f"{name} diverged: training stopped after {fit.steps} steps. Lower the learning rate.")


# -- 1: regression with outliers -------------------------------------------------------------------------------------
@st.fragment
def regression_section(present: bool) -> None:
    st.header("Fitting a line through outliers", anchor="training-regression")
    side_note(
        f"The grey dots follow the line y = {TRUE_SLOPE:g}x + {TRUE_INTERCEPT:g} plus noise; the crosses are "
        "outliers, all far below it on the right. The same straight-line model is trained three times from "
        "zero, once per loss, by plain gradient descent: losscore gives the gradient of each point's loss "
        "with respect to its prediction, and the chain rule turns that into the update of slope and "
        "intercept.", present
    )
    live = live_charts_enabled()
    # with live charts every slider is under the chart (browser-side); else the sliders sit left of it
    left, right = (st.container(), st.container()) if live else st.columns([1, 2.4], gap="medium")
    values, sliders = settings_controls(REG_CONTROLS, REG_DEFS, left, live)
    with left:
        scrub, progress = progress_control("lab_rprog", live)
    n_out, size, noise, seed, lr, steps, rho = values
    settings = (int(n_out), float(size), float(noise), int(seed), float(lr), int(steps), float(rho))
    run = regression_run(*settings)
    step = step_at(progress, run.steps)
    scatter, scatter_alt, curve, curve_alt, scatter_frames, curve_frames = regression_charts(settings, step, present)
    main_settings, curve_settings = (settings_frames(settings, "regression", float(progress), present) if sliders
                                     else ({}, {}))
    rows = []
    for name, fit in run.fits.items():
        slope, intercept = (float(v) for v in fit.at(step))
        rows.append({"loss": name, "slope": slope, "intercept": intercept,
                     "slope error": abs(slope - TRUE_SLOPE), "intercept error": abs(intercept - TRUE_INTERCEPT),
                     "mean loss": fit.loss_at(step)})
    with right:
        scrubbed_chart(scatter, "lab_reg_chart", scatter_alt, scrub, scatter_frames, settings=sliders,
                       settings_frames=main_settings)
        st.caption(scatter_alt)
        results_table(f"After {step} of {run.steps} steps (true slope {TRUE_SLOPE:g}, intercept "
                      f"{TRUE_INTERCEPT:g})", rows, run.fits,
                      {"slope": "%.3f", "intercept": "%.3f", "slope error": "%.3f", "intercept error": "%.3f",
                       "mean loss": "%.4g"})
    scrubbed_chart(curve, "lab_rcurve_chart", curve_alt, scrub, curve_frames, follow=True, settings=sliders,
                   settings_frames=curve_settings)
    st.caption(curve_alt)
    side_note(
        "**What to look for.** L2Loss squares each residual, so its gradient grows with the distance: a "
        "handful of distant outliers outvote dozens of good points, and its line tilts towards "
        "them. L1Loss gives every point the same pull (±1) however far it is, so the outliers can only "
        "outnumber the others, not outweigh them, and its line stays near the true one (it wobbles a little "
        "at the end, because its gradient never shrinks). HuberLoss behaves like L2 for residuals below "
        "rho and like L1 beyond: it settles smoothly, yet the outliers' pull is capped. Once rho reaches "
        "the outlier distance (bring the outliers within 5 to try it) Huber is just L2 again; and once the "
        "outliers make up about a third of the data, even L1 gives in.", present
    )


# -- 2: a linear classifier -------------------------------------------------------------------------------------------
@st.fragment
def classifier_section(present: bool) -> None:
    st.header("Training a linear classifier", anchor="training-classifier")
    side_note(
        f"Two clouds of {N_PER_CLASS} points each, labelled +1 and −1, with a few labels flipped on purpose. "
        "A linear score f(x) = w·x + b is trained from zero with each loss; its sign is the predicted "
        "class, so the solid line f = 0 is the decision boundary. The hinge losses ask for more than the "
        "right sign: a score of at least the margin, marked by the dashed lines f = ±margin.", present
    )
    live = live_charts_enabled()
    left, right = (st.container(), st.container()) if live else st.columns([1, 2.4], gap="medium")
    values, sliders = settings_controls(CLF_CONTROLS, CLF_DEFS, left, live)
    with left:
        scrub, progress = progress_control("lab_cprog", live)
    sep, flipped, seed, lr, steps, margin = values
    settings = (float(sep), int(flipped), int(seed), float(lr), int(steps), float(margin))
    run = classifier_run(*settings)
    step = step_at(progress, run.steps)
    panels, panels_alt, curve, curve_alt, panels_frames, curve_frames = classifier_charts(settings, step, present)
    main_settings, curve_settings = (settings_frames(settings, "classifier", float(progress), present) if sliders
                                     else ({}, {}))
    rows = []
    for name, fit in run.fits.items():
        w1, w2, b = (float(v) for v in fit.at(step))
        rows.append({"loss": name, "w₁": w1, "w₂": w2, "b": b, "accuracy": run.accuracy(name, step),
                     "mean loss": fit.loss_at(step), "points still pushing": run.pushing(name, step)})
    with right:
        scrubbed_chart(panels, "lab_clf_chart", panels_alt, scrub, panels_frames, settings=sliders,
                       settings_frames=main_settings)
        st.caption(panels_alt)
        results_table(f"After {step} of {run.steps} steps ({len(run.data.y)} points)", rows, run.fits,
                      {"w₁": "%.3f", "w₂": "%.3f", "b": "%.3f", "accuracy": "%.2f", "mean loss": "%.4g",
                       "points still pushing": "%d"})
    scrubbed_chart(curve, "lab_ccurve_chart", curve_alt, scrub, curve_frames, follow=True, settings=sliders,
                   settings_frames=curve_settings)
    st.caption(curve_alt)
    side_note(
        "**What to look for.** Once a point is on the right side by at least the margin, HingeLoss is "
        "exactly zero for it and so is its gradient: it stops caring, and only the points inside the "
        "dashed lines (the *points still pushing*) move the boundary. On well-separated blobs that count "
        "drops to zero and training simply stops. LogisticLoss never reaches zero: every point keeps "
        "pulling, ever more weakly, so w keeps growing and the loss keeps creeping down. SquaredHingeLoss "
        "has the same margin, but a violator's penalty grows with the square of its shortfall, so a "
        "flipped label deep in the other cloud pulls the boundary much harder than under HingeLoss, and a "
        "large learning rate makes it overshoot.", present
    )
