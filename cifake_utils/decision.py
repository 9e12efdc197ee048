"""The one decision rule: P(FAKE) at or above THRESHOLD is called FAKE, anything below REAL."""

import numpy as np

from .constants import LABELS

THRESHOLD = 0.5  # fixed before any result was seen; the models are trained for it


def predict_labels(fake_probability: np.ndarray, threshold: float = THRESHOLD) -> np.ndarray:
    """0 (REAL) or 1 (FAKE) per P(FAKE), as uint8."""
    return (np.asarray(fake_probability) >= threshold).astype(np.uint8)


def verdict(fake_probability: float, threshold: float = THRESHOLD) -> str:
    """ "FAKE" or "REAL" for one P(FAKE)."""
    return LABELS[int(predict_labels(fake_probability, threshold))]


def format_probability(probability: float) -> str:
    """P(FAKE) with no more precision than the calibration supports: two decimals, three next
    to the 0.5 threshold (so that the number agrees with the verdict), and "≥ 0.99" / "≤ 0.01"
    at the ends rather than "1.00" or "0.00"."""
    if probability >= 0.995:
        return "≥ 0.99"
    if probability < 0.005:
        return "≤ 0.01"
    if 0.495 <= probability < 0.505:  # two decimals would print 0.50 on either side of the verdict
        return f"{probability:.3f}"
    return f"{probability:.2f}"
