"""The study's statistics vocabulary, in one bottom-layer module: the significance level, Holm's
adjustment of a family of tests, the t-interval over seeds, the prediction interval for one new
run and the equivalence test. Every notebook's verdicts use these, so that "significant" means
the same thing everywhere."""

import math

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


def tost_p_value(values: np.ndarray, target: float, margin: float) -> float:
    """Two one-sided t-tests that the mean of `values` lies within `margin` of `target`: the
    larger of the two one-sided p-values (below `ALPHA`: equivalent within the margin); NaN
    for fewer than two values."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float("nan")
    error, freedom = stats.sem(values), len(values) - 1
    above_lower = stats.t.sf((values.mean() - (target - margin)) / error, freedom)
    below_upper = stats.t.cdf((values.mean() - (target + margin)) / error, freedom)
    return float(max(above_lower, below_upper))


def prediction_interval(mean: float, std: float, seeds: int, level: float = 0.95):
    """The interval that holds one new run's value with probability `level`, from `seeds` runs
    (t with seeds - 1 degrees of freedom, widened by sqrt(1 + 1/seeds) for the new run's own
    spread); (nan, nan) for fewer than two seeds."""
    if seeds < 2 or not math.isfinite(std):
        return math.nan, math.nan
    half = stats.t.ppf(0.5 + level / 2, seeds - 1) * std * math.sqrt(1 + 1 / seeds)
    return mean - half, mean + half
