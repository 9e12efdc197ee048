"""A model's P(FAKE) for a batch of uint8 images, scaled exactly as in training."""

import keras
import numpy as np
import tensorflow as tf

from ..data.pipeline import make_dataset


def predict_fake_probability(
    model: keras.Model, images: np.ndarray, batch_size: int = 1024
) -> np.ndarray:
    """P(FAKE) for each uint8 image of shape (n, 32, 32, 3), as float64."""
    if len(images) <= 32:  # a direct call skips predict()'s set-up: the web app's latency
        scaled = tf.cast(tf.convert_to_tensor(images), tf.float32) / 255.0
        return fake_column(np.asarray(model(scaled, training=False)))
    labels = np.zeros(len(images), dtype=np.uint8)  # unused; the pipeline yields pairs
    dataset = make_dataset(images, labels, batch_size=batch_size).map(lambda x, _: x)
    return fake_column(model.predict(dataset, verbose=0))


def fake_column(outputs: np.ndarray) -> np.ndarray:
    """P(FAKE) from a model's outputs: its one sigmoid unit, or the FAKE unit of two softmax
    units (label 1, as the labels are indexed)."""
    return np.asarray(outputs)[:, -1].astype(np.float64)
