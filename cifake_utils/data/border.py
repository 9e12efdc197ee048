"""Is the border-versus-centre grey level a class cue per image, not only in the mean images?

The mean images' border rings can differ in sign between the classes while single images
overlap almost entirely. The test here works per image: a threshold on each image's
border-minus-centre gap, fitted on the training split, is scored on the test split against
chance (a two-sided binomial test), with a Wilson interval.
"""

import numpy as np
from scipy import stats

from ..constants import LABELS
from .loading import CifakeSplit

_CHUNK = 8192  # images per batch: bounds memory at ~25 MB of float64 grey levels


def border_minus_centre(images: np.ndarray, ring: int = 4) -> np.ndarray:
    """Per image: the mean grey level (mean of R, G, B) of the outer `ring` pixels minus that
    of the pixels inside the ring."""
    inside = np.zeros(images.shape[1:3], dtype=bool)
    inside[ring:-ring, ring:-ring] = True
    gaps = np.empty(len(images))
    for start in range(0, len(images), _CHUNK):
        grey = images[start : start + _CHUNK].mean(axis=-1, dtype=np.float64)
        gaps[start : start + _CHUNK] = grey[:, ~inside].mean(axis=1) - grey[:, inside].mean(axis=1)
    return gaps


def fit_threshold(gaps: np.ndarray, labels: np.ndarray) -> tuple[float, int]:
    """The threshold and side (+1: gap above it says FAKE, -1: below it) that classify the
    most of (`gaps`, `labels`) correctly, with label 1 = FAKE."""
    order = np.argsort(gaps, kind="stable")
    ordered_gaps, ordered_labels = gaps[order], labels[order]
    # Cutting after position i calls the first i+1 images one class and the rest the other.
    fake_below = np.cumsum(ordered_labels)
    real_below = np.arange(1, len(gaps) + 1) - fake_below
    fake_above = fake_below[-1] - fake_below
    correct_if_above_is_fake = real_below + fake_above
    correct_if_below_is_fake = len(gaps) - correct_if_above_is_fake
    best_above = int(np.argmax(correct_if_above_is_fake[:-1]))
    best_below = int(np.argmax(correct_if_below_is_fake[:-1]))
    if correct_if_above_is_fake[best_above] >= correct_if_below_is_fake[best_below]:
        cut, side = best_above, 1
    else:
        cut, side = best_below, -1
    return float((ordered_gaps[cut] + ordered_gaps[cut + 1]) / 2), side


def border_cue(train: CifakeSplit, test: CifakeSplit, ring: int = 4) -> dict:
    """Per-image gaps of each class on the test split (mean and share above zero), and how
    well a threshold fitted on the training split classifies the test split: accuracy, its
    95% Wilson interval and the binomial p-value against 50%."""
    threshold, side = fit_threshold(border_minus_centre(train.images, ring), train.labels)
    gaps = border_minus_centre(test.images, ring)
    per_class = {
        label: {
            "mean_gap": float(gaps[test.labels == index].mean()),
            "share_border_lighter": float((gaps[test.labels == index] > 0).mean()),
        }
        for index, label in enumerate(LABELS)
    }
    predicted = (side * (gaps - threshold) > 0).astype(test.labels.dtype)
    correct = int((predicted == test.labels).sum())
    test_result = stats.binomtest(correct, len(gaps), 0.5)
    interval = test_result.proportion_ci(confidence_level=0.95, method="wilson")
    return {
        "ring": ring,
        "per_class": per_class,
        "threshold": threshold,
        "fake_side": "above" if side > 0 else "below",
        "test_images": len(gaps),
        "accuracy": correct / len(gaps),
        "accuracy_low": float(interval.low),
        "accuracy_high": float(interval.high),
        "p_value": float(test_result.pvalue),
    }
