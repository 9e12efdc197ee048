"""Faithfulness: does removing (or keeping) the regions a map ranks highest change the verdict?

Three baselines that know nothing about the model, each differing from the CAMs only in what
the CAMs claim: a smooth random map (random values at the CAM's own resolution, placed on the
image exactly like the CAMs, so it has their smoothness), a fixed centre prior, and an
edge prior (the image's own local gradient magnitude, where texture is).
"""

import keras
import numpy as np
from scipy import ndimage

from ..models.inference import predict_fake_probability
from .geometry import Grid, place_maps

REGION = 4  # deletion and insertion work on 4x4 patches, in the map's ranking of them


def random_grids(count: int, cells: int, sigma: float, seed: int = 0) -> np.ndarray:
    """Uniform random values on a cells x cells grid, smoothed by a Gaussian of `sigma` cells."""
    values = np.random.default_rng(seed).random((count, cells, cells))
    if sigma > 0:
        values = ndimage.gaussian_filter(values, sigma=(0, sigma, sigma), mode="reflect")
    return values.astype(np.float32)


def matching_smoothness(cam_grids: np.ndarray, seed: int = 0) -> float:
    """The smoothing (in cells) that gives random grids the CAM grids' mean neighbour
    correlation: neighbouring conv2 cells share most of their receptive fields, so CAMs are
    smooth on their own grid, and a fair random baseline must be too."""
    cells = cam_grids.shape[1]
    target = neighbour_correlation(cam_grids[np.ptp(cam_grids, axis=(1, 2)) > 0])
    sigmas = np.linspace(0.0, 4.0, 41)
    achieved = [neighbour_correlation(random_grids(256, cells, s, seed)) for s in sigmas]
    return float(sigmas[int(np.argmin(np.abs(np.array(achieved) - target)))])


def smooth_random_maps(count: int, grid: Grid, sigma: float, seed: int = 0) -> np.ndarray:
    """Baseline: smooth random values on the CAM's grid (`matching_smoothness`), placed on the
    image exactly like the CAMs."""
    return place_maps(random_grids(count, grid.cells, sigma, seed), grid)


def edge_prior_maps(images: np.ndarray, sigma: float = 1.0) -> np.ndarray:
    """Baseline: the local gradient magnitude of each grey image (Sobel), smoothed by a
    Gaussian of `sigma` pixels: it ranks the textured, high-contrast regions first."""
    grey = images.astype(np.float32).mean(axis=-1)
    rows = ndimage.sobel(grey, axis=1, mode="reflect")
    columns = ndimage.sobel(grey, axis=2, mode="reflect")
    magnitude = np.hypot(rows, columns)
    return ndimage.gaussian_filter(magnitude, sigma=(0, sigma, sigma)).astype(np.float32)


def neighbour_correlation(maps: np.ndarray) -> float:
    """Mean correlation of each pixel with its right and lower neighbours across the maps:
    how smooth a set of maps is (1 for constant-gradient maps, about 0 for white noise)."""
    centred = maps - maps.mean(axis=(1, 2), keepdims=True)
    values = []
    for a, b in ((centred[:, :, :-1], centred[:, :, 1:]), (centred[:, :-1, :], centred[:, 1:, :])):
        numerator = (a * b).sum(axis=(1, 2))
        denominator = np.sqrt((a * a).sum(axis=(1, 2)) * (b * b).sum(axis=(1, 2)))
        values.append(
            np.divide(numerator, denominator, out=np.full(len(maps), np.nan), where=denominator > 0)
        )
    return float(np.nanmean(np.concatenate(values)))


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


def region_ranks(maps: np.ndarray, region: int = REGION, seed: int = 0) -> np.ndarray:
    """(n, h, w): each pixel's rank of its `region` x `region` patch in the map's ordering of
    the patches by their mean value, 0 = most relevant; ties broken at random, seeded."""
    count, height, width = maps.shape
    if height % region or width % region:
        raise ValueError(f"{height}x{width} maps do not split into {region}x{region} patches")
    patches = maps.reshape(count, height // region, region, width // region, region)
    scores = patches.mean(axis=(2, 4))
    scores = scores / np.maximum(scores.max(axis=(1, 2), keepdims=True), 1e-12)
    scores = scores + np.random.default_rng(seed).random(scores.shape) * 1e-6
    order = np.argsort(-scores.reshape(count, -1), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(order.shape[1])[None, :], axis=1)
    ranks = ranks.reshape(scores.shape)
    return ranks.repeat(region, axis=1).repeat(region, axis=2)


def deletion_insertion_curves(
    model: keras.Model,
    images: np.ndarray,
    maps: np.ndarray,
    targets: np.ndarray,
    replacement: str = "blur",
    steps: int = 16,
    seed: int = 0,
    region: int = REGION,
) -> dict[str, np.ndarray]:
    """Target-class probability as the most salient regions are deleted, or inserted.

    Deletion replaces the top-ranked `region` x `region` patches of each image, a fraction
    k/steps of them at a time, with the replacement; insertion starts from the replacement and
    puts them back. Returns {"deletion", "insertion"}, each (n, steps + 1), from 0 to 1.
    """
    ranks = region_ranks(maps, region, seed)[..., None]
    regions = (maps.shape[1] // region) * (maps.shape[2] // region)
    background = replacement_images(images, replacement)
    sign = np.where(np.asarray(targets) == 1, 1.0, -1.0)
    curves = {"deletion": [], "insertion": []}
    for k in range(steps + 1):
        chosen = ranks < round(k / steps * regions)
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


def curve_areas(curves: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per image: the area under the deletion curve (lower is better) and under the insertion
    curve (higher is better)."""
    return {f"{kind}_auc": area_under_curve(values) for kind, values in curves.items()}
