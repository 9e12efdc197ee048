"""Shortcut controls: how far trivial classifiers get on simple image statistics alone.

If a logistic regression on a handful of numbers (the JPEG file size, the high-frequency
energy, a colour histogram) separates REAL from FAKE nearly as well as a CNN, the benchmark
rewards those statistics, not a notion of "generated". A logistic regression on one feature can
only draw one threshold, so it cannot use a class that differs in spread rather than in mean;
a shallow decision tree beside it can (several intervals per feature).
"""

import numpy as np
import pandas as pd
from scipy import ndimage, stats
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from ..decision import predict_labels

HISTOGRAM_BINS = 16
TREE_DEPTH = 3  # up to 8 intervals of a single feature: enough for a difference in spread
TREE_MIN_LEAF = 200  # images per leaf, so that the tree cannot memorise


def high_frequency_energy(images: np.ndarray, sigma: float = 1.0) -> np.ndarray:
    """(n, 3): per channel, the mean squared difference between the image and its Gaussian
    low-pass (fine-detail energy)."""
    pixels = images.astype(np.float32)
    low = ndimage.gaussian_filter(pixels, sigma=(0, sigma, sigma, 0), mode="reflect")
    return ((pixels - low) ** 2).mean(axis=(1, 2))


def colour_histograms(images: np.ndarray, bins: int = HISTOGRAM_BINS) -> np.ndarray:
    """(n, 3 * bins): the share of pixels in each of `bins` equal ranges, per channel."""
    binned = (images.astype(np.int32) * bins) // 256  # 0 .. bins-1
    counts = np.stack(
        [
            np.apply_along_axis(np.bincount, 1, binned[..., c].reshape(len(images), -1), None, bins)
            for c in range(3)
        ],
        axis=1,
    )
    return (counts / binned[..., 0][0].size).reshape(len(images), -1)


def feature_sets(images: np.ndarray, file_sizes: np.ndarray) -> dict[str, np.ndarray]:
    """The simple statistics each trivial classifier sees, by name."""
    return {
        "JPEG file size": np.asarray(file_sizes, dtype=np.float64)[:, None],
        "high-frequency energy": high_frequency_energy(images),
        "colour histogram": colour_histograms(images),
    }


def trivial_classifiers(
    train: dict[str, np.ndarray],
    train_labels: np.ndarray,
    test: dict[str, np.ndarray],
    test_labels: np.ndarray,
    seed: int = 0,
) -> pd.DataFrame:
    """A standardised logistic regression and a shallow decision tree per feature set (and on
    all of them together): test accuracy at the study's threshold and ROC-AUC of each."""
    sets = dict(train) | {"all three together": np.hstack(list(train.values()))}
    test_sets = dict(test) | {"all three together": np.hstack(list(test.values()))}
    rows = []
    for name, features in sets.items():
        classifier = make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=2_000, random_state=seed)
        )
        classifier.fit(features, train_labels)
        probability = classifier.predict_proba(test_sets[name])[:, 1]
        tree = DecisionTreeClassifier(
            max_depth=TREE_DEPTH, min_samples_leaf=TREE_MIN_LEAF, random_state=seed
        ).fit(features, train_labels)
        tree_probability = tree.predict_proba(test_sets[name])[:, 1]
        rows.append(
            {
                "features": name,
                "dimensions": features.shape[1],
                "accuracy": accuracy_score(test_labels, predict_labels(probability)),
                "roc_auc": roc_auc_score(test_labels, probability),
                "tree_accuracy": accuracy_score(test_labels, predict_labels(tree_probability)),
                "tree_roc_auc": roc_auc_score(test_labels, tree_probability),
            }
            | against_chance(test_labels, predict_labels(probability), "accuracy")
            | against_chance(test_labels, predict_labels(tree_probability), "tree_accuracy")
        )
    return pd.DataFrame(rows).set_index("features")


def against_chance(labels: np.ndarray, predicted: np.ndarray, name: str) -> dict[str, float]:
    """The exact binomial test of an accuracy against chance (50% on the balanced test split),
    two-sided, with its 95% Clopper-Pearson interval: `<name>_low`, `<name>_high`, `<name>_p`."""
    correct = int(np.sum(np.asarray(labels) == np.asarray(predicted)))
    test = stats.binomtest(correct, len(labels), 0.5)
    interval = test.proportion_ci(0.95, method="exact")
    return {f"{name}_low": interval.low, f"{name}_high": interval.high, f"{name}_p": test.pvalue}
