"""The verdict tables of notebooks 01, 05, 06 and 07: each row's numbers and verdict follow
from the saved metrics by the rule its module states, worked here by hand."""

import math

import pandas as pd
import pytest

from cifake_utils import verdict_table
from cifake_utils.data import verdicts as data_verdicts
from cifake_utils.detector import verdicts as scope_verdicts
from cifake_utils.explain import verdicts as explain_verdicts
from cifake_utils.robustness import verdicts as robustness_verdicts
from cifake_utils.robustness.corruptions import CONTROL


def test_cells_are_signed_points_and_a_missing_value_is_a_dash():
    assert verdict_table.points(0.0123) == "+1.23"
    assert verdict_table.points(-0.5) == "-50.00"
    assert verdict_table.points(math.nan) == "–"
    assert verdict_table.interval(-0.0096, -0.0031) == "-0.96 to -0.31"
    assert verdict_table.interval(math.nan, 0.1) == "–"
    assert verdict_table.p_text(0.012345) == "0.012" and verdict_table.p_text(None) == "–"


def test_markdown_has_one_line_per_row_under_the_header():
    rows = [verdict_table.row("a", "t", "+1.00", "–", "0.01", "better")]
    text = verdict_table.markdown(verdict_table.table(rows))
    assert text.splitlines() == [
        "| claim | test | effect | interval | p (adjusted) | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
        "| a | t | +1.00 | – | 0.01 | better |",
    ]


def cell(corruption, accuracy, drop_low=math.nan, drop_high=math.nan, p_holm=math.nan):
    return {
        "architecture": "cnn2d",
        "corruption": corruption,
        "accuracy": accuracy,
        "accuracy_drop_low": drop_low,
        "accuracy_drop_high": drop_high,
        "accuracy_p_holm": p_holm,
        "seeds": 5,
    }


def test_every_grid_cell_gets_its_loss_its_interval_and_its_place_against_the_line():
    grid = [
        cell(CONTROL, 0.95),
        cell("blur σ 1", 0.80, 0.14, 0.16, 0.001),  # loss 15 points, whole interval past 5
        cell("greyscale", 0.93, 0.01, 0.03, 0.01),  # loss 2 points, whole interval short of 5
        cell("JPEG q30", 0.905, 0.04, 0.05, 0.02),  # loss 4.5; its interval reaches the line
        cell("JPEG q50", 0.90, 0.04, 0.06, 0.02),  # loss 5, interval 4–6 straddles the line
        cell("noise σ 2", 0.949, -0.001, 0.003, 0.4),
    ]
    rows = robustness_verdicts.loss_rows(grid, "cnn2d", "grid")
    by = {r["claim"].split(" lowers")[0]: r for r in rows}
    assert list(by) == ["blur σ 1", "greyscale", "JPEG q30", "JPEG q50", "noise σ 2"]
    assert by["blur σ 1"]["effect"] == "-15.00"
    assert by["blur σ 1"]["interval"] == "-16.00 to -14.00"
    assert by["blur σ 1"]["verdict"] == "lower; past the 5-point line"
    assert by["blur σ 1"]["test"] == "paired t, 5 seeds, Holm/5 (grid)"
    assert by["greyscale"]["verdict"] == "lower; short of the 5-point line"
    assert by["JPEG q30"]["verdict"] == "lower; straddles the 5-point line"  # high end at 5.00
    assert by["JPEG q50"]["verdict"] == "lower; straddles the 5-point line"
    assert (
        by["noise σ 2"]["verdict"] == "not significant" and by["noise σ 2"]["p (adjusted)"] == "0.4"
    )


def test_a_filter_that_repeats_a_grid_cell_is_not_tested_again():
    filters = [
        cell(CONTROL, 0.95),
        cell("low-pass σ 1", 0.58, 0.36, 0.38, float("nan")),  # the grid's blur σ 1
        cell("high-pass σ 1", 0.85, 0.09, 0.11, 0.001),
    ]
    rows = robustness_verdicts.loss_rows(filters, "cnn2d", "filters")
    assert [r["claim"] for r in rows] == ["high-pass σ 1 lowers CNN2D's accuracy at 0.5"]
    assert rows[0]["test"] == "paired t, 5 seeds, a single test"


