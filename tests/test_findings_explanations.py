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
        {"true class": "REAL", "method": "Grad-CAM", "mean border share": 0.40},
        {"true class": "FAKE", "method": "Grad-CAM", "mean border share": 0.20},
    ]
    model = {
        "faithfulness_tests": tests,
        "model_randomisation": randomisation,
        "data_randomisation": [{"method": m, "mean_spearman": 0.3} for m in METHODS],
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
    counts = {"better": 0, "worse": 0, "not significantly different": 0} | {verdict: 9}
    assert (
        f"{counts['better']} say the method is better, {counts['worse']} worse, and "
        f"{counts['not significantly different']} find no significant difference" in text
    )


def test_the_short_answer_follows_the_road_verdicts():
    assert "every method beats every baseline" in findings.findings_markdown(summary_with("better"))
    for verdict in ("worse", "not significantly different"):
        assert "no method beats every baseline" in findings.findings_markdown(summary_with(verdict))


def test_border_and_sanity_numbers_come_from_the_metrics():
    text = findings.findings_markdown(summary_with("better"))
    assert "40% for REAL images (more than a uniform map's 28%)" in text
    assert "20% for FAKE images (less than a uniform map's 28%)" in text
    assert "Grad-CAM +0.90" in text and "Grad-CAM +0.05" in text
    assert "At most 10% of the trained model's maps are flat" in text
