"""Transformations applied alike to REAL and FAKE test images, to see which cues the detectors
need: re-encoding, blur, noise, resampling, shifts, colour, and a lossless control.

Each takes uint8 images (n, 32, 32, 3) and a seed and returns uint8 images of the same shape;
the same seed gives the same pixels. JPEG, PNG, resampling and greyscale use Pillow, the blur
SciPy's Gaussian filter, and the noise NumPy's seeded generator.
"""

import io
from collections.abc import Callable
from functools import partial

import numpy as np
from PIL import Image
from scipy import ndimage

from ..images import prepare_image

Corruption = Callable[[np.ndarray, int], np.ndarray]


def _each(images: np.ndarray, transform: Callable[[Image.Image], Image.Image]) -> np.ndarray:
    """Apply a Pillow transformation to every image; back to uint8 RGB."""
    out = np.empty_like(images)
    for index, image in enumerate(images):
        out[index] = np.asarray(transform(Image.fromarray(image)).convert("RGB"))
    return out


def _round_trip(image: Image.Image, **options) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, **options)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def jpeg(images: np.ndarray, seed: int = 0, quality: int = 75) -> np.ndarray:
    """Re-encode as JPEG at `quality` (Pillow's encoder, 4:2:0 chroma subsampling)."""
    return _each(images, lambda im: _round_trip(im, format="JPEG", quality=quality))


def png(images: np.ndarray, seed: int = 0) -> np.ndarray:
    """A lossless PNG round trip: the control, which must change no pixel."""
    return _each(images, lambda im: _round_trip(im, format="PNG"))


def gaussian_blur(images: np.ndarray, seed: int = 0, sigma: float = 1.0) -> np.ndarray:
    """Gaussian blur of `sigma` pixels, each channel, edges reflected."""
    blurred = ndimage.gaussian_filter(
        images.astype(np.float32), sigma=(0, sigma, sigma, 0), mode="reflect"
    )
    return np.clip(np.rint(blurred), 0, 255).astype(np.uint8)


def gaussian_noise(images: np.ndarray, seed: int = 0, std: float = 4.0) -> np.ndarray:
    """Additive Gaussian noise of `std` grey levels, seeded, clipped to [0, 255]."""
    noise = np.random.default_rng(seed).normal(0.0, std, images.shape)
    return np.clip(np.rint(images + noise), 0, 255).astype(np.uint8)


def resample(images: np.ndarray, seed: int = 0, factor: int = 2) -> np.ndarray:
    """Shrink by `factor` (area averaging) and enlarge back (bilinear): a resampling trace."""

    def down_up(image: Image.Image) -> Image.Image:
        small = image.resize((image.width // factor, image.height // factor), Image.Resampling.BOX)
        return small.resize(image.size, Image.Resampling.BILINEAR)

    return _each(images, down_up)


def enlarge_and_shrink(images: np.ndarray, seed: int = 0, factor: int = 8) -> np.ndarray:
    """Enlarge by `factor` (bicubic) and shrink back to 32x32 exactly as `cifake predict` and
    the web page shrink a large upload (`images.prepare_image`): does the detectors' own
    shrinking erase the cue, on images whose detail came from CIFAKE?"""
    out = np.empty_like(images)
    for index, image in enumerate(images):
        large = Image.fromarray(image).resize(
            (image.shape[1] * factor, image.shape[0] * factor), Image.Resampling.BICUBIC
        )
        out[index] = prepare_image(large)
    return out


def shift(images: np.ndarray, seed: int = 0, pixels: int = 1) -> np.ndarray:
    """Move the content `pixels` right and down, edges repeated: the JPEG 8x8 grid no longer
    lines up with the image."""
    padded = np.pad(images, ((0, 0), (pixels, 0), (pixels, 0), (0, 0)), mode="edge")
    return padded[:, : images.shape[1], : images.shape[2]]


def greyscale(images: np.ndarray, seed: int = 0) -> np.ndarray:
    """Luma only (Pillow's ITU-R 601 "L" mode), repeated in the three channels."""
    return _each(images, lambda im: im.convert("L"))


def low_pass(images: np.ndarray, seed: int = 0, sigma: float = 1.0) -> np.ndarray:
    """What remains after a Gaussian low-pass (the same as `gaussian_blur`)."""
    return gaussian_blur(images, seed, sigma)


def high_pass(images: np.ndarray, seed: int = 0, sigma: float = 1.0) -> np.ndarray:
    """The image minus its Gaussian low-pass, re-centred on mid grey: fine detail only."""
    blurred = ndimage.gaussian_filter(
        images.astype(np.float32), sigma=(0, sigma, sigma, 0), mode="reflect"
    )
    detail = images.astype(np.float32) - blurred + 128.0
    return np.clip(np.rint(detail), 0, 255).astype(np.uint8)


# The grid of notebook 07: name -> transformation; the control must leave images unchanged.
CONTROL = "PNG (control)"
GRID: dict[str, Corruption] = {
    CONTROL: png,
    **{f"JPEG q{q}": partial(jpeg, quality=q) for q in (95, 90, 75, 50, 30)},
    "blur σ 0.5": partial(gaussian_blur, sigma=0.5),
    "blur σ 1": partial(gaussian_blur, sigma=1.0),
    "noise σ 2": partial(gaussian_noise, std=2.0),
    "noise σ 8": partial(gaussian_noise, std=8.0),
    "2x down-and-up": partial(resample, factor=2),
    **{f"{f}x enlarged then shrunk": partial(enlarge_and_shrink, factor=f) for f in (4, 8)},
    "1-pixel shift": partial(shift, pixels=1),
    "greyscale": greyscale,
}
FILTERS: dict[str, Corruption] = {
    "low-pass σ 1": partial(low_pass, sigma=1.0),
    "high-pass σ 1": partial(high_pass, sigma=1.0),
}
# Filters that repeat a grid transformation under another name: shown beside the other band,
# tested once, in the grid's family.
SAME_AS = {"low-pass σ 1": "blur σ 1"}
