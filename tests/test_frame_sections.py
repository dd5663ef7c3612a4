"""Sections with browser-side "frame" sliders (lossapp.frames): what the browser shows for a slider value, from
the patches the page sent in advance, is what the page itself shows when it runs at that value; and without
live charts the same sliders are Streamlit sliders with the numbers as metrics."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_charts import _decode, chart, charts, frame_patches, load_page, stats
from streamlit.testing.v1 import AppTest

from lossapp import frames
from lossapp.live_chart import ClientSlider, slider_values

SOFTMAX, DISTRIBUTIONS, EMBEDDINGS = "4_Softmax_cross_entropy.py", "5_Distributions.py", "6_Embeddings.py"
SEQUENCES = "7_Sequences.py"
MODERN = "11_Modern_classification.py"


load = load_page


#: (page, slider, value to move it to, the rest of the address)
CASES = [
    (SOFTMAX, "sm_z0", -3.5, {}),
    (SOFTMAX, "sm_z3", 9.9, {"sm_kind": "dense", "sm_y": "3"}),
    (SOFTMAX, "sm_scale", 60, {"sm_z1": "4"}),  # exp overflows float32: the float32 number is inf / nan
    (SOFTMAX, "sm_eps", 0.35, {"sm_kind": "dense", "sm_n": "5"}),
    (SOFTMAX, "ls_eps", 0.37, {"ls_c": "10", "section": "label-smoothing"}),  # the minimum's line and its label
    (SOFTMAX, "ls_eps", 0.0, {"section": "label-smoothing"}),  # no minimum: the line at the edge says so
    (MODERN, "fg_gamma", 0.75, {"section": "focal-gamma"}),  # the focal curve, the numbers and the bars
    (MODERN, "fg_gamma", 5.0, {"section": "focal-gamma", "fg_gamma": "0"}),
    (DISTRIBUTIONS, "pn_rate", 3.45, {}),
    (DISTRIBUTIONS, "klb_q2", 0.73, {}),
    (DISTRIBUTIONS, "pn_tmax", 41, {}),
    (DISTRIBUTIONS, "pn_tmax", 2, {}),
    (DISTRIBUTIONS, "klb_p0", 0.0, {}),  # KL(q ‖ p) is infinite: its term is left out
    (DISTRIBUTIONS, "klb_z1", 1.7, {"klb_in": "logits", "klb_n": "5"}),
    (EMBEDDINGS, "cos_theta", 1.2, {}),
    (EMBEDDINGS, "tri_nx", -2.0, {}),  # the Z leaves the circle: no gradient, the arrows hide
    (EMBEDDINGS, "tri_margin", 2.35, {"tri_ex": "semi-hard"}),
    (EMBEDDINGS, "tri_lr", 0.0, {}),
    (EMBEDDINGS, "sdml_smooth", 0.65, {}),  # the arrows, the mean loss and Q's cells
    (EMBEDDINGS, "sdml_lr", 0.45, {}),
    (EMBEDDINGS, "tri_py", -1.3, {"tri_weight": "2"}),
    (EMBEDDINGS, "cos_theta", 3.14, {"cos_label": "-1", "cos_margin": "0.3", "cos_theta": "2.9"}),
    (EMBEDDINGS, "cos_margin", 0.15, {}),  # the margin line and the label −1 curve move
    (EMBEDDINGS, "cos_margin", -0.1, {"cos_label": "-1", "cos_theta": "1.7"}),
    (EMBEDDINGS, "cos_weight", 1.3, {"cos_theta": "0.6"}),
    (EMBEDDINGS, "cos_sw", 0.8, {"cos_label": "-1", "cos_margin": "0.5"}),
    # every target weight 0: no distribution, the page says so and keeps the sliders
    (DISTRIBUTIONS, "klb_q4", 0.0, {"klb_n": "5", "klb_q0": "0", "klb_q1": "0", "klb_q2": "0", "klb_q3": "0"}),
    (DISTRIBUTIONS, "pn_rate", 0.05, {"pn_counts": "0, 0, 9", "pn_full": "true"}),
    # the tutorial's KL example: the weight scales the numbers and leaves the bars alone
    (DISTRIBUTIONS, "kl_weight", 2.5, {}),
    (DISTRIBUTIONS, "kl_weight", 0.3, {"kl_weight": "0", "kl_sw": "2"}),  # from weight 0
    # CTC: every chart follows (cells, their texts, the gradient's colour range, the numbers over the charts)
    (SEQUENCES, "ctc_temp", 1.2, {}),
    (SEQUENCES, "ctc_sharp", 4.0, {"ctc_scores": "peaky", "ctc_extra": "OG"}),
    (SEQUENCES, "ctc_weight", 1.2, {"ctc_sw": "2"}),
    (SEQUENCES, "ctc_sw", 0.8, {"ctc_t": "12", "ctc_word": "BOOK"}),
    # fewer valid steps: fewer bars, boxes and allowed moves (rows of another length)
    (SEQUENCES, "ctc_plen", 6, {"ctc_scores": "random", "ctc_seed": "3"}),  # 2 below T = 8
    (SEQUENCES, "ctc_plen", 11, {"ctc_t": "12", "ctc_plen": "9", "ctc_llen": "2"}),
    # another number of steps: every chart at another size, the step axes' ticks too; pred_lengths follows T
    # while it is all of them, and stays where the reader put it otherwise
    (SEQUENCES, "ctc_t", 10, {}),
    (SEQUENCES, "ctc_t", 6, {"ctc_scores": "random", "ctc_seed": "2", "ctc_word": "BOOK"}),
    (SEQUENCES, "ctc_t", 11, {"ctc_t": "12", "ctc_plen": "9", "ctc_temp": "1.5"}),
    # fewer or more letters of the label: the lattice's rows (and their ticks), the loss per step, the gradient
    (SEQUENCES, "ctc_llen", 2, {}),
    (SEQUENCES, "ctc_llen", 4, {"ctc_word": "BOOK", "ctc_t": "9", "ctc_llen": "3", "ctc_scores": "random"}),
]


@pytest.mark.parametrize("page, key, value, query", CASES, ids=[f"{k}={v}" for _, k, v, _ in CASES])
def test_a_frame_patch_shows_what_the_page_shows_at_that_value(page, key, value, query):
    at = load(page, **query)
    there = load(page, **{**query, key: f"{value:g}"})
    assert (stats(there), [c.raw for c in charts(there)]) != (stats(at), [c.raw for c in charts(at)])
    patched = 0
    for shown, patch in frame_patches(at, key, float(value)):
        assert not patch["missing"]
        if patch["stats"] is not None:
            assert patch["stats"] == [text for _, text, _ in chart(there, shown.key).stats]
            patched += patch["stats"] != [text for _, text, _ in shown.stats]
        for index, attrs in patch["traces"].items():
            trace = chart(there, shown.key).data[int(index)]
            for attr, row in attrs.items():
                if isinstance(np.ravel(np.array(row, dtype=object))[0], (str, bool)):  # labels (a matrix's too)
                    assert row == trace.get(attr, True), f"{shown.key} trace {index}.{attr}"  # labels, visibility
                else:
                    if len(shape := _shape(trace[attr])) > 1:  # a matrix (a heatmap's cells) is sent as one
                        assert np.shape(row) == shape, f"{shown.key} trace {index}.{attr}"
                    drawn, row = _decode(trace[attr]), np.ravel(np.array(row, dtype=float))  # a matrix row by row
                    assert np.isnan(row[drawn.size:]).all()  # points past the drawn ones are gaps (not drawn)
                    np.testing.assert_allclose(row[:drawn.size], drawn, rtol=1e-6, atol=1e-7,
                                               err_msg=f"{shown.key} trace {index}.{attr}")
                patched += 1
        layout = chart(there, shown.key).spec["layout"]
        for index, attrs in patch.get("shapes", {}).items():
            drawn = layout["shapes"][int(index)]
            assert attrs == {attr: pytest.approx(drawn[attr]) for attr in attrs}
        for index, attrs in patch.get("annotations", {}).items():  # positions and texts (a margin line's label)
            drawn = layout["annotations"][int(index)]
            assert attrs == {attr: drawn[attr] if isinstance(drawn[attr], str) else pytest.approx(drawn[attr])
                             for attr in attrs}
        for axis, attrs in patch.get("axes", {}).items():  # a fitted axis range; an index axis's ticks
            for attr, row in attrs.items():
                if attr == "range":
                    np.testing.assert_allclose(row, layout[axis]["range"], rtol=1e-12)
                else:
                    assert list(row) == list(layout[axis][attr]), f"{shown.key} {axis}.{attr}"
    assert patched, "no patch changes a trace or a number"


def _shape(arr) -> tuple[int, ...]:
    """The shape of a trace attribute as the page sent it (a typed array names its shape)."""
    if isinstance(arr, dict):
        return tuple(int(n) for n in str(arr.get("shape", len(_decode(arr)))).split(","))
    return np.shape(np.array(arr, dtype=object))


@pytest.mark.parametrize("key, query, low, high", [
    ("cos_theta", {"cos_theta": "1"}, 0.5, 1.5),  # 50 steps of 0.01 either side
    ("cos_theta", {"cos_theta": "0.2"}, 0.0, 0.7),  # cut at the slider's end
    ("klb_z1", {"klb_in": "logits", "klb_z1": "-4.9"}, -5.0, -4.4),
])
def test_fine_sliders_send_a_window_of_patches_around_their_value(key, query, low, high):
    page = EMBEDDINGS if key.startswith("cos") else DISTRIBUTIONS
    at = load(page, **query)
    for c in charts(at):
        if key in c.frames:
            values = c.frames[key]["values"]
            assert (values[0], values[-1]) == (pytest.approx(low), pytest.approx(high))


def test_ctc_steps_frames_redraw_every_chart_at_its_new_size():
    """T 8 -> 10 in the browser: each chart's patch, laid over the figure shown, gives the figure the page draws at
    T = 10 (every attribute the browser draws from: cells, their hover names, ticks, lines, bars)."""
    at, there = load(SEQUENCES), load(SEQUENCES, ctc_t="10")
    drawn_there = {c.key: c.spec for c in charts(there)}
    for shown, patch in frame_patches(at, "ctc_t", 10.0):
        want = drawn_there[shown.key]
        for index, trace in enumerate(shown.data):
            got = {**trace, **patch["traces"].get(str(index), {})}
            for attr in ("x", "y", "z", "customdata"):
                if attr in want["data"][index]:
                    assert np.shape(got[attr]) == _shape(want["data"][index][attr]), f"{shown.key} {index}.{attr}"
        for axis in ("xaxis", "yaxis"):
            for attr in ("tickvals", "ticktext", "range"):
                if attr in want["layout"].get(axis, {}):
                    got = patch["axes"].get(axis, {}).get(attr, shown.spec["layout"][axis].get(attr))
                    assert list(got) == list(want["layout"][axis][attr]), f"{shown.key} {axis}.{attr}"


def test_ctc_frames_leave_a_label_that_becomes_infeasible_to_the_server():
    # CAT needs 3 valid steps: at 2 the lattice has no complete path and the loss-per-step chart goes away
    at = load(SEQUENCES, ctc_t="4", ctc_plen="4")
    tables = {c.key: c.frames["ctc_plen"] for c in charts(at) if "ctc_plen" in c.frames}
    assert set(tables) == {"ctc_softmax", "ctc_states", "ctc_steps", "ctc_grad"}
    for table in tables.values():
        values = table["values"]
        assert values == [2.0, 3.0, 4.0]  # 2 steps either side, cut at the slider's end (T)
        assert [values[k] for k in table.get("missing", [])] == [2.0]
    for _, patch in frame_patches(at, "ctc_plen", 3.0):  # 3 steps: still feasible, drawn in the browser
        assert not patch["missing"]
        assert patch["stats"] is None or float(patch["stats"][0]) > 0


def test_ctc_strength_has_no_browser_side_slider_while_it_does_nothing():
    shown = {s["id"] for c in charts(load(SEQUENCES, ctc_scores="uniform")) for s in c.controls}
    assert "ctc_temp" in shown and "ctc_sharp" not in shown
    assert "ctc_sharp" in {s["id"] for c in charts(load(SEQUENCES)) for s in c.controls}


@pytest.mark.parametrize("page, key, query", [
    (SOFTMAX, "sm_z0", {"sm_z0": "1.5"}),
    (SEQUENCES, "ctc_temp", {"ctc_temp": "2.5", "ctc_plen": "6", "ctc_scores": "peaky"}),
])
def test_frame_sections_fall_back_to_streamlit_sliders_and_metrics(monkeypatch, page, key, query):
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    at = load(page, **query)
    assert at.slider(key=key).value == float(query[key])
    shown = {m.label: m.value for m in at.metric}
    live = stats(load_live(page, monkeypatch, **query))
    assert live and all(shown[label] == text for label, text in live.items())


def test_ctc_strength_is_a_greyed_out_streamlit_slider_without_live_charts(monkeypatch):
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    assert load(SEQUENCES, ctc_scores="uniform").slider(key="ctc_sharp").proto.disabled
    assert not load(SEQUENCES).slider(key="ctc_sharp").proto.disabled


def load_live(page: str, monkeypatch, **query: str) -> AppTest:
    monkeypatch.delenv("LOSSAPP_PLAIN_CHARTS", raising=False)
    return load(page, **query)


def test_frame_table_checks_its_rows():
    s = ClientSlider("k", "k", 0.0, 1.0, 0.25, 0.5, "frame")
    table = frames.frame_table(s, lambda v: {"traces": {0: {"y": np.stack([v, 2 * v], axis=1)}},
                                             "stats": v[:, None] ** 2})
    assert table["values"] == [0.0, 0.25, 0.5, 0.75, 1.0]
    np.testing.assert_array_equal(_decode(table["traces"]["0"]["y"]), [0, 0, .25, .5, .5, 1, .75, 1.5, 1, 2])
    assert table["traces"]["0"]["y"]["shape"] == "5,2"
    np.testing.assert_array_equal(_decode(table["stats"]), [0, 0.0625, 0.25, 0.5625, 1])
    with pytest.raises(ValueError, match="one row per slider value"):
        frames.frame_table(s, lambda v: {"traces": {0: {"y": v[:3]}}})
    with pytest.raises(ValueError, match=r"stats need shape \(5, number of stats\)"):
        frames.frame_table(s, lambda v: {"stats": v})


def test_cosine_margin_and_weights_fall_back_to_streamlit_sliders(monkeypatch):
    """Without live charts the cosine section's margin, weight and sample_weight are Streamlit sliders beside the
    tutorial's example again; with them, browser-side sliders under the vectors chart, giving the same numbers."""
    query = {"cos_margin": "-0.5", "cos_weight": "2", "cos_sw": "3", "cos_example": "orthogonal"}
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    plain = load(EMBEDDINGS, **query)
    assert {"cos_margin", "cos_weight", "cos_sw", "cos_theta"} <= {s.key for s in plain.slider}
    plain_metrics = {m.label: m.value for m in plain.metric}
    assert plain_metrics["cosine embedding loss"] == "3.0000"  # 2 · 3 · (0 − (−0.5))
    live = load_live(EMBEDDINGS, monkeypatch, **query)
    assert not {"cos_margin", "cos_weight", "cos_sw"} & {s.key for s in live.slider}
    ids = [s["id"] for s in chart(live, "cos_vectors").controls]
    assert ids == ["cos_theta", "cos_margin", "cos_weight", "cos_sw"]
    assert {m.label: m.value for m in live.metric}["cosine embedding loss"] == "3.0000"
    assert all(plain_metrics[label] == text for label, text in stats(live).items())


