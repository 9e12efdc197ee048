"""One image in, verdict, P(FAKE) and Grad-CAM overlay out: what notebook 06, the command and
the web app show for each image."""

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from ..decision import verdict
from ..explain.cam import class_activation_maps, normalise_maps
from ..images import prepare_image, read_pixels
from ..models.inference import predict_fake_probability
from ..plots import overlay_heatmap


@dataclass(frozen=True)
class Prediction:
    """A verdict on one image, with what it was computed from."""

    label: str  # "REAL" or "FAKE"
    fake_probability: float  # P(FAKE) from the model's sigmoid
    pixels: np.ndarray  # the 32x32x3 uint8 image the model saw
    heatmap: np.ndarray  # Grad-CAM of the verdict, 32x32, scaled to [0, 1] for display
    overlay: np.ndarray  # the image upsampled with the heatmap on top, uint8 RGB


def predict_image(
    model: keras.Model, source: str | Path | bytes | np.ndarray, name: str | None = None
) -> Prediction:
    """Verdict, P(FAKE) and Grad-CAM overlay for one image file, its bytes, or an RGB array.

    Raises images.ImageReadError with a one-line reason for anything that is not a
    readable image.
    """
    if isinstance(source, np.ndarray):
        pixels = prepare_image(Image.fromarray(source.astype(np.uint8)))
    else:
        pixels = read_pixels(source, name)
    probability = float(predict_fake_probability(model, pixels[None])[0])
    label = verdict(probability)
    targets = np.array([label == "FAKE"], dtype=np.uint8)
    heatmap = normalise_maps(class_activation_maps(model, pixels[None], targets))[0]
    return Prediction(label, probability, pixels, heatmap, overlay_heatmap(pixels, heatmap))


def save_png(pixels: np.ndarray, path: Path) -> Path:
    """Write a uint8 RGB array as PNG."""
    Image.fromarray(pixels).save(path, format="PNG")
    return path
