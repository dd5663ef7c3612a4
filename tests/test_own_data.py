"""The "Your own data" page: every malformed input gets a message that says what is wrong and what is expected,
nothing crashes and nothing already entered is lost; good data gives the right per-sample numbers."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest
from apptest_charts import charts, frame_patches, set_control, stats
from streamlit.testing.v1 import AppTest

from lossapp import own_data, own_data_analysis
from lossapp.own_data import DataError, parse_csv, parse_pasted
from lossapp.own_data_analysis import analyse
from losscore import HingeLoss, HuberLoss, L2Loss, PoissonNLLLoss, SoftmaxCrossEntropyLoss

ROOT = Path(__file__).resolve().parents[1]
PAGE = "../app_pages/10_Your_own_data.py"

MB = 1_000_000  # Streamlit's uploader counts megabytes of 10^6 bytes in the browser
XLSX = b"PK\x03\x04\x14\x00\x06\x00" + bytes(200)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
MILLION_ROWS_CSV = b"0.5,1\n" * 1_000_000  # 6 MB: over the upload limit
MILLION_ROWS_SMALL = b"1,0\n" * 1_000_000  # 4 MB: under it, but too many rows

#: (case, loss, params, how the data comes in, the data, a fragment the message must contain)
#: "paste" data is (predictions text, labels text); "csv" data is (file name, bytes).
BAD_INPUTS = [
    ("text where a number goes", "L2Loss", {}, "paste", ("0.5, abc, 2", "1, 2, 3"),
     "Prediction 2: 'abc' is not a number. Expected plain numbers such as 0.5, -3 or 1e-4."),
    ("text in a label", "L2Loss", {}, "paste", ("0.5, 1, 2", "1, two, 3"),
     "Label 2: 'two' is not a number"),
    ("NaN", "L2Loss", {}, "paste", ("0.5, nan, 2", "1, 2, 3"),
     "Prediction 2: 'nan' is not a finite number (NaN and infinity cannot be used)"),
    ("inf", "L1Loss", {}, "paste", ("0.5, 1, 2", "1, -inf, 3"), "Label 2: '-inf' is not a finite number"),
    ("1e309 overflows to inf", "L1Loss", {}, "paste", ("1e309, 1", "1, 2"),
     "Prediction 1: '1e309' is not a finite number"),
    ("several bad values", "L2Loss", {}, "paste", ("x, y, z", "1, 2, 3"), "'x' is not a number (2 other values too)"),
    ("ragged rows (pasted scores)", "SoftmaxCrossEntropyLoss", {}, "paste", ("1, 2, 3\n4, 5", "0, 1"),
     "Prediction row 2 has 2 numbers but row 1 has 3. Expected the same number of class scores on every row"),
    ("ragged rows (CSV)", "L2Loss", {}, "csv", ("data.csv", b"pred,label\n1,0\n2,1,3\n"),
     "Line 3 of 'data\\.csv' has 3 columns but the first data line has 2. Expected the same columns on every line"),
    ("mismatched lengths", "L2Loss", {}, "paste", ("1, 2, 3", "1, 2"),
     "3 predictions but 2 labels. Expected one label for every prediction, in the same order."),
    ("mismatched lengths (scores)", "SoftmaxCrossEntropyLoss", {}, "paste", ("1, 2\n3, 4\n5, 6", "0"),
     "3 prediction rows but 1 label. Expected one label for every row of scores"),
    ("label out of range: probability", "SigmoidBinaryCrossEntropyLoss", {}, "paste", ("0, 1", "1, 2"),
     "Sample 2: label 2. SigmoidBCELoss expects labels between 0 and 1"),
    ("label out of range: 0/1 for hinge", "HingeLoss", {}, "paste", ("0.5, -1", "1, 0"),
     "Sample 2: label 0. HingeLoss expects labels -1 or +1. If your labels are 0 and 1, write 0 as -1."),
    ("label out of range: logistic binary", "LogisticLoss", {"label_format": "binary"}, "paste", ("1, 2", "1, -1"),
     "Sample 2: label -1. LogisticLoss with label_format=binary expects labels 0 or 1."),
    ("label out of range: class index", "SoftmaxCrossEntropyLoss", {}, "paste", ("1, 2, 3\n4, 5, 6", "0, 3"),
     "Sample 2: label 3. SoftmaxCrossEntropyLoss expects a class index: a whole number from 0 to 2 for 3 classes"),
    ("label out of range: fractional class", "SoftmaxCrossEntropyLoss", {}, "paste", ("1, 2\n3, 4", "0.5, 1"),
     "Sample 1: label 0.5. SoftmaxCrossEntropyLoss expects a class index"),
    ("label out of range: negative count", "PoissonNLLLoss", {}, "paste", ("0, 1", "-1, 2"),
     "Sample 1: label -1. PoissonNLLLoss expects counts: labels of 0 or more."),
    ("prediction out of range: probability", "SigmoidBinaryCrossEntropyLoss", {"from_sigmoid": True}, "paste",
     ("0.5, 1.5", "1, 0"), "Sample 2: prediction 1.5. With from_sigmoid on, SigmoidBCELoss expects probabilities"),
    ("prediction out of range: rate", "PoissonNLLLoss", {"from_logits": False}, "paste", ("-1, 2", "1, 0"),
     "Sample 1: prediction -1. With from_logits off, PoissonNLLLoss expects rates above 0"),
    ("overflow", "PoissonNLLLoss", {}, "paste", ("1000, 1", "1, 0"),
     "Sample 1: the loss or its gradient overflows (prediction 1000, label 1)"),
    ("one score per row for softmax", "SoftmaxCrossEntropyLoss", {}, "paste", ("1\n2", "0, 0"),
     "Each prediction row has one number. Softmax cross-entropy needs a score for every class"),
    ("empty input", "L2Loss", {}, "paste", ("", ""), "No data yet: paste predictions into the first box"),
    ("empty predictions", "L2Loss", {}, "paste", ("  ", "1, 2"), "The predictions box is empty. Expected one"),
    ("empty labels", "L2Loss", {}, "paste", ("1, 2", "\n"), "The labels box is empty. Expected one label per sample"),
    ("empty file", "L2Loss", {}, "csv", ("empty.csv", b""), "'empty\\.csv' is empty. Expected a CSV file"),
    ("blank file", "L2Loss", {}, "csv", ("blank.csv", b"\n \n\n"), "has no data: every line is blank"),
    ("header only", "L2Loss", {}, "csv", ("h.csv", b"prediction,label\n"), "has a header line but no data"),
    ("one column", "L2Loss", {}, "csv", ("one.csv", b"1\n2\n"), "has 1 column; this loss needs 2 columns"),
    ("three columns for a one-prediction loss", "L2Loss", {}, "csv", ("three.csv", b"1,2,0\n3,4,1\n"),
     "has 3 columns; this loss needs 2 columns: the prediction, then the label. (Several prediction columns are "
     "for softmax cross-entropy"),
    ("decimal comma", "L2Loss", {}, "csv", ("eu.csv", b"0,5;1\n"),
     "Line 1 of 'eu\\.csv', column 1: '0,5' is not a number"),
    ("decimal comma hint", "L2Loss", {}, "csv", ("eu.csv", b"p;l\n0,5;1\n"),
     "Use a dot as the decimal separator (0.5, not 0,5)."),
    ("empty cell", "L2Loss", {}, "csv", ("gap.csv", b"1,0\n2,\n"), "Line 2 of 'gap\\.csv', column 2 is empty"),
    ("upload over the size limit", "L2Loss", {}, "csv", ("big.csv", MILLION_ROWS_CSV),
     "'big\\.csv' is 6.0 MB; files up to 5 MB are accepted"),
    ("binary file named .csv", "L2Loss", {}, "csv", ("image.csv", PNG),
     "'image\\.csv' is a binary file, not CSV text (it contains zero bytes). Expected a text file"),
    ("control characters named .csv", "L2Loss", {}, "csv", ("noise.csv", bytes(range(1, 9)) * 200),
     "'noise\\.csv' is a binary file, not CSV text"),
    ("Excel workbook named .csv", "L2Loss", {}, "csv", ("book.csv", XLSX),
     "is a ZIP archive (an Excel workbook is one), not CSV text"),
    ("UTF-16 text", "L2Loss", {}, "csv", ("u16.csv", "1,0\n".encode("utf-16")), "is UTF-16 text"),
    ("10^6 rows in a file", "L2Loss", {}, "csv", ("rows.csv", MILLION_ROWS_SMALL),
     "'rows\\.csv' has 1,000,000 lines; at most 100,000 samples are accepted"),
    ("10^6 rows pasted", "L2Loss", {}, "paste", ("1\n" * 1_000_000, "0\n" * 10),
     "1,000,000 predictions pasted; at most 100,000 samples are accepted"),
    ("script tag instead of a number", "L2Loss", {}, "paste", ("<script>alert(1)</script>", "1"),
     "Prediction 1: '\\<script\\>alert\\(1\\)\\<\\/script…' is not a number"),
    ("a quoted field over the csv module's 128 KB limit", "L2Loss", {}, "csv",
     ("long.csv", b'p,l\n1,0\n"' + b"9" * 140_000 + b'",1\n'),
     "Line 3 of 'long\\.csv' has a field of more than 131,072 characters"),
    ("a quoted line break", "L2Loss", {}, "csv", ("nl.csv", b'p,l\n"0.5\n",1\n2,0\n'),
     "Line 2 of 'nl\\.csv' opens a quote (\") that does not close on the same line"),
    ("a stray quote", "L2Loss", {}, "csv", ("q.csv", b'p,l\n1,0\n"2,1\n3,0\n'),
     "Line 3 of 'q\\.csv' opens a quote"),
    ("decimal commas pasted", "L2Loss", {}, "paste", ("0,5 1,5 2,5", "1 2 3"),
     "The predictions box looks like numbers with decimal commas ('0,5' would read as two numbers). Use a dot"),
    ("decimal commas in pasted labels", "L1Loss", {}, "paste", ("1\n2", "0,5\n1,5"),
     "The labels box looks like numbers with decimal commas"),
    ("a link instead of a number", "L2Loss", {}, "csv", ("[x](http://evil.example).csv", b"1,[x](http://e.example)\n"),
     "column 2: '\\[x\\]\\(http\\:\u200b\\/\\/e\\.example\\)' is not a number"),
]
IDS = [case[0] for case in BAD_INPUTS]


def load(data_kind, data, loss, params):
    multi = own_data.LOSSES[loss].multiclass
    ds = parse_pasted(*data, multi) if data_kind == "paste" else parse_csv(data[1], data[0], multi)
    return analyse(ds, loss, {**{"weight": 1.0}, **params})


@pytest.mark.parametrize("case, loss, params, kind, data, message", BAD_INPUTS, ids=IDS)
def test_bad_input_message(case, loss, params, kind, data, message):
    with pytest.raises(DataError) as info:
        load(kind, data, loss, params)
    text = str(info.value)
    assert message in text
    assert "Traceback" not in text and "](" not in text.replace("\\](", "")


def test_upload_size_is_checked_before_reading():
    with pytest.raises(DataError, match=r"'big\\.csv' is 6\.0 MB; files up to 5 MB are accepted"):
        own_data.check_upload("big.csv", 6 * MB)
    own_data.check_upload("ok.csv", own_data.MAX_UPLOAD_BYTES)


def test_the_page_limit_matches_the_server_upload_limit():
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    server = config.split("[server]", 1)[1].split("\n[", 1)[0]
    assert re.search(r"^maxUploadSize\s*=\s*(\d+)", server, re.M).group(1) == str(own_data.MAX_UPLOAD_MB)
    # 100,000 rows of ordinary numbers fit in the limit
    assert len(b"-0.123456789,1\n" * own_data.MAX_ROWS) < own_data.MAX_UPLOAD_BYTES


# -- good data ------------------------------------------------------------------------------------------------------
def test_values_and_gradients_are_losscores():
    rng = np.random.default_rng(7)
    pred, label = rng.normal(size=50), rng.normal(size=50)
    ds = parse_pasted(", ".join(repr(float(v)) for v in pred), " ".join(repr(float(v)) for v in label))
    a = analyse(ds, "HuberLoss", {"rho": 0.5, "weight": 2.0})
    values, grad = HuberLoss(rho=0.5, weight=2.0).value_and_grad(pred, label)
    np.testing.assert_array_equal(a.values, values)
    np.testing.assert_array_equal(a.grad, grad)


def test_softmax_rows_from_a_csv_with_header():
    data = b"cat,dog,bird,label\n1,10,0,0\n8,2,0,1\n0,0,5,2\n"
    ds = parse_csv(data, "pets.csv", True)
    assert ds.columns == ("cat", "dog", "bird", "label") and ds.pred.shape == (3, 3)
    a = analyse(ds, "SoftmaxCrossEntropyLoss", {"weight": 1.0, "from_logits": False})
    values, grad = SoftmaxCrossEntropyLoss().value_and_grad(ds.pred, ds.label)
    np.testing.assert_allclose(a.values, values)
    np.testing.assert_allclose(a.grad_size, np.linalg.norm(grad, axis=1))
    assert own_data_analysis.dominant(a, 1).tolist() == [0]  # the tutorial's 9.0001 sample
    assert ds.where(0) == "line 2"


def test_poisson_splits_the_mean_into_per_sample_terms():
    ds = parse_pasted("0, 1, 2", "1, 2, 0")
    a = analyse(ds, "PoissonNLLLoss", {"weight": 1.0, "from_logits": True, "compute_full": False, "epsilon": 1e-8})
    assert a.values.mean() == pytest.approx(float(PoissonNLLLoss()(ds.pred, ds.label)[0]))
    np.testing.assert_allclose(a.grad, np.exp(ds.pred) - ds.label)  # each term's own derivative


def test_whitespace_separated_csv_and_bom():
    ds = parse_csv("\ufeffpred label\n1 -1\n-2 1\n".encode(), "w.txt")
    a = analyse(ds, "HingeLoss", {"margin": 1.0, "weight": 1.0})
    np.testing.assert_array_equal(a.values, HingeLoss()(ds.pred, ds.label))


def test_the_outlier_dominates_l2_and_the_summary_says_so():
    ds = parse_pasted("0, 0, 0, 0, 0, 0, 0, 0, 0, 10", "0, 0, 0, 0, 0, 0, 0, 0, 0, 0")
    a = analyse(ds, "L2Loss", {"weight": 1.0})
    s = own_data_analysis.summary(a)
    assert own_data_analysis.dominant(a, 3).tolist()[0] == 9
    assert s["top10_loss_share"] == 1.0 and s["samples"] == 10 and s["max"] == 50.0
    frac, cum = own_data_analysis.cumulative_share(a)
    assert frac[0] == 0 and cum[-1] == pytest.approx(1.0) and cum[1] == pytest.approx(1.0)


def test_hundred_thousand_rows_are_fine_and_the_download_has_them_all():
    rng = np.random.default_rng(0)
    pred, label = rng.normal(size=own_data.MAX_ROWS), rng.normal(size=own_data.MAX_ROWS)
    body = "\n".join(f"{p!r},{q!r}" for p, q in zip(pred.tolist(), label.tolist(), strict=True)).encode()
    ds = parse_csv(body, "big.csv")
    a = analyse(ds, "L2Loss", {"weight": 1.0})
    np.testing.assert_array_equal(a.values, L2Loss()(pred, label))
    frac, _ = own_data_analysis.cumulative_share(a)
    assert frac.size <= 401
    rows = list(csv.reader(io.StringIO(own_data_analysis.results_csv(ds, a).decode())))
    assert len(rows) == own_data.MAX_ROWS + 1 and rows[0] == ["sample", "prediction", "label", "loss",
                                                              "dL/dprediction"]
    assert float(rows[1][3]) == a.values[0]


# -- the page ---------------------------------------------------------------------------------------------------------
def page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def set_loss(at: AppTest, loss: str, params: dict) -> None:
    at.selectbox(key="od_loss").set_value(loss)
    run(at)
    prefix = {"label_format": "od_lgc_format", "from_sigmoid": "od_bce_fromsig", "from_logits": "od_poi_logits"}
    for name, value in params.items():
        widget = at.get("toggle") + at.get("radio")
        match = [w for w in widget if w.key == prefix[name]]
        match[0].set_value(value)
    if params:
        run(at)


def test_the_upload_limit_is_the_browsers_in_bytes():
    """Streamlit's uploader turns maxUploadSize into bytes in the browser with 1000 per kilobyte (1024 only on
    Windows): read from the installed frontend, so files just over the app's limit get the app's number."""
    import streamlit

    static = Path(streamlit.__file__).parent / "static" / "static" / "js"
    bundles = [f.read_text(encoding="utf-8", errors="ignore") for f in static.glob("utils*.js")]
    units = [m for b in bundles if "Megabyte=" in b for m in re.findall(r"=\w+\(\)\?1024:1e3", b)]
    assert units, "Streamlit's frontend no longer converts sizes with 1024 (Windows) or 1000"
    assert own_data.MAX_UPLOAD_BYTES == own_data.MAX_UPLOAD_MB * 1000 ** 2
    own_data.check_upload("ok.csv", own_data.MAX_UPLOAD_MB * 1000 ** 2)
    with pytest.raises(DataError, match="files up to 5 MB"):
        own_data.check_upload("over.csv", own_data.MAX_UPLOAD_MB * 1000 ** 2 + 1)


@pytest.mark.parametrize("pred, label, multiclass, n", [
    ("1,2,3", "1,2,3", False, 3),  # commas without spaces: a list
    ("0.5, 1.5", "1, 2", False, 2),
    ("1,2\n3,4", "0\n1", True, 2),  # two class scores per row
])
def test_comma_lists_are_not_taken_for_decimal_commas(pred, label, multiclass, n):
    assert parse_pasted(pred, label, multiclass).n == n


def test_a_paste_over_the_limit_is_emptied_out_of_the_box_with_a_message(monkeypatch):
    """Text over MAX_PASTE_CHARS is taken out of the box, so it does not go back and forth with every later run;
    the browser refuses text over twice that (the box's max_chars)."""
    monkeypatch.setattr(own_data, "MAX_PASTE_CHARS", 1_000)
    at = page()
    box = at.text_area(key="od_pred")
    assert box.proto.max_chars == 2_000 and "At most 1,000 characters." in box.help
    box.set_value("1, " * 400)  # 1,200 characters
    run(at)
    assert at.text_area(key="od_pred").value == ""
    assert any("Predictions: what you pasted is longer than 1,000 characters" in e.value for e in at.error)
    at.text_area(key="od_pred").set_value("1, 2, 3, 4, 5, 6, 7, 8")
    run(at)
    assert not at.error and at.metric  # the message went with the text; ordinary data works again


def test_page_defaults_show_the_outlier():
    at = page()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Samples"] == "8" and metrics["Loss in top 10%"] == "99%"
    assert at.dataframe[0].value["where"].iloc[0] == "sample 8"
    assert charts(at)[0].alt in " ".join(c.value for c in at.caption)
    assert not at.error


@pytest.mark.parametrize("case, loss, params, kind, data, message", BAD_INPUTS, ids=IDS)
def test_bad_input_on_the_page_keeps_everything_entered(case, loss, params, kind, data, message):
    at = page()
    set_loss(at, loss, params)
    multi = own_data.LOSSES[loss].multiclass
    if kind == "paste":
        at.text_area(key="od_scores" if multi else "od_pred").set_value(data[0])
        at.text_area(key="od_classes" if multi else "od_label").set_value(data[1])
    else:
        at.radio(key="od_src").set_value("upload")
        run(at)
        at.file_uploader(key="od_file").set_value((data[0], data[1], "text/csv"))
    run(at)
    errors = [e.value for e in at.error]
    assert any(message in e for e in errors), errors
    assert not at.metric and not charts(at)  # no half-computed result
    # nothing entered is lost: the loss, its settings and the data are all still there
    assert at.selectbox(key="od_loss").value == loss
    if kind == "paste":
        assert at.text_area(key="od_scores" if multi else "od_pred").value == data[0]
        assert at.text_area(key="od_classes" if multi else "od_label").value == data[1]
    else:
        assert at.radio(key="od_src").value == "upload"


def test_fixing_the_data_brings_the_results_back():
    at = page()
    at.text_area(key="od_pred").set_value("1, 2, x")
    assert run(at).error and not at.metric
    at.text_area(key="od_pred").set_value("1, 2, 3, 4, 5, 6, 7, 8")
    run(at)
    assert not at.error and {m.label: m.value for m in at.metric}["Samples"] == "8"


def test_example_button_fits_every_loss():
    at = page()
    for loss in own_data.LOSSES:
        at.selectbox(key="od_loss").set_value(loss)
        run(at)
        at.button(key="od_example").click()
        run(at)
        assert not at.error, (loss, [e.value for e in at.error])
        assert at.metric, loss


def test_switching_the_source_and_the_loss_keeps_pasted_text():
    at = page()
    at.text_area(key="od_pred").set_value("5, 6")
    at.text_area(key="od_label").set_value("1, 2")
    run(at)
    at.radio(key="od_src").set_value("upload")
    run(at)
    assert any("Upload a CSV file" in i.value for i in at.info)
    at.selectbox(key="od_loss").set_value("SoftmaxCrossEntropyLoss")
    run(at)
    at.radio(key="od_src").set_value("paste")
    run(at)
    at.selectbox(key="od_loss").set_value("L1Loss")
    run(at)
    assert at.text_area(key="od_pred").value == "5, 6" and at.text_area(key="od_label").value == "1, 2"


def test_loss_and_source_from_a_link_are_checked():
    at = page(od_loss="EvilLoss", od_src="../../etc/passwd", od_huber_rho="7")
    assert at.selectbox(key="od_loss").value == "L2Loss" and at.radio(key="od_src").value == "paste"
    box = " ".join(w.value for w in at.warning)
    assert "`od_loss`" in box and "`od_src`" in box and "passwd" not in box
    at = page(od_loss="HuberLoss", od_huber_rho="70")
    assert at.slider(key="od_huber_rho").value == 5.0
    assert "`od_huber_rho` = 70" in " ".join(w.value for w in at.warning)


def test_uploaded_csv_gives_results_and_a_download():
    at = page()
    at.radio(key="od_src").set_value("upload")
    run(at)
    at.file_uploader(key="od_file").set_value(("mine.csv", b"prediction,label\n0,0\n1,0\n9,0\n", "text/csv"))
    run(at)
    assert {m.label: m.value for m in at.metric}["Samples"] == "3"
    assert at.dataframe[0].value["where"].tolist()[0] == "line 4"
    assert any(b.label.startswith("Download every sample") for b in at.get("download_button"))


def test_the_weight_is_a_browser_side_slider_that_moves_the_numbers_under_the_share_chart():
    """With live charts the weight sits under the loss-share chart (which it does not change) and moves the mean
    and largest loss under it in the browser: the patch for a weight is what the page shows at that weight."""
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.run()
    (share,) = [c for c in charts(at) if c.key == "od_chart"]
    assert [s["id"] for s in share.controls] == ["od_l2_weight"]
    before = {m.label: m.value for m in at.metric}
    assert stats(at) == {"mean loss at this weight": before["Mean loss"],
                         "largest loss at this weight": before["Largest loss"]}
    ((_, patch),) = frame_patches(at, "od_l2_weight", 0.7)
    assert not patch["traces"] and not patch["shapes"]  # the chart stays as it is
    set_control(at, "od_l2_weight", 0.7)
    at.run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}
    assert list(stats(at).values()) == patch["stats"] == [after["Mean loss"], after["Largest loss"]]
    assert float(after["Mean loss"]) == pytest.approx(0.7 * float(before["Mean loss"]), rel=1e-3)
    assert [c.raw for c in charts(at) if c.key == "od_chart"] == [share.raw]


def test_the_weight_moves_the_numbers_and_sends_the_share_chart_unchanged(monkeypatch):
    """Without live charts the weight is a Streamlit slider: the chart of loss shares does not depend on it, so
    a weight step sends the same figure, while the numbers scale."""
    monkeypatch.setenv("LOSSAPP_PLAIN_CHARTS", "1")
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.run()
    before = ({m.label: m.value for m in at.metric}, [c.raw for c in charts(at)])
    at.slider(key="od_l2_weight").set_value(0.7)
    at.run()
    assert not at.exception
    after = ({m.label: m.value for m in at.metric}, [c.raw for c in charts(at)])
    assert after[1] == before[1]
    assert float(after[0]["Mean loss"]) == pytest.approx(0.7 * float(before[0]["Mean loss"]), rel=1e-3)


def test_every_curve_loss_of_the_catalog_is_offered():
    """A loss with a loss-vs-prediction curve takes one prediction and one label per sample: the page offers it
    (a new catalog loss cannot be forgotten here)."""
    from losscore.catalog import CATALOG

    assert {name for name, spec in CATALOG.items() if spec.curve} <= set(own_data.LOSSES)
    assert all(name in CATALOG for name in own_data.LOSSES)
