"""The study's comparisons as one family (Holm), the unpaired untuned comparison, and the
duplicated test images against the rest of their class."""

import numpy as np
import pytest

from cifake_utils.evaluation import duplicates, family

Y = np.array([0, 1] * 100)


def predictions_with_errors(errors: int, rng_seed: int) -> np.ndarray:
    """P(FAKE) that gets exactly `errors` of the 200 images wrong."""
    wrong = np.random.default_rng(rng_seed).choice(len(Y), errors, replace=False)
    probability = np.where(Y == 1, 0.9, 0.1)
    probability[wrong] = 1 - probability[wrong]
    return probability


def test_holm_matches_the_step_down_by_hand():
    # Sorted 0.01, 0.02, 0.03, 0.04 times 4, 3, 2, 1: 0.04, 0.06, 0.06 (monotone), 0.06.
    adjusted = family.holm(np.array([0.03, 0.01, 0.04, 0.02]))
    assert adjusted == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert family.holm(np.array([0.5, 0.9]))[1] == 1.0  # capped at one
    assert np.isnan(family.holm(np.array([np.nan, 0.01]))[0])
    assert family.holm(np.array([np.nan, 0.01]))[1] == pytest.approx(0.01)


def test_a_verdict_significant_alone_can_fail_in_the_family():
    predictions = {}
    for seed, (a, b, c) in enumerate([(30, 20, 30), (31, 22, 26), (29, 21, 31)]):
        predictions[("a", seed)] = predictions_with_errors(a, seed)
        predictions[("b", seed)] = predictions_with_errors(b, 10 + seed)
        predictions[("c", seed)] = predictions_with_errors(c, 20 + seed)
    pairs = (("a", "b"), ("a", "c"))
    alone = family.family_table(Y, predictions, pairs[:1])
    assert alone.loc[("a", "b"), "verdict"] == "better"
    # Adding tests can only raise an adjusted p-value; with enough of them it crosses 5%.
    many = family.family_table(Y, predictions, pairs * 10)
    row = many.loc[("a", "b")].iloc[0]
    assert row["p_holm"] > row["p_value"] and row["verdict_unadjusted"] == "better"
    assert row["verdict"] == "not significant" and row["family_size"] == 20


def test_untuned_runs_are_compared_unpaired_with_the_confound_stated():
    predictions = {("cnn2d_untuned", s): predictions_with_errors(30 + s, s) for s in range(3)}
    predictions |= {("cnn2d", s): predictions_with_errors(10 + s, 50 + s) for s in range(5)}
    table = family.family_table(Y, predictions, (("cnn2d_untuned", "cnn2d"),))
    row = table.loc[("cnn2d_untuned", "cnn2d")]
    assert row["test"] == "Welch t over seeds (unpaired)" and row["seeds"] == "3 + 5"
    assert row["difference_mean"] == pytest.approx((31 - 12) / 200)
    assert row["verdict"] == "better" and "earlier split" in row["confound"]
    assert row["difference_low"] < row["difference_mean"] < row["difference_high"]


def test_duplicated_images_easier_than_the_rest_of_their_class_are_found():
    duplicated = np.zeros(len(Y), dtype=bool)
    duplicated[1:80:2] = True  # 40 FAKE images
    probability = np.where(Y == 1, 0.9, 0.1)
    fake_rest = np.flatnonzero((Y == 1) & ~duplicated)
    probability[fake_rest[:20]] = 0.2  # 20 of the other 60 FAKE images wrong
    predictions = {("cnn2d", 0): probability, ("cnn2d", 1): probability}
    table = duplicates.duplicated_table(Y, predictions, duplicated, ["cnn2d"])
    row = table.loc[("cnn2d", "FAKE")]
    assert row["duplicated_images"] == 40 and row["other_images"] == 60
    assert row["accuracy_duplicated"] == 1.0 and row["accuracy_other"] == pytest.approx(40 / 60)
    assert row["p_value"] < 0.001
    probability[fake_rest[:20]] = 0.9
    probability[np.flatnonzero(duplicated)[:13]] = 0.2  # now both groups at about two thirds
    probability[fake_rest[:20]] = 0.2
    same = duplicates.duplicated_table(Y, {("cnn2d", 0): probability}, duplicated, ["cnn2d"])
    assert same.loc[("cnn2d", "FAKE"), "p_value"] > 0.5


def test_balanced_accuracy_weighs_the_classes_equally():
    y = np.array([0] * 90 + [1] * 10)
    probability = np.where(y == 1, 0.1, 0.1)  # everything called REAL
    table = duplicates.balanced_accuracy_table(y, {("m", 0): probability}, ["m"])
    assert table.loc["m", "balanced_accuracy_mean"] == pytest.approx(0.5)
