"""The corruption grid: each model on transformed test images, at the study's threshold and at
a threshold re-tuned on the same transformation of the validation split.

Accuracy at the fixed threshold mixes two things: whether the scores still rank FAKE above
REAL (ROC-AUC, average precision) and whether the threshold still sits between them
(calibration). A transformation that keeps AUC but collapses accuracy moves the scores, it
does not erase the cue.
"""

import keras
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import average_precision_score, roc_auc_score

from ..decision import THRESHOLD, predict_labels
from ..models.inference import predict_fake_probability
from ..significance import holm, t_interval
from .corruptions import CONTROL, SAME_AS, Corruption


def best_threshold(labels: np.ndarray, probability: np.ndarray) -> float:
    """The threshold with the highest accuracy on (labels, probability): midway between two
    neighbouring scores, so that it does not sit on a score."""
    order = np.sort(np.unique(probability))
    candidates = np.concatenate([[0.0], (order[:-1] + order[1:]) / 2, [1.0]])
    accuracies = [np.mean(predict_labels(probability, t) == labels) for t in candidates]
    return float(candidates[int(np.argmax(accuracies))])


def threshold_metrics(
    test: tuple[np.ndarray, np.ndarray], validation: tuple[np.ndarray, np.ndarray]
) -> dict[str, float]:
    """From (labels, P(FAKE)) on test and on validation: accuracy at the study's threshold and
    at the one re-tuned on validation, ROC-AUC and AP on test."""
    test_labels, probability = test
    threshold = best_threshold(*validation)
    right = predict_labels(probability) == test_labels
    return {
        "accuracy": float(np.mean(right)),
        "real_accuracy": float(np.mean(right[test_labels == 0])),  # REAL is label 0
        "fake_accuracy": float(np.mean(right[test_labels == 1])),
        "retuned_threshold": threshold,
        "accuracy_retuned": float(np.mean(predict_labels(probability, threshold) == test_labels)),
        "roc_auc": float(roc_auc_score(test_labels, probability)),
        "average_precision": float(average_precision_score(test_labels, probability)),
        "mean_p_fake": float(probability.mean()),
        "threshold": THRESHOLD,
    }


def corrupted_metrics(
    model: keras.Model,
    test: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    corruption: Corruption,
    seed: int = 0,
) -> dict[str, float]:
    """Accuracy at the study's threshold and at the re-tuned one, ROC-AUC and AP, of `model` on
    the corrupted test images (the validation images corrupted alike pick the threshold)."""
    (test_images, test_labels), (val_images, val_labels) = test, validation
    probability = predict_fake_probability(model, corruption(test_images, seed))
    val_probability = predict_fake_probability(model, corruption(val_images, seed + 1))
    return threshold_metrics((test_labels, probability), (val_labels, val_probability))


def grid_table(
    models: dict[tuple[str, int], keras.Model],
    test: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    corruptions: dict[str, Corruption],
    seed: int = 0,
) -> pd.DataFrame:
    """One row per corruption, architecture and seed: `threshold_metrics` of that model on the
    corrupted test split. Each corruption is applied once and shared by every model."""
    (test_images, test_labels), (val_images, val_labels) = test, validation
    rows = []
    for name, corruption in corruptions.items():
        corrupted_test = corruption(test_images, seed)
        corrupted_val = corruption(val_images, seed + 1)
        for (architecture, model_seed), model in models.items():
            found = threshold_metrics(
                (test_labels, predict_fake_probability(model, corrupted_test)),
                (val_labels, predict_fake_probability(model, corrupted_val)),
            )
            key = {"corruption": name, "architecture": architecture, "seed": model_seed}
            rows.append(key | found)
    return pd.DataFrame(rows)


SUMMARISED = ("accuracy", "accuracy_retuned", "roc_auc", "average_precision")
BY_CLASS = ("real_accuracy", "fake_accuracy")  # accuracy at 0.5 on each class's test images


def summarise_grid(table: pd.DataFrame) -> pd.DataFrame:
    """Per corruption and architecture: each metric's mean over seeds, with the 95% t-interval
    over seeds (NaN with one seed), in the grid's order of corruptions; and, per transformation,
    two paired t-tests over seeds against the control, each Holm-adjusted over the
    architecture's transformations (NaN without a control, with one seed, or for a repeat of a
    grid transformation, `SAME_AS`, which the grid's family tests): the loss of
    accuracy at the study's threshold (`accuracy_drop`, in points of [0, 1], with its 95%
    interval simultaneous over the architecture's tested transformations, Bonferroni, so that
    every verdict read off it holds at once) and the re-tuned accuracy against the control's."""
    rows = []
    for (corruption, architecture), group in table.groupby(
        ["corruption", "architecture"], sort=False
    ):
        row = {"corruption": corruption, "architecture": architecture, "seeds": len(group)}
        for metric in (*SUMMARISED, *(m for m in BY_CLASS if m in group)):
            low, high = t_interval(group[metric].to_numpy())
            row |= {metric: group[metric].mean(), f"{metric}_low": low, f"{metric}_high": high}
        drop = control_minus(table, corruption, architecture, "accuracy")
        family = tested_transformations(table, architecture)
        low, high = t_interval(drop, confidence=1 - 0.05 / family)  # Bonferroni
        row |= {
            "accuracy_drop": float(drop.mean()) if len(drop) else float("nan"),
            "accuracy_drop_low": low,
            "accuracy_drop_high": high,
            "accuracy_drop_family": family,
            "accuracy_p": paired_p(drop),
            "accuracy_retuned_p": paired_p(
                control_minus(table, corruption, architecture, "accuracy_retuned")
            ),
        }
        rows.append(row)
    summary = pd.DataFrame(rows).set_index(["corruption", "architecture"])
    for test in ("accuracy_p", "accuracy_retuned_p"):
        summary[f"{test}_holm"] = np.nan
        repeated = summary.index.get_level_values("corruption").isin(list(SAME_AS))
        summary.loc[repeated, test] = np.nan
        for architecture in summary.index.unique("architecture"):
            rows_of = (summary.index.get_level_values("architecture") == architecture) & ~repeated
            summary.loc[rows_of, f"{test}_holm"] = holm(summary.loc[rows_of, test].to_numpy())
    return summary


def tested_transformations(table: pd.DataFrame, architecture: str) -> int:
    """How many transformations of `architecture` are tested against the control: every one
    but the control and the repeats of a grid transformation (`SAME_AS`)."""
    names = set(table.loc[table["architecture"] == architecture, "corruption"])
    return max(1, len(names - {CONTROL} - set(SAME_AS)))


def control_minus(
    table: pd.DataFrame, corruption: str, architecture: str, metric: str
) -> np.ndarray:
    """Per seed, the control's `metric` minus its value under `corruption` (empty for the
    control itself or without a control)."""
    if corruption == CONTROL:
        return np.array([])
    runs = table[table["architecture"] == architecture].set_index(["corruption", "seed"])
    if CONTROL not in runs.index.get_level_values("corruption"):
        return np.array([])
    under = runs.loc[corruption, metric]
    control = runs.loc[CONTROL, metric].reindex(under.index)
    return (control - under).to_numpy(dtype=float)


def paired_p(differences: np.ndarray) -> float:
    """Two-sided paired t-test p over seeds of per-seed differences (NaN with fewer than two
    seeds or no variation)."""
    if len(differences) < 2 or np.allclose(differences, differences[0]):
        return float("nan")
    return float(stats.ttest_1samp(differences, 0.0).pvalue)
