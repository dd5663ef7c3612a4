"""The CTC section: one word, editable activations, the alignment lattice with its posteriors, the best path,
the loss per step and the gradient."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np
import streamlit as st

from lossapp import ctc_lattice, deep_figures, figures, urlstate
from lossapp.bound_widgets import bound_number, bound_radio
from lossapp.caching import cache_data, cache_resource
from lossapp.charts import captioned_chart
from lossapp.controls import BIND, SAMPLE_WEIGHT, bound_slider, control_key, param_controls, parse_array
from lossapp.counterparts import show_counterparts
from lossapp.formatting import fmt, nums
from lossapp.frames import SliderDef, figure_columns, frame_table, section_sliders, show_stats, window_values
from lossapp.live_chart import ClientSlider, Stat, live_charts_enabled, plotly_chart
from lossapp.offline_export import offline_download
from lossapp.predict_panel import ctc_questions, gate, predict_on
from losscore.catalog import CATALOG


def ctc_numbers(word: str, extra: str, steps: int, preset: str, strength: float, temperature: float, seed: int,
                edited: tuple | None, layout: str, label_layout: str, weight: float, sample_weight: float,
                pred_length: int, label_length: int) -> dict:
    """The CTC view's numbers: preset (or typed) activations divided by the temperature, through
    :func:`lossapp.deep_dives.ctc_analysis`; also the activations before the temperature (``scores``) and the
    valid steps used (``pred_length``).
    :func:`ctc_view` is the same, cached."""
    return ctc_numbers_along(dict(zip(CTC_VIEW_ARGS, (
        word, extra, steps, preset, strength, temperature, seed, edited, layout, label_layout, weight, sample_weight,
        pred_length, label_length), strict=True)))[0]


#: The CTC view's arguments that :func:`ctc_numbers_along` can vary within one batch.
CTC_BATCH_ARGS = ("steps", "strength", "temperature", "pred_length")


def ctc_numbers_along(kw: dict[str, Any], arg: str | None = None, values: Sequence = ()) -> list[dict]:
    """:func:`ctc_numbers` of the view ``kw`` (``CTC_VIEW_ARGS`` by name), or, given ``arg`` (one of
    :data:`CTC_BATCH_ARGS`), of ``kw`` with ``arg`` set to each of ``values``: one batched analysis
    (:func:`lossapp.deep_dives.ctc_analyses`) for all of them. Another number of steps also moves
    pred_length as the page's slider does: with T while it is all of them, else at most T."""
    if arg is not None and arg not in CTC_BATCH_ARGS:
        raise ValueError(f"arg must be one of {CTC_BATCH_ARGS}; got {arg!r}")
    if arg == "steps":
        follows = kw["pred_length"] == kw["steps"]
        settings = [{**kw, "steps": v, "pred_length": v if follows else min(kw["pred_length"], v)} for v in values]
    else:
        settings = [kw] if arg is None else [{**kw, arg: v} for v in values]
    vocab = ctc_lattice.ctc_vocabulary(kw["word"], kw["extra"])
    if kw["preset"] == "edit" and kw["edited"] is not None:
        typed = np.array(kw["edited"], dtype=np.float64)
        scores = [typed] * len(settings)
    elif arg in ("strength", "steps"):
        scores = [ctc_lattice.ctc_preset_scores(kw["word"], vocab, s["steps"], kw["preset"], s["strength"], kw["seed"])
                  for s in settings]
    else:
        scores = [ctc_lattice.ctc_preset_scores(kw["word"], vocab, kw["steps"], kw["preset"], kw["strength"],
                                       kw["seed"])] * len(settings)
    longest = max(sc.shape[0] for sc in scores)  # fewer steps: padded with zeros past them (never read)
    x = np.zeros((len(settings), longest, len(vocab)))
    for i, (sc, s) in enumerate(zip(scores, settings, strict=True)):
        x[i, :sc.shape[0]] = sc / s["temperature"]
    results = ctc_lattice.ctc_analyses(x, kw["word"], vocab, layout=kw["layout"], label_layout=kw["label_layout"],
                              weight=kw["weight"], sample_weight=kw["sample_weight"],
                              pred_lengths=[s["pred_length"] for s in settings], label_length=kw["label_length"],
                              steps=[sc.shape[0] for sc in scores])
    for r, sc, s in zip(results, scores, settings, strict=True):
        r["scores"], r["pred_length"] = sc, s["pred_length"]
    return results


