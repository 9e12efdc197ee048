"""Notebook 05's checks with the trained seed as the unit, worked by hand, and on real models."""

import math

import numpy as np
import pandas as pd
import pytest

from cifake_utils.explain import across_seeds, border_findings, geometry, sanity, sanity_findings
from cifake_utils.explain import plots as xplots
from cifake_utils.models.architectures import ARCHITECTURES

UNIFORM = 0.284


def t2_p(differences):
    """Two-sided one-sample t p with 2 degrees of freedom, in closed form: the t CDF with 2
    degrees of freedom is 1/2 + t / (2 sqrt(2 + t^2)), so p = 1 - |t| / sqrt(2 + t^2)."""
    d = np.asarray(differences)
    t = d.mean() / (d.std(ddof=1) / math.sqrt(len(d)))
    return 1 - abs(t) / math.sqrt(2 + t * t)


def table(trained, randomised, method="Grad-CAM", label="FAKE", architecture="cnn2d"):
    return pd.DataFrame(
        {
            "architecture": architecture,
            "seed": range(len(trained)),
            "true class": label,
            "method": method,
            "images": 300,
            "trained": trained,
            "randomised": randomised,
        }
    )


def test_border_tests_against_both_nulls_worked_by_hand():
    # Against the uniform share: differences 0.116, 0.126, 0.136 (mean 0.126, SD 0.01).
    # Against the randomised copies 0.40, 0.42, 0.41: differences 0.00, -0.01, 0.01 (mean 0).
    tests = across_seeds.border_tests(table([0.40, 0.41, 0.42], [0.40, 0.42, 0.41]), UNIFORM)
    uniform, randomised = tests.iloc[0], tests.iloc[1]
    assert (uniform["null"], randomised["null"]) == across_seeds.NULLS
    assert uniform["difference"] == pytest.approx(0.126)
    assert uniform["null_share"] == pytest.approx(UNIFORM)
    half = 4.302653 * 0.01 / math.sqrt(3)  # t(0.975, 2) * SEM
    assert (uniform["difference_low"], uniform["difference_high"]) == pytest.approx(
        (0.126 - half, 0.126 + half), abs=1e-6
    )
    assert uniform["p_value"] == pytest.approx(t2_p([0.116, 0.126, 0.136]), rel=1e-6)
    assert randomised["p_value"] == pytest.approx(1.0)  # mean difference zero
    # Holm over the two: the smaller p doubled, the larger kept.
    assert uniform["p_holm"] == pytest.approx(2 * uniform["p_value"], rel=1e-6)
    assert (uniform["verdict"], randomised["verdict"]) == ("more", "not significant")


def test_the_reading_holds_only_where_every_method_beats_both_nulls():
    more = table([0.40, 0.41, 0.42], [0.30, 0.31, 0.33])
    both = pd.concat([more, more.assign(method="Score-CAM")])
    verdicts = across_seeds.background_verdicts(across_seeds.border_tests(both, UNIFORM))
    assert verdicts.iloc[0]["verdict"] == "more"
    less = table([0.20, 0.21, 0.22], [0.30, 0.31, 0.33], method="Score-CAM")
    mixed = across_seeds.background_verdicts(
        across_seeds.border_tests(pd.concat([more, less]), UNIFORM)
    )
    assert mixed.iloc[0]["verdict"] == "not shown"
    one_seed = across_seeds.border_tests(table([0.40], [0.30]), UNIFORM)
    assert set(one_seed["verdict"]) == {"untested"}


def test_same_labels_similarity_is_sign_invariant_and_its_interval_is_over_pairs():
    rng = np.random.default_rng(0)
    base = rng.random((6, 13, 13))
    maps = {
        0: {"Grad-CAM": base},
        1: {"Grad-CAM": base.copy()},  # identical: rho 1
        2: {"Grad-CAM": -base},  # reversed: rho -1, similar all the same
        3: {"Grad-CAM": rng.random((6, 13, 13))},
    }
    similarity = across_seeds.seed_similarity(maps)
    by_seed = similarity.set_index("seed")["similarity"]
    assert by_seed[1] == pytest.approx(1.0) and by_seed[2] == pytest.approx(1.0)
    assert by_seed[3] < 0.3
    reference = across_seeds.reference_intervals(similarity).iloc[0]
    values = by_seed.to_numpy()
    half = 4.302653 * values.std(ddof=1) / math.sqrt(3)
    assert reference["pairs"] == 3
    # the t-interval (mean ± t(2) s / sqrt 3) runs past |ρ|'s range [0, 1]: clipped to it
    assert values.mean() - half < 0 and values.mean() + half > 1
    assert (reference["low"], reference["high"]) == (0.0, 1.0)
    narrow = similarity.assign(similarity=[0.40, 0.42, 0.44])
    half = 4.302653 * 0.02 / math.sqrt(3)
    assert tuple(across_seeds.reference_intervals(narrow).iloc[0][["low", "high"]]) == (
        pytest.approx(0.42 - half, abs=1e-6),
        pytest.approx(0.42 + half, abs=1e-6),
    )
    empty = across_seeds.reference_intervals(across_seeds.seed_similarity({0: maps[0]}))
    assert empty.empty and list(empty.columns) == ["method", "pairs", "similarity", "low", "high"]


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(0.10, 0.29, "below"), (0.10, 0.30, "overlaps"), (0.61, 0.7, "above"), (0.2, 0.5, "overlaps")],
)
def test_one_rule_judges_a_randomised_similarity_against_the_reference(low, high, expected):
    reference = {"low": 0.30, "high": 0.60}
    assert across_seeds.against_reference(low, high, reference) == expected
    # the saved rows' copy of the rule agrees
    assert sanity_findings.against_reference(low, high, reference) == expected