def test_the_resampling_control_is_a_single_test_and_the_table_says_how_to_read_it():
    test = {
        "test": "paired t over seeds",
        "seeds": 3,
        "difference_mean": -0.055,
        "difference_low": -0.062,
        "difference_high": -0.048,
        "p_value": 0.0008,
        "verdict": "worse",
    }
    row = robustness_verdicts.resampling_row(test)
    assert row["p (adjusted)"] == "0.0008 (single test)" and row["verdict"] == "worse"
    assert row["interval"] == "-6.20 to -4.80"


def shortcut(features, accuracy, p, tree=None):
    row = {
        "features": features,
        "accuracy": accuracy,
        "accuracy_low": accuracy - 0.01,
        "accuracy_high": accuracy + 0.01,
        "accuracy_p": p,
    }
    if tree is not None:
        row |= {
            "tree_accuracy": tree,
            "tree_accuracy_low": tree - 0.01,
            "tree_accuracy_high": tree + 0.01,
            "tree_accuracy_p": 0.001,
        }
    return row


def test_shortcut_classifiers_are_judged_against_chance_as_one_holm_family():
    trivial = [
        shortcut("JPEG file size", 0.505, 0.03, tree=0.55),
        shortcut("colour histogram", 0.80, 0.0, tree=0.70),
    ]
    rows = robustness_verdicts.shortcut_rows(trivial, weakest_cnn=0.93)
    # Holm over the 4 p-values 0.03, 0.0, 0.001, 0.001: sorted 0, 0.001, 0.001, 0.03 times
    # 4, 3, 2, 1 -> 0, 0.003, 0.002 (raised to 0.003, the step-down's running maximum), 0.03.
    assert [r["p (adjusted)"] for r in rows[:4]] == ["0.03", "< 1e-300", "0.003", "0.003"]
    assert {r["test"] for r in rows[:4]} == {"exact binomial, Holm/4"}
    assert rows[0]["verdict"] == "above chance" and rows[0]["effect"] == "+0.50"
    assert rows[2]["claim"].startswith("a depth-3 tree on JPEG file size")
    assert rows[2]["effect"] == "+5.00" and rows[2]["interval"] == "+4.00 to +6.00"
    best = rows[4]
    assert best["effect"] == "-13.00" and best["interval"] == "-14.00 to -12.00"
    assert best["verdict"] == "wholly below; not close"
    close = robustness_verdicts.shortcut_rows([shortcut("all", 0.90, 0.0)], weakest_cnn=0.905)
    assert close[-1]["verdict"] == "not wholly below; close"


def test_a_held_out_class_is_worse_only_when_its_adjusted_p_is_below_the_level():
    base = {"held-out class": "cat", "test": "paired t over seeds", "seeds": 3}
    rows = robustness_verdicts.held_out_rows(
        [
            base | {"difference": -0.04, "p_value": 0.01, "p_holm": 0.03},
            base
            | {"held-out class": "truck", "difference": -0.04, "p_value": 0.01, "p_holm": 0.05},
        ]
    )
    assert [r["verdict"] for r in rows] == ["worse", "not significant"]
    assert rows[0]["effect"] == "-4.00" and rows[0]["interval"] == "–"


def sanity_summary(low, high, data_mean=0.04, sem=0.01, fit=1.0):
    return {
        "faithfulness_tests": [
            {"method": "Grad-CAM", "test": "ROAD", "score": "road_gap", "verdict": "better"},
            {"method": "Grad-CAM", "test": "ROAD", "score": "road_morf", "verdict": "worse"},
            {"method": "Grad-CAM", "test": "neutral", "score": "deletion_auc", "verdict": "worse"},
        ],
        "same_labels_reference": [
            {"method": "Grad-CAM", "similarity": 0.4, "low": 0.3, "high": 0.5, "pairs": 4}
        ],
        "model_randomisation": [
            {
                "method": "Grad-CAM",
                "randomised": "up to hidden",
                "sign_invariant": 0.1,
                "sign_invariant_low": 0.05,
                "sign_invariant_high": 0.15,
                "seeds": 3,
            },
            {
                "method": "Grad-CAM",
                "randomised": "up to conv1",
                "sign_invariant": (low + high) / 2,
                "sign_invariant_low": low,
                "sign_invariant_high": high,
                "seeds": 3,
            },
        ],
        "data_randomisation": [
            {
                "method": "Grad-CAM",
                "mean_spearman": data_mean,
                "sem": sem,
                "images": 200,
                "shuffled-label model's fit to its labels": fit,
            }
        ],
    }


