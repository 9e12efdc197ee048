"""The study's statistics vocabulary, worked by hand."""

import math

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


def test_tost_p_value_worked_by_hand():
    # 94.5, 94.7, 94.9: mean 94.7, SD 0.2, standard error 0.2 / sqrt(3) = 0.11547, 2 degrees of
    # freedom. Against 94.98 within 0.5: lower bound 94.48, t = 0.22 / 0.11547 = 1.9053,
    # one-sided p = 0.0985; upper bound 95.48, t = -0.78 / 0.11547 = -6.755, p = 0.0106.
    values = [94.5, 94.7, 94.9]
    assert significance.tost_p_value(values, 94.98, 0.5) == pytest.approx(0.0985, abs=5e-4)
    # A wider margin of 1.0: lower t = 0.72 / 0.11547 = 6.2354, p = 0.0124; upper t =
    # -1.28 / 0.11547 = -11.085, p = 0.0040: equivalent at 5%.
    assert significance.tost_p_value(values, 94.98, 1.0) == pytest.approx(0.0124, abs=5e-4)
    # Symmetric: the target below the mean by the same amount gives the same p.
    assert significance.tost_p_value(values, 94.42, 1.0) == pytest.approx(0.0124, abs=5e-4)
    assert np.isnan(significance.tost_p_value([94.7], 94.98, 0.5))


def test_prediction_interval_widens_the_t_interval_for_one_new_run():
    # 5 seeds, SD 0.13: t(0.975, 4) = 2.7764, times 0.13 * sqrt(1 + 1/5) = 0.14241, gives
    # a half-width of 0.39538 around 94.71.
    low, high = significance.prediction_interval(94.71, 0.13, 5)
    assert (low, high) == pytest.approx((94.3146, 95.1054), abs=1e-4)
    # At 90%: t(0.95, 4) = 2.1318, half-width 0.30360.
    low, high = significance.prediction_interval(94.71, 0.13, 5, level=0.90)
    assert (low, high) == pytest.approx((94.4064, 95.0136), abs=1e-4)
    assert all(math.isnan(v) for v in significance.prediction_interval(94.71, 0.0, 1))
    assert all(math.isnan(v) for v in significance.prediction_interval(94.71, math.nan, 5))


def test_two_seeds_are_enough_for_an_interval_and_an_equivalence_test():
    # 2 seeds, SD 0.13: t(0.975, 1) = 12.7062, times 0.13 * sqrt(1.5) = 0.159217: 2.02303.
    low, high = significance.prediction_interval(94.71, 0.13, 2)
    assert (low, high) == pytest.approx((92.68697, 96.73303), abs=1e-4)
    # 94.5, 94.9: mean 94.7, standard error 0.2, 1 degree of freedom; within 0.5 of 94.7 both
    # one-sided t are 2.5, p = 1/2 - atan(2.5)/pi = 0.121119.
    assert significance.tost_p_value([94.5, 94.9], 94.7, 0.5) == pytest.approx(0.121119, abs=1e-5)
