"""The study's comparisons as one family (Holm), the unpaired untuned comparison, and the
duplicated test images against the rest of their class."""

import shutil
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from cifake_utils.evaluation import duplicates, family, seeds
from cifake_utils.models.architectures import PAPER_MODELS
from cifake_utils.paths import project_root, untuned_results_dir
from cifake_utils.project.profiles import Profile

Y = np.array([0, 1] * 100)


def predictions_with_errors(errors: int, rng_seed: int) -> np.ndarray:
    """P(FAKE) that gets exactly `errors` of the 200 images wrong."""
    wrong = np.random.default_rng(rng_seed).choice(len(Y), errors, replace=False)
    probability = np.where(Y == 1, 0.9, 0.1)
    probability[wrong] = 1 - probability[wrong]
    return probability


def test_a_verdict_significant_alone_can_fail_in_the_family():
    predictions = {}
    for seed, (a, b, c) in enumerate([(30, 25, 30), (31, 27, 26), (29, 24, 31)]):
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


def test_the_unpaired_comparison_is_welchs_t_worked_by_hand():
    # Untuned: 30, 34, 38 of 200 wrong, accuracy 0.85, 0.83, 0.81: mean 0.83, s^2 = 0.0004.
    # Tuned: 10..14 wrong, accuracy 0.95 ... 0.93: mean 0.94, s^2 = 0.00025 / 4 = 0.0000625.
    predictions = {("a_untuned", s): predictions_with_errors(30 + 4 * s, s) for s in range(3)}
    predictions |= {("a", s): predictions_with_errors(10 + s, 50 + s) for s in range(5)}
    row = family.unpaired_comparison(Y, predictions, "a_untuned", "a")
    # Welch: se^2 = 0.0004 / 3 + 0.0000625 / 5 = 0.000145833, t = 0.11 / se = 9.1089, and
    # Welch-Satterthwaite df = se^4 / ((0.0004 / 3)^2 / 2 + (0.0000625 / 5)^2 / 4) = 2.382.
    se2 = 0.0004 / 3 + 0.0000625 / 5
    df = se2**2 / ((0.0004 / 3) ** 2 / 2 + (0.0000625 / 5) ** 2 / 4)
    assert df == pytest.approx(2.382, abs=1e-3)
    p_welch = 2 * stats.t.sf(0.11 / np.sqrt(se2), df)
    assert p_welch == pytest.approx(0.00662, abs=1e-5)  # Student's pooled t: 0.0000275
    assert row["p_value"] == pytest.approx(p_welch, rel=1e-6)
    assert row["difference_mean"] == pytest.approx(0.11)
    half = stats.t.ppf(0.975, df) * np.sqrt(se2)  # 3.7045 * 0.012076 = 0.04473
    assert (row["difference_low"], row["difference_high"]) == pytest.approx(
        (0.11 - half, 0.11 + half), rel=1e-6
    )
    assert row["test"] == "Welch t over seeds (unpaired)" and row["seeds"] == "3 + 5"
    assert row["verdict"] == "better"


def test_welch_interval_by_hand():
    # a: 1, 2, 3 (mean 2, s^2 1); b: 0, 0, 0, 4 (mean 1, s^2 4): se^2 = 1/3 + 4/4 = 4/3,
    # df = (4/3)^2 / ((1/3)^2 / 2 + 1^2 / 3) = (16/9) / (7/18) = 32/7.
    low, high = family.welch_interval(np.array([1.0, 2, 3]), np.array([0.0, 0, 0, 4]))
    half = stats.t.ppf(0.975, 32 / 7) * np.sqrt(4 / 3)
    assert (low, high) == pytest.approx((1 - half, 1 + half))


def test_untuned_runs_without_spread_or_with_one_seed():
    # Every run of each alike: no spread, so no t; a difference (0.95 - 0.85) counts as p = 0.
    predictions = {("a_untuned", s): predictions_with_errors(30, 0) for s in range(2)}
    predictions |= {("a", s): predictions_with_errors(10, 0) for s in range(2)}
    row = family.unpaired_comparison(Y, predictions, "a_untuned", "a")
    assert row["p_value"] == 0.0 and row["verdict"] == "better"
    assert row["difference_low"] == row["difference_high"] == pytest.approx(0.1)
    # No difference either: p = 1.
    same = {
        (name, s): predictions_with_errors(10, 0) for name in ("a_untuned", "a") for s in (0, 1)
    }
    row = family.unpaired_comparison(Y, same, "a_untuned", "a")
    assert row["p_value"] == 1.0 and row["verdict"] == "not significant"
    # One run each: McNemar's test on the shared test images is the test.
    one = {
        ("a_untuned", 0): predictions_with_errors(40, 0),
        ("a", 0): predictions_with_errors(2, 1),
    }
    row = family.unpaired_comparison(Y, one, "a_untuned", "a")
    assert row["test"] == "McNemar, one seed (unpaired runs)" and row["seeds"] == 1


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


