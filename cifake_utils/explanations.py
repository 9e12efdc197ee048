"""Class activation maps (Grad-CAM, Grad-CAM++, Score-CAM via tf-keras-vis) and their checks.

The only module that imports tf_keras_vis. Maps are returned unnormalised (non-negative, the
input's 32x32 size) so that their magnitude survives; `normalise_maps` scales them for display.
"""

import warnings
import weakref
from collections.abc import Callable
from contextlib import contextmanager

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from keras import layers, ops
from scipy import ndimage, stats

with warnings.catch_warnings():  # tf-keras-vis imports a deprecated scipy.ndimage path
    warnings.simplefilter("ignore", DeprecationWarning)
    from tf_keras_vis.gradcam import Gradcam
    from tf_keras_vis.gradcam_plus_plus import GradcamPlusPlus
    from tf_keras_vis.scorecam import Scorecam

from .prediction import predict_fake_probability

METHODS = {"Grad-CAM": Gradcam, "Grad-CAM++": GradcamPlusPlus, "Score-CAM": Scorecam}
TARGET_LAYER = "conv2"  # the last convolution: the finest map that still sees whole objects


_LOGIT_MODELS: "weakref.WeakKeyDictionary[keras.Model, tuple]" = weakref.WeakKeyDictionary()


def logit_models(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """Two views of a sigmoid model for the CAM methods, sharing its weights.

    - one logit z (the sigmoid's input): Grad-CAM's score is +z for FAKE and -z for REAL;
    - two logits [0, z]: their softmax is [P(REAL), P(FAKE)], the class probabilities that
      tf-keras-vis's Score-CAM softmaxes its outputs into (one unit would softmax to 1).

    Built once per model and cached, since the web app explains one image at a time.
    """
    if model in _LOGIT_MODELS:
        return _LOGIT_MODELS[model]
    output_layer = model.layers[-1]
    # The sigmoid's input, computed with the output layer's own variables (shared, not copied).
    logit = layers.Lambda(
        lambda x: ops.matmul(x, output_layer.kernel) + output_layer.bias, name="logit"
    )(output_layer.input)
    pair = layers.Concatenate(name="logit_pair")([layers.Lambda(tf.zeros_like)(logit), logit])
    _LOGIT_MODELS[model] = (keras.Model(model.inputs, logit), keras.Model(model.inputs, pair))
    return _LOGIT_MODELS[model]


def target_score(targets: np.ndarray, method: str) -> Callable[[tf.Tensor], tf.Tensor]:
    """The score each method explains, per image, for its target class (0 REAL, 1 FAKE)."""
    targets = np.asarray(targets)
    if method == "Score-CAM":
        index = tf.constant(np.stack([np.arange(len(targets)), targets], axis=1), tf.int32)
        return lambda output: tf.gather_nd(output, index)
    sign = tf.constant(np.where(targets == 1, 1.0, -1.0), dtype=tf.float32)
    return lambda output: output[:, 0] * sign


def class_activation_maps(
    model: keras.Model,
    images: np.ndarray,
    targets: np.ndarray | None = None,
    method: str = "Grad-CAM",
    layer: str = TARGET_LAYER,
    batch_size: int = 256,
) -> np.ndarray:
    """(n, 32, 32) non-negative maps of what raised each image's target-class score.

    `images` are uint8 (n, 32, 32, 3); `targets` 0 (REAL) or 1 (FAKE) per image, by default
    the model's own prediction. The model itself is left untouched (see `logit_models`).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {sorted(METHODS)}")
    if targets is None:
        targets = (predict_fake_probability(model, images) >= 0.5).astype(np.uint8)
    single, pair = logit_models(model)
    scored = pair if method == "Score-CAM" else single
    visualiser = METHODS[method](scored, clone=False)
    options = {"max_N": None} if method == "Score-CAM" else {}
    maps = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size].astype(np.float32) / 255.0
        score = target_score(targets[start : start + batch_size], method)
        with warnings.catch_warnings(), quiet_keras():
            warnings.simplefilter("ignore", DeprecationWarning)  # tf-keras-vis on NumPy 2
            cam = visualiser(score, batch, penultimate_layer=layer, normalize_cam=False, **options)
        maps.append(np.asarray(cam, dtype=np.float32).reshape(len(batch), *images.shape[1:3]))
    return np.maximum(np.concatenate(maps), 0.0)


@contextmanager
def quiet_keras():
    """Silence the progress bars of the `predict` calls that Score-CAM makes."""
    was_interactive = keras.config.is_interactive_logging_enabled()
    keras.config.disable_interactive_logging()
    try:
        yield
    finally:
        if was_interactive:
            keras.config.enable_interactive_logging()


def normalise_maps(maps: np.ndarray, how: str = "image") -> np.ndarray:
    """Scale maps to [0, 1]: per `image` (hides magnitude) or by the set's `global` maximum."""
    if how == "image":
        top = maps.max(axis=(1, 2), keepdims=True)
    elif how == "global":
        top = np.full((len(maps), 1, 1), maps.max())
    else:
        raise ValueError(f"how must be 'image' or 'global', not {how!r}")
    return np.divide(maps, top, out=np.zeros_like(maps), where=top > 0)


def zero_map_share(maps: np.ndarray) -> float:
    """Share of maps that are zero everywhere (Grad-CAM's ReLU can leave nothing)."""
    return float(np.mean(maps.max(axis=(1, 2)) <= 0))


def border_share(maps: np.ndarray, ring: int = 4) -> np.ndarray:
    """Per map: the share of its mass on the outer `ring` pixels (NaN for an all-zero map)."""
    inside = np.zeros(maps.shape[1:], dtype=bool)
    inside[ring:-ring, ring:-ring] = True
    total = maps.sum(axis=(1, 2))
    border = maps[:, ~inside].sum(axis=1)
    return np.divide(border, total, out=np.full(len(maps), np.nan), where=total > 0)


def ring_area_share(size: int = 32, ring: int = 4) -> float:
    """The border ring's share of the image area: what a uniform map would put there."""
    return 1.0 - (size - 2 * ring) ** 2 / size**2


def random_maps(count: int, size: int = 32, seed: int = 0) -> np.ndarray:
    """Baseline: a uniformly random ranking of the pixels for each image."""
    return np.random.default_rng(seed).random((count, size, size)).astype(np.float32)


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


def deletion_insertion_curves(
    model: keras.Model,
    images: np.ndarray,
    maps: np.ndarray,
    targets: np.ndarray,
    replacement: str = "blur",
    steps: int = 16,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Target-class probability as the most salient pixels are deleted, or inserted.

    Deletion replaces the top-ranked pixels of each image, a fraction k/steps at a time, with
    the replacement; insertion starts from the replacement and puts them back. Ties in a map
    (all-zero regions) are broken at random, seeded. Returns {"deletion", "insertion"}, each
    (n, steps + 1), from fraction 0 to 1.
    """
    count, height, width = maps.shape
    tie_break = np.random.default_rng(seed).random(maps.shape) * 1e-6
    flat = maps / np.maximum(maps.max(axis=(1, 2), keepdims=True), 1e-12) + tie_break
    order = np.argsort(-flat.reshape(count, -1), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(height * width)[None, :], axis=1)
    rank = rank.reshape(count, height, width, 1)
    background = replacement_images(images, replacement)
    sign = np.where(np.asarray(targets) == 1, 1.0, -1.0)
    curves = {"deletion": [], "insertion": []}
    for k in range(steps + 1):
        chosen = rank < round(k / steps * height * width)
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


def pick_examples(
    y_true: np.ndarray, probability: np.ndarray, per_group: int = 2, seed: int = 0
) -> dict[str, np.ndarray]:
    """Seeded examples of right and wrong calls on each class: {"REAL, right": indices, ...}."""
    rng = np.random.default_rng(seed)
    predicted = (probability >= 0.5).astype(np.uint8)
    picked = {}
    for label, name in enumerate(("REAL", "FAKE")):
        for outcome, correct in (("right", True), ("wrong", False)):
            pool = np.flatnonzero((y_true == label) & ((predicted == label) == correct))
            picked[f"{name}, {outcome}"] = np.sort(
                rng.choice(pool, size=min(per_group, len(pool)), replace=False)
            )
    return picked


def faithfulness(
    model: keras.Model,
    images: np.ndarray,
    targets: np.ndarray,
    maps: dict[str, np.ndarray],
    replacement: str,
    seed: int = 0,
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, dict[str, float]]]:
    """Deletion and insertion curves of each map set, and the mean and standard error of
    their areas: ({method: {"deletion", "insertion"}}, {method: {metric: value}})."""
    curves, areas = {}, {}
    for method, method_maps in maps.items():
        curves[method] = deletion_insertion_curves(
            model, images, method_maps, targets, replacement, seed=seed
        )
        areas[method] = {}
        for kind, values in curves[method].items():
            area = area_under_curve(values)
            areas[method][f"{kind}_auc"] = float(area.mean())
            areas[method][f"{kind}_auc_sem"] = float(area.std(ddof=1) / np.sqrt(len(area)))
    return curves, areas


def faithfulness_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """Add whether each method beats the random-map baseline of the same model and replacement:
    a lower deletion area and a higher insertion area."""
    random = table.xs("random", level="method")
    verdict = table.copy()
    keys = [key[:2] for key in table.index]
    verdict["beats_random_deletion"] = [
        row["deletion_auc"] < random.loc[key, "deletion_auc"]
        for key, (_, row) in zip(keys, table.iterrows(), strict=True)
    ]
    verdict["beats_random_insertion"] = [
        row["insertion_auc"] > random.loc[key, "insertion_auc"]
        for key, (_, row) in zip(keys, table.iterrows(), strict=True)
    ]
    return verdict
