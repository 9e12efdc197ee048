"""Tables of training runs: one row per run, and mean and spread per architecture."""

import numpy as np
import pandas as pd

from ..decision import predict_labels
from .inference import predict_fake_probability
from .training import TrainingRun


def by_architecture(runs: list[TrainingRun]) -> dict[str, list[TrainingRun]]:
    """The runs grouped by architecture, in first-seen order."""
    grouped: dict[str, list[TrainingRun]] = {}
    for run in runs:
        grouped.setdefault(run.model_config.name, []).append(run)
    return grouped


def inference_accuracy(run: TrainingRun, images: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy on `images` with the model in inference mode: no dropout and no augmentation
    (and no label smoothing, which changes the loss, not the verdict). The accuracy that
    training logs is measured with dropout and augmentation on, so it is not the model's fit."""
    return float(np.mean(predict_labels(predict_fake_probability(run.model, images)) == labels))


def summarise_runs(
    runs: list[TrainingRun], train: tuple[np.ndarray, np.ndarray] | None = None
) -> pd.DataFrame:
    """One row per run: architecture, seed, parameters, epochs, validation metrics and the
    training accuracy of the kept epoch as training logged it; with `train` (images, labels)
    also the accuracy on them in inference mode (how far the model fits its training images)."""
    table = pd.DataFrame(
        [
            {
                "architecture": run.model_config.name,
                "seed": run.train_config.seed,
                "parameters": run.model.count_params(),
                "epochs_trained": run.epochs_trained,
                "best_epoch": run.best_epoch,
                "val_accuracy": run.validation["accuracy"],
                "val_loss": run.validation["loss"],
                "train_accuracy": run.history["accuracy"][run.best_epoch - 1],
                "minutes": run.seconds / 60,
            }
            for run in runs
        ]
    )
    if train is not None:
        table["train_accuracy_inference"] = [inference_accuracy(run, *train) for run in runs]
    return table


def mean_and_spread(runs_table: pd.DataFrame) -> pd.DataFrame:
    """Per architecture: parameters, validation accuracy mean and std over seeds, seeds."""
    grouped = runs_table.groupby("architecture", sort=False)
    return pd.DataFrame(
        {
            "parameters": grouped["parameters"].first(),
            "val_accuracy_mean": grouped["val_accuracy"].mean(),
            "val_accuracy_std": grouped["val_accuracy"].std(ddof=1),
            "train_accuracy_mean": grouped["train_accuracy"].mean(),
            **(
                {"train_accuracy_inference_mean": grouped["train_accuracy_inference"].mean()}
                if "train_accuracy_inference" in runs_table
                else {}
            ),
            "epochs_mean": grouped["epochs_trained"].mean(),
            "seeds": grouped["seed"].count(),
        }
    )
