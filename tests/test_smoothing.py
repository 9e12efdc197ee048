"""The label-smoothing test of notebook 04: paired over seeds, Holm over the paper models, and
the criterion's verdict, worked by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from cifake_utils.evaluation import findings, smoothing


def table(rows):
    frame = pd.DataFrame(
        rows,
        columns=["architecture", "seed", "ece_smoothed", "ece_plain", "temperature_plain"],
    )
    frame["accuracy_smoothed"], frame["accuracy_plain"] = 0.95, 0.94
    frame["temperature_smoothed"] = 0.57
    frame["cpus_smoothed"] = frame["cpus_plain"] = "Xeon"
    return frame.set_index(["architecture", "seed"])


def test_the_paired_test_and_holm_worked_by_hand():
    # cnn2d: differences 0.050 and 0.051 (mean 0.0505, SEM 0.0005, t = 101 with 1 degree of
    # freedom, a Cauchy: p = 2 arctan(1 / 101) / pi = 0.0063030). modified: 0.01 and 0.03
    # (t = 2: p = 1 - 2 arctan(2) / pi = 0.2951672). Holm: 2 x 0.0063030, then max(that, 0.295).
    tests = smoothing.smoothing_tests(
        table(
            [
                ("cnn2d", 0, 0.057, 0.007, 0.97),
                ("cnn2d", 1, 0.059, 0.008, 0.97),
                ("modified_cnn2d", 0, 0.040, 0.030, 1.02),
                ("modified_cnn2d", 1, 0.050, 0.020, 1.02),
            ]
        )
    )
    cnn2d, modified = tests.loc["cnn2d"], tests.loc["modified_cnn2d"]
    assert cnn2d["ece_difference"] == pytest.approx(0.0505)
    assert cnn2d["p_value"] == pytest.approx(2 * math.atan(1 / 101) / math.pi, rel=1e-6)
    assert cnn2d["p_holm"] == pytest.approx(0.012606, abs=1e-6)
    assert modified["p_value"] == pytest.approx(0.2951672, abs=1e-7)
    assert modified["p_holm"] == pytest.approx(0.2951672, abs=1e-7)
    assert cnn2d["verdict"] == "cause" and modified["verdict"] == "not shown"
    assert cnn2d["accuracy_difference"] == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("temperature", "expected"),
    [(0.95, "cause"), (0.9499, "not the whole cause")],  # still under-confident without it
)
def test_the_cause_needs_a_calibrated_temperature_too(temperature, expected):
    tests = smoothing.smoothing_tests(
        table([("cnn2d", 0, 0.057, 0.007, temperature), ("cnn2d", 1, 0.059, 0.008, temperature)])
    )
    assert tests.loc["cnn2d", "verdict"] == expected


def test_a_higher_ece_without_smoothing_is_not_the_cause_and_one_seed_is_untested():
    higher = smoothing.smoothing_tests(
        table([("cnn2d", 0, 0.007, 0.057, 1.0), ("cnn2d", 1, 0.008, 0.059, 1.0)])
    )
    assert higher.loc["cnn2d", "p_holm"] < 0.05
    assert higher.loc["cnn2d", "verdict"] == "not the cause"
    equal = smoothing.smoothing_tests(
        table([("cnn2d", 0, 0.057, 0.057, 1.0), ("cnn2d", 1, 0.058, 0.057, 1.0)])
    )
    assert equal.loc["cnn2d", "verdict"] == "not shown"
    one = smoothing.smoothing_tests(table([("cnn2d", 0, 0.057, 0.007, 1.0)]))
    assert np.isnan(one.loc["cnn2d", "p_value"]) and one.loc["cnn2d", "verdict"] == "untested"


def test_the_sentence_follows_the_verdict():
    rows = smoothing.smoothing_tests(
        table([("cnn2d", 0, 0.057, 0.007, 0.97), ("cnn2d", 1, 0.059, 0.008, 0.97)])
    )
    text = findings.smoothing_sentence(rows.reset_index().to_dict(orient="records"))
    assert "CNN2D: test ECE 0.0580 with smoothing and 0.0075 without" in text
    assert "smoothing is the cause by the criterion" in text and "trained on" not in text
    rows["cpus_plain"] = "EPYC"
    other = findings.smoothing_sentence(rows.reset_index().to_dict(orient="records"))
    assert "(with smoothing trained on Xeon, without on EPYC: a pair shares its seed" in other
    rows["p_holm"], rows["verdict"] = 0.063, "not shown"
    rows["accuracy_difference"] = -0.00001  # prints as +0.00, not -0.00
    shown = findings.smoothing_sentence(rows.reset_index().to_dict(orient="records"))
    assert "not significant over 2 seeds (a paired t with 1 degree of freedom)" in shown
    assert "accuracy +0.00 points" in shown
