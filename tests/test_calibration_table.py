"""Notebook 04's temperature table: test ECE before and after each model's temperature."""

import numpy as np
import pandas as pd

from cifake_utils.evaluation import calibration
from cifake_utils.models.architectures import ARCHITECTURES
from cifake_utils.models.training import TrainConfig, TrainingRun


def run_with(temperature: float, smoothing: float, seed: int) -> TrainingRun:
    return TrainingRun(
        model=None,
        model_config=ARCHITECTURES["cnn2d"],
        train_config=TrainConfig(label_smoothing=smoothing, seed=seed),
        history={},
        best_epoch=1,
        data_checksum="x",
        seconds=0.0,
        calibration={"temperature": temperature},
    )


def test_a_fitted_temperature_lowers_the_ece_of_an_under_confident_model():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 4, 5_000)
    y = (rng.random(5_000) < 1 / (1 + np.exp(-z))).astype(int)
    under_confident = 1 / (1 + np.exp(-z / 2))  # logits halved, as label smoothing does
    runs = {("cnn2d", s): run_with(0.5, 0.1, s) for s in (0, 1, 2)}
    predictions = {
        ("cnn2d", 0): under_confident,
        ("cnn2d", 1): 1 / (1 + np.exp(-z / 2.2)),
        ("cnn2d", 2): 1 / (1 + np.exp(-z / 1.9)),
    }
    table = calibration.temperature_table(runs, y, predictions)
    assert (table["ece_calibrated"] < table["ece_raw"]).all()
    summary = calibration.temperature_summary(table)
    assert summary.loc["cnn2d", "seeds_improved"] == 3
    text = calibration.temperature_sentence(summary, {"cnn2d": "CNN2D"})
    assert (
        "CNN2D (trained with label smoothing 0.1): T = 0.50 (sharpening its probabilities)" in text
    )
    assert "lowered the test ECE" in text and "(lower in 3 of 3 seeds, paired t over" in text


def test_a_wrong_temperature_is_reported_as_raising_the_ece():
    rng = np.random.default_rng(1)
    z = rng.normal(0, 4, 5_000)
    y = (rng.random(5_000) < 1 / (1 + np.exp(-z))).astype(int)
    calibrated = 1 / (1 + np.exp(-z))
    runs = {("cnn2d", s): run_with(3.0 + s / 5, 0.0, s) for s in (0, 1, 2)}
    table = calibration.temperature_table(runs, y, dict.fromkeys(runs, calibrated))
    text = calibration.temperature_sentence(calibration.temperature_summary(table), {})
    assert "cnn2d (trained with no label smoothing): T = 3.20 (softening" in text
    assert "raised the test ECE" in text and "(lower in 0 of 3 seeds" in text


def test_a_change_within_the_noise_is_not_called_a_change():
    summary = calibration.temperature_summary(
        pd.DataFrame(
            {
                "architecture": ["cnn2d"] * 3,
                "seed": [0, 1, 2],
                "label_smoothing": [0.0] * 3,
                "temperature": [0.9] * 3,
                "ece_raw": [0.010, 0.006, 0.008],
                "ece_calibrated": [0.006, 0.009, 0.007],
            }
        ).set_index(["architecture", "seed"])
    )
    text = calibration.temperature_sentence(summary, {})
    assert "did not significantly change the test ECE" in text
