"""One image in, scope, verdict, calibrated P(FAKE) and Grad-CAM overlay out: what notebook 06,
the command and the web app show for each image."""

import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..decision import verdict
from ..explain.cam import class_activation_maps, normalise_maps
from ..images import prepare_image, read_image
from ..models.calibration import apply_temperature
from ..models.inference import predict_fake_probability
from ..models.saved import Detector
from ..plots import overlay_heatmap
from .scope import Scope, assess, atypicality, feature_model, mahalanobis

_extractors: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> features


@dataclass(frozen=True)
class Prediction:
    """A verdict on one image, its scope, and what they were computed from."""

    scope: Scope  # whether the verdict can be relied on, and why not
    label: str  # "REAL" or "FAKE"
    fake_probability: float  # P(FAKE), calibrated by the model's temperature
    raw_fake_probability: float  # the model's sigmoid output
    pixels: np.ndarray  # the 32x32x3 uint8 image the model saw
    heatmap: np.ndarray  # Grad-CAM of the verdict, 32x32, scaled to [0, 1] for display
    overlay: np.ndarray  # the image upsampled with the heatmap on top, uint8 RGB


def feature_atypicality(detector: Detector, pixels: np.ndarray) -> float | None:
    """How atypical the image's features are for the detector (None: no reference)."""
    reference = detector.info.scope_reference
    if reference is None:
        return None
    if detector.model not in _extractors:
        _extractors[detector.model] = feature_model(detector.model)
    scaled = pixels[None].astype(np.float32) / 255.0
    row = np.asarray(_extractors[detector.model](scaled, training=False), dtype=np.float64)
    return float(atypicality(mahalanobis(row, reference), reference)[0])


def predict_image(
    detector: Detector,
    source: str | Path | bytes | np.ndarray,
    name: str | None = None,
    resampling: dict[str, dict[str, tuple[float, float]]] | None = None,
) -> Prediction:
    """Scope, verdict, calibrated P(FAKE) and Grad-CAM overlay for one image file, its bytes,
    or an RGB array. `resampling` is notebook 07's clean accuracy and accuracy under the
    transformation that stands for each way of resizing, by architecture
    (`scope.resampling_accuracies`), quoted when the image had to be resized.

    Raises images.ImageReadError with a one-line reason for anything that is not a
    readable image.
    """
    if isinstance(source, np.ndarray):
        size = (source.shape[1], source.shape[0])
        pixels = prepare_image(Image.fromarray(source.astype(np.uint8)))
    else:
        pixels, size = read_image(source, name)
    raw = float(predict_fake_probability(detector.model, pixels[None])[0])
    probability = float(apply_temperature(np.array([raw]), detector.info.temperature)[0])
    label = verdict(probability)
    reference = detector.info.scope_reference
    scope = assess(
        size,
        feature_atypicality(detector, pixels),
        None if reference is None else reference["threshold"],
        resampling or {},
    )
    targets = np.array([label == "FAKE"], dtype=np.uint8)
    heatmap = normalise_maps(class_activation_maps(detector.model, pixels[None], targets))[0]
    overlay = overlay_heatmap(pixels, heatmap)
    return Prediction(scope, label, probability, raw, pixels, heatmap, overlay)


def save_png(pixels: np.ndarray, path: Path) -> Path:
    """Write a uint8 RGB array as PNG."""
    Image.fromarray(pixels).save(path, format="PNG")
    return path
