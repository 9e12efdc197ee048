"""Paired tests of "a map method beats a baseline", image by image.

Each faithfulness score is measured per image for every map set, so a method and a baseline
are compared on the same images: a Wilcoxon signed-rank test of the per-image differences,
with the matched-pairs rank-biserial correlation as the effect size (+1: the method is better
on every image, -1: worse on every image, 0: no tendency). A table of many such tests is
corrected for multiplicity with Holm's step-down method, and its verdicts use the corrected
p-values.
"""

import numpy as np
import pandas as pd
from scipy import stats

from ..significance import ALPHA, holm

# For each per-image score, whether a higher value means a more faithful map.
HIGHER_IS_BETTER = {
    "deletion_auc": False,
    "insertion_auc": True,
    "road_morf": False,
    "road_lerf": True,
    "road_gap": True,
}


def rank_biserial(differences: np.ndarray) -> float:
    """Matched-pairs rank-biserial correlation of paired differences (zeros dropped)."""
    nonzero = differences[differences != 0]
    if len(nonzero) == 0:
        return 0.0
    ranks = stats.rankdata(np.abs(nonzero))
    return float((ranks[nonzero > 0].sum() - ranks[nonzero < 0].sum()) / ranks.sum())


def paired_test(method: np.ndarray, baseline: np.ndarray, higher_is_better: bool) -> dict:
    """Is `method` better than `baseline` on the same images? Two-sided Wilcoxon signed-rank
    test; the differences are oriented so that positive means `method` is better."""
    method, baseline = np.asarray(method, float), np.asarray(baseline, float)
    if method.shape != baseline.shape:
        raise ValueError(f"unpaired scores: {method.shape} vs {baseline.shape}")
    differences = method - baseline if higher_is_better else baseline - method
    if np.all(differences == 0):
        p_value = 1.0
    else:
        p_value = float(stats.wilcoxon(differences, zero_method="wilcox").pvalue)
    effect = rank_biserial(differences)
    return {
        "images": int(len(differences)),
        "method_mean": float(method.mean()),
        "baseline_mean": float(baseline.mean()),
        "mean_improvement": float(differences.mean()),
        "median_improvement": float(np.median(differences)),
        "rank_biserial": effect,
        "p_value": p_value,
        "verdict": verdict(effect, p_value),
    }


def verdict(effect: float, p_value: float, alpha: float = ALPHA) -> str:
    """ "better", "worse" or "not significantly different", from the test and its sign."""
    if p_value >= alpha:
        return "not significantly different"
    return "better" if effect > 0 else "worse"


def comparisons(
    scores: dict[str, dict[str, np.ndarray]], methods: list[str], baselines: list[str]
) -> pd.DataFrame:
    """Every method against every baseline on every score both have: one row each.

    `scores` is {map set: {score name: per-image values}}.
    """
    rows = []
    for method in methods:
        for baseline in baselines:
            for score, higher in HIGHER_IS_BETTER.items():
                if score in scores[method] and score in scores[baseline]:
                    result = paired_test(scores[method][score], scores[baseline][score], higher)
                    rows.append({"method": method, "baseline": baseline, "score": score} | result)
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table["p_value"].to_numpy())
    table["verdict"] = [
        verdict(e, p) for e, p in zip(table["rank_biserial"], table["p_holm"], strict=True)
    ]
    return table
