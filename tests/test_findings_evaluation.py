"""Notebook 04's findings follow its saved results in every direction of every comparison."""

import math
from dataclasses import replace

import pytest

from cifake_utils.data import findings as data_findings
from cifake_utils.evaluation import findings, seeds
from cifake_utils.project import artifacts
from cifake_utils.project.profiles import get_profile
from cifake_utils.study import abstract, report


def headline(paper=94.98, mean=95.5, low=95.1, high=95.9, seeds=5):
    return {
        "model": "CNN2D",
        "paper": paper,
        "tuned_mean": mean,
        "tuned_std": 0.3,
        "tuned_seeds": seeds,
        "tuned_t_low": low,
        "tuned_t_high": high,
    }


def test_the_headline_gives_one_runs_interval_and_leaves_the_verdict_to_the_criterion():
    # std 0.3 over 5 seeds: one new run falls within mean ± 2.776 · 0.3 · √1.2 = ± 0.91.
    text = findings.headline_sentence(headline())
    assert (
        "one new run of ours on these test images: 94.59–96.41); the paper reports 94.98%" in text
    )
    assert "Whether that number is reproduced is the criterion's verdict below" in text
    assert text.endswith("the criterion's verdict below, on these runs.")
    claims = [
        {"claim": "the follow-up paper's CNN2D", "ours": "Our CNN2D at its plateau, 40 epochs"},
        {"claim": "the IEEE Access paper's best CNN, by a related model", "ours": "Our CNN2D x"},
    ]
    judged = findings.judged_runs(headline(), claims)
    assert judged == "at its plateau, 40 epochs"
    plateau = findings.headline_sentence(headline(), judged)
    assert plateau.endswith("on its runs at its plateau, 40 epochs, not these.")
    one = findings.headline_sentence(headline(low=math.nan, high=math.nan, seeds=1))
    assert "with one seed (no interval over seeds)" in one


@pytest.mark.parametrize(
    ("difference", "p_value", "verdict", "phrase"),
    [
        (0.012, 0.004, "better", "Modified CNN2D is better than CNN2D (+1.20 accuracy points"),
        (-0.012, 0.004, "worse", "Modified CNN2D is worse than CNN2D (-1.20 accuracy points"),
        (
            0.012,
            0.4,
            "not significant",
            "Modified CNN2D is not significantly different from CNN2D (+1.20 accuracy points",
        ),
    ],
)
def test_paired_verdicts_are_written_as_tested(difference, p_value, verdict, phrase):
    # p = 0.004 and 0.4: neither near 5%. Significant at 5%, a positive difference (the second
    # model more accurate) is "better", a negative one "worse"; p = 0.4 is neither.
    assert seeds.verdict(difference, p_value) == verdict
    row = {
        "first": "cnn2d",
        "second": "modified_cnn2d",
        "difference_mean": difference,
        "test": "paired t over seeds",
        "p_value": p_value,
        "verdict": verdict,
    }
    sentence = findings.paired_sentence(row)
    assert phrase in sentence
    assert "near the 5% line" not in sentence
    # Never the opposite direction: no "worse" beside +1.20 points, no "better" beside -1.20.
    assert ("worse" in sentence) == (verdict == "worse")
    assert ("better" in sentence) == (verdict == "better")


def test_a_verdict_near_the_line_says_what_is_left_open():
    row = {
        "first": "cnn2d",
        "second": "vgg_bn",
        "difference_mean": 0.0088,
        "difference_low": -0.0007,
        "difference_high": 0.0182,
        "seeds_second_better": 3,
        "seeds_second_worse": 0,
        "mcnemar_p_max": 0.0003,
        "test": "paired t over seeds",
        "p_value": 0.057,
        "verdict": "not significant",
    }
    text = findings.paired_sentence(row)
    assert "near the 5% line: the 95% interval of the difference is -0.07 to +1.82 points" in text
    assert (
        "McNemar's test on the test images favours VGG-BN (beyond the paper) in 3 and CNN2D in 0 "
        "of the 3 pairs of same-numbered runs (largest p = 0.0003)"
    ) in text
    assert "only more seeds, not more test images, can narrow it" in text
    split = findings.paired_sentence(row | {"seeds_second_better": 2, "seeds_second_worse": 1})
    assert "in 2 and CNN2D in 1 of the 3 pairs of same-numbered runs;" in split
    assert "largest p" not in split
    assert "near the 5% line" not in findings.paired_sentence(row | {"p_value": 0.2})


