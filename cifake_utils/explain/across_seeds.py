"""Notebook 05's map checks with the trained seed as the unit, not the image.

- Border share: for every seed of an architecture, the share of each method's map mass in the
  border cells, against a uniform map and against the same network with every weighted layer
  re-initialised (a null that keeps the network's own spatial bias: how its unpadded
  convolutions and pooling weigh the cells near the edge). Tested over seeds, so a verdict is
  about the architecture, not one trained model.
- Same-labels reference: how alike the maps of two seeds trained on the same labels are (seed 0
  against each other seed). A randomised model's maps must be less alike than that before a
  sanity check can say the maps depend on what the model learned.
"""

import keras
import numpy as np
import pandas as pd
from scipy import stats

from ..significance import ALPHA, holm, t_interval
from .cam import class_activation_grids
from .geometry import Grid, grid_border_share
from .sanity import (
    WEIGHTED_LAYERS_TOP_DOWN,
    abs_similarity_interval,
    randomise_from_top,
    rank_correlations,
)

NULLS = ("uniform map", "randomised network")


def fully_randomised(model: keras.Model, seed: int) -> keras.Model:
    """`model` with every weighted layer re-initialised (seeded)."""
    return randomise_from_top(model, len(WEIGHTED_LAYERS_TOP_DOWN), seed)


def border_table(
    models: dict[tuple[str, int], keras.Model],
    images_by_label: dict[str, np.ndarray],
    grids: dict[str, Grid],
    methods: list[str],
    ring: int = 4,
) -> pd.DataFrame:
    """Per (architecture, seed, true class, method): the mean border share of the trained
    model's maps and of its fully randomised copy's (re-initialised with the seed), each for
    the class it predicts, on the same images. `grids`: each architecture's map grid."""
    rows = []
    for (architecture, seed), model in models.items():
        randomised = fully_randomised(model, seed)
        grid = grids[architecture]
        for label, images in images_by_label.items():
            for method in methods:
                shares = {
                    kind: grid_border_share(
                        class_activation_grids(network, images, None, method), grid, ring
                    )
                    for kind, network in (("trained", model), ("randomised", randomised))
                }
                rows.append(
                    {
                        "architecture": architecture,
                        "seed": seed,
                        "true class": label,
                        "method": method,
                        "images": len(images),
                        "trained": float(np.nanmean(shares["trained"])),
                        "randomised": float(np.nanmean(shares["randomised"])),
                    }
                )
    return pd.DataFrame(rows)


def border_tests(table: pd.DataFrame, uniform: float) -> pd.DataFrame:
    """Per architecture, true class, method and null: the trained share minus the null's over
    seeds (mean and 95% t-interval, in share points), the t-test over seeds (one-sample
    against the uniform share; paired against the randomised copy of the same seed), Holm over
    every row, and the verdict "more", "less" or "not significant" (NaN p: "untested")."""
    rows = []
    for (architecture, label, method), group in table.groupby(
        ["architecture", "true class", "method"], sort=False
    ):
        trained = group["trained"].to_numpy()
        for null in NULLS:
            difference = trained - (uniform if null == NULLS[0] else group["randomised"])
            difference = np.asarray(difference, dtype=float)
            low, high = t_interval(difference)
            p = float("nan")
            if len(difference) > 1 and not np.allclose(difference, difference[0]):
                p = float(stats.ttest_1samp(difference, 0.0).pvalue)
            rows.append(
                {
                    "architecture": architecture,
                    "true class": label,
                    "method": method,
                    "null": null,
                    "seeds": len(difference),
                    "trained_share": float(trained.mean()),
                    "null_share": float(trained.mean() - difference.mean()),
                    "difference": float(difference.mean()),
                    "difference_low": low,
                    "difference_high": high,
                    "p_value": p,
                }
            )
    tests = pd.DataFrame(rows)
    tests["p_holm"] = holm(tests["p_value"].to_numpy())
    tests["verdict"] = [
        "untested"
        if not np.isfinite(p)
        else ("not significant" if p >= ALPHA else ("more" if d > 0 else "less"))
        for p, d in zip(tests["p_holm"], tests["difference"], strict=True)
    ]
    return tests


def background_verdicts(tests: pd.DataFrame) -> pd.DataFrame:
    """Per architecture and true class: "more" when every method puts significantly more mass
    on the border than both nulls, "less" when every method puts significantly less, else
    "not shown" (methods or nulls disagree, or a test is not significant)."""
    rows = []
    for (architecture, label), group in tests.groupby(["architecture", "true class"], sort=False):
        verdicts = set(group["verdict"])
        rows.append(
            {
                "architecture": architecture,
                "true class": label,
                "verdict": verdicts.pop() if verdicts in ({"more"}, {"less"}) else "not shown",
            }
        )
    return pd.DataFrame(rows)


def seed_maps(
    models: dict[int, keras.Model], images: np.ndarray, targets: np.ndarray, methods: list[str]
) -> dict[int, dict[str, np.ndarray]]:
    """{seed: {method: grid maps}} of each seed's model on the same images and targets."""
    return {
        seed: {method: class_activation_grids(model, images, targets, method) for method in methods}
        for seed, model in models.items()
    }


def seed_similarity(
    maps: dict[int, dict[str, np.ndarray]], reference_seed: int = 0
) -> pd.DataFrame:
    """Per method and seed other than `reference_seed`: the sign-invariant similarity |mean ρ|
    of that seed's maps to the reference seed's on the same images (Spearman ρ per image)."""
    rows = []
    for seed, by_method in maps.items():
        if seed == reference_seed:
            continue
        for method, grids in by_method.items():
            rho = rank_correlations(maps[reference_seed][method], grids)
            defined = rho[np.isfinite(rho)]
            rows.append(
                {
                    "method": method,
                    "seed": seed,
                    "similarity": float(abs(defined.mean())) if len(defined) else np.nan,
                    "undefined": float(np.mean(~np.isfinite(rho))),
                }
            )
    return pd.DataFrame(rows, columns=["method", "seed", "similarity", "undefined"])


def reference_intervals(similarity: pd.DataFrame) -> pd.DataFrame:
    """Per method: the mean same-labels, different-seed similarity with its 95% t-interval over
    the seed pairs."""
    rows = []
    for method, group in similarity.groupby("method", sort=False):
        values = group["similarity"].dropna().to_numpy()
        low, high = abs_similarity_interval(values)
        rows.append(
            {
                "method": method,
                "pairs": len(values),
                "similarity": float(values.mean()) if len(values) else np.nan,
                "low": low,
                "high": high,
            }
        )
    return pd.DataFrame(rows, columns=["method", "pairs", "similarity", "low", "high"])


def against_reference(low: float, high: float, reference: dict) -> str:
    """One rule for every sanity check: a randomised model's similarity (its 95% interval
    `low`..`high`) against the same-labels reference's interval: "below" (the maps changed more
    than a change of seed changes them: the check passes), "above", or "overlaps" (randomising
    cannot be told from re-seeding: the check cannot pass)."""
    if not all(np.isfinite([low, high, reference["low"], reference["high"]])):
        return "untested"
    if high < reference["low"]:
        return "below"
    return "above" if low > reference["high"] else "overlaps"
