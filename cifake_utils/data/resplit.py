"""The public implementation's protocol of measurement: a seeded 80/20 re-split of CIFAKE's
training folder, its images in OpenCV's BGR channel order (notebook 04's protocol section)."""

import numpy as np

from .loading import CifakeSplit

TRAIN_FRACTION = 0.8  # `train_test_split(test_size=0.2)` in the template


def resplit_indices(images: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training, held-out) indices of a shuffled 80/20 split of `images` images, fixed by
    `seed` (the template's unseeded shuffle and split, made reproducible)."""
    order = np.random.default_rng(seed).permutation(images)
    cut = int(round(TRAIN_FRACTION * images))
    return np.sort(order[:cut]), np.sort(order[cut:])


def as_bgr(images: np.ndarray) -> np.ndarray:
    """RGB images as OpenCV reads them: the channels reversed, contiguous."""
    return np.ascontiguousarray(images[..., ::-1])


def resplit_arrays(folder: CifakeSplit, seed: int) -> tuple[tuple, tuple]:
    """((BGR images, labels) of the 80%, (BGR images, labels) of the held-out 20%)."""
    train, held_out = resplit_indices(len(folder), seed)
    images = as_bgr(folder.images)
    return (images[train], folder.labels[train]), (images[held_out], folder.labels[held_out])