def test_figure_columns_keep_what_moves():
    """Columns from whole figures: a trace attribute, a shape position, an annotation's position and text and an
    explicit axis range that change are kept, what stays is not; a figure with another number of shapes is
    missing."""
    def fig(a: float, shapes: int = 1) -> tuple[list[dict], dict]:
        return ([{"type": "scatter", "x": [0, 1], "y": [a, 2 * a]}, {"type": "scatter", "x": [0, 1], "y": [5, 5]}],
                {"shapes": [{"type": "line", "x0": a, "x1": a, "y0": 0, "y1": 1}] * shapes,
                 "annotations": [{"x": a, "y": 1, "text": f"a = {a:g}"}], "yaxis": {"range": [0, 2 * a]}})

    cols = frames.figure_columns(fig(1.0), [fig(0.5), fig(1.0), fig(2.0, shapes=2)])
    assert set(cols["traces"]) == {0} and set(cols["traces"][0]) == {"y"}
    np.testing.assert_array_equal(cols["traces"][0]["y"][:2], [[0.5, 1.0], [1.0, 2.0]])
    assert cols["shapes"] == {0: {"x0": [0.5, 1.0, 1.0], "x1": [0.5, 1.0, 1.0]}}  # the missing row keeps the drawn
    assert cols["annotations"] == {0: {"x": [0.5, 1.0, 1.0], "text": ["a = 0.5", "a = 1", "a = 1"]}}
    np.testing.assert_array_equal(cols["layout"]["yaxis"]["range"], [[0, 1], [0, 2], [0, 2]])
    assert cols["missing"] == [2]
    s = ClientSlider("k", "k", 0.0, 1.0, 0.5, 0.5, "frame")
    table = frames.frame_table(s, lambda v: cols)
    assert table["annotations"]["0"]["text"] == {"list": ["a = 0.5", "a = 1", "a = 1"]}
    np.testing.assert_array_equal(_decode(table["annotations"]["0"]["x"]), [0.5, 1.0, 1.0])
    assert table["missing"] == [2]


