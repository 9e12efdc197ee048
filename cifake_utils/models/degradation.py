"""Blur + JPEG training-time augmentation (Wang et al., 2020, "CNN-generated images are
surprisingly easy to spot… for now"): each training image is blurred with probability p
(Gaussian, σ uniform in [0, 3]) and, independently, JPEG-encoded with probability p (quality
uniform in [30, 100]). A seeded Keras layer: active in `fit`, the identity at inference.
"""

import keras
import tensorflow as tf
from keras import layers

SIGMA_RANGE = (0.0, 3.0)
QUALITY_RANGE = (30, 100)
RADIUS = 6  # the Gaussian kernel's half-width in pixels (13 taps; σ = 3 reaches 2σ)
PREFIX = "blur_jpeg_"  # augmentation name: "blur_jpeg_<p>", e.g. "blur_jpeg_0.5"


def probability_of(name: str) -> float:
    """The p of an augmentation name "blur_jpeg_<p>"; ValueError when it is not one."""
    if not name.startswith(PREFIX):
        raise ValueError(f"{name!r} is not a blur + JPEG augmentation ({PREFIX}<p>)")
    probability = float(name.removeprefix(PREFIX))
    if not 0.0 < probability <= 1.0:
        raise ValueError(f"{name!r}: the probability must be in (0, 1]")
    return probability


def _blur(image: tf.Tensor, sigma: tf.Tensor) -> tf.Tensor:
    """One (h, w, c) float image blurred by a separable Gaussian of `sigma`, edges reflected;
    σ = 0 leaves it unchanged."""
    offsets = tf.range(-RADIUS, RADIUS + 1, dtype=tf.float32)
    weights = tf.exp(-0.5 * tf.square(offsets / tf.maximum(sigma, 1e-3)))
    weights = weights / tf.reduce_sum(weights)
    channels = tf.shape(image)[-1]
    padded = tf.pad(image[None], [[0, 0], [RADIUS, RADIUS], [RADIUS, RADIUS], [0, 0]], "REFLECT")
    row = tf.tile(tf.reshape(weights, (1, -1, 1, 1)), [1, 1, channels, 1])
    column = tf.tile(tf.reshape(weights, (-1, 1, 1, 1)), [1, 1, channels, 1])
    blurred = tf.nn.depthwise_conv2d(padded, row, [1, 1, 1, 1], "VALID")
    blurred = tf.nn.depthwise_conv2d(blurred, column, [1, 1, 1, 1], "VALID")
    return blurred[0]


@keras.saving.register_keras_serializable(package="cifake")
class RandomBlurJpeg(layers.Layer):
    """With probability `probability` each: Gaussian blur, then JPEG re-encoding. Inputs are
    float images in [0, 1] (the models' scaled input)."""

    def __init__(self, probability: float, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.probability = probability
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=None):
        if not training:
            return images
        count = tf.shape(images)[0]
        draws = [keras.random.uniform((count,), seed=self.seed_generator) for _ in range(4)]
        blur_on, sigma_draw, jpeg_on, quality_draw = draws
        sigma = SIGMA_RANGE[0] + (SIGMA_RANGE[1] - SIGMA_RANGE[0]) * sigma_draw
        low, high = QUALITY_RANGE
        quality = tf.cast(tf.floor(low + (high - low + 1) * quality_draw), tf.int32)
        quality = tf.minimum(quality, high)

        def degrade(item):
            image, blur, s, jpeg, q = item
            image = tf.cond(blur < self.probability, lambda: _blur(image, s), lambda: image)
            image = tf.clip_by_value(image, 0.0, 1.0)
            return tf.cond(
                jpeg < self.probability,
                lambda: tf.image.adjust_jpeg_quality(image, q),
                lambda: image,
            )

        return tf.map_fn(
            degrade,
            (images, blur_on, sigma, jpeg_on, quality),
            fn_output_signature=tf.TensorSpec(images.shape[1:], images.dtype),
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"probability": self.probability, "seed": self.seed}
