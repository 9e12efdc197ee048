"""Notebooks 02 and 03's findings follow their saved tables."""

import pandas as pd

from cifake_utils.models import findings


def runs(train=(0.99, 0.98), validation=(0.95, 0.94), trained=(10, 10), kept=(10, 10)):
    return pd.DataFrame(
        {
            "architecture": "cnn2d",
            "seed": [0, 1],
            "train_accuracy": train,
            "val_accuracy": validation,
            "epochs_trained": trained,
            "best_epoch": kept,
        }
    )


def test_over_fitting_and_capacity_readings():
    assert "(over-fitting)" in findings.fit_sentence(runs(), "cnn2d")
    capacity = findings.fit_sentence(runs(train=(0.93, 0.94)), "cnn2d")
    assert "limited by its capacity" in capacity and "-1.00 points" in capacity


def test_seeds_and_epochs():
    text = findings.baseline_findings(runs())
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
    kept, rejected = findings.search_path(search, "cnn2d")
    assert kept == ["cosine", "flip + shift"]
    assert rejected == ["batch 128", "flip"]
    text = findings.search_sentence(search, "cnn2d")
    assert "from 90.00% (untuned) to 94.00%" in text and "(+4.00 points" in text


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
