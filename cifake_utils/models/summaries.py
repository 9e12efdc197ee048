"""Tables of training runs: one row per run, and mean and spread per architecture."""

import pandas as pd

from .training import TrainingRun


def by_architecture(runs: list[TrainingRun]) -> dict[str, list[TrainingRun]]:
    """The runs grouped by architecture, in first-seen order."""
    grouped: dict[str, list[TrainingRun]] = {}
    for run in runs:
        grouped.setdefault(run.model_config.name, []).append(run)
    return grouped


def summarise_runs(runs: list[TrainingRun]) -> pd.DataFrame:
    """One row per run: architecture, seed, parameters, epochs, validation metrics and the
    training accuracy of the kept epoch (how far the model fits its own training images)."""
    return pd.DataFrame(
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


def mean_and_spread(runs_table: pd.DataFrame) -> pd.DataFrame:
    """Per architecture: parameters, validation accuracy mean and std over seeds, seeds."""
    grouped = runs_table.groupby("architecture", sort=False)
    return pd.DataFrame(
        {
            "parameters": grouped["parameters"].first(),
            "val_accuracy_mean": grouped["val_accuracy"].mean(),
            "val_accuracy_std": grouped["val_accuracy"].std(ddof=1),
            "train_accuracy_mean": grouped["train_accuracy"].mean(),
            "epochs_mean": grouped["epochs_trained"].mean(),
            "seeds": grouped["seed"].count(),
        }
    )
