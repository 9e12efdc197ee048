"""Class activation maps: Grad-CAM, Grad-CAM++ and Score-CAM (via tf-keras-vis).

The only module that imports tf_keras_vis. Maps are computed at the target layer's own
resolution (`class_activation_grids`) and placed on the image by the cells' receptive-field
centres (`geometry.place_maps`), not stretched over it. They are returned unnormalised
(non-negative) so that their magnitude survives; `normalise_maps` scales them for display.
"""

import warnings
import weakref
from collections.abc import Callable
from contextlib import contextmanager

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

with warnings.catch_warnings():  # tf-keras-vis imports a deprecated scipy.ndimage path
    warnings.simplefilter("ignore", DeprecationWarning)
    from tf_keras_vis.gradcam import Gradcam
    from tf_keras_vis.gradcam_plus_plus import GradcamPlusPlus
    from tf_keras_vis.scorecam import Scorecam

from ..constants import LABELS
from ..decision import predict_labels
from ..models.inference import predict_fake_probability
from .geometry import place_maps, receptive_field_grid

METHODS = {"Grad-CAM": Gradcam, "Grad-CAM++": GradcamPlusPlus, "Score-CAM": Scorecam}
TARGET_LAYER = "conv2"  # the paper models' last convolution: the finest map that sees objects
POOLING = (layers.MaxPooling2D, layers.AveragePooling2D)


def target_layer(model: keras.Model) -> str:
    """The layer Grad-CAM looks at: the last feature map before the head that is not a pooling
    (`conv2` in the paper's models, the last stage's ReLU in VGG-BN)."""
    maps = [
        layer
        for layer in model.layers
        if len(layer.output.shape) == 4
        and not isinstance(layer, (*POOLING, layers.InputLayer, layers.Dropout))
    ]
    if not maps:
        raise ValueError(f"{model.name} has no convolutional feature map to explain")
    return maps[-1].name


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
    # The sigmoid's input, computed with the output layer's own variables (shared, not copied);
    # of two softmax units (the template's), the FAKE logit minus the REAL one, whose sigmoid
    # is the same P(FAKE).
    logit = layers.Lambda(
        lambda x: binary_logit(ops.matmul(x, output_layer.kernel) + output_layer.bias),
        name="logit",
    )(output_layer.input)
    pair = layers.Concatenate(name="logit_pair")([layers.Lambda(tf.zeros_like)(logit), logit])
    _LOGIT_MODELS[model] = (keras.Model(model.inputs, logit), keras.Model(model.inputs, pair))
    return _LOGIT_MODELS[model]


def binary_logit(logits):
    """The log-odds of FAKE from a sigmoid's one logit, or from two softmax logits."""
    if logits.shape[-1] == 2:
        return logits[:, 1:2] - logits[:, 0:1]
    return logits


def target_score(targets: np.ndarray, method: str) -> Callable[[tf.Tensor], tf.Tensor]:
    """The score each method explains, per image, for its target class (0 REAL, 1 FAKE)."""
    targets = np.asarray(targets)
    if method == "Score-CAM":
        index = tf.constant(np.stack([np.arange(len(targets)), targets], axis=1), tf.int32)
        return lambda output: tf.gather_nd(output, index)
    sign = tf.constant(np.where(targets == 1, 1.0, -1.0), dtype=tf.float32)
    return lambda output: output[:, 0] * sign


def class_activation_grids(
    model: keras.Model,
    images: np.ndarray,
    targets: np.ndarray | None = None,
    method: str = "Grad-CAM",
    layer: str | None = None,
    batch_size: int = 256,
) -> np.ndarray:
    """(n, cells, cells) non-negative maps at `layer`'s resolution (13x13 for conv2) of what
    raised each image's target-class score; `layer` defaults to `target_layer(model)`.

    `images` are uint8 (n, 32, 32, 3); `targets` 0 (REAL) or 1 (FAKE) per image, by default
    the model's own prediction. The model itself is left untouched (see `logit_models`).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {sorted(METHODS)}")
    if targets is None:
        targets = predict_labels(predict_fake_probability(model, images))
    layer = layer or target_layer(model)
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
            cam = visualiser(
                score,
                batch,
                penultimate_layer=layer,
                normalize_cam=False,
                expand_cam=False,
                **options,
            )
        cam = np.asarray(cam, dtype=np.float32)
        maps.append(cam.reshape(len(batch), *cam.shape[-2:]))
    return np.maximum(np.concatenate(maps), 0.0)


def class_activation_maps(
    model: keras.Model,
    images: np.ndarray,
    targets: np.ndarray | None = None,
    method: str = "Grad-CAM",
    layer: str | None = None,
    batch_size: int = 256,
) -> np.ndarray:
    """(n, 32, 32) maps: `class_activation_grids` placed by the receptive-field centres."""
    layer = layer or target_layer(model)
    grids = class_activation_grids(model, images, targets, method, layer, batch_size)
    return place_maps(grids, receptive_field_grid(model, layer))


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


def class_mean_maps(maps_by_class: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Where each class's maps put their weight: every map scaled to a density (its values over
    their sum, times the number of pixels, so that 1 is a uniform map and every image weighs
    the same whatever its magnitude or peakiness), averaged per class, and the first class
    minus the second. All-zero maps count as uniform.

    {"REAL": maps, "FAKE": maps} -> {"REAL": mean, "FAKE": mean, "REAL − FAKE": difference}.
    """
    if len(maps_by_class) != 2:
        raise ValueError("expected the maps of exactly two classes")
    means = {name: map_densities(maps).mean(axis=0) for name, maps in maps_by_class.items()}
    first, second = means
    return means | {f"{first} − {second}": means[first] - means[second]}


def map_densities(maps: np.ndarray) -> np.ndarray:
    """Each map divided by its mean value (1 everywhere for a uniform or an all-zero map)."""
    mean = maps.mean(axis=(1, 2), keepdims=True)
    return np.divide(maps, mean, out=np.ones_like(maps, dtype=np.float64), where=mean > 0)


def zero_map_share(maps: np.ndarray) -> float:
    """Share of maps that are zero everywhere (Grad-CAM's ReLU can leave nothing)."""
    return float(np.mean(maps.max(axis=(1, 2)) <= 0))


def example_captions(
    examples: dict[str, np.ndarray], probability: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """The picked indices in one array, and a caption per image: true class, P(FAKE), and
    whether the call was right."""
    indices = np.concatenate(list(examples.values()))
    captions = [
        f"true {group.split(',')[0]}\nP(FAKE) {probability[i]:.2f}\n{group.split(', ')[1]} call"
        for group, chosen in examples.items()
        for i in chosen
    ]
    return indices, captions


def pick_examples(
    y_true: np.ndarray, probability: np.ndarray, per_group: int = 2, seed: int = 0
) -> dict[str, np.ndarray]:
    """Seeded examples of right and wrong calls on each class: {"REAL, right": indices, ...}."""
    rng = np.random.default_rng(seed)
    predicted = predict_labels(probability)
    picked = {}
    for label, name in enumerate(LABELS):
        for outcome, correct in (("right", True), ("wrong", False)):
            pool = np.flatnonzero((y_true == label) & ((predicted == label) == correct))
            picked[f"{name}, {outcome}"] = np.sort(
                rng.choice(pool, size=min(per_group, len(pool)), replace=False)
            )
    return picked
