"""Notebooks 02 and 03's findings follow their saved tables."""

import pandas as pd
import pytest

from cifake_utils.models import findings
from cifake_utils.search import epoch_budget


def runs(train=(0.99, 0.98), validation=(0.95, 0.94), trained=(10, 10), kept=(10, 10)):
    return pd.DataFrame(
        {
            "architecture": "cnn2d",
            "seed": [0, 1],
            "train_accuracy": train,
            "train_accuracy_inference": train,
            "val_accuracy": validation,
            "epochs_trained": trained,
            "best_epoch": kept,
        }
    )


def test_the_generalisation_gap_counts_the_seeds_and_the_validation_images_noise():
    # Gaps 0.040 and 0.045: variance over seeds 2 x 0.0025² = 1.25e-5, of their mean 6.25e-6;
    # validation images' variance 0.945 x 0.055 / 10,000 = 5.1975e-6; t = 0.0425 / 0.0033834
    # = 12.56 on (1.14475e-5)² / (6.25e-6)² = 3.35 degrees of freedom: p = 0.00062.
    wide = findings.fit_sentence(runs(train=(0.99, 0.985)), "cnn2d", 10_000)
    expected = "+4.25 points from validation (t over 2 seeds with the 10,000 validation images'"
    assert expected in wide and "on 3 Welch-Satterthwaite degrees of freedom, p = 0.00062)" in wide
    assert "it fits its training images significantly more closely than validation" in wide
    close = findings.fit_sentence(runs(train=(0.93, 0.96)), "cnn2d", 10_000)
    assert "the gap is not significantly different from zero" in close and "+0.00" in close
    assert "capacity" not in close and "over-fit" not in wide + close


def test_a_gap_the_seeds_agree_on_is_not_significant_within_the_validation_noise():
    # Gaps 0.0030 and 0.0031: a t over the seeds alone gives p = 0.010, but the validation
    # images' variance 0.95005 x 0.04995 / 10,000 = 4.75e-6 dwarfs the seeds' 2.5e-9:
    # t = 0.00305 / 0.00218 = 1.40, p = 0.16.
    table = runs(train=(0.953, 0.9532), validation=(0.95, 0.9501))
    p_value, df = findings.gap_test(
        table["train_accuracy_inference"] - table["val_accuracy"], 0.95005, 10_000
    )
    assert p_value == pytest.approx(0.1616, abs=1e-4) and df == pytest.approx(3.607e6, rel=1e-3)
    text = findings.fit_sentence(table, "cnn2d", 10_000)
    assert "not significantly different from zero once the validation images' own" in text


def budget_tables(curve: dict[int, float]):
    sweep = pd.DataFrame(
        {"architecture": "cnn2d", "recipe": "its searched recipe", "epochs": e, "val_accuracy": a}
        for e, a in curve.items()
    )
    return sweep, epoch_budget.budget_table(sweep)


def test_seeds_and_epochs():
    text = findings.baseline_findings(
        runs(), *budget_tables({5: 0.92, 10: 0.93, 20: 0.931}), validation_images=10_000
    )
    assert "92.00% at 5 → 93.00% at 10 → 93.10% at 20, so 10 epochs, after which" in text
    assert "CNN2D reaches 94.50% ± 0.71 validation accuracy over 2 seeds" in text
    assert "trained its fixed budget of 10 epochs" in text
    stopped = findings.epochs_sentence(runs(trained=(9, 14), kept=(6, 11)), "cnn2d")
    assert "stopped after 9–14 epochs and kept epochs 6–11" in stopped
    assert "earliest stop (seed 0, after 9 epochs) kept 95.00% validation accuracy." in stopped
    lowest = findings.epochs_sentence(runs(trained=(14, 9), kept=(11, 6)), "cnn2d")
    assert "(seed 1, after 9 epochs) kept 94.00% validation accuracy, the lowest of its" in lowest