def test_faithfulness_counts_roads_gap_once_and_is_shown_only_when_every_test_is_won():
    rows = explain_verdicts.faithfulness_rows("CNN2D", sanity_summary(0, 0.1)["faithfulness_tests"])
    assert rows[0]["effect"] == "better 1, worse 1, neither 0 of 2"  # road_morf left out
    assert rows[0]["verdict"] == "not shown"


@pytest.mark.parametrize(
    ("low", "high", "verdict"),
    [
        (0.10, 0.20, "passes at every stage"),
        (0.25, 0.35, "undecided: conv1 overlaps the seeds' interval"),
        (0.55, 0.65, "fails: conv1 above the seeds' interval"),
    ],
)
def test_model_randomisation_passes_only_where_every_stage_lies_below_the_seeds(low, high, verdict):
    rows = explain_verdicts.model_randomisation_rows("CNN2D", sanity_summary(low, high))
    assert rows[0]["verdict"] == verdict
    # the stage that decides is shown: conv1, the first that does not pass, or (when every
    # stage passes) the most similar one, conv1 again at 0.15 against hidden's 0.10
    assert rows[0]["interval"] == f"{low:.2f} to {high:.2f} vs 0.30 to 0.50"
    assert rows[0]["effect"].startswith(f"similarity {(low + high) / 2:.2f} conv1 re-initialised")


def test_model_randomisation_shows_the_stage_that_decides():
    # hidden overlaps the seeds' interval, conv1 lies above it: conv1 decides "fails".
    summary = sanity_summary(0.55, 0.65)
    summary["model_randomisation"][0] |= {"sign_invariant_low": 0.32, "sign_invariant_high": 0.4}
    (row,) = explain_verdicts.model_randomisation_rows("CNN2D", summary)
    assert row["effect"] == "similarity 0.60 conv1 re-initialised vs 0.40 between seeds"
    assert row["interval"] == "0.55 to 0.65 vs 0.30 to 0.50"
    assert row["verdict"].startswith("fails: hidden overlaps the seeds' interval; conv1 above")
    # with no stage above, the first that overlaps decides
    summary = sanity_summary(0.25, 0.35)
    summary["model_randomisation"][0] |= {"sign_invariant_low": 0.32, "sign_invariant_high": 0.4}
    (row,) = explain_verdicts.model_randomisation_rows("CNN2D", summary)
    assert row["effect"] == "similarity 0.10 hidden re-initialised vs 0.40 between seeds"


def test_data_randomisation_is_judged_on_the_images_interval_and_needs_a_fitted_control():
    # |mean ρ| 0.04 with SEM 0.01: interval 0.04 ± 0.0196 = 0.02–0.06, below 0.30: passes.
    (passed,) = explain_verdicts.data_randomisation_rows("CNN2D", sanity_summary(0, 0.1))
    assert passed["verdict"] == "passes" and passed["interval"] == "0.02 to 0.06 vs 0.30 to 0.50"
    overlapping = sanity_summary(0, 0.1, data_mean=0.29, sem=0.02)
    (overlap,) = explain_verdicts.data_randomisation_rows("CNN2D", overlapping)
    assert overlap["verdict"] == "undecided: overlaps the seeds' interval"
    # a same-labels pair on the control's own subset replaces the full-data seeds' reference:
    # 0.05 ± 0.0196 = 0.03–0.07 lies above 0.02 ± 0.0098 = 0.01–0.03, so the check fails
    matched = sanity_summary(0, 0.1, data_mean=0.05, sem=0.01)
    matched["data_randomisation"][0] |= {"same_labels_spearman": 0.02, "same_labels_sem": 0.005}
    (against_own,) = explain_verdicts.data_randomisation_rows("CNN2D", matched)
    assert against_own["verdict"] == "fails"
    assert against_own["interval"] == "0.03 to 0.07 vs 0.01 to 0.03"
    assert against_own["test"].endswith("of two seeds on the same subset")
    unfitted = sanity_summary(0, 0.1, fit=0.6)
    (not_done,) = explain_verdicts.data_randomisation_rows("CNN2D", unfitted)
    assert not_done["verdict"] == "not done (control not fitted)"