def test_the_sanity_sentence_uses_the_reference_when_there_is_one():
    randomisation = [
        {
            "method": "Grad-CAM",
            "randomised": "up to hidden",
            "sign_invariant": 0.20,
            "sign_invariant_low": 0.15,
            "sign_invariant_high": 0.25,
            "seeds": 3,
        },
        {
            "method": "Grad-CAM",
            "randomised": "up to conv2",
            "sign_invariant": 0.35,
            "sign_invariant_low": 0.31,
            "sign_invariant_high": 0.39,
            "seeds": 3,
        },
    ]
    data = [
        {
            "method": "Grad-CAM",
            "mean_spearman": 0.05,
            "sem": 0.01,
            "flat_other": 0.0,
            "shuffled-label model's fit to its labels": 1.0,
        }
    ]
    reference = [{"method": "Grad-CAM", "pairs": 4, "similarity": 0.4, "low": 0.3, "high": 0.5}]
    text = sanity_findings.sanity_sentence("CNN2D", randomisation, data, reference)
    assert "Grad-CAM 0.40 (0.30–0.50, 4 pairs)" in text
    assert "is undecided where conv2 is re-initialised (cannot be told from a change of seed)" in (
        text
    )
    # without a matched reference the full-data seeds' one judges: 0.05 ± 1.96 × 0.01 < 0.30
    assert "Grad-CAM 0.05 (0.03–0.07) against 0.40 (0.30–0.50): passes" in text
    assert "judged against the full-data seeds' reference" in text
    # two true-label models on the control's own subset: 0.06 ± 0.0196 overlaps 0.03–0.07
    data[0] |= {"same_labels_spearman": -0.06, "same_labels_sem": 0.01}
    matched = sanity_findings.sanity_sentence("CNN2D", randomisation, data, reference)
    assert (
        "Grad-CAM 0.05 (0.03–0.07) against 0.06 (0.04–0.08): cannot be told from a change of seed"
        in matched
    )
    assert "a second true-label model on the same subset" in matched
    randomisation[1] |= {"sign_invariant_low": 0.1, "sign_invariant_high": 0.29}
    assert "Grad-CAM 0.20, 0.35: passes at every stage" in sanity_findings.sanity_sentence(
        "CNN2D", randomisation, data, reference
    )


def test_border_table_on_real_models_uses_the_seeds_own_randomised_copy(tiny_trained_model):
    rng = np.random.default_rng(0)
    images = {"REAL": rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)}
    grid = geometry.receptive_field_grid(tiny_trained_model, "conv2")
    found = across_seeds.border_table(
        {("cnn2d", 3): tiny_trained_model}, images, {"cnn2d": grid}, ["Grad-CAM"]
    )
    row = found.iloc[0]
    assert (row["architecture"], row["seed"], row["images"]) == ("cnn2d", 3, 4)
    copy = across_seeds.fully_randomised(tiny_trained_model, 3)
    again = sanity.randomise_from_top(tiny_trained_model, len(sanity.WEIGHTED_LAYERS_TOP_DOWN), 3)
    for first, second in zip(copy.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(first, second)
    assert 0 <= row["trained"] <= 1 and 0 <= row["randomised"] <= 1
    assert "cnn2d" in ARCHITECTURES


def test_the_background_sentence_follows_the_verdicts_and_the_figure_draws_every_seed():
    more = table([0.40, 0.41, 0.42], [0.30, 0.31, 0.33])
    tests = across_seeds.border_tests(more, UNIFORM)
    border = {
        "uniform": UNIFORM,
        "images": 300,
        "tests": tests.to_dict("records"),
        "verdicts": across_seeds.background_verdicts(tests).to_dict("records"),
    }
    text = border_findings.border_seed_sentence(border)
    assert "(3 seeds per architecture, 300 test images per class each" in text
    assert "CNN2D on FAKE: Grad-CAM 41.0% (+12.6 vs uniform [more]; +9.7 vs randomised [more])" in (
        text
    )
    assert text.endswith("the reading holds.")
    fig = xplots.plot_border_over_seeds(more, UNIFORM, {"cnn2d": "CNN2D"})
    (ax,) = fig.axes
    assert [len(c.get_offsets()) for c in ax.collections] == [3, 3]
    assert ax.get_title() == "CNN2D, Grad-CAM"
    marked = xplots.plot_border_over_seeds(more, UNIFORM, {"cnn2d": "CNN2D"}, tests, 300)
    (tick,) = [t.get_text() for t in marked.axes[0].get_xticklabels()]
    assert tick == "FAKE images\nvs uniform: more\nvs randomised: more"
    assert "300 test images per class and seed" in marked.get_suptitle()


def test_a_stage_above_the_seeds_fails_and_one_that_overlaps_is_named_apart():
    stages = [("up to fake_probability", 0.10, 0.52), ("up to hidden", 0.39, 0.42)]
    randomisation = [
        {"method": "Grad-CAM++", "randomised": stage, "sign_invariant": (low + high) / 2}
        | {"sign_invariant_low": low, "sign_invariant_high": high, "seeds": 3}
        for stage, low, high in stages
    ]
    reference = [{"method": "Grad-CAM++", "pairs": 4, "similarity": 0.16, "low": 0.1, "high": 0.22}]
    data = [
        {
            "method": "Grad-CAM++",
            "mean_spearman": 0.05,
            "sem": 0.01,
            "flat_other": 0.0,
            "shuffled-label model's fit to its labels": 1.0,
        }
    ]
    text = sanity_findings.sanity_sentence("CNN2D", randomisation, data, reference)
    assert (
        "fails where hidden is re-initialised (more alike than another seed's maps); is "
        "undecided where fake_probability is re-initialised (cannot be told from a change of "
        "seed)"
    ) in text
