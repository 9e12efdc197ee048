"""The one place that turns images into P(FAKE) and a verdict: notebooks, CLI and web app."""

import io
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image, ImageOps, UnidentifiedImageError

from .constants import IMAGE_SIZE
from .errors import CifakeDataError
from .metrics import THRESHOLD
from .pipeline import make_dataset

MAX_PIXELS = 40_000_000  # larger images are refused before decoding (decompression bombs)
MAX_BYTES = 50 * 1024 * 1024  # larger files are refused before reading
READABLE_FORMATS = {"PNG", "JPEG", "WEBP", "BMP", "GIF"}
# Downscaling by a large factor with area averaging (BOX) rather than point sampling: CIFAKE's
# images were made by shrinking larger ones, and aliasing would add exactly the high-frequency
# energy that separates REAL from FAKE in notebook 01.
RESAMPLING = Image.Resampling.BOX


class ImageReadError(CifakeDataError):
    """A file or upload that cannot be read as an image; the message is one line for a user."""


@dataclass(frozen=True)
class Prediction:
    """A verdict on one image, with what it was computed from."""

    label: str  # "REAL" or "FAKE"
    fake_probability: float  # P(FAKE) from the model's sigmoid
    pixels: np.ndarray  # the 32x32x3 uint8 image the model saw
    heatmap: np.ndarray  # Grad-CAM of the verdict, 32x32, scaled to [0, 1] for display
    overlay: np.ndarray  # the image upsampled with the heatmap on top, uint8 RGB


def predict_fake_probability(
    model: keras.Model, images: np.ndarray, batch_size: int = 1024
) -> np.ndarray:
    """P(FAKE) for each uint8 image of shape (n, 32, 32, 3), scaled as in training."""
    if len(images) <= 32:  # a direct call skips predict()'s set-up: the web app's latency
        scaled = tf.cast(tf.convert_to_tensor(images), tf.float32) / 255.0
        return np.asarray(model(scaled, training=False)).ravel().astype(np.float64)
    labels = np.zeros(len(images), dtype=np.uint8)  # unused; the pipeline yields pairs
    dataset = make_dataset(images, labels, batch_size=batch_size).map(lambda x, _: x)
    return model.predict(dataset, verbose=0).ravel().astype(np.float64)


def verdict(fake_probability: float, threshold: float = THRESHOLD) -> str:
    """ "FAKE" when P(FAKE) reaches the threshold, else "REAL"."""
    return "FAKE" if fake_probability >= threshold else "REAL"