ctc_view = cache_data(max_entries=256, show_spinner=False)(ctc_numbers)


_WORD = re.compile(r"[A-Z]{1,12}")


_EXTRA = re.compile(r"[A-Z]{0,8}")


def _matrix_text(x: np.ndarray) -> str:
    """Activations as the CTC text area shows them: one line per step, rounded to 2 decimals."""
    return "\n".join(", ".join(f"{round(float(v), 2) + 0.0:g}" for v in row) for row in x)


def _ctc_start_editing() -> None:
    """Switching to "edit" starts from the activations on screen."""
    if st.session_state.get("ctc_scores") == "edit" and "_ctc_shown" in st.session_state:
        st.session_state["ctc_x"] = st.session_state["_ctc_shown"]


def _ctc_vocab_changed() -> None:
    """A new word or vocabulary in edit mode: restart from an aligned path of the right width."""
    if st.session_state.get("ctc_scores") != "edit":
        return
    word = str(st.session_state.get("ctc_word", "CAT")).strip().upper()
    extra = str(st.session_state.get("ctc_extra", "")).strip().upper()
    if _WORD.fullmatch(word) and _EXTRA.fullmatch(extra):
        vocab = ctc_lattice.ctc_vocabulary(word, extra)
        steps = max(int(st.session_state.get("ctc_t", 8)), ctc_lattice.ctc_min_steps(word))
        st.session_state["ctc_x"] = _matrix_text(ctc_lattice.ctc_preset_scores(word, vocab, steps, "aligned", 3.0, 0))


def _follow(key: str, high: int, memo: str, *, in_address: bool = False) -> None:
    """Keep the slider value ``key`` within [0, high] when ``high`` changes; a value at the old maximum (the
    default, "everything") moves with it. ``memo`` remembers the maximum between runs. A Streamlit slider's
    value is in the session state; a browser-side slider's (``in_address``) in the page address."""
    value: Any = st.session_state.get(key)
    if in_address:
        try:
            value = float(st.query_params[key]) if key in st.query_params else None
        except ValueError:  # not a number: client_slider reports it
            value = None
    before = st.session_state.get(memo)
    if value is not None and (value > high or (before is not None and value == before != high)):
        if in_address:
            st.query_params[key] = str(high)
        else:
            st.session_state[key] = high
    st.session_state[memo] = high


#: The CTC view's sliders that keep the charts' shapes (the number of steps and of lattice rows); T and
#: label_lengths are frame sliders too (:data:`CTC_STEPS`, :func:`ctc_label_length`).
CTC_STRENGTH = SliderDef("ctc_sharp", "score strength", 0.0, 10.0, 3.0, 0.5,
                         "Activation of the chosen class per step (aligned, peaky) or noise scale (random).")


CTC_TEMPERATURE = SliderDef("ctc_temp", "temperature", 0.1, 5.0, 1.0, 0.1,
                            "The activations are divided by it before the softmax: below 1 sharpens the "
                            "probabilities, above 1 flattens them.")


CTC_WEIGHT = SliderDef.of(CATALOG["CTCLoss"].param("weight"), control_key("ctc", "weight"))


CTC_SAMPLE_WEIGHT = SliderDef.of(SAMPLE_WEIGHT, "ctc_sw")


#: The argument of :func:`ctc_view` each slider sets (the order of its arguments, by name).
CTC_VIEW_ARGS = ("word", "extra", "steps", "preset", "strength", "temperature", "seed", "edited", "layout",
                 "label_layout", "weight", "sample_weight", "pred_length", "label_length")


