"""The recipe x arm interaction of notebook 04, worked by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cifake_utils.evaluation import interaction


def test_a_two_group_contrast_is_welchs_t():
    a, b = np.array([1.0, 2, 3]), np.array([0.0, 0, 0, 4])
    # means 2 and 1, variances 1 and 4: SE^2 = 1/3 + 4/4 = 4/3, df = (4/3)^2 / ((1/3)^2/2 + 1/3)
    test = interaction.contrast_test([a, b], [1, -1])
    assert test["estimate"] == pytest.approx(1.0)
    assert test["freedom"] == pytest.approx((4 / 3) ** 2 / ((1 / 3) ** 2 / 2 + 1 / 3))
    assert test["p_value"] == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    half = stats.t.ppf(0.975, test["freedom"]) * math.sqrt(4 / 3)
    assert (test["low"], test["high"]) == pytest.approx((1 - half, 1 + half))


def cells(arm_tuned, base_tuned, arm_untuned, base_untuned, arm="cnn2d_gap"):
    return {
        (arm, "tuned"): np.array(arm_tuned),
        ("cnn2d", "tuned"): np.array(base_tuned),
        (arm, "untuned"): np.array(arm_untuned),
        ("cnn2d", "untuned"): np.array(base_untuned),
    }


def test_the_interaction_is_the_difference_of_the_layers_effects_with_a_four_cell_welch_error():
    # Effects: tuned 0.955 - 0.965 = -0.01, untuned 0.945 - 0.925 = +0.02; interaction -0.03.
    # Each cell's variance 0.00005 over 2 seeds: SE^2 = 4 * 0.00005 / 2 = 0.0001, t = -3, and
    # df = 0.0001^2 / (4 * 0.000025^2 / 1) = 4, so p = 2 * P(T_4 > 3).
    table = interaction.interaction_table(
        cells([0.95, 0.96], [0.96, 0.97], [0.94, 0.95], [0.92, 0.93])
    )
    gap = table.loc["cnn2d_gap"]
    assert gap["interaction"] == pytest.approx(-0.03)
    assert gap["effect_tuned"] == pytest.approx(-0.01)
    assert gap["effect_untuned"] == pytest.approx(0.02)
    assert gap["p_value"] == pytest.approx(2 * stats.t.sf(3, 4))  # 0.040
    # Dropout has no landed cell: untested, counted as p = 1, so GAP's Holm p doubles.
    assert gap["p_holm"] == pytest.approx(2 * 2 * stats.t.sf(3, 4))
    assert gap["verdict"] == "no dependence shown"
    assert table.loc["cnn2d_dropout", "verdict"] == "untested"
    # tuned arm, tuned CNN2D, untuned arm, untuned CNN2D: CNN2D's cells are shared
    assert table.loc["cnn2d_dropout", "seeds"] == "0, 2, 0, 2"
    assert table.loc["cnn2d_gap", "seeds"] == "2, 2, 2, 2"


def row(p_holm, tuned, tuned_p, untuned, untuned_p):
    """A saved row; the simple effects' p-values given as already Holm-adjusted."""
    return pd.Series(
        {
            "p_value": p_holm / 2,
            "p_holm": p_holm,
            "effect_tuned": tuned,
            "effect_tuned_p_holm": tuned_p,
            "effect_untuned": untuned,
            "effect_untuned_p_holm": untuned_p,
        }
    )


