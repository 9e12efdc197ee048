import numpy as np
import pandas as pd
import pytest

from cifake_utils.evaluation import seeds

Y = np.array([0, 1] * 50)


def predictions_with_errors(errors: int, rng_seed: int) -> np.ndarray:
    """P(FAKE) that gets exactly `errors` of the 100 images wrong."""
    wrong = np.random.default_rng(rng_seed).choice(100, errors, replace=False)
    probability = np.where(Y == 1, 0.9, 0.1)
    probability[wrong] = 1 - probability[wrong]
    return probability


def test_t_interval_matches_the_textbook():
    low, high = seeds.t_interval(np.array([0.90, 0.92, 0.94]))
    # mean 0.92, sd 0.02, t(0.975, 2) = 4.303
    assert low == pytest.approx(0.92 - 4.303 * 0.02 / np.sqrt(3), abs=1e-4)
    assert high == pytest.approx(0.92 + 4.303 * 0.02 / np.sqrt(3), abs=1e-4)
    assert all(np.isnan(seeds.t_interval(np.array([0.9]))))


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
        seeds.t_interval(np.array([0.90, 0.92, 0.94]))
    )
    assert np.isnan(found.loc["b", "roc_auc_low"])  # one seed: no interval
