"""ROAD: RemOve And Debias (Rong et al., 2022, "A Consistent and Efficient Evaluation
Strategy for Attribution Methods").

Plain deletion replaces pixels with a constant or a blur, and the shape of the hole itself
tells the model which pixels were ranked highest (the information leak that makes random
rankings look faithful). ROAD fills removed pixels by noisy linear imputation instead: each
removed pixel becomes the weighted mean of its eight neighbours (1/6 for the four direct ones,
1/12 for the diagonals), solved jointly as one sparse linear system, plus a little Gaussian
noise. Pixels are removed in the map's order: most relevant first (MoRF: the probability
should fall fast) or least relevant first (LeRF: it should stay high).

Why not a library: Quantus's `ROAD` metric (0.6.0) fails on these channel-last Keras 3
models (it indexes the channel-first pixel grid with the attribution's indices and raises an
IndexError), its TensorFlow extra pins keras<3, tensorflow<2.16 and numpy<2, and its
stand-alone imputation function draws its noise from NumPy's global, unseeded generator.
The other maintained implementation (pytorch-grad-cam) needs PyTorch. This module follows the
paper's imputation exactly, seeded.
"""

import keras
import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

from ..models.inference import predict_fake_probability

# (row offset, column offset, weight) of the eight neighbours, as in the paper.
NEIGHBOURS = (
    (-1, 0, 1 / 6),
    (1, 0, 1 / 6),
    (0, -1, 1 / 6),
    (0, 1, 1 / 6),
    (-1, -1, 1 / 12),
    (-1, 1, 1 / 12),
    (1, -1, 1 / 12),
    (1, 1, 1 / 12),
)
NOISE = 0.01  # standard deviation on the [0, 1] pixel scale, the paper's default
FRACTIONS = (0.1, 0.3, 0.5, 0.7, 0.9)
ORDERS = ("MoRF", "LeRF")


def noisy_linear_imputation(
    image: np.ndarray, removed: np.ndarray, rng: np.random.Generator, noise: float = NOISE
) -> np.ndarray:
    """`image` (h, w, c) in [0, 1] with the `removed` (h, w) pixels imputed from their
    neighbours plus N(0, noise) noise; every other pixel is returned unchanged."""
    height, width = removed.shape
    unknown = np.flatnonzero(removed)
    if len(unknown) == 0:
        return image.copy()
    if len(unknown) == removed.size:
        raise ValueError("cannot impute an image with every pixel removed")
    variable = np.full(removed.size, -1)
    variable[unknown] = np.arange(len(unknown))
    rows, columns = np.divmod(unknown, width)
    flat = image.reshape(-1, image.shape[-1]).astype(np.float64)
    diagonal = np.zeros(len(unknown))
    right_side = np.zeros((len(unknown), flat.shape[1]))
    entries_i, entries_j, entries_w = [], [], []
    for row_offset, column_offset, weight in NEIGHBOURS:
        r, c = rows + row_offset, columns + column_offset
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        source = np.flatnonzero(inside)
        neighbour = r[inside] * width + c[inside]
        diagonal[source] += weight
        is_unknown = variable[neighbour] >= 0
        entries_i.append(source[is_unknown])
        entries_j.append(variable[neighbour[is_unknown]])
        entries_w.append(np.full(int(is_unknown.sum()), -weight))
        np.add.at(right_side, source[~is_unknown], weight * flat[neighbour[~is_unknown]])
    matrix = sparse.csc_matrix(
        (
            np.concatenate([diagonal, *entries_w]),
            (
                np.concatenate([np.arange(len(unknown)), *entries_i]),
                np.concatenate([np.arange(len(unknown)), *entries_j]),
            ),
        ),
        shape=(len(unknown), len(unknown)),
    )
    solved = spsolve(matrix, right_side).reshape(len(unknown), -1)
    imputed = flat.copy()
    imputed[unknown] = solved + noise * rng.standard_normal(solved.shape)
    return imputed.reshape(image.shape)


def pixel_ranks(maps: np.ndarray, seed: int = 0) -> np.ndarray:
    """(n, h, w) rank of each pixel in its map, 0 = most relevant; ties broken at random."""
    count = len(maps)
    jitter = np.random.default_rng(seed).random(maps.shape) * 1e-6
    scaled = maps / np.maximum(maps.max(axis=(1, 2), keepdims=True), 1e-12) + jitter
    order = np.argsort(-scaled.reshape(count, -1), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(order.shape[1])[None, :], axis=1)
    return ranks.reshape(maps.shape)


def road_curves(
    model: keras.Model,
    images: np.ndarray,
    maps: np.ndarray,
    targets: np.ndarray,
    fractions: tuple[float, ...] = FRACTIONS,
    seed: int = 0,
    noise: float = NOISE,
) -> dict[str, np.ndarray]:
    """Target-class probability after imputing a fraction of each image's pixels, removed in
    the map's order: {"MoRF": (n, len(fractions)), "LeRF": (n, len(fractions))}."""
    ranks = pixel_ranks(maps, seed)
    pixels = ranks[0].size
    rng = np.random.default_rng(seed)
    scaled = images.astype(np.float64) / 255.0
    sign = np.asarray(targets) == 1
    curves = {}
    for order in ORDERS:
        probabilities = []
        for fraction in fractions:
            removed_count = round(fraction * pixels)
            if order == "MoRF":
                removed = ranks < removed_count
            else:
                removed = ranks >= pixels - removed_count
            imputed = np.stack(
                [
                    noisy_linear_imputation(x, m, rng, noise)
                    for x, m in zip(scaled, removed, strict=True)
                ]
            )
            as_uint8 = np.clip(np.rint(imputed * 255.0), 0, 255).astype(np.uint8)
            probability = predict_fake_probability(model, as_uint8)
            probabilities.append(np.where(sign, probability, 1.0 - probability))
        curves[order] = np.stack(probabilities, axis=1)
    return curves


def road_scores(curves: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per image: the mean target probability over the fractions for MoRF (lower is better) and
    LeRF (higher is better), and their gap LeRF - MoRF (higher is better)."""
    morf, lerf = curves["MoRF"].mean(axis=1), curves["LeRF"].mean(axis=1)
    return {"road_morf": morf, "road_lerf": lerf, "road_gap": lerf - morf}
