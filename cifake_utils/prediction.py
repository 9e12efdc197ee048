"""The one place that turns images into P(FAKE) and a verdict."""

import keras
import numpy as np

from .metrics import THRESHOLD
from .pipeline import make_dataset


def predict_fake_probability(
    model: keras.Model, images: np.ndarray, batch_size: int = 1024
) -> np.ndarray:
    """P(FAKE) for each uint8 image of shape (n, 32, 32, 3), scaled as in training."""
    labels = np.zeros(len(images), dtype=np.uint8)  # unused; the pipeline yields pairs
    dataset = make_dataset(images, labels, batch_size=batch_size).map(lambda x, _: x)
    return model.predict(dataset, verbose=0).ravel().astype(np.float64)


def verdict(fake_probability: float, threshold: float = THRESHOLD) -> str:
    """ "FAKE" when P(FAKE) reaches the threshold, else "REAL"."""
    return "FAKE" if fake_probability >= threshold else "REAL"