def test_untuned_names_and_the_whole_section():
    results = {
        "headline": [headline()],
        "paired_tests": [
            {
                "first": "cnn2d_untuned",
                "second": "cnn2d",
                "difference_mean": 0.02,
                "test": "Welch t over seeds (unpaired)",
                "p_value": 0.02,
                "p_holm": 0.08,
                "family_size": 7,
                "verdict_unadjusted": "better",
                "verdict": "not significant",
                "confound": "the untuned runs were trained on the earlier split",
            }
        ],
        "duplicated": [
            {
                "architecture": "cnn2d",
                "label": "FAKE",
                "seeds": 5,
                "duplicated_images": 378,
                "other_images": 9622,
                "accuracy_duplicated": 0.957,
                "accuracy_other": 0.946,
                "difference": 0.011,
                "p_value": 0.16,
            }
        ],
        "deduplicated_balanced": [{"architecture": "cnn2d", "balanced_accuracy_mean": 0.9471}],
        "deduplicated_counts": "10,000 REAL, 9,622 FAKE",
        "temperature_scaling": [
            {
                "architecture": "cnn2d",
                "label_smoothing": 0.1,
                "temperature_mean": 0.57,
                "ece_raw_mean": 0.057,
                "ece_calibrated_mean": 0.005,
            },
            {
                "architecture": "modified_cnn2d",
                "label_smoothing": 0.0,
                "temperature_mean": 0.99,
                "ece_raw_mean": 0.007,
                "ece_calibrated_mean": 0.005,
            },
        ],
    }
    text = findings.findings_markdown(results)
    assert "CNN2D is not significantly different from CNN2D (untuned recipe)" in text
    assert "Holm-adjusted over the study's 7 comparisons p = 0.08" in text
    assert "alone it would read better, a verdict the family's adjustment does not keep" in text
    assert "Welch t over seeds (unpaired), p = 0.02" in text
    assert "; the untuned runs were trained on the earlier split;" in text
    assert "near the 5% line, so a rerun may move it across the line" in text  # Holm p = 0.08
    assert "CNN2D, FAKE: 95.70% on the 378 duplicated against 94.60% on the other 9,622" in text
    assert "(permutation p = 0.16, Holm over 1: 0.16; not significantly different)" in text
    assert "in the training or validation split (means over 5 seeds): CNN2D" in text
    assert "unbalanced (10,000 REAL, 9,622 FAKE)" in text and "CNN2D 94.71%" in text
    assert "CNN2D (trained with label smoothing 0.1) is under-confident: test ECE 0.0570" in text
    assert "Modified CNN2D (trained with no label smoothing) is close to calibrated" in text
    assert "the runs without it test it below" in text
    results["duplicated"][0]["p_value"] = 0.001
    assert "Holm over 1: 0.001; significantly higher)" in findings.findings_markdown(results)
    assert "near-duplicate" not in text
    near = dict(results["duplicated"][0], duplicated_images=509, p_value=0.02)
    results |= {"near_duplicate_bits": 6, "near_duplicated": [near, dict(near, p_value=0.03)]}
    text = findings.findings_markdown(results)
    assert "near-duplicate in the training or validation split, at most 6 pHash bits away" in text
    assert "on the 509 near-duplicated against" in text
    assert "(permutation p = 0.02, Holm over 2: 0.04; significantly higher)" in text
    results["near_duplicated"][1]["p_value"] = 0.9  # Holm: 2 x 0.02 stays, 0.9 not
    assert "(permutation p = 0.9, Holm over 2: 0.9; not significantly different)" in (
        findings.findings_markdown(results)
    )
    results["near_duplicated"][1]["p_value"] = 0.03
    results["near_duplicated"][0]["p_value"] = 0.03  # 2 x 0.03 = 0.06: lost to the family
    assert "significantly higher" not in findings.near_duplicate_sentence(results)
    results["temperature_scaling"][1]["temperature_mean"] = 0.8
    assert "trained without it is not" not in findings.findings_markdown(results)
    assert not findings.findings_markdown(results, heading=False).startswith("## Findings")


