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


def test_the_bootstrap_draws_every_seed_and_image_and_cuts_its_tails_by_hand():
    # Two seeds, one right on every image and one wrong on every image: a resample of two
    # seeds holds the right one twice with chance 1/4, so the top 2.5% is all-right (1.0).
    right, wrong = np.where(Y == 1, 0.9, 0.1), np.where(Y == 1, 0.1, 0.9)
    low, high = seeds.seed_and_image_bootstrap(Y, np.stack([right, wrong]), resamples=400)
    assert (low, high) == (0.0, 1.0)
    # One seed right on image 0 and wrong on image 1: a resample of the two images has mean
    # 0 (chance 1/4), 0.5 (1/2) or 1 (1/4). Tails of 30% each (confidence 0.4) both fall at
    # 0.5; tails of 10% (confidence 0.8) at 0 and 1.
    two = np.array([[0.9, 0.9]])  # both called FAKE; image 0 is FAKE, image 1 REAL
    labels = np.array([1, 0])
    assert seeds.seed_and_image_bootstrap(labels, two, 2_000, confidence=0.4) == (0.5, 0.5)
    assert seeds.seed_and_image_bootstrap(labels, two, 2_000, confidence=0.8) == (0.0, 1.0)
    # The defaults: 1,000 resamples from seed 0, a 95% interval.
    spread = np.stack([predictions_with_errors(e, s) for s, e in enumerate((2, 10, 25))])
    assert seeds.seed_and_image_bootstrap(Y, spread) == seeds.seed_and_image_bootstrap(
        Y, spread, 1_000, 0.95, 0
    )


def test_stack_seeds_keeps_one_architecture_in_seed_order():
    predictions = {("b", 1): Y * 0.2, ("a", 2): Y * 0.3, ("a", 0): Y * 0.1}
    found, stacked = seeds.stack_seeds(predictions, "a")
    assert found == [0, 2]
    np.testing.assert_array_equal(stacked, np.stack([Y * 0.1, Y * 0.3]))


def test_accuracy_intervals_carry_the_bootstrap_of_exactly_these_predictions():
    predictions = make_predictions((10, 12, 14), (5, 5, 5))
    table = seeds.accuracy_intervals(Y, predictions, ["a", "b"])
    _, stacked = seeds.stack_seeds(predictions, "a")
    expected = seeds.seed_and_image_bootstrap(Y, stacked, 1_000, seed=0)  # the defaults
    assert (table.loc["a", "bootstrap_low"], table.loc["a", "bootstrap_high"]) == expected
    assert table.loc["a", "seeds"] == 3
    # Accuracies 0.90, 0.88, 0.86: SD 0.02 with ddof 1.
    assert table.loc["a", "accuracy_std"] == pytest.approx(0.02)
    other = seeds.accuracy_intervals(Y, predictions, ["a"], resamples=200, seed=7)
    assert (
        other.loc["a", "bootstrap_low"]
        == seeds.seed_and_image_bootstrap(Y, stacked, 200, seed=7)[0]
    )
    one = seeds.accuracy_intervals(Y, {("a", 0): predictions[("a", 0)]}, ["a"], resamples=50)
    assert one.loc["a", "seeds"] == 1 and np.isnan(one.loc["a", "accuracy_std"])


def test_a_paired_comparison_names_its_sides_and_counts_mcnemar_by_direction():
    # Seed 0: 40 errors against 10, McNemar p far below 5%; seed 1: 11 against 10 errors, with
    # 6 and 5 discordant images (p = 1, counted neither way).
    predictions = {
        ("a", 0): predictions_with_errors(40, 0),
        ("b", 0): predictions_with_errors(10, 0),
        ("a", 1): predictions_with_errors(11, 1),
        ("b", 1): predictions_with_errors(10, 1),
    }
    result = seeds.paired_comparison(Y, predictions, "a", "b")
    assert (result["first"], result["second"], result["seeds"]) == ("a", "b", 2)
    assert result["test"] == "paired t over seeds"
    assert (result["seeds_second_better"], result["seeds_second_worse"]) == (1, 0)
    assert result["mcnemar_p_max"] == pytest.approx(1.0)
    reverse = seeds.paired_comparison(Y, predictions, "b", "a")
    assert (reverse["seeds_second_better"], reverse["seeds_second_worse"]) == (0, 1)


def test_one_seed_gives_mcnemars_exact_p_worked_by_hand():
    # b right on 3 images that a gets wrong, a on none that b gets wrong: McNemar's exact
    # p = 2 * (1/2)^3 = 0.25.
    a = predictions_with_errors(3, 0)
    result = seeds.paired_comparison(
        Y, {("a", 0): a, ("b", 0): predictions_with_errors(0, 0)}, "a", "b"
    )
    assert result["p_value"] == pytest.approx(0.25) == result["mcnemar_p_max"]
    assert result["difference_mean"] == pytest.approx(0.03)
    assert result["verdict"] == "not significant"


def test_comparisons_table_has_one_row_per_pair():
    predictions = make_predictions((20, 15, 10), (18, 12, 8))
    predictions |= {("c", s): p for (name, s), p in predictions.items() if name == "a"}
    table = seeds.comparisons_table(Y, predictions, [("a", "b"), ("a", "c")])
    assert list(table.index) == [("a", "b"), ("a", "c")]
    assert table.loc[("a", "b"), "p_value"] == pytest.approx(1 - 7 / np.sqrt(51), rel=1e-9)
    assert table.loc[("a", "c"), "p_value"] == 1.0  # identical predictions


def test_metric_intervals_keep_the_tables_order_of_architectures():
    table = pd.DataFrame(
        {
            "architecture": ["b", "b", "a", "a"],
            "seed": [0, 1, 0, 1],
            "roc_auc": [0.9, 0.8, 0.7, 0.6],
        }
    ).set_index(["architecture", "seed"])
    assert list(seeds.metric_intervals(table, ("roc_auc",)).index) == ["b", "a"]


def test_two_seeds_are_enough_for_the_t_test_and_the_spread():
    # Accuracy 0.80, 0.85 against 0.82, 0.88: differences 0.02 and 0.03 (mean 0.025, SEM
    # 0.005, t = 5 with 1 degree of freedom, a Cauchy: p = 2 arctan(1 / 5) / pi = 0.125666).
    result = seeds.paired_comparison(Y, make_predictions((20, 15), (18, 12)), "a", "b")
    assert result["test"] == "paired t over seeds"
    assert result["p_value"] == pytest.approx(2 * np.arctan(1 / 5) / np.pi, rel=1e-9)
    # Two seeds exactly 0.25 apart each time: no t, a difference all the same.
    same = seeds.paired_comparison(Y, make_predictions((50, 25), (25, 0)), "a", "b")
    assert same["p_value"] == 0.0
    table = seeds.accuracy_intervals(Y, make_predictions((20, 15), (18, 12)), ["a"], 50)
    assert table.loc["a", "accuracy_std"] == pytest.approx(0.05 / np.sqrt(2))
