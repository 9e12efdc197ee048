"""Whether an image is inside what a detector was trained and validated on, and why not.

Two tests, both decided here so that notebook 06, the command and the web app agree:
- size: CIFAKE's images are 32x32; any other image was resampled to 32x32 first, which the
  detectors never saw (notebook 07 measures what such resizing does to their accuracy);
- features: how atypical the Mahalanobis distance of the image's penultimate-layer features to
  the nearer class of the training images is (Lee et al., 2018). The test is two-sided: blurred
  and flat images lie *closer* to the class means than CIFAKE's own images, so the score is the
  distance's log-ratio to the median validation distance, in either direction, and its
  threshold keeps a chosen share of CIFAKE's validation images in scope.
"""

from dataclasses import dataclass

import keras
import numpy as np

from ..constants import IMAGE_SIZE
from ..data.pipeline import make_dataset
from ..robustness.corruptions import CONTROL  # notebook 07's lossless control

# What "in scope" cannot say, wherever a verdict is shown: the scope tests look at size and at
# features learnt from one generator's images, so they say nothing of other generators.
GENERATORS_NOTE = (
    "the detector has seen one generator only, Stable Diffusion 1.4: on images of other "
    "generators its verdicts are untested here, and the scope test is not known to flag them"
)
KEEP_IN_SCOPE = 0.95  # share of CIFAKE validation images the feature threshold keeps
# Notebook 07's transformations that stand for a resized image: a small image enlarged to
# 32x32 loses detail as a 2x down-and-up does; a large one goes through the command's own
# shrinking, measured on CIFAKE images enlarged 8x (bicubic) and shrunk back.
RESIZED = {"enlarged": "2x down-and-up", "shrunk": "8x enlarged then shrunk"}


@dataclass(frozen=True)
class Scope:
    """The scope decision for one image: in scope, or out of scope and why."""

    in_scope: bool
    reasons: tuple[str, ...]  # empty when in scope
    original_size: tuple[int, int]  # (width, height) before any resampling
    score: float | None  # how atypical the features are (None: no reference)
    threshold: float | None

    @property
    def summary(self) -> str:
        return "in scope" if self.in_scope else "out of scope: " + "; ".join(self.reasons)

    @property
    def brief(self) -> str:
        """The reasons in a few words each, for a figure's caption ("" when in scope)."""
        parts = []
        if self.original_size != (IMAGE_SIZE, IMAGE_SIZE):
            parts.append(f"resized from {self.original_size[0]}x{self.original_size[1]}")
        if self.score is not None and self.threshold is not None and self.score > self.threshold:
            parts.append(f"atypical features ({self.score:.2f} > {self.threshold:.2f})")
        return "; ".join(parts)


def feature_model(model: keras.Model) -> keras.Model:
    """The model up to the input of its output layer: the features the verdict is made from."""
    return keras.Model(model.input, model.layers[-1].input)


def features(extractor: keras.Model, images: np.ndarray) -> np.ndarray:
    """Penultimate-layer features of uint8 images, as float64."""
    labels = np.zeros(len(images), dtype=np.uint8)
    dataset = make_dataset(images, labels, batch_size=1024).map(lambda x, _: x)
    return extractor.predict(dataset, verbose=0).astype(np.float64)


def fit_gaussian(train_features: np.ndarray, labels: np.ndarray) -> dict:
    """Class means and the precision of the shared (tied) covariance, as JSON-ready lists."""
    means = np.stack([train_features[labels == label].mean(axis=0) for label in (0, 1)])
    centred = train_features - means[labels]
    covariance = centred.T @ centred / len(centred)
    ridge = 1e-6 * np.trace(covariance) / len(covariance)  # dead ReLU units have no variance
    precision = np.linalg.inv(covariance + ridge * np.eye(len(covariance)))
    return {"means": means.tolist(), "precision": precision.tolist()}


def mahalanobis(feature_rows: np.ndarray, gaussian: dict) -> np.ndarray:
    """Each row's squared Mahalanobis distance to the nearer class mean."""
    means, precision = np.asarray(gaussian["means"]), np.asarray(gaussian["precision"])
    distances = []
    for mean in means:
        centred = feature_rows - mean
        distances.append(np.einsum("ij,jk,ik->i", centred, precision, centred))
    return np.min(distances, axis=0)


def log_distance(distances: np.ndarray) -> np.ndarray:
    """The log of each distance, a distance of 0 (a feature row on a class mean) read as
    1e-12 so that its log is finite."""
    return np.log(np.maximum(distances, 1e-12))


