"""The test images whose exact pixels also occur in train: are they easier, and what does the
test split say without them?

Dropping a few hundred images from 20,000 barely moves a mean, so that comparison says little.
Here the duplicated images are compared with the rest of their class directly; the test is a
permutation of the images between the two groups, on each image's correctness averaged over
seeds (the images, not the seeds, are the sample that could have come out otherwise).
"""

import numpy as np
import pandas as pd
from sklearn.metrics import balanced_accuracy_score

from ..constants import LABELS
from ..decision import predict_labels

PERMUTATIONS = 10_000


def duplicated_table(
    y_true: np.ndarray,
    predictions: dict[tuple[str, int], np.ndarray],
    duplicated: np.ndarray,
    architectures: list[str],
    seed: int = 0,
) -> pd.DataFrame:
    """Per architecture and class present among the duplicated images: accuracy on them and
    on the rest of that class (mean over seeds), the difference and its permutation p-value."""
    rows = []
    rng = np.random.default_rng(seed)
    for architecture in architectures:
        seeds = sorted(s for a, s in predictions if a == architecture)
        correct = np.mean(
            [predict_labels(predictions[(architecture, s)]) == y_true for s in seeds], axis=0
        )
        for label in np.unique(y_true[duplicated]):
            in_class = y_true == label
            group = duplicated[in_class]
            values = correct[in_class]
            observed = values[group].mean() - values[~group].mean()
            rows.append(
                {
                    "architecture": architecture,
                    "label": LABELS[int(label)],
                    "seeds": len(seeds),
                    "duplicated_images": int(group.sum()),
                    "other_images": int((~group).sum()),
                    "accuracy_duplicated": float(values[group].mean()),
                    "accuracy_other": float(values[~group].mean()),
                    "difference": float(observed),
                    "p_value": permutation_p(values, group, observed, rng),
                }
            )
    return pd.DataFrame(rows).set_index(["architecture", "label"])


def permutation_p(
    values: np.ndarray, group: np.ndarray, observed: float, rng: np.random.Generator
) -> float:
    """Two-sided p-value of a difference in means between `group` and the rest, by shuffling
    which images are in the group (with the +1 that keeps it above zero)."""
    size = int(group.sum())
    extreme = 0
    for _ in range(PERMUTATIONS):
        shuffled = rng.permutation(values)
        difference = shuffled[:size].mean() - shuffled[size:].mean()
        extreme += abs(difference) >= abs(observed) - 1e-12
    return (extreme + 1) / (PERMUTATIONS + 1)


def balanced_accuracy_table(
    y_true: np.ndarray, predictions: dict[tuple[str, int], np.ndarray], architectures: list[str]
) -> pd.DataFrame:
    """Per architecture: mean and std over seeds of balanced accuracy (the mean of the two
    classes' recalls), the right summary once the classes are unequal in number."""
    rows = []
    for architecture in architectures:
        scores = [
            balanced_accuracy_score(y_true, predict_labels(p))
            for (a, _), p in sorted(predictions.items())
            if a == architecture
        ]
        rows.append(
            {
                "architecture": architecture,
                "seeds": len(scores),
                "balanced_accuracy_mean": float(np.mean(scores)),
                "balanced_accuracy_std": float(np.std(scores, ddof=1))
                if len(scores) > 1
                else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("architecture")


def class_counts(labels: np.ndarray) -> str:
    """'10,000 REAL, 9,622 FAKE': how many images of each class a split holds."""
    return ", ".join(f"{int((labels == k).sum()):,} {name}" for k, name in enumerate(LABELS))
