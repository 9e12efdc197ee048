"""Uncertainty that includes the seed: intervals over seeds and paired tests between models.

A seed-0 bootstrap says how much the test images move one trained model's score; a rerun
with another seed (or on another CPU) moves it more. These functions put both in.
"""

import numpy as np
import pandas as pd
from scipy import stats

from ..decision import predict_labels
from ..significance import ALPHA, t_interval
from . import metrics


def seed_and_image_bootstrap(
    y_true: np.ndarray,
    probabilities: np.ndarray,
    resamples: int = 1_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile interval of mean accuracy, resampling the seeds and then the test images.

    `probabilities` is (seeds, images). Each resample draws seeds with replacement and one
    set of images with replacement shared by them (the models saw the same test images).
    """
    correct = predict_labels(np.asarray(probabilities)) == np.asarray(y_true)[None, :]
    rng = np.random.default_rng(seed)
    n_seeds, n_images = correct.shape
    means = np.empty(resamples)
    for index in range(resamples):
        seeds = rng.integers(0, n_seeds, n_seeds)
        images = rng.integers(0, n_images, n_images)
        means[index] = correct[np.ix_(seeds, images)].mean()
    tail = (1 - confidence) / 2
    return float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail))


def stack_seeds(predictions: dict, architecture: str) -> tuple[list[int], np.ndarray]:
    """The seeds of `architecture` in `predictions` and their P(FAKE) as (seeds, images)."""
    seeds = sorted(seed for name, seed in predictions if name == architecture)
    return seeds, np.stack([predictions[(architecture, seed)] for seed in seeds])


def accuracy_intervals(
    y_true: np.ndarray,
    predictions: dict[tuple[str, int], np.ndarray],
    architectures: list[str],
    resamples: int = 1_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per architecture: accuracy mean and std over seeds, the t-interval over seeds, and
    the seed-and-image bootstrap interval."""
    rows = []
    for architecture in architectures:
        seeds, probabilities = stack_seeds(predictions, architecture)
        accuracies = (predict_labels(probabilities) == y_true[None, :]).mean(axis=1)
        t_low, t_high = t_interval(accuracies)
        b_low, b_high = seed_and_image_bootstrap(y_true, probabilities, resamples, seed=seed)
        rows.append(
            {
                "architecture": architecture,
                "seeds": len(seeds),
                "accuracy_mean": accuracies.mean(),
                "accuracy_std": accuracies.std(ddof=1) if len(seeds) > 1 else np.nan,
                "t_low": t_low,
                "t_high": t_high,
                "bootstrap_low": b_low,
                "bootstrap_high": b_high,
            }
        )
    return pd.DataFrame(rows).set_index("architecture")


def verdict(difference: float, p_value: float) -> str:
    """ "better", "worse" or "not significant" for `second` against `first`."""
    if not np.isfinite(p_value) or p_value >= ALPHA:
        return "not significant"
    return "better" if difference > 0 else "worse"


def paired_comparison(
    y_true: np.ndarray, predictions: dict[tuple[str, int], np.ndarray], first: str, second: str
) -> dict:
    """Does `second` beat `first`? Matched seeds, same test images.

    Per seed pair, McNemar's exact test (the images' noise). Over the seed pairs, a paired
    t-test on the accuracy difference (the training noise): the verdict rests on it, or on
    McNemar's test when there is one seed pair only.
    """
    seeds = sorted(
        {s for a, s in predictions if a == first} & {s for a, s in predictions if a == second}
    )
    if not seeds:
        raise ValueError(f"no seed trained for both {first} and {second}")
    accuracy = {name: [] for name in (first, second)}
    mcnemar = []
    for seed in seeds:
        labels = {name: predict_labels(predictions[(name, seed)]) for name in (first, second)}
        for name in (first, second):
            accuracy[name].append(float(np.mean(labels[name] == y_true)))
        mcnemar.append(metrics.mcnemar_exact(y_true, labels[second], labels[first]))
    differences = np.array(accuracy[second]) - np.array(accuracy[first])
    if len(seeds) > 1 and np.ptp(differences) > 0:
        p_value = float(stats.ttest_1samp(differences, 0.0).pvalue)
    elif len(seeds) > 1:  # identical differences: the t statistic is undefined
        p_value = 0.0 if differences[0] != 0 else 1.0
    else:
        p_value = mcnemar[0]["p_value"]
    low, high = t_interval(differences)
    return {
        "first": first,
        "second": second,
        "seeds": len(seeds),
        "difference_mean": float(differences.mean()),
        "difference_low": low,
        "difference_high": high,
        "p_value": p_value,
        "test": "paired t over seeds" if len(seeds) > 1 else "McNemar, one seed",
        "mcnemar_p_max": max(result["p_value"] for result in mcnemar),
        "seeds_second_better": int(
            sum(r["p_value"] < ALPHA and r["a_only"] > r["b_only"] for r in mcnemar)
        ),
        "seeds_second_worse": int(
            sum(r["p_value"] < ALPHA and r["a_only"] < r["b_only"] for r in mcnemar)
        ),
        "verdict": verdict(float(differences.mean()), p_value),
    }


def comparisons_table(
    y_true: np.ndarray, predictions: dict, pairs: list[tuple[str, str]]
) -> pd.DataFrame:
    """`paired_comparison` for each (first, second) pair, one row each."""
    rows = [paired_comparison(y_true, predictions, first, second) for first, second in pairs]
    return pd.DataFrame(rows).set_index(["first", "second"])


def metric_intervals(table: pd.DataFrame, metrics: tuple[str, ...]) -> pd.DataFrame:
    """Per architecture of a per-run table (`tables.metrics_table`, indexed by architecture and
    seed) and per metric: the mean over seeds and its 95% t-interval (NaN with one seed)."""
    rows = []
    for architecture, group in table.groupby(level="architecture", sort=False):
        row = {"architecture": architecture, "seeds": len(group)}
        for metric in metrics:
            low, high = t_interval(group[metric].to_numpy())
            row |= {metric: group[metric].mean(), f"{metric}_low": low, f"{metric}_high": high}
        rows.append(row)
    return pd.DataFrame(rows).set_index("architecture")
