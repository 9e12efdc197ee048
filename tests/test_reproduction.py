"""The criterion for "reproduced", worked by hand."""

import pandas as pd
import pytest

from cifake_utils.evaluation import reproduction


def curve_plateaus() -> pd.DataFrame:
    """CNN2D trained below its plateau at 40 epochs, the Modified CNN2D at it."""
    return pd.DataFrame(
        {
            "trained_epochs": [10, 40],
            "plateau_epochs": [40, 40],
            "trained_at_plateau": [False, True],
            "outcome": ["levels off at 40 epochs", "levels off at 40 epochs"],
        },
        index=["cnn2d", "modified_cnn2d"],
    )


def claims() -> list[dict]:
    return [
        {"claim": "A", "published": 94.98, "ours": "a", "accuracies": [94.5, 94.7, 94.9]},
        {"claim": "B", "published": 95.94, "ours": "b", "accuracies": [93.1, 93.3, 93.5]},
        {"claim": "C", "published": 92.98, "ours": "c", "accuracies": [92.9, 93.0, 93.1]},
    ]


def test_margin_is_half_the_follow_ups_claimed_gain():
    assert reproduction.MARGIN == pytest.approx(0.48)  # (95.94 - 94.98) / 2


def test_verdicts_worked_by_hand():
    table = reproduction.reproduction_table(claims())
    # A: mean 94.7, SD 0.2, 3 seeds. One run on other test images: variance 0.2² * 4/3
    # = 0.053333 for the seeds plus 94.7 * 5.3 / 20,000 = 0.025096 for the test images;
    # t(0.975, 2) = 4.3027 times sqrt(0.078429) = 0.28005 gives a half-width of 1.20496:
    # 93.495-95.905 holds 94.98. Equivalence within 0.48, the published run counted as one
    # draw: error sqrt(0.2²/3 + 0.2² + 0.025096) = 0.28005 on 2 df; difference -0.28: lower
    # t = 0.20 / 0.28005 = 0.7141, p = 0.2746; upper t = -0.76 / 0.28005 = -2.7138, p = 0.0566;
    # TOST p = 0.2746.
    assert table.loc["A", ["prediction_low", "prediction_high"]].tolist() == pytest.approx(
        [93.495, 95.905], abs=1e-3
    )
    assert table.loc["A", "tost_p"] == pytest.approx(0.2746, abs=5e-4)
    # C: mean 93.0, SD 0.1: error sqrt(0.01/3 + 0.01 + 93 * 7 / 20,000) = 0.21420; difference
    # +0.02: lower t = 0.50 / 0.2142 = 2.334, p = 0.0724; upper t = -0.46 / 0.2142 = -2.147,
    # p = 0.0824; TOST p = 0.0824: three seeds cannot show equivalence against one noisy run.
    assert table.loc["C", "tost_p"] == pytest.approx(0.0824, abs=5e-4)
    # B: 95.94 is far above 93.3's interval; its TOST p is about 1.
    # Holm over three: C 0.0824 * 3 = 0.247; A max(0.2746 * 2, 0.247) = 0.549; B about 1.
    assert table.loc["C", "tost_p_holm"] == pytest.approx(0.2472, abs=2e-3)
    assert table.loc["A", "tost_p_holm"] == pytest.approx(0.5492, abs=2e-3)
    assert table["verdict"].to_dict() == {
        "A": "consistent, equivalence not shown",
        "B": "not reached",
        "C": "consistent, equivalence not shown",
    }


def test_twelve_tight_seeds_show_equivalence_with_a_published_run():
    # 93.0 ± 0.0426 over 12 seeds against 92.98: error sqrt(0.0426²/12 + 0.0426² + 0.03255)
    # = 0.18579 on 11 df; lower t = 0.50 / 0.18579 = 2.691, p = 0.0105; upper t = -0.46 /
    # 0.18579 = -2.476, p = 0.0154; TOST p = 0.0154: reproduced.
    table = reproduction.reproduction_table(
        [{"claim": "G", "published": 92.98, "ours": "g", "accuracies": [93.0, 92.95, 93.05] * 4}]
    )
    assert table.loc["G", "tost_p"] == pytest.approx(0.0154, abs=5e-4)
    assert table.loc["G", "verdict"] == "reproduced"