CTC_SLIDER_ARGS = {"ctc_t": "steps", "ctc_llen": "label_length", "ctc_sharp": "strength", "ctc_temp": "temperature",
                   "ctc_weight": "weight", "ctc_sw": "sample_weight", "ctc_plen": "pred_length"}


#: Each CTC slider's frames cover this many steps either side of its value (a CTC analysis per value, batched
#: per slider, and the four charts: the section's largest cost); beyond them the charts wait for the server.
CTC_WINDOW = 2


#: The trace attributes of the CTC charts that frames carry (heatmap cells and their texts, colour range).
CTC_FRAME_ATTRS = ("x", "y", "z", "text", "customdata", "zmin", "zmax", "visible")


#: The number of time steps: a frame slider too (with live charts, unless the scores are typed in); its frames
#: hold whole charts of other sizes (rows of another length, and the step axis's ticks).
CTC_STEPS = SliderDef("ctc_t", "time steps T", 1, 30, 8, 1,
                      "How many score vectors the network produced for this input (with 'edit', the number of rows "
                      "typed).")


def ctc_label_length(letters: int) -> SliderDef:
    """The label_lengths slider of a word of ``letters`` letters (a frame slider with live charts: its frames
    hold the lattice with other rows, in a chart as tall as the whole word's)."""
    return SliderDef("ctc_llen", "label_lengths", 0, letters, letters, 1,
                     "How many letters of the label count (the rest is padding).")


def ctc_slider_defs(steps: int) -> list[SliderDef]:
    """The CTC view's frame sliders for ``steps`` time steps, in the order of their values."""
    return [CTC_STRENGTH, CTC_TEMPERATURE, CTC_WEIGHT, CTC_SAMPLE_WEIGHT,
            SliderDef("ctc_plen", "pred_lengths", 0, steps, steps, 1,
                      "How many of the T steps are real (the rest is padding the loss ignores).")]


def ctc_stats(r: dict) -> list[Stat]:
    """The numbers over the CTC charts: the loss, the probability of the word and what the best path spells."""
    prob = math.exp(r["log_likelihood"]) if r["feasible"] else 0.0
    return [
        Stat("CTC loss", fmt(r["value"]) if r["feasible"] else "infeasible",
             "weight × sample_weight × (−log p(label)); 'infeasible' when the label cannot fit in the valid steps "
             "(CTCLoss then returns +inf)"),
        Stat("p(word | scores)", f"{prob:.4g}",
             "Total probability of every path that spells the label (its first label_lengths letters)."),
        Stat("best path decodes to", r["decoded"] or "(nothing)",
             "The most likely class at each step, repeats merged, blanks dropped."),
    ]


def ctc_specs(r: dict, vocab: list[str], pred_length: int, present: bool, only: Collection[str] | None = None,
              word_length: int | None = None) -> dict[str, tuple[list[dict], dict]]:
    """The CTC view's charts as plain trace and layout dicts, by chart key: class probabilities, lattice, the
    loss per step (a feasible label only) and the gradient; with ``only``, just those charts. The lattice is as
    tall as the whole word's (``word_length`` letters) needs, whatever label_lengths uses of it (its frames then
    keep the chart's height)."""
    step_names = [f"t{t}" for t in range(r["probs"].shape[0])]
    specs = {}
    if only is None or "ctc_softmax" in only:
        specs["ctc_softmax"] = deep_figures.ctc_probs_spec(
            r["probs"], vocab, r["best"], present=present,
            title="softmax(scores / temperature): class probability per time step; boxes: best class")
    if only is None or "ctc_states" in only:
        specs["ctc_states"] = deep_figures.ctc_lattice_spec(
            r["states"], r["valid"], r["edges"], r["state_names"], from_start=r["from_start"], to_end=r["to_end"],
            present=present, title="alignment lattice: posterior of each label position per step" if r["feasible"]
            else "alignment lattice: no complete path",
            height=None if word_length is None else 110 + 30 * (2 * word_length + 1))
    if r["feasible"] and (only is None or "ctc_steps" in only):
        specs["ctc_steps"] = figures.bar_spec(step_names[:pred_length],
                                              {"−log(share of probability kept)": r["step_loss"][:pred_length]},
                                              y_title="loss", present=present, height=240)
    if only is None or "ctc_grad" in only:
        specs["ctc_grad"] = figures.heatmap_spec(
            r["grad"].T, x_labels=step_names, y_labels=vocab, diverging=True,
            title="dL/dscores per step and class (orange pushes a score down, blue up)", present=present,
            height=110 + 34 * len(vocab))
    return specs