def test_as_scales_sends_a_weight_as_one_number_per_value():
    drawn = [{"y": np.array([1.0, -2.0, 4.0])}, {"y": np.array([1.0, 2.0, 3.0])}, {"y": np.zeros(3)}]
    cols = {"traces": {0: {"y": np.array([[0.5, -1.0, 2.0], [3.0, -6.0, 12.0]])},  # 0.5 and 3 times the drawn
                       1: {"y": np.array([[1.0, 2.0, 3.5], [2.0, 4.0, 6.0]])},  # not one factor per row
                       2: {"y": np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])}}}  # nothing to scale
    out = frames.as_scales(cols, drawn)
    np.testing.assert_allclose(out["scale"][0], [0.5, 3.0])
    assert set(out["traces"]) == {1, 2}
    s = ClientSlider("k", "k", 0.0, 1.0, 1.0, 0.0, "frame")
    table = frames.frame_table(s, lambda v: out)
    np.testing.assert_allclose(_decode(table["scale"]["0"]), [0.5, 3.0])


def test_a_window_holds_the_values_of_the_slider_near_its_value():
    """window_values works out only the steps near the value; it must give exactly the values of the whole
    slider (slider_values) that lie within reach, at the ends and with a last step shorter than the others."""
    rng = np.random.default_rng(0)
    for _ in range(2000):
        step = float(rng.choice([0.01, 0.05, 0.1, 0.3, 0.5, 1.0]))
        low = round(float(rng.uniform(-5, 5)), 2)
        high = low + step * int(rng.integers(1, 60)) + float(rng.choice([0.0, 0.0, step / 3]))
        probe = ClientSlider("k", "k", low, high, step, low, "frame")
        s = ClientSlider("k", "k", low, high, step, probe.snap(float(rng.uniform(low, high))), "frame")
        window = int(rng.integers(0, 6))
        whole = [v for v in slider_values(s) if abs(v - s.value) <= (window + 0.5) * step]
        assert frames.window_values(s, window) == whole, (low, high, step, s.value, window)
