"""Evaluate the trained models on the test split: tables over models, seeds and subsets."""

from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import CIFAR10_CLASSES, LABELS
from ..decision import predict_labels
from ..models.architectures import DISPLAY_NAMES
from ..models.inference import predict_fake_probability
from ..models.training import TrainingRun, load_run
from . import metrics

# The follow-up paper's table, in percent (weighted averages over the two classes).
PAPER_RESULTS = {
    "cnn2d": {"accuracy": 94.98, "precision": 95.02, "recall": 94.98, "f1": 94.98},
    "modified_cnn2d": {"accuracy": 95.94, "precision": 95.99, "recall": 95.94, "f1": 95.94},
}
PAPER_COLUMNS = {
    "accuracy": "Accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1_score",
}


def load_runs(models_dir: Path, architectures: list[str], seeds: tuple[int, ...]) -> dict:
    """{(architecture, seed): TrainingRun} for every saved model asked for."""
    runs = {}
    for architecture in architectures:
        for seed in seeds:
            path = models_dir / f"{architecture}_seed{seed}.keras"
            if not path.is_file():
                raise FileNotFoundError(f"{path}: no trained model; run notebooks 02 and 03")
            runs[(architecture, seed)] = load_run(path)
    return runs


def check_data(runs: dict[tuple[str, int], TrainingRun], data_checksum: str) -> None:
    """Refuse models trained on other data than the loaded one."""
    stale = [f"{a}_seed{s}" for (a, s), run in runs.items() if run.data_checksum != data_checksum]
    if stale:
        raise ValueError(f"models trained on other data: {', '.join(stale)}; retrain them")


def metrics_table(
    y_true: np.ndarray, predictions: dict[tuple[str, int], np.ndarray]
) -> pd.DataFrame:
    """One row per (architecture, seed): headline metrics and ECE."""
    rows = []
    for (architecture, seed), probability in predictions.items():
        row = metrics.headline_metrics(y_true, probability)
        row["ece"] = metrics.expected_calibration_error(y_true, probability)
        rows.append({"architecture": architecture, "seed": seed, **row})
    return pd.DataFrame(rows).set_index(["architecture", "seed"])


