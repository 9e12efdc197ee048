"""The one decision rule and how its probability is printed: fixed numbers, written out."""

import numpy as np
import pytest

from cifake_utils import decision


def test_the_threshold_is_the_one_fixed_before_any_result():
    # 0.5: the models are trained with binary cross-entropy on balanced classes, so P(FAKE)
    # = 0.5 is where both errors cost the same; it was fixed before any result was seen.
    # Moving it would be a tuning on the test split.
    assert decision.THRESHOLD == 0.5


def test_probabilities_at_and_above_one_half_are_fake():
    probabilities = np.array([0.0, 0.4999, 0.5, 0.5001, 0.6, 1.0])
    labels = decision.predict_labels(probabilities)
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 1, 1])
    assert labels.dtype == np.uint8
    verdicts = [decision.verdict(p) for p in probabilities]
    assert verdicts == ["REAL", "REAL", "FAKE", "FAKE", "FAKE", "FAKE"]


def test_another_threshold_is_used_only_when_asked_for():
    probabilities = np.array([0.5, 0.69, 0.7, 0.9])
    np.testing.assert_array_equal(decision.predict_labels(probabilities, 0.7), [0, 0, 1, 1])
    assert decision.verdict(0.69, threshold=0.7) == "REAL"
    assert decision.verdict(0.7, threshold=0.7) == "FAKE"


@pytest.mark.parametrize(
    ("probability", "printed"),
    [
        (0.9996, "≥ 0.99"),
        (0.995, "≥ 0.99"),  # the first value that two decimals would round to 1.00 ...
        (0.99499, "0.99"),  # ... and the last one that prints as itself
        (0.5, "0.500"),
        (0.50499, "0.505"),  # FAKE: three decimals inside [0.495, 0.505)
        (0.505, "0.51"),  # two decimals again: 0.51 cannot be misread as REAL
        (0.495, "0.495"),  # REAL, and not "0.50"
        (0.4949, "0.49"),
        (0.005, "0.01"),  # the lowest value that prints as a number ...
        (0.00499, "≤ 0.01"),  # ... below it, two decimals would print 0.00
        (0.001, "≤ 0.01"),
    ],
)
def test_probability_is_printed_with_the_precision_the_calibration_supports(probability, printed):
    assert decision.format_probability(probability) == printed
