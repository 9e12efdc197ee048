"""Does a layer's verdict depend on the recipe? The recipe x arm 2x2 of notebook 04.

For each single-change arm (CNN2D + GAP, CNN2D + Dropout), four cells of seeds on the study's
split and code: CNN2D and the arm under the tuned recipe (the equal-compute runs, 40 epochs)
and under the untuned recipe (Adam 1e-3, early stopping; the training queue's `recipe_arm`
jobs). The layer's effect under a recipe is the difference of the arm's mean and CNN2D's; the
interaction is the difference of those two effects,

    (tuned arm - tuned CNN2D) - (untuned arm - untuned CNN2D).

Every cell's runs are independent (different recipes and architectures share no randomness
through a seed number), so the interaction is a Welch-type contrast of four independent means:
its standard error is sqrt(sum s_i^2 / n_i) and its degrees of freedom Welch-Satterthwaite's.
The two interactions are one family, Holm-adjusted; a 2x2 with a cell of fewer than two seeds
is untested and counts as p = 1, as in the equal-compute family. The test was fixed before any
untuned run on the study split landed.
"""

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..decision import predict_labels
from ..models.architectures import DISPLAY_NAMES
from ..significance import ALPHA, holm

LAYER_ARMS = ("cnn2d_gap", "cnn2d_dropout")
RECIPES = ("tuned", "untuned")
BASE = "cnn2d"
# The contrast's weights over the cells (arm, recipe): the effect under the tuned recipe minus
# the effect under the untuned one.
WEIGHTS = {("arm", "tuned"): 1, (BASE, "tuned"): -1, ("arm", "untuned"): -1, (BASE, "untuned"): 1}


def contrast_test(groups: list[np.ndarray], weights: list[float]) -> dict:
    """Welch-type test of sum(w_i * mean_i) = 0 over independent groups: the estimate, its 95%
    interval, the Welch-Satterthwaite degrees of freedom and the two-sided p; NaN when a group
    has fewer than two values. With no spread in any group the estimate is exact (p 0 or 1)."""
    if min(len(g) for g in groups) < 2:
        return dict.fromkeys(("estimate", "low", "high", "freedom", "p_value"), math.nan)
    estimate = float(sum(w * np.mean(g) for g, w in zip(groups, weights, strict=True)))
    parts = [w**2 * np.var(g, ddof=1) / len(g) for g, w in zip(groups, weights, strict=True)]
    variance = float(sum(parts))
    if variance == 0:
        p_value = 0.0 if estimate != 0 else 1.0
        return {"estimate": estimate, "low": estimate, "high": estimate, "freedom": math.inf,
                "p_value": p_value}  # fmt: skip
    freedom = variance**2 / sum(
        part**2 / (len(g) - 1) for part, g in zip(parts, groups, strict=True)
    )
    error = math.sqrt(variance)
    half = float(stats.t.ppf(0.975, freedom)) * error
    p_value = float(2 * stats.t.sf(abs(estimate) / error, freedom))
    return {"estimate": estimate, "low": estimate - half, "high": estimate + half,
            "freedom": float(freedom), "p_value": p_value}  # fmt: skip


def effect(arm: np.ndarray, base: np.ndarray) -> dict:
    """The layer's effect under one recipe: Welch's t of the arm against CNN2D."""
    return contrast_test([arm, base], [1, -1])


