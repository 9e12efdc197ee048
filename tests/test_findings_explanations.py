"""Notebook 05's findings are written from its metrics: each comparison word follows the tests."""

import pytest

from cifake_utils.explain import findings

METHODS = ("Grad-CAM", "Grad-CAM++", "Score-CAM")
BASELINES = ("smooth random", "centre prior", "edge prior")


def comparison_row(verdict: str, method: str = "Grad-CAM", baseline: str = "centre prior") -> dict:
    effect = {"better": 0.4, "worse": -0.4, "not significantly different": 0.02}[verdict]
    p_holm = 1e-6 if verdict != "not significantly different" else 0.6
    return {
        "test": "ROAD",
        "score": "road_gap",
        "method": method,
        "baseline": baseline,
        "rank_biserial": effect,
        "p_holm": p_holm,
        "verdict": verdict,
    }


def summary_with(verdict: str) -> dict:
    tests = [comparison_row(verdict, m, b) for m in METHODS for b in BASELINES]
    randomisation = [
        {"method": m, "randomised": stage, "mean_spearman": rho, "flat_trained": 0.1}
        for m in METHODS
        for stage, rho in (("up to fake_probability", 0.9), ("up to conv1", 0.05))
    ]
    border = [
        {
            "true class": "REAL",
            "method": "Grad-CAM",
            "mean border share": 0.40,
            "p vs uniform": 1e-5,
        },
        {
            "true class": "FAKE",
            "method": "Grad-CAM",
            "mean border share": 0.283,
            "p vs uniform": 0.4,
        },
    ]
    model = {
        "faithfulness_tests": tests,
        "model_randomisation": randomisation,
        "data_randomisation": [
            {"method": m, "mean_spearman": 0.3, "flat_other": 0.49} for m in METHODS
        ],
        "border": border,
    }
    return {"border_area_share": 0.284, "models": {"CNN2D": model}}


@pytest.mark.parametrize(
    ("verdict", "phrase"),
    [
        ("better", "better than the centre prior (r = +0.40, Holm p = 1e-06)"),
        ("worse", "worse than the centre prior (r = -0.40, Holm p = 1e-06)"),
        (
            "not significantly different",
            "not significantly different from the centre prior (r = +0.02, Holm p = 0.6)",
        ),
    ],
)
def test_each_verdict_is_written_as_the_test_says(verdict, phrase):
    text = findings.findings_markdown(summary_with(verdict))
    assert phrase in text
    assert text.startswith("## Findings")
    counts = {"better": 0, "worse": 0, "not significantly different": 0} | {verdict: 3}
    assert (
        f"Grad-CAM is better in {counts['better']}, worse in {counts['worse']} and not "
        f"significantly different in {counts['not significantly different']} of 3" in text
    )


def test_road_is_counted_once():
    summary = summary_with("better")
    tests = summary["models"]["CNN2D"]["faithfulness_tests"]
    tests += [
        comparison_row("worse", m, b) | {"score": score}
        for score in ("road_morf", "road_lerf")
        for m in METHODS
        for b in BASELINES
    ]
    text = findings.findings_markdown(summary)
    assert "on 1 scores" in text and "worse in 0" in text
    assert "a baseline is significantly better in 0 of 9" in text


def test_the_short_answer_counts_every_score_and_where_a_prior_wins():
    assert "every method beats every baseline on every score" in findings.findings_markdown(
        summary_with("better")
    )
    for verdict in ("worse", "not significantly different"):
        text = findings.findings_markdown(summary_with(verdict))
        assert "no method beats every baseline on every score" in text
    summary = summary_with("better")
    tests = summary["models"]["CNN2D"]["faithfulness_tests"]
    tests[-1] = comparison_row("worse", "Score-CAM", "edge prior")
    text = findings.short_answer(summary)
    assert "Grad-CAM and Grad-CAM++ beat every baseline" in text
    assert "Score-CAM 2 of 3" in text and "a baseline is significantly better in 1 of 9" in text


def test_border_and_sanity_numbers_come_from_the_metrics():
    text = findings.findings_markdown(summary_with("better"))
    assert (
        "40.0% for REAL images (more than a uniform map's 28.4%, Wilcoxon p = 1e-05, Holm over "
        "2: 2e-05)" in text
    )
    assert "28.3% for FAKE images (not significantly different from a uniform map's 28.4%" in text
    assert "(fake_probability, conv1): Grad-CAM 0.90, 0.05; Grad-CAM++ 0.90, 0.05" in text
    assert "Grad-CAM fails where its maps stay similar (0.90 up to fake_probability)" in text
    summary = summary_with("better")
    for row in summary["models"]["CNN2D"]["model_randomisation"]:
        row["sign_invariant"] = 0.3 if row["method"] != "Score-CAM" else row["mean_spearman"]
    text = findings.findings_markdown(summary)
    assert "Grad-CAM and Grad-CAM++ pass at every stage" in text
    assert "Score-CAM fails where its maps stay similar (0.90 up to fake_probability)" in text
    assert "At most 10.0% of the trained model's maps are flat" in text
    summary["models"]["CNN2D"]["model_randomisation"] = [
        row | {"flat_trained": 0.0}
        for row in summary["models"]["CNN2D"]["model_randomisation"]
        if row["method"] == "Grad-CAM"
    ]
    text = findings.findings_markdown(summary)
    assert "Grad-CAM passes at every stage" in text
    assert "None of the trained model's maps in this sample is flat; no pair is left out." in text
    summary["models"]["CNN2D"]["model_randomisation"][0]["sign_invariant_max"] = 0.6
    text = findings.findings_markdown(summary)
    assert "Grad-CAM fails where its maps stay similar (0.30 (one seed 0.60) up to" in text