def test_report_abstract_uses_the_same_findings(tmp_path):
    profile = replace(get_profile("smoke"), output_dir=tmp_path)
    parts = dict(abstract.abstract_sentences(profile))
    assert parts["Result"].startswith("Not in this run yet")
    assert parts["Robustness"].startswith("Not in this run yet")
    row = headline(mean=93.0, low=92.6, high=93.4)
    artifacts.save_json(
        {"headline": [row], "paired_tests": []}, profile.metrics_dir / "04_evaluation.json"
    )
    parts = abstract.abstract_sentences(profile)
    assert ("Result", findings.headline_sentence(row)) in parts
    page = report.render_index([], [], [], tmp_path, [], parts)
    assert "the paper reports 94.98%" in page and "<h2>Abstract</h2>" in page
    grid = [
        {"corruption": "PNG (control)", "architecture": "cnn2d", "accuracy": 0.95},
        {"corruption": "blur σ 1", "architecture": "cnn2d", "accuracy": 0.6},
    ]
    artifacts.save_json({"grid": grid}, profile.metrics_dir / "07_robustness.json")
    robustness = dict(abstract.abstract_sentences(profile))["Robustness"]
    assert "after blur σ 1 each model tested (CNN2D) loses 5 points" in robustness


def test_report_abstract_carries_the_controls(tmp_path):
    profile = replace(get_profile("smoke"), output_dir=tmp_path)
    containers = {"REAL": ["IJG q75, 4:2:0, baseline"], "FAKE": ["IJG q75, 4:2:0, baseline"]}
    summary = {"splits": {k: {"total": 10} for k in ("train", "validation", "test")}}
    summary |= {"test_images_in_train": 1, "jpeg_containers": containers}
    artifacts.save_json(summary, profile.metrics_dir / "01_data_summary.json")
    rows = [
        {"case": "baseline, test as published", "seeds": 3, "accuracy_mean": 0.92},
        {"case": "baseline, test resampled", "seeds": 3, "accuracy_mean": 0.58},
        {"case": "trained resampled, test resampled", "seeds": 3, "accuracy_mean": 0.80},
    ]
    test = {"difference_mean": -0.12, "p_value": 0.001, "test": "paired t over seeds"}
    grid = [{"corruption": "PNG (control)", "architecture": "cnn2d", "accuracy": 0.95}]
    robustness = {"grid": grid, "resampling": rows, "resampling_test": test}
    artifacts.save_json(robustness, profile.metrics_dir / "07_robustness.json")
    parts = abstract.abstract_sentences(profile)
    assert ("Data", data_findings.container_sentence(summary)) in parts
    assert any(h == "Robustness" and t.startswith("Resampling control") for h, t in parts)


