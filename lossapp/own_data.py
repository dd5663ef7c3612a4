"""Your own data: reading pasted or uploaded predictions and labels, checking them, and the per-sample analysis.

Nothing here imports Streamlit; ``lossapp.sections.own_data`` shows what these functions return. Every problem
with the data raises :class:`DataError`, whose message says what is wrong (with the row or value where it
happens) and what is expected. Text copied from the visitor's data into a message is cut short and
Markdown-escaped, so a message can be shown with ``st.error`` as it is.

Formats.

* Pasted: predictions in one box, labels in the other, numbers separated by commas, spaces, semicolons or new
  lines. For softmax cross-entropy each sample's prediction is a row of class scores: one row per line (or rows
  separated by ``;``).
* CSV file: one sample per line; the last column is the label, the columns before it are the prediction (one
  column, or one per class for softmax cross-entropy). A first line without any number is a header. Commas,
  semicolons, tabs or spaces separate the columns.

Limits: :data:`MAX_ROWS` samples, :data:`MAX_UPLOAD_MB` megabytes per file (the ``server.maxUploadSize`` of
``.streamlit/config.toml``), :data:`MAX_PASTE_CHARS` characters per box.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lossapp.urlstate import quote_token

__all__ = [
    "LOSSES",
    "MAX_PASTE_CHARS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_MB",
    "DataError",
    "Dataset",
    "LossRule",
    "check_for_loss",
    "check_upload",
    "label_rule",
    "parse_csv",
    "parse_pasted",
]

#: Most samples the page accepts: plenty to see which samples dominate, and a page that stays fast.
MAX_ROWS = 100_000
#: Largest upload in megabytes; ``.streamlit/config.toml`` sets the same ``server.maxUploadSize``.
MAX_UPLOAD_MB = 5
#: In bytes: Streamlit's file uploader counts a megabyte as 10^6 bytes in the browser (1024^2 only on Windows,
#: and on the server), so 10^6 here makes the app's limit and the browser's one number.
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000
#: Longest text accepted in one paste box (about 100,000 numbers of 20 characters each, plus separators).
MAX_PASTE_CHARS = 2_500_000


class DataError(ValueError):
    """Data that cannot be used, with a message that says what is wrong and what is expected."""


@dataclass(frozen=True)
class LossRule:
    """What the data page asks of the data for one loss."""

    name: str
    labels: str  # "real", "prob", "signed", "binary", "count", "class"
    multiclass: bool = False  # one prediction column per class (softmax cross-entropy)
    skip: tuple[str, ...] = ()  # catalog parameters the page does not offer


#: The losses the page offers: those with one prediction and one label per sample, and those with one score per
#: class and a class index (softmax cross-entropy and its variants).
LOSSES: dict[str, LossRule] = {r.name: r for r in (
    LossRule("L1Loss", "real"),
    LossRule("L2Loss", "real"),
    LossRule("HuberLoss", "real"),
    LossRule("SigmoidBinaryCrossEntropyLoss", "prob"),
    LossRule("LogisticLoss", "signed"),  # "binary" with label_format="binary"
    LossRule("HingeLoss", "signed"),
    LossRule("SquaredHingeLoss", "signed"),
    LossRule("PoissonNLLLoss", "count"),
    LossRule("SoftmaxCrossEntropyLoss", "class", multiclass=True, skip=("sparse_label", "axis")),
    *(LossRule(name, "real") for name in ("LogCoshLoss", "QuantileLoss", "PseudoHuberLoss", "TukeyBiweightLoss",
                                           "EpsilonInsensitiveLoss", "GeneralRobustLoss")),
    # focal and asymmetric losses take soft 0/1 targets, as sigmoid cross-entropy does
    *(LossRule(name, "prob") for name in ("SigmoidFocalLoss", "AsymmetricLoss")),
    *(LossRule(name, "signed") for name in ("ModifiedHuberLoss", "PerceptronLoss", "ZeroOneLoss")),
    *(LossRule(name, "class", multiclass=True) for name in ("SoftmaxFocalLoss", "LabelSmoothingCrossEntropyLoss",
                                                            "PolyLoss", "MulticlassHingeLoss")),
)}

_EXAMPLE = "Expected plain numbers such as 0.5, -3 or 1e-4"


# -- data ----------------------------------------------------------------------------------------------------------


def _digest(*arrays: np.ndarray) -> str:
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        h.update(str(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


@dataclass(frozen=True, eq=False)
class Dataset:
    """Predictions ``pred`` ((N,) or (N, C)) and labels ``label`` ((N,)) as read, with where they came from.

    ``lines[i]`` is the line of the file that holds sample i (None for pasted data, where samples are numbered).
    Two datasets are equal when their numbers are; that makes a dataset a cache key.
    """

    pred: np.ndarray
    label: np.ndarray
    source: str
    columns: tuple[str, ...]
    lines: np.ndarray | None = None
    digest: str = field(default="")

    def __post_init__(self) -> None:
        for a in (self.pred, self.label):
            a.setflags(write=False)
        if not self.digest:
            object.__setattr__(self, "digest", _digest(self.pred, self.label))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dataset) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def n(self) -> int:
        return int(self.label.shape[0])

    @property
    def classes(self) -> int:
        return 1 if self.pred.ndim == 1 else int(self.pred.shape[1])

    def where(self, i: int) -> str:
        """How a message names sample ``i``: ``line 12`` of a file, ``sample 3`` of pasted data."""
        return f"line {int(self.lines[i]):,}" if self.lines is not None else f"sample {i + 1:,}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _to_floats(tokens: Sequence[str], where) -> np.ndarray:
    """``tokens`` as float64; a DataError names the first token that is not a finite number (``where(i)``)."""
    try:
        arr = np.asarray(tokens, dtype=np.float64) if tokens else np.zeros(0)
    except (ValueError, OverflowError):
        arr = None
    if arr is not None and np.isfinite(arr).all():
        return arr
    bad = []
    for i, t in enumerate(tokens):
        try:
            v = float(t)
        except (ValueError, OverflowError):
            bad.append((i, t, "number"))
            continue
        if not np.isfinite(v):
            bad.append((i, t, "finite"))
    i, t, what = bad[0]
    more = f" ({_plural(len(bad) - 1, 'other value')} too)" if len(bad) > 1 else ""
    if what == "finite":
        raise DataError(f"{where(i)}: {quote_token(t)} is not a finite number (NaN and infinity cannot be "
                        f"used){more}. {_EXAMPLE}.")
    if t.strip() == "":
        raise DataError(f"{where(i)} is empty{more}. {_EXAMPLE}.")
    hint = ""
    if re.fullmatch(r"[+-]?\d+,\d+", t.strip()):
        hint = " Use a dot as the decimal separator (0.5, not 0,5)."
    raise DataError(f"{where(i)}: {quote_token(t)} is not a number{more}. {_EXAMPLE}.{hint}")


_SEP = re.compile(r"[,;\s]+")
_ROW_SEP = re.compile(r"\s*(?:;|\r?\n|\r)\s*")
_CELL_SEP = re.compile(r"[,\s]+")


def _check_paste_size(text: str, what: str) -> None:
    if len(text) > MAX_PASTE_CHARS:
        raise DataError(f"The {what} box holds {len(text):,} characters; at most {MAX_PASTE_CHARS:,} are accepted "
                        f"(about {MAX_ROWS:,} samples). Paste a sample of your data, or upload it as a CSV file.")


_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")


def _check_decimal_commas(text: str, what: str) -> None:
    """Refuse numbers written with decimal commas (``0,5 1,5 2,5``), which the comma separator would read as twice
    as many numbers: two or more space- or line-separated tokens, each one comma between digits."""
    words = text.split()
    if len(words) >= 2 and all(_DECIMAL_COMMA.fullmatch(w) for w in words):
        raise DataError(f"The {what} box looks like numbers with decimal commas ({quote_token(words[0])} "
                        f"would read as two numbers). Use a dot as the decimal separator (0.5, not 0,5).")


def _tokens(text: str) -> list[str]:
    return [t for t in _SEP.split(text.strip()) if t]


@functools.lru_cache(maxsize=16)
def parse_pasted(pred_text: str, label_text: str, multiclass: bool = False) -> Dataset:
    """Predictions and labels typed or pasted into the two boxes.

    >>> ds = parse_pasted("0.5, 2\\n-1", "0 1 0")
    >>> ds.pred.tolist(), ds.label.tolist()
    ([0.5, 2.0, -1.0], [0.0, 1.0, 0.0])
    >>> parse_pasted("1, 2, 3", "1, 2")
    Traceback (most recent call last):
    ...
    lossapp.own_data.DataError: 3 predictions but 2 labels. Expected one label for every prediction, in the same order.
    """
    pred_text, label_text = pred_text or "", label_text or ""
    _check_paste_size(pred_text, "predictions")
    _check_paste_size(label_text, "labels")
    if not pred_text.strip() and not label_text.strip():
        raise DataError("No data yet: paste predictions into the first box and labels into the second. "
                        f"{_EXAMPLE}, separated by commas, spaces or new lines.")
    if not pred_text.strip():
        raise DataError("The predictions box is empty. Expected one prediction per sample"
                        + (" (a row of class scores per line)." if multiclass else ", e.g. 0.2, 1.5, -0.3."))
    if not label_text.strip():
        raise DataError("The labels box is empty. Expected one label per sample, e.g. 0, 1, 1.")
    _check_decimal_commas(label_text, "labels")
    if not multiclass:  # rows of two class scores written 1,2 are legitimate
        _check_decimal_commas(pred_text, "predictions")
    label_tokens = _tokens(label_text)
    if len(label_tokens) > MAX_ROWS:
        raise DataError(f"{_plural(len(label_tokens), 'label')} pasted; at most {MAX_ROWS:,} samples are "
                        "accepted. Paste a random sample of your data.")
    label = _to_floats(label_tokens, lambda i: f"Label {i + 1:,}")
    if multiclass:
        row_texts = [r for r in _ROW_SEP.split(pred_text.strip()) if r.strip()]
        if len(row_texts) > MAX_ROWS:
            raise DataError(f"{_plural(len(row_texts), 'prediction row')} pasted; at most {MAX_ROWS:,} samples "
                            "are accepted. Paste a random sample of your data.")
        rows = [[t for t in _CELL_SEP.split(r.strip()) if t] for r in row_texts]
        widths = [len(r) for r in rows]
        first = widths[0]
        for i, w in enumerate(widths):
            if w != first:
                raise DataError(f"Prediction row {i + 1:,} has {_plural(w, 'number')} but row 1 has {first}. "
                                "Expected the same number of class scores on every row (one row per sample).")
        if first < 2:
            raise DataError("Each prediction row has one number. Softmax cross-entropy needs a score for every "
                            "class: at least 2 numbers per row, one row per sample (rows on separate lines or "
                            "separated by ;).")
        flat = _to_floats([t for r in rows for t in r],
                          lambda i: f"Prediction row {i // first + 1:,}, score {i % first + 1}")
        pred = flat.reshape(len(rows), first)
        what = "prediction rows"
    else:
        pred_tokens = _tokens(pred_text)
        if len(pred_tokens) > MAX_ROWS:
            raise DataError(f"{_plural(len(pred_tokens), 'prediction')} pasted; at most {MAX_ROWS:,} samples are "
                            "accepted. Paste a random sample of your data.")
        pred = _to_floats(pred_tokens, lambda i: f"Prediction {i + 1:,}")
        what = "predictions"
    if pred.shape[0] != label.shape[0]:
        raise DataError(f"{pred.shape[0]:,} {what if pred.shape[0] != 1 else what[:-1]} but "
                        f"{_plural(label.shape[0], 'label')}. Expected one label for every "
                        f"{'row of scores' if multiclass else 'prediction'}, in the same order.")
    columns = tuple(f"score {c}" for c in range(pred.shape[1])) if multiclass else ("prediction",)
    return Dataset(pred, label, "the boxes", columns + ("label",))


# -- uploads -------------------------------------------------------------------------------------------------------


def check_upload(name: str, size: int) -> None:
    """Refuse an upload by its name and size before its bytes are read."""
    shown = quote_token(name, 40)
    if size > MAX_UPLOAD_BYTES:
        raise DataError(f"{shown} is {size / 1e6:.1f} MB; files up to {MAX_UPLOAD_MB} MB are accepted "
                        f"(about {MAX_ROWS:,} rows). Upload a random sample of your data.")
    if size == 0:
        raise DataError(f"{shown} is empty. Expected a CSV file with one sample per line: the prediction, "
                        "then the label.")


def _decode(data: bytes, shown: str) -> str:
    head = data[:8192]
    if head.startswith(b"PK\x03\x04"):
        raise DataError(f"{shown} is a ZIP archive (an Excel workbook is one), not CSV text. Save it as "
                        "\"CSV (comma delimited)\" and upload that.")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{shown} is UTF-16 text. Save it as UTF-8 CSV and upload it again.")
    if b"\x00" in head:
        raise DataError(f"{shown} is a binary file, not CSV text (it contains zero bytes). Expected a text file "
                        "with one sample per line: the prediction, then the label, separated by commas.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # numbers are ASCII; only a header could need another encoding
    sample = text[:8192]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\r\n")
    if sample and controls > len(sample) // 100:
        raise DataError(f"{shown} is a binary file, not CSV text ({controls} control characters in its first "
                        f"{len(sample):,}). Expected a text file with one sample per line: the prediction, then "
                        "the label, separated by commas.")
    return text


def _delimiter(line: str) -> str | None:
    """The column separator of a file, from its first line: tab, then semicolon (spreadsheets that write decimal
    commas separate columns with it), then comma; None for whitespace."""
    for d in ("\t", ";", ","):
        if d in line:
            return d
    return None  # whitespace


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (ValueError, OverflowError):
        return False
    return True


def _csv_rows(numbered: list[tuple[int, str]], delim: str, shown: str) -> list[list[str]]:
    """The cells of each numbered line; a DataError names the line where a quoted field spans lines (an unmatched
    quote or a quoted line break) or is longer than the csv module takes."""
    reader = csv.reader((line for _, line in numbered), delimiter=delim)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if reader.line_num != len(rows) + 1:
                line_no = numbered[len(rows)][0]
                raise DataError(f"Line {line_no:,} of {shown} opens a quote (\") that does not close on the same "
                                "line (a line break inside quotes, or a stray quote). Expected one sample per line: "
                                "the prediction, then the label, as plain numbers.")
            rows.append(row)
    except csv.Error as exc:
        line_no = numbered[min(max(reader.line_num, 1), len(numbered)) - 1][0]
        if "field larger than field limit" in str(exc):
            raise DataError(f"Line {line_no:,} of {shown} has a field of more than {csv.field_size_limit():,} "
                            "characters (text in quotes that runs on). Expected one sample per line: the "
                            "prediction, then the label, as plain numbers.") from None
        raise DataError(f"Line {line_no:,} of {shown} is not readable as CSV. Expected one sample per line: the "
                        "prediction, then the label, separated by commas.") from None
    return rows


@functools.lru_cache(maxsize=8)
def parse_csv(data: bytes, name: str = "the file", multiclass: bool = False) -> Dataset:
    """A CSV file's bytes: one sample per line, the label in the last column, the prediction before it.

    >>> ds = parse_csv(b"pred,label\\n0.5,1\\n-2,0\\n")
    >>> ds.pred.tolist(), ds.label.tolist(), ds.columns, ds.where(1)
    ([0.5, -2.0], [1.0, 0.0], ('pred', 'label'), 'line 3')
    """
    shown = quote_token(name, 40)
    check_upload(name, len(data))
    text = _decode(data, shown)
    lines = text.splitlines()
    numbered = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    if not numbered:
        raise DataError(f"{shown} has no data: every line is blank. Expected one sample per line: the "
                        "prediction, then the label.")
    if len(numbered) > MAX_ROWS + 1:
        raise DataError(f"{shown} has {len(numbered):,} lines; at most {MAX_ROWS:,} samples are accepted. Upload "
                        "a random sample of your data.")
    delim = _delimiter(numbered[0][1])
    if delim is None:
        cells = [line.split() for _, line in numbered]
    else:
        cells = _csv_rows(numbered, delim, shown)
    cells = [[c.strip() for c in row] for row in cells]
    header: tuple[str, ...] | None = None
    if not any(_is_number(c) for c in cells[0]):
        header = tuple(cells[0])
        cells, numbered = cells[1:], numbered[1:]
        if not cells:
            raise DataError(f"{shown} has a header line but no data. Expected one sample per line below it.")
    width = len(cells[0])
    for (line_no, _), row in zip(numbered, cells, strict=True):
        if len(row) != width:
            raise DataError(f"Line {line_no:,} of {shown} has {_plural(len(row), 'column')} but the first data line "
                            f"has {width}. Expected the same columns on every line: the prediction"
                            f"{' scores' if multiclass else ''}, then the label.")
    if header is not None and len(header) != width:
        raise DataError(f"The header of {shown} names {_plural(len(header), 'column')} but the data lines have "
                        f"{width}. Expected one name per column, or no header.")
    need = "at least 3 columns (a score per class, at least 2, then the label)" if multiclass else \
        "2 columns: the prediction, then the label"
    if width < 2 or (multiclass and width < 3):
        raise DataError(f"{shown} has {_plural(width, 'column')}; this loss needs {need}.")
    if not multiclass and width != 2:
        raise DataError(f"{shown} has {width} columns; this loss needs {need}. (Several prediction columns are "
                        "for softmax cross-entropy, one score per class.)")
    names = header or tuple(f"column {j + 1}" for j in range(width))
    flat = _to_floats([c for row in cells for c in row],
                      lambda i: f"Line {numbered[i // width][0]:,} of {shown}, column "
                                f"{quote_token(names[i % width], 24) if header else i % width + 1}")
    table = flat.reshape(len(cells), width)
    pred = table[:, :-1].copy() if multiclass else table[:, 0].copy()
    label = table[:, -1].copy()
    columns = tuple(n[:40] for n in names) if header else \
        (tuple(f"score {c}" for c in range(width - 1)) if multiclass else ("prediction",)) + ("label",)
    return Dataset(pred, label, shown, columns, np.array([n for n, _ in numbered], dtype=np.int64))


# -- checks for a loss -----------------------------------------------------------------------------------------------


def _first_bad(ds: Dataset, bad: np.ndarray, what: str, expected: str) -> None:
    if not bad.any():
        return
    idx = np.flatnonzero(bad)
    i = int(idx[0])
    others = f" ({_plural(idx.size - 1, 'other sample')} too)" if idx.size > 1 else ""
    value = ds.label[i] if what == "label" else (ds.pred[i] if ds.pred.ndim == 1 else ds.pred[i].max())
    raise DataError(f"{ds.where(i).capitalize()}: {what} {value:g}{others}. {expected}")


def label_rule(name: str, params: dict[str, Any]) -> str:
    """The label convention the data must follow for loss ``name`` with these parameters."""
    rule = LOSSES[name].labels
    if name == "LogisticLoss" and params.get("label_format") == "binary":
        return "binary"
    return rule


def check_for_loss(ds: Dataset, name: str, params: dict[str, Any]) -> None:
    """Raise a DataError if ``ds`` does not fit loss ``name`` with ``params`` (labels and predictions)."""
    rule = LOSSES[name]
    short = name.replace("SigmoidBinaryCrossEntropyLoss", "SigmoidBCELoss")
    if rule.multiclass != (ds.pred.ndim == 2):
        if rule.multiclass:
            raise DataError(f"{short} needs a score for every class: at least 2 prediction columns (or numbers "
                            "per row), then the label. The data has one prediction per sample.")
        raise DataError(f"{short} needs one prediction per sample; the data has {ds.classes} per sample. Choose "
                        "SoftmaxCrossEntropyLoss (or another loss over classes) for one score per class.")
    z, x = ds.label, ds.pred
    labels = label_rule(name, params)
    if labels == "prob":
        _first_bad(ds, (z < 0) | (z > 1), "label",
                   f"{short} expects labels between 0 and 1 (a class 0/1 or the probability of class 1).")
    elif labels == "signed":
        hint = " If your labels are 0 and 1, write 0 as -1." if np.isin(z, (0.0, 1.0)).all() else ""
        extra = " (or set label_format to binary)" if name == "LogisticLoss" else ""
        _first_bad(ds, (z != -1) & (z != 1), "label", f"{short} expects labels -1 or +1{extra}.{hint}")
    elif labels == "binary":
        how = " with label_format=binary" if name == "LogisticLoss" else ""
        _first_bad(ds, (z != 0) & (z != 1), "label", f"{short}{how} expects labels 0 or 1.")
    elif labels == "count":
        _first_bad(ds, z < 0, "label", f"{short} expects counts: labels of 0 or more.")
    elif labels == "class":
        c = ds.classes
        _first_bad(ds, (z != np.floor(z)) | (z < 0) | (z >= c), "label",
                   f"{short} expects a class index: a whole number from 0 to {c - 1} for {c} classes "
                   "(one prediction column per class).")
    if name == "SigmoidBinaryCrossEntropyLoss" and params.get("from_sigmoid"):
        _first_bad(ds, (x < 0) | (x > 1), "prediction",
                   f"With from_sigmoid on, {short} expects probabilities between 0 and 1 (the output of a "
                   "sigmoid); turn from_sigmoid off for raw scores.")
    if name == "PoissonNLLLoss" and not params.get("from_logits", True):
        eps = float(params.get("epsilon", 1e-8))
        _first_bad(ds, x + eps <= 0, "prediction",
                   f"With from_logits off, {short} expects rates above 0; turn from_logits on if the predictions "
                   "are log-rates.")
