"""Evaluate the trained models on the test split: tables over models, seeds and subsets."""

from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import CIFAR10_CLASSES, LABELS
from ..decision import predict_labels
from ..models.architectures import DISPLAY_NAMES, PAPER_MODELS
from ..models.inference import predict_fake_probability
from ..models.training import TrainingRun, load_run
from ..significance import t_interval
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


UNTUNED_SUFFIX = "_untuned"


def load_untuned_predictions(folder: Path, test_indices: np.ndarray) -> dict:
    """{("<architecture>_untuned", seed): P(FAKE)} on `test_indices`, from the saved test
    predictions of the untuned recipe (see outputs/untuned/README.md)."""
    path = folder / "04_test_predictions.npz"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the untuned recipe's saved test predictions")
    with np.load(path) as saved:
        position = {index: k for k, index in enumerate(saved["test_indices"])}
        missing = [index for index in test_indices if index not in position]
        if missing:
            raise ValueError(f"{path} lacks {len(missing)} of the requested test images")
        rows = np.array([position[index] for index in test_indices])
        predictions = {}
        for key in saved.files:
            if key == "test_indices":
                continue
            architecture, _, seed = key.rpartition("_seed")
            predictions[(architecture + UNTUNED_SUFFIX, int(seed))] = saved[key][rows]
    return predictions


def display_name(key: str) -> str:
    """How tables name an architecture key, the untuned recipe's included."""
    if key.endswith(UNTUNED_SUFFIX):
        return f"{DISPLAY_NAMES[key.removesuffix(UNTUNED_SUFFIX)]} (untuned)"
    return DISPLAY_NAMES[key]


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


def per_cifar_class_table(
    y_true: np.ndarray, cifar_classes: np.ndarray, probabilities: list[np.ndarray]
) -> pd.DataFrame:
    """`per_cifar_class_accuracy` over seeds: per CIFAR-10 class, each label's mean accuracy
    over the seeds' `probabilities` with its 95% t-interval (`<label>_mean`, `_low`, `_high`;
    the interval is NaN for one seed)."""
    per_seed = [per_cifar_class_accuracy(y_true, cifar_classes, p) for p in probabilities]
    columns = {}
    for label in LABELS:
        values = np.column_stack([table[label].to_numpy() for table in per_seed])
        bounds = np.array([t_interval(row) for row in values])
        columns |= {
            f"{label}_mean": values.mean(axis=1),
            f"{label}_low": bounds[:, 0],
            f"{label}_high": bounds[:, 1],
        }
    return pd.DataFrame(columns, index=per_seed[0].index)


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