def mean_and_std(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over seeds of each metric, per architecture."""
    grouped = table.groupby(level="architecture", sort=False)
    summary = grouped.mean().add_suffix("_mean").join(grouped.std(ddof=1).add_suffix("_std"))
    order = [f"{name}_{stat}" for name in table.columns for stat in ("mean", "std")]
    return summary[order]


def paper_comparison(table: pd.DataFrame) -> pd.DataFrame:
    """The paper's table beside ours (mean over seeds), in percent."""
    rows = {}
    for architecture, reported in PAPER_RESULTS.items():
        ours = table.loc[architecture].mean()
        row = {}
        for key, column in PAPER_COLUMNS.items():
            row[f"{column} (paper)"] = reported[key]
            row[f"{column} (ours)"] = round(100 * ours[key], 2)
            row[f"{column} (ours, std)"] = round(100 * table.loc[architecture][key].std(ddof=1), 2)
        rows[DISPLAY_NAMES[architecture]] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def bootstrap_table(
    y_true: np.ndarray,
    predictions: dict[tuple[str, int], np.ndarray],
    resamples: int = 1_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Point estimate and 95% percentile bootstrap interval of each headline metric."""
    rows = []
    for (architecture, model_seed), probability in predictions.items():
        for name, metric in metrics.HEADLINE_METRICS.items():
            low, high = metrics.bootstrap_interval(
                metric, y_true, probability, resamples=resamples, seed=seed
            )
            rows.append(
                {
                    "architecture": architecture,
                    "seed": model_seed,
                    "metric": name,
                    "estimate": metric(y_true, probability),
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return pd.DataFrame(rows).set_index(["architecture", "seed", "metric"])


def mcnemar_table(
    y_true: np.ndarray,
    predictions: dict[tuple[str, int], np.ndarray],
    first: str,
    second: str,
    seeds: tuple[int, ...],
) -> pd.DataFrame:
    """McNemar's exact test of `first` vs `second`, one row per seed pair."""
    rows = []
    for seed in seeds:
        result = metrics.mcnemar_exact(
            y_true,
            predict_labels(predictions[(first, seed)]),
            predict_labels(predictions[(second, seed)]),
        )
        rows.append(
            {
                "seed": seed,
                f"{first}_only_correct": result["a_only"],
                f"{second}_only_correct": result["b_only"],
                "p_value": result["p_value"],
            }
        )
    return pd.DataFrame(rows).set_index("seed")


def per_cifar_class_accuracy(
    y_true: np.ndarray, cifar_classes: np.ndarray, probability: np.ndarray
) -> pd.DataFrame:
    """Accuracy on the REAL and on the FAKE images of each CIFAR-10 class (10 x 2)."""
    correct = predict_labels(probability) == y_true
    table = pd.DataFrame(
        index=pd.Index(CIFAR10_CLASSES, name="CIFAR-10 class"), columns=LABELS, dtype=float
    )
    for class_index, class_name in enumerate(CIFAR10_CLASSES):
        for label_index, label in enumerate(LABELS):
            chosen = (cifar_classes == class_index) & (y_true == label_index)
            table.loc[class_name, label] = correct[chosen].mean() if chosen.any() else np.nan
    return table


def most_confident_errors(
    y_true: np.ndarray, probability: np.ndarray, true_label: str, count: int = 8
) -> np.ndarray:
    """Indices of the `count` wrong calls on `true_label` images the model was surest of."""
    label = LABELS.index(true_label)
    wrong = np.flatnonzero((y_true == label) & (predict_labels(probability) != label))
    confidence = probability[wrong] if label == 0 else 1.0 - probability[wrong]
    return wrong[np.argsort(-confidence, kind="stable")[:count]]


def predict_all(runs: dict[tuple[str, int], TrainingRun], images: np.ndarray) -> dict:
    """{(architecture, seed): P(FAKE) per image} for every run."""
    return {key: predict_fake_probability(run.model, images) for key, run in runs.items()}


def subset_predictions(predictions: dict, mask: np.ndarray) -> dict:
    """The same predictions restricted to the images where `mask` is True."""
    return {key: probability[mask] for key, probability in predictions.items()}


def results_markdown(
    comparison: pd.DataFrame,
    intervals: pd.DataFrame,
    tests: pd.DataFrame,
    deduplicated: pd.DataFrame,
) -> str:
    """The README's results section, from the saved tables."""
    lines = [
        "| model | metric | paper | ours (mean ± std over seeds) | 95% bootstrap CI, seed 0 |",
        "| --- | --- | --- | --- | --- |",
    ]
    names = {display: key for key, display in DISPLAY_NAMES.items()}
    for model in comparison.index:
        for key, column in PAPER_COLUMNS.items():
            low, high = intervals.loc[(names[model], 0, key), ["ci_low", "ci_high"]]
            lines.append(
                f"| {model} | {column} | {comparison.loc[model, f'{column} (paper)']:.2f} | "
                f"{comparison.loc[model, f'{column} (ours)']:.2f} ± "
                f"{comparison.loc[model, f'{column} (ours, std)']:.2f} | "
                f"{100 * low:.2f} – {100 * high:.2f} |"
            )
    lines.append("")
    lines.append("McNemar's exact test, CNN2D vs Modified CNN2D on the same test images:")
    lines.append("")
    lines.append(
        " ".join(f"seed {seed}: p = {row['p_value']:.3g}." for seed, row in tests.iterrows())
    )
    lines.append("")
    lines.append(
        "Accuracy on the deduplicated test split (test images also in train removed), "
        "mean over seeds: "
        + "; ".join(
            f"{DISPLAY_NAMES[a]} {100 * deduplicated.loc[a, 'accuracy_mean']:.2f}%"
            for a in ("cnn2d", "modified_cnn2d")
        )
        + "."
    )
    return "\n".join(lines)


def paper_reported_table() -> pd.DataFrame:
    """The follow-up paper's reported numbers, in percent, as its table prints them."""
    rows = {
        DISPLAY_NAMES[architecture]: {PAPER_COLUMNS[key]: value for key, value in reported.items()}
        for architecture, reported in PAPER_RESULTS.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
