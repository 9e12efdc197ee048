"""Notebook 07's trainings: held-out content and blur + JPEG augmentation, each against a
baseline that differs from it only in what is tested.

Every run is CNN2D with its tuned recipe (seed 0) on the same number of training images, a
seeded class-balanced subset (the recipe search's size, for the CPU budget):
- "all classes": the baseline, drawn from every CIFAR-10 class;
- "without <class>": drawn from the other nine classes only (REAL and FAKE of that class left
  out), then tested on the held-out class's test images against the baseline;
- "blur + JPEG p=<p>": the baseline's images and recipe with the augmentation of
  `models.degradation`, then run through the corruption grid beside the baseline.
"""

from dataclasses import dataclass, replace
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from ..constants import CIFAR10_CLASSES
from ..decision import predict_labels
from ..evaluation.metrics import mcnemar_exact
from ..models.degradation import PREFIX as BLUR_JPEG
from ..models.inference import predict_fake_probability
from ..models.jobs import Job, TrainingData, train_jobs

BASELINE = "all classes"


@dataclass(frozen=True)
class Retraining:
    """One training run of notebook 07: its name, job, checkpoint folder and training subset."""

    name: str
    job: Job
    folder: Path
    subset: np.ndarray  # indices into the training split


def balanced_indices(
    labels: np.ndarray, size: int, seed: int, allowed: np.ndarray | None = None
) -> np.ndarray:
    """`size` indices, half of each label, drawn without replacement among the `allowed` ones
    (a boolean mask; all when None), seeded, sorted."""
    allowed = np.ones(len(labels), dtype=bool) if allowed is None else allowed
    rng = np.random.default_rng(seed)
    halves = []
    for label in (0, 1):
        pool = np.flatnonzero(allowed & (labels == label))
        if len(pool) < size // 2:
            raise ValueError(f"only {len(pool)} images of label {label} to draw {size // 2} from")
        halves.append(rng.choice(pool, size // 2, replace=False))
    return np.sort(np.concatenate(halves))


def augmentation_name(probability: float) -> str:
    return f"blur + JPEG p={probability:g}"


def plan(
    job: Job,
    labels: np.ndarray,
    cifar_classes: np.ndarray,
    held_out: tuple[str, ...],
    probabilities: tuple[float, ...],
    size: int,
    checkpoint_root: Path,
    seed: int = 0,
) -> list[Retraining]:
    """The baseline, one run per held-out class and one per augmentation probability."""
    model_config, recipe = job
    masks = [cifar_classes != CIFAR10_CLASSES.index(name) for name in held_out]
    pools = [mask & (labels == k) for mask in masks for k in (0, 1)] or [labels == 0, labels == 1]
    smallest = min(int(pool.sum()) for pool in pools)
    size = min(size, 2 * smallest)  # every run the same size, the held-out ones included
    baseline = balanced_indices(labels, size, seed)
    runs = [Retraining(BASELINE, job, checkpoint_root / "all_classes", baseline)]
    for name, keep in zip(held_out, masks, strict=True):
        subset = balanced_indices(labels, size, seed, keep)
        runs.append(Retraining(f"without {name}", job, checkpoint_root / f"without_{name}", subset))
    for probability in probabilities:
        augmented = replace(
            recipe, augmentation=(*recipe.augmentation, f"{BLUR_JPEG}{probability:g}")
        )
        folder = checkpoint_root / f"blur_jpeg_{probability:g}"
        runs.append(
            Retraining(augmentation_name(probability), (model_config, augmented), folder, baseline)
        )
    return runs


def train_runs(runs: list[Retraining], data: TrainingData) -> dict[str, keras.Model]:
    """Train (or load, when finished) every planned run; {run name: trained model}."""
    trained = train_jobs(
        [r.job for r in runs],
        data,
        folders=[r.folder for r in runs],
        subsets=[r.subset for r in runs],
    )
    return {r.name: run.model for r, run in zip(runs, trained, strict=True)}


def held_out_table(
    models: dict[str, object],
    images: np.ndarray,
    labels: np.ndarray,
    classes: np.ndarray,
    held_out: tuple[str, ...],
) -> pd.DataFrame:
    """Per held-out class, on that class's test images (REAL and FAKE): the accuracy of the
    model that never saw the class against the baseline's, and McNemar's exact test."""
    rows = []
    for name in held_out:
        chosen = classes == CIFAR10_CLASSES.index(name)
        y = labels[chosen]
        without = predict_labels(
            predict_fake_probability(models[f"without {name}"], images[chosen])
        )
        baseline = predict_labels(predict_fake_probability(models[BASELINE], images[chosen]))
        test = mcnemar_exact(y, without, baseline)
        rows.append(
            {
                "held-out class": name,
                "test images": int(chosen.sum()),
                "accuracy_baseline": float(np.mean(baseline == y)),
                "accuracy_without": float(np.mean(without == y)),
                "real_accuracy_without": float(np.mean(without[y == 0] == 0)),
                "fake_accuracy_without": float(np.mean(without[y == 1] == 1)),
                "difference": float(np.mean(without == y) - np.mean(baseline == y)),
                "p_value": test["p_value"],
            }
        )
    return pd.DataFrame(rows).set_index("held-out class")
