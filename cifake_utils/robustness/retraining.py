"""Notebook 07's trainings: held-out content and blur + JPEG augmentation, each against a
baseline that differs from it only in what is tested.

Every run is CNN2D with its tuned recipe on the same number of training images, a seeded
class-balanced subset (for the CPU budget). Per seed (the subset's draw and the training's):
- "all classes": the baseline, drawn from every CIFAR-10 class;
- "without <class>": drawn from the other nine classes only (REAL and FAKE of that class left
  out), then tested on the held-out class's test images against the baselines by Welch's t
  over seeds (Holm over the held-out classes): a run and its same-seed baseline share their
  initial weights but not their training images or order, so a seed number pairs nothing;
- "blur + JPEG p=<p>" (first seed only): the baseline's images and recipe with the
  augmentation of `models.degradation`, then run through the corruption grid beside it.
"""

from dataclasses import dataclass, replace
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from ..constants import CIFAR10_CLASSES
from ..decision import predict_labels
from ..evaluation.family import unpaired_comparison
from ..models.degradation import PREFIX as BLUR_JPEG
from ..models.inference import predict_fake_probability
from ..models.jobs import Job, TrainingData, train_jobs
from ..significance import holm

BASELINE = "all classes"


@dataclass(frozen=True)
class Retraining:
    """One training run of notebook 07: its name, seed, job, checkpoint folder and subset."""

    name: str
    seed: int
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
    seeds: tuple[int, ...] = (0,),
) -> list[Retraining]:
    """Per seed, the baseline and one run per held-out class; for the first seed, one run per
    augmentation probability."""
    model_config, recipe = job
    masks = [cifar_classes != CIFAR10_CLASSES.index(name) for name in held_out]
    pools = [mask & (labels == k) for mask in masks for k in (0, 1)] or [labels == 0, labels == 1]
    smallest = min(int(pool.sum()) for pool in pools)
    size = min(size, 2 * smallest)  # every run the same size, the held-out ones included
    runs = []
    for seed in seeds:
        seeded = (model_config, replace(recipe, seed=seed))
        baseline = balanced_indices(labels, size, seed)
        runs.append(
            Retraining(
                BASELINE, seed, seeded, checkpoint_root / _folder("all_classes", seed), baseline
            )
        )
        for name, keep in zip(held_out, masks, strict=True):
            subset = balanced_indices(labels, size, seed, keep)
            folder = checkpoint_root / _folder(f"without_{name}", seed)
            runs.append(Retraining(f"without {name}", seed, seeded, folder, subset))
        if seed != seeds[0]:
            continue
        for probability in probabilities:
            augmented = replace(
                seeded[1], augmentation=(*recipe.augmentation, f"{BLUR_JPEG}{probability:g}")
            )
            folder = checkpoint_root / _folder(f"blur_jpeg_{probability:g}", seed)
            runs.append(
                Retraining(
                    augmentation_name(probability),
                    seed,
                    (model_config, augmented),
                    folder,
                    baseline,
                )
            )
    return runs


def _folder(name: str, seed: int) -> str:
    return f"{name}_seed{seed}"


def train_runs(runs: list[Retraining], data: TrainingData) -> dict[tuple[str, int], keras.Model]:
    """Train (or load, when finished) every planned run; {(run name, seed): trained model}."""
    trained = train_jobs(
        [r.job for r in runs],
        data,
        folders=[r.folder for r in runs],
        subsets=[r.subset for r in runs],
    )
    return {(r.name, r.seed): run.model for r, run in zip(runs, trained, strict=True)}


def held_out_table(
    models: dict[tuple[str, int], object],
    images: np.ndarray,
    labels: np.ndarray,
    classes: np.ndarray,
    held_out: tuple[str, ...],
) -> pd.DataFrame:
    """Per held-out class, on that class's test images (REAL and FAKE): the accuracy of the
    models that never saw the class against the baselines (means over seeds), Welch's t over
    seeds (McNemar's exact test with one seed each), Holm over the classes."""
    rows = []
    for name in held_out:
        chosen = classes == CIFAR10_CLASSES.index(name)
        y = labels[chosen]
        probabilities = {
            (kind, seed): predict_fake_probability(model, images[chosen])
            for (kind, seed), model in models.items()
            if kind in (BASELINE, f"without {name}")
        }
        test = unpaired_comparison(y, probabilities, BASELINE, f"without {name}")
        without = [
            predict_labels(p) for (k, _), p in sorted(probabilities.items()) if k != BASELINE
        ]
        baseline = [
            predict_labels(p) for (k, _), p in sorted(probabilities.items()) if k == BASELINE
        ]
        rows.append(
            {
                "held-out class": name,
                "test images": int(chosen.sum()),
                "seeds": len(without),
                "accuracy_baseline": float(np.mean([np.mean(b == y) for b in baseline])),
                "accuracy_without": float(np.mean([np.mean(w == y) for w in without])),
                "real_accuracy_without": float(np.mean([np.mean(w[y == 0] == 0) for w in without])),
                "fake_accuracy_without": float(np.mean([np.mean(w[y == 1] == 1) for w in without])),
                "difference": test["difference_mean"],
                "difference_low": test["difference_low"],
                "difference_high": test["difference_high"],
                "test": test["test"],
                "p_value": test["p_value"],
                "mcnemar_p_max": test["mcnemar_p_max"],
            }
        )
    table = pd.DataFrame(rows).set_index("held-out class")
    table["p_holm"] = holm(table["p_value"].to_numpy())
    return table
