"""The Compare section: any losses with a loss-vs-prediction curve on one chart, with a table at one prediction."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from lossapp import urlstate
from lossapp.bound_widgets import client_param
from lossapp.charts import chart
from lossapp.controls import BIND, control_key, param_controls
from lossapp.curve_explorer import frame_param
from lossapp.curve_views import point_value, sweep_arrays
from lossapp.live_chart import ClientSlider, client_slider, live_charts_enabled, shown_range
from lossapp.model import Curve, CurveView
from losscore import catalog_gluon
from losscore.catalog import CATALOG

#: Short ids (from the catalog) of the losses with a loss-vs-prediction curve, used in widget keys
#: (``cmp_huber_rho``).
SHORT_IDS: dict[str, str] = {name: spec.short_id for name, spec in CATALOG.items() if spec.curve}

CURVE_LOSSES = [name for name, spec in CATALOG.items() if spec.curve is not None]


def family_curves(family: str) -> tuple[list[str], float]:
    """A family's curve losses among Gluon's (the tutorial's) in catalog order, and the label they are drawn
    against (0 or 1)."""
    gluon = {spec.name for spec in catalog_gluon.SPECS}
    names = [name for name in CURVE_LOSSES if CATALOG[name].family == family and name in gluon]
    return names, CATALOG[names[0]].default_label


#: The tutorial's two groups: regression losses against label 0, classification losses against label 1, in the
#: order of its picture (logistic first; sigmoid cross-entropy, logistic's twin at label 1, last).
PRESETS = {family: family_curves(family) for family in ("regression", "classification")}
PRESETS["classification"][0].sort(key=lambda name: (name != "LogisticLoss", name == "SigmoidBinaryCrossEntropyLoss"))
#: Parameters that would change the meaning of the shared x-axis (a logit / log-rate here); the family pages
#: show them.
FIXED = {"SigmoidBinaryCrossEntropyLoss": {"from_sigmoid": False}, "PoissonNLLLoss": {"from_logits": True}}


#: The prediction axis: the range sliders pick a part of it at least one step wide (with live charts the chart
#: holds all of it, and the browser shows the part).
X_LOW, X_HIGH, X_STEP = -10.0, 10.0, 0.5
RANGE_HELP = "The part of the prediction axis the chart shows (the tutorial uses -5 to 5)."


def range_sliders() -> tuple[ClientSlider, ClientSlider]:
    """The browser-side start and end of the prediction range. A link that gives the range as one parameter,
    ``cmp_range=a&cmp_range=b`` (as the Streamlit range slider writes it), is read into the two."""
    legacy = st.query_params.get_all("cmp_range")
    if legacy and "cmp_lo" not in st.query_params and "cmp_hi" not in st.query_params:
        if len(legacy) == 2:
            st.query_params["cmp_lo"], st.query_params["cmp_hi"] = legacy
        else:
            urlstate.add_notice("`cmp_range` in the link is not two numbers; using the default -5 to 5.")
    if legacy:
        del st.query_params["cmp_range"]
    return (client_slider("cmp_lo", "prediction range — start", low=X_LOW, high=X_HIGH, step=X_STEP, default=-5.0,
                          role="xlo", help=RANGE_HELP),
            client_slider("cmp_hi", "prediction range — end", low=X_LOW, high=X_HIGH, step=X_STEP, default=5.0,
                          role="xhi", help=RANGE_HELP))


def marker_within(lo: float, hi: float) -> ClientSlider:
    """The browser-side marker slider (over the whole axis; the browser keeps it inside [lo, hi]), at a value
    inside [lo, hi]: a link's value outside is moved inside with a notice on the page's first run in a session;
    later, a narrower range just moves the marker inside it."""
    raw = st.query_params.get("cmp_pred")
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        value = None
    if value is not None and math.isfinite(value) and not lo <= value <= hi:
        inside = min(max(value, lo), hi)
        st.query_params["cmp_pred"] = f"{inside:g}"
        if "_cmp_marker_seen" not in st.session_state:
            urlstate.add_notice(f"`cmp_pred` = {raw} in the link is outside the prediction range {lo:g} to {hi:g}; "
                                f"using {inside:g}.")
    st.session_state["_cmp_marker_seen"] = True
    return client_slider("cmp_pred", "prediction marker", low=X_LOW, high=X_HIGH, step=0.05,
                         default=min(max(1.0, lo), hi), role="marker",
                         help="Where the table reads off each loss and gradient.")


def apply_preset() -> None:
    losses, label = PRESETS[st.session_state["cmp_preset"]]
    st.session_state["cmp_losses"] = list(losses)
    st.session_state["cmp_label"] = label
    if "cmp_label" in st.query_params:  # the browser-side label slider reads the address
        st.query_params["cmp_label"] = f"{label:g}"

LABEL_HELP = ("One label for every curve. Hinge and logistic losses expect -1 or +1, SigmoidBCE a value in [0, 1], "
              "PoissonNLL a count >= 0.")
#: The drawn curves cover the whole axis every 0.025 (801 points; 401 between -5 and 5): every marker step (0.05)
#: and every label step is a grid point, and the curves with their frames are about 365 kB a run.
FULL_NUM = int(round((X_HIGH - X_LOW) / 0.025)) + 1


def unit_curve(name: str, p: dict, at_label: float) -> Curve:
    """Loss ``name``'s curve at weight 1 with parameters ``p`` and label ``at_label`` over the whole prediction
    axis (the browser shows the part in range)."""
    unit = tuple(sorted({**p, "weight": 1.0}.items()))
    return Curve(name, *sweep_arrays(name, unit, float(at_label), 1.0, X_LOW, X_HIGH, FULL_NUM))


def compare_section(present: bool) -> None:
    """The presets, the losses, label, range and marker, each loss's parameters, the chart and the table."""
    urlstate.guard_choice("cmp_preset", options=list(PRESETS), default="regression")
    preset = st.segmented_control(
        "Preset: the tutorial's groups", list(PRESETS), default="regression", required=True, key="cmp_preset",
        on_change=apply_preset, bind=BIND,
        help="regression: L1, L2 and Huber against label 0; classification: logistic, hinge, squared hinge and "
             "sigmoid cross-entropy against label 1. Loads the losses and the label; change them afterwards.",
    )
    first_losses, first_label = PRESETS[preset]
    urlstate.guard_subset("cmp_losses", options=CURVE_LOSSES)
    chosen = st.multiselect(
        "Losses", CURVE_LOSSES, default=first_losses,
        key="cmp_losses", bind=BIND, help="Any losses with a loss-vs-prediction curve (Gluon class names).",
    )
    live = live_charts_enabled()
    if live:  # every slider is under the chart: the chart takes the whole width, the parameter expanders above it
        controls, plot = st.container(), st.container()
    else:
        controls, plot = st.columns([1, 2.4], gap="medium")
    with controls:
        label, label_slider = _label_control(first_label, live)
        lo, hi, range_pair = _range_control(live)
        marker, marker_slider = _marker_control(lo, hi, live)
        params, weights, framed = _loss_params(chosen, marker_slider is not None)
    curves, unit_curves, rows, failed, unit_params = _compare_curves(chosen, params, weights, label, lo, hi, marker)
    with plot:
        for message in failed:
            st.error(message)
        if not curves:
            st.info("Pick at least one loss to plot.")
        else:
            names = tuple(c.name for c in curves)
            limits = loss_axis_limits(curves)
            y_title = "loss" if limits is None else f"loss (axis clipped at {limits[1]:g})"
            view = CurveView(
                title=f"{len(curves)} losses, label {label:g}", curves=tuple(curves), marker=float(marker),
                label=float(label), loss_names=names, params={n: params[n] for n in names},
                y_title=y_title, y_limits=limits,
            )
            sliders = (*range_pair, marker_slider, label_slider, *(weights[n] for n in names),
                       *(s for n in names for s in framed.get(n, {}).values())) if marker_slider else ()
            base = CurveView(title=view.title, curves=tuple(unit_curves), marker=view.marker, label=view.label,
                             loss_names=names, y_title=y_title, y_limits=limits) if marker_slider else None
            # the curves the browser swaps in when the label or a loss's parameter moves (values around the current)
            curves_at = {}
            if label_slider is not None:
                curves_at["cmp_label"] = lambda v: tuple(unit_curve(n, unit_params[n], v) for n in names)
            for n in names:
                for param, s in framed.get(n, {}).items():
                    curves_at[s.id] = lambda v, n=n, param=param: (unit_curve(n, {**unit_params[n], param: v}, label),)  # type: ignore[misc]  # mypy#15459
            chart(view, "cmp", present=present, sliders=sliders, readout=False, base=base, curves_at=curves_at,
                  xrange=(lo, hi) if marker_slider else None)
    if rows:
        _compare_table(rows, marker, label, present)


def loss_axis_limits(curves: list[Curve]) -> tuple[float, float] | None:
    """Clip the loss axis when one curve dwarfs the rest (squared hinge reaches 36 at -5 where hinge and
    logistic stay under 6, pressing them onto the floor): the top is a third above the second-highest curve,
    so every other curve keeps most of the height and the steep one visibly leaves the top. None: no clipping."""
    tops = sorted(float(np.nanmax(np.where(np.isfinite(c.loss), c.loss, np.nan))) for c in curves
                  if np.isfinite(c.loss).any())
    if len(tops) < 2 or tops[-2] <= 0 or tops[-1] <= 3 * tops[-2]:
        return None
    low = min(float(np.nanmin(np.where(np.isfinite(c.loss), c.loss, np.nan))) for c in curves
              if np.isfinite(c.loss).any())
    top = float(math.ceil(tops[-2] * 4 / 3))
    return (min(low, 0.0) - 0.06 * top, top)


def _label_control(first_label: float, live: bool) -> tuple[float, ClientSlider | None]:
    """The label of every curve, and its browser-side slider with live charts."""
    label_slider = None
    if live:  # moved in the browser, under the chart: the page sends the curves at the labels around this one
        label_slider = client_slider("cmp_label", "label", low=-5.0, high=5.0, step=0.5, default=first_label,
                                     role="frame", help=LABEL_HELP)
        label = label_slider.value
    else:
        urlstate.guard_number("cmp_label", low=-5.0, high=5.0, default=first_label)
        label = st.slider("label", -5.0, 5.0, first_label, 0.5, key="cmp_label", bind=BIND, format="%.1f",
                          help=LABEL_HELP)
    return label, label_slider


def _range_control(live: bool) -> tuple[float, float, tuple[ClientSlider, ...]]:
    """The part of the prediction axis shown (at least one step wide), and its browser-side sliders."""
    range_pair: tuple[ClientSlider, ...] = ()
    if live:  # moved in the browser, under the chart: the chart holds the whole axis and shows the part
        range_pair = range_sliders()
        lo, hi = (s.value for s in range_pair)
    else:
        urlstate.guard_range("cmp_range", low=X_LOW, high=X_HIGH, default=(-5.0, 5.0))
        lo, hi = st.slider("prediction range", X_LOW, X_HIGH, (-5.0, 5.0), X_STEP, key="cmp_range", bind=BIND,
                           help=RANGE_HELP)
    lo, hi = shown_range(lo, hi, X_STEP, X_LOW, X_HIGH)
    lo, hi = shown_range(lo, hi, X_STEP, X_LOW, X_HIGH)
    return lo, hi, range_pair


def _marker_control(lo: float, hi: float, live: bool) -> tuple[float, ClientSlider | None]:
    """Where the table reads off each loss (inside [lo, hi]), and its browser-side slider with live charts."""
    if live:  # moved in the browser, under the chart; the table follows once it is still
        marker_slider = marker_within(lo, hi)
        marker = marker_slider.value
    else:
        urlstate.guard_number("cmp_pred", low=lo, high=hi, default=min(max(1.0, lo), hi))
        if "cmp_pred" in st.session_state:  # a narrower range must not leave the marker outside it
            kept = st.session_state["cmp_pred"]
            if not lo <= kept <= hi:
                st.session_state["cmp_pred"] = min(max(kept, lo), hi)
        marker_slider = None
        marker = st.slider("prediction marker", lo, hi, min(max(1.0, lo), hi), 0.05, key="cmp_pred", bind=BIND,
                           format="%.2f", help="Where the table reads off each loss and gradient.")
    return marker, marker_slider


def _loss_params(chosen: list[str], live: bool) -> tuple[dict, dict, dict]:
    """Each chosen loss's parameters, and with live charts its weight's and its framed parameters' browser-side
    sliders (loss -> slider; loss -> parameter name -> slider)."""
    params: dict[str, dict] = {}
    # with live charts each loss's weight is a slider under the chart that scales its curve in the browser, and
    # its other numeric parameters are sliders there too, whose curves the page sends for the values around
    weights: dict[str, ClientSlider] = {}
    framed: dict[str, dict[str, ClientSlider]] = {}  # loss -> parameter name -> its browser-side slider
    for name in chosen:
        spec = CATALOG[name]
        prefix = f"cmp_{SHORT_IDS[name]}"
        skip = tuple(FIXED.get(name, {}))
        if live:
            weights[name] = client_param(spec.param("weight"), control_key(prefix, "weight"),
                                         label=f"{name} weight", curve=name)
            framed[name] = {p.name: client_param(p, control_key(prefix, p.name), label=f"{name} {p.name}",
                                                 role="frame")
                            for p in spec.params if frame_param(p) and p.name not in skip}
            skip += ("weight", *framed[name])
        params[name] = {param: s.value for param, s in framed.get(name, {}).items()}
        if not [p for p in spec.params if p.name not in skip]:
            continue
        # an expander in presentation mode too (where CSS hides it): URL values still reach the curves
        with st.expander(f"{spec.name} parameters", expanded=False):
            params[name] |= param_controls(spec, prefix, skip=skip)
    return params, weights, framed


def _compare_curves(chosen: list[str], params: dict, weights: dict, label: float, lo: float, hi: float,
                    marker: float) -> tuple[list, list, list, list, dict]:
    """The chosen losses' curves over [lo, hi], their curves at weight 1 over the whole axis (for the browser to
    scale), the table's rows, the messages of losses that failed, and the parameters each drawn curve used
    (``params`` gets each loss's parameters as computed)."""
    curves, unit_curves, rows, failed = [], [], [], []
    num = int(round((hi - lo) / 0.01)) + 1
    unit_params: dict[str, dict] = {}  # what each drawn curve is computed with (weight 1)
    for name in chosen:
        p = {**params.get(name, {}), **FIXED.get(name, {})}
        if name in weights:
            p["weight"] = weights[name].value
        key = tuple(sorted(p.items()))
        try:
            x, values, grad = sweep_arrays(name, key, float(label), 1.0, float(lo), float(hi), num)
            value, slope = point_value(name, key, float(label), 1.0, float(marker))
            if name in weights:  # the chart is drawn at weight 1: the browser scales each curve by its slider
                unit_curves.append(unit_curve(name, p, label))
                unit_params[name] = p
        except (ValueError, TypeError) as exc:
            failed.append(f"{CATALOG[name].title}: {exc}")
            continue
        params[name] = p
        curves.append(Curve(name, x, values, grad))
        rows.append({"loss": name, "loss value": value + 0.0, "dL/dpred": slope + 0.0})  # no "-0"
    return curves, unit_curves, rows, failed, unit_params


#: Pixels for the table's loss names at the app's font size (a name is at most 29 characters).
COMPARE_NAME_WIDTH = 250


def _compare_table(rows: list[dict], marker: float, label: float, present: bool) -> None:
    """Each loss and its gradient at the marker, with notes on equal and flat curves."""
    st.subheader(f"At prediction {marker:g}, label {label:g}")
    table = pd.DataFrame(rows)
    st.dataframe(
        table, hide_index=True, width="content",
        # wide enough for the longest class name (SigmoidBinaryCrossEntropyLoss), which auto-sizing cut short
        column_config={"loss": st.column_config.TextColumn(width=COMPARE_NAME_WIDTH),
                       "loss value": st.column_config.NumberColumn(format="%.4f"),
                       "dL/dpred": st.column_config.NumberColumn(format="%.4f")},
    )
    names = {r["loss"] for r in rows}
    if {"LogisticLoss", "SigmoidBinaryCrossEntropyLoss"} <= names and label == 1 and not present:
        st.caption("With equal weights, LogisticLoss and SigmoidBinaryCrossEntropyLoss draw one curve for label 1 "
                   "(the chart dots the later one over a wide line of the other, so both show): they are the same "
                   "function, written for labels ±1 and 0/1 respectively.")
    flat = [r["loss"] for r in rows if r["dL/dpred"] == 0]
    if flat and not present:
        st.caption(f"Zero gradient here: {', '.join(flat)}. These losses no longer push the prediction at all.")