def read_image(source: str | Path | bytes, name: str | None = None) -> Image.Image:
    """Open an image file (or its bytes) as RGB, whatever its mode, orientation or frames.

    PNG, JPEG, WebP, BMP and GIF (first frame); EXIF orientation applied; grayscale, palette
    and 16-bit images converted; transparency composited on white. The format is sniffed from
    the bytes, never from the name. Raises ImageReadError with a one-line reason.
    """
    if isinstance(source, bytes):
        data, name = source, name or "upload"
    else:
        path = Path(source)
        name = name or str(path)
        if not path.exists():
            raise ImageReadError(f"{name}: no such file")
        if not path.is_file():
            raise ImageReadError(f"{name}: not a file")
        if path.stat().st_size > MAX_BYTES:
            raise ImageReadError(f"{name}: file larger than {MAX_BYTES // 2**20} MiB")
        data = path.read_bytes()
    if not data:
        raise ImageReadError(f"{name}: empty file (0 bytes)")
    if len(data) > MAX_BYTES:
        raise ImageReadError(f"{name}: file larger than {MAX_BYTES // 2**20} MiB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in READABLE_FORMATS:
                raise ImageReadError(
                    f"{name}: {image.format} images are not supported; "
                    f"use {', '.join(sorted(READABLE_FORMATS))}"
                )
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageReadError(
                    f"{name}: {width}x{height} pixels is too large (at most {MAX_PIXELS:,} pixels)"
                )
            image.seek(0)  # the first frame of a GIF
            image.load()
            return to_rgb(ImageOps.exif_transpose(image))
    except ImageReadError:
        raise
    except UnidentifiedImageError:
        raise ImageReadError(f"{name}: not an image (or an unsupported format)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageReadError(f"{name}: image too large to decode safely") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageReadError(f"{name}: corrupt or truncated image ({error})") from None


def to_rgb(image: Image.Image) -> Image.Image:
    """RGB from any PIL mode; transparent pixels become white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16/32-bit grey: scale to 8 bits
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") else max(float(values.max()), 1.0)
        image = Image.fromarray(np.clip(np.rint(values / top * 255), 0, 255).astype(np.uint8))
    if image.mode == "P" or "A" in image.getbands() or image.mode == "LA":
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("RGB")


def prepare_image(image: Image.Image) -> np.ndarray:
    """The centre square of an RGB image, shrunk to 32x32 uint8 as CIFAKE's images were."""
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    square = image.crop((left, top, left + side, top + side))
    if square.size != (IMAGE_SIZE, IMAGE_SIZE):
        square = square.resize((IMAGE_SIZE, IMAGE_SIZE), RESAMPLING)
    return np.asarray(square, dtype=np.uint8).copy()


def predict_image(
    model: keras.Model, source: str | Path | bytes | np.ndarray, name: str | None = None
) -> Prediction:
    """Verdict, P(FAKE) and Grad-CAM overlay for one image file, its bytes, or an RGB array."""
    # Imported here because explanations imports this module for predict_fake_probability.
    from .explanations import class_activation_maps, normalise_maps
    from .plots import overlay_heatmap

    if isinstance(source, np.ndarray):
        pixels = prepare_image(Image.fromarray(source.astype(np.uint8)).convert("RGB"))
    else:
        pixels = prepare_image(read_image(source, name))
    probability = float(predict_fake_probability(model, pixels[None])[0])
    label = verdict(probability)
    targets = np.array([1 if label == "FAKE" else 0], dtype=np.uint8)
    heatmap = normalise_maps(class_activation_maps(model, pixels[None], targets))[0]
    return Prediction(label, probability, pixels, heatmap, overlay_heatmap(pixels, heatmap))


@dataclass(frozen=True)
class ModelInfo:
    """A saved model and what its sidecar says about it."""

    path: Path
    architecture: str
    seed: int
    data_checksum: str
    validation_accuracy: float


def read_model_info(path: Path) -> ModelInfo:
    """The JSON sidecar of a saved `.keras` model."""
    sidecar = path.with_suffix(".json")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    if not sidecar.is_file():
        raise FileNotFoundError(f"{sidecar}: the model's JSON sidecar is missing")
    summary = json.loads(sidecar.read_text())
    return ModelInfo(
        path,
        summary["architecture"],
        summary["seed"],
        summary["data_checksum"],
        summary["validation"]["accuracy"],
    )


def default_model_path(models_dir: Path) -> Path:
    """The seed-0 model of the architecture with the best mean validation accuracy.

    Chosen on validation only, like every other choice in the study.
    """
    infos = [read_model_info(path) for path in sorted(models_dir.glob("*.keras"))]
    if not infos:
        raise FileNotFoundError(f"{models_dir}: no trained model; run `make reproduce`")
    by_architecture: dict[str, list[float]] = {}
    for info in infos:
        by_architecture.setdefault(info.architecture, []).append(info.validation_accuracy)
    best = max(by_architecture, key=lambda a: np.mean(by_architecture[a]))
    candidates = sorted((i for i in infos if i.architecture == best), key=lambda i: i.seed)
    return candidates[0].path


def save_png(pixels: np.ndarray, path: Path) -> Path:
    """Write a uint8 RGB array as PNG."""
    Image.fromarray(pixels).save(path, format="PNG")
    return path
