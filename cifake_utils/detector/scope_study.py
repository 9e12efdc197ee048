"""How the scope rule behaves (notebook 06): which CIFAKE test images it keeps, and which
images from outside CIFAKE it flags, with the feature distance's ROC-AUC against CIFAKE.

The outside images are what can be assembled offline: random crops and rescalings of the
photographs that ship with scikit-image, scikit-learn and matplotlib, their textures, noise,
and CIFAKE test images after notebook 07's transformations.
"""

import numpy as np
import pandas as pd
from PIL import Image
from sklearn.metrics import roc_auc_score

from ..constants import IMAGE_SIZE, LABELS
from ..images import prepare_image
from ..models.saved import Detector
from ..robustness.corruptions import GRID
from ..robustness.photographs import photographs
from .scope import atypicality, feature_model, features, mahalanobis

TEXTURES = ("brick.png", "grass.png", "gravel.png")


def atypicality_scores(detector: Detector, images: np.ndarray) -> np.ndarray:
    """The scope rule's feature atypicality of each uint8 32x32 image."""
    if detector.info.scope_reference is None:
        raise ValueError(
            f"{detector.info.path}: its sidecar has no scope reference; the training notebooks "
            "(02, 03, 08) fit it after training: run `make reproduce`"
        )
    reference = detector.info.scope_reference
    distances = mahalanobis(features(feature_model(detector.model), images), reference)
    return atypicality(distances, reference)


def _rgb(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def random_crops(picture: np.ndarray, count: int, rng: np.random.Generator, rescale: bool):
    """`count` square crops: 32x32 as they are, or of 64 px to the picture's short side shrunk
    to 32x32 as an upload is. Returns the 32x32 images and each crop's side."""
    height, width = picture.shape[:2]
    crops, sides = [], []
    for _ in range(count):
        side = int(rng.integers(64, min(height, width) + 1)) if rescale else IMAGE_SIZE
        top, left = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
        crop = picture[top : top + side, left : left + side]
        crops.append(prepare_image(Image.fromarray(crop)) if rescale else crop)
        sides.append(side)
    return np.stack(crops).astype(np.uint8), sides


def outside_sets(
    test_images: np.ndarray, per_picture: int, per_set: int, seed: int
) -> dict[str, tuple[np.ndarray, list[int]]]:
    """{set name: (32x32 images, each one's original side)} of images from outside CIFAKE."""
    rng = np.random.default_rng(seed)
    pictures = {photo.name: _rgb(photo.path) for photo in photographs()}
    scenes = [name for name in pictures if name not in TEXTURES]
    sets = {}
    kinds = zip(CROP_SETS, (scenes, scenes, TEXTURES), (False, True, False), strict=True)
    for label, names, rescale in kinds:
        parts = [random_crops(pictures[name], per_picture, rng, rescale) for name in names]
        sets[label] = (np.concatenate([p[0] for p in parts]), [s for p in parts for s in p[1]])
    uniform = rng.integers(0, 256, (per_set, IMAGE_SIZE, IMAGE_SIZE, 3))
    gaussian = np.clip(rng.normal(128, 40, (per_set, IMAGE_SIZE, IMAGE_SIZE, 3)), 0, 255)
    sets["uniform noise"] = (uniform.astype(np.uint8), [IMAGE_SIZE] * per_set)
    sets["Gaussian noise"] = (gaussian.astype(np.uint8), [IMAGE_SIZE] * per_set)
    chosen = np.sort(rng.choice(len(test_images), size=per_set, replace=False))
    for name, corrupt in GRID.items():
        sets[f"CIFAKE test, {name}"] = (corrupt(test_images[chosen], seed), [IMAGE_SIZE] * per_set)
    return sets


CROP_SETS = (
    "photograph crops, 32x32 as cut",
    "photograph crops shrunk to 32x32",
    "texture crops, 32x32 as cut",
)


def crop_sources(
    outside: dict[str, tuple[np.ndarray, list[int]]], per_picture: int
) -> dict[str, np.ndarray]:
    """{crop set: each image's picture index}: `outside_sets` cuts `per_picture` crops of each
    picture in turn, so crops of one picture are neighbours."""
    return {
        name: np.arange(len(outside[name][0])) // per_picture
        for name in CROP_SETS
        if name in outside
    }


def scope_table(
    detector: Detector,
    test_images: np.ndarray,
    test_labels: np.ndarray,
    outside: dict[str, tuple[np.ndarray, list[int]]],
) -> pd.DataFrame:
    """One row per image set: its size, the share the feature test flags, the share out of
    scope by the whole rule (size or features), and for sets from outside CIFAKE the
    atypicality's ROC-AUC against the CIFAKE test images (1: always less typical, 0.5: no
    better than chance)."""
    threshold = detector.info.scope_reference["threshold"]
    cifake = atypicality_scores(detector, test_images)
    rows = []
    for index, label in enumerate(LABELS):
        flagged = cifake[test_labels == index] > threshold
        rows.append(_row(f"CIFAKE test {label}", flagged, flagged, None))
    for name, (images, sides) in outside.items():
        scores = atypicality_scores(detector, images)
        flagged = scores > threshold
        out = flagged | (np.asarray(sides) != IMAGE_SIZE)
        both = np.concatenate([np.zeros(len(cifake)), np.ones(len(scores))])
        auc = roc_auc_score(both, np.concatenate([cifake, scores]))
        rows.append(_row(name, flagged, out, auc))
    return pd.DataFrame(rows).set_index("images")


def _row(name: str, flagged: np.ndarray, out: np.ndarray, auc: float | None) -> dict:
    return {
        "images": name,
        "count": int(len(flagged)),
        "flagged_by_features": float(np.mean(flagged)),
        "out_of_scope": float(np.mean(out)),
        "roc_auc_against_cifake": np.nan if auc is None else float(auc),
    }


def scope_examples(
    detector: Detector,
    outside: dict[str, tuple[np.ndarray, list[int]]],
    rates: pd.DataFrame,
    per_set: int = 1,
) -> list[tuple[np.ndarray, str]]:
    """A few images of each outside set, each captioned with its set, the share of the set
    the rule puts out of scope (`rates`: `scope_table`) and the decision on this image with its
    atypicality."""
    threshold = detector.info.scope_reference["threshold"]
    examples = []
    for name, (images, sides) in outside.items():
        scores = atypicality_scores(detector, images[:per_set])
        share = f"{rates.loc[name, 'out_of_scope']:.0%} of {int(rates.loc[name, 'count'])} out"
        for image, side, d in zip(images[:per_set], sides, scores, strict=False):
            if side != IMAGE_SIZE:
                decision = f"out: {side}x{side} shrunk"
            else:
                decision = "out: features" if d > threshold else "in scope"
            examples.append((image, f"{name}\n{share}; this one {decision} ({d:.2f})"))
    return examples