def headline_table(intervals: pd.DataFrame) -> pd.DataFrame:
    """Paper, untuned and tuned accuracy side by side (percent), for the paper's two models.

    `intervals` is `seeds.accuracy_intervals` over the tuned and the untuned architectures.
    """
    rows = {}
    for architecture, reported in PAPER_RESULTS.items():
        tuned = intervals.loc[architecture]
        untuned = intervals.loc[architecture + UNTUNED_SUFFIX]
        rows[DISPLAY_NAMES[architecture]] = {
            "paper": reported["accuracy"],
            "untuned_mean": 100 * untuned["accuracy_mean"],
            "untuned_std": 100 * untuned["accuracy_std"],
            "untuned_seeds": int(untuned["seeds"]),
            "tuned_mean": 100 * tuned["accuracy_mean"],
            "tuned_std": 100 * tuned["accuracy_std"],
            "tuned_seeds": int(tuned["seeds"]),
            "tuned_t_low": 100 * tuned["t_low"],
            "tuned_t_high": 100 * tuned["t_high"],
            "tuned_bootstrap_low": 100 * tuned["bootstrap_low"],
            "tuned_bootstrap_high": 100 * tuned["bootstrap_high"],
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def seed_accuracies(
    y_true: np.ndarray, predictions: dict[tuple[str, int], np.ndarray]
) -> dict[str, dict[str, list[float]]]:
    """Per paper model (display name): each seed's test accuracy in percent, under the tuned
    recipe and, where `predictions` holds them, the untuned one."""
    accuracies = {}
    for architecture in PAPER_MODELS:
        accuracies[DISPLAY_NAMES[architecture]] = {
            recipe: [
                100 * float(np.mean(predict_labels(p) == y_true))
                for (a, _), p in sorted(predictions.items())
                if a == key
            ]
            for recipe, key in (
                ("tuned recipe", architecture),
                ("untuned recipe", architecture + UNTUNED_SUFFIX),
            )
        }
    return accuracies


def comparison_sentence(row: pd.Series, first: str, second: str) -> str:
    """One comparison of the family as a sentence: `second` against `first`, in accuracy
    points, the verdict resting on the Holm-adjusted p-value."""
    low, high = 100 * row["difference_low"], 100 * row["difference_high"]
    interval = f" (95% interval {low:+.2f} to {high:+.2f})" if np.isfinite(low) else ""
    if str(row["seeds"]) == "1":
        test = f"McNemar's exact test on one seed, p = {row['p_value']:.2g}"
    else:
        test = f"{row['test']} over {row['seeds']} seeds, p = {row['p_value']:.2g}"
    if "p_holm" in row and np.isfinite(row["p_holm"]):
        test += f", Holm-adjusted over {row['family_size']} comparisons {row['p_holm']:.2g}"
    confound = f" ({row['confound']})" if row.get("confound") else ""
    return (
        f"{display_name(second)} vs {display_name(first)}: "
        f"{100 * row['difference_mean']:+.2f} points{interval}, {test}: "
        f"**{row['verdict']}**{confound}."
    )


def reproduction_markdown(reproduced: pd.DataFrame) -> list[str]:
    """The reproduction verdicts (`reproduction.reproduction_table`) as a markdown table."""
    lines = [
        "Is each published number reproduced? The criterion, stated in notebook 04 before its "
        "result: the published single run lies inside the 95% interval for one run of ours "
        "measured on another 20,000-image test set (our seeds' spread and the test images' "
        "sampling noise), and our mean is equivalent to it within "
        f"±{reproduced['margin'].iloc[0]:.2f} points (two one-sided t-tests, Holm over the "
        "published numbers):",
        "",
        "| published | % | ours | mean ± std | one run, other test images | TOST p (Holm) | "
        "verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for claim, row in reproduced.iterrows():
        lines.append(
            f"| {claim} | {row['published']:.2f} | {row['ours']} ({row['seeds']} seeds) | "
            f"{row['mean']:.2f} ± {row['std']:.2f} | {row['prediction_low']:.2f} – "
            f"{row['prediction_high']:.2f} | {row['tost_p_holm']:.2g} | **{row['verdict']}** |"
        )
    return lines


def results_markdown(
    headline: pd.DataFrame,
    paired: pd.DataFrame,
    deduplicated: pd.DataFrame,
    reproduced: pd.DataFrame,
    equal_compute: list[str] | None = None,
) -> str:
    """The README's results section, from the saved tables (and `equal_compute`, the
    equal-compute ablation's sentences)."""
    lines = [
        "Accuracy on the official 20,000-image test split, in percent:",
        "",
        "| model | paper | untuned recipe, mean ± std | tuned recipe, mean ± std | "
        "95% t-interval over seeds | 95% bootstrap over seeds and images |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for model, row in headline.iterrows():
        lines.append(
            f"| {model} | {row['paper']:.2f} | {row['untuned_mean']:.2f} ± "
            f"{row['untuned_std']:.2f} ({row['untuned_seeds']:.0f} seeds) | "
            f"{row['tuned_mean']:.2f} ± {row['tuned_std']:.2f} ({row['tuned_seeds']:.0f} seeds) | "
            f"{row['tuned_t_low']:.2f} – {row['tuned_t_high']:.2f} | "
            f"{row['tuned_bootstrap_low']:.2f} – {row['tuned_bootstrap_high']:.2f} |"
        )
    lines += ["", *reproduction_markdown(reproduced)]
    lines += [
        "",
        "The study's comparisons on the same test images, tested as one family (difference in "
        "accuracy; verdicts at 5% after Holm's adjustment):",
        "",
    ]
    lines += [f"- {comparison_sentence(row, *pair)}" for pair, row in paired.iterrows()]
    if equal_compute:
        lines += [
            "",
            "CNN2D and its single-change variants are compared above as trained, for a budget "
            "below CNN2D's validation plateau (notebook 03). The ablation at equal compute "
            "(notebook 04; every arm 40 epochs, its own family of three comparisons, Holm over "
            "those):",
            "",
        ]
        lines += [f"- {sentence}" for sentence in equal_compute]
    lines += [
        "",
        "Balanced accuracy on the deduplicated test split (test images also in train removed, "
        "which leaves fewer FAKE than REAL images), mean over seeds: "
        + "; ".join(
            f"{DISPLAY_NAMES[a]} {100 * deduplicated.loc[a, 'balanced_accuracy_mean']:.2f}%"
            for a in PAPER_MODELS
        )
        + ".",
    ]
    return "\n".join(lines)


def paper_reported_table() -> pd.DataFrame:
    """The follow-up paper's reported numbers, in percent, as its table prints them."""
    rows = {
        DISPLAY_NAMES[architecture]: {PAPER_COLUMNS[key]: value for key, value in reported.items()}
        for architecture, reported in PAPER_RESULTS.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
