"""Charts that hid their lesson (issue 17): axis ranges, coinciding curves, cut labels. Figure builders and the
pages' charts under AppTest."""

from __future__ import annotations

import numpy as np
from apptest_charts import charts, load_page

from lossapp import figures
from lossapp.sections.curves import fs_view


def _loaded(page: str, **query: str):
    at = load_page(page, **query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _trace(data: list[dict], name: str) -> dict:
    return next(t for t in data if t.get("name") == name)


# -- Compare, classification preset ------------------------------------------------------------------------------
def test_compare_classification_clips_squared_hinge_and_says_so():
    chart = charts(_loaded("8_Compare.py", cmp_preset="classification"))[0]
    yaxis = chart.spec["layout"]["yaxis"]
    limits = yaxis["autorangeoptions"]
    # hinge reaches 6 at -5 and logistic 5.01: they keep at least 3/4 of the height; squared hinge (36) leaves it
    assert 6.0 / limits["maxallowed"] >= 0.74 and limits["maxallowed"] < 36
    assert "range" not in yaxis and "clipped at 8" in yaxis["title"]["text"]
    assert limits["minallowed"] < 0 < limits["maxallowed"]


def test_compare_regression_axis_is_not_clipped():
    chart = charts(_loaded("8_Compare.py", cmp_preset="regression"))[0]
    assert "autorangeoptions" not in chart.spec["layout"]["yaxis"]
    assert chart.spec["layout"]["yaxis"]["title"]["text"] == "loss"


def test_logistic_under_sigmoid_bce_stays_visible():
    at = _loaded("8_Compare.py", cmp_preset="classification")
    data = charts(at)[0].data
    logistic, bce = _trace(data, "LogisticLoss"), _trace(data, "SigmoidBinaryCrossEntropyLoss")
    assert bce["line"]["dash"] == "dot" and logistic["line"]["dash"] == "solid"
    assert logistic["line"]["width"] > 2 * bce["line"]["width"]  # the wide line shows around the dots
    assert any("dots the later one over a wide line" in c.value for c in at.caption)
    # curves that differ are left alone
    hinge = _trace(data, "HingeLoss")
    assert hinge["line"]["width"] == bce["line"]["width"] and hinge["line"]["dash"] == "solid"


def test_compare_table_gives_loss_names_their_width():
    from lossapp.sections.compare import COMPARE_NAME_WIDTH

    at = _loaded("8_Compare.py", cmp_preset="classification")
    table = at.dataframe[0].proto
    assert f'"width":{COMPARE_NAME_WIDTH}' in table.columns.replace(" ", "")
    # 29 characters at the table's ~7.5 px per character fit
    assert COMPARE_NAME_WIDTH >= 29 * 7.5 + 16


# -- Binary classification: from_sigmoid -------------------------------------------------------------------------
def test_from_sigmoid_gradient_axis_keeps_the_doubled_gradient_off_zero():
    for label in (1.0, 0.0):
        view = fs_view(0.9, label)
        _, layout = figures.curve_spec(view)
        lo, hi = (layout["yaxis2"]["autorangeoptions"][k] for k in ("minallowed", "maxallowed"))
        doubled = view.curves[1].grad
        # the doubled sigmoid's gradient is at least 8% of the axis away from zero everywhere
        assert np.abs(doubled).min() / (hi - lo) > 0.08
        assert min(abs(lo), abs(hi)) < 1 and max(abs(lo), abs(hi)) >= 3  # the right gradient's steep part clipped
        assert "clipped" in layout["yaxis2"]["title"]["text"]
        assert "gradient axis is clipped" in view.alt_text()


def test_from_sigmoid_chart_on_the_page_is_clipped_and_exports_code():
    from lossapp import export

    at = _loaded("3_Binary_classification.py")
    fs = next(c for c in charts(at) if "already a probability" in c.spec["layout"].get("title", {}).get("text", "")
              or any(t.get("name") == "from_sigmoid=True" for t in c.data))
    assert "autorangeoptions" in fs.spec["layout"]["yaxis2"]
    code = export.snippets(fs_view(0.9, 1.0))
    assert all("not the curve of a catalog loss" not in text for text in code.values())
    assert "from_sigmoid=True" in code["PyTorch"] and "BCELoss" in code["PyTorch"]


# -- Distributions: the Poisson batch ----------------------------------------------------------------------------
def _contrast_on_white(colour: str) -> float:
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 1.05 / (lum + 0.05)


def test_poisson_bars_end_near_the_counts_and_fold_the_tail():
    import math

    from lossapp import deep_dives as dd

    r = dd.poisson_counts_view((2, 0, 3, 1, 4, 2), 1.0, False, lo=0.05, hi=10.0, num=399)
    assert r["hist_labels"] == ["0", "1", "2", "3", "4", "5", "6", "7+"]  # was a bar per count up to 22
    for rate in (0.05, 1.0, 10.0):
        bars = dd.poisson_bars(r["hist_k"], rate)
        assert bars.sum() == np.float64(1.0) or abs(bars.sum() - 1.0) < 1e-12
        tail = 1.0 - sum(math.exp(-rate) * rate ** k / math.factorial(k) for k in range(7))
        assert bars[-1] == np.float64(tail) or abs(bars[-1] - tail) < 1e-12
    rows = dd.poisson_bars(r["hist_k"], np.array([0.5, 9.0]))
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, atol=1e-12)
    big = dd.poisson_counts_view((0, 30), 1.0, False, lo=0.05, hi=10.0, num=99)
    assert big["hist_labels"][-1] == "32+" and big["hist_freq"][30] == 0.5


