"""Is label smoothing what makes the paper models under-confident? Each paper model's headline
runs beside runs of the same recipe and seed without smoothing (the queue's `no_smoothing`
jobs). The same seed gives the same initialisation and data order, so the two runs of a seed
differ only in the loss's targets, and a paired test over seeds is the right one.

The criterion, fixed before the runs landed: smoothing is the cause for a model when its runs
without smoothing have a significantly lower test ECE than the same seeds with it (paired t over
seeds, Holm over the paper models) and a validation temperature that no longer says
under-confident (T >= 1 - `CALIBRATED_TEMPERATURE`).
"""

import numpy as np
import pandas as pd
from scipy import stats

from ..decision import predict_labels
from ..models.calibration import fit_temperature
from ..models.inference import predict_fake_probability
from ..models.training import TrainingRun
from ..significance import ALPHA, holm
from .metrics import expected_calibration_error

Key = tuple[str, int]
CALIBRATED_TEMPERATURE = 0.05  # a temperature within this of 1: not mis-calibrated


def smoothing_table(
    y_true: np.ndarray,
    smoothed: dict[Key, np.ndarray],
    plain: dict[Key, np.ndarray],
    temperatures: dict[Key, tuple[float, float]],
    cpus: dict[Key, tuple[str, str]],
) -> pd.DataFrame:
    """Per (architecture, seed) of `plain`: test ECE and accuracy with smoothing (`smoothed`,
    the headline run's test P(FAKE)) and without (`plain`), and the validation temperature and
    the CPUs of each (`temperatures`, `cpus`: (with, without))."""
    rows = []
    for (architecture, seed), probability in sorted(plain.items()):
        with_smoothing = smoothed[(architecture, seed)]
        rows.append(
            {
                "architecture": architecture,
                "seed": seed,
                "ece_smoothed": expected_calibration_error(y_true, with_smoothing),
                "ece_plain": expected_calibration_error(y_true, probability),
                "accuracy_smoothed": float(np.mean(predict_labels(with_smoothing) == y_true)),
                "accuracy_plain": float(np.mean(predict_labels(probability) == y_true)),
                "temperature_smoothed": temperatures[(architecture, seed)][0],
                "temperature_plain": temperatures[(architecture, seed)][1],
                "cpus_smoothed": cpus[(architecture, seed)][0],
                "cpus_plain": cpus[(architecture, seed)][1],
            }
        )
    return pd.DataFrame(rows).set_index(["architecture", "seed"])


def smoothing_tests(table: pd.DataFrame) -> pd.DataFrame:
    """Per architecture: mean ECE with and without smoothing, the paired t over seeds of the
    difference (NaN with one seed), Holm over the architectures, mean temperatures and the
    verdict of the module's criterion: "cause", "not the cause" or "untested"."""
    rows = []
    for architecture, group in table.groupby(level="architecture", sort=False):
        difference = (group["ece_smoothed"] - group["ece_plain"]).to_numpy()
        p = float("nan")
        if len(difference) > 1 and not np.allclose(difference, difference[0]):
            p = float(stats.ttest_1samp(difference, 0.0).pvalue)
        rows.append(
            {
                "architecture": architecture,
                "seeds": len(group),
                "ece_smoothed": group["ece_smoothed"].mean(),
                "ece_plain": group["ece_plain"].mean(),
                "ece_difference": float(difference.mean()),
                "accuracy_difference": float(
                    (group["accuracy_smoothed"] - group["accuracy_plain"]).mean()
                ),
                "temperature_smoothed": group["temperature_smoothed"].mean(),
                "temperature_plain": group["temperature_plain"].mean(),
                "p_value": p,
                "cpus_smoothed": "; ".join(sorted(set(group["cpus_smoothed"]))),
                "cpus_plain": "; ".join(sorted(set(group["cpus_plain"]))),
            }
        )
    tests = pd.DataFrame(rows).set_index("architecture")
    tests["p_holm"] = holm(tests["p_value"].to_numpy())
    tests["verdict"] = [verdict(row) for _, row in tests.iterrows()]
    return tests


def trained_on(run: TrainingRun) -> str:
    """The CPUs a run trained on, from the record of every epoch (a resumed run may span
    machines), else from its sidecar's machine."""
    epochs = {epoch["cpu"] for epoch in run.epoch_machines or []}
    return "; ".join(sorted(epochs)) if epochs else (run.machine or {}).get("cpu", "unknown")


def verdict(row: pd.Series) -> str:
    """The criterion of the module's docstring for one architecture's row: "cause"; "not the
    whole cause" (a significantly lower ECE without smoothing, but still under-confident);
    "not shown" (no significant difference); "not the cause" (a significantly higher ECE
    without smoothing); "untested" (one seed)."""
    if not np.isfinite(row["p_holm"]):
        return "untested"
    if row["p_holm"] >= ALPHA:
        return "not shown"
    if row["ece_difference"] <= 0:
        return "not the cause"
    calibrated = row["temperature_plain"] >= 1 - CALIBRATED_TEMPERATURE
    return "cause" if calibrated else "not the whole cause"


def temperatures(
    smoothed: dict[Key, TrainingRun], plain: dict[Key, TrainingRun], validation: tuple
) -> dict[Key, tuple[float, float]]:
    """Per key of `plain`: (the headline run's fitted temperature, the temperature fitted here
    on `validation` for the run without smoothing, as `detector.reference` fits it)."""
    images, labels = validation
    return {
        key: (
            (smoothed[key].calibration or {}).get("temperature", float("nan")),
            fit_temperature(predict_fake_probability(run.model, images), labels),
        )
        for key, run in plain.items()
    }


def cpus(smoothed: dict[Key, TrainingRun], plain: dict[Key, TrainingRun]) -> dict:
    """Per key of `plain`: (the CPUs the run with smoothing trained on, those without)."""
    return {key: (trained_on(smoothed[key]), trained_on(run)) for key, run in plain.items()}
