"""The ablation at equal compute, worked by hand."""

import math
from dataclasses import replace

import pytest

from cifake_utils.evaluation import equal_compute
from tests.test_family import Y
from tests.test_family import predictions_with_errors as with_errors


def landed() -> dict:
    # CNN2D 10, 12, 14 of 200 wrong (0.95, 0.94, 0.93); the Modified CNN2D 20, 23, 24 wrong
    # (0.90, 0.885, 0.88); CNN2D + GAP one seed; CNN2D + Dropout none.
    predictions = {("cnn2d", s): with_errors(10 + 2 * s, s) for s in range(3)}
    predictions |= {
        ("modified_cnn2d", s): with_errors(e, 10 + s) for s, e in enumerate([20, 23, 24])
    }
    return predictions | {("cnn2d_gap", 0): with_errors(30, 20)}


def test_arms_report_what_has_landed():
    arms = equal_compute.arm_table(Y, landed())
    assert arms.loc["cnn2d", "seeds"] == 3
    assert arms.loc["cnn2d", "accuracy_mean"] == pytest.approx(0.94)
    assert arms.loc["cnn2d", "accuracy_std"] == pytest.approx(0.01)
    assert arms.loc["cnn2d_gap", "seeds"] == 1 and math.isnan(arms.loc["cnn2d_gap", "t_low"])
    assert arms.loc["cnn2d_dropout", "seeds"] == 0


def test_comparisons_worked_by_hand_with_the_missing_ones_counted_as_p_1():
    table = equal_compute.comparison_table(Y, landed())
    row = table.loc[("cnn2d", "modified_cnn2d")]
    # Means 0.94 and 0.888333, difference -0.051667; variances 0.0001 and 0.00010833, so
    # se^2 = 0.0001 / 3 + 0.00010833 / 3 = 0.000069444, t = -6.2, Welch's df 3.9936:
    # p = 0.003460. Holm over three declared comparisons, two of them untested (p = 1):
    # 3 * 0.003460 = 0.010380.
    assert row["difference_mean"] == pytest.approx(-0.051667, abs=1e-6)
    assert row["p_value"] == pytest.approx(0.003460, abs=1e-6)
    assert row["p_holm"] == pytest.approx(0.010380, abs=1e-6)
    assert row["verdict"] == "worse" and row["family_size"] == 3
    gap = table.loc[("cnn2d", "cnn2d_gap")]
    assert gap["verdict"] == "untested" and gap["seeds"] == "3 + 1" and math.isnan(gap["p_holm"])
    assert table.loc[("cnn2d", "cnn2d_dropout"), "seeds"] == "3 + 0"


def test_sentences_name_the_verdicts_and_what_is_untested():
    arms = equal_compute.arm_table(Y, landed()).reset_index().to_dict("records")
    comparisons = equal_compute.comparison_table(Y, landed()).reset_index().to_dict("records")
    text = " ".join(equal_compute.equal_compute_sentences(arms, comparisons))
    assert "CNN2D 94.00% ± 1.00 (3 seeds)" in text
    assert "CNN2D + GAP 1 of its seeds landed" in text
    assert "Modified CNN2D against CNN2D at equal compute: **worse** (-5.17 points" in text
    assert "CNN2D + GAP against CNN2D at equal compute: untested" in text


def test_a_verdict_on_fewer_seeds_than_the_other_arms_says_it_is_partial():
    arms = [
        {"architecture": "cnn2d", "seeds": 5, "accuracy_mean": 0.955, "accuracy_std": 0.001},
        {
            "architecture": "cnn2d_dropout",
            "seeds": 2,
            "accuracy_mean": 0.949,
            "accuracy_std": 0.001,
        },
    ]
    row = {
        "first": "cnn2d",
        "second": "cnn2d_dropout",
        "seeds": "5 + 2",
        "verdict": "worse",
        "difference_mean": -0.0064,
        "difference_low": -0.0096,
        "difference_high": -0.0031,
        "p_value": 0.011,
        "p_holm": 0.011,
        "family_size": 3,
    }
    _, partial = equal_compute.equal_compute_sentences(arms, [row])
    assert "on 2 of the 5 seeds of the other arms, a look at partial data" in partial
    arms[1]["seeds"] = 5
    _, full = equal_compute.equal_compute_sentences(arms, [row | {"seeds": "5 + 5"}])
    assert "partial" not in full


def test_the_cpu_kinds_of_each_arm_are_counted_per_run(tiny_trained_run):
    avx512 = {"cpu": "AMD EPYC", "cpu_flags": ["avx2", "avx512f"]}
    avx2 = {"cpu": "AMD EPYC", "cpu_flags": ["avx2", "fma"]}
    runs = [
        replace(tiny_trained_run, epoch_machines=[avx512, avx512]),
        replace(tiny_trained_run, epoch_machines=[avx2]),
        replace(tiny_trained_run, epoch_machines=[avx2, avx512]),  # resumed on another kind
        replace(tiny_trained_run, epoch_machines=[avx512]),
    ]
    assert equal_compute.cpu_mix(runs) == (
        "AMD EPYC AVX-512 x2, AMD EPYC AVX-512 + AMD EPYC AVX2 x1, AMD EPYC AVX2 x1"
    )
    xeon = {"cpu": "Intel(R) Xeon(R) Processor", "cpu_flags": ["avx512f", "amx_tile"]}
    assert equal_compute.cpu_kind(xeon) == "Intel Xeon AVX-512"
    same = equal_compute.cpu_sentence({"CNN2D": "AVX-512 x5", "CNN2D + GAP": "AVX-512 x5"})
    assert same.startswith("Every run of these arms trained on the same CPU kind")
    mixed = equal_compute.cpu_sentence({"CNN2D": "AVX-512 x5", "CNN2D + GAP": "AVX2 x5"})
    assert "different mixes of CPU kinds (CNN2D AVX-512 x5; CNN2D + GAP AVX2 x5" in mixed
