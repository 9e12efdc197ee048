import numpy as np
import pytest

from cifake_utils.evaluation import metrics

# Four REAL (0) and four FAKE (1) images; the model gets one of each wrong.
Y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
P = np.array([0.1, 0.2, 0.3, 0.8, 0.9, 0.7, 0.6, 0.4])


def test_headline_metrics_on_a_hand_made_case():
    result = metrics.headline_metrics(Y, P)
    assert result["accuracy"] == pytest.approx(6 / 8)
    # Each class: precision 3/4, recall 3/4; weighted by equal support.
    assert result["precision"] == pytest.approx(0.75)
    assert result["recall"] == pytest.approx(0.75)
    assert result["f1"] == pytest.approx(0.75)
    # Pairs (REAL score < FAKE score): 16 pairs, 0.8 beats 0.7, 0.6, 0.4; 0.3 beats 0.4 is false.
    assert result["roc_auc"] == pytest.approx(13 / 16)


def test_weighted_averages_follow_the_support():
    y = np.array([0, 0, 0, 1])
    p = np.array([0.1, 0.1, 0.9, 0.9])  # REAL: P=1, R=2/3; FAKE: P=1/2, R=1
    table = metrics.per_class_metrics(y, p)
    assert table.loc["REAL", "precision"] == pytest.approx(1.0)
    assert table.loc["FAKE", "precision"] == pytest.approx(0.5)
    assert table.loc["weighted avg", "precision"] == pytest.approx(0.75 * 1.0 + 0.25 * 0.5)
    assert table.loc["weighted avg", "recall"] == pytest.approx(0.75)
    assert table.loc["REAL", "support"] == 3


def test_confusion_rows_are_true_labels():
    np.testing.assert_array_equal(metrics.confusion(Y, P), [[3, 1], [1, 3]])


def test_mean_average_precision_is_the_mean_over_both_classes():
    perfect = metrics.average_precision_per_class(Y, Y.astype(float))
    assert perfect == {"REAL": 1.0, "FAKE": 1.0}
    # FAKE, ranked by P: 0.9 F, 0.8 R, 0.7 F, 0.6 F, 0.4 F; precision at each FAKE: 1, 2/3,
    # 3/4, 4/5, so AP = (1 + 2/3 + 3/4 + 4/5) / 4 = 193/240.
    # REAL, ranked by 1 - P: 0.9 R, 0.8 R, 0.7 R, 0.6 F, 0.4 F, 0.3 F, 0.2 R; precision at each
    # REAL: 1, 1, 1, 4/7, so AP = (3 + 4/7) / 4 = 25/28.
    per_class = metrics.average_precision_per_class(Y, P)
    assert per_class == pytest.approx({"REAL": 25 / 28, "FAKE": 193 / 240})
    assert metrics.mean_average_precision(Y, P) == pytest.approx((25 / 28 + 193 / 240) / 2)


def test_expected_calibration_error_on_known_cases():
    # Always 90% sure of the predicted class but right only half the time: ECE = 0.4.
    y = np.array([1, 0, 1, 0])
    p = np.array([0.9, 0.9, 0.1, 0.1])
    assert metrics.expected_calibration_error(y, p) == pytest.approx(0.4)
    # Fully confident and always right: ECE = 0.
    assert metrics.expected_calibration_error(Y, Y.astype(float)) == pytest.approx(0.0)
    table = metrics.reliability(y, p)
    assert table["count"].sum() == 4 and table["low"].iloc[0] == 0.5


def test_bootstrap_interval_contains_the_point_estimate():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    p = np.clip(y * 0.6 + rng.normal(0.2, 0.25, 500), 0, 1)
    for name, metric in metrics.HEADLINE_METRICS.items():
        low, high = metrics.bootstrap_interval(metric, y, p, resamples=1_000, seed=1)
        assert low <= metric(y, p) <= high, name
        assert low < high


def test_bootstrap_interval_is_seeded_and_narrows_as_the_data_grows():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 8_000)
    p = np.clip(y * 0.5 + rng.normal(0.25, 0.3, 8_000), 0, 1)
    accuracy = metrics.HEADLINE_METRICS["accuracy"]
    widths = []
    for n in (250, 1_000, 8_000):
        low, high = metrics.bootstrap_interval(accuracy, y[:n], p[:n], resamples=1_000, seed=2)
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2]
    again = metrics.bootstrap_interval(accuracy, y[:250], p[:250], resamples=1_000, seed=2)
    assert again[1] - again[0] == widths[0]


def test_mcnemar_exact_counts_discordant_pairs_and_matches_the_binomial():
    y = np.zeros(30, dtype=int)
    a = np.zeros(30, dtype=int)
    b = np.zeros(30, dtype=int)
    b[:10] = 1  # B wrong on 10 images A gets right
    a[10:12] = 1  # A wrong on 2 images B gets right
    result = metrics.mcnemar_exact(y, a, b)
    assert (result["a_only"], result["b_only"]) == (10, 2)
    # Two-sided exact binomial: 2 * P(X <= 2), X ~ Binomial(12, 1/2) = 2 * 79 / 4096.
    assert result["p_value"] == pytest.approx(2 * 79 / 4096)
    assert metrics.mcnemar_exact(y, a, a)["p_value"] == 1.0
