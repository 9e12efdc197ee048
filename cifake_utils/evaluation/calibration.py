"""Calibration on the test split before and after each model's temperature (fitted on
validation after training; `detector.reference`)."""

import numpy as np
import pandas as pd
from scipy import stats

from ..models.calibration import apply_temperature
from ..models.training import TrainingRun
from ..significance import ALPHA
from .metrics import expected_calibration_error

Key = tuple[str, int]


def temperature_table(
    runs: dict[Key, TrainingRun], y_true: np.ndarray, predictions: dict[Key, np.ndarray]
) -> pd.DataFrame:
    """Per (architecture, seed): the temperature and the test ECE before and after it."""
    rows = []
    for (architecture, seed), run in runs.items():
        if run.calibration is None:
            continue
        temperature = run.calibration["temperature"]
        raw = predictions[(architecture, seed)]
        rows.append(
            {
                "architecture": architecture,
                "seed": seed,
                "label_smoothing": run.train_config.label_smoothing,
                "temperature": temperature,
                "ece_raw": expected_calibration_error(y_true, raw),
                "ece_calibrated": expected_calibration_error(
                    y_true, apply_temperature(raw, temperature)
                ),
            }
        )
    return pd.DataFrame(rows).set_index(["architecture", "seed"])


def temperature_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per architecture: mean temperature, mean ECE before and after, and in how many seeds
    the temperature lowered the test ECE."""
    grouped = table.groupby("architecture", sort=False)
    return pd.DataFrame(
        {
            "label_smoothing": grouped["label_smoothing"].first(),
            "temperature_mean": grouped["temperature"].mean(),
            "ece_raw_mean": grouped["ece_raw"].mean(),
            "ece_calibrated_mean": grouped["ece_calibrated"].mean(),
            "seeds_improved": grouped.apply(
                lambda rows: int((rows["ece_calibrated"] < rows["ece_raw"]).sum())
            ),
            "seeds": grouped["temperature"].count(),
            # Paired t over seeds (nan for one seed): is the change in ECE more than noise?
            "p_value": grouped.apply(
                lambda rows: (
                    float(stats.ttest_rel(rows["ece_calibrated"], rows["ece_raw"]).pvalue)
                    if len(rows) > 1
                    else float("nan")
                )
            ),
        }
    )


def temperature_sentence(summary: pd.DataFrame, names: dict[str, str]) -> str:
    """One sentence per architecture, written from `temperature_summary`."""
    parts = []
    for architecture, row in summary.iterrows():
        lower = row["ece_calibrated_mean"] < row["ece_raw_mean"]
        if row["p_value"] < ALPHA:
            direction = "lowered" if lower else "raised"
        else:
            direction = "did not significantly change"
        smoothing = row["label_smoothing"]
        trained = f"label smoothing {smoothing:g}" if smoothing else "no label smoothing"
        parts.append(
            f"{names.get(architecture, architecture)} (trained with {trained}): "
            f"T = {row['temperature_mean']:.2f} "
            f"({'sharpening' if row['temperature_mean'] < 1 else 'softening'} its "
            f"probabilities) {direction} the test ECE: {row['ece_raw_mean']:.4f} to "
            f"{row['ece_calibrated_mean']:.4f} (lower in {int(row['seeds_improved'])} of "
            f"{int(row['seeds'])} seeds, paired t over seeds p = {row['p_value']:.2g})"
        )
    return "Temperature scaling, fitted on validation only: " + "; ".join(parts) + "."
