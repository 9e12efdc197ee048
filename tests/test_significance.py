"""The study's statistics vocabulary, worked by hand."""

import numpy as np
import pytest

from cifake_utils import significance


def test_the_level_is_five_percent():
    assert significance.ALPHA == 0.05  # the conventional level, declared once for the study


def test_holm_matches_the_step_down_by_hand():
    # Sorted 0.01, 0.02, 0.03, 0.04 times 4, 3, 2, 1: 0.04, 0.06, 0.06 (monotone), 0.06.
    adjusted = significance.holm(np.array([0.03, 0.01, 0.04, 0.02]))
    assert adjusted == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert significance.holm(np.array([0.5, 0.9]))[1] == 1.0  # capped at one
    assert significance.holm(np.array([0.3, 0.2]))[0] == pytest.approx(0.4)  # kept monotone


def test_holm_leaves_an_untested_p_out_of_the_family():
    adjusted = significance.holm(np.array([np.nan, 0.01, 0.02]))
    assert np.isnan(adjusted[0])
    assert adjusted[1:] == pytest.approx([0.02, 0.02])  # a family of two, not three
    tied = significance.holm(np.array([0.01, 0.01]))
    assert tied == pytest.approx([0.02, 0.02])


def test_t_interval_matches_the_textbook():
    low, high = significance.t_interval(np.array([0.90, 0.92, 0.94]))
    # mean 0.92, sd 0.02, t(0.975, 2) = 4.302653
    assert low == pytest.approx(0.92 - 4.302653 * 0.02 / np.sqrt(3), abs=1e-6)
    assert high == pytest.approx(0.92 + 4.302653 * 0.02 / np.sqrt(3), abs=1e-6)
    assert all(np.isnan(significance.t_interval(np.array([0.9]))))
    # A 90% interval with 1 degree of freedom: t(0.95, 1) = 6.313752, SEM = 0.5.
    assert significance.t_interval(np.array([1.0, 2.0]), 0.90) == pytest.approx(
        (1.5 - 6.313752 * 0.5, 1.5 + 6.313752 * 0.5), abs=1e-6
    )


def test_holm_caps_at_one_and_takes_any_numbers():
    # 2 x 0.6 = 1.2 is no probability: capped at 1, and the larger p follows it.
    assert significance.holm(np.array([0.6, 0.9])) == pytest.approx([1.0, 1.0])
    # Integer p-values (a test that could only say 0 or 1) come back as floats.
    found = significance.holm([1, 0])
    assert found.dtype == np.float64 and list(found) == [1.0, 0.0]