def test_the_simple_effects_are_holm_adjusted_over_both_arms():
    # GAP's effects: tuned 0.955 - 0.965 = -0.01 (Welch t = -1.414 on 2 df, p = 0.2929),
    # untuned 0.945 - 0.925 = +0.02 (t = 2.828, p = 0.1056); Dropout untested (p 1). Holm over
    # the four: 0.1056 * 4 = 0.4226, then max(0.2929 * 3, 0.4226) = 0.8787, then 1, 1.
    table = interaction.interaction_table(
        cells([0.95, 0.96], [0.96, 0.97], [0.94, 0.95], [0.92, 0.93])
    )
    gap = table.loc["cnn2d_gap"]
    untuned_p = 2 * stats.t.sf(2 * math.sqrt(2), 2)
    tuned_p = 2 * stats.t.sf(math.sqrt(2), 2)
    assert gap["effect_untuned_p"] == pytest.approx(untuned_p)
    assert gap["effect_untuned_p_holm"] == pytest.approx(4 * untuned_p)
    assert gap["effect_tuned_p_holm"] == pytest.approx(3 * tuned_p)
    assert math.isnan(table.loc["cnn2d_dropout", "effect_tuned_p_holm"])


def test_a_flip_needs_both_effects_significant_with_opposite_signs():
    assert interaction.verdict(row(0.01, -0.01, 0.001, 0.02, 0.001)) == (
        "depends on the recipe; the sign flips"
    )
    assert interaction.verdict(row(0.01, -0.01, 0.001, 0.02, 0.2)) == "depends on the recipe"
    assert interaction.verdict(row(0.01, 0.01, 0.001, 0.03, 0.001)) == "depends on the recipe"
    assert interaction.verdict(row(0.05, -0.01, 0.001, 0.02, 0.001)) == "no dependence shown"


def test_accuracies_are_grouped_by_architecture_and_recipe():
    y = np.array([0, 1, 1, 0])
    tuned = {("cnn2d", 0): np.array([0.1, 0.9, 0.2, 0.3]), ("cnn2d", 1): np.array([0.1] * 4)}
    untuned = {("cnn2d_gap", 0): np.array([0.9, 0.9, 0.9, 0.9])}
    grouped = interaction.recipe_accuracies(y, tuned, untuned)
    assert grouped[("cnn2d", "tuned")].tolist() == [0.75, 0.5]
    assert grouped[("cnn2d_gap", "untuned")].tolist() == [0.5]


# A saved 2x2 row whose Dropout effect flips with the recipe (fractions of accuracy).
FLIPPED_DROPOUT = {
    "arm": "cnn2d_dropout",
    "seeds": "5, 5, 5, 5",
    "effect_tuned": -0.0064,
    "effect_untuned": 0.0113,
    "interaction": -0.0177,
    "interaction_low": -0.0221,
    "interaction_high": -0.0133,
    "p_value": 0.0004,
    "p_holm": 0.0008,
    "verdict": "depends on the recipe; the sign flips",
}


def test_the_sentences_give_each_recipes_effect_or_the_landed_seeds():
    rows = [FLIPPED_DROPOUT, {"arm": "cnn2d_gap", "seeds": "5, 5, 1, 0", "verdict": "untested"}]
    dropout, gap = interaction.interaction_sentences(rows)
    assert "**depends on the recipe; the sign flips**" in dropout
    assert "-0.64 points under the tuned recipe, +1.13 under the untuned one" in dropout
    assert "interaction -1.77, 95% interval -2.21 to -1.33; Holm over 2 p = 0.0008" in dropout
    assert gap.startswith("Whether CNN2D + GAP's effect depends on the recipe: untested")
    assert "landed 5, 5, 1, 0 seeds of its four cells" in gap


def test_an_interval_holding_both_readings_says_the_2x2_cannot_tell_them_apart():
    # Tuned effect -1.49; interval -1.60 to +1.79 holds both 0 and -1.49: uninformative.
    wide = {"effect_tuned": -0.0149, "interaction_low": -0.0160, "interaction_high": 0.0179}
    assert "cannot tell an unchanged effect from none" in interaction.uninformative(wide)
    # -1.11 to +0.16 holds 0 but not the whole effect -1.49, which lies below it.
    narrow = {"effect_tuned": -0.0149, "interaction_low": -0.0111, "interaction_high": 0.0016}
    assert interaction.uninformative(narrow) == ""