def interaction_table(accuracies: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """One row per layer arm: the seeds of each cell, the layer's effect under each recipe
    (Welch, unadjusted: a description of the two cells), the interaction with its interval,
    its p and its Holm-adjusted p over the arms, and the verdict. `accuracies` maps (architecture,
    recipe) to the test accuracies of its seeds (fractions)."""
    rows = []
    for arm in LAYER_ARMS:
        cells = {
            (name, recipe): np.asarray(accuracies.get((arm if name == "arm" else BASE, recipe), []))
            for name in ("arm", BASE)
            for recipe in RECIPES
        }
        # in the contrast's order: tuned arm, tuned CNN2D, untuned arm, untuned CNN2D
        row = {"arm": arm, "seeds": ", ".join(f"{len(cells[key])}" for key in WEIGHTS)}
        for recipe in RECIPES:
            under = effect(cells["arm", recipe], cells[BASE, recipe])
            row[f"effect_{recipe}"] = under["estimate"]
            row[f"effect_{recipe}_p"] = under["p_value"]
        test = contrast_test([cells[key] for key in WEIGHTS], list(WEIGHTS.values()))
        row |= {
            "interaction": test["estimate"],
            "interaction_low": test["low"],
            "interaction_high": test["high"],
            "p_value": test["p_value"],
        }
        rows.append(row)
    table = pd.DataFrame(rows).set_index("arm")
    table["p_holm"] = holm(table["p_value"].fillna(1.0).to_numpy())
    # The simple effects that can call a flip: Holm over all of them (two per arm).
    simple = [f"effect_{recipe}_p" for recipe in RECIPES]
    adjusted = holm(table[simple].fillna(1.0).to_numpy().ravel()).reshape(len(table), -1)
    for k, column in enumerate(simple):
        table[f"{column}_holm"] = np.where(table[column].notna(), adjusted[:, k], np.nan)
    table["verdict"] = [verdict(row) for _, row in table.iterrows()]
    return table


def verdict(row: pd.Series) -> str:
    """ "untested" (a cell with fewer than two seeds); "depends on the recipe" (Holm p below
    the level), with "the sign flips" when the layer's effect is significant under both recipes
    with opposite signs, each simple effect Holm-adjusted over every arm's two; else "no
    dependence shown"."""
    if not math.isfinite(row["p_value"]):
        return "untested"
    if row["p_holm"] >= ALPHA:
        return "no dependence shown"
    signs = [np.sign(row[f"effect_{r}"]) for r in RECIPES]
    flipped = signs[0] * signs[1] < 0 and all(row[f"effect_{r}_p_holm"] < ALPHA for r in RECIPES)
    return "depends on the recipe; the sign flips" if flipped else "depends on the recipe"


def recipe_accuracies(
    y_true: np.ndarray,
    tuned: dict[tuple[str, int], np.ndarray],
    untuned: dict[tuple[str, int], np.ndarray],
) -> dict[tuple[str, str], np.ndarray]:
    """(architecture, recipe) -> each landed seed's test accuracy, from the P(FAKE) of the
    tuned (equal-compute) and untuned (recipe x arm) runs, keyed (architecture, seed)."""
    out: dict[tuple[str, str], list[float]] = {}
    for recipe, predictions in (("tuned", tuned), ("untuned", untuned)):
        for (name, _), probability in sorted(predictions.items()):
            correct = predict_labels(probability) == y_true
            out.setdefault((name, recipe), []).append(float(np.mean(correct)))
    return {key: np.array(values) for key, values in out.items()}


def interaction_sentences(rows: list[dict]) -> list[str]:
    """Per layer arm, the 2x2's verdict with the layer's effect under each recipe, or how many
    of its cells' seeds have landed."""
    sentences = []
    for row in rows:
        name = DISPLAY_NAMES.get(row["arm"], row["arm"])
        if row["verdict"] == "untested":
            sentences.append(
                f"Whether {name}'s effect depends on the recipe: untested; the training queue "
                f"has landed {row['seeds']} seeds of its four cells (tuned {name}, tuned CNN2D, "
                f"untuned {name}, untuned CNN2D; two or more each are needed)."
            )
            continue
        sentences.append(
            f"Whether {name}'s effect depends on the recipe: **{row['verdict']}** (effect "
            f"against CNN2D {100 * row['effect_tuned']:+.2f} points under the tuned recipe, "
            f"{100 * row['effect_untuned']:+.2f} under the untuned one; interaction "
            f"{100 * row['interaction']:+.2f}, 95% interval {100 * row['interaction_low']:+.2f} "
            f"to {100 * row['interaction_high']:+.2f}; Holm over {len(rows)} p = "
            f"{row['p_holm']:.2g})." + uninformative(row)
        )
    return sentences


def uninformative(row: dict) -> str:
    """Where the interaction's interval holds both 0 (the layer's effect unchanged by the
    recipe) and the whole tuned-recipe effect (no effect under the untuned recipe), the 2x2
    cannot tell those apart: say so ("" otherwise)."""
    effect = row["effect_tuned"]
    if row["interaction_low"] <= min(0, effect) and row["interaction_high"] >= max(0, effect):
        return (
            " Its interval holds both 0 and the whole tuned effect: this 2x2 cannot tell an "
            "unchanged effect from none under the untuned recipe."
        )
    return ""
