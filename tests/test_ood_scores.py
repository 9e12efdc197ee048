"""The stronger out-of-scope scores, worked by hand and on a real trained model."""

import numpy as np
import pandas as pd
import pytest

from cifake_utils.detector import ood_scores
from cifake_utils.models.inference import predict_fake_probability


def test_kth_distance_and_normalised_rows_by_hand():
    references = np.array([[1.0, 0], [0, 2], [3, 0], [0, -4]])  # 1, 2, 3, 4 from the origin
    queries = np.array([[0.0, 0], [3, 0]])  # (3, 0): 0, then 2, sqrt(13), 5
    assert ood_scores.kth_distance(queries, references, k=2) == pytest.approx([2.0, 2.0])
    assert ood_scores.kth_distance(queries, references, k=3) == pytest.approx([3, np.sqrt(13)])
    rows = ood_scores.normalised(np.array([[3.0, 4], [0, 0]]))
    np.testing.assert_allclose(rows, [[0.6, 0.8], [0, 0]])


def test_logit_and_thresholds_by_hand():
    np.testing.assert_allclose(
        ood_scores.logit(np.array([0.5, 0.75, 0.0])), [0.0, np.log(3), -16.118096], rtol=1e-6
    )
    # np.quantile of 1..100 at 0.95: position 94.05 between 95 and 96 -> 95.05
    limits = ood_scores.thresholds({"a": np.arange(1, 101)})
    assert limits == {"a": pytest.approx(95.05)}


def test_mcnemar_counts_only_the_discordant_images():
    new = np.array([True] * 8 + [False] * 2 + [True] * 5)
    old = np.array([False] * 8 + [True] * 2 + [True] * 5)
    # 8 flagged only by the new score, 2 only by the old: 2 * P(X >= 8 | 10, 1/2) = 112 / 1024
    assert ood_scores.mcnemar(new, old) == pytest.approx(0.109375)
    assert ood_scores.mcnemar(old, old) == 1.0


LIMITS = dict.fromkeys(ood_scores.SCORES, 0.5)
CIFAKE = {name: np.r_[np.zeros(95), np.ones(5)] for name in ood_scores.SCORES}  # 5% flagged


def only_neighbours_flag() -> dict[str, np.ndarray]:
    """Scores of 40 outside images: the neighbours flag 30 of them, every other score none."""
    return {
        name: np.r_[np.ones(30), np.zeros(10)] if name == "nearest neighbours" else np.zeros(40)
        for name in ood_scores.SCORES
    }


def test_power_table_flags_against_the_validation_threshold():
    # 30 of 40 flagged only by the neighbours, all discordant with the atypicality
    table = ood_scores.power_table(CIFAKE, {"set": only_neighbours_flag()}, LIMITS)
    neighbours = table.loc[("set", "nearest neighbours")]
    assert neighbours["flagged"] == 0.75 and neighbours["cifake_flagged"] == 0.05
    assert neighbours["gain_over_atypicality"] == 0.75
    # McNemar 30 against 0: p = 2 / 2^30; Holm over the three scores compared: x 3.
    assert neighbours["p_holm"] == pytest.approx(3 * 2 / 2**30)
    assert neighbours["verdict"] == "stronger"
    assert table.loc[("set", "atypicality"), "verdict"] == "the rule's test"
    assert table.loc[("set", "low confidence"), "verdict"] == "not significant"
    # ROC-AUC of a score at 0 on every outside image: it ties with CIFAKE's 95 zeros (half a
    # pair each) and ranks below its 5 ones: 0.5 * 95 / 100 = 0.475.
    assert table.loc[("set", "low confidence"), "roc_auc"] == pytest.approx(0.475)


def test_scores_of_a_real_trained_model(tiny_detector, real_jpegs, cifake):
    model, reference = tiny_detector.model, tiny_detector.info.scope_reference
    scorer = ood_scores.fit_scorer(model, [model, model], reference, cifake.test.images[:300])
    assert scorer.neighbours.shape[0] == 300
    np.testing.assert_allclose(np.linalg.norm(scorer.neighbours, axis=1), 1, rtol=1e-6)
    images = cifake.test.images[300:340]
    scores = ood_scores.score_images(scorer, images)
    assert set(scores) == set(ood_scores.SCORES)
    assert all(len(values) == 40 for values in scores.values())
    assert np.all(scores["seed disagreement"] == 0)  # the same model twice agrees with itself
    probability = predict_fake_probability(model, images)
    np.testing.assert_allclose(
        scores["low confidence"], -np.abs(np.log(probability / (1 - probability))), rtol=1e-5
    )
    # A training image is its own nearest neighbour: distance 0 for k = 1.
    own = ood_scores.kth_distance(scorer.neighbours[:5], scorer.neighbours, k=1)
    assert own == pytest.approx(np.zeros(5), abs=1e-6)