def test_the_background_reading_is_shown_only_on_a_unanimous_more():
    border = {
        "tests": [
            {
                "architecture": "cnn2d",
                "method": "Grad-CAM",
                "null": "uniform map",
                "true class": "REAL",
                "seeds": 5,
                "difference": 0.0062,
                "difference_low": -0.001,
                "difference_high": 0.0134,
                "p_holm": 0.76,
                "verdict": "not significant",
            }
        ],
        "verdicts": [
            {"architecture": "cnn2d", "true class": "REAL", "verdict": "not shown"},
            {"architecture": "cnn2d", "true class": "FAKE", "verdict": "more"},
            {"architecture": "modified_cnn2d", "true class": "FAKE", "verdict": "less"},
        ],
    }
    (test,) = explain_verdicts.border_rows(border)
    assert test["effect"] == "+0.62" and test["interval"] == "-0.10 to +1.34"
    assert test["test"] == "t over 5 seeds, Holm/1"
    readings = [r["verdict"] for r in explain_verdicts.background_rows(border)]
    assert readings == ["not shown", "shown", "the opposite shown"]


def power_row(images, score, flagged, gain, p_holm, verdict):
    return {
        "images": images,
        "score": score,
        "flagged": flagged,
        "gain_over_atypicality": gain,
        "p_value": p_holm / 2,
        "p_holm": p_holm,
        "verdict": verdict,
    }


def test_a_score_dominates_the_feature_test_only_when_stronger_somewhere_and_weaker_nowhere():
    power = pd.DataFrame(
        [
            power_row("noise", "atypicality", 0.1, 0.0, math.nan, "the rule's test"),
            power_row("noise", "low confidence", 0.7, 0.6, 1e-5, "stronger"),
            power_row("noise", "nearest neighbours", 0.0, -0.1, 1e-3, "weaker"),
            power_row("crops", "atypicality", 0.2, 0.0, math.nan, "the rule's test"),
            power_row("crops", "low confidence", 0.2, 0.0, 1.0, "not significant"),
            power_row("crops", "nearest neighbours", 0.3, 0.1, 0.2, "not significant"),
        ]
    )
    summary = {r["claim"].split(" flags")[0]: r for r in scope_verdicts.score_rows(power)}
    assert summary["low confidence"]["verdict"] == "dominates"
    assert summary["nearest neighbours"]["verdict"] == "does not dominate"
    assert summary["low confidence"]["test"] == (
        "McNemar per set (sign test over pictures for crops), Holm/4"
    )
    assert summary["low confidence"]["effect"] == (
        "stronger on 1, weaker on 0, neither on 1 of 2 sets"
    )
    cells = scope_verdicts.significant_rows(power)
    assert [r["verdict"] for r in cells] == ["stronger", "weaker"]
    assert cells[0]["effect"] == "+60.00 (70.0% flagged)"


def test_the_data_verdicts_judge_the_border_gap_against_chance_and_the_sizes_by_ks():
    summary = {
        "pixel_statistics": {
            "per_image": {
                "accuracy": 0.45,
                "accuracy_low": 0.44,
                "accuracy_high": 0.46,
                "p_value": 1e-9,
                "test_images": 20000,
            }
        },
        "file_size_test": {"ks_statistic": 0.0776, "p_value": 0.2},
        "file_sizes": {"FAKE": 924.5, "REAL": 920.8},
    }
    border, size = data_verdicts.verdict_table(summary).to_dict("records")
    assert border["verdict"] == "below chance" and border["effect"] == "-5.00"
    assert border["test"] == "exact binomial, 20,000 test images, Holm/2"
    # Holm over p = 1e-9 and 0.2: 2e-9 and 0.2
    assert border["p (adjusted)"] == "2e-09" and size["p (adjusted)"] == "0.2"
    assert size["verdict"] == "not shown to differ"
    assert size["effect"] == "D = 0.078; means 924 vs 921 bytes"


def test_a_crop_set_names_its_sign_test_and_its_pictures():
    crops = pd.Series({"test": "sign test over pictures", "units": 10})
    assert scope_verdicts.test_name(crops) == "sign test over 10 pictures"
    assert scope_verdicts.test_name(pd.Series({"test": "McNemar", "units": 500})) == "McNemar"
    assert scope_verdicts.test_name(pd.Series({"units": 500})) == "McNemar"  # older metrics


def test_one_stage_above_the_seeds_fails_the_check_and_an_overlap_leaves_it_undecided():
    assert explain_verdicts.stages_verdict(["below", "below"]) == "passes"
    assert explain_verdicts.stages_verdict(["below", "overlaps"]) == "undecided"
    assert explain_verdicts.stages_verdict(["overlaps", "above", "below"]) == "fails"
