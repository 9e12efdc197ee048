"""Notebook 04's verdict table: each row read from the saved results."""

import math

from cifake_utils.evaluation import verdicts
from tests.test_interaction import FLIPPED_DROPOUT


def results() -> dict:
    return {
        "reproduction": [
            {
                "claim": "the follow-up paper's CNN2D",
                "published": 94.98,
                "margin": 0.48,
                "difference": -0.25,
                "prediction_low": 94.05,
                "prediction_high": 95.41,
                "tost_p_holm": 0.064,
                "verdict": "consistent, equivalence not shown",
            }
        ],
        "paired_tests": [
            {
                "first": "cnn2d",
                "second": "modified_cnn2d",
                "seeds": "5 + 5",
                "family_size": 7,
                "difference_mean": -0.01443,
                "difference_low": -0.01734,
                "difference_high": -0.01151,
                "p_holm": 3.3e-05,
                "verdict": "worse",
            }
        ],
        "equal_compute_tests": [
            {
                "first": "cnn2d",
                "second": "cnn2d_gap",
                "seeds": "5 + 0",
                "family_size": 3,
                "difference_mean": math.nan,
                "difference_low": math.nan,
                "difference_high": math.nan,
                "p_holm": math.nan,
                "verdict": "untested",
            }
        ],
        "smoothing": [
            {
                "architecture": "cnn2d",
                "seeds": 2,
                "ece_smoothed": 0.0560,
                "ece_plain": 0.0056,
                "temperature_plain": 1.016,
                "p_holm": 0.063,
                "verdict": "not shown",
            }
        ],
    }


def test_every_tested_claim_is_a_row_with_its_numbers_and_verdict():
    table = verdicts.verdict_table(results())
    assert list(table["verdict"]) == [
        "consistent, equivalence not shown",
        "worse",
        "untested",
        "not shown",
    ]
    reproduced, family, equal, smoothing = table.to_dict("records")
    assert reproduced["claim"] == "the follow-up paper's CNN2D (94.98%) is reproduced"
    assert reproduced["effect (points)"] == "-0.25" and reproduced["p (adjusted)"] == "0.064"
    assert reproduced["interval"] == "one run 94.05–95.41"
    assert family["claim"] == "Modified CNN2D differs from CNN2D, each as trained"
    assert family["effect (points)"] == "-1.44" and family["interval"] == "-1.73 to -1.15"
    assert family["test"] == "Welch t, 5 + 5 seeds, Holm/7" and family["p (adjusted)"] == "3.3e-05"
    assert equal["claim"] == "CNN2D + GAP differs from CNN2D at equal compute"
    assert equal["effect (points)"] == "–" and equal["p (adjusted)"] == "–"
    assert smoothing["effect (points)"] == "ECE 0.0560 → 0.0056"
    markdown = verdicts.verdict_markdown(table)
    assert markdown.splitlines()[0].startswith("| claim | test | effect (points) |")
    assert len(markdown.splitlines()) == 2 + 4


def test_the_recipe_interaction_row_gives_both_effects_and_is_untested_without_its_cells():
    saved = results() | {
        "recipe_interaction": [
            FLIPPED_DROPOUT,
            {
                "arm": "cnn2d_gap",
                "seeds": "5, 5, 0, 0",
                "effect_tuned": -0.0149,
                "effect_untuned": math.nan,
                "interaction": math.nan,
                "interaction_low": math.nan,
                "interaction_high": math.nan,
                "p_value": math.nan,
                "p_holm": 1.0,
                "verdict": "untested",
            },
        ]
    }
    rows = verdicts.verdict_table(saved).to_dict("records")
    dropout, gap = rows[3], rows[4]
    assert dropout["claim"] == "CNN2D + Dropout's effect against CNN2D depends on the recipe"
    assert dropout["effect (points)"] == "-1.77 (tuned -0.64, untuned +1.13)"
    assert dropout["interval"] == "-2.21 to -1.33" and dropout["p (adjusted)"] == "0.0008"
    assert dropout["test"] == "Welch contrast of 4 cells (5, 5, 5, 5 seeds), Holm/2"
    assert gap["p (adjusted)"] == "–" and gap["verdict"] == "untested"
    assert gap["effect (points)"] == "– (tuned -1.49, untuned –)"
