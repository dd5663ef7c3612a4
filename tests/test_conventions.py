"""The conventions panel: five spellings per loss, read from the same tables as the (run and checked) snippets,
with the traps the frameworks' issue trackers keep reporting."""

from __future__ import annotations

import pytest
from apptest_charts import load_page

from lossapp.conventions import conventions_markdown, conventions_rows
from lossapp.spellings import FRAMEWORKS, spelling
from losscore.catalog import CATALOG


@pytest.mark.parametrize("name", list(CATALOG))
def test_every_loss_has_five_rows_from_the_spelling_tables(name):
    rows = conventions_rows(name)
    assert [r.framework for r in rows] == ["losscore", *FRAMEWORKS]
    assert rows[0].spelling.startswith(f"losscore.{name}(")
    defaults = CATALOG[name].defaults()
    for row in rows[1:]:
        sp = spelling(row.framework, name, defaults)
        if sp.code:
            assert (row.spelling, row.builtin, row.inputs, row.labels, row.reduction, row.params) == (
                sp.render(defaults), sp.builtin, sp.inputs, sp.labels, sp.reduction, sp.params)
            assert row.inputs and row.labels and row.reduction, (name, row.framework)
        else:
            assert row.spelling == f"no built-in {name}: {sp.reason}"
    text = conventions_markdown(name)
    assert text.count("\n| **") == 5  # one table row per framework


def test_the_traps_of_the_issue_are_spelled_out():
    kl = conventions_markdown("KLDivLoss")
    assert "torch.nn.KLDivLoss(reduction='none')(pred, label).sum(-1)" in kl and "log-probabilities" in kl
    assert "optax (log_predictions, targets)" in kl and "Keras (y_true, y_pred)" in kl  # argument order
    huber = conventions_markdown("HuberLoss")
    assert "SmoothL1Loss(beta=rho) = torch.nn.HuberLoss(delta=rho) / rho" in huber
    assert "keras.losses.Huber(delta=1.0, reduction=None)(label, pred) / 1.0" in huber
    bce = conventions_markdown("SigmoidBinaryCrossEntropyLoss")
    assert "from_logits=True" in bce and "tensorflow #31930" in bce
    assert "torch.nn.BCELoss(reduction='none')(pred, label)" in bce  # the probability variant, listed too
    hinge = conventions_markdown("HingeLoss")
    assert "a label of 0 means -1 to Keras but 0 to Gluon" in hinge
    assert "reduction='none'" in conventions_markdown("L1Loss") and "averages the batch" in conventions_markdown(
        "L1Loss")
    signed = conventions_rows("LogisticLoss", {"label_format": "signed"})
    assert "SoftMarginLoss equals it only at labels exactly ±1" in signed[2].trap


def test_rows_follow_the_parameters():
    assert conventions_rows("HuberLoss", {"rho": 2.5})[2].spelling == (
        "torch.nn.SmoothL1Loss(reduction='none', beta=2.5)(pred, label)")
    assert conventions_rows("HingeLoss", {"margin": 2.0})[3].spelling == "keras.ops.relu(2.0 - pred * label)"
    assert not conventions_rows("HingeLoss", {"margin": 2.0})[3].builtin
    assert conventions_rows("HingeLoss", {}, label=0.0)[3].spelling.startswith("keras.ops.relu")


@pytest.mark.parametrize(("page", "loss"), [("2_Regression.py", "HuberLoss"),
                                            ("4_Softmax_cross_entropy.py", "SoftmaxCrossEntropyLoss")])
def test_the_panel_sits_under_curve_and_other_sections(page, loss):
    at = load_page(page)
    panels = [e for e in at.expander if e.label.startswith(f"{loss}: conventions in five frameworks")]
    assert panels
    text = "\n".join(m.value for p in panels for m in p.markdown)
    assert f"`losscore.{loss}(" in text and "| **optax** |" in text