def test_a_published_number_below_the_interval_is_exceeded():
    table = reproduction.reproduction_table(
        [{"claim": "D", "published": 93.4, "ours": "d", "accuracies": [94.5, 94.7, 94.9]}]
    )
    assert table.loc["D", "verdict"] == "exceeded"  # 93.4 < 93.495
    # without the test images' noise 93.5 would lie below the interval (93.706) too
    inside = reproduction.reproduction_table(
        [{"claim": "D", "published": 93.5, "ours": "d", "accuracies": [94.5, 94.7, 94.9]}]
    )
    assert inside.loc["D", "verdict"] == "consistent, equivalence not shown"


def test_a_mean_inside_the_margin_is_not_enough_when_one_run_is_out_of_reach():
    # Inside the margin on the mean (94.55 against 94.98) but the published run outside the
    # interval of one run: 21 seeds, SD 0.0083666; variance 0.0083666² * 22/21 plus
    # 94.55 * 5.45 / 20,000 = 0.025765; t(0.975, 20) = 2.0860 times 0.16074 = 0.33530:
    # 94.215-94.885, below 94.98. Counting the published run's noise, the TOST cannot show
    # equivalence either: error 0.1606, lower t = 0.05 / 0.1606 = 0.31.
    accuracies = [94.54, 94.55, 94.56] * 7
    table = reproduction.reproduction_table(
        [{"claim": "E", "published": 94.98, "ours": "e", "accuracies": accuracies}]
    )
    assert table.loc["E", ["prediction_low", "prediction_high"]].tolist() == pytest.approx(
        [94.2147, 94.8853], abs=1e-3
    )
    assert table.loc["E", "tost_p"] > 0.3
    assert table.loc["E", "verdict"] == "not reached"


def test_budget_note_reads_the_plateau_table():
    plateaus = curve_plateaus()
    assert "below the 40 where" in reproduction.budget_note(plateaus, "cnn2d")
    assert reproduction.budget_note(plateaus, "modified_cnn2d") == (
        "trained 40 epochs; its validation curve levels off at 40 epochs"
    )
    assert reproduction.budget_note(plateaus, "vgg_bn") == ""


def test_a_model_trained_below_its_plateau_is_judged_at_the_plateau():
    plateaus = curve_plateaus()
    accuracies = {
        "CNN2D": {"tuned recipe": [94.5, 94.7], "untuned recipe": [93.0, 92.9]},
        "Modified CNN2D": {"tuned recipe": [93.3, 93.2], "untuned recipe": [90.9, 91.0]},
    }
    at_plateau = {"cnn2d": [95.1, 95.3], "modified_cnn2d": [93.3, 93.2]}
    claims = reproduction.paper_claims(accuracies, plateaus, at_plateau)
    cnn2d, modified, ieee = claims
    assert cnn2d["accuracies"] == [95.1, 95.3] and "at its plateau, 40 epochs" in cnn2d["ours"]
    assert modified["ours"] == "Our Modified CNN2D with the tuned recipe"  # at its plateau
    assert modified["note"] == "trained 40 epochs; its validation curve levels off at 40 epochs"
    assert ieee["published"] == 92.98 and ieee["accuracies"] == [93.0, 92.9]
    # One landed seed is not enough: the headline runs stay.
    alone = reproduction.paper_claims(accuracies, plateaus, {"cnn2d": [95.1]})
    assert alone[0]["accuracies"] == [94.5, 94.7] and "stopped early" in alone[0]["note"]


def test_one_seed_is_untested():
    table = reproduction.reproduction_table(
        [{"claim": "F", "published": 94.98, "ours": "f", "accuracies": [94.7]}]
    )
    assert table.loc["F", "verdict"] == "untested"
    sentence = reproduction.reproduction_sentence(table.reset_index().iloc[0].to_dict(), 1)
    assert "**untested**: f has 1 seed" in sentence


def test_a_verdict_near_the_5_percent_line_says_so():
    claim = {"claim": "G", "published": 92.98, "ours": "g", "accuracies": [93.0, 92.95, 93.05] * 4}
    row = reproduction.reproduction_table([claim]).reset_index().to_dict("records")[0]
    assert row["tost_p_holm"] == pytest.approx(0.0154, abs=5e-4)  # one claim: Holm leaves it
    assert "near the 5% line, a weak verdict" in reproduction.reproduction_sentence(row, 1)
