"""What a served detector needs beside its weights, fitted once after training and kept in its
sidecar: the temperature that calibrates P(FAKE) (on validation) and the feature reference of
the scope rule (training images' Gaussian, threshold on validation)."""

from dataclasses import replace

import numpy as np

from ..models.calibration import fit_temperature
from ..models.inference import predict_fake_probability
from ..models.training import TrainingRun
from .scope import fit_scope

REFERENCE_IMAGES = 20_000  # training images the feature Gaussian is fitted on
# Bumped when what `calibrate_run` fits changes: older calibrations are fitted again.
CALIBRATION_VERSION = 2


def calibrate_run(
    run: TrainingRun,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    seed: int = 0,
) -> TrainingRun:
    """`run` with its calibration (temperature and scope reference), fitted unless it holds one
    of this version."""
    if run.calibration is not None and run.calibration.get("version") == CALIBRATION_VERSION:
        return run
    chosen = np.random.default_rng(seed).permutation(len(train[1]))[:REFERENCE_IMAGES]
    chosen.sort()
    reference = (train[0][chosen], train[1][chosen])
    probability = predict_fake_probability(run.model, validation[0])
    calibration = {
        "version": CALIBRATION_VERSION,
        "temperature": fit_temperature(probability, validation[1]),
        "validation_images": int(len(validation[1])),
        "scope": fit_scope(run.model, reference, validation[0]),
    }
    return replace(run, calibration=calibration)


def calibrate_runs(
    runs: list[TrainingRun],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
) -> list[TrainingRun]:
    """Every run calibrated (see `calibrate_run`)."""
    return [calibrate_run(run, train, validation) for run in runs]