def test_a_shuffled_label_model_that_did_not_fit_its_labels_is_no_control():
    summary = summary_with("better")
    data = summary["models"]["CNN2D"]["data_randomisation"]
    text = findings.findings_markdown(summary)
    assert "has no recorded fit to them" in text and "check is not done here" in text
    for row in data:
        row["shuffled-label model's fit to its labels"] = 0.51
        row["shuffled-label model's validation accuracy"] = 0.584
        row["shuffled-label validation p vs 50%"] = 1e-20
        row["shuffled labels' agreement with the true ones"] = 0.49
    text = findings.findings_markdown(summary)
    assert "fits them only to 51.0% in inference mode (its shuffled labels agree" in text
    assert "on 49.0%; it scores 58.4% on the real validation labels, above chance" in text
    assert "the data-randomisation check is not done here" in text and "0.30" not in text
    assert "so its outputs still carry some signal of the real labels" in text


def fitted(data, sem=0.05):
    for row in data:
        row["shuffled-label model's fit to its labels"] = 0.999
        row["shuffled-label model's validation accuracy"] = 0.505
        row["shuffled-label validation p vs 50%"] = 0.3
        row["epochs"] = 100
        row["sem"] = sem
        row["mean_spearman_full_model"] = -0.2


def test_a_fitted_shuffled_label_control_is_judged_per_method_by_its_interval():
    summary = summary_with("better")
    data = summary["models"]["CNN2D"]["data_randomisation"]
    fitted(data)
    data[1]["mean_spearman"] = 0.45  # interval 0.35–0.55 straddles 0.5
    data[2]["mean_spearman"] = -0.7  # a sign flip keeps the map: it stays alike
    text = findings.findings_markdown(summary)
    assert "fits them to 99.9% in inference mode over 100 epochs" in text
    assert "not significantly different from chance (binomial p = 0.3)" in text
    assert "Grad-CAM 0.30 (0.20–0.40); Grad-CAM++ 0.45 (0.35–0.55); Score-CAM 0.70" in text
    assert "Grad-CAM passes (the maps change when only the labels change)" in text
    assert "Grad-CAM++ is undecided (the interval straddles 0.5)" in text
    assert "Score-CAM fails (the maps stay alike when only the labels change)" in text
    assert "full-data model's maps, which also differ" in text and "Grad-CAM 0.20" in text
    assert "at most 0.0% of the true-label model's and 49.0% of the shuffled-label model's" in text
    assert "check is not done" not in text


def test_a_method_whose_maps_are_all_flat_has_no_verdict():
    summary = summary_with("better")
    data = summary["models"]["CNN2D"]["data_randomisation"]
    fitted(data)
    data[0]["mean_spearman"] = float("nan")
    text = findings.findings_markdown(summary)
    assert "Grad-CAM undefined (every map flat)" in text
    assert "Grad-CAM has no correlation to judge" in text
    for row in data:
        row["mean_spearman"] = 0.1
    assert "Grad-CAM, Grad-CAM++ and Score-CAM pass (the maps change" in findings.findings_markdown(
        summary
    )


def test_the_background_reading_is_decided_by_the_border_tests():
    summary = summary_with("better")  # REAL above uniform (p = 1e-05), FAKE not significant
    text = findings.background_sentence(summary)
    assert (
        "one family (Holm), for the one trained model analysed per architecture: the maps" in text
    )
    assert "the maps agree with it for CNN2D on REAL; neither" in text
    assert "only as far as the sanity checks above allow" in text
    assert "neither is shown for CNN2D on FAKE" in text
    border = summary["models"]["CNN2D"]["border"]
    border[0]["mean border share"] = 0.20  # now significantly below uniform
    opposite = findings.background_sentence(summary)
    assert "they show the opposite (significantly less than uniform) for CNN2D on REAL" in opposite
    assert "so the maps do not support the reading" in opposite
    border[0]["p vs uniform"] = 0.03  # Holm over 2: 0.06, no longer significant
    border[0]["mean border share"] = 0.40
    assert "agree with it" not in findings.background_sentence(summary)
    for row in border:
        row |= {"mean border share": 0.40, "p vs uniform": 1e-5}
    assert "agree with it for CNN2D on REAL, CNN2D on FAKE." in findings.findings_markdown(summary)
