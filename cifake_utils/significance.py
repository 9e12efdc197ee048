"""The study's statistics vocabulary, in one bottom-layer module: the significance level, Holm's
adjustment of a family of tests and the t-interval over seeds. Every notebook's verdicts use
these, so that "significant" means the same thing everywhere."""

import numpy as np
from scipy import stats

ALPHA = 0.05  # the level of every test in the study


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values, in the input's order. A NaN (a test that could not
    be run) stays NaN and is not counted in the family."""
    p_values = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p_values, np.nan)
    finite = np.flatnonzero(np.isfinite(p_values))
    order = finite[np.argsort(p_values[finite], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, (len(order) - rank) * p_values[index])
        adjusted[index] = min(1.0, running)
    return adjusted


def t_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the mean over seeds (NaNs when fewer than two values)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float("nan"), float("nan")
    half = stats.t.ppf((1 + confidence) / 2, len(values) - 1) * stats.sem(values)
    return float(values.mean() - half), float(values.mean() + half)
