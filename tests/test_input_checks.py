"""Warnings where typed-in numbers stop meaning what the page says: a dense SoftmaxCE label with a negative entry
(a 'cross-entropy' of -9), a KL target of zeros (nan) or summing to 2 (silently not a divergence)."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_charts import load_page
from streamlit.testing.v1 import AppTest

from lossapp.input_checks import distribution_warning


@pytest.mark.parametrize("target, axis, fragment", [
    ([[0.3, 0.7], [1.0, 0.0]], -1, None),
    ([[0.33, 0.33, 0.34]], -1, None),
    ([[-1.0, 0.0], [0.0, 1.0]], -1, "negative entry (-1)"),
    ([[0.0, 0.0, 0.0]], -1, "a row of zeros"),
    ([[0.6, 0.8, 0.2, 0.4]], -1, "rows sum to 2, not 1"),
    ([[0.5, 0.5], [0.5, 0.5]], 0, None),  # classes down the columns: each column sums to 1
    ([[0.5, 0.5], [0.5, 0.5]], 1, None),
    ([[1.0, 1.0], [0.0, 0.0]], 0, None),
    ([[1.0, 1.0], [0.0, 0.0]], 1, "a row of zeros"),
])
def test_distribution_warning(target, axis, fragment):
    note = distribution_warning(np.array(target), "label", "KL divergence", axis=axis)
    assert (note is None) if fragment is None else (fragment in note)


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def test_a_negative_dense_softmax_label_is_flagged_next_to_the_negative_loss():
    at = load_page("4_Softmax_cross_entropy.py", sce_sparse="false", sce_dense="-1, 0; 0, 1")
    assert at.metric[0].value.startswith("-")  # the loss the page shows is below zero ...
    assert any("label has a negative entry (-1)" in w and "cross-entropy" in w for w in _warnings(at))  # ... flagged
    plain = load_page("4_Softmax_cross_entropy.py", sce_sparse="false")
    assert not any("label" in w for w in _warnings(plain))


@pytest.mark.parametrize("target, fragment", [
    ("0, 0, 0, 0", "a row of zeros"),
    ("0.6, 0.8, 0.2, 0.4", "rows sum to 2, not 1"),
])  # (a negative entry is refused with an error already)
def test_a_kl_target_that_is_not_a_distribution_is_flagged(target, fragment):
    at = load_page("5_Distributions.py", kl_label=target)
    assert any(fragment in w and "KL divergence" in w for w in _warnings(at)), _warnings(at)


def test_the_tutorials_kl_target_is_not_flagged():
    assert not any("label" in w for w in _warnings(load_page("5_Distributions.py")))
