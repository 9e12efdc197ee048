"""The study's model comparisons on the test split, tested as one family.

Notebooks 04 and 08 make seven claims of the form "model B is better than, worse than or not
significantly different from model A". Tested one by one at 5%, seven tests find a false
difference far more often than 5% of the time, so each verdict rests on its Holm-adjusted
p-value (step-down, which controls the family-wise error rate at 5% without assuming the tests
independent). Both notebooks compute the whole family from the saved models, so they give the
same adjusted verdicts.

Every claim compares two architectures (or two recipes), and runs of different architectures
share no randomness through a seed number: their data order and initialisation are not matched,
so a paired t over seed numbers pairs nothing. Each comparison is therefore Welch's t over all
seeds of each side. McNemar's exact test on each pair of same-numbered runs is kept as a
description of the test images' part. The untuned recipe's runs were trained on an earlier split
(150 duplicate groups straddled train and validation) with earlier code, a confound stated
beside their comparisons.
"""

import numpy as np
import pandas as pd
from scipy import stats

from ..decision import predict_labels
from ..models.architectures import PAPER_MODELS
from ..paths import untuned_results_dir
from ..project.profiles import Profile
from ..significance import holm
from . import tables
from .seeds import paired_comparison, verdict

BEYOND = "vgg_bn"
# (first, second): is `second` better than `first`? In the order the notebooks discuss them.
FAMILY = (
    ("cnn2d", "modified_cnn2d"),
    ("cnn2d", "cnn2d_gap"),
    ("cnn2d", "cnn2d_dropout"),
    ("cnn2d_untuned", "cnn2d"),
    ("modified_cnn2d_untuned", "modified_cnn2d"),
    ("modified_cnn2d", BEYOND),
    ("cnn2d", BEYOND),
)
CONFOUND = (
    "the untuned runs were trained on the earlier split with earlier code, and stopped early on "
    "validation where the tuned ones train a fixed budget, so the difference combines recipe, "
    "budget rule, split and code"
)
# The single-change variants share CNN2D's tuned recipe, so their verdicts speak for it alone.
RECIPE_NOTES = {
    ("cnn2d", "modified_cnn2d"): (
        "the same tuned recipe, CNN2D for 10 epochs and the Modified CNN2D for 40"
    ),
    ("cnn2d", "cnn2d_gap"): (
        "both with CNN2D's tuned recipe and epoch budget, a verdict about the models as trained so"
    ),
    ("cnn2d", "cnn2d_dropout"): (
        "both with CNN2D's tuned recipe and epoch budget, a verdict about the models as trained "
        "so; its dropout rate is 0.5, the Modified CNN2D's 0.25"
    ),
}


def unpaired_comparison(
    y_true: np.ndarray, predictions: dict[tuple[str, int], np.ndarray], first: str, second: str
) -> dict:
    """`second` against `first` over all seeds of each, Welch's t on accuracy (no pairing).

    McNemar's test per seed number is kept as a description (same test images); with one seed
    each it is also the test."""
    row = paired_comparison(y_true, predictions, first, second)
    accuracy = {
        name: np.array(
            [
                np.mean(predict_labels(predictions[(a, s)]) == y_true)
                for a, s in sorted(predictions)
                if a == name
            ]
        )
        for name in (first, second)
    }
    row["seed_pairs"] = row["seeds"]  # same-numbered run pairs that McNemar's test describes
    if min(len(values) for values in accuracy.values()) < 2:
        return row | {"test": "McNemar, one seed (unpaired runs)"}
    difference = accuracy[second].mean() - accuracy[first].mean()
    if max(np.ptp(values) for values in accuracy.values()) == 0:  # no spread: t is undefined
        p_value = 0.0 if difference != 0 else 1.0
        low = high = float(difference)
    else:
        test = stats.ttest_ind(accuracy[second], accuracy[first], equal_var=False)
        p_value = float(test.pvalue)
        low, high = welch_interval(accuracy[second], accuracy[first])
    return row | {
        "seeds": f"{len(accuracy[first])} + {len(accuracy[second])}",
        "difference_mean": float(difference),
        "difference_low": low,
        "difference_high": high,
        "p_value": p_value,
        "test": "Welch t over seeds (unpaired)",
        "verdict": verdict(float(difference), p_value),
    }


def welch_interval(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The 95% Welch interval of mean(a) - mean(b)."""
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    freedom = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.5 + level / 2, freedom) * np.sqrt(va + vb)
    centre = a.mean() - b.mean()
    return float(centre - half), float(centre + half)


def family_table(
    y_true: np.ndarray,
    predictions: dict[tuple[str, int], np.ndarray],
    pairs: tuple[tuple[str, str], ...] = FAMILY,
) -> pd.DataFrame:
    """Every comparison of the family by Welch's t over seeds (`unpaired_comparison`), its raw
    and Holm-adjusted p-value and the verdict, which rests on the adjusted one
    (`verdict_unadjusted` keeps the one-test verdict)."""
    rows = []
    for first, second in pairs:
        untuned = first.endswith(tables.UNTUNED_SUFFIX) or second.endswith(tables.UNTUNED_SUFFIX)
        row = unpaired_comparison(y_true, predictions, first, second)
        row["seeds"] = str(row["seeds"])
        row["confound"] = CONFOUND if untuned else ""
        row["recipe_note"] = RECIPE_NOTES.get((first, second), "")
        rows.append(row)
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table["p_value"].to_numpy())
    table["verdict_unadjusted"] = table["verdict"]
    table["verdict"] = [
        verdict(d, p) for d, p in zip(table["difference_mean"], table["p_holm"], strict=True)
    ]
    table["family_size"] = len(table)
    return table.set_index(["first", "second"])


def family_predictions(profile: Profile, test_images: np.ndarray, test_indices: np.ndarray):
    """Test-split P(FAKE) of every model the family compares: the paper models (headline seeds),
    the single-change variants (variant seeds), the beyond model (the profile's seeds) and the
    untuned recipe's saved predictions."""
    runs = tables.load_runs(profile.models_dir, list(PAPER_MODELS), profile.headline_seeds)
    runs |= tables.load_runs(
        profile.models_dir, ["cnn2d_gap", "cnn2d_dropout"], profile.variant_seeds
    )
    runs |= tables.load_runs(profile.models_dir, [BEYOND], profile.seeds)
    predictions = tables.predict_all(runs, test_images)
    return predictions | tables.load_untuned_predictions(untuned_results_dir(), test_indices)
