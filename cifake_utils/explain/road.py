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
The other maintained implementation (pytorch-grad-cam) needs PyTorch. `imputation.py` follows
the paper's imputation exactly (it matches Quantus's function to 1e-15 without noise), seeded.
"""

import keras
import numpy as np

from ..models.inference import predict_fake_probability
from .imputation import NOISE, impute_batch

FRACTIONS = (0.1, 0.3, 0.5, 0.7, 0.9)
ORDERS = ("MoRF", "LeRF")


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
    workers: int | None = None,
) -> dict[str, np.ndarray]:
    """Target-class probability after imputing a fraction of each image's pixels, removed in
    the map's order: {"MoRF": (n, len(fractions)), "LeRF": (n, len(fractions))}.

    The imputation runs in `workers` processes (default: one per core); the noise of each
    image is seeded by (seed, order, fraction, image), so the result does not depend on them.
    """
    ranks = pixel_ranks(maps, seed)
    pixels = ranks[0].size
    scaled = images.astype(np.float64) / 255.0
    sign = np.asarray(targets) == 1
    curves = {}
    for order_index, order in enumerate(ORDERS):
        probabilities = []
        for fraction_index, fraction in enumerate(fractions):
            removed_count = round(fraction * pixels)
            if order == "MoRF":
                removed = ranks < removed_count
            else:
                removed = ranks >= pixels - removed_count
            key = (seed, order_index, fraction_index)
            imputed = impute_batch(scaled, removed, key, noise, workers)
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