def atypicality(distances: np.ndarray, reference: dict) -> np.ndarray:
    """|log(distance / median validation distance)|: 0 for a typical image, large when its
    features lie far from the training images or unusually close to a class mean."""
    return np.abs(log_distance(distances) - reference["log_median"])


def fit_scope(
    model: keras.Model,
    train: tuple[np.ndarray, np.ndarray],
    validation_images: np.ndarray,
    keep: float = KEEP_IN_SCOPE,
) -> dict:
    """The feature reference of a model: its training images' Gaussian and the atypicality that
    keeps `keep` of the validation images in scope (JSON-ready, stored in the sidecar)."""
    extractor = feature_model(model)
    gaussian = fit_gaussian(features(extractor, train[0]), np.asarray(train[1]))
    validation_distance = mahalanobis(features(extractor, validation_images), gaussian)
    log_median = float(np.median(log_distance(validation_distance)))
    scores = atypicality(validation_distance, {"log_median": log_median})
    return {
        "layer": model.layers[-2].name,
        **gaussian,
        "log_median": log_median,
        "threshold": float(np.quantile(scores, keep)),
        "keep": keep,
        "train_images": int(len(train[1])),
        "validation_images": int(len(validation_images)),
    }


def resampling_accuracies(robustness: dict | None) -> dict[str, dict[str, tuple[float, float]]]:
    """Notebook 07's accuracy on the lossless control and under the transformation that stands
    for each way of resizing (`RESIZED`): {"enlarged" or "shrunk": {architecture: (control,
    transformed)}}, means over seeds; a kind the saved grid lacks is left out."""
    if not robustness:
        return {}
    rows = {(row["architecture"], row["corruption"]): row for row in robustness.get("grid", [])}
    found = {}
    for change, transformation in RESIZED.items():
        pairs = {
            architecture: (rows[(architecture, CONTROL)]["accuracy"], row["accuracy"])
            for (architecture, corruption), row in rows.items()
            if corruption == transformation and (architecture, CONTROL) in rows
        }
        if pairs:
            found[change] = pairs
    return found


def size_reason(
    size: tuple[int, int], accuracies: dict[str, dict[str, tuple[float, float]]]
) -> str | None:
    """Why an image of `size` is out of scope (None for 32x32): what the command did to it
    (kept its centre square, then shrank or enlarged that to 32x32), with notebook 07's
    measurement of that resizing (`resampling_accuracies`) where there is one."""
    width, height = size
    if (width, height) == (IMAGE_SIZE, IMAGE_SIZE):
        return None
    side = min(width, height)  # the command keeps the centre square of this side
    if side == IMAGE_SIZE:
        return f"the image is {width}x{height}: only its centre 32x32 square was kept"
    change = "shrunk" if side > IMAGE_SIZE else "enlarged"
    crop = "cropped to its centre square and " if width != height else ""
    reason = f"the image is {width}x{height} and had to be {crop}{change} to 32x32"
    measured = accuracies.get(change)
    if measured:
        clean = _span([pair[0] for pair in measured.values()])
        resized = _span([pair[1] for pair in measured.values()])
        if change == "shrunk":
            reason += (
                "; notebook 07 enlarged CIFAKE test images 8x (bicubic) and shrank them back "
                f"as this check does: the detectors' accuracy went from {clean} to {resized} "
                "(chance is 50%); a photograph shrunk from its own full size was not tested"
            )
        else:
            reason += (
                f"; the study did not test such images, but notebook 07 measured a 2x "
                f"down-and-up resampling to take the detectors' accuracy on CIFAKE from {clean} "
                f"to {resized} (chance is 50%)"
            )
    return reason


def _span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return (
        f"{100 * low:.1f}%"
        if round(low, 3) == round(high, 3)
        else f"{100 * low:.1f}–{100 * high:.1f}%"
    )


def assess(
    size: tuple[int, int],
    score: float | None,
    threshold: float | None,
    accuracies: dict[str, tuple[float, float]],
) -> Scope:
    """The scope of one image from its original size and its features' atypicality."""
    reasons = []
    if (why := size_reason(size, accuracies)) is not None:
        reasons.append(why)
    if score is not None and threshold is not None and score > threshold:
        reasons.append(
            "its features are less typical of CIFAKE's training images than those of "
            f"{100 * KEEP_IN_SCOPE:.0f}% of CIFAKE's validation images "
            f"(atypicality {score:.2f} > {threshold:.2f})"
        )
    return Scope(not reasons, tuple(reasons), size, score, threshold)