def test_ood_findings_count_the_verdicts_per_score():
    from cifake_utils.detector import findings

    weak = dict.fromkeys(ood_scores.SCORES, np.zeros(40))
    table = ood_scores.power_table(CIFAKE, {"noise": only_neighbours_flag(), "crops": weak}, LIMITS)
    text = findings.ood_findings(table.reset_index())
    assert "the feature test flags a median 0.0% of a set" in text
    assert "- nearest neighbours: stronger on 1 of 2 sets (noise), weaker on 0" in text
    assert "it flags a median 37.5% of a set and 5.0% of CIFAKE's test images" in text
    assert "- low confidence: stronger on 0 of 2 sets, weaker on 0, not significantly" in text


def test_crops_of_a_few_pictures_are_tested_over_the_pictures():
    # 3 pictures of 4 crops each; the neighbours flag more crops than the feature test on
    # pictures 0 and 1 and fewer on picture 2: 2 of 3 pictures one way, sign test p = 1.
    scores = {name: np.zeros(12) for name in ood_scores.SCORES}
    scores["atypicality"] = np.r_[0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0.0]
    scores["nearest neighbours"] = np.r_[1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0.0]
    sources = {"crops": np.arange(12) // 4}
    table = ood_scores.power_table(CIFAKE, {"crops": scores}, LIMITS, sources)
    neighbours = table.loc[("crops", "nearest neighbours")]
    assert neighbours["test"] == "sign test over pictures" and neighbours["units"] == 3
    assert neighbours["p_value"] == 1.0
    # as independent images McNemar would count 3 against 3 discordant crops: p = 1 as well,
    # but 30 against 0 over crops of 3 pictures is still only 3 pictures one way: p = 0.25
    many = {name: np.zeros(30) for name in ood_scores.SCORES}
    many["nearest neighbours"] = np.ones(30)
    crops = ood_scores.power_table(CIFAKE, {"crops": many}, LIMITS, {"crops": np.arange(30) // 10})
    assert crops.loc[("crops", "nearest neighbours"), "p_value"] == pytest.approx(0.25)
    independent = ood_scores.power_table(CIFAKE, {"noise": many}, LIMITS)
    assert independent.loc[("noise", "nearest neighbours"), "p_value"] == pytest.approx(2 / 2**30)
    assert (
        ood_scores.sign_test_over_sources(np.zeros(4, bool), np.zeros(4, bool), np.r_[0, 0, 1, 1])
        == 1.0
    )


def test_wilson_bounds_and_the_scope_share_figure():
    from cifake_utils.detector import plots

    # 50 of 100: centre (0.5 + z²/200) / (1 + z²/100) = 0.5; half-width
    # z * sqrt(0.25/100 + z²/40,000) / (1 + z²/100) = 0.096170 -> 0.40383-0.59617
    low, high = plots.wilson_bounds([0.5, 0.0], [100, 500])
    assert low[0] == pytest.approx(0.40383, abs=1e-5) and high[0] == pytest.approx(
        0.59617, abs=1e-5
    )
    # none of 500: from 0 to z² / (500 + z²) = 0.0076
    assert low[1] == pytest.approx(0.0, abs=1e-12) and high[1] == pytest.approx(
        3.8415 / 503.8415, abs=1e-5
    )
    scope = pd.DataFrame(
        {"count": [100, 100, 50, 40], "out_of_scope": [0.04, 0.06, 0.2, 1.0]},
        index=["CIFAKE test REAL", "CIFAKE test FAKE", "CIFAKE test, blur σ 1", "uniform noise"],
    )
    fig = plots.plot_scope_shares(scope)
    outside, transformed = fig.axes[:2]
    assert [t.get_text() for t in outside.get_yticklabels()] == ["uniform noise"]
    assert [t.get_text() for t in transformed.get_yticklabels()] == ["blur σ 1"]
    for ax in (outside, transformed):
        assert ax.lines[-1].get_xdata()[0] == pytest.approx(5.0)  # CIFAKE's own: 10 of 200
    assert outside.get_xlim() == (0, 100)
    # The size rule's part is drawn apart: 5% flagged by the features, the other 95 hatched.
    scope["flagged_by_features"] = [0.04, 0.06, 0.2, 0.05]
    outside = plots.plot_scope_shares(scope).axes[0]
    feature_bar, size_bar = (patch for patch in outside.patches if patch.get_height() == 0.7)
    assert feature_bar.get_width() == pytest.approx(5.0)
    assert (size_bar.get_x(), size_bar.get_width()) == pytest.approx((5.0, 95.0))
    assert size_bar.get_hatch() == "//"