@cache_resource(max_entries=64, show_spinner=False)
def ctc_figures(args: tuple, present: bool) -> dict[str, figures.SpecFigure]:
    """The CTC view's charts (by chart key) for :func:`ctc_view`'s ``args``; read-only."""
    r = ctc_view(*args)
    kw = dict(zip(CTC_VIEW_ARGS, args, strict=True))
    vocab = ctc_lattice.ctc_vocabulary(kw["word"], kw["extra"])
    return {name: figures.SpecFigure(*spec) for name, spec in ctc_specs(
        r, vocab, kw["pred_length"], present, word_length=len(kw["word"])).items()}


@cache_data(max_entries=32, show_spinner=False)
def ctc_frames(args: tuple, present: bool, keys: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The CTC view's frames, by chart key and then slider: for each slider in ``keys``, every chart at each
    value up to :data:`CTC_WINDOW` steps either side of its current one (the others held at ``args``), and the
    numbers over the charts. A value where the label becomes feasible or infeasible (charts come or go) is
    ``missing``: the page asks the server there."""
    kw = dict(zip(CTC_VIEW_ARGS, args, strict=True))
    vocab = ctc_lattice.ctc_vocabulary(kw["word"], kw["extra"])
    shown_r = ctc_view(**kw)
    shown = {name: (fig["data"], fig["layout"]) for name, fig in ctc_figures(args, present).items()}
    letters = len(kw["word"])
    defs = {d.key: d for d in (CTC_STEPS, ctc_label_length(letters), *ctc_slider_defs(kw["steps"]))}
    out: dict[str, dict[str, Any]] = {name: {} for name in shown}
    for key in keys:
        d, arg = defs[key], CTC_SLIDER_ARGS[key]
        slider = d.at(kw[arg])
        values = window_values(slider, CTC_WINDOW)
        rows = []
        scale = kw["weight"] * kw["sample_weight"]
        weights = arg in ("weight", "sample_weight") and shown_r["feasible"] and scale != 0
        if weights:  # the loss and its gradient are linear in both: the shown numbers times the ratio, and
            # only the gradient's chart changes
            for v in values:
                factor = v * (kw["sample_weight"] if arg == "weight" else kw["weight"]) / scale
                r = {**shown_r, "value": shown_r["value"] * factor, "grad": shown_r["grad"] * factor}
                rows.append((r, ctc_specs(r, vocab, kw["pred_length"], present, only=("ctc_grad",),
                                          word_length=letters)))
        elif arg in CTC_BATCH_ARGS:  # one batched analysis for the whole window (not through ctc_view's cache)
            typed = [int(round(v)) if d.integer else float(v) for v in values]  # T too: its charts are of other
            for r in ctc_numbers_along(kw, arg, typed):  # sizes, pred_lengths following (see ctc_numbers_along)
                rows.append((r, ctc_specs(r, vocab, r["pred_length"], present, word_length=letters)))
        else:
            for v in values:  # a weight from an infeasible label or a zero weight; another label_lengths
                r = ctc_numbers(**{**kw, arg: int(round(v)) if d.integer else float(v)})
                rows.append((r, ctc_specs(r, vocab, kw["pred_length"], present, word_length=letters)))
        flips = {k for k, (r, _) in enumerate(rows) if r["feasible"] != shown_r["feasible"]}
        for name, spec in shown.items():
            figs = [specs.get(name, spec) for _, specs in rows]
            cols = ({"traces": {}, "missing": []} if all(f is spec for f in figs)  # a chart this slider leaves be
                    else figure_columns(spec, figs, CTC_FRAME_ATTRS, ragged=True))
            cols["missing"] = sorted(set(cols["missing"]) | flips)
            if name == "ctc_softmax":  # the numbers over the charts
                cols["stats"] = [[s.text for s in ctc_stats(r)] for r, _ in rows]
            out[name][key] = frame_table(slider, lambda _values, cols=cols: cols, CTC_WINDOW)  # type: ignore[misc]  # mypy#15459
    return out


@st.fragment
def ctc_section(present: bool) -> None:
    """CTC on one word: editable activations, the lattice with its posteriors, the best path, loss and gradient.

    With live charts, every slider of the view is browser-side, under the class probabilities
    (:func:`ctc_frames`): the number of steps T (its frames are whole charts of other sizes), label_lengths (the
    lattice's rows), score strength, temperature, weight, sample_weight and pred_lengths. T stays a Streamlit
    slider while the scores are typed in (their rows are the steps)."""
    spec = CATALOG["CTCLoss"]
    left, right = (st.container(), st.container()) if present else st.columns([1, 1.8], gap="medium")
    inputs = left.expander("Word and scores") if present else left  # on a projector the charts take the screen
    with inputs:
        word_text, extra_text, preset, steps, steps_slider, seed = _ctc_inputs()
    word, extra = word_text.strip().upper(), extra_text.strip().upper()
    errors = _ctc_word_errors(word_text, extra_text, word, extra)
    if errors:
        for msg in errors:
            left.error(msg)
        return
    vocab = ctc_lattice.ctc_vocabulary(word, extra)
    edited = None
    if preset == "edit":
        edited = _ctc_typed_scores(left, word, vocab, steps)
        if edited is None:
            return
        steps = len(edited)
    with inputs:
        params, values, sliders = _ctc_sliders(spec, word, steps, preset, steps_slider)
    sharpness, temperature, weight, sample_weight, pred_length, label_length = values
    args = (word, extra, steps, preset, sharpness, temperature, seed, edited, params["layout"], params["label_layout"],
            weight, sample_weight, pred_length, label_length)
    r = ctc_view(*args)
    if preset != "edit":
        st.session_state["_ctc_shown"] = _matrix_text(r["scores"])
    with right:
        # predict first: what the best path spells and whether CTC counts it or the label more, before the charts
        if predict_on("ctc") and not gate("ctc", args, ctc_questions(
                r["collapsed"], r["target"], best_path_p(r),
                math.exp(r["log_likelihood"]) if r["feasible"] else None)):
            return
        _ctc_charts(r, args, vocab, sliders, present)
    if not present:
        st.caption(
            f"Shapes passed to CTCLoss: pred {r['pred_shape']} for layout {params['layout']}, label "
            f"{r['label_shape']} for label_layout {params['label_layout']}. The layouts only say where the batch "
            "and time axes are; the loss is the same."
        )
        show_counterparts(spec)


def _ctc_inputs() -> tuple[str, str, str, int, tuple[ClientSlider, ...], int]:
    """The word, the extra letters (as typed), the kind of scores, T (with its browser-side slider, if any) and
    the random seed."""
    urlstate.guard_text("ctc_word", max_chars=12)
    word_text = st.text_input("label word", "CAT", key="ctc_word", bind=BIND, max_chars=12,
                              on_change=_ctc_vocab_changed,
                              help="Letters A to Z, at most 12. Repeated letters need a blank between them.")
    urlstate.guard_text("ctc_extra", max_chars=8)
    extra_text = st.text_input("extra letters in the vocabulary", "", key="ctc_extra", bind=BIND, max_chars=8,
                               on_change=_ctc_vocab_changed,
                               help="Letters the network may also output besides the word's own (up to 8, "
                                    "A to Z); the classes are the word's letters, these, and the blank.")
    preset = bound_radio(st, "network scores", list(ctc_lattice.CTC_PRESETS),
                         captions=list(ctc_lattice.CTC_PRESETS.values()), key="ctc_scores", bind=BIND,
                         on_change=_ctc_start_editing,
                         help="What the per-step activations look like before the softmax. 'edit' starts from "
                              "the scores on screen and lets you type each one.")
    editing = preset == "edit"
    steps_slider: tuple[ClientSlider, ...] = ()
    if live_charts_enabled() and not editing:  # under the class probabilities, with the other sliders
        (steps,), steps_slider = section_sliders(st, [CTC_STEPS])
    else:
        steps = int(bound_slider(st, CTC_STEPS.label, CTC_STEPS.low, CTC_STEPS.high, CTC_STEPS.default,
                                 CTC_STEPS.step, key=CTC_STEPS.key, bind=BIND, disabled=editing, help=CTC_STEPS.help))
    seed = int(bound_number(st, "random seed", 0, 10_000, 0, 1, key="ctc_seed", bind=BIND,
                            disabled=preset != "random", help="Seed of the random scores."))
    return word_text, extra_text, preset, steps, steps_slider, seed


def _ctc_word_errors(word_text: str, extra_text: str, word: str, extra: str) -> list[str]:
    """What is wrong with the typed word and extra letters (nothing: an empty list)."""
    errors = []
    if _WORD.fullmatch(word) is None:
        errors.append(f"label word: {urlstate.quote_token(word_text)} is not a word of 1 to 12 letters A-Z. "
                      "Expected something like "
                      "CAT.")
    if _EXTRA.fullmatch(extra) is None:
        errors.append(f"extra letters in the vocabulary: {urlstate.quote_token(extra_text)} has characters other "
                      "than the letters A-Z. "
                      "Expected up to 8 letters, e.g. OG, or nothing.")
    return errors


def _ctc_typed_scores(left, word: str, vocab: list[str], steps: int) -> tuple | None:
    """The activations typed in "edit" mode, one row per step (None, with the error shown, when they do not
    parse)."""
    default = _matrix_text(ctc_lattice.ctc_preset_scores(word, vocab, steps, "aligned", 3.0, 0))
    with left:
        urlstate.guard_text("ctc_x")
        text = st.text_area(
            "activations: one line per time step", default, key="ctc_x", bind=BIND, height=200,
            help=f"One line per time step (1 to 30 lines), one number per class in the order "
                 f"{', '.join(vocab)}; higher means more likely after the softmax.")
    try:
        mat = parse_array(text, "activations", ndim=2, shape=(None, len(vocab)))
        if mat.shape[0] > 30:
            raise ValueError(f"activations: {mat.shape[0]} lines; at most 30 time steps fit. Expected 1 to 30 "
                             "lines.")
    except ValueError as exc:
        left.error(f"{exc} One column per class: {', '.join(vocab)}.")
        return None
    return tuple(map(tuple, mat))


def _ctc_sliders(spec, word: str, steps: int, preset: str, steps_slider: tuple[ClientSlider, ...]
                 ) -> tuple[dict[str, Any], tuple, tuple[ClientSlider, ...]]:
    """The layouts, then (strength, temperature, weight, sample_weight, pred_length, label_length) and every
    browser-side slider of the view (T's first)."""
    # the length sliders' ranges follow T and the word: keep their values inside, and "all of them" stays all
    _follow("ctc_plen", steps, "_ctc_prev_t", in_address=live_charts_enabled())
    _follow("ctc_llen", len(word), "_ctc_prev_w", in_address=live_charts_enabled())
    params = param_controls(spec, "ctc", skip=("weight",))
    (label_length,), length_slider = section_sliders(st, [ctc_label_length(len(word))])
    idle = ("ctc_sharp",) if preset in ("uniform", "edit") else ()
    (sharpness, temperature, weight, sample_weight, pred_length), sliders = section_sliders(
        st, ctc_slider_defs(steps), disabled=idle)
    return (params, (sharpness, temperature, weight, sample_weight, pred_length, label_length),
            (*steps_slider, *length_slider, *sliders))


def _ctc_charts(r: dict, args: tuple, vocab: list[str], sliders: tuple[ClientSlider, ...], present: bool) -> None:
    """The numbers, the class probabilities with the best path, the lattice, the loss per step and the gradient."""
    kw = dict(zip(CTC_VIEW_ARGS, args, strict=True))
    target, pred_length = r["target"], kw["pred_length"]
    figs = ctc_figures(args, present)
    frames = ctc_frames(args, present, tuple(s.id for s in sliders)) if sliders else {}
    stats = ctc_stats(r)
    if not sliders:
        show_stats(stats)
    if not r["feasible"]:
        st.warning(f"{target} needs at least {r['need']} time steps (one per letter plus a blank between each "
                   f"pair of repeated letters); with {pred_length} valid steps no path spells it. The label is "
                   "infeasible: CTCLoss returns +inf with a zero gradient, and the lattice below has no complete "
                   "path.")

    sent: list[bytes | None] = []  # the charts as sent, for the section's offline file

    def show(name: str, alt: str, lead: bool = False) -> None:
        if not sliders:
            captioned_chart(figs[name], name, alt)
        elif lead:  # the sliders and the numbers go with the first chart; the others follow
            sent.append(plotly_chart(figs[name], key=name, alt=alt, sliders=sliders, stats=stats,
                                     frames=frames[name]))
        else:
            sent.append(plotly_chart(figs[name], key=name, alt=alt, follow=sliders, frames=frames[name]))
        if sliders and not present:  # the chart's accessible name, written out (a projector shows the chart)
            st.caption(alt)

    greedy = ", ".join(f"t{t} {s} {r['probs'][t, k]:.2f}" for t, (s, k) in
                       enumerate(zip(r["best_symbols"], r["best"], strict=True)))
    show("ctc_softmax", f"Heatmap of the class probabilities (scores divided by temperature {kw['temperature']:g}) "
                        f"for {kw['steps']} steps and classes {', '.join(vocab)}; best class and its probability "
                        f"per valid step: {greedy}.", lead=True)
    check = ("matches the label" if r["collapsed"] == target else f"is not the label {target or '(empty)'}")
    st.markdown(
        f"**Best path** (greedy decoding): {' '.join(r['best_symbols']) or '(no valid step)'} → merge repeats: "
        f"{' '.join(r['merged']) or '(nothing)'} → drop blanks: **{r['collapsed'] or '(nothing)'}**, which "
        f"{check}. " + best_path_odds(r)
    )
    if not present:
        st.info(TUTORIAL_BEST_PATH)
    # on a projector the lattice, the loss per step and the gradient take turns in tabs under the first chart
    tabs = st.tabs(["Lattice", "Loss per step", "Gradient"]) if present else [st.container()] * 3
    with tabs[0]:
        _ctc_lattice_part(r, pred_length, show, present)
    with tabs[1]:
        _ctc_steps_part(r, pred_length, show, present)
    with tabs[2]:
        _ctc_grad_part(r, vocab, show, present)
    spec = CATALOG["CTCLoss"]
    offline_download("ctc", sent, formula=spec.formula, paragraphs=(spec.summary,))


def _ctc_lattice_part(r: dict, pred_length: int, show: Callable[..., None], present: bool) -> None:
    show("ctc_states", _ctc_lattice_alt(r, pred_length))
    if not present:
        st.caption(
            "Rows are the label with a blank (·) before, between and after its letters: the states CTC's "
            "forward-backward recursion walks through. A path starts in one of the first two rows, moves "
            "down by at most one row per step (two, to skip a blank between different letters) and ends in "
            "one of the last two rows; grey lines are the allowed moves, empty cells lie on no complete "
            "path. Each cell holds the probability that the alignment is in that state at that step."
        )


def _ctc_steps_part(r: dict, pred_length: int, show: Callable[..., None], present: bool) -> None:
    if r["feasible"]:
        st.markdown("**The loss, step by step**")
        losses = r["step_loss"][:pred_length]
        show("ctc_steps", f"Bars of the loss per time step: {nums(losses, 3)}; they add up to "
                          f"−log p = {fmt(-r['log_likelihood'])}" + (
                              f", times weight × sample_weight = {fmt(r['value'])}."
                              if abs(r["value"] + r["log_likelihood"]) > 1e-9 else "."))
        if not present:
            st.caption("The forward recursion carries the probability of every path prefix that can still "
                       "become the label; each step keeps a share of it (the rest goes to symbols no "
                       "complete path can use there). The bars are −log of those shares: their sum is the "
                       "loss, and a tall bar is a step where the network spends probability elsewhere.")


def _ctc_grad_part(r: dict, vocab: list[str], show: Callable[..., None], present: bool) -> None:
    biggest = np.unravel_index(np.abs(r["grad"]).argmax(), r["grad"].shape)
    show("ctc_grad", f"Heatmap of the gradient of the CTC loss with respect to each score; sum of |gradient| "
                     f"{fmt(float(np.abs(r['grad']).sum()))}; largest at t{biggest[0]}, class "
                     f"{vocab[biggest[1]]}: {fmt(float(r['grad'][biggest]))}.")
    if not present:
        st.caption("The gradient for the scores at step t is the softmax minus the lattice posteriors gathered "
                   "by class (times the weights): it lowers classes the network over-predicts and raises the "
                   "ones the alignments need.")


#: The tutorial's sentence on CTC and best paths, and what is wrong with it (shown next to the best path).
TUTORIAL_BEST_PATH = (
    "**The tutorial says** CTC loss \"finds for each timestep the highest probability\" and \"combines the highest "
    "probabilities and returns the best path decoding\". **It does not.** CTCLoss returns −log p(label), the "
    "probabilities of *every* path that spells the label added up (the lattice below): no per-step maximum and "
    "no decoding. Taking the most likely class at each step is best-path (greedy) decoding, done separately at "
    "inference time, and it gives the labelling of the single most likely path, which need not be the most "
    "likely labelling: with two steps of P(A) = 0.4, P(blank) = 0.6, the best path · · spells nothing "
    "(p = 0.36) while A has p = 0.4·0.4 + 0.4·0.6 + 0.6·0.4 = 0.64."
)


def best_path_p(r: dict) -> float:
    """The probability of the best path alone: the likeliest class's probability at each valid step, multiplied."""
    plen = len(r["best"])
    return float(np.prod(r["probs"][np.arange(plen), r["best"]])) if plen else 1.0


def best_path_odds(r: dict) -> str:
    """The best path's own probability, its labelling's (all its paths), and whether the label beats it."""
    path_p = best_path_p(r)
    decoded, target = r["decoded"] or "(nothing)", r["target"] or "(empty)"
    p_decoded = math.exp(r["decoded_log_likelihood"])
    text = (f"That one path has probability {path_p:.4g}; all the paths spelling {decoded} together have "
            f"{p_decoded:.4g}.")
    if r["feasible"] and r["decoded"] != r["target"] and r["log_likelihood"] > r["decoded_log_likelihood"]:
        text += (f" **The label {target} is more likely** (p = {math.exp(r['log_likelihood']):.4g}): greedy "
                 "decoding did not find the most likely labelling here.")
    return text


def _ctc_lattice_alt(r: dict, pred_length: int) -> str:
    """The lattice chart's description: the cells on a complete path, or why there are none."""
    if r["feasible"]:
        peak = ", ".join(f"t{t} {r['state_names'][s]}" for t, s in enumerate(r["states"][:pred_length].argmax(1)))
        return (f"Heatmap of the alignment lattice of {' '.join(r['state_names'])}: {int(r['valid'].sum())} cells "
                f"lie on a complete path, joined by {len(r['edges'])} allowed moves; every step's posteriors sum "
                f"to 1; most likely state per step: {peak}.")
    return (f"Heatmap of the alignment lattice of {' '.join(r['state_names'])}: no cell lies on a complete "
            f"path, because {r['target']} needs {r['need']} steps and has {pred_length}. The "
            f"{int(r['from_start'].sum())} cells reachable from the start and the {int(r['to_end'].sum())} "
            "cells from which the end can still be reached never meet.")