def test_search_path_keeps_each_stage_winner_that_beats_the_best_so_far():
    search = pd.DataFrame(
        {
            "architecture": "cnn2d",
            "stage": ["untuned", "schedule", "batch", "augmentation", "augmentation"],
            "change": ["the untuned recipe", "cosine", "batch 128", "flip", "flip + shift"],
            "val_accuracy": [0.90, 0.92, 0.91, 0.93, 0.94],
            "chosen": [False, False, False, False, True],
        }
    )
    kept, rejected = findings.search_steps(search, "cnn2d")
    assert [change for change, _ in kept] == ["cosine", "flip + shift"]
    assert [round(gain, 6) for _, gain in kept] == [2.0, 2.0]
    # batch 128 against cosine's 0.92: -1.00; flip loses its stage to flip + shift, +1.00
    assert [(change, round(d, 6)) for change, d in rejected] == [("batch 128", -1.0), ("flip", 1.0)]
    text = findings.search_sentence(search, "cnn2d")
    assert "from 90.00% (untuned) to 94.00%" in text and "(+4.00 points" in text
    assert "so biased upward): cosine +2.00; flip + shift +2.00" in text
    assert "unresolved" not in text.split("Rejected")[0]
    assert "Rejected (against the best recipe before its stage;" in text
    assert "batch 128 -1.00; flip +1.00." in text


def test_a_search_step_below_the_noise_band_is_unresolved():
    search = pd.DataFrame(
        {
            "architecture": "cnn2d",
            "stage": ["untuned", "schedule", "optimiser"],
            "change": ["the untuned recipe", "cosine", "AdamW"],
            "val_accuracy": [0.90, 0.91, 0.9131],
            "chosen": [False, False, True],
        }
    )
    text = findings.search_sentence(search, "cnn2d")
    assert "in one run, so biased upward): cosine +1.00." in text
    assert "therefore unresolved: AdamW +0.31." in text


def test_fit_reads_the_inference_mode_training_accuracy():
    table = pd.DataFrame(
        {
            "architecture": "modified_cnn2d",
            "val_accuracy": [0.92, 0.92],
            "train_accuracy": [0.91, 0.91],  # logged with dropout on: below validation
            "train_accuracy_inference": [0.925, 0.925],
        }
    )
    text = findings.fit_sentence(table, "modified_cnn2d", 10_000)
    assert "training images is 92.50%, +0.50 points from validation (one seed, untested" in text
    assert "91.00% that training logs" in text and "no better than unseen" not in text


def test_ablation_direction():
    ablation = pd.DataFrame(
        {"val_accuracy_mean": [0.95, 0.93, 0.96], "val_accuracy_std": [0.002, 0.004, 0.001]},
        index=["cnn2d", "cnn2d_gap", "cnn2d_dropout"],
    )
    assert "CNN2D + GAP is 2.00 points below CNN2D" in findings.ablation_sentence(
        ablation, "cnn2d_gap"
    )
    assert "CNN2D + Dropout is 1.00 points above CNN2D" in findings.ablation_sentence(
        ablation, "cnn2d_dropout"
    )


def test_budget_sentence_says_when_the_curve_is_still_rising():
    sweep, budgets = budget_tables({5: 0.90, 10: 0.92, 20: 0.94})
    text = findings.budget_sentence(budgets, sweep, "cnn2d")
    assert "still rising at 20 epochs, the largest budget swept on this subset" in text
    assert "levels off on the full training split is the budget curve's finding" in text
    assert "a doubling must gain 0.2 points" in text


def test_budget_sentence_says_what_a_cap_costs():
    sweep, budgets = budget_tables({5: 0.92, 10: 0.9385, 20: 0.9417})
    text = findings.budget_sentence(budgets, sweep, "cnn2d")  # CNN2D's committed cap: 10
    assert "so still rising at 20 epochs" in text
    assert "the committed runs train 10 epochs (`EPOCH_CAP`), 0.32 points below" in text
    assert "(single runs on a subset, untested)" in text and "compute affords" not in text


def test_curve_sentence_states_the_rule_both_lines_and_what_it_means_for_training():
    plateaus = pd.DataFrame(
        {
            "trained_epochs": [10],
            "trained_val_accuracy": [94.56],
            "tolerance": [0.25],
            "gains": ["10→20: +0.61; 20→40: +0.35; 40→80: -0.01"],
            "plateau_epochs": [40.0],
            "plateau_epochs_pairwise": [20.0],
            "plateau_val_accuracy": [95.52],
            "outcome": ["levels off at 40 epochs"],
            "trained_at_plateau": [False],
        },
        index=["cnn2d"],
    )
    text = findings.curve_sentence(plateaus, "cnn2d")
    assert "a doubling must gain 0.25 validation points" in text
    assert "so it levels off at 40 epochs, beyond the 10 epochs its headline runs train" in text
    assert "stop 0.96 validation points short of it" in text
    assert "(√2 times that line, 0.35) it would level off at 20 epochs" in text
