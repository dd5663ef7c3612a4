"""Your own data section: pasted or uploaded predictions and labels through one loss, sample by sample: the
samples that dominate, the share of the loss they carry, and a CSV of every sample's loss and gradient."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lossapp import own_data, own_data_analysis, urlstate
from lossapp.caching import cache_resource
from lossapp.controls import BIND, capped_text_area, control_key, param_controls
from lossapp.figures import PRESENT_FIT, PRESENT_FONT, for_projector
from lossapp.formatting import fmt
from lossapp.frames import SliderDef, frame_table, section_sliders
from lossapp.live_chart import ClientSlider, Stat, live_charts_enabled, plotly_chart
from lossapp.own_data_analysis import Analysis
from losscore.catalog import CATALOG

LOG = logging.getLogger("lossapp.own_data_page")

#: Widget key prefixes of each loss's parameters (``od_huber_rho``): ``od_`` and the catalog's short id, except
#: three shorter ones that addresses were shared with before the ids came from the catalog.
PREFIX = {name: f"od_{CATALOG[name].short_id}" for name in own_data.LOSSES} | {
    "LogisticLoss": "od_lgc", "SquaredHingeLoss": "od_sqh", "PoissonNLLLoss": "od_poi"}
#: Example data that shows the point of the page: one sample far off dominates L2, much less so L1 or Huber.
EXAMPLE_PRED = "0.2, 0.9, 1.6, 2.1, 3.2, 3.9, 5.1, 12.0"
EXAMPLE_LABEL = "0, 1, 2, 2, 3, 4, 5, 6"
EXAMPLE_SCORES = "2.0, 0.5, -1.0\n0.1, 1.2, 0.3\n-0.5, 0.2, 2.5\n3.0, -1.0, 0.0\n0.2, 0.1, 0.4"
EXAMPLE_CLASSES = "0, 1, 2, 2, 1"
#: Example (predictions, labels) per label convention, for the example button; the last-but-one sample is
#: confidently wrong, so it dominates.
EXAMPLES = {
    "real": (EXAMPLE_PRED, EXAMPLE_LABEL),
    "prob": ("-2.5, -1.0, -0.2, 0.4, 1.5, 2.2, 4.0, 0.3", "0, 0, 0, 1, 1, 1, 0, 1"),
    "signed": ("-2.5, -1.0, -0.2, 0.4, 1.5, 2.2, 4.0, 0.3", "-1, -1, -1, 1, 1, 1, -1, 1"),
    "binary": ("-2.5, -1.0, -0.2, 0.4, 1.5, 2.2, 4.0, 0.3", "0, 0, 0, 1, 1, 1, 0, 1"),
    "count": ("0.0, 0.5, 1.0, 1.5, 2.0, 0.2, 3.0, 1.1", "1, 2, 3, 4, 7, 1, 0, 3"),
}
EXAMPLE_PROBS = "0.08, 0.27, 0.45, 0.6, 0.82, 0.9, 0.98, 0.57"
EXAMPLE_RATES = "1.0, 1.6, 2.7, 4.5, 7.4, 1.2, 20.0, 3.0"
SOURCES = ["paste", "upload"]
TOP = 10
SHOWN_ROWS = 1000


def load_example(name: str, params: dict) -> None:
    """Fill the paste boxes with data that fits the loss ``name`` and its current settings (``params``)."""
    if own_data.LOSSES[name].multiclass:
        st.session_state["od_scores"], st.session_state["od_classes"] = EXAMPLE_SCORES, EXAMPLE_CLASSES
        return
    labels = own_data.label_rule(name, params)
    pred, label = EXAMPLES[labels]
    if name == "SigmoidBinaryCrossEntropyLoss" and params.get("from_sigmoid"):
        pred = EXAMPLE_PROBS
    if name == "PoissonNLLLoss" and not params.get("from_logits", True):
        pred = EXAMPLE_RATES
    st.session_state["od_pred"], st.session_state["od_label"] = pred, label


def load(source: str, pred_text: str, label_text: str, upload, multiclass: bool) -> own_data.Dataset | None:
    """The data of the chosen source (None while no file is uploaded); raises DataError on bad data."""
    if source == "paste":
        return own_data.parse_pasted(pred_text, label_text, multiclass)
    if upload is None:
        return None
    own_data.check_upload(upload.name, upload.size)
    return own_data.parse_csv(upload.getvalue(), upload.name, multiclass)


def weight_stats(unit: dict[str, float], weight: float) -> list[str]:
    """The numbers under the loss-share chart at ``weight``, from the summary at weight 1 (every loss here is its
    weight times the unweighted loss)."""
    return [fmt(unit["mean"] * weight), fmt(unit["max"] * weight)]


def show(ds: own_data.Dataset, a: Analysis, name: str, present: bool, weight: ClientSlider | None = None,
         unit: Analysis | None = None, details: Any = None) -> None:
    """What the loss makes of the data. With a browser-side ``weight`` slider (under the loss-share chart) the
    mean and largest loss under the chart follow it at once, from ``unit``, the analysis at weight 1; the rest
    follows when the server hears of it. On a projector the chart comes first and the metrics and tables go to
    ``details`` (an expander), so the chart, its slider and its numbers fit one screen."""
    s = own_data_analysis.summary(a)
    # with the browser-side weight, the same numbers as under the chart (scaled from weight 1, in float64)
    s1 = own_data_analysis.summary(unit) if unit is not None else None  # unit comes with the weight slider
    mean_text, max_text = weight_stats(s1, weight.value) if s1 is not None and weight is not None else (
        fmt(s["mean"]), fmt(s["max"]))
    if present:
        _share_chart(a, s, CATALOG[name].name, weight, s1, (mean_text, max_text), present)
        with details if details is not None else st.container():
            _metrics(ds, s, name, mean_text, max_text)
            _dominant_tables(ds, a, s, present)
        return
    _metrics(ds, s, name, mean_text, max_text)
    _dominant_tables(ds, a, s, present)
    _share_chart(a, s, CATALOG[name].name, weight, s1, (mean_text, max_text), present)
    _every_sample(ds, a)


def _grad_name(ds: own_data.Dataset) -> str:
    return "|gradient| (norm over classes)" if ds.pred.ndim == 2 else "gradient dL/dpred"


def _metrics(ds: own_data.Dataset, s: dict[str, float], name: str, mean_text: str, max_text: str) -> None:
    # two rows of two: four metrics in a row left the last label about 60 px at 1024 px ("Top 10% of sa...")
    c1, c2 = st.columns(2)
    c3, c4 = st.columns(2)
    c1.metric("Samples", f"{ds.n:,}")
    c2.metric("Mean loss", mean_text, help="The average of the per-sample losses (what a trainer minimises).")
    c3.metric("Largest loss", max_text)
    c4.metric("Loss in top 10%", f"{s['top10_loss_share']:.0%}",
              help="Share of the total loss (sum of |loss|) carried by the tenth of the samples with the largest "
                   "loss.")
    if name == "PoissonNLLLoss":
        st.caption(f"PoissonNLLLoss itself returns one number, the mean over all samples: {fmt(s['reduced'])}. "
                   "The table splits it into each sample's term.")


def _dominant_tables(ds: own_data.Dataset, a: Analysis, s: dict[str, float], present: bool) -> None:
    if not present:  # (on a projector the expander they fold into says it)
        st.subheader("The samples that dominate")
    top = own_data_analysis.dominant(a, TOP)
    scores = ds.pred.ndim == 2
    total = float(abs(a.values).sum()) or 1.0
    gtotal = float(a.grad_size.sum()) or 1.0
    where = [ds.where(int(i)) for i in top]
    # two tables of the same samples, the loss and the gradient: seven columns in one ran past the column's
    # width at 1024 px and hid the last behind a horizontal scroll
    losses = pd.DataFrame({
        "where": where,
        "prediction": [", ".join(f"{v:.3g}" for v in ds.pred[i]) if scores else float(ds.pred[i]) for i in top],
        "label": ds.label[top],
        "loss": a.values[top],
        "loss share": abs(a.values[top]) / total,
    })
    st.dataframe(losses, hide_index=True, width="stretch", column_config={
        "where": st.column_config.TextColumn(width="small"),
        "prediction": st.column_config.Column(width=None if scores else "small"),
        "label": st.column_config.NumberColumn(width="small"),
        "loss": st.column_config.NumberColumn(format="%.4g", width="small"),
        "loss share": st.column_config.NumberColumn(
            format="percent", help="Share of the total loss (sum of |loss|)", width="small"),
    })
    grads = pd.DataFrame({
        "where": where,
        _grad_name(ds): a.grad_size[top] if scores else a.grad[top],
        "|gradient| share": a.grad_size[top] / gtotal,
    })
    st.dataframe(grads, hide_index=True, width="stretch", column_config={
        "|gradient| share": st.column_config.ProgressColumn(
            format="percent", min_value=0.0, max_value=1.0, help="Share of the total |gradient|"),
    })
    st.caption(f"The {len(top)} samples with the largest loss. Their gradient is the push each one gives its own "
               f"prediction; with a mean over the batch, training scales every push by 1/{ds.n:,}. The top 10% "
               f"carry {s['top10_grad_share']:.0%} of the total gradient.")


def _share_chart(a: Analysis, s: dict[str, float], loss_name: str, weight: ClientSlider | None,
                 s1: dict[str, float] | None, texts: tuple[str, str], present: bool) -> None:
    frac, cum = own_data_analysis.cumulative_share(a)
    # shares do not change with the loss's weight; rounded far below what the chart shows, so that a weight
    # sends the same figure again (not drawn again) instead of one that differs in the last bits
    frac, cum = np.round(frac, 9), np.round(cum, 9)
    alt = (f"Line chart of the share of the total loss against the share of samples, taken from the largest loss "
           f"down: the top 10% of samples carry {s['top10_loss_share']:.0%} of the loss and the single largest "
           f"{s['top1_loss_share']:.0%}. The dotted diagonal is what equal losses would give.")
    fig = share_figure(tuple(frac.tolist()), tuple(cum.tolist()), loss_name, present)
    if weight is None or s1 is None:
        plotly_chart(fig, key="od_chart", alt=alt)
    else:
        unit = s1
        plotly_chart(fig, key="od_chart", alt=alt, sliders=[weight],
                     stats=[Stat("mean loss at this weight", texts[0]), Stat("largest loss at this weight", texts[1])],
                     frames={weight.id: frame_table(weight, lambda ws: {
                         "stats": [weight_stats(unit, float(w)) for w in ws]})})
    st.caption(alt)


def _every_sample(ds: own_data.Dataset, a: Analysis) -> None:
    with st.expander(f"Every sample ({ds.n:,})"):
        n = min(ds.n, SHOWN_ROWS)
        every = pd.DataFrame({"where": [ds.where(i) for i in range(n)], "loss": a.values[:n],
                              _grad_name(ds): (a.grad_size if ds.pred.ndim == 2 else a.grad)[:n]})
        st.dataframe(every, hide_index=True, height=300)
        if ds.n > n:
            st.caption(f"The first {n:,} samples; the download has all {ds.n:,}.")
    st.download_button("Download every sample's loss and gradient (CSV)",
                       data=lambda: own_data_analysis.results_csv(ds, a), file_name="per_sample_loss.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:", key="od_download")


@cache_resource(max_entries=16, show_spinner=False)
def share_figure(frac: tuple[float, ...], cum: tuple[float, ...], loss_name: str, present: bool = False) -> go.Figure:
    """The share of the total loss against the share of samples (largest loss first), with the diagonal that
    equal losses would give; on a projector with its text, lines and colours (and a height fitted to the screen)
    as the other charts there. Kept: read-only, its JSON made once."""
    data = [dict(type="scatter", x=[0, 1], y=[0, 1], mode="lines", name="equal losses",
                 line=dict(color="#999999", dash="dot"), hoverinfo="skip"),
            dict(type="scatter", x=frac, y=cum, mode="lines", name=loss_name, line=dict(color="#0072B2", width=3),
                 hovertemplate="top %{x:.1%} of samples: %{y:.1%} of the loss<extra></extra>")]
    layout = dict(height=320, margin=dict(l=60, r=12, t=30, b=48), paper_bgcolor="rgba(0,0,0,0)",
                  plot_bgcolor="rgba(0,0,0,0)", legend=dict(orientation="h", y=1.02, yanchor="bottom"),
                  xaxis=dict(title=dict(text="share of samples (largest loss first)"), tickformat=".0%",
                             range=[0, 1], gridcolor="rgba(128,128,128,0.25)"),
                  yaxis=dict(title=dict(text="share of the total loss"), tickformat=".0%", range=[0, 1.02],
                             gridcolor="rgba(128,128,128,0.25)"))
    if present:
        data, layout = for_projector(data, layout)
        layout.update(font=dict(size=PRESENT_FONT), meta={"fit": list(PRESENT_FIT)},
                      margin=dict(l=96, r=12, t=40, b=72))
    return go.Figure(data=data, layout=layout)


def _places(present: bool) -> tuple[Any, Any, Any]:
    """Where the workspace goes: its settings and data, what the loss makes of them, and (on a projector) the
    metrics and tables. On a page two columns; on a projector the settings and data and the tables fold into two
    expanders side by side, so the loss-share chart, its slider and numbers take the screen under them."""
    if not present:
        left, right = st.columns([1, 2.3], gap="medium")
        return left, right, None
    settings, tables = st.columns(2, gap="small")
    return settings.expander("Data and settings"), st.container(), tables.expander("The samples that dominate")


@st.fragment
def workspace(name: str, present: bool) -> None:
    """The loss's parameters, the data and what the loss makes of it. A fragment: a parameter or the data
    reruns only this part of the page (the loss picked above reruns all of it)."""
    spec, rule = CATALOG[name], own_data.LOSSES[name]
    left, right, details = _places(present)
    # with live charts the weight is a browser-side slider under the loss-share chart: it scales the numbers only
    live_weight = live_charts_enabled() and any(p.name == "weight" for p in spec.params)
    with left:
        params = param_controls(spec, PREFIX[name], skip=(*rule.skip, "weight") if live_weight else rule.skip)
    weight = None
    if live_weight:
        (params["weight"],), (weight,) = section_sliders(
            st, [SliderDef.of(spec.param("weight"), control_key(PREFIX[name], "weight"))])
    with left:
        st.caption(spec.label_convention)
        urlstate.guard_choice("od_src", options=SOURCES, default="paste")
        source = st.radio("Where the data comes from", SOURCES, key="od_src", bind=BIND, horizontal=True,
                          captions=["type or paste numbers", f"a CSV file up to {own_data.MAX_UPLOAD_MB} MB"])
        if source == "paste":
            st.button("Example data for this loss", key="od_example", on_click=load_example, args=(name, params),
                      help="Replace both boxes with a small example that fits the loss and its settings.")
            if rule.multiclass:
                pred_text = capped_text_area(
                    st, "Predictions: one row of class scores per sample", EXAMPLE_SCORES, key="od_scores", height=150,
                    max_chars=own_data.MAX_PASTE_CHARS, persist_state="session",
                    help="One line per sample, the scores separated by commas or spaces.")
                label_text = capped_text_area(
                    st, "Labels: the class of each sample", EXAMPLE_CLASSES, key="od_classes", height=80,
                    max_chars=own_data.MAX_PASTE_CHARS, persist_state="session",
                    help="Class indices 0, 1, ... in the order of the rows above.")
            else:
                pred_text = capped_text_area(
                    st, "Predictions", EXAMPLE_PRED, key="od_pred", height=110, max_chars=own_data.MAX_PASTE_CHARS,
                    persist_state="session", help="Numbers separated by commas, spaces, semicolons or new lines.")
                label_text = capped_text_area(
                    st, "Labels", EXAMPLE_LABEL, key="od_label", height=110, max_chars=own_data.MAX_PASTE_CHARS,
                    persist_state="session", help="One label per prediction, in the same order.")
            upload = None
        else:
            pred_text = label_text = ""
            upload = st.file_uploader(
                "CSV file", type=["csv", "txt"], key="od_file", max_upload_size=own_data.MAX_UPLOAD_MB,
                help=f"One sample per line: the prediction ({'a score per class' if rule.multiclass else 'one column'})"
                     f", then the label in the last column. A first line of column names is skipped. At most "
                     f"{own_data.MAX_ROWS:,} samples.")
    with right:
        try:
            data = load(source, pred_text, label_text, upload, rule.multiclass)
            if data is None:
                st.info(f"Upload a CSV file: one sample per line, the prediction then the label (for softmax "
                        f"cross-entropy, one score per class then the class index). Up to {own_data.MAX_UPLOAD_MB} MB "
                        f"and {own_data.MAX_ROWS:,} samples.", icon=":material/upload_file:")
            else:
                unit = own_data_analysis.analyse(data, name, {**params, "weight": 1.0}) if weight is not None else None
                show(data, own_data_analysis.analyse(data, name, params), name, present, weight, unit, details)
        except own_data.DataError as exc:
            st.error(str(exc), icon=":material/error:")
            st.caption("Nothing you entered has been changed: correct the data or the settings and the page updates.")
        except Exception:  # noqa: BLE001 - a visitor must never see a traceback; the server log keeps it
            LOG.exception("Your own data: unexpected failure for loss %s", name)
            st.error("This data could not be analysed because of an unexpected problem on our side (it is recorded in "
                     "the server log). Nothing you entered has been changed; try other data or another loss.",
                     icon=":material/error:")


def own_data_section(present: bool) -> None:
    """The loss picked (a full rerun), then its workspace (a fragment)."""
    names = list(own_data.LOSSES)
    urlstate.guard_choice("od_loss", options=names, default="L2Loss")
    name = st.selectbox("Loss", names, index=names.index("L2Loss"), key="od_loss", bind=BIND,
                        help="The losses with one prediction and one label per sample, and softmax cross-entropy "
                             "(one score per class and a class index as the label).")
    workspace(name, present)
