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
    # = 0.053333 for the seeds plus twice 94.7 * 5.3 / 20,000 = 0.025096 for the test images
    # (ours and the other run's): 0.103526; t(0.975, 2) = 4.3027 times sqrt(0.103526) =
    # 0.32175 gives a half-width of 1.38439: 93.316-96.084 holds 94.98. Equivalence within
    # 0.48, the published run counted as one draw: error sqrt(0.2²/3 + 0.2² + 2 * 0.025096)
    # = 0.32175 on 2 df; difference -0.28: lower t = 0.20 / 0.32175 = 0.6216, p = 0.2988;
    # upper t = -0.76 / 0.32175 = -2.362, p = 0.0710; TOST p = 0.2988.
    assert table.loc["A", ["prediction_low", "prediction_high"]].tolist() == pytest.approx(
        [93.316, 96.084], abs=1e-3
    )
    assert table.loc["A", "tost_p"] == pytest.approx(0.2988, abs=5e-4)
    # At a difference of zero: t = 0.48 / 0.32175 = 1.4918, p = 0.1371, the best A can get.
    assert table.loc["A", "tost_p_best"] == pytest.approx(0.1371, abs=5e-4)
    # C: mean 93.0, SD 0.1: error sqrt(0.01/3 + 0.01 + 2 * 93 * 7 / 20,000) = 0.28006;
    # difference +0.02: lower t = 0.50 / 0.28006 = 1.785, p = 0.1081; upper t = -0.46 /
    # 0.28006 = -1.6425, p = 0.1211; TOST p = 0.1211: three seeds cannot show equivalence.
    assert table.loc["C", "tost_p"] == pytest.approx(0.1211, abs=5e-4)
    # B: 95.94 is far above 93.3's interval; its TOST p is about 1.
    # Holm over three: C 0.1211 * 3 = 0.3633; A max(0.2988 * 2, 0.3633) = 0.5976; B about 1.
    assert table.loc["C", "tost_p_holm"] == pytest.approx(0.3633, abs=2e-3)
    assert table.loc["A", "tost_p_holm"] == pytest.approx(0.5976, abs=2e-3)
    assert table["verdict"].to_dict() == {
        "A": "consistent, equivalence not shown",
        "B": "not reached",
        "C": "consistent, equivalence not shown",
    }
    # As first stated (the published number exact, our seeds' spread alone), C read
    # "reproduced": interval 93.0 ± 4.3027 * 0.1 * sqrt(4/3) = 92.503-93.497; TOST standard
    # error 0.1 / sqrt(3) = 0.057735, upper t = (93.0 - 93.46) / 0.057735 = -7.967, p =
    # 0.0077; Holm over three 0.023.
    assert table.loc["C", ["first_low", "first_high"]].tolist() == pytest.approx(
        [92.503, 93.497], abs=1e-3
    )
    assert table.loc["C", "first_tost_p"] == pytest.approx(0.0077, abs=2e-4)
    assert table["first_verdict"].to_dict() == {
        "A": "consistent, equivalence not shown",
        "B": "not reached",
        "C": "reproduced",
    }


def test_twelve_tight_seeds_show_equivalence_with_a_published_run():
    # 92.98 ± 0.04264 over 12 seeds against 92.98: error sqrt(0.04264²/12 + 0.04264² + 2 *
    # 92.98 * 7.02 / 20,000) = 0.25931 on 11 df; t = 0.48 / 0.25931 = 1.851 each side, p =
    # 0.0456: reproduced, at a difference of zero only.
    table = reproduction.reproduction_table(
        [{"claim": "G", "published": 92.98, "ours": "g", "accuracies": [92.98, 92.93, 93.03] * 4}]
    )
    assert table.loc["G", "tost_p"] == pytest.approx(0.0456, abs=5e-4)
    assert table.loc["G", "verdict"] == "reproduced"


def test_a_published_number_below_the_interval_is_exceeded():
    table = reproduction.reproduction_table(
        [{"claim": "D", "published": 93.3, "ours": "d", "accuracies": [94.5, 94.7, 94.9]}]
    )
    assert table.loc["D", "verdict"] == "exceeded"  # 93.3 < 93.316
    # without the test images' noise 93.5 would lie below the interval (93.706) too
    inside = reproduction.reproduction_table(
        [{"claim": "D", "published": 93.5, "ours": "d", "accuracies": [94.5, 94.7, 94.9]}]
    )
    assert inside.loc["D", "verdict"] == "consistent, equivalence not shown"


def test_a_mean_inside_the_margin_is_not_enough_when_one_run_is_out_of_reach():
    # Inside the margin on the mean (94.55 against 95.02, 0.47 points) but the published run
    # outside the interval of one run: 63 seeds, SD 0.0082305; variance 0.0082305² * 64/63
    # plus twice 94.55 * 5.45 / 20,000 = 0.051599; t(0.975, 62) = 1.99897 times 0.22715 =
    # 0.45407: 94.096-95.004, below 95.02.
    accuracies = [94.54, 94.55, 94.56] * 21
    table = reproduction.reproduction_table(
        [{"claim": "E", "published": 95.02, "ours": "e", "accuracies": accuracies}]
    )
    assert table.loc["E", ["prediction_low", "prediction_high"]].tolist() == pytest.approx(
        [94.0959, 95.0041], abs=1e-3
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
    claim = {"claim": "G", "published": 92.98, "ours": "g", "accuracies": [92.98, 92.93, 93.03] * 4}
    row = reproduction.reproduction_table([claim]).reset_index().to_dict("records")[0]
    assert row["tost_p_holm"] == pytest.approx(0.0456, abs=5e-4)  # one claim: Holm leaves it
    assert "near the 5% line, a weak verdict" in reproduction.reproduction_sentence(row, 1)
