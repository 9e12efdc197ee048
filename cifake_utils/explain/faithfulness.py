"""Faithfulness: does removing (or keeping) the pixels a map ranks highest change the verdict?"""

import keras
import numpy as np
import pandas as pd
from scipy import ndimage

from ..models.inference import predict_fake_probability


def random_maps(count: int, size: int = 32, seed: int = 0) -> np.ndarray:
    """Baseline: a uniformly random ranking of the pixels for each image."""
    return np.random.default_rng(seed).random((count, size, size)).astype(np.float32)


def centre_prior_maps(count: int, size: int = 32) -> np.ndarray:
    """Baseline: pixels ranked by closeness to the centre, the same for every image."""
    y, x = np.indices((size, size))
    centre = (size - 1) / 2
    prior = -np.hypot(y - centre, x - centre).astype(np.float32)
    return np.broadcast_to(prior - prior.min(), (count, size, size)).copy()


def replacement_images(images: np.ndarray, kind: str) -> np.ndarray:
    """What removed pixels become, uint8: a `neutral` grey or a `blur`red copy of the image."""
    if kind == "neutral":
        return np.full_like(images, 128)
    if kind == "blur":
        blurred = ndimage.gaussian_filter(images.astype(np.float32), sigma=(0, 4, 4, 0))
        return np.clip(np.rint(blurred), 0, 255).astype(np.uint8)
    raise ValueError(f"kind must be 'neutral' or 'blur', not {kind!r}")


def deletion_insertion_curves(
    model: keras.Model,
    images: np.ndarray,
    maps: np.ndarray,
    targets: np.ndarray,
    replacement: str = "blur",
    steps: int = 16,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Target-class probability as the most salient pixels are deleted, or inserted.

    Deletion replaces the top-ranked pixels of each image, a fraction k/steps at a time, with
    the replacement; insertion starts from the replacement and puts them back. Ties in a map
    (all-zero regions) are broken at random, seeded. Returns {"deletion", "insertion"}, each
    (n, steps + 1), from fraction 0 to 1.
    """
    count, height, width = maps.shape
    tie_break = np.random.default_rng(seed).random(maps.shape) * 1e-6
    flat = maps / np.maximum(maps.max(axis=(1, 2), keepdims=True), 1e-12) + tie_break
    order = np.argsort(-flat.reshape(count, -1), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(height * width)[None, :], axis=1)
    rank = rank.reshape(count, height, width, 1)
    background = replacement_images(images, replacement)
    sign = np.where(np.asarray(targets) == 1, 1.0, -1.0)
    curves = {"deletion": [], "insertion": []}
    for k in range(steps + 1):
        chosen = rank < round(k / steps * height * width)
        for name, (inside, outside) in {
            "deletion": (background, images),
            "insertion": (images, background),
        }.items():
            probability = predict_fake_probability(model, np.where(chosen, inside, outside))
            curves[name].append(np.where(sign > 0, probability, 1.0 - probability))
    return {name: np.stack(values, axis=1) for name, values in curves.items()}


def area_under_curve(curves: np.ndarray) -> np.ndarray:
    """Per row, the trapezoid area of a curve sampled evenly on [0, 1]."""
    fractions = np.linspace(0.0, 1.0, curves.shape[1])
    return np.trapezoid(curves, fractions, axis=1)


def faithfulness(
    model: keras.Model,
    images: np.ndarray,
    targets: np.ndarray,
    maps: dict[str, np.ndarray],
    replacement: str,
    seed: int = 0,
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, dict[str, float]]]:
    """Deletion and insertion curves of each map set, and the mean and standard error of
    their areas: ({method: {"deletion", "insertion"}}, {method: {metric: value}})."""
    curves, areas = {}, {}
    for method, method_maps in maps.items():
        curves[method] = deletion_insertion_curves(
            model, images, method_maps, targets, replacement, seed=seed
        )
        areas[method] = {}
        for kind, values in curves[method].items():
            area = area_under_curve(values)
            areas[method][f"{kind}_auc"] = float(area.mean())
            areas[method][f"{kind}_auc_sem"] = float(area.std(ddof=1) / np.sqrt(len(area)))
    return curves, areas


def faithfulness_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """Add whether each method beats the random-map baseline of the same model and replacement:
    a lower deletion area and a higher insertion area."""
    random = table.xs("random", level="method")
    verdict = table.copy()
    keys = [key[:2] for key in table.index]
    verdict["beats_random_deletion"] = [
        row["deletion_auc"] < random.loc[key, "deletion_auc"]
        for key, (_, row) in zip(keys, table.iterrows(), strict=True)
    ]
    verdict["beats_random_insertion"] = [
        row["insertion_auc"] > random.loc[key, "insertion_auc"]
        for key, (_, row) in zip(keys, table.iterrows(), strict=True)
    ]
    return verdict