def test_two_seeds_each_are_welch_and_the_row_keeps_mcnemar_on_the_real_labels():
    predictions = {("a_untuned", s): predictions_with_errors(30 + 4 * s, s) for s in range(2)}
    predictions |= {("a", s): predictions_with_errors(10 + s, 50 + s) for s in range(2)}
    row = family.unpaired_comparison(Y, predictions, "a_untuned", "a")
    assert row["test"] == "Welch t over seeds (unpaired)" and row["seeds"] == "2 + 2"
    paired = seeds.paired_comparison(Y, predictions, "a_untuned", "a")
    assert row["mcnemar_p_max"] == paired["mcnemar_p_max"] < 0.05
    assert row["seeds_second_better"] == paired["seeds_second_better"] == 2
    assert row["verdict"] == "better"


def test_family_rows_carry_their_seeds_confound_and_recipe_note():
    predictions = {}
    for seed in range(3):
        predictions[("cnn2d", seed)] = predictions_with_errors(20 + seed, seed)
        predictions[("cnn2d_gap", seed)] = predictions_with_errors(30 + seed, 10 + seed)
        predictions[("x", seed)] = predictions_with_errors(25 + seed, 20 + seed)
    table = family.family_table(Y, predictions, (("cnn2d", "cnn2d_gap"), ("cnn2d", "x")))
    gap = table.loc[("cnn2d", "cnn2d_gap")]
    assert gap["seeds"] == "3 + 3" and gap["seed_pairs"] == 3 and gap["confound"] == ""
    assert gap["test"] == "Welch t over seeds (unpaired)"  # different architectures: unpaired
    assert gap["recipe_note"] == family.RECIPE_NOTES[("cnn2d", "cnn2d_gap")]
    assert table.loc[("cnn2d", "x"), "recipe_note"] == ""
    assert list(table["verdict"]) == ["worse", "worse"]


def test_family_predictions_load_every_model_the_family_compares(tmp_path):
    profile = Profile("test", None, None, tmp_path, tmp_path, headline_seeds=(0, 1))
    profile.models_dir.mkdir()
    names = [f"{a}_seed{s}" for a in PAPER_MODELS for s in (0, 1)]
    names += ["cnn2d_gap_seed0", "cnn2d_dropout_seed0", "vgg_bn_seed0"]
    committed = project_root() / "outputs" / "models" / "cnn2d_seed0.keras"
    for name in names:  # the committed CNN2D stands in for each
        for suffix in (".keras", ".json"):
            shutil.copy(committed.with_suffix(suffix), profile.models_dir / f"{name}{suffix}")
    with np.load(untuned_results_dir() / "04_test_predictions.npz") as saved:
        indices = saved["test_indices"][:4]
        untuned = saved["cnn2d_seed0"][:4]
    images = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    found = family.family_predictions(
        replace(profile, variant_seeds=(0,), seeds=(0,)), images, indices
    )
    expected = {tuple(name.rsplit("_seed", 1)) for name in names}
    models = {(a, int(s)) for a, s in expected}
    assert models <= set(found)
    assert {("cnn2d_untuned", 0), ("modified_cnn2d_untuned", 0)} <= set(found)
    np.testing.assert_allclose(found[("cnn2d_untuned", 0)], untuned, rtol=1e-6)
    assert all(found[key].shape == (4,) for key in models)
    np.testing.assert_array_equal(found[("cnn2d", 0)], found[("vgg_bn", 0)])  # the same model


def test_welchs_verdict_replaces_the_paired_one_between_unpaired_runs():
    # Every seed pair differs by exactly 2 of 200 images (a paired t would call it certain),
    # but the seeds spread over 10-50 errors, so over all seeds the 1-point gap is noise.
    predictions = {("a", s): predictions_with_errors(10 + 20 * s, s) for s in range(3)}
    predictions |= {("b", s): predictions_with_errors(12 + 20 * s, 9 + s) for s in range(3)}
    row = family.unpaired_comparison(Y, predictions, "a", "b")
    assert row["difference_mean"] == pytest.approx(-0.01)
    assert row["p_value"] > 0.5 and row["verdict"] == "not significant"
    table = family.family_table(Y, predictions, (("a", "b"),))
    assert table.loc[("a", "b"), "verdict_unadjusted"] == "not significant"


def test_family_table_writes_the_seed_count_as_text():
    one = {("a", 0): predictions_with_errors(40, 0), ("b", 0): predictions_with_errors(2, 1)}
    table = family.family_table(Y, one, (("a", "b"),))
    assert table.loc[("a", "b"), "seeds"] == "1"  # one seed each: McNemar's single pair