def test_the_smoothing_clause_appears_only_where_every_smoothed_model_is_under_confident():
    def row(architecture, smoothing, temperature):
        return {
            "architecture": architecture,
            "label_smoothing": smoothing,
            "temperature_mean": temperature,
            "ece_raw_mean": 0.05,
            "ece_calibrated_mean": 0.005,
        }

    # The clause says what the temperatures show and points at the paired test of notebook 04;
    # it appears only when every model trained with smoothing is under-confident.
    under = findings.calibration_sentence([row("cnn2d", 0.1, 0.6), row("vgg_bn", 0.1, 0.9499)])
    assert "without a model trained otherwise this is no test" in under
    assert "the runs without it test it below" in under
    mixed = findings.calibration_sentence([row("cnn2d", 0.1, 0.6), row("vgg_bn", 0.1, 0.96)])
    assert "smoothing's targets" not in mixed and "is close to calibrated" in mixed
    plain = findings.calibration_sentence([row("cnn2d", 0.0, 0.6)])
    assert "smoothing's targets" not in plain and "is under-confident" in plain


def test_a_comparison_with_cnn2d_notes_what_cnn2d_reaches_at_its_plateau():
    row = {"first": "cnn2d", "second": "vgg_bn", "recipe_note": ""}
    arms = [{"architecture": "cnn2d", "seeds": 5, "accuracy_mean": 0.9551, "accuracy_std": 0.0012}]
    noted = findings.with_budget_note(row, {"equal_compute_arms": arms})
    assert noted["recipe_note"] == (
        "CNN2D as trained, below its validation plateau; at 40 epochs it reaches 95.51% ± 0.12 "
        "(5 seeds, the equal-compute comparisons)"
    )
    one = [arms[0] | {"seeds": 1}]
    assert findings.with_budget_note(row, {"equal_compute_arms": one}) == row
    other = row | {"first": "modified_cnn2d"}
    assert findings.with_budget_note(other, {"equal_compute_arms": arms}) == other


def test_the_beyond_model_is_also_judged_against_cnn2d_at_40_epochs():
    row = {"first": "cnn2d", "second": "vgg_bn", "recipe_note": ""}
    arms = [{"architecture": "cnn2d", "seeds": 5, "accuracy_mean": 0.9551, "accuracy_std": 0.0012}]
    test = {
        "second": "vgg_bn",
        "difference_mean": 0.0003,
        "difference_low": -0.0021,
        "difference_high": 0.0027,
        "test": "Welch t over seeds (unpaired)",
        "seeds": "5 + 3",
        "p_value": 0.71,
        "verdict": "not significant",
    }
    noted = findings.with_budget_note(row, {"equal_compute_arms": arms, "beyond_vs_plateau": test})
    assert noted["recipe_note"].endswith(
        "; against CNN2D at 40 epochs VGG-BN (beyond the paper) differs by +0.03 points (95% "
        "interval -0.21 to "
        "+0.27; Welch t over seeds (unpaired) over 5 + 3 seeds, p = 0.71, one test outside the "
        "family): not significantly different"
    )
    costed = test | {"first_pflop": 0.0518, "second_pflop": 0.0213}
    with_cost = findings.with_budget_note(
        row, {"equal_compute_arms": arms, "beyond_vs_plateau": costed}
    )
    assert with_cost["recipe_note"].endswith(
        "not significantly different, with 0.052 PFLOP of training per seed for CNN2D against 0.021"
    )
    gap = row | {"second": "cnn2d_gap"}  # only the model that test compares gets it
    assert (
        "against CNN2D at 40 epochs"
        not in findings.with_budget_note(
            gap, {"equal_compute_arms": arms, "beyond_vs_plateau": test}
        )["recipe_note"]
    )


def test_the_beyond_model_against_the_modified_cnn2d_names_its_own_budget():
    row = {"first": "modified_cnn2d", "second": "vgg_bn", "recipe_note": ""}
    beyond = {"second": "vgg_bn", "first_pflop": 0.052, "second_pflop": 0.0213}
    noted = findings.with_budget_note(row, {"beyond_vs_plateau": beyond})
    assert noted["recipe_note"] == (
        "VGG-BN (beyond the paper) as trained, with its own recipe and budget (0.021 PFLOP of "
        "training per seed), so the verdict is about the models at their budgets, not at equal "
        "compute"
    )
