"""Temperature scaling: one number, fitted on validation, that makes P(FAKE) calibrated.

Label smoothing trains a model to stop short of 0 and 1, so its raw probabilities are
under-confident (notebook 04). Dividing the logit by a temperature T (Guo et al., 2017) keeps
every verdict (the sign of the logit) and rescales only the confidence.
"""

import numpy as np
from scipy.optimize import minimize_scalar

# P(FAKE) is a float32 sigmoid: its logit is finite only inside these bounds.
PROBABILITY_FLOOR = 1e-7
TEMPERATURE_BOUNDS = (0.05, 20.0)


def logits(fake_probability: np.ndarray) -> np.ndarray:
    """The logit of each P(FAKE), clipped away from 0 and 1."""
    p = np.clip(np.asarray(fake_probability, dtype=np.float64), PROBABILITY_FLOOR, 1 - 1e-7)
    return np.log(p) - np.log1p(-p)


def apply_temperature(fake_probability: np.ndarray, temperature: float) -> np.ndarray:
    """P(FAKE) with its logit divided by `temperature` (1: unchanged)."""
    return 1.0 / (1.0 + np.exp(-logits(fake_probability) / temperature))


def negative_log_likelihood(z: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Mean binary cross-entropy of logits `z` / temperature against 0/1 labels."""
    scaled = z / temperature
    return float(np.mean(np.logaddexp(0.0, scaled) - labels * scaled))


def fit_temperature(fake_probability: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of `labels` (validation)."""
    z, y = logits(fake_probability), np.asarray(labels, dtype=np.float64)
    low, high = np.log(TEMPERATURE_BOUNDS)
    best = minimize_scalar(
        lambda log_t: negative_log_likelihood(z, y, float(np.exp(log_t))),
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(np.exp(best.x))