def test_bar_charts_keep_every_category_label():
    _, layout = figures.bar_spec(["0", "1", "7+"], {"a": [0.2, 0.3, 0.5]})
    assert layout["xaxis"]["type"] == "category"


def test_poisson_charts_caption_numbers_and_colour():
    from losscore.catalog import CATALOG

    at = _loaded("5_Distributions.py")
    captions = " ".join(c.value for c in at.caption)
    assert "-2.99573" not in captions and "2.30259" not in captions
    assert "from -2.9957 to 2.3026" in captions
    assert "for counts 0 to 7+" in captions
    # the Poisson line is a colour that reads on white (WCAG's 3:1 for graphics); the old grey was 2.8:1
    assert _contrast_on_white(CATALOG["PoissonNLLLoss"].colour) >= 3.0


def test_vline_label_reads_inwards_near_the_right_edge():
    _, notes = figures.vline_parts([(0.7, "mean count"), (-2.0, "left")], (-3.0, 2.3))
    assert notes[0]["xanchor"] == "right" and notes[1]["xanchor"] == "left"


# -- Distributions: KL in both directions ------------------------------------------------------------------------
def test_kl_sliders_are_labelled_weights_and_the_note_matches_the_bars():
    from apptest_charts import client_control, set_control

    from lossapp.sections.distributions import KL_WEIGHTS_NOTE

    at = _loaded("5_Distributions.py")
    assert client_control(at, "klb_q0")["label"] == "target weight, class 0"
    assert client_control(at, "klb_p0")["label"] == "predicted weight, class 0"
    assert KL_WEIGHTS_NOTE in [c.value for c in at.caption]
    set_control(at, "klb_q0", 0.5)  # the case: the slider reads 0.50, the bar 0.4167
    at.run()
    assert not at.exception
    bars = next(c.value for c in at.caption if c.value.startswith("Bars of the target q"))
    assert "target q = [0.4167, 0.3333, 0.0833, 0.1667]" in bars
    assert "0.4167, 0.3333, 0.0833, 0.1667" in KL_WEIGHTS_NOTE


# -- Training lab: losses on different scales --------------------------------------------------------------------
def test_training_lab_loss_curves_are_comparable_fractions_of_their_start():
    from lossapp import training_figures as tfig
    from lossapp.training import run_regression

    run = run_regression(8, 15.0, 0.5, 0, 0.1, 300, 1.0)
    raw_starts = [float(f.loss[0]) for f in run.fits.values()]
    assert max(raw_starts) > 3 * min(raw_starts)  # L2's start dwarfs L1's and Huber's: raw values mislead
    fig = tfig.loss_curves_figure(run.fits, 300, log_y=True)
    curves = [t for t in fig.data if t.meta["role"] == "curve"]
    assert {t.meta["loss"] for t in curves} == {"L1Loss", "L2Loss", "HuberLoss"}
    for t in curves:
        assert np.asarray(t.y)[0] == 1.0  # every curve starts at 1
        loss = run.fits[t.meta["loss"]].loss
        np.testing.assert_allclose(np.asarray(t.y), loss / loss[0], rtol=1e-12)
    assert "÷ its value at step 0" in fig.layout.yaxis.title.text
    assert "fraction of its value at step 0" in tfig.curves_alt(run.fits, 300, log_y=True)
    # the frames the browser swaps in are normalised the same way
    from lossapp.training_frames import _curve_columns

    columns, shown = _curve_columns(fig, [run], 100.0, True)
    for i, t in enumerate(fig.data):
        if t.meta.get("role") == "curve":
            np.testing.assert_allclose(columns["traces"][i]["y"][0], np.asarray(t.y), rtol=1e-12)
