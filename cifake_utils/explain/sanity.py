"""Sanity checks of the maps: do they change when the model's weights are randomised?"""

import keras
import numpy as np
from scipy import stats

from .cam import class_activation_maps

WEIGHTED_LAYERS_TOP_DOWN = ("fake_probability", "hidden", "conv2", "conv1")


def randomise_from_top(model: keras.Model, layers: int, seed: int = 0) -> keras.Model:
    """A copy of `model` whose top `layers` weighted layers are re-initialised (cascading)."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    for offset, name in enumerate(WEIGHTED_LAYERS_TOP_DOWN[:layers]):
        layer = copy.get_layer(name)
        initializer = keras.initializers.GlorotUniform(seed=seed + offset)
        layer.kernel.assign(initializer(layer.kernel.shape))
        layer.bias.assign(np.zeros(layer.bias.shape, dtype=np.float32))
    return copy


def rank_correlations(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Spearman correlation between two sets of maps, image by image (NaN if one is flat)."""
    values = []
    for a, b in zip(first, second, strict=True):
        if np.ptp(a) == 0 or np.ptp(b) == 0:
            values.append(np.nan)
        else:
            values.append(stats.spearmanr(a.ravel(), b.ravel()).statistic)
    return np.array(values)


def randomisation_stages(
    model: keras.Model,
    images: np.ndarray,
    targets: np.ndarray,
    method: str = "Grad-CAM",
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Maps of the trained model, then with weights randomised from the top layer down:
    {"trained": maps, "random up to fake_probability": maps, ..., "random up to conv1": maps}.
    """
    stages = {"trained": class_activation_maps(model, images, targets, method)}
    for depth, name in enumerate(WEIGHTED_LAYERS_TOP_DOWN, start=1):
        randomised = randomise_from_top(model, depth, seed)
        stages[f"random up to {name}"] = class_activation_maps(randomised, images, targets, method)
    return stages


def cascading_randomisation(stages: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Adebayo et al.'s sanity check: each randomised stage's per-image rank correlation with
    the trained model's maps. Maps that survive randomisation do not explain the model."""
    trained = stages["trained"]
    return {
        stage: rank_correlations(trained, maps)
        for stage, maps in stages.items()
        if stage != "trained"
    }
