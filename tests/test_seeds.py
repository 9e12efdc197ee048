import numpy as np
import pandas as pd
import pytest

from cifake_utils import significance
from cifake_utils.evaluation import seeds

Y = np.array([0, 1] * 50)


def predictions_with_errors(errors: int, rng_seed: int) -> np.ndarray:
    """P(FAKE) that gets exactly `errors` of the 100 images wrong."""
    wrong = np.random.default_rng(rng_seed).choice(100, errors, replace=False)
    probability = np.where(Y == 1, 0.9, 0.1)
    probability[wrong] = 1 - probability[wrong]
    return probability


def test_seed_and_image_bootstrap_is_wider_than_one_seed():
    same = np.stack([predictions_with_errors(10, 0)] * 3)
    spread = np.stack([predictions_with_errors(e, s) for s, e in enumerate((2, 10, 25))])
    low_same, high_same = seeds.seed_and_image_bootstrap(Y, same, resamples=300)
    low_spread, high_spread = seeds.seed_and_image_bootstrap(Y, spread, resamples=300)
    assert low_same < 0.9 < high_same
    assert high_spread - low_spread > high_same - low_same
    assert seeds.seed_and_image_bootstrap(Y, spread, resamples=300) == (low_spread, high_spread)


def make_predictions(first_errors, second_errors):
    table = {}
    for seed, (a, b) in enumerate(zip(first_errors, second_errors, strict=True)):
        table[("a", seed)] = predictions_with_errors(a, seed)
        table[("b", seed)] = predictions_with_errors(b, 100 + seed)
    return table


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ((30, 31, 29), (5, 6, 4), "better"),
        ((5, 6, 4), (30, 31, 29), "worse"),
        ((10, 20, 15), (20, 10, 15), "not significant"),
    ],
)
def test_paired_comparison_verdicts(first, second, expected):
    result = seeds.paired_comparison(Y, make_predictions(first, second), "a", "b")
    assert result["verdict"] == expected and result["seeds"] == 3
    assert result["test"] == "paired t over seeds"
    mean = np.mean(np.subtract(first, second)) / 100
    assert result["difference_mean"] == pytest.approx(mean)


def test_paired_t_over_seeds_worked_by_hand():
    # Accuracy 0.80, 0.85, 0.90 against 0.82, 0.88, 0.92: differences 0.02, 0.03, 0.02, mean
    # 0.07 / 3, sd sqrt((2 * 0.01^2 / 9 + 0.02^2 / 9) / 2) = 0.0057735, se = sd / sqrt(3) =
    # 0.0033333, t = 7 with 2 degrees of freedom, whose two-sided p is 1 - t / sqrt(2 + t^2).
    result = seeds.paired_comparison(Y, make_predictions((20, 15, 10), (18, 12, 8)), "a", "b")
    assert result["p_value"] == pytest.approx(1 - 7 / np.sqrt(51), rel=1e-9)  # 0.0198
    # Unpaired, the seeds' spread (0.05) would hide the difference: Welch p = 0.60.
    assert result["verdict"] == "better" and result["difference_mean"] == pytest.approx(0.07 / 3)
    # The interval: mean +- t(0.975, 2) * se = 0.023333 +- 4.302653 * 0.0033333.
    assert result["difference_low"] == pytest.approx(0.07 / 3 - 4.302653 / 300, abs=1e-7)
    assert result["difference_high"] == pytest.approx(0.07 / 3 + 4.302653 / 300, abs=1e-7)


def test_identical_differences_over_seeds_have_no_t():
    # Accuracy 0.5, 0.75, 0.25 against 0.75, 1.0, 0.5: exactly 0.25 better in every pair.
    same = seeds.paired_comparison(Y, make_predictions((50, 25, 75), (25, 0, 50)), "a", "b")
    assert same["p_value"] == 0.0 and same["verdict"] == "better"
    none = seeds.paired_comparison(Y, make_predictions((20, 15, 10), (20, 15, 10)), "a", "b")
    assert none["p_value"] == 1.0 and none["verdict"] == "not significant"


def test_a_verdict_needs_p_below_five_percent():
    # 5%: the study's significance level, fixed in advance for every test it reports.
    assert seeds.ALPHA == 0.05
    assert seeds.verdict(0.01, 0.0499) == "better" and seeds.verdict(-0.01, 0.0499) == "worse"
    assert seeds.verdict(0.01, 0.05) == "not significant"
    assert seeds.verdict(0.01, float("nan")) == "not significant"


def test_one_seed_falls_back_to_mcnemar():
    result = seeds.paired_comparison(Y, make_predictions((40,), (2,)), "a", "b")
    assert result["test"] == "McNemar, one seed" and result["verdict"] == "better"
    assert result["seeds_second_better"] == 1 and np.isnan(result["difference_low"])
    with pytest.raises(ValueError, match="no seed"):
        seeds.paired_comparison(Y, {("a", 0): Y * 1.0, ("b", 1): Y * 1.0}, "a", "b")


def test_accuracy_intervals_table():
    predictions = make_predictions((10, 12, 14), (5, 5, 5))
    table = seeds.accuracy_intervals(Y, predictions, ["a", "b"], resamples=200)
    assert table.loc["a", "accuracy_mean"] == pytest.approx(0.88)
    assert table.loc["a", "t_low"] < 0.88 < table.loc["a", "t_high"]
    assert table.loc["b", "accuracy_std"] == pytest.approx(0.0, abs=1e-12)


def test_metric_intervals_give_the_mean_and_t_interval_over_seeds():
    table = pd.DataFrame(
        {
            "architecture": ["a", "a", "a", "b"],
            "seed": [0, 1, 2, 0],
            "roc_auc": [0.90, 0.92, 0.94, 0.80],
        }
    ).set_index(["architecture", "seed"])
    found = seeds.metric_intervals(table, ("roc_auc",))
    assert found.loc["a", "seeds"] == 3 and found.loc["a", "roc_auc"] == pytest.approx(0.92)
    assert (found.loc["a", "roc_auc_low"], found.loc["a", "roc_auc_high"]) == pytest.approx(
        significance.t_interval(np.array([0.90, 0.92, 0.94]))
    )
    assert np.isnan(found.loc["b", "roc_auc_low"])  # one seed: no interval
